-- Direct Connect: a session straight to an internal endpoint (17475) and one
-- through the zone proxy (17486 -> 17487) to an external client both
-- complete; the proxied one takes longer to set up; the module server lists
-- both as active.  Endpoints without the client certificate, and a module
-- server without its server certificate, end in error saying which.
local sim = chainsim.new{ seed = 35 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
local bad_ms = dc:module_server{ name = "ms2", server_cert = false }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.50.0.0/24", clients = 20 }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local roam = inet:external_clients{ count = 5 }
sim:no_client_cert(lan:client(7))
local s1 = sim:direct_connect{ at = "5m", endpoint = lan:client(6), module = ms }
local s2 = sim:direct_connect{ at = "5m", endpoint = roam[3], module = ms }
local s3 = sim:direct_connect{ at = "5m", endpoint = lan:client(7), module = ms }
local s4 = sim:direct_connect{ at = "5m", endpoint = lan:client(8), module = bad_ms }
local s5 = sim:direct_connect{ at = "5m", endpoint = lan:client(9), module = ms, keep = "1m" }
local early
sim:at("300.01s", function() early = s1:status() end)
sim:run{ duration = "9m" }

sim:expect(early == "creating" or early == "downloading", "not open yet while the open-session action travels")
sim:expect(s1:status() == "complete", "direct session complete")
sim:expect(s2:status() == "complete", "session through the zone proxy complete")
sim:expect(s1:setup_time() > 0 and s2:setup_time() > s1:setup_time(),
           "through the zone proxy it crosses the internet: slower to set up")
sim:expect(s1:reason() == nil and s1:endpoint() == lan:client(6), "no reason; the endpoint")
sim:expect(s3:status() == "error" and s3:reason():find("client certificate") ~= nil,
           "no client certificate: error")
sim:expect(s4:status() == "error" and s4:reason():find("server certificate") ~= nil,
           "no server certificate: error")
sim:expect(s5:status() == "closed", "kept one minute, then closed")
local active = sim:active_sessions(ms)
sim:expect(#active == 2 and active[1] == s1 and active[2] == s2, "the module server lists the open sessions")
sim:expect(s1:duration() > 60 and s1:since_last_message() > 60, "open for minutes")
local d = sim:metrics().direct_connect
sim:expect(#d == 5 and d[2].endpoint == roam[3]:address() and d[2].status == "complete"
           and d[2].setup_ms > 0 and d[2].kind == "session", "results.json direct_connect")
sim:expect(d[3].status == "error" and d[3].setup_ms == nil and d[3].reason ~= nil,
           "an error: no setup time, a reason")
