-- 1,000 clients in 20 subnets of 50: with peering each subnet is one chain,
-- so the server holds two persistent connections per chain (its backward
-- and forward leaders): 40.  persistent_chains_off.lua runs the same network
-- with peering = false: 1,000 (one per client), 25 times as many.
local sim = chainsim.new{ seed = 5 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
for b = 1, 20 do
  local br = sim:site{ name = "branch-" .. b, wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
  br:subnet{ cidr = string.format("10.%d.0.0/26", b), clients = 50 }
end
sim:run{ duration = "5m" }
local m = sim:metrics()
sim:expect(m.chains.count == 20 and m.chains.length.min == 50, "one chain of 50 per subnet")
local conns = ts:connections()
sim:expect(conns.persistent == 40, "two persistent connections per chain, got " .. conns.persistent)
