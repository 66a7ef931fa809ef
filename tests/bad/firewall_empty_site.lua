-- expect: firewall_empty_site.lua:5: firewall: 'from' covers no address when the rule takes effect (a site without subnets?)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local empty = sim:site{ name = "empty" }
sim:firewall{ at = "10s", from = empty, to = dc, action = "drop" }
dc:subnet{ cidr = "10.0.0.0/24", clients = 2 }
sim:run{ duration = "1m" }
