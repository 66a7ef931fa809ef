-- A branch's WAN link fails for 3 minutes: a question asked meanwhile gets no
-- answer from it until the link is repaired; one asked afterwards reaches all.
local sim = chainsim.new{ seed = 6 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.4.0.0/24", clients = 30 }
lan:sensor("x", { v = 1 })
sim:fail{ at = "3m", link = br }
local during = sim:ask{ at = "4m", sensor = "x" }
sim:at("5m", function()
  sim:expect(not br:link():is_up(), "the link is down at 5 min")
end)
sim:repair{ at = "6m", link = br }
local after = sim:ask{ at = "9m", sensor = "x" }
sim:run{ duration = "11m" }
sim:expect(during:answered_fraction("60s") == 0, "nothing answers across a dead link")
sim:expect(after:answered() == 30, "everyone answers once it is back")
sim:expect(br:link():is_up(), "repaired")
