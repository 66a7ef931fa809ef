-- expect: isolated_and_separated.lua:4: subnet: 'isolated' and 'separated' exclude each other
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 3, isolated = true, separated = true }
sim:run{ duration = "1m" }
