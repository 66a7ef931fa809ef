-- Throttles on server -> client shard traffic: a 10 Mbps cap on one branch
-- subnet makes its 20 MB take at least 16 s, and no 1 s bucket of that
-- branch's WAN link carries more than the cap (plus framing); the other
-- branch, under the global 100 Mbps cap only, is faster.
local sim = chainsim.new{ seed = 33 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local slow = sim:site{ name = "slow", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = slow:subnet{ cidr = "10.50.0.0/24", clients = 20 }
local fast = sim:site{ name = "fast", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan2 = fast:subnet{ cidr = "10.51.0.0/24", clients = 20 }
sim:throttle{ subnet = lan, bandwidth = "10Mbps", concurrent = 1 }
sim:throttle{ bandwidth = "100Mbps" }
local f = sim:deploy{ at = "3m", package = { size = "20MB", name = "update.cab" }, targets = lan }
local g = sim:deploy{ at = "3m", package = { size = "20MB", name = "update.cab" }, targets = lan2 }
sim:run{ duration = "8m" }

sim:expect(f:completed() == 20 and g:completed() == 20, "both complete")
sim:expect(f:time_to(1.0) >= 20e6 * 8 / 10e6, "no faster than 10 Mbps allows")
sim:expect(g:time_to(1.0) < f:time_to(1.0) / 2, "the other subnet is not held back")
local peak
for _, l in ipairs(sim:metrics().wan.links) do
  if l.name == "dc->slow" then peak = l.peak_utilization end
end
-- 10 Mbps of payload is 10.37 Mbps on the wire (54 header bytes per 1448).
sim:expect(peak ~= nil and peak <= 0.11 and peak >= 0.09, "the WAN link runs at the cap")
