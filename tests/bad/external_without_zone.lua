-- expect: external_without_zone.lua:7: external_clients 'zone': there is no zone server yet (external clients reach the core through one: make it with dmz:zone_server{ name = ..., hub = ... })
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
inet:external_clients{ count = 10 }
sim:run{ duration = "1m" }
