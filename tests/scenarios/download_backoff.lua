-- Asking again backs off (issue 25, decision 1).  A chain of two endpoints,
-- one of them downloading a 1 MiB file in two messages of 512 KiB; the
-- subnet's throttle (1 kbps) makes each message take 4,194 s, so the chain
-- starves.  The downloading endpoint's requests are the only small shard
-- messages on the LAN (one hop to the backward leader); the shards the leader
-- passes on are the large ones (progress).  Reading the LAN's shard bytes
-- every second gives the time of every ask.
--
-- After its first ask an endpoint that sees nothing arrive asks again after
-- download_retry (60 s, exact), then after 2, 4, 8 times as long with a
-- jitter within +-10 %, at most download_retry_max (16 m = 960 s, +-10 %).
-- Progress resets the step: the endpoint looks again 60 s after the shards
-- arrived, sees they did, and asks after the next 60 s without any (120 s
-- after the progress, exact), then doubles again from 120 s.  Before, it asked every 60 s: 70 asks for one
-- message.  The backward leader backs off its fetches from the server the
-- same way: the small shard messages on the WAN are its fetches, fewer
-- than the asks that reach it (before, one per ask).
local R, MAX = 60, 960
local sim = chainsim.new{ seed = 3, download_retry = "60s", download_retry_max = "16m", shard_size = "64KiB" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "br", wan = { to = dc, bandwidth = "10Mbps", latency = "20ms" } }
local lan = br:subnet{ cidr = "10.7.0.0/24", clients = 2 }
sim:throttle{ subnet = lan, bandwidth = "1kbps" }
local f = sim:deploy{ at = "5m", package = { size = "1MiB", name = "slow.msi" }, targets = lan:client(2) }

local asks, progress, fetches = {}, {}, 0
local last, last_wan = 0, 0
for t = 1, 4 * 3600 do
  sim:at(t, function()
    local m = sim:metrics()
    local b, wb = m.lan.bytes_by_class.shard, m.wan.bytes_by_class.shard
    if b > last then
      if b - last < 10000 then asks[#asks + 1] = t else progress[#progress + 1] = t end
      last = b
    end
    if wb > last_wan then
      if wb - last_wan < 10000 then fetches = fetches + 1 end
      last_wan = wb
    end
  end)
end
sim:run{ duration = "4h" }

sim:expect(#progress == 2, "two messages arrived (got " .. #progress .. ")")
sim:expect(sim:metrics().distributions[1].endpoints_complete == 1, "the file is complete")
-- The asks between two references (the first ask, each progress): the
-- first after `first` s exactly, the n-th (n = 1, 2, ...) download_retry x
-- 2^n after the one before, at most download_retry_max, +-10 %; sampled once
-- a second, so +-1 s.
local jittered = 0
local function check(from, to, label, first)
  local prev, n, count = from, 0, 0
  for _, t in ipairs(asks) do
    if t > from + 1 and t < to then
      local nominal = n == 0 and first or math.min(R * 2 ^ n, MAX)
      local d = t - prev
      if n == 0 then
        sim:expect(math.abs(d - nominal) <= 1, string.format("%s: ask %d after %d s, expected %d s", label, n, d, nominal))
      else
        sim:expect(d >= 0.9 * nominal - 1 and d <= 1.1 * nominal + 1,
                   string.format("%s: ask %d after %d s, expected %d s +-10 %%", label, n, d, nominal))
        if math.abs(d - nominal) > 2 then jittered = jittered + 1 end
      end
      prev, n, count = t, n + 1, count + 1
    end
  end
  return count
end
-- 60, 120, 240, 480, then 960 three times: 7 asks again in the first
-- message's 4,194 s; from its arrival 120, 120, 240, 480, then 960 three
-- times: 7 again.
sim:expect(check(asks[1], progress[1], "starved", R) == 7, "seven asks again before the first message")
sim:expect(check(progress[1], progress[2], "after progress", 2 * R) == 7, "the wait starts again after progress")
sim:expect(#asks == 15, "15 asks in all (got " .. #asks .. ")")
sim:expect(jittered >= 6, "the doubled waits are jittered (" .. jittered .. " of 12 off by more than 2 s)")
-- The leader's fetches (from the trace: 300, 360, 483, 1221, 2138, 3941,
-- then after the first message 4554, 4887, 5392, 6275, 8133 s).
sim:expect(fetches == 11, "the leader fetched 11 times for 15 asks (got " .. fetches .. ")")
