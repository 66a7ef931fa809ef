-- expect: limit_max_memory_run.lua:8: run: the model would need about 202 GB of memory, more than --max-memory 1GiB
-- args: --max-memory 1GiB
-- A year in 10 ms buckets is 3.15 billion rows of statistics.
local sim = chainsim.new{ bucket = "10ms" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "8760h" }
