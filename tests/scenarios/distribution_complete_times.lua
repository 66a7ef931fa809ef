-- When a file is complete on each endpoint versus when the server learns it.
-- One subnet of 40 endpoints forms one chain; the shards flow forward along
-- it, so the members' files complete one after another (complete_ms spreads),
-- while their statuses reach the server together in the chain's answer sweep
-- (reported_ms: nearly one instant).  Every endpoint has the file before the
-- server can hear so: complete_ms <= reported_ms at each percentile.
local sim = chainsim.new{ seed = 5 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "50Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.40.0.0/24", clients = 40 }
local f = sim:deploy{ at = "3m", package = { size = "10MB", name = "tool.msi", run_time = "2s" }, targets = br }
sim:run{ duration = "6m" }

local m = sim:metrics()
local d = m.distributions[1]
sim:expect(m.chains.count == 1 and m.chains.length.max == 40, "one chain of 40")
sim:expect(d.completed == 40 and d.endpoints_complete == 40, "complete everywhere, and reported")
local c, r = d.complete_ms, d.reported_ms
sim:expect(c.p50 and c.p99 and r.p50 and r.p99, "all reached")
sim:expect(r.p50 == r.p99, "the chain's statuses reach the server together")
sim:expect(c.p99 - c.p50 > 10, "members complete at different times along the chain")
sim:expect(c.p50 <= r.p50 and c.p90 <= r.p90 and c.p99 <= r.p99, "complete before reported")
sim:expect(r.p99 - c.p99 >= 2000, "the 2 s run time lies between the last file and its report")
sim:expect(d.time_to_ms.p50 == r.p50 and d.time_to_ms.p90 == r.p90 and d.time_to_ms.p99 == r.p99,
           "time_to_ms is reported_ms")
