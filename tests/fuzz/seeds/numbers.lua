-- Fuzz seed: number extremes in every kind of option, each call protected so
-- that one refusal does not end the scenario.
local sim = chainsim.new{ seed = 9 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1", workers = 4 }
local values = { 0, -1, 1e308, -1e308, math.huge, -math.huge, 0/0, math.maxinteger,
                 math.mininteger, 2^53, 2^63, -0.0, 1e-300, 0.5, 4294967296 }
for i, v in ipairs(values) do
  pcall(function() sim:site{ name = "b" .. i, wan = { to = dc, bandwidth = v, latency = v } } end)
  pcall(function() dc:subnet{ cidr = "10." .. i .. ".0.0/24", clients = v } end)
  pcall(function() sim:ask{ at = v, sensor = "x" } end)
  pcall(function() chainsim.new{ seed = v } end)
  pcall(function() sim:deploy{ at = "1m", package = { size = v } } end)
end
local lan = dc:subnet{ cidr = "10.200.0.0/24", clients = 5 }
lan:sensor("OS", { a = 0.5, b = 0.5 })
pcall(function() lan:client(0) end)
pcall(function() lan:client(math.maxinteger) end)
local q = sim:ask{ at = "30s", sensor = "OS" }
sim:run{ duration = "1m" }
local r = q:result()
