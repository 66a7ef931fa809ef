-- expect: overlapping_subnets.lua:6: subnet: subnet 10.0.0.128/25 overlaps subnet 10.0.0.0/24
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "10Mbps", latency = "10ms" } }
dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
br:subnet{ cidr = "10.0.0.128/25", clients = 10 }
sim:run{ duration = "1m" }
