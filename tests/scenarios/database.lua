-- The core server's database (SQL, TCP 1433).  Answers, action statuses and
-- state-changing registrations are written before they take effect; a
-- firewall dropping 1433 from 4m to 6m stalls the replies that need a write:
-- the server holds a growing backlog, registrations time out (20 s here);
-- when the rule goes the backlog drains and nothing is lost.
local sim = chainsim.new{ seed = 46, registration_timeout = "20s" }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local db = dc:database{ name = "db1", server = ts, workers = 2, write_ms = "5ms" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.9.0.0/24", clients = 100 }
local vpn = br:subnet{ cidr = "10.10.0.0/24", clients = 20, isolated = true }
lan:sensor("x", { v = 1 })
vpn:sensor("x", { v = 1 })
local q1 = sim:ask{ at = "2m", sensor = "x" }
local rule = sim:firewall{ at = "4m", from = ts, to = db, port = 1433, action = "drop" }
rule:remove{ at = "6m" }
local q2 = sim:ask{ at = "270s", sensor = "x" }
-- A client restarted during the outage: its initial registration needs a
-- write, so it times out until the database is back.
local late = lan:client(50)
sim:crash{ at = "245s", node = late }
sim:restart{ at = "250s", node = late }
-- Then the database itself crashes for 30 s.
sim:crash{ at = "7m", node = db }
sim:restart{ at = "450s", node = db }
local q3 = sim:ask{ at = "425s", sensor = "x" }
local regs_at = {}
local stalled, late_regs
sim:at("4m", function() regs_at[1] = sim:metrics().registration.count end)
sim:at("359s", function()
  regs_at[2] = sim:metrics().registration.count
  stalled = q2:answered()
  late_regs = late:registrations()
end)
sim:run{ duration = "9m" }

local m = sim:metrics()
sim:expect(q1:answered() == 120 and (q1:time_to(1.0) or 1e9) < 5, "before the fault: answers written within seconds")
-- While 1433 is dropped, only registrations that change nothing complete
-- (normal ones without answers), and the question's answers wait.
sim:expect(stalled == 0, "no answer reaches the books while the database is cut off")
sim:expect(m.database.held_peak >= 20, "the server's backlog grows: " .. m.database.held_peak)
sim:expect(q2:answered() == 120, "the backlog drains: every answer arrives, nothing lost")
sim:expect((q2:time_to(1.0) or 0) >= 90, "the last answer waited for the repair")
sim:expect(late_regs == 0 and late:registrations() >= 1,
           "a restarted client's initial registration times out until the repair")
sim:expect(q3:answered() == 120 and (q3:time_to(1.0) or 0) >= 25, "a crashed database: answers wait for its restart")
-- One write per initial registration, per answer message of each isolated
-- client (three questions), and more for the chain's answer messages.
sim:expect(m.database.writes >= 121 + 3 * 20, "writes: " .. m.database.writes)
sim:expect(m.database.write_ms.p99 >= 60000, "the stalled writes waited a minute and more")
