-- A scenario that walks its parameters with pairs() takes every one in.
local names = {}
for k, v in pairs(chainsim.params) do names[#names + 1] = k .. "=" .. v end
table.sort(names)
local sim = chainsim.new{ seed = 3 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
dc:subnet{ cidr = "10.1.0.0/24", clients = 2 }
sim:run{ duration = "10s" }
sim:expect(table.concat(names, ",") == "a=1,b=two", "pairs sees a=1 and b=two")
