-- expect: limit_throttle_rate.lua:6: throttle 'bandwidth': expected a rate between 1kbps and 1000Gbps, got "10bps"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:throttle{ bandwidth = "10bps" }
sim:run{ duration = "2m" }
