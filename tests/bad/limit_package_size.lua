-- expect: limit_package_size.lua:6: package 'size': expected a size of at most 64GiB, got "4294967296MB"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:deploy{ at = "1m", package = { size = "4294967296MB" } }
sim:run{ duration = "2m" }
