-- expect: wan_to_string.lua:4: wan 'to': expected a site, got string "dc"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local br = sim:site{ name = "br", wan = { to = "dc", bandwidth = "10Mbps", latency = "5ms" } }
sim:run{ duration = "1m" }
