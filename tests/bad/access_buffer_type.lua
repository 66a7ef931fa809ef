-- expect: access_buffer_type.lua:4: access 'buffer': expected an integer
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 2, access = { buffer = "100 packets" } }
sim:run{ duration = "1m" }
