-- expect: two_sims.lua:4: chainsim.new: a scenario makes one simulation
local sim = chainsim.new{ seed = 1 }
local dc = sim:site{ name = "dc" }
local other = chainsim.new{ seed = 2 }
sim:run{ duration = "1m" }
