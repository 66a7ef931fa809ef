-- expect: never_run.lua:4: end of the scenario, and it never called sim:run{duration = ...}
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
-- built, but never run
