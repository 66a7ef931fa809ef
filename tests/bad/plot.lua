-- expect: plot.lua:5: plot: not implemented yet: figures
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:run{ duration = "1m" }
sim:plot{ kind = "chains", site = dc, file = "chains.png" }
