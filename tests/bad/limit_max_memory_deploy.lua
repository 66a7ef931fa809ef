-- expect: limit_max_memory_deploy.lua:9: deploy: the model would need about 34.9 MB of memory, more than --max-memory 30MB
-- args: --max-memory 30MB
-- 2,000 endpoints may each hold two maps of the 65,536 shards of a
-- 64GiB package in 1MiB shards (16 KiB each) and 1 KiB of their own:
-- refused at the deploy, before the run.
local sim = chainsim.new{ shard_size = "1MiB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
sim:deploy{ at = "1m", package = { size = "64GiB" }, targets = dc:subnet{ cidr = "10.0.0.0/21", clients = 2000 } }
sim:run{ duration = "2m" }
