-- Fetches waiting for a throttle slot start in the order they arrived,
-- whichever subnets they come from.  The server has one slot (global
-- concurrent 1); a fetch holds it for its bytes at the path's slowest link:
-- 100 MB at a 100 Mbps access link, 8 s.  Four one-client subnets (each
-- client its own chain's leader, so a deployment reaches it at once) ask 1 s
-- apart: the first starts, the other three wait and must start, so finish,
-- in the order they asked, 8 s apart, although the subnet that asks third
-- was created first.
local sim = chainsim.new{ seed = 11 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local late = dc:subnet{ cidr = "10.60.0.0/24", clients = 1, access = { bandwidth = "100Mbps" } }
local first = dc:subnet{ cidr = "10.61.0.0/24", clients = 1, access = { bandwidth = "100Mbps" } }
local second = dc:subnet{ cidr = "10.62.0.0/24", clients = 1, access = { bandwidth = "100Mbps" } }
local fourth = dc:subnet{ cidr = "10.63.0.0/24", clients = 1, access = { bandwidth = "100Mbps" } }
sim:throttle{ concurrent = 1 }
local function deploy(at, subnet, name)
  return sim:deploy{ at = at, package = { size = "100MB", name = name }, targets = subnet }
end
local d1 = deploy("180s", first, "a.cab")
local d2 = deploy("181s", second, "b.cab")
local d3 = deploy("182s", late, "c.cab")
local d4 = deploy("183s", fourth, "d.cab")
sim:run{ duration = "5m" }

local function done(d, at) return at + d:time_to(1.0) end
local t1, t2, t3, t4 = done(d1, 180), done(d2, 181), done(d3, 182), done(d4, 183)
sim:expect(d1:completed() == 1 and d2:completed() == 1 and d3:completed() == 1 and d4:completed() == 1,
           "every fetch completes")
sim:expect(t1 < t2 and t2 < t3 and t3 < t4, "they finish in the order they asked")
-- Each starts when the hold before it ends, so they finish 8 s apart: within
-- 50 ms, as the small messages on a client's access link (its registrations
-- and chain traffic) take their share of it from the fetch's flow.
local function apart(a, b) return math.abs(b - a - 8.0) < 0.05 end
sim:expect(apart(t1, t2) and apart(t2, t3) and apart(t3, t4), "one at a time, 8 s apart (within 50 ms)")
