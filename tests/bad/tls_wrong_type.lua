-- expect: tls_wrong_type.lua:2: chainsim.new 'tls': expected a boolean or a table, got string "yes"
local sim = chainsim.new{ tls = "yes" }
