-- expect: huge_allocation.lua:4: scenario exceeded the memory limit of 1024 MiB
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local s = string.rep("x", 1 << 30)
sim:run{ duration = "1m" }
