-- A partition between a branch subnet and the datacenter (drop rules both
-- ways) cuts the branch off like a dead link, even though an earlier rule
-- allows that traffic (a partition goes in front of every rule); heal ends it.
local sim = chainsim.new{ seed = 8 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.9.0.0/24", clients = 30 }
lan:sensor("x", { v = 1 })
sim:firewall{ from = lan, to = dc, action = "allow", both = true }
local p = sim:partition{ at = "3m", a = lan, b = dc }
local during = sim:ask{ at = "4m", sensor = "x" }
sim:at("5m", function() sim:expect(p:is_active(), "partitioned at 5 min") end)
sim:heal{ at = "6m", a = dc, b = lan }
local after = sim:ask{ at = "9m", sensor = "x" }
sim:run{ duration = "11m" }
sim:expect(during:answered_fraction("60s") == 0, "nothing answers across the partition")
sim:expect(after:answered() == 30, "everyone answers after healing")
sim:expect(not p:is_active(), "healed")
