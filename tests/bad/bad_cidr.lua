-- expect: bad_cidr.lua:6: subnet 'cidr': expected a.b.c.d/n, got "10.0.0/24"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
-- three octets only
dc:subnet{ cidr = "10.0.0/24", clients = 3 }
sim:run{ duration = "1m" }
