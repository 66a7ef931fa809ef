-- 1,000 clients registering every 30-90 s (mean 60 s): about 16.7 per second
-- at the server once all have started; the server keeps up.
local sim = chainsim.new{ seed = 4, startup = "30s" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1", workers = 8 }
local hq = sim:site{ name = "hq", wan = { to = dc, bandwidth = "1Gbps", latency = "5ms" } }
for i = 0, 3 do
  hq:subnet{ cidr = string.format("10.3.%d.0/24", i), clients = 250 }
end
sim:run{ duration = "10m" }
local r = sim:metrics().registration
local per_client = r.count / 1000
sim:expect(per_client >= 9 and per_client <= 12, "about 10 registrations per client in 10 min")
sim:expect(r.per_second.mean >= 14 and r.per_second.mean <= 20, "about 16.7 per second")
sim:expect(r.latency_ms.p99 < 1000, "answered within a second")
sim:expect(sim:metrics().server.queue_peak < 50, "the server keeps up")
