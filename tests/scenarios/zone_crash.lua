-- The zone server crashes and restarts: its tunnel went down once (counted
-- by zs:tunnel_drops(), like a cut), the hub opens it again, and external
-- clients answer a question asked after the restart.
local sim = chainsim.new{ seed = 35 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local roam = inet:external_clients{ count = 10, zone = zs,
                                    access = { bandwidth = "50Mbps", latency = "5ms" } }
roam:sensor("Location", { home = 1 })
local seen = {}
sim:at("3m", function() seen.drops = zs:tunnel_drops(); seen.up = zs:tunnel_up() end)
sim:crash{ at = "4m", node = zs }
sim:restart{ at = "5m", node = zs }
local q = sim:ask{ at = "8m", sensor = "Location", targets = roam }
sim:run{ duration = "12m" }

sim:expect(seen.drops == 0 and seen.up == true, "the tunnel is up before the crash")
sim:expect(zs:tunnel_drops() == 1, "the crash took the tunnel down once")
sim:expect(zs:tunnel_up(), "the hub opened it again after the restart")
sim:expect(q:answered() == 10, "external clients answer through it again")
