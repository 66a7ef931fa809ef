-- expect: no_simulation.lua:3: end of the scenario, and it made no simulation
local x = 1
local y = x + 1

