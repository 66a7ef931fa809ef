-- External-client groups: each external_clients{} call makes its own subnet
-- (the next free block of 198.18.0.0/15, or the cidr given), usable as a
-- target, in firewall rules and with sensors like any subnet; two zone
-- servers, each group behind its own.
local sim = chainsim.new{ seed = 39 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs1 = dmz:zone_server{ name = "zs1", hub = ts }
local zs2 = dmz:zone_server{ name = "zs2", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local a = inet:external_clients{ count = 30, zone = zs1 }
local b = inet:external_clients{ count = 100, zone = zs2 }
local c = inet:external_clients{ count = 10, zone = zs2, cidr = "203.0.113.0/24" }
inet:sensor("Channel", { stable = 1 })
c:sensor("Channel", { beta = 1 })
-- Group b cannot reach its zone server at all.
sim:firewall{ from = b, to = zs2, action = "reject" }
local q = sim:ask{ at = "3m", sensor = "Channel", targets = { a, c } }
local q_b = sim:ask{ at = "3m", sensor = "Channel", targets = b }
sim:run{ duration = "6m" }

sim:expect(a:cidr() == "198.18.0.0/27" and b:cidr() == "198.18.0.128/25", "blocks of 198.18.0.0/15 in order")
sim:expect(c:cidr() == "203.0.113.0/24" and c[10]:address() == "203.0.113.10", "or the cidr given")
sim:expect(#inet:subnets() == 3 and #inet:clients() == 140, "all on the internet site")
sim:expect(a:zone() == zs1 and b:zone() == zs2, "each behind its zone server")
sim:expect(tostring(a) == "external clients 198.18.0.0/27", "named as such")
local n = 0
for _, node in ipairs(a) do n = n + 1; assert(node:role() == "client") end
sim:expect(n == 30, "ipairs over a group")
sim:expect(q:targets() == 40 and q:answered() == 40, "groups as targets")
sim:expect(q:result().stable == 30 and q:result().beta == 10, "their sensors")
sim:expect(q_b:answered() == 0, "a firewall rule on a group")
