-- expect: database_server_not_core.lua:4: database 'server': expected a core server (made with site:server{...}), got module server
local sim = chainsim.new{}
local dc = sim:site{ name = "dc" }
local db = dc:database{ name = "db1", server = dc:module_server{ name = "ms", core = dc:server{ name = "ts" } } }
