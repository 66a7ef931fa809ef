-- TLS session resumption: a client that connected to its server within the
-- resumption lifetime (5 min) makes an abbreviated handshake.  Registrations
-- come every 30-90 s, so only each client's first handshake is full: the
-- registration bytes are the payloads, one full handshake per client and an
-- abbreviated one per later registration, plus framing and TCP's own.
local sim = chainsim.new{ seed = 45,
  tls = { resume = true, client_bytes = "1000B", server_bytes = "1000B",
          resumed_client_bytes = "100B", resumed_server_bytes = "100B" },
  sizes = { initial_registration = "1500B", initial_registration_response = "16000B",
            registration = "600B", registration_response = "900B" } }
local dc = sim:site{ name = "dc" }
dc:server{ name = "ts1" }
local br = sim:site{ name = "branch", wan = { to = dc, bandwidth = "100Mbps", latency = "20ms" } }
br:subnet{ cidr = "10.9.0.0/24", clients = 50 }
sim:run{ duration = "5m" }
local r = sim:metrics().registration
sim:expect(r.initial == 50, "one initial registration each")
local normal = r.count - r.initial
local payload = r.initial * (1500 + 16000 + 2000) + normal * (600 + 900 + 200)
local bytes = sim:metrics().wan.bytes_by_class.registration
sim:expect(bytes >= payload and bytes <= payload * 1.15 + 300 * r.count,
           string.format("registration bytes %d within [%d, %d]", bytes, payload,
                         math.floor(payload * 1.15 + 300 * r.count)))
