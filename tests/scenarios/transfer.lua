-- Background transfers follow the link model: 10 MB over a 10 Mbps WAN link
-- takes about 8.4 s (payload plus 54 bytes of headers per 1448), and two at
-- once share the link fairly and finish together, about twice as late.
local sim = chainsim.new{ seed = 1 }
local a = sim:site{ name = "a" }
local b = sim:site{ name = "b", wan = { to = a, bandwidth = "10Mbps", latency = "20ms" } }
local la = a:subnet{ cidr = "10.10.0.0/24" }
local lb = b:subnet{ cidr = "10.11.0.0/24" }
local src = la:host{ name = "src" }
local dst = lb:host{ name = "dst" }
local dst2 = lb:host{ name = "dst2", address = "10.11.0.77" }
local one = sim:transfer{ at = "1s", from = src, to = dst, size = "10MB" }
local x = sim:transfer{ at = "60s", from = src, to = dst, size = "10MB" }
local y = sim:transfer{ at = "60s", from = src, to = dst2, size = "10MB" }
sim:run{ duration = "2m" }
local d1 = one:finished_at() - 1
sim:expect(d1 > 8.0 and d1 < 9.5, "10 MB over 10 Mbps in about 8.4 s")
sim:expect(math.abs(x:finished_at() - y:finished_at()) < 0.5, "two flows finish together")
local d2 = x:finished_at() - 60
sim:expect(d2 > 1.8 * d1 and d2 < 2.2 * d1, "sharing the link takes twice as long")
sim:expect(dst2:address() == "10.11.0.77" and dst2:name() == "dst2", "hosts keep their address")
local w = sim:metrics().wan
sim:expect(w.bytes_by_class.bulk >= 30000000, "the bytes are counted as bulk on the WAN")
