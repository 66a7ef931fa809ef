-- Test connection finds an endpoint by its Computer Name (or address), opens
-- a session and does not keep it: "closed" afterwards, with a set-up time.
local sim = chainsim.new{ seed = 37 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.50.0.0/24", clients = 20 }
lan:sensor("Computer Name", function(i) return string.format("pc-%03d", i) end)
local by_name = sim:test_connection{ at = "5m", target = "pc-011" }
local by_addr = sim:test_connection{ at = "5m", target = "10.50.0.4" }
local by_node = sim:test_connection{ at = "5m", target = lan:client(15) }
sim:run{ duration = "8m" }

sim:expect(by_name:endpoint() == lan:client(11), "found by Computer Name")
sim:expect(by_addr:endpoint() == lan:client(4), "found by address")
sim:expect(by_node:endpoint() == lan:client(15), "or given as a node")
sim:expect(by_name:status() == "closed" and by_addr:status() == "closed", "tried, not kept")
sim:expect(by_name:setup_time() ~= nil and by_name:setup_time() > 0, "it did open")
sim:expect(by_name:kind() == "test" and #sim:active_sessions() == 0, "no session stays open")
