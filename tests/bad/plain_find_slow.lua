-- expect: plain_find_slow.lua:5: scenario exceeded the CPU time limit of 1 s
-- args: --max-scenario-seconds 1
local sim = chainsim.new{}
local hay, needle = string.rep("a", 2000000), string.rep("a", 1000000) .. "b"
local at = string.find(hay, needle, 1, true)
sim:run{ duration = "1m" }
