-- expect: error_table.lua:3: (error object is a table value)
local sim = chainsim.new{}
error({ code = 7 })
