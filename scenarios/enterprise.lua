-- enterprise.lua — the built-in scenario of `chainsim run` (no SCENARIO given).
--
-- A datacenter with the core server, a headquarters campus, branch offices
-- behind slower WAN links, a DMZ, and an isolated VPN pool; about 2,000
-- endpoints by default.  Parameters (chainsim run --set KEY=VALUE):
--   endpoints   total endpoints, 100 .. 1000000 (default 2000); the shape
--               stays the same: 35% headquarters, 55% branches, 10% VPN
--   duration    simulated time (default 10m)
--   bucket      statistics bucket (default 1s; 10s above 100,000 endpoints)
-- Parts of the architecture whose models have not landed yet (module server,
-- zone server, roaming clients over the internet) join when
-- chainsim.features says they exist.
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
local duration = P.duration or "10m"
local bucket = P.bucket or (endpoints > 100000 and "10s" or "1s")

local sim = chainsim.new{ seed = 7, bucket = bucket, peering = true, tls = true }

-- ---- datacenter ---------------------------------------------------------------
-- Nodes are created in address order (10/8, the servers' 100.64/10, 172.16/12,
-- 192.168/16): the kernel indexes addresses fastest that way.
local dc = sim:site{ name = "datacenter" }

-- ---- how many where -----------------------------------------------------------
local n_vpn = endpoints // 10
local n_hq = endpoints * 35 // 100
local n_branch = endpoints - n_vpn - n_hq

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

-- ---- the core server in the datacenter ------------------------------------------
local ts = dc:server{ name = "ts1", workers = 8 }
if chainsim.features.module_server then
  dc:module_server{ name = "ms1" }
end

-- ---- VPN pool: clients that must not peer --------------------------------------
local vpn = dc:subnet{ cidr = string.format("172.16.0.0/%d", topo.prefix_for(n_vpn)),
                       clients = n_vpn, isolated = true }

-- ---- DMZ: web servers today; the zone server when it lands ----------------------
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "10Gbps", latency = "1ms" } }
local dmz_lan = dmz:subnet{ cidr = "192.168.100.0/24" }
dmz_lan:host{ name = "web-1" }
if chainsim.features.zone_server then
  dmz:zone_server{ name = "zs1", hub = ts }
end
if chainsim.features.internet then
  local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
  inet:external_clients{ count = math.max(1, endpoints // 20) }
end

-- ---- sensors -----------------------------------------------------------------------
local os_mix = { ["Windows 11"] = 0.6, ["Windows 10"] = 0.25, ["Ubuntu 24.04"] = 0.1,
                 ["macOS 14"] = 0.05 }
hq:sensor("Operating System", os_mix)
for _, b in ipairs(branches) do b:sensor("Operating System", os_mix) end
vpn:sensor("Operating System", { ["Windows 11"] = 0.8, ["macOS 14"] = 0.2 })

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
local blocked = branch_subnets[2]
sim:firewall{ from = blocked, to = blocked, port = 17472, action = "drop" }

-- ---- events --------------------------------------------------------------------------
local victim = hq_subnets[1]:client(math.min(42, hq_subnets[1]:count()))
sim:at("3m", function() sim:crash(victim) end)
sim:restart{ at = "4m", node = victim }

local t = sim:transfer{ at = "1m", from = backup, to = ts, size = "200MB" }
local q_os = sim:ask{ at = "2m", sensor = "Operating System" }
local q_patch = sim:ask{ at = "5m", sensor = "Patch Level", targets = asked, mode = "collect" }
local a = sim:deploy{ at = "6m", package = { run_time = "5s" }, targets = vpn }

sim:run{ duration = duration }

-- ---- expectations -----------------------------------------------------------------------
sim:expect(q_os:answered_fraction("60s") >= 0.85, "85% of endpoints (all but the VPN) answer the OS question in 60 s")
sim:expect(q_os:answered_fraction("3m") >= 0.99, "isolated VPN endpoints answer within two registrations")
sim:expect(q_patch:answered_fraction() == 1.0, "every endpoint of the first ten branches answers the patch question")
sim:expect(q_patch:result()["behind"] == behind, "the patch question counts exactly those behind")
sim:expect(a:completed_fraction() == 1.0, "the action ran on every VPN endpoint")
sim:expect(t:finished_at() ~= nil, "the 200 MB backup reached the datacenter")
sim:expect(victim:is_up(), "the crashed endpoint came back")
