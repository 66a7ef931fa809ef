-- expect: module_server.lua:4: module_server: not implemented yet: module server
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ms = dc:module_server{ name = "ms1" }
sim:run{ duration = "1m" }
