-- expect: limit_max_memory_deploy.lua:8: deploy: the model would need about 8.39 GB of memory, more than --max-memory 1GiB
-- args: --max-memory 1GiB
-- 2,000 endpoints may each hold two maps of the 16,777,216 shards of a
-- 64GiB package (4 MiB each): refused at the deploy, before the run.
local sim = chainsim.new{ shard_size = "4KiB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
sim:deploy{ at = "1m", package = { size = "64GiB" }, targets = dc:subnet{ cidr = "10.0.0.0/21", clients = 2000 } }
sim:run{ duration = "2m" }
