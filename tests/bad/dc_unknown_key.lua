-- expect: dc_unknown_key.lua:7: direct_connect: unknown option 'node' (expected one of: at, endpoint, keep, module)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:direct_connect{ at = "1m", node = lan:client(1) }
sim:run{ duration = "2m" }
