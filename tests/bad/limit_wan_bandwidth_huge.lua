-- expect: limit_wan_bandwidth_huge.lua:6: wan 'bandwidth': expected a rate between 1kbps and 1000Gbps, got "2000Gbps"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "2000Gbps", latency = "1ms" } }
sim:run{ duration = "2m" }
