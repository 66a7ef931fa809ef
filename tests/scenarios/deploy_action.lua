-- An action without files runs on every target for its run time.
local sim = chainsim.new{ seed = 12 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.12.0.0/24", clients = 40 }
local other = br:subnet{ cidr = "10.13.0.0/24", clients = 10 }
local f = sim:deploy{ at = "3m", package = { run_time = "5s" }, targets = lan }
local g = sim:deploy{ at = "3m", package = { size = 0 }, targets = { other:client(1), other:client(2) } }
sim:run{ duration = "6m" }
sim:expect(f:targets() == 40 and f:completed_fraction() == 1.0, "completed on all 40")
sim:expect(f:time_to(1.0) >= 5, "not before the 5 s run time")
sim:expect(g:completed() == 2, "two single clients")
local d = sim:metrics().distributions
sim:expect(#d == 2 and d[1].size == 0 and d[1].completed == 40, "listed with size 0")
