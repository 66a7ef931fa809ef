-- expect: limit_plot_title.lua:6: plot 'title': expected a title of at most 500 characters, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:plot{ kind = "bandwidth", file = "b.png", title = string.rep("x", 100000) }
sim:run{ duration = "1m" }
