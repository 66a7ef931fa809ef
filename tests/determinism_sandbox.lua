-- Scenario code that would make results differ from run to run in stock Lua:
-- sites built in pairs() order over string keys (Lua seeds its string hash
-- per state), a name made from tostring({}) (an address), records sorted
-- with ties (table.sort's pivot comes from the clock).  compare_runs.cmake
-- (MODE=sandbox) runs it twice in separate processes and wants
-- byte-identical results.json.
local sim = chainsim.new{ seed = 4 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }

local branches = {
  oslo = 12, lima = 7, quito = 9, perth = 5, cairo = 11, dakar = 6, hanoi = 8,
  tunis = 4, riga = 10, sofia = 3, accra = 13, minsk = 2,
}
local n = 0
for name, clients in pairs(branches) do
  n = n + 1
  local site = sim:site{ name = name, wan = { to = dc, bandwidth = "10Mbps", latency = (10 * n) .. "ms" } }
  site:subnet{ cidr = string.format("10.%d.0.0/24", n), clients = clients }
end

-- Ties: equal sizes keep their order (stable sort), whatever the pivot.
local sizes = {}
for name, clients in pairs(branches) do sizes[#sizes + 1] = { name = name, big = clients > 6 } end
for i = 1, 200 do sizes[#sizes + 1] = { name = "pad" .. i, big = i % 2 == 0 } end
table.sort(sizes, function(a, b) return a.big and not b.big end)
local last = sim:site{ name = sizes[1].name .. "-x", wan = { to = dc, bandwidth = "5Mbps", latency = "80ms" } }
last:subnet{ cidr = "10.200.0.0/24", clients = 3 }

local tag = tostring({}):gsub("[^%w]", "-")
local named = sim:site{ name = "s-" .. tag, wan = { to = dc, bandwidth = "5Mbps", latency = "90ms" } }
named:subnet{ cidr = "10.201.0.0/24", clients = 3 }

sim:run{ duration = "2m" }
