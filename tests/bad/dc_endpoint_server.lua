-- expect: dc_endpoint_server.lua:6: direct_connect 'endpoint': expected an endpoint (a client node, such as lan:client(1) or roam[1]), got core server ts1
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local ms = dc:module_server{ name = "ms1" }
sim:direct_connect{ at = "1m", endpoint = ts, module = ms }
sim:run{ duration = "2m" }
