-- branch_patch.lua — a 20 MB patch to one branch office, for parameter
-- studies (docs/studies.md):
--   chainsim study scenarios/branch_patch.lua --grid bw=5Mbps,10Mbps,20Mbps,50Mbps \
--     --grid clients=50,200 --replications 5 \
--     --plot 'distributions.1.time_to_ms.p90 ~ bw | clients'
-- Parameters (--set or --grid KEY=...):
--   bw        the branch's WAN bandwidth (default 20Mbps)
--   clients   endpoints in the branch, 1 .. 250 (default 100)
-- The patch goes out at 1 minute; the run lasts 8 minutes.  Clients join
-- their chain at their first registration (random within the first
-- registration interval), so the seed moves how the chains stand when the
-- patch starts, and with them the times to the patch.
local P = chainsim.params
local clients = math.tointeger(tonumber(P.clients or "100"))
if clients == nil or clients < 1 or clients > 250 then
  error(string.format("--set clients: expected an integer from 1 to 250, got \"%s\"", P.clients), 0)
end
local sim = chainsim.new{ seed = 1 }
local dc = sim:site{ name = "datacenter" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = P.bw or "20Mbps", latency = "40ms" } }
br:subnet{ cidr = "10.1.0.0/24", clients = clients }
sim:deploy{ at = "1m", package = { size = "20MB", name = "patch.msu", run_time = "5s" }, targets = br }
sim:run{ duration = "8m" }
