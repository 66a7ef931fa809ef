-- Satellites: a verified one receives its scan workload over Direct Connect
-- and completes it; an unverified (spoofed) one gets nothing.
local sim = chainsim.new{ seed = 38 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.50.0.0/24", clients = 20 }
local good = sim:satellite{ node = lan:client(1), verified = true, at = "5m", module = ms }
local spoof = sim:satellite{ node = lan:client(2), verified = false, at = "5m" }
local default = sim:satellite{ node = lan:client(3), at = "5m" }
sim:run{ duration = "10m" }

sim:expect(good:status() == "scanned", "the verified satellite scanned")
sim:expect(spoof:status() == "refused", "the spoofed one got nothing")
sim:expect(default:status() == "refused", "unverified unless said otherwise")
sim:expect(good:node() == lan:client(1) and good:session():kind() == "satellite", "its session")
local d = sim:metrics().direct_connect
sim:expect(#d == 3 and d[1].kind == "satellite", "listed with Direct Connect")
