-- expect: plot_then_error.lua:9: attempt to index a nil value (global 'nothing')
-- A figure drawn during the run is not left behind when the scenario fails.
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 5 }
sim:at("1m", function() sim:plot{ kind = "chains", subnet = lan, file = "chains-1m.png" } end)
sim:at("2m", function()
  return nothing.here
end)
sim:run{ duration = "3m" }
