-- expect: limit_batch_window_1ns.lua:2: chainsim.new 'batch_window': expected a duration between 1ms and 1m, got "1ns"
local sim = chainsim.new{ batch_window = "1ns" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
