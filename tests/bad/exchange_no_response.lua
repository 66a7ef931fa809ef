-- expect: exchange_no_response.lua:6: exchange: missing required option 'response'
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24" }
local a, b = lan:host{ name = "a" }, lan:host{ name = "b" }
sim:exchange{ at = "1s", from = a, to = b, request = "200B" }
sim:run{ duration = "1m" }
