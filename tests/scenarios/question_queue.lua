-- A question asked while a file fills the WAN toward the branch answers
-- later than on the idle WAN by the standing queue's delay per crossing of
-- the full direction.  The question crosses it once (server -> the chain's
-- backward leader); the answers come back the other way, which is not full.
-- The queue: the link's 100-packet buffer of 1,448 + 54 bytes at 20 Mbps =
-- 60.08 ms.  Sensors take a fixed time, so both questions' answers follow
-- the same steps along the same chain.
local sim = chainsim.new{ seed = 3, sensor_time = { min = "50ms", max = "50ms" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local files = dc:subnet{ cidr = "10.0.9.0/24" }
local src = files:host{ name = "file-server" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.1.0.0/24", clients = 20 }
local dst = lan:host{ name = "file-sink" }
lan:sensor("Operating System", { ["Windows 11"] = 0.5, ["Ubuntu 24.04"] = 0.5 })
local idle = sim:ask{ at = "3m", sensor = "Operating System" }
local copy = sim:transfer{ at = "4m", from = src, to = dst, size = "1GB" }
local busy = sim:ask{ at = "5m", sensor = "Operating System" }
sim:run{ duration = "6m" }

sim:expect(copy:finished_at() == nil, "the file still fills the WAN at the end")
local q = 100 * (1448 + 54) * 8 / 20e6
local a, b = idle:time_to(1.0), busy:time_to(1.0)
print(string.format("all answered: idle WAN %.4f s, full WAN %.4f s, +%.2f ms", a, b, (b - a) * 1000))
sim:expect(idle:answered() == 20 and busy:answered() == 20, "every client answers both")
-- One crossing, plus the question's first segment at half the link beside
-- the file's flow (the share a new flow would get): a fraction of a ms.
sim:expect(b - a >= q and b - a <= q + 0.5e-3, "answered 60.08 ms later on the full WAN")
