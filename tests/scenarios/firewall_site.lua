-- A rule naming a site covers every subnet the site has when the run starts,
-- even subnets added after the rule: here it blocks all peering in the
-- branch, so no two clients there link up, while the other branch chains.
local sim = chainsim.new{ seed = 15 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local other = sim:site{ name = "other", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local rule = sim:firewall{ from = br, to = br, port = 17472, action = "reject" }
local lan = br:subnet{ cidr = "10.30.0.0/24", clients = 20 }
local lan2 = other:subnet{ cidr = "10.31.0.0/24", clients = 20 }
lan:sensor("x", { v = 1 })
lan2:sensor("x", { v = 1 })
local q = sim:ask{ at = "4m", sensor = "x" }
sim:run{ duration = "5m" }
local linked = false
for _, c in ipairs(lan:clients()) do
  if c:forward() or c:backward() then linked = true end
end
sim:expect(not linked, "no peering inside the blocked branch")
sim:expect(lan2:client(1):forward() == lan2:client(2), "the other branch chains")
sim:expect(rule:is_active(), "the rule is in force")
sim:expect(q:answered() == 40, "both branches still answer")
