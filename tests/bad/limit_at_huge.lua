-- expect: limit_at_huge.lua:6: at 'time': expected a duration of at most 8760h, got "9223372036854775807ns"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:at("9223372036854775807ns", function() end)
sim:run{ duration = "2m" }
