-- expect: size_typo.lua:7: transfer 'size': expected a size like "512KiB" or "2GB", got "500MBs"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24" }
local a = lan:host{ name = "a" }
local b = lan:host{ name = "b" }
sim:transfer{ from = a, to = b, size = "500MBs" }
sim:run{ duration = "1m" }
