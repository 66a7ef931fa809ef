-- expect: limit_package_run_time.lua:6: package 'run_time': expected a duration of at most 24h, got "1000h"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:deploy{ at = "1m", package = { run_time = "1000h" } }
sim:run{ duration = "2m" }
