-- Warnings: things scheduled after the run's end and figures read before
-- they are measured.  tests/selfdesc.cmake checks stderr and results.json
-- against the line numbers of this file: keep the lines where they are.
local sim = chainsim.new{ seed = 2 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local hosts = dc:subnet{ cidr = "10.2.0.0/24" }
local src, dst = hosts:host{ name = "src" }, hosts:host{ name = "dst" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "50Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.1.0.0/24", clients = 20 }
lan:sensor("OS", { linux = 1 })
local q = sim:ask{ at = "30s", sensor = "OS" }
local early = q:answered() -- line 13: read before sim:run
for i = 1, 3 do sim:ask{ at = (60 + i) .. "s", sensor = "OS" } end -- line 14: three after the end
local late = sim:deploy{ at = "90s", package = { run_time = "1s" } } -- line 15
sim:crash{ at = "2m", node = lan:client(1) } -- line 16
local t = sim:transfer{ at = "70s", from = src, to = dst, size = "1MB" } -- line 17
sim:at("20s", function()
  sim:ask{ at = "5m", sensor = "OS" } -- line 19: scheduled during the run
  sim:ask{ at = "60s", sensor = "OS" } -- at the end itself: it happens, no warning
end)
sim:at("61s", function() end) -- line 22
sim:at("60s", function() end) -- at the end itself: it runs, no warning
local done = sim:transfer{ at = "1s", from = src, to = dst, size = "1MB" }
local now = sim:ask{ sensor = "OS" }
local zero = now:answered_fraction() -- line 26: asked at 0, read before sim:run
sim:run{ duration = "60s" }
sim:expect(early == 0 and zero == 0, "nothing answered before the run")
sim:expect(q:answered_fraction("20s") >= 0, "30 s + 20 s is before the end: measured")
sim:expect(q:answered_fraction("45s") >= 0, "line 30: 30 s + 45 s is past the end")
sim:expect(late:completed_fraction() == 0, "line 31: deployed after the end")
sim:expect(t:finished_at() == nil, "line 32: started after the end")
sim:expect(done:finished_at() ~= nil and q:answered() >= 0, "measured: no warning")
