-- The same split with "reject" rules given per subnet object, and the rule
-- object's life: added at 1 s, removed at 8 min.
local sim = chainsim.new{ seed = 11 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.0.0.0/24", clients = 50 }
local rule = sim:firewall{ at = "1s", from = "10.0.0.0/27", to = "10.0.0.32/27",
                           port = 17472, action = "reject", both = true }
sim:expect(not rule:is_active(), "not yet in force before the run")
sim:at("5m", function()
  local c = sim:metrics().chains
  sim:expect(c.count == 2 and c.length.min == 19 and c.length.max == 31,
             "two chains of 31 and 19 at 5 min")
  sim:expect(c.reflections.forward == 1 and c.reflections.backward == 1, "reflected both ways")
  sim:expect(rule:is_active(), "in force at 5 min")
end)
rule:remove{ at = "8m" }
sim:run{ duration = "9m" }
sim:expect(not rule:is_active(), "removed at 8 min")
sim:expect(sim:metrics().topology.firewall_rules == 0, "the firewall is empty again")
