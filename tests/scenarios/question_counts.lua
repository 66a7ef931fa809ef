-- Shares become exact counts (largest remainder in address order) and the
-- server's merged result counts every answer exactly once.
local sim = chainsim.new{ seed = 21 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "50Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.1.0.0/24", clients = 200 }
lan:sensor("Operating System", { ["Windows 11"] = 0.7, ["Ubuntu 24.04"] = 0.3 })
lan:sensor("Thirds", { a = 1/3, b = 1/3, c = 1/3 })
local q = sim:ask{ at = "3m", sensor = "Operating System" }
local q3 = sim:ask{ at = "3m", sensor = "Thirds", mode = "collect" }
local half = sim:ask{ at = "4m", sensor = "Operating System", targets = { lan:client(1), lan:client(200) } }
sim:run{ duration = "5m" }

local r = q:result()
sim:expect(r["Windows 11"] == 140 and r["Ubuntu 24.04"] == 60, "70/30 of 200 is exactly 140/60")
sim:expect(q:answered() == 200 and q:targets() == 200, "every client answered once")
sim:expect(q:answered_fraction("60s") == 1.0, "all within a minute")
sim:expect(q:time_to(0.5) ~= nil and q:time_to(0.5) <= q:time_to(0.99), "time_to grows")
local t = q3:result()
sim:expect(t.a == 67 and t.b == 67 and t.c == 66, "thirds of 200: ties go to the first names")
sim:expect(lan:client(1):sensor("Operating System") == "Ubuntu 24.04", "values in name order: .1")
sim:expect(lan:client(200):sensor("Operating System") == "Windows 11", "values in name order: .200")
sim:expect(half:targets() == 2 and half:result()["Ubuntu 24.04"] == 1, "a list of two clients")
local mq = sim:metrics().questions
sim:expect(#mq == 3 and mq[1].sensor == "Operating System" and mq[1].answered == 200,
           "metrics list the questions")
