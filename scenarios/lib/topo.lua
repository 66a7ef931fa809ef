-- topo.lua — topology helpers for chainsim scenarios (require "topo").
--
--   local topo = require "topo"
--   local pool = topo.pool("10.0.0.0/8")          -- hands out address blocks
--   local br, subnets = topo.branch(sim, "branch-1", {
--     to = dc, subnets = 2, clients = 120, bandwidth = "20Mbps", latency = "30ms" })
--   topo.prefix_for(500)                           --> 23 (a /23 holds 510 hosts)
--
-- branch() makes a site with a WAN link to `to` and `subnets` subnets of
-- `clients` clients each (a number, or a list with one count per subnet).
-- Subnets are /24 unless `prefix` says otherwise, taken in order from `pool`
-- (default: one pool over 10.0.0.0/8 per simulation) or starting at `first`.
-- Options are checked like the API's own: unknown keys and wrong types are
-- errors that name the caller's line.
local topo = {}

-- ---- checking options -------------------------------------------------------

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

-- spec: key -> type name ("number", "string", "table", "any", "integer",
-- "site", "pool"); level: error level of the caller's caller.
local function check(what, opts, spec, level)
  if type(opts) ~= "table" then
    error(string.format("%s: expected a table of options, got %s", what, type(opts)), level)
  end
  for _, k in ipairs(sorted_keys(opts)) do
    local want = spec[k]
    if want == nil then
      error(string.format("%s: unknown option '%s' (expected one of: %s)", what, tostring(k),
                          table.concat(sorted_keys(spec), ", ")), level)
    end
    local v = opts[k]
    local ok
    if want == "any" then
      ok = true
    elseif want == "integer" then
      ok = math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v))
    elseif want == "site" then
      ok = tostring(v):match("^site ") ~= nil and type(v) == "userdata"
    elseif want == "pool" then
      ok = type(v) == "table" and v.take ~= nil
    elseif want == "rate" or want == "duration" then
      ok = type(v) == "string" or type(v) == "number"
    else
      ok = type(v) == want
    end
    if not ok then
      error(string.format("%s '%s': expected %s, got %s %s", what, k,
                          want == "integer" and "an integer" or ("a " .. want),
                          type(v), tostring(v)), level)
    end
  end
end

-- ---- addresses --------------------------------------------------------------

local function parse_cidr(s, what, level)
  local a, b, c, d, p = tostring(s):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
  a, b, c, d, p = tonumber(a), tonumber(b), tonumber(c), tonumber(d), tonumber(p)
  if not a or a > 255 or b > 255 or c > 255 or d > 255 or p > 32 then
    error(string.format("%s: expected a.b.c.d/n, got \"%s\"", what, tostring(s)), level)
  end
  return ((a << 24) | (b << 16) | (c << 8) | d), p
end

local function format_addr(x)
  return string.format("%d.%d.%d.%d", (x >> 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255)
end

-- The smallest prefix whose subnet holds n hosts (network and broadcast
-- addresses excluded); at most /30.
function topo.prefix_for(n)
  if math.type(n) ~= "integer" or n < 0 then
    error("topo.prefix_for: expected an integer >= 0, got " .. tostring(n), 2)
  end
  local p = 30
  while p > 0 and (1 << (32 - p)) - 2 < n do p = p - 1 end
  return p
end

-- A pool of addresses handing out aligned blocks in order:
-- pool:take(prefix) -> "a.b.c.d/prefix".
function topo.pool(cidr)
  local base, prefix = parse_cidr(cidr, "topo.pool", 3)
  local size = 1 << (32 - prefix)
  local pool = { next = base, last = base + size }
  function pool:take(p)
    if math.type(p) ~= "integer" or p < prefix or p > 32 then
      error(string.format("pool:take: expected a prefix from %d to 32, got %s", prefix,
                          tostring(p)), 2)
    end
    local block = 1 << (32 - p)
    local at = (self.next + block - 1) // block * block
    if at + block > self.last then
      error(string.format("pool %s is exhausted (no /%d left)", cidr, p), 2)
    end
    self.next = at + block
    return format_addr(at) .. "/" .. p
  end
  return pool
end

local default_pools = setmetatable({}, { __mode = "k" })

-- The pool branch() uses for `sim` when none is given.
function topo.default_pool(sim)
  local p = default_pools[sim]
  if not p then
    p = topo.pool("10.0.0.0/8")
    default_pools[sim] = p
  end
  return p
end

-- ---- sites ------------------------------------------------------------------

local BRANCH = {
  access = "table", bandwidth = "rate", clients = "any", first = "string",
  isolated = "boolean", latency = "duration", loss = "number", pool = "pool",
  prefix = "integer", separated = "boolean", subnets = "integer", to = "site",
}

-- branch(sim, name, opts) -> site, { subnet... }
function topo.branch(sim, name, opts)
  opts = opts or {}
  check("topo.branch", opts, BRANCH, 3)
  if type(name) ~= "string" then
    error("topo.branch: expected a site name, got " .. type(name), 2)
  end
  if opts.to == nil or opts.bandwidth == nil or opts.latency == nil then
    error("topo.branch: 'to', 'bandwidth' and 'latency' are required (the WAN link)", 2)
  end
  local k = opts.subnets or 1
  if k < 1 then error("topo.branch 'subnets': expected an integer >= 1, got " .. k, 2) end
  local counts = {}
  if type(opts.clients) == "table" then
    if #opts.clients ~= k then
      error(string.format("topo.branch 'clients': expected %d counts (one per subnet), got %d",
                          k, #opts.clients), 2)
    end
    counts = opts.clients
  else
    local n = opts.clients or 0
    if math.type(n) ~= "integer" or n < 0 then
      error("topo.branch 'clients': expected an integer >= 0 or a list, got " .. tostring(n), 2)
    end
    for i = 1, k do counts[i] = n end
  end
  local prefix = opts.prefix or 24
  local pool = opts.pool
  if opts.first then
    -- Consecutive blocks from `first` on.
    local base = parse_cidr(opts.first, "topo.branch 'first'", 3)
    pool = topo.pool("0.0.0.0/0")
    pool.next = base
  end
  pool = pool or topo.default_pool(sim)

  local site = sim:site{ name = name, wan = { to = opts.to, bandwidth = opts.bandwidth,
                                              latency = opts.latency, loss = opts.loss } }
  local subnets = {}
  for i = 1, k do
    subnets[i] = site:subnet{ cidr = pool:take(prefix), clients = counts[i], access = opts.access,
                              isolated = opts.isolated, separated = opts.separated }
  end
  return site, subnets
end

-- split(n, k) -> a list of k counts adding up to n, as even as can be
-- (the first n % k get one more).
function topo.split(n, k)
  local t = {}
  for i = 1, k do t[i] = n // k + ((i <= n % k) and 1 or 0) end
  return t
end

return topo
