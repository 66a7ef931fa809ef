-- expect: throttle_subnet_type.lua:5: throttle 'subnet': expected a subnet, an external-client group, a site or a list of them, got chainsim.node
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:throttle{ subnet = lan:client(1), bandwidth = "10Mbps" }
sim:run{ duration = "2m" }
