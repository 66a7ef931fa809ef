-- expect: positional_options.lua:3: site: expected options as name = value pairs, got a value at [1]
local sim = chainsim.new{}
local dc = sim:site{ "dc" }
sim:run{ duration = "1m" }
