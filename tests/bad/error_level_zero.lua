-- expect: error_level_zero.lua:3: no position given
local sim = chainsim.new{}
error("no position given", 0)
