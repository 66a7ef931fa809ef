-- Site sensors spread shares over all the site's subnets in address order;
-- function sensors see (i, node); the topo library builds branches.
local topo = require "topo"
local sim = chainsim.new{ seed = 14 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local pool = topo.pool("10.20.0.0/16")
local br, subs = topo.branch(sim, "branch-1", { to = dc, subnets = 3, clients = { 10, 20, 30 },
                                                bandwidth = "50Mbps", latency = "25ms", pool = pool })
sim:expect(#subs == 3 and subs[1]:cidr() == "10.20.0.0/24" and subs[3]:cidr() == "10.20.2.0/24",
           "consecutive /24s from the pool")
sim:expect(#br:clients() == 60 and br:clients()[11] == subs[2]:client(1), "site clients in address order")
br:sensor("Tier", { gold = 0.25, silver = 0.75 })
local seen = {}
br:sensor("Name", function(i, node) seen[#seen + 1] = node; return "host-" .. i end)
sim:expect(#seen == 60 and seen[60] == subs[3]:client(30), "the function sees every client in order")
sim:expect(subs[1]:client(10):sensor("Tier") == "gold" and subs[2]:client(6):sensor("Tier") == "silver",
           "the first 15 in address order are gold")
sim:expect(topo.prefix_for(254) == 24 and topo.prefix_for(255) == 23, "prefix_for")
local q = sim:ask{ at = "3m", sensor = "Tier", targets = br }
local n = sim:ask{ at = "3m", sensor = "Name", targets = subs[1], mode = "collect" }
sim:run{ duration = "5m" }
sim:expect(q:result().gold == 15 and q:result().silver == 45, "15 gold, 45 silver")
sim:expect(n:result()["host-7"] == 1, "collected names")
sim:expect(chainsim.params.anything == nil, "no --set given")
