-- A library that reads a parameter itself (required by params.lua).
local M = {}
function M.label() return chainsim.params.label or "unlabelled" end
return M
