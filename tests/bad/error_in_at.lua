-- expect: error_in_at.lua:6: attempt to call a nil value (method 'crahs')
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 3 }
sim:at("30s", function()
  sim:crahs(lan:client(1))
end)
sim:run{ duration = "1m" }
