-- Initial registrations due every 1-2 minutes, on a server that cannot keep
-- up with them: a client's next initial registration often falls due while
-- its last registration is still waiting in the queue (it is then made
-- next, and the one in progress keeps its 60 s timeout), and some of those
-- time out.  A client keeps one registration timer, the earliest of its
-- next normal and next initial registration (or its timeout): this run
-- exercises every way they meet.
local sim = chainsim.new{ seed = 44, tls = false,
  initial_registration = { min = "1m", max = "2m" },
  sizes = { initial_registration = "2KB", initial_registration_response = "20KB" } }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1", workers = 1,
                      service = { registration = "20ms", initial_registration = "900ms" } }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.9.0.0/24", clients = 200 }
sim:run{ duration = "15m" }

local r = sim:metrics().registration
-- 200 clients want ~2,000 initial registrations in 15 min (one every 1.5
-- min each); one worker at 900 ms each completes at most 1,000.  It never
-- idles, and what it completes fills its 900 s (a job whose client gave up
-- takes no worker time).
local busy = r.initial * 0.9 + (r.count - r.initial) * 0.02
sim:expect(r.initial >= 900 and r.initial <= 1000, "initial registrations " .. r.initial)
sim:expect(busy >= 880 and busy <= 900, string.format("worker busy %.1f s of 900", busy))
-- Queued behind up to a minute of work: the slowest wait nearly the timeout.
sim:expect(r.latency_ms.p99 >= 50000 and r.latency_ms.p99 < 60000, "p99 " .. r.latency_ms.p99 .. " ms")
