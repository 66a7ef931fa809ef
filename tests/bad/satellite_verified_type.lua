-- expect: satellite_verified_type.lua:7: satellite 'verified': expected true or false, got string "yes"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:satellite{ node = lan:client(1), verified = "yes" }
sim:run{ duration = "2m" }
