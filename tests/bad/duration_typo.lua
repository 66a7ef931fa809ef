-- expect: duration_typo.lua:5: firewall 'at': expected a duration like "1.5s" or "10m", got "10mins"
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 4 }
sim:firewall{ from = lan, to = lan, port = 17472, action = "drop",
              at = "10mins" }
sim:run{ duration = "1m" }
