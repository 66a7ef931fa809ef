-- expect: escape_require.lua:3: require: refused module name '../../etc/passwd'
local sim = chainsim.new{}
local m = require "../../etc/passwd"
sim:run{ duration = "1m" }
