-- expect: infinite_loop.lua:5: scenario exceeded the instruction limit (infinite loop?)
local sim = chainsim.new{}
local n = 0
while true do
  n = n + 1
end
