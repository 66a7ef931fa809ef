-- A request/response exchange across a WAN direction that a bulk transfer
-- fills waits for the standing queue twice: the SYN and the request cross
-- the full direction (the SYN-ACK and the response the empty one).  The
-- queue is the link's buffer in full segments at line rate: 100 packets of
-- 1,448 + 54 bytes at 20 Mbps = 60.08 ms; 1 packet = 0.60 ms.
-- (GROUND_TRUTH.md: 121.8 ms idle, 242.6 ms at t = 10 s into the bulk flow,
-- 123.4 ms with a 1-packet device queue.)
local sim = chainsim.new{ seed = 5 }
local function path(n, buffer)
  local a = sim:site{ name = "a" .. n }
  local b = sim:site{ name = "b" .. n }
  sim:wan{ a = a, b = b, bandwidth = "20Mbps", latency = "30ms", buffer = buffer }
  local la = a:subnet{ cidr = string.format("10.%d.1.0/24", n), access = { latency = "0.1ms" } }
  local lb = b:subnet{ cidr = string.format("10.%d.2.0/24", n), access = { latency = "0.1ms" } }
  return la:host{ name = "src" .. n }, lb:host{ name = "dst" .. n },
         la:host{ name = "c" .. n }, lb:host{ name = "d" .. n }
end
local function exchange(at, c, d)
  return sim:exchange{ at = at, from = c, to = d, request = "200B", response = "2000B" }
end
local s1, d1, c1, e1 = path(1, nil)  -- the default buffer: 100 packets
local s2, d2, c2, e2 = path(2, 1)
local idle = exchange("1s", c1, e1)
local bulk1 = sim:transfer{ at = "2s", from = s1, to = d1, size = "100MB" }
local full = exchange("12s", c1, e1)
sim:transfer{ at = "2s", from = s2, to = d2, size = "100MB" }
local small = exchange("12s", c2, e2)
local after = exchange("70s", c1, e1)
-- Between the transfer's own hosts: their access links carry its flow but
-- are not full (1 Gbps); only the WAN direction queues.
local own = exchange("13s", s1, d1)
sim:run{ duration = "80s" }

local function ms(x, at) return (x:finished_at() - at) * 1000 end
local t_idle, t_full, t_small, t_after = ms(idle, 1), ms(full, 12), ms(small, 12), ms(after, 70)
print(string.format("idle %.3f ms, full %.3f ms, 1-packet %.3f ms, after %.3f ms, bulk %.3f s",
                    t_idle, t_full, t_small, t_after, bulk1:finished_at() - 2))
local q100, q1 = 100 * 1502 * 8 / 20e6 * 1000, 1502 * 8 / 20e6 * 1000
sim:expect(math.abs(t_idle - 121.8) <= 0.15 * 121.8, "idle: ns-3's 121.8 ms within 15 %")
sim:expect(math.abs(t_full - 242.6) <= 0.15 * 242.6, "full: ns-3's 242.6 ms within 15 %")
sim:expect(math.abs(t_small - 123.4) <= 0.15 * 123.4, "1-packet buffer: ns-3's 123.4 ms within 15 %")
-- Exactly two crossings of the queue, plus the first segments' time at half
-- the link (the new connection shares it with the bulk flow): < 0.2 ms.
sim:expect(t_full - t_idle >= 2 * q100 and t_full - t_idle <= 2 * q100 + 0.2,
           "full - idle = 2 x 60.08 ms (the SYN and the request wait)")
sim:expect(t_small - t_idle >= 2 * q1 and t_small - t_idle <= 2 * q1 + 0.2,
           "1-packet buffer: 2 x 0.60 ms")
sim:expect(math.abs(t_after - t_idle) < 1e-6, "after the bulk flow: no queue")
local t_own = ms(own, 13)
sim:expect(math.abs(t_own - t_full) < 0.05, string.format(
           "the transfer's own hosts: the same two waits (%.3f ms), none on their access links", t_own))
sim:expect(math.abs(bulk1:finished_at() - 2 - 41.745) <= 0.10 * 41.745, "the bulk flow: 41.745 s within 10 %")
