-- File distribution by shards: a 20 MB patch to six branch offices of 50
-- clients (one chain each) crosses each branch's WAN link once per chain,
-- not once per endpoint: f:wan_bytes() ~ chains x size.
local sim = chainsim.new{ seed = 31 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local branches = {}
for b = 1, 6 do
  local br = sim:site{ name = "branch-" .. b,
                       wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
  br:subnet{ cidr = string.format("10.%d.0.0/24", 30 + b), clients = 50 }
  branches[b] = br
end
local size = 20 * 1000 * 1000
local f = sim:deploy{ at = "3m", package = { size = "20MB", name = "patch.msu", run_time = "5s" },
                      targets = branches }
sim:run{ duration = "8m" }

local chains = sim:metrics().chains.count
sim:expect(chains == 6, "one chain per branch")
sim:expect(f:completed() == 300 and f:completed_fraction() == 1.0, "the patch everywhere")
sim:expect(f:size() == size, "the package size")
sim:expect(math.abs(f:wan_bytes() - chains * size) <= 0.05 * chains * size,
           "WAN shard bytes ~ chains x size (once per chain)")
sim:expect(f:wan_bytes() < 300 * size / 10, "a tenth of what every endpoint fetching it would cost")
sim:expect(f:bytes_from_server() <= 1.05 * chains * size, "the server sends it once per chain")
sim:expect(f:bytes_from_peers() > 40 * chains * size, "peers relay it along the chains")
local d = sim:metrics().distributions[1]
sim:expect(d.size == size and d.wan_bytes == f:wan_bytes() and d.completed == 300,
           "results.json distributions")
sim:expect(d.time_to_ms.p90 ~= nil and d.time_to_ms.p90 >= 5000, "p90 after the 5 s run time")
