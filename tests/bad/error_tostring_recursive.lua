-- expect: error_tostring_recursive.lua:5: (error object is a table value)
local sim = chainsim.new{}
local mt = {}
mt.__tostring = function(self) return "E" .. tostring(self) end
error(setmetatable({}, mt))
