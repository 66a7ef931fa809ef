-- expect: limit_message_size.lua:2: sizes 'answer': expected a size of at most 16MiB, got "1GB"
local sim = chainsim.new{ sizes = { answer = "1GB" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
