-- expect: limit_startup_long.lua:2: chainsim.new 'startup': expected a duration of at most 24h, got "25h"
local sim = chainsim.new{ startup = "25h" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
