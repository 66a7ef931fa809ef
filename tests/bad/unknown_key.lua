-- expect: unknown_key.lua:4: subnet: unknown option 'client' (expected one of: access, cidr, clients, isolated, separated)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24",
                       client = 5 }
sim:run{ duration = "1m" }
