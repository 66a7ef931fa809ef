-- expect: plot_path.lua:4: plot 'file': expected a file name of letters, digits, '-', '_' and '.' (written in the output folder), like "chains.png", got "../topology.svg"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:plot{ kind = "topology", file = "../topology.svg" }
sim:run{ duration = "1m" }
