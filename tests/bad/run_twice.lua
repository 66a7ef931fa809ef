-- expect: run_twice.lua:4: run: the simulation has already run (one sim:run per scenario)
local sim = chainsim.new{}
sim:run{ duration = "1m" }
sim:run{ duration = "1m" }
