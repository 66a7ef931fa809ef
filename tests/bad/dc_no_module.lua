-- expect: dc_no_module.lua:6: direct_connect 'module': there is no module server (make one with site:module_server{ name = ... } first)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:direct_connect{ at = "1m", endpoint = lan:client(1) }
sim:run{ duration = "2m" }
