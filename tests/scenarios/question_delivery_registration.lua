-- question_delivery = "registration": questions reach clients only in the
-- responses to their own registrations (every 30-90 s), never pushed nor
-- passed along the chain; answers still flow along it.  So answers spread
-- over one registration interval instead of arriving within a second.
local sim = chainsim.new{ seed = 44, question_delivery = "registration" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.9.0.0/24", clients = 100 }
lan:sensor("x", { v = 1 })
local q = sim:ask{ at = "3m", sensor = "x" }
sim:run{ duration = "6m" }
sim:expect(q:answered() == 100, "every client answers")
-- Only those whose registration falls in the first 5 s (about 5 in 60 s on
-- average): far below the 100 % a push gives.
sim:expect(q:answered_fraction("5s") <= 0.25, "few answer in 5 s: " .. q:answered_fraction("5s"))
-- All within the longest registration interval, plus the answer's way back
-- (the 2 s wait for a missing mark from behind, the chain, the link).
sim:expect(q:answered_fraction("95s") == 1.0, "all within one registration interval")
sim:expect(sim:metrics().wan.bytes_by_class.question == 0, "no question pushed across the WAN")
