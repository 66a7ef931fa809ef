-- expect: limit_access_latency.lua:6: access 'latency': expected a duration of at most 1m, got 3600
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
dc:subnet{ cidr = "10.1.0.0/24", clients = 1, access = { latency = 3600 } }
sim:run{ duration = "2m" }
