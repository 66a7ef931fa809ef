-- expect: server_not_target.lua:6: ask 'targets': expected clients, subnets or sites (servers and hosts have no agent), got chainsim.node
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }:sensor("x", { v = 1 })
sim:ask{ sensor = "x", targets = ts }
sim:run{ duration = "1m" }
