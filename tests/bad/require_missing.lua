-- expect: require_missing.lua:3: module 'nosuchmodule' not found
local sim = chainsim.new{}
local m = require "nosuchmodule"
sim:run{ duration = "1m" }
