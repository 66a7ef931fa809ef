-- An overloaded core server: 2 workers, 3 ms per registration, 50,000
-- endpoints starting within 20 s (about 2,500 registrations a second against a
-- capacity of 667).  The queue grows, so registrations wait seconds; the
-- service time stays what a worker spends on one job, 3 ms, and the response
-- time is the wait plus the service.
local sim = chainsim.new{ seed = 11, startup = "20s" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1", workers = 2,
           service = { registration = "3ms", initial_registration = "3ms", answer = "3ms", leader = "3ms" } }
local hq = sim:site{ name = "hq", wan = { to = dc, bandwidth = "10Gbps", latency = "5ms" } }
hq:subnet{ cidr = "10.8.0.0/16", clients = 50000 }
sim:run{ duration = "40s" }
local s = sim:metrics().server
sim:expect(s.service_ms.p50 == 3 and s.service_ms.p99 == 3, "service time: 3 ms, the worker's time only")
sim:expect(s.queue_peak > 5000, "overloaded: the queue grows")
sim:expect(s.queue_ms.p50 > 1000, "so jobs wait seconds")
-- (3 significant figures: the 3 ms hide in the rounding of seconds)
sim:expect(s.response_ms.p50 >= s.queue_ms.p50 and s.response_ms.p50 <= s.queue_ms.p50 * 1.01 + 3,
           "response p50 = wait + service")
sim:expect(s.response_ms.p99 >= s.queue_ms.p99 and s.response_ms.p99 <= s.queue_ms.p99 * 1.01 + 3,
           "response p99 = wait + service")
