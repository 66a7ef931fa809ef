-- Fuzz seed: odd strings where names, addresses and units go.
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local odd = { "", " ", "a\nb", "a\0b", string.rep("x", 5000), "\xff\xfe", "é", "../x",
              "10.0.0.0/33", "10.0.0.1/24", "1e999ms", "9223372036854775807ns", "-5s", "5 s",
              "20MBps", "20Mbpsx", "0x10s", "nan s", "inf", "%s%s%n", "'\"" }
for i, s in ipairs(odd) do
  pcall(function() sim:site{ name = s } end)
  pcall(function() dc:subnet{ cidr = s, clients = 2 } end)
  pcall(function() sim:site{ name = "w" .. i, wan = { to = dc, bandwidth = s, latency = s } } end)
  pcall(function() sim:firewall{ from = s, to = "10.0.0.0/8", action = s } end)
  pcall(function() sim:at(s, function() end) end)
  pcall(function() sim:plot{ kind = s, file = s .. ".png", title = s } end)
end
sim:run{ duration = "30s" }
