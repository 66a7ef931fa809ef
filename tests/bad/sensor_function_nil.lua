-- expect: sensor_function_nil.lua:5: sensor 'Tier': the function returned nil for client 3 (10.0.0.3); expected a string
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 5 }
lan:sensor("Tier", function(i) if i < 3 then return "gold" end end)
sim:run{ duration = "1m" }
