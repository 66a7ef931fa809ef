-- expect: external_before_internet.lua:7: external_clients: there is no internet site yet (make it with local inet = sim:internet{ to = dmz, bandwidth = ..., latency = ... }, then call inet:external_clients{...})
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
dmz:external_clients{ count = 10, zone = zs }
sim:run{ duration = "1m" }
