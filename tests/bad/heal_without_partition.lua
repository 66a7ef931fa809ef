-- expect: heal_without_partition.lua:5: heal: no partition between these groups
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
sim:heal{ at = "1m", a = lan, b = dc }
sim:run{ duration = "2m" }
