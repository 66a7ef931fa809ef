-- expect: limit_initial_registration_zero.lua:2: initial_registration 'max': expected a duration between 1m and 168h, got "0s"
local sim = chainsim.new{ initial_registration = { min = "0s", max = "0s" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
