-- expect: escape_io.lua:3: attempt to index a nil value (global 'io')
local sim = chainsim.new{}
local f = io.open("/etc/passwd")
sim:run{ duration = "1m" }
