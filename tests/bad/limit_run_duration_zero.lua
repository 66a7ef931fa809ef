-- expect: limit_run_duration_zero.lua:6: run 'duration': expected a duration between 1ns and 8760h, got "0s"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "0s" }
