-- expect: escape_load.lua:4: binary chunks are not allowed in scenarios
local sim = chainsim.new{}
local bytecode = "\27Lua\84\0"
local f = assert(load(bytecode, "x", "b"))
sim:run{ duration = "1m" }
