-- expect: name_newline.lua:7: ask 'sensor': no sensor named "OS\nrm -rf /" (define it first
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
lan:sensor("OS", { Linux = 1 })
sim:ask{ at = "1m", sensor = "OS\nrm -rf /" }
sim:run{ duration = "2m" }
