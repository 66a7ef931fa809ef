-- expect: cidr_host_bits.lua:4: subnet 'cidr': expected a network address a.b.c.d/n with the host bits zero (10.1.2.0/24), got "10.1.2.3/24"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.1.2.3/24", clients = 3 }
sim:run{ duration = "1m" }
