-- expect: bad_action.lua:3: firewall 'action': expected one of "allow", "drop", "reject", got "block"
local sim = chainsim.new{}
sim:firewall{ from = "10.0.0.0/8", to = "10.0.0.0/8", action = "block" }
sim:run{ duration = "1m" }
