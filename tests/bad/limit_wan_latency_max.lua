-- expect: limit_wan_latency_max.lua:6: wan 'latency': expected a duration of at most 1m, got "9223372036854775807ns"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "1Gbps", latency = "9223372036854775807ns" } }
sim:run{ duration = "2m" }
