-- expect: negative_count.lua:4: subnet 'clients': expected an integer between 0 and 16777214, got -3
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = -3 }
sim:run{ duration = "1m" }
