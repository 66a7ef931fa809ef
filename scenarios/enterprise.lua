-- enterprise.lua — the built-in scenario of `chainsim run` (no SCENARIO given).
--
-- A datacenter with the core server and a module server, a headquarters
-- campus, branch offices behind slower WAN links, a DMZ with a zone server,
-- an isolated VPN pool, and roaming clients on the internet that reach the
-- core through the zone server; about 2,000 endpoints by default.  Over ten
-- simulated minutes: questions, a crash and restart, a firewall splitting one
-- branch subnet's chain, a 100 MB patch to the branch offices (it crosses
-- each WAN link once per chain), a Direct Connect session to a roaming client
-- through the zone proxy, a verified satellite, background traffic.
-- Parameters (chainsim run --set KEY=VALUE):
--   endpoints   total endpoints, 100 .. 1000000 (default 2000); the shape
--               stays the same: 35% headquarters, 50% branches, 10% VPN,
--               5% roaming
--   duration    simulated time (default 10m); expectations about events the
--               run did not reach are left out
--   bucket      statistics bucket (default 1s; 10s above 20,000 endpoints,
--               60s above 200,000: statistics take memory per bucket per
--               link and subnet, about 100 bytes each)
--   flow_groups how many bulk transfers held to one link's even share are
--               rated as a group (default 128; 0: re-rate every transfer at
--               every change, the exact max-min computation)
--   walk        how shard requests walk the chains: express (default) or
--               exact (an event per hop; see docs/model.md)
--   bench       1: the benchmark's load on top (bench/scale): ten more
--               questions, one every 5 minutes, and a 1 GB file to every
--               endpoint at 10 minutes
local topo = require "topo"
local P = chainsim.params

local function int_param(name, default, lo, hi)
  local v = P[name]
  if v == nil then return default end
  local n = math.tointeger(tonumber(v))
  if n == nil or n < lo or n > hi then
    error(string.format("--set %s: expected an integer from %d to %d, got \"%s\"", name, lo, hi,
                        v), 0)
  end
  return n
end

local endpoints = int_param("endpoints", 2000, 100, 1000000)
local bench = int_param("bench", 0, 0, 1) == 1
local duration = P.duration or "10m"
local bucket = P.bucket or (endpoints > 200000 and "60s" or endpoints > 20000 and "10s" or "1s")

-- Clients re-request missing shards after download_retry; the default (60 s)
-- is shorter than the slowest branch (three chains behind 20 Mbps) needs for
-- the 100 MB patch, and a re-request while the first copy is still crossing
-- the link fetches it again.
local sim = chainsim.new{ seed = 7, bucket = bucket, peering = true, tls = true,
                          download_retry = "5m", walk = P.walk,
                          flow_groups = P.flow_groups and int_param("flow_groups", 0, 0, 1 << 30) }

-- ---- how many where -----------------------------------------------------------
local n_vpn = endpoints // 10
local n_roam = math.max(1, endpoints // 20)
local n_hq = endpoints * 35 // 100
local n_branch = endpoints - n_vpn - n_hq - n_roam

-- ---- sites ----------------------------------------------------------------------
-- Nodes are created in address order (10/8, the servers' 100.64/10, 172.16/12,
-- 192.168/16, the internet's 198.18/15): the kernel indexes addresses fastest
-- that way.
local dc = sim:site{ name = "datacenter" }

-- ---- headquarters: a campus of /24s with up to 200 clients each ---------------
local hq = sim:site{ name = "headquarters",
                     wan = { to = dc, bandwidth = "10Gbps", latency = "2ms" } }
local hq_counts = topo.split(n_hq, (n_hq + 199) // 200)
local hq_subnets = {}
for i, n in ipairs(hq_counts) do
  hq_subnets[i] = hq:subnet{ cidr = topo.default_pool(sim):take(24), clients = n }
end
local backup = hq_subnets[1]:host{ name = "backup-1" }

-- ---- branch offices: 1-3 subnets each, 20-100 Mbps, 30-80 ms ------------------
local n_branches = math.max(3, (n_branch + 120) // 240)
local bandwidths = { "20Mbps", "50Mbps", "100Mbps", "20Mbps", "45Mbps" }
local latencies = { "30ms", "45ms", "60ms", "80ms" }
local branches, branch_subnets = {}, {}
for b, n in ipairs(topo.split(n_branch, n_branches)) do
  local k = 1 + (b - 1) % 3
  if n < 3 * k then k = 1 end
  local site, subs = topo.branch(sim, string.format("branch-%d", b), {
    to = dc, subnets = k, clients = topo.split(n, k),
    bandwidth = bandwidths[1 + (b - 1) % #bandwidths],
    latency = latencies[1 + (b - 1) % #latencies],
  })
  branches[b] = site
  for _, s in ipairs(subs) do branch_subnets[#branch_subnets + 1] = s end
end

-- ---- the datacenter: core server (with the zone hub) and module server ----------
local ts = dc:server{ name = "ts1", workers = 8 }
local ms = dc:module_server{ name = "ms1" }

-- ---- DMZ: the zone server (its hub is ts1) and a web server ----------------------
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "10Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }

-- ---- VPN pool: clients that must not peer --------------------------------------
local vpn = dc:subnet{ cidr = string.format("172.16.0.0/%d", topo.prefix_for(n_vpn)),
                       clients = n_vpn, isolated = true }

local dmz_lan = dmz:subnet{ cidr = "192.168.100.0/24" }
dmz_lan:host{ name = "web-1" }

-- ---- roaming clients on the internet, through the zone server -------------------
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local roam = inet:external_clients{ count = n_roam, zone = zs,
                                    access = { bandwidth = "50Mbps", latency = "5ms" } }

-- ---- sensors -----------------------------------------------------------------------
local os_mix = { ["Windows 11"] = 0.6, ["Windows 10"] = 0.25, ["Ubuntu 24.04"] = 0.1,
                 ["macOS 14"] = 0.05 }
hq:sensor("Operating System", os_mix)
for _, b in ipairs(branches) do b:sensor("Operating System", os_mix) end
vpn:sensor("Operating System", { ["Windows 11"] = 0.8, ["macOS 14"] = 0.2 })
roam:sensor("Operating System", { ["Windows 11"] = 0.7, ["macOS 14"] = 0.3 })

-- Patch level: every seventh branch endpoint is behind.  The patch question
-- goes to the first ten branches (a list of targets costs the models time per
-- target); those behind there are counted so the expectation is exact.
local asked = {}
for b = 1, math.min(10, #branches) do asked[b] = branches[b] end
local behind = 0
for _, s in ipairs(branch_subnets) do
  local counted = false
  for _, b in ipairs(asked) do counted = counted or s:site() == b end
  s:sensor("Patch Level", function(i)
    if i % 7 == 0 then
      if counted then behind = behind + 1 end
      return "behind"
    end
    return "current"
  end)
end

-- ---- a firewall that blocks peering inside one branch subnet --------------------
-- Every client there is its own chain (both neighbours reflected to the
-- server), so the patch below leaves that subnet out: each of its clients
-- would fetch the whole file across the WAN.
local blocked = branch_subnets[2]
sim:firewall{ from = blocked, to = blocked, port = 17472, action = "drop" }

-- ---- events --------------------------------------------------------------------------
local victim = hq_subnets[1]:client(math.min(42, hq_subnets[1]:count()))
sim:at("3m", function() sim:crash(victim) end)
sim:restart{ at = "4m", node = victim }

local t = sim:transfer{ at = "1m", from = backup, to = ts, size = "200MB" }
local q_os = sim:ask{ at = "2m", sensor = "Operating System" }
-- The same question to the VPN pool and the roaming clients alone: each is a
-- chain of one with its own server connection, so the question is pushed.
local q_far = sim:ask{ at = "2m", sensor = "Operating System", targets = { vpn, roam } }
local q_patch = sim:ask{ at = "5m", sensor = "Patch Level", targets = asked, mode = "collect" }
local a = sim:deploy{ at = "6m", package = { run_time = "5s" }, targets = vpn }

-- The patch: 100 MB to every branch subnet but the blocked one.
local patch_targets = {}
for _, s in ipairs(branch_subnets) do
  if s ~= blocked then patch_targets[#patch_targets + 1] = s end
end
local patch_size = 100 * 1000 * 1000
local patch = sim:deploy{ at = "4m", targets = patch_targets,
                          package = { size = "100MB", name = "patch.msu", run_time = "30s" } }

-- Direct Connect to a roaming client: through the zone proxy (17486/17487).
local session = sim:direct_connect{ at = "6m", endpoint = roam[1], module = ms }
-- A verified satellite in the headquarters scans for unmanaged hosts.
local satellite = sim:satellite{ node = hq_subnets[1]:client(1), verified = true, at = "2m",
                                 module = ms }

-- The benchmark's load (bench/scale): ten more questions and a 1 GB file to all.
if bench then
  for m = 10, 55, 5 do
    sim:ask{ at = string.format("%dm", m), sensor = "Operating System" }
  end
  sim:deploy{ at = "10m", package = { size = "1GB", name = "bench.iso", run_time = "1m" } }
end

sim:run{ duration = duration }

-- ---- expectations -----------------------------------------------------------------------
-- Only about what the run reached: `--set duration=3m` checks the first three minutes.
local ran = sim:now()
if ran >= 180 then
  sim:expect(q_os:answered_fraction("60s") >= 0.8,
             "80% of endpoints (all in chains) answer the OS question in 60 s")
end
if ran >= 300 then
  sim:expect(q_far:answered_fraction("5s") == 1.0,
             "isolated VPN and roaming endpoints answer within 5 s")
  sim:expect(q_os:answered_fraction("3m") >= 0.99, "99% of endpoints answer within 3 minutes")
  sim:expect(satellite:status() == "scanned", "the verified satellite ran its scan")
  sim:expect(t:finished_at() ~= nil, "the 200 MB backup reached the datacenter")
  sim:expect(victim:is_up(), "the crashed endpoint came back")
end
if ran >= 420 then
  sim:expect(q_patch:answered_fraction() == 1.0,
             "every endpoint of the first ten branches answers the patch question")
  sim:expect(q_patch:result()["behind"] == behind, "the patch question counts exactly those behind")
  sim:expect(a:completed_fraction() == 1.0, "the action ran on every VPN endpoint")
end
if ran >= 600 then
  sim:expect(patch:completed_fraction() == 1.0, "the patch reached every branch endpoint")
  sim:expect(patch:wan_bytes() <= 1.1 * #patch_targets * patch_size,
             "the patch crossed the WAN once per chain (one chain per branch subnet)")
  sim:expect(session:status() == "complete", "Direct Connect through the zone proxy")
end
