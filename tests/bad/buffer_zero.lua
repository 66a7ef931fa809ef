-- expect: buffer_zero.lua:4: wan 'buffer': expected an integer between 1 and 1000000, got 0
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms", buffer = 0 } }
sim:run{ duration = "1m" }
