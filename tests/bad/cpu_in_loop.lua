-- expect: cpu_in_loop.lua:6: scenario exceeded the CPU time limit of 0.5 s
-- args: --max-scenario-seconds 0.5 --max-lua-instructions 100000000000
local sim = chainsim.new{}
local n = 0
while true do
  n = n + 1
end
