-- expect: dc_module_not_module.lua:6: direct_connect 'module': expected a module server (made with site:module_server{...}), got core server ts1
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:direct_connect{ at = "1m", endpoint = lan:client(1), module = ts }
sim:run{ duration = "2m" }
