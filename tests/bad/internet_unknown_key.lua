-- expect: internet_unknown_key.lua:4: internet: unknown option 'delay' (expected one of: bandwidth, buffer, latency, loss, to)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:internet{ to = dc, bandwidth = "1Gbps", delay = "40ms" }
sim:run{ duration = "1m" }
