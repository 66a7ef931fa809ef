-- A firewall dropping Direct Connect (port 17475) from a branch subnet: the
-- endpoint cannot reach the module server and the session ends in error,
-- with the reason; it never opened.
local sim = chainsim.new{ seed = 36 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.50.0.0/24", clients = 20 }
sim:firewall{ from = lan, to = "0.0.0.0/0", port = 17475, action = "drop" }
local s = sim:direct_connect{ at = "5m", endpoint = lan:client(3) }
sim:run{ duration = "8m" }

sim:expect(s:status() == "error", "the session ends in error")
sim:expect(s:reason() ~= nil and s:reason():find("firewall") ~= nil, "the reason names the firewall")
sim:expect(s:setup_time() == nil, "it never opened")
local d = sim:metrics().direct_connect[1]
sim:expect(d.status == "error" and d.setup_ms == nil and d.endpoint == "10.50.0.3", "results.json")
