-- expect: after_run.lua:5: firewall: the simulation has already run; build the network and schedule events before sim:run
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:run{ duration = "1m" }
sim:firewall{ from = "10.0.0.0/8", to = "10.0.0.0/8", action = "drop" }
