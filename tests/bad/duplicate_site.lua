-- expect: duplicate_site.lua:4: site 'name': a site named "dc" already exists (names must be unique)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local dc2 = sim:site{ name = "dc" }
sim:run{ duration = "1m" }
