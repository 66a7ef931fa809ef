-- expect: deploy_size_typo.lua:5: package 'size': expected a size like "512KiB" or "2GB", got "2GBs"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
local f = sim:deploy{ at = "1m", package = { size = "2GBs", name = "patch.msu" }, targets = lan }
sim:run{ duration = "2m" }
