-- expect: seed_negative.lua:2: chainsim.new 'seed': expected an integer >= 0, got -1
local sim = chainsim.new{ seed = -1 }
sim:run{ duration = "1m" }
