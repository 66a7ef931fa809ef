-- expect: limit_package_shards.lua:6: package 'size': 1GiB in shards of 4KiB is 262144 shards, more than 65536
local sim = chainsim.new{ shard_size = "4KiB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 200 }
sim:deploy{ at = "1m", package = { size = "1GiB" }, targets = lan }
sim:run{ duration = "2m" }
