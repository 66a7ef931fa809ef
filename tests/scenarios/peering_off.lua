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
local c = m.server.connections
sim:expect(c.persistent_end == 100 and c.persistent_peak == 100,
           "each client's own connection is persistent, all 100 to the end")
sim:expect(c.peak == m.server.connections_peak and c.registration_peak >= 1 and c.registration_peak < 100,
           "the rest are the few registrations in flight")
