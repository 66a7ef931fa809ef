-- expect: walk_typo.lua:2: chainsim.new 'walk'
local sim = chainsim.new{ walk = "fast" }
