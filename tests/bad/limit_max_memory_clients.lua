-- expect: limit_max_memory_clients.lua:7: subnet: the model would need about 205 MB of memory, more than --max-memory 50MB
-- args: --max-memory 50MB
-- 200,000 endpoints at about 1 KiB each: refused before any is made.
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/14", clients = 200000 }
sim:run{ duration = "1m" }
