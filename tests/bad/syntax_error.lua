-- expect: syntax_error.lua:5: syntax error near 'sim'
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local x dc
sim:run{ duration = "1m" }
