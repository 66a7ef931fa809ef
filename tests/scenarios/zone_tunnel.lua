-- External clients answer through a zone server; a firewall between the core
-- server and the zone server cuts the hub's tunnel (answers and registrations
-- stop); removing it restores the tunnel and the answers.
local sim = chainsim.new{ seed = 34 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local roam = inet:external_clients{ count = 20, zone = zs,
                                    access = { bandwidth = "50Mbps", latency = "5ms" } }
roam:sensor("Location", { home = 1 })
local q1 = sim:ask{ at = "3m", sensor = "Location" }
local cut = sim:firewall{ at = "5m", from = ts, to = zs, both = true, action = "drop" }
local q2 = sim:ask{ at = "6m", sensor = "Location", targets = roam }
cut:remove{ at = "9m" }
local during = {}
sim:at("6m", function() during.up6 = zs:tunnel_up() end)
sim:at("9m", function()
  during.answered = q2:answered()
  during.regs = roam[1]:registrations()
  during.up9 = zs:tunnel_up()
end)
sim:at("560s", function() during.up = zs:tunnel_up(); during.after = q2:answered() end)
sim:run{ duration = "12m" }

sim:expect(#roam == 20 and roam[1]:address() == "198.18.0.1" and roam[21] == nil, "the group")
sim:expect(roam:zone() == zs and zs:role() == "zone_server", "behind zs1")
sim:expect(q1:answered() == 20 and q1:result().home == 20, "external clients answer through the zone server")
sim:expect(roam[1]:forward() == nil and roam[5]:backward() == nil, "they do not peer")
sim:expect(during.up6 == false and during.up9 == false, "the cut tunnel is noticed")
sim:expect(during.answered == 0, "no answers while the tunnel is cut")
sim:expect(zs:tunnel_drops() >= 1, "the zone server saw the drop")
sim:expect(during.up == true and during.after == 20, "restored within 20 s: the question arrives")
sim:expect(roam[1]:registrations() > during.regs, "registrations resume")
local t = sim:metrics().topology
sim:expect(t.external_clients == 20 and t.zone_servers == 1 and t.endpoints == 20, "topology counts")
