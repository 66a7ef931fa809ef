-- expect: pattern_backtracking.lua:6: scenario exceeded the CPU time limit of 1 s
-- args: --max-scenario-seconds 1
local sim = chainsim.new{}
local s = string.rep("a", 300000)
local x = 1
local found = s:find(".-.-.-.-b")
sim:run{ duration = "1m" }
