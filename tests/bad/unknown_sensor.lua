-- expect: unknown_sensor.lua:6: ask 'sensor': no sensor named "Operating Sytem"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
lan:sensor("Operating System", { Linux = 1 })
local q = sim:ask{ at = "1m", sensor = "Operating Sytem" }
sim:run{ duration = "2m" }
