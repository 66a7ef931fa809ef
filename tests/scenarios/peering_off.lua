-- Without peering every client keeps its own connection to the server.
local sim = chainsim.new{ seed = 2, peering = false }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.2.0.0/24", clients = 100 }
sim:run{ duration = "5m" }
local m = sim:metrics()
sim:expect(m.chains.count == 0 or m.chains.length.max <= 1, "no chains")
sim:expect(m.server.connections_peak >= 100, "a server connection per client")
sim:expect(m.server.wan_connections_peak >= 100, "all of them across the WAN")
