-- expect: deploy_package_key.lua:5: package: unknown option 'file' (expected one of: name, run_time, size)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
local f = sim:deploy{ at = "1m", package = { size = "2GB", file = "patch.msu" }, targets = lan }
sim:run{ duration = "2m" }
