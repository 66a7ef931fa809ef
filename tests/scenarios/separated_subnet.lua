-- Two /25 halves of one /24 neighbourhood form one chain; marked separated
-- they form one chain each.
local sim = chainsim.new{ seed = 9 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local hq = sim:site{ name = "hq", wan = { to = dc, bandwidth = "100Mbps", latency = "10ms" } }
local a = hq:subnet{ cidr = "10.5.0.0/25", clients = 20, separated = true }
local b = hq:subnet{ cidr = "10.5.0.128/25", clients = 20, separated = true }
local c = hq:subnet{ cidr = "10.8.0.0/25", clients = 15 }
local d = hq:subnet{ cidr = "10.8.0.128/25", clients = 15 }
sim:run{ duration = "5m" }

local m = sim:metrics().chains
sim:expect(m.count == 3, "three chains: a, b, and c+d together")
sim:expect(m.length.min == 20 and m.length.max == 30, "of 20, 20 and 30")
sim:expect(a:client(20):forward() == nil and b:client(1):backward() == nil,
           "separated halves do not link")
sim:expect(c:client(15):forward() == d:client(1), "normal halves of a /24 do")
