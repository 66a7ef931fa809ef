-- expect: shares_sum.lua:5: sensor 'OS': the shares must add up to 1, got 0.9
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
lan:sensor("OS", { Windows = 0.6, Linux = 0.3 })
sim:run{ duration = "1m" }
