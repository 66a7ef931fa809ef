-- expect: past_time.lua:5: crash 'at': 10s is in the past (the simulated time is now 30s)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
sim:at("30s", function() sim:crash{ at = "10s", node = lan:client(1) } end)
sim:run{ duration = "1m" }
