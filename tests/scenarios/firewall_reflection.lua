-- A firewall dropping peering (port 17472) between the two /27 halves of a
-- subnet splits its chain in two: a forward reflection at .31 (the highest
-- address below the block), a backward one at .32, four leaders.
local sim = chainsim.new{ seed = 11 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.0.0.0/24", clients = 50 }
local rule = sim:firewall{ from = "10.0.0.0/27", to = "10.0.0.32/27", port = 17472,
                           action = "drop", both = true }
sim:run{ duration = "10m" }

local c = sim:metrics().chains
sim:expect(c.count == 2, "two chains")
sim:expect(c.length.min == 19 and c.length.max == 31, "of 31 and 19 clients")
sim:expect(c.reflections.forward == 1 and c.reflections.backward == 1, "one reflection each way")
sim:expect(c.forward_leaders == 2 and c.backward_leaders == 2, "four leaders")
sim:expect(lan:client(31):forward() == nil and lan:client(31):is_forward_leader(),
           ".31 leads forward")
sim:expect(lan:client(32):is_backward_leader(), ".32 leads backward")
sim:expect(lan:client(30):forward() == lan:client(31), "the first chain is intact")
sim:expect(rule:is_active(), "the rule is still in force")
