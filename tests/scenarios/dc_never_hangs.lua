-- Direct Connect never hangs.  Each module server below meets one fault; a
-- session waiting on a blocked channel ends in error, naming the port, once
-- retries + 1 connects of it have failed (one per 15 s: the 5 s connect
-- timeout, then 10 s before the next): within 60 s with the default 3.
local sim = chainsim.new{ seed = 37 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local ms_443 = dc:module_server{ name = "ms-443" }
local ms_down = dc:module_server{ name = "ms-down" }
local ms_crash = dc:module_server{ name = "ms-crash", retries = 1 }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.50.0.0/24", clients = 20 }
-- 443 from ms-443 to the core is dropped.
sim:firewall{ from = ms_443, to = ts, port = 443, action = "drop" }
sim:crash{ at = "4m", node = ms_down }

local s_443 = sim:direct_connect{ at = "5m", endpoint = lan:client(3), module = ms_443 }
local s_down = sim:direct_connect{ at = "5m", endpoint = lan:client(4), module = ms_down }
local s_open = sim:direct_connect{ at = "3m", endpoint = lan:client(5), module = ms_crash }
sim:crash{ at = "6m", node = ms_crash }
local at_6m, at_5m45, dur_crash
sim:at("345s", function() at_5m45 = s_443:status() end)
sim:at("6m", function() at_6m = s_443:status() end)
sim:at("361s", function() dur_crash = s_open:duration() end)
sim:run{ duration = "9m" }

sim:expect(at_5m45 == "creating" and at_6m == "error", "443 blocked: creating for 45 s, error by 60 s")
sim:expect((s_443:reason() or ""):find("TCP 443") ~= nil, "the reason names 443: " .. tostring(s_443:reason()))
sim:expect(s_down:status() == "error" and s_down:reason() == "module server down",
           "a session asked of a module server that is down errors")
sim:expect(s_open:status() == "closed" and s_open:reason() == "module server down",
           "an open session closes with its module server")
sim:expect(dur_crash > 150 and s_open:duration() == dur_crash, "its duration stops at its close")
for _, s in ipairs(sim:metrics().direct_connect) do
  sim:expect(s.status == "error" or s.status == "closed", "no session left creating or running")
end
