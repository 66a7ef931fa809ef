-- chainsim.params read directly and through a required library; every
-- parameter has a default, so the scenario also runs without --set.
local lib = require "params_lib"
local P = chainsim.params
local sim = chainsim.new{ seed = 3 }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.1.0.0/24", clients = math.tointeger(tonumber(P.clients or "5")) }
sim:run{ duration = P.duration or "30s" }
sim:expect(#lan:clients() == tonumber(P.clients or "5"), "clients from --set clients")
sim:expect(lib.label() == (P.want_label or "unlabelled"), "the library reads --set label")
