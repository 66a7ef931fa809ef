-- expect: fail_without_wan.lua:4: fail 'link': site 'dc' has no WAN link of its own
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:fail{ at = "1m", link = dc }
sim:run{ duration = "2m" }
