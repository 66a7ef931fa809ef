-- The largest transfers (1TB) over the slowest link (1kbps), three sharing
-- it: each would take 8·10^9 s alone, 2.4·10^10 s shared, beyond 2^63 ns.
-- The kernel caps such a delay (SIM_TIME_FAR) instead of overflowing; the
-- run ends normally and the transfers are still under way.  (Before, the
-- delay wrapped negative and the run died allocating 88 GB of statistics.)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:module_server{ name = "ms1" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "1kbps", latency = "1m" } }
local lan = br:subnet{ cidr = "10.1.0.0/24", clients = 3 }
local a = dc:host{ name = "h1" }
local t = {}
for i = 1, 3 do t[i] = sim:transfer{ from = a, to = lan:client(i), size = "1TB" } end
-- The longest session a scenario may ask for, opened late in the run.
sim:direct_connect{ at = "1h", endpoint = lan:client(1), keep = "8760h" }
sim:run{ duration = "2h" }
for i = 1, 3 do
  sim:expect(t[i]:finished_at() == nil, "a 1TB transfer at a third of 1kbps is still under way")
end
