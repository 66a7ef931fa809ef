-- expect: limit_live_timeout_short.lua:2: chainsim.new 'live_timeout': expected a duration between 1s and 24h, got "1ms"
local sim = chainsim.new{ live_timeout = "1ms" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
