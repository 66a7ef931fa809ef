-- expect: limit_transfer_size.lua:6: transfer 'size': expected a size between 1B and 1TB, got "2TB"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:transfer{ from = lan:client(1), to = lan:client(2), size = "2TB" }
sim:run{ duration = "2m" }
