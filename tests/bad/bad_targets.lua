-- expect: bad_targets.lua:5: ask 'targets': expected "all", a client, a subnet, a site or a list of them, got "everyone"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
lan:sensor("x", { v = 1 }); sim:ask{ sensor = "x", targets = "everyone" }
sim:run{ duration = "1m" }
