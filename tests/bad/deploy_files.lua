-- expect: deploy_files.lua:5: deploy: not implemented yet: file distribution (shards)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
local f = sim:deploy{ at = "1m", package = { size = "2GB" }, targets = lan }
sim:run{ duration = "2m" }
