-- expect: plot_format.lua:5: plot 'file': expected a name ending in .png, .svg or .pdf, got "bandwidth.gif"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:run{ duration = "1m" }
sim:plot{ kind = "bandwidth", file = "bandwidth.gif" }
