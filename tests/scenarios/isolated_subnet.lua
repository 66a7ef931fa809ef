-- Isolated clients never peer: no neighbours, no leaders; they register on
-- their own and answer questions at their registrations.
local sim = chainsim.new{ seed = 9 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local hq = sim:site{ name = "hq", wan = { to = dc, bandwidth = "100Mbps", latency = "10ms" } }
local vpn = hq:subnet{ cidr = "10.6.0.0/24", clients = 20, isolated = true }
local lan = hq:subnet{ cidr = "10.7.0.0/24", clients = 20 }
vpn:sensor("x", { v = 1 })
lan:sensor("x", { v = 1 })
local q = sim:ask{ at = "5m", sensor = "x", targets = vpn }
sim:run{ duration = "500s" }

local lonely = true
for _, c in ipairs(vpn:clients()) do
  if c:forward() or c:backward() or c:is_forward_leader() or c:is_backward_leader()
     or c:registrations() < 3 then
    lonely = false
  end
end
sim:expect(lonely, "isolated clients have no neighbours and register on their own")
local c = sim:metrics().chains
sim:expect(c.count == 1 and c.length.max == 20, "only the normal subnet forms a chain")
sim:expect(q:targets() == 20 and q:answered() == 20, "all isolated clients answer")
