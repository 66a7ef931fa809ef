-- Fuzz seed: calls from inside sim:at callbacks and after sim:run.
local sim = chainsim.new{ seed = 2 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "10Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.1.0.0/24", clients = 20 }
lan:sensor("OS", { a = 0.3, b = 0.7 })
local q
sim:at("10s", function()
  pcall(function() sim:site{ name = "late" } end)
  pcall(function() sim:run{ duration = "1m" } end)
  sim:crash{ node = lan:client(3) }
  q = sim:ask{ at = "15s", sensor = "OS" }
  sim:at("20s", function()
    sim:restart{ node = lan:client(3) }
    sim:fail{ link = br }
    sim:at("25s", function() sim:repair{ link = br } end)
  end)
  local r = sim:firewall{ from = lan:client(1), to = lan:client(2), action = "drop", both = true }
  sim:at("40s", function() r:remove{} end)
  sim:partition{ at = "30s", a = lan:client(5), b = dc }
  sim:heal{ at = "45s", a = dc, b = lan:client(5) }
  pcall(error)
end)
sim:at("50s", function() local m = sim:metrics() end)
sim:run{ duration = "1m" }
pcall(function() sim:site{ name = "after" } end)
pcall(function() sim:at("2m", function() end) end)
pcall(function() sim:run{ duration = "1m" } end)
local m = sim:metrics()
sim:expect(q ~= nil and q:result() ~= nil, "asked")
