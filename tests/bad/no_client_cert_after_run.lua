-- expect: no_client_cert_after_run.lua:6: no_client_cert: call it before sim:run (certificates are deployed when the run starts)
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:at("1m", function() sim:no_client_cert(lan:client(1)) end)
sim:run{ duration = "2m" }
