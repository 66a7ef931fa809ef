-- expect: limit_registration_short.lua:2: registration 'min': expected a duration between 10s and 24h, got "1s"
local sim = chainsim.new{ registration = { min = "1s", max = "90s" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
