-- expect: limit_keepalive_short.lua:2: chainsim.new 'keepalive': expected a duration between 1s and 24h, got "10ms"
local sim = chainsim.new{ keepalive = "10ms" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
