-- expect: limit_connect_timeout_short.lua:2: chainsim.new 'connect_timeout': expected a duration between 100ms and 10m, got "1ns"
local sim = chainsim.new{ connect_timeout = "1ns" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
