-- A second deployment of the same file (same name and size) is served from
-- the chains' caches: caches (12 MB) are smaller than the file (20 MB), so
-- clients miss what they evicted and fetch it from peers, not across the WAN.
-- A file of another name is a new file.
local sim = chainsim.new{ seed = 32, cache_size = "12MB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local sites = {}
for b = 1, 4 do
  local br = sim:site{ name = "branch-" .. b,
                       wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
  br:subnet{ cidr = string.format("10.%d.0.0/24", 40 + b), clients = 40 }
  sites[b] = br
end
local size = 20 * 1000 * 1000
local first = sim:deploy{ at = "3m", package = { size = "20MB", name = "patch.msu" }, targets = sites }
local again = sim:deploy{ at = "8m", package = { size = "20MB", name = "patch.msu" }, targets = sites }
local other = sim:deploy{ at = "13m", package = { size = "20MB", name = "other.msu" },
                          targets = sites[1] }
sim:run{ duration = "18m" }

sim:expect(first:completed() == 160 and again:completed() == 160, "both rounds complete")
sim:expect(math.abs(first:wan_bytes() - 4 * size) <= 0.05 * 4 * size, "first round: once per chain")
sim:expect(again:wan_bytes() <= 0.01 * 4 * size, "second round: almost nothing on the WAN")
sim:expect(again:bytes_from_caches() >= 160 * 5 * 1000 * 1000, "second round: from peers' caches")
sim:expect(other:completed() == 40, "another file name is another file")
sim:expect(math.abs(other:wan_bytes() - size) <= 0.05 * size, "and crosses the WAN again")
local d = sim:metrics().distributions
sim:expect(#d == 3 and d[2].bytes_from_caches == again:bytes_from_caches(), "listed per deploy")
