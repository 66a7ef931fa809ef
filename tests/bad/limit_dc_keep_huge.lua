-- expect: limit_dc_keep_huge.lua:7: direct_connect 'keep': expected a duration between 1ns and 8760h, got "9223372036854775807ns"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:direct_connect{ at = "1m", endpoint = lan:client(1), keep = "9223372036854775807ns" }
sim:run{ duration = "2m" }
