-- expect: test_connection_unknown.lua:8: test_connection 'target': no endpoint has address or Computer Name "pc-11"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
lan:sensor("Computer Name", function(i) return "pc-" .. i end)
sim:test_connection{ at = "1m", target = "pc-11" }
sim:run{ duration = "2m" }
