-- expect: too_many_clients.lua:4: subnet 'clients': 300 clients do not fit in 10.0.0.0/24 (254 host addresses)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 300 }
sim:run{ duration = "1m" }
