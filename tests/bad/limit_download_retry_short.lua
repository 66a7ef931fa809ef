-- expect: limit_download_retry_short.lua:2: chainsim.new 'download_retry': expected a duration between 10s and 24h, got "1ms"
local sim = chainsim.new{ download_retry = "1ms" }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local lan = dc:subnet{ cidr = "10.0.0.0/24", clients = 10 }
sim:run{ duration = "2m" }
