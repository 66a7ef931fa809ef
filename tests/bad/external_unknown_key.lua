-- expect: external_unknown_key.lua:8: external_clients: unknown option 'clients' (expected one of: access, cidr, count, zone)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
inet:external_clients{ clients = 10, zone = zs }
sim:run{ duration = "1m" }
