-- sim:plot before, during and after sim:run (tests/figures.cmake checks the
-- files): not a regression scenario of its own (not in tests/scenarios/).
local sim = chainsim.new{ seed = 40 }
local dc = sim:site{ name = "dc" }
local ts = dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "20Mbps", latency = "30ms" } }
local lan = br:subnet{ cidr = "10.60.0.0/24", clients = 40 }
lan:sensor("OS", { ["Windows 11"] = 1 })
sim:ask{ at = "2m", sensor = "OS" }
sim:plot{ kind = "topology", file = "topology.svg", title = "Before the run: drawn at its end" }
sim:plot{ kind = "server_load", file = "load.svg", width = 900 }
sim:at("5m", function()
  sim:plot{ kind = "chains", subnet = lan, file = "chains-5m.png", scale = 2 }
end)
sim:run{ duration = "6m" }
sim:plot{ kind = "answers", file = "answers.pdf" }
sim:plot{ kind = "chains", node = lan:client(3), file = "branch.png", max_clients = 10 }
sim:plot{ kind = "topology", file = "net.mmd" }
sim:plot{ kind = "topology", file = "net.dot" }
