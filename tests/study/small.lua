-- A small network for the study tests (tests/study.cmake): one branch behind
-- a WAN link, two minutes.  Parameters: clients (default 20), bw (default
-- 20Mbps), fail=1 fails an expectation (exit 1), boom=1 raises an error
-- (exit 2, this file's line).
local P = chainsim.params
local sim = chainsim.new{ seed = 1 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = P.bw or "20Mbps", latency = "30ms" } }
br:subnet{ cidr = "10.0.0.0/24", clients = math.tointeger(tonumber(P.clients or "20")) }
if P.boom == "1" then error("boom asked for") end
sim:run{ duration = "2m" }
sim:expect(P.fail ~= "1", "fail=1 fails this expectation")
