-- persistent_chains.lua without peering: every client is a chain of one and
-- holds its own persistent connection (both roles) to the server: 1,000,
-- against 40 with peering.
local sim = chainsim.new{ seed = 5, peering = false }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
for b = 1, 20 do
  local br = sim:site{ name = "branch-" .. b, wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
  br:subnet{ cidr = string.format("10.%d.0.0/26", b), clients = 50 }
end
sim:run{ duration = "5m" }
local m = sim:metrics()
sim:expect(m.chains.count == 0, "no chains")
local conns = ts:connections()
sim:expect(conns.persistent == 1000, "one persistent connection per client, got " .. conns.persistent)
