-- expect: limit_crash_at_huge.lua:6: crash 'at': expected a duration of at most 8760h, got "8761h"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:crash{ at = "8761h", node = lan:client(1) }
sim:run{ duration = "2m" }
