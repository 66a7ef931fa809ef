-- expect: plot.lua:5: plot 'site': site 'dc' has no clients (no chains to draw)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:run{ duration = "1m" }
sim:plot{ kind = "chains", site = dc, file = "chains.png" }
