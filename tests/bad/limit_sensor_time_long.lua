-- expect: limit_sensor_time_long.lua:2: sensor_time 'max': expected a duration of at most 1h, got "2h"
local sim = chainsim.new{ sensor_time = { min = "1s", max = "2h" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
