-- expect: limit_service_time.lua:6: service 'registration': expected a duration of at most 1m, got "2m"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
dc:server{ name = "ts2", service = { registration = "2m" } }
sim:run{ duration = "2m" }
