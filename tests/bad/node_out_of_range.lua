-- expect: node_out_of_range.lua:5: client(5): subnet 10.0.0.0/24 has 3 clients (1 .. 3)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
sim:crash{ at = "1m", node = lan:client(5) }
sim:run{ duration = "2m" }
