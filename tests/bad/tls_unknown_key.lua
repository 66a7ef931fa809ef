-- expect: tls_unknown_key.lua:2: tls: unknown option 'resumption'
local sim = chainsim.new{ tls = { resumption = true } }
