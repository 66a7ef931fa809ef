-- expect: zone_server_hub_string.lua:6: zone_server 'hub': expected a core server (made with site:server{...}), got string "ts1"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
dmz:zone_server{ name = "zs1", hub = "ts1" }
sim:run{ duration = "1m" }
