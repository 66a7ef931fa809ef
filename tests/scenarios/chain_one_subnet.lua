-- One branch subnet of 50 clients forms one chain in address order: .1 is
-- the backward leader, .50 the forward leader, every other client points at
-- its address neighbours.
local sim = chainsim.new{ seed = 3 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.0.0.0/24", clients = 50 }
sim:run{ duration = "5m" }

local m = sim:metrics()
sim:expect(m.chains.count == 1, "one chain")
sim:expect(m.chains.length.max == 50 and m.chains.length.min == 50, "of all 50 clients")
sim:expect(m.chains.forward_leaders == 1 and m.chains.backward_leaders == 1, "two leaders")
sim:expect(m.chains.reflections.forward == 0 and m.chains.reflections.backward == 0,
           "no reflection without a firewall")
local in_order = true
for i = 1, 49 do
  if lan:client(i):forward() ~= lan:client(i + 1) then in_order = false end
  if lan:client(i + 1):backward() ~= lan:client(i) then in_order = false end
end
sim:expect(in_order, "the chain runs in address order")
sim:expect(lan:client(50):is_forward_leader() and lan:client(50):forward() == nil,
           ".50 is the forward leader")
sim:expect(lan:client(1):is_backward_leader() and lan:client(1):backward() == nil,
           ".1 is the backward leader")
sim:expect(m.topology.endpoints == 50 and m.topology.sites == 2, "topology counted")
sim:expect(m.registration.count >= 50, "every client registered")
