-- expect: plot_wrong_option.lua:5: plot 'site': only for kind = "chains" (this plot is "topology")
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 5 }
sim:plot{ kind = "topology", site = dc, file = "topology.svg" }
sim:run{ duration = "1m" }
