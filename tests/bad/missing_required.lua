-- expect: missing_required.lua:4: subnet: missing required option 'cidr'
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ clients = 3 }
sim:run{ duration = "1m" }
