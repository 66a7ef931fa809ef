-- expect: module_server.lua:4: module_server: there is no core server yet (make one with site:server{ name = ... } before the module server)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ms = dc:module_server{ name = "ms1" }
sim:run{ duration = "1m" }
