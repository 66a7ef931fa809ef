-- The module server's PORT to the zone proxy is dropped (17487 by default;
-- ctest also runs --set port=17488): the proxy has no
-- module server behind it, so a session to a roaming client ends in error
-- naming the port within 60 s (retries + 1 = 4 failed connects, one per 15 s,
-- or sooner when the endpoint reaches the proxy first and is refused).
local port = assert(tonumber(chainsim.params.port or "17487"), "port=N")
local sim = chainsim.new{ seed = 38 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
local dmz = sim:site{ name = "dmz", wan = { to = dc, bandwidth = "1Gbps", latency = "1ms" } }
local zs = dmz:zone_server{ name = "zs1", hub = ts }
local inet = sim:internet{ to = dmz, bandwidth = "1Gbps", latency = "40ms" }
local roam = inet:external_clients{ count = 5 }
sim:firewall{ from = ms, to = zs, port = port, action = "drop" }
local s = sim:direct_connect{ at = "5m", endpoint = roam[2], module = ms }
local status
sim:at("6m", function() status = s:status() end)
sim:run{ duration = "7m" }
sim:expect(status == "error", "error within 60 s, got " .. tostring(status))
sim:expect((s:reason() or ""):find(tostring(port)) ~= nil, "the reason names " .. port .. ": " .. tostring(s:reason()))
sim:expect(s:setup_time() == nil, "it never opened")
