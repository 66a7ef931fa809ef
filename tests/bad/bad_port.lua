-- expect: bad_port.lua:4: firewall 'port': expected an integer between 0 and 65535, got 70000
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
sim:firewall{ from = "10.0.0.0/8", to = "10.0.0.0/8", port = 70000, action = "drop" }
sim:run{ duration = "1m" }
