/* net.h — topology: sites, subnets, hosts' access links, WAN links, routing.
 *
 * Each host has a full-duplex access link to its subnet's switch; the subnets
 * of a site meet at the site router, which is modelled as non-blocking; sites
 * are joined by WAN links with bandwidth, latency, loss and an up/down state.
 * Routing between sites is the lowest-latency path over the WAN links that are
 * up, recomputed (lazily, per source site) whenever a WAN link changes state.
 *
 * A path from host A to host B is: A's access link (up), the WAN links of the
 * route (each in its direction), B's access link (down).  Directed links are
 * numbered link*2 + direction.
 *
 * Framing: each link adds a fixed number of header bytes per segment
 * (SIM_FRAMING_*): a segment of `mss` payload bytes costs mss + overhead bytes
 * of that link's capacity. */
#pragma once
#include <glib.h>
#include "sim.h"

#define SIM_NONE G_MAXUINT32
/* IPv4 + TCP with timestamps (52) + PPP (2): the ground-truth links. */
#define SIM_FRAMING_PPP 54
/* IPv4 + TCP with timestamps (52) + Ethernet header, FCS, preamble, gap (38). */
#define SIM_FRAMING_ETHERNET 90

/* A link's device queue, packets, unless set (ns-3's default device queue). */
#define SIM_BUFFER_DEFAULT 100

typedef enum { SIM_LINK_ACCESS, SIM_LINK_WAN } SimLinkKind;

/* Errors of sim_subnet_add and sim_node_add (domain SIM_NET_ERROR). */
#define SIM_NET_ERROR (sim_net_error_quark())
GQuark sim_net_error_quark(void);
typedef enum {
  SIM_NET_ERROR_OVERLAP = 1,   /* the subnet's range overlaps another subnet's */
  SIM_NET_ERROR_FULL,          /* no free host address left in the subnet */
  SIM_NET_ERROR_NOT_IN_SUBNET, /* the address is not a host address of the subnet */
  SIM_NET_ERROR_TAKEN,         /* the address is already taken */
} SimNetError;

/* --- addresses ------------------------------------------------------------- */
/* Parses "a.b.c.d"; FALSE on anything else. */
gboolean sim_addr_parse(const char *s, guint32 *addr);
/* Parses "a.b.c.d/n" and requires the host bits to be zero. */
gboolean sim_cidr_parse(const char *s, guint32 *base, guint8 *prefix);
/* Writes "a.b.c.d" into buf (at least 16 bytes); returns buf. */
char *sim_addr_format(guint32 addr, char *buf);
static inline guint32 sim_prefix_mask(guint8 prefix) { return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix); }

/* --- sites ------------------------------------------------------------------ */
guint32 sim_site_add(Sim *sim, const char *name);
guint32 sim_site_count(const Sim *sim);
const char *sim_site_name(const Sim *sim, guint32 site);

/* --- subnets ---------------------------------------------------------------- */
/* Fails (SIM_NET_ERROR_OVERLAP) when the range overlaps an existing subnet.
 * bw in bits/s. */
guint32 sim_subnet_add(Sim *sim, guint32 site, guint32 base, guint8 prefix,
                       double access_bps, SimTime access_latency, GError **error);
guint32 sim_subnet_count(const Sim *sim);
guint32 sim_subnet_site(const Sim *sim, guint32 subnet);
guint32 sim_subnet_base(const Sim *sim, guint32 subnet);
guint8 sim_subnet_prefix(const Sim *sim, guint32 subnet);
/* The subnet that contains addr, or SIM_NONE. */
guint32 sim_subnet_of_addr(Sim *sim, guint32 addr);
/* Hosts added to the subnet so far, in the order they were added. */
guint32 sim_subnet_host_count(const Sim *sim, guint32 subnet);

/* Adds a host to a subnet with its access link (the subnet's defaults).
 * addr == 0 takes the next free address.  Fails (SIM_NET_ERROR) when the
 * address is outside the subnet (NOT_IN_SUBNET), taken (TAKEN), or the
 * subnet is full (FULL). */
SimNodeId sim_node_add(Sim *sim, guint16 kind, guint32 subnet, guint32 addr,
                       guint32 local, GError **error);
/* Overrides a host's access link (servers on faster ports). */
void sim_node_set_access(Sim *sim, SimNodeId node, double bps, SimTime latency);

/* --- links ------------------------------------------------------------------ */
guint32 sim_wan_add(Sim *sim, guint32 site_a, guint32 site_b, double bps,
                    SimTime latency, double loss);
guint32 sim_link_count(const Sim *sim);
SimLinkKind sim_link_kind(const Sim *sim, guint32 link);
/* For WAN links: the two sites (a → b is direction 0). */
guint32 sim_link_site_a(const Sim *sim, guint32 link);
guint32 sim_link_site_b(const Sim *sim, guint32 link);
double sim_link_bps(const Sim *sim, guint32 link);
SimTime sim_link_latency(const Sim *sim, guint32 link);
double sim_link_loss(const Sim *sim, guint32 link);
gboolean sim_link_is_up(const Sim *sim, guint32 link);
/* A link's buffer in packets (> 0; SIM_BUFFER_DEFAULT unless set): a
 * direction that bulk flows fill holds that many full segments queued, which
 * a small message crossing it waits for. */
void sim_link_set_buffer(Sim *sim, guint32 link, guint32 packets);
guint32 sim_link_buffer(const Sim *sim, guint32 link);
/* The buffer of the access links of hosts added to the subnet from now on. */
void sim_subnet_set_access_buffer(Sim *sim, guint32 subnet, guint32 packets);
/* Sets the framing overhead per segment of a link (bytes). */
void sim_link_set_framing(Sim *sim, guint32 link, guint32 bytes);
guint32 sim_node_access_link(const Sim *sim, SimNodeId node);
/* Brings a WAN link down or up: routes are recomputed; connections that lose
 * their only route break (far ends notice after the keepalive timeout); bulk
 * transfers on surviving connections move to the new route. */
void sim_wan_set_up(Sim *sim, guint32 link, gboolean up);
/* Number of active bulk transfers on a directed link. */
guint32 sim_dlink_flows(const Sim *sim, guint32 dlink);
/* Of those, how many are rated as one group held to this link's even share
 * (SimParams.group_min; 0: none). */
guint32 sim_dlink_group(const Sim *sim, guint32 dlink);
/* Flow groups formed and dissolved so far. */
void sim_flow_group_counts(const Sim *sim, guint64 *formed, guint64 *dissolved);

/* --- routing ---------------------------------------------------------------- */
/* Fills `links` (directed WAN link ids) with the route from site a to site b;
 * returns the hop count, or -1 when b is unreachable. */
int sim_route(Sim *sim, guint32 site_a, guint32 site_b, guint32 *links, int max);
/* Fills the directed links of the host-to-host path; -1 when unreachable. */
int sim_path(Sim *sim, SimNodeId a, SimNodeId b, guint32 *dlinks, int max);
/* One-way delay of a one-segment message of `payload` bytes along the path,
 * with no competing traffic; -1 when unreachable. */
SimTime sim_path_delay(Sim *sim, SimNodeId a, SimNodeId b, guint32 payload);
