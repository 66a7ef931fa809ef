-- expect: error_nil.lua:4: (error object is a nil value)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
error()
