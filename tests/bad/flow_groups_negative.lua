-- expect: flow_groups_negative.lua:3: chainsim.new 'flow_groups': expected an integer
-- flow_groups counts transfers: it cannot be negative
local sim = chainsim.new{ flow_groups = -1 }
sim:run{ duration = "1m" }
