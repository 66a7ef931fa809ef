-- expect: topo_unknown_key.lua:5: topo.branch: unknown option 'bandwith'
local topo = require "topo"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local br = topo.branch(sim, "b1", { to = dc, subnets = 2, clients = 10,
  bandwith = "10Mbps", latency = "20ms" })
sim:run{ duration = "1m" }
