-- expect: wrong_type.lua:4: subnet 'clients': expected an integer between 0 and 16777214, got string "ten"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = "ten" }
sim:run{ duration = "1m" }
