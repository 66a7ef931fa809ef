-- expect: escape_os.lua:4: attempt to index a nil value (global 'os')
local sim = chainsim.new{}
-- no shell from a scenario
os.execute("touch /tmp/chainsim-escaped")
sim:run{ duration = "1m" }
