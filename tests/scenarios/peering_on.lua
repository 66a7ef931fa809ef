-- With peering only the chain's leaders keep server connections: the same
-- branch as peering_off.lua needs a handful instead of 100.
local sim = chainsim.new{ seed = 2, peering = true }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.2.0.0/24", clients = 100 }
local steady
sim:at("4m", function() steady = sim:metrics() end)
sim:run{ duration = "5m" }
local m = sim:metrics()
sim:expect(m.chains.count == 1 and m.chains.length.max == 100, "one chain of 100")
sim:expect(m.wan.bytes_by_class.peer == 0 or m.lan.bytes_by_class.peer > 0, "peer traffic stays on the LAN")
sim:expect(steady.registration.count < m.registration.count, "registrations go on")
local c = m.server.connections
sim:expect(c.persistent_end == m.chains.backward_leaders + m.chains.forward_leaders and c.persistent_end == 2,
           "in the steady state the two leaders hold the only persistent connections")
sim:expect(c.persistent_peak > c.persistent_end, "more led for a while at start-up, before peers were known")
sim:expect(c.peak == m.server.connections_peak and c.peak <= c.persistent_peak + c.registration_peak,
           "every connection is persistent or not")
