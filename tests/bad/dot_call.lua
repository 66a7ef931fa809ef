-- expect: dot_call.lua:3: site: call it with a colon, as in x:site{...}
local sim = chainsim.new{}
local dc = sim.site{ name = "dc" }
sim:run{ duration = "1m" }
