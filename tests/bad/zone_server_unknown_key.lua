-- expect: zone_server_unknown_key.lua:6: zone_server: unknown option 'hbu' (expected one of: access, address, hub, name, subnet)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
dmz:zone_server{ name = "zs1", hbu = ts }
sim:run{ duration = "1m" }
