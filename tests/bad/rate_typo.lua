-- expect: rate_typo.lua:4: wan 'bandwidth': expected a rate like "20Mbps", got "20Mbs"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "20Mbs", latency = "30ms" } }
sim:run{ duration = "1m" }
