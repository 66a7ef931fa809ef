-- expect: second_internet.lua:6: internet: the internet site already exists (one sim:internet per scenario; call external_clients{} on it as often as needed)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
sim:internet{ to = dc, bandwidth = "1Gbps", latency = "40ms" }
sim:run{ duration = "1m" }
