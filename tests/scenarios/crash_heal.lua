-- A mid-chain client crashes at 5 min: its neighbours still point at it until
-- the keepalive timeout (30 s), then connect to each other; a question asked
-- afterwards reaches the 49 survivors at once (and .25 too, late, once it
-- has restarted at 7 min and registered).
local sim = chainsim.new{ seed = 5 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.0.0.0/24", clients = 50 }
lan:sensor("Up", { yes = 1.0 })
local victim = lan:client(25)

sim:crash{ at = "5m", node = victim }
sim:at("329s", function()
  sim:expect(lan:client(24):forward() == victim, "before the keepalive timeout .24 still points at .25")
  sim:expect(not victim:is_up(), "the victim is down")
end)
sim:at("331s", function()
  sim:expect(lan:client(24):forward() == lan:client(26), "after it .24 points at .26")
  sim:expect(lan:client(26):backward() == lan:client(24), "and .26 back at .24")
  local c = sim:metrics().chains
  sim:expect(c.count == 1 and c.length.max == 49, "one chain of 49")
end)
local q = sim:ask{ at = "332s", sensor = "Up" }
sim:restart{ at = "7m", node = victim }
local q2 = sim:ask{ at = "9m", sensor = "Up" }
sim:run{ duration = "10m" }

sim:expect(q:answered_fraction("60s") == 0.98, "49 of 50 answer while .25 is down")
sim:expect(victim:is_up(), "restarted")
sim:expect(q2:answered() == 50 and q2:result().yes == 50, "all 50 answer after the restart")
