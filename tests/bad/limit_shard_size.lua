-- expect: limit_shard_size.lua:2: chainsim.new 'shard_size': expected a size between 4KiB and 64MiB, got "1KB"
local sim = chainsim.new{ shard_size = "1KB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
