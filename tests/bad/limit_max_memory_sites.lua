-- expect: limit_max_memory_sites.lua:6: site: the model would need about 1.05 MB of memory, more than --max-memory 1MiB
-- args: --max-memory 1MiB
-- Sites (512 bytes each in the estimate) count too: the 2,049th crosses 1 MiB.
local sim = chainsim.new{}
for i = 1, 100000 do
  sim:site{ name = "s" .. i }
end
sim:run{ duration = "1m" }
