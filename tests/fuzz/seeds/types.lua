-- Fuzz seed: every type where another is expected (type swaps), and
-- objects of one kind where another is wanted.
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 4 }
local values = { nil, true, 1, "x", {}, function() end, sim, dc, ts, lan, lan:client(1),
                 setmetatable({}, { __index = function() error("boom") end }),
                 setmetatable({}, { __tostring = function() return {} end }) }
for i = 1, 13 do
  local v = values[i]
  pcall(function() sim:site{ name = v } end)
  pcall(function() sim:site{ name = "s" .. i, wan = { to = v } } end)
  pcall(function() dc:subnet(v) end)
  pcall(function() sim:crash{ node = v } end)
  pcall(function() sim:firewall{ from = v, to = lan, action = "drop" } end)
  pcall(function() sim:partition{ a = v, b = lan } end)
  pcall(function() sim:expect(v, v) end)
  pcall(function() sim.site(v, { name = "dot" .. i }) end)
  pcall(function() lan:sensor(v, v) end)
  pcall(function() sim:throttle{ subnet = v, bandwidth = v } end)
end
sim:run{ duration = "1m" }
