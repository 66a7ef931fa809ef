-- A client that leaves gracefully and comes back regains its place in the
-- chain at the next registrations (30-90 s apart), not after the 5-minute
-- wait a failed candidate gets.
local sim = chainsim.new{ seed = 41 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.9.0.0/24", clients = 20 }
local before, after, x = lan:client(9), lan:client(11), lan:client(10)
sim:leave{ at = "3m", node = x }
local bridged
sim:at("4m", function() bridged = before:forward() == after and after:backward() == before end)
sim:restart{ at = "5m", node = x }
local back_at
for t = 301, 600 do
  sim:at(t .. "s", function()
    if not back_at and before:forward() == x and x:forward() == after and x:backward() == before
       and after:backward() == x then
      back_at = t
    end
  end)
end
sim:run{ duration = "10m" }
sim:expect(bridged, "its neighbours close the gap while it is away")
sim:expect(back_at ~= nil and back_at <= 300 + 2 * 90,
           "back in its place within two registration intervals of its return, at " .. tostring(back_at))
