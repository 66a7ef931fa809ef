-- Initial and normal registrations differ.  200 clients make one initial
-- registration each at start, then normal ones; the server crashes at 3 min
-- and is back at 3m10s: every client's next registration is initial again
-- (the server has not heard from it since it started), so the initial count
-- doubles exactly, and their bytes and service time show the load.
local sim = chainsim.new{ seed = 43, tls = false,
  sizes = { initial_registration = "2KB", initial_registration_response = "20KB",
            registration = "600B", registration_response = "900B" } }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1", workers = 1,
                      service = { registration = "1ms", initial_registration = "300ms" } }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.9.0.0/24", clients = 200 }
sim:crash{ at = "3m", node = ts }
sim:restart{ at = "190s", node = ts }
sim:run{ duration = "6m" }

local r = sim:metrics().registration
sim:expect(r.initial == 400, "200 initial at start, 200 after the restart: " .. r.initial)
-- The registration bytes are at least the payloads (framing, handshakes and
-- acknowledgements add under 15 % and 300 bytes a connection).
local normal = r.count - r.initial
local payload = r.initial * (2000 + 20000) + normal * (600 + 900)
local bytes = sim:metrics().wan.bytes_by_class.registration
sim:expect(bytes >= payload and bytes <= payload * 1.15 + 300 * r.count,
           string.format("registration bytes %d within [%d, %d]", bytes, payload,
                         math.floor(payload * 1.15 + 300 * r.count)))
-- 200 initial registrations of 300 ms each on one worker: 60 s of work that
-- arrives within 30 s (the start) and within 90 s (after the restart); the
-- slowest waits seconds, where 1 ms normal ones would not queue.
sim:expect(r.latency_ms.p99 >= 10000, "initial registrations queue: p99 " .. r.latency_ms.p99 .. " ms")
