-- expect: used_before_defined.lua:4: attempt to index a nil value (global 'lan')
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:restart{ at = "1m", node = lan:client(1) }
lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
sim:run{ duration = "2m" }
