-- Isolated clients never peer: each is a chain of one, holding its own
-- persistent connection to the server (both roles), so a question reaches
-- it at once and its answer goes straight back.
local sim = chainsim.new{ seed = 9 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local hq = sim:site{ name = "hq", wan = { to = dc, bandwidth = "100Mbps", latency = "10ms" } }
local vpn = hq:subnet{ cidr = "10.6.0.0/24", clients = 20, isolated = true }
local lan = hq:subnet{ cidr = "10.7.0.0/24", clients = 20 }
vpn:sensor("x", { v = 1 })
lan:sensor("x", { v = 1 })
local q = sim:ask{ at = "5m", sensor = "x", targets = vpn }
sim:run{ duration = "500s" }

local alone = true
for _, c in ipairs(vpn:clients()) do
  if c:forward() or c:backward() or not c:is_forward_leader() or not c:is_backward_leader()
     or c:registrations() < 3 then
    alone = false
  end
end
sim:expect(alone, "isolated clients have no neighbours and lead both ways themselves")
local c = sim:metrics().chains
sim:expect(c.count == 1 and c.length.max == 20, "only the normal subnet forms a chain")
sim:expect(q:targets() == 20 and q:answered() == 20, "all isolated clients answer")
-- Pushed, not waiting for a registration (30-90 s apart): 10 ms each way
-- plus a sensor evaluation of at most 100 ms.
sim:expect(q:answered_fraction("1s") == 1.0, "every isolated client answers within a second")
-- The LAN chain's two leaders and the twenty chains of one.
local conns = ts:connections()
sim:expect(conns.persistent == 22, "persistent connections: 2 leaders + 20 isolated, got " .. conns.persistent)
