-- expect: zone_server_hub_not_server.lua:7: zone_server 'hub': expected a core server (made with site:server{...}), got client 10.0.0.1
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 5 }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
dmz:zone_server{ name = "zs1", hub = lan:client(1) }
sim:run{ duration = "1m" }
