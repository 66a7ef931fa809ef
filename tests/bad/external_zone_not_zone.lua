-- expect: external_zone_not_zone.lua:8: external_clients 'zone': expected a zone server (made with site:zone_server{...}), got core server ts1
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
inet:external_clients{ count = 10, zone = ts }
sim:run{ duration = "1m" }
