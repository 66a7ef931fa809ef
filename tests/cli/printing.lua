-- A scenario that prints while it builds and after it runs: with
-- `chainsim diagram --format mermaid` (the diagram on stdout) every line
-- printed must go to stderr, never into the diagram.
local sim = chainsim.new{ seed = 3 }
print("printed while building: sites next")
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
br:subnet{ cidr = "10.0.0.0/24", clients = 20 }
sim:run{ duration = "1m" }
print("printed after the run:", 20, "clients")
