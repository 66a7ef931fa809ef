-- expect: throttle_bandwidth_typo.lua:5: throttle 'bandwidth': expected a rate like "20Mbps", got "10Mbs"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:throttle{ subnet = lan, bandwidth = "10Mbs", concurrent = 2 }
sim:run{ duration = "2m" }
