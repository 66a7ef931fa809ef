-- expect: limit_bucket_short.lua:2: chainsim.new 'bucket': expected a duration between 10ms and 1h, got 0.001
local sim = chainsim.new{ bucket = 0.001 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
