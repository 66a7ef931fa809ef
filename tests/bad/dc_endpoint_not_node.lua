-- expect: dc_endpoint_not_node.lua:7: direct_connect 'endpoint': expected an endpoint (a client node, such as lan:client(1) or roam[1]), got chainsim.subnet
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:direct_connect{ at = "1m", endpoint = lan, module = ms }
sim:run{ duration = "2m" }
