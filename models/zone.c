/* zone.c — zone servers and the zone hub.
 *
 * The zone hub runs on a core server and opens the tunnel *out* to each of
 * its zone servers (17472), keeping it up: when it drops, the hub tries
 * again every HUB_RETRY.  A zone server terminates external clients: they
 * register with it, keep one connection to it (each is its own leader; they
 * never peer), and send answers and shard fetches through it.  Everything
 * for them crosses the tunnel, every message naming its client in `u`.
 * While the tunnel is down the zone server turns registrations away and what
 * its clients send is lost: they see the outage and recover when the tunnel
 * returns (the hub then hands over the questions and actions in force). */
#include "zone-private.h"
#include <string.h>

#define HUB_RETRY (10 * SIM_S)

static CsZone *cs_zone_rec(const CsWorld *w, guint32 z) { return &g_array_index(w->zone->zones, CsZone, z); }

CsZones *cs_zones_new(CsWorld *w)
{
  CsZones *zs = g_new0(CsZones, 1);
  zs->zones = g_array_new(FALSE, TRUE, sizeof(CsZone));
  return zs;
}

void cs_zones_free(CsWorld *w)
{
  if (!w->zone)
    return;
  for (guint i = 0; i < w->zone->zones->len; i++) {
    CsZone *z = cs_zone_rec(w, i);
    g_free(z->name);
    g_array_free(z->leaders, TRUE);
  }
  g_array_free(w->zone->zones, TRUE);
  g_free(w->zone->ext_conn);
  g_free(w->zone->ext_reg);
  g_free(w->zone);
  w->zone = NULL;
}

guint32 cs_zone_append(CsWorld *w, SimNodeId node, const char *name, guint32 hub)
{
  CsZone z = { 0 };
  z.node = node;
  z.name = g_strdup(name);
  z.hub = hub;
  z.leaders = g_array_new(FALSE, FALSE, sizeof(SimConnId));
  g_array_append_vals(w->zone->zones, &z, 1);
  return w->zone->zones->len - 1;
}

guint32 cs_world_zone_count(const CsWorld *w) { return w->zone->zones->len; }
SimNodeId cs_world_zone_node(const CsWorld *w, guint32 z) { return cs_zone_rec(w, z)->node; }
guint32 cs_zone_tunnel_drops(const CsWorld *w, guint32 z) { return cs_zone_rec(w, z)->tunnel_drops; }
gboolean cs_zone_tunnel_up(const CsWorld *w, guint32 z) { return cs_zone_rec(w, z)->tunnel != 0; }
guint32 cs_zone_leaders(const CsWorld *w, guint32 z)
{
  const CsZone *zr = cs_zone_rec(w, z);
  return zr->leaders->len - zr->leaders_dead;
}

static CsWorld *W(gpointer k) { return k; }
static CsZone *zone_of(CsWorld *w, SimNodeId node) { return cs_zone_rec(w, sim_node_local(w->sim, node)); }

static void remember(CsWorld *w, guint32 client, SimConnId conn, gboolean reg)
{
  if (client >= w->zone->ext_conn_len) {
    guint32 n = MAX(client + 1, w->clients.len);
    w->zone->ext_conn = g_renew(CsZoneConn, w->zone->ext_conn, n);
    w->zone->ext_reg = g_renew(CsZoneConn, w->zone->ext_reg, n);
    memset(w->zone->ext_conn + w->zone->ext_conn_len, 0, sizeof(CsZoneConn) * (n - w->zone->ext_conn_len));
    memset(w->zone->ext_reg + w->zone->ext_conn_len, 0, sizeof(CsZoneConn) * (n - w->zone->ext_conn_len));
    w->zone->ext_conn_len = n;
  }
  CsZoneConn zc = { conn, sim_conn_gen(w->sim, conn) };
  (reg ? w->zone->ext_reg : w->zone->ext_conn)[client] = zc;
}

/* Where a reply for the client goes: a registration response on the
 * connection its request came on, anything else on its own connection; 0
 * when that connection is gone (its record may since carry another
 * client's connection: a response relayed there reached the wrong client
 * at 10^6 endpoints). */
static SimConnId conn_of(CsWorld *w, guint32 client, guint32 type)
{
  if (client >= w->zone->ext_conn_len)
    return 0;
  const CsZoneConn *zc = type == CS_MSG_REG_RESP ? &w->zone->ext_reg[client] : &w->zone->ext_conn[client];
  return zc->conn && sim_conn_same(w->sim, zc->conn, zc->gen) ? zc->conn : 0;
}

/* Re-sends a message (taking its blob) on another connection. */
static void relay(CsWorld *w, SimNodeId from, SimConnId to, SimMsg *m, guint32 u)
{
  if (!to || !sim_conn_is_open(w->sim, to))
    return;
  SimMsg *r = sim_msg_new(w->sim);
  r->type = m->type;
  r->cls = m->cls;
  r->size = m->size;
  r->a = m->a;
  r->b = m->b;
  r->u = u;
  r->max_bps = m->max_bps;
  r->blob = m->blob;
  r->blob_free = m->blob_free;
  m->blob = NULL;
  sim_send(w->sim, to, from, r);
}

static void zs_start(Sim *sim, SimNodeId node, gpointer k)
{
  CsZone *z = zone_of(W(k), node);
  z->tunnel = 0;
  cs_dc_proxy_reset(W(k), sim_node_local(sim, node));
  g_array_set_size(z->leaders, 0);
  z->leaders_dead = 0;
}

static void zs_crashed(Sim *sim, SimNodeId node, gpointer k)
{
  /* The tunnel goes down with the zone server (no close reaches it). */
  if (zone_of(W(k), node)->tunnel)
    zone_of(W(k), node)->tunnel_drops++;
  zs_start(sim, node, k);
}

/* The persistent connections of external clients, in the order they said
 * hello (pushes go out in that order).  A connection's tag at the zone's end
 * is its index + 1 in z->leaders (0: not a leader); a close leaves a zero
 * there, and the zeros are squeezed out once they are half the array, so a
 * close costs O(1) however many roaming clients there are. */
static void compact_leaders(Sim *sim, SimNodeId node, CsZone *z)
{
  guint n = 0;
  for (guint i = 0; i < z->leaders->len; i++) {
    SimConnId c = g_array_index(z->leaders, SimConnId, i);
    if (!c)
      continue;
    g_array_index(z->leaders, SimConnId, n++) = c;
    sim_conn_set_tag(sim, c, node, n);
  }
  g_array_set_size(z->leaders, n);
  z->leaders_dead = 0;
}

static void drop_leader(Sim *sim, SimNodeId node, CsZone *z, SimConnId conn)
{
  guint32 at = sim_conn_tag(sim, conn, node);
  if (!at)
    return;
  g_assert(at <= z->leaders->len && g_array_index(z->leaders, SimConnId, at - 1) == conn);
  g_array_index(z->leaders, SimConnId, at - 1) = 0;
  sim_conn_set_tag(sim, conn, node, 0);
  if (++z->leaders_dead > 32 && z->leaders_dead * 2 > z->leaders->len)
    compact_leaders(sim, node, z);
}

static void add_leader(Sim *sim, SimNodeId node, CsZone *z, SimConnId conn)
{
  drop_leader(sim, node, z, conn);
  g_array_append_val(z->leaders, conn);
  sim_conn_set_tag(sim, conn, node, z->leaders->len);
}

static void zs_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimConnError why)
{
  CsZone *z = zone_of(W(k), node);
  if (conn == z->tunnel) {
    z->tunnel = 0;
    z->tunnel_drops++;
    return;
  }
  cs_dc_proxy_closed(W(k), sim_node_local(sim, node), conn);
  drop_leader(sim, node, z, conn);
}

static void zs_message(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimMsg *m)
{
  CsWorld *w = W(k);
  CsZone *z = zone_of(w, node);
  if (cs_dc_proxy_message(w, sim_node_local(sim, node), node, conn, m))
    return; /* the Direct Connect zone proxy (17486/17487/17488) */
  if (m->type == CS_MSG_HUB_HELLO) {
    if (z->tunnel && z->tunnel != conn)
      sim_close(sim, z->tunnel, node);
    z->tunnel = conn;
    return;
  }
  if (conn == z->tunnel) {
    /* From the core: to one client, or to all of them. */
    switch ((CsMsgType) m->type) {
    case CS_MSG_QUESTION:
    case CS_MSG_ACTION:
      for (guint i = 0; i < z->leaders->len; i++) {
        if (!g_array_index(z->leaders, SimConnId, i))
          continue; /* closed */
        SimMsg *r = sim_msg_new(sim);
        r->type = m->type;
        r->cls = m->cls;
        r->size = m->size;
        r->a = m->a;
        sim_send(sim, g_array_index(z->leaders, SimConnId, i), node, r);
      }
      break;
    default:
      relay(w, node, conn_of(w, m->u, m->type), m, m->u);
      break;
    }
    return;
  }
  /* From an external client. */
  guint32 client = cs_world_node_client(w, sim_conn_peer(sim, conn, node));
  if (client == CS_NONE)
    return;
  switch ((CsMsgType) m->type) {
  case CS_MSG_LEADER_HELLO:
    remember(w, client, conn, FALSE);
    add_leader(sim, node, z, conn);
    break;
  case CS_MSG_SHARD_FETCH:
    remember(w, client, conn, FALSE);
    relay(w, node, z->tunnel, m, client);
    break;
  case CS_MSG_REG_REQ:
    remember(w, client, conn, TRUE);
    if (!z->tunnel) {
      sim_close(sim, conn, node); /* no way to the core: the client sees it fail */
      break;
    }
    relay(w, node, z->tunnel, m, client);
    break;
  default:
    relay(w, node, z->tunnel, m, client);
    break;
  }
}

static const guint16 zone_ports[] = { CS_PORT_CLIENT, CS_PORT_DC_ZONE, CS_PORT_DC_ZONE_MS, CS_PORT_DC_ZONE_CTL, 0 };

const SimNodeKind cs_zone_kind = {
  .name = "zone_server",
  .start = zs_start,
  .crashed = zs_crashed,
  .message = zs_message,
  .closed = zs_closed,
  .ports = zone_ports,
};

void cs_zone_push(CsWorld *w, CsMsgType type, SimClass cls, guint32 size, guint32 id)
{
  for (guint i = 0; i < w->zone->zones->len; i++) {
    CsZone *z = cs_zone_rec(w, i);
    if (!z->hub_conn || !sim_conn_is_open(w->sim, z->hub_conn))
      continue;
    SimMsg *m = sim_msg_new(w->sim);
    m->type = type;
    m->cls = (guint8) cls;
    m->size = size;
    m->a = id;
    sim_send(w->sim, z->hub_conn, cs_world_server_node(w, z->hub), m);
  }
}

/* --- the hub, on the core server ---------------------------------------------------- */

static void hub_connect(CsWorld *w, guint32 zi)
{
  CsZone *z = cs_zone_rec(w, zi);
  SimNodeId srv = cs_world_server_node(w, z->hub);
  if (!sim_node_is_up(w->sim, srv))
    return;
  z->hub_conn = sim_connect(w->sim, srv, sim_node_addr(w->sim, z->node), CS_PORT_CLIENT, CS_CLS_TUNNEL, w->p.tls);
}

void cs_hub_start(CsWorld *w, guint32 server)
{
  for (guint i = 0; i < w->zone->zones->len; i++)
    if (cs_zone_rec(w, i)->hub == server)
      hub_connect(w, i);
}

void cs_hub_crashed(CsWorld *w, guint32 server)
{
  for (guint i = 0; i < w->zone->zones->len; i++)
    if (cs_zone_rec(w, i)->hub == server)
      cs_zone_rec(w, i)->hub_conn = 0;
}

gboolean cs_conn_is_tunnel(const CsWorld *w, SimConnId conn)
{
  for (guint i = 0; i < w->zone->zones->len; i++)
    if (cs_zone_rec(w, i)->hub_conn == conn)
      return TRUE;
  return FALSE;
}

static void push_live(CsWorld *w, SimNodeId srv, SimConnId conn)
{
  for (guint q = 0; q < w->questions->len && cs_questions_pushed(w); q++)
    if (g_array_index(w->questions, CsQuestion, q).r.live) {
      SimMsg *m = sim_msg_new(w->sim);
      m->type = CS_MSG_QUESTION;
      m->cls = CS_CLS_QUESTION;
      m->size = w->p.question_bytes;
      m->a = q;
      sim_send(w->sim, conn, srv, m);
    }
  for (guint a = 0; a < w->actions->len; a++)
    if (g_array_index(w->actions, CsAction, a).r.live) {
      SimMsg *m = sim_msg_new(w->sim);
      m->type = CS_MSG_ACTION;
      m->cls = CS_CLS_ACTION;
      m->size = w->p.action_bytes;
      m->a = a;
      sim_send(w->sim, conn, srv, m);
    }
}

gboolean cs_hub_connected(CsWorld *w, SimNodeId server, SimConnId conn)
{
  for (guint i = 0; i < w->zone->zones->len; i++) {
    CsZone *z = cs_zone_rec(w, i);
    if (z->hub_conn != conn)
      continue;
    SimMsg *m = sim_msg_new(w->sim);
    m->type = CS_MSG_HUB_HELLO;
    m->cls = CS_CLS_TUNNEL;
    m->size = 200;
    sim_send(w->sim, conn, server, m);
    push_live(w, server, conn);
    return TRUE;
  }
  return FALSE;
}

gboolean cs_hub_conn_gone(CsWorld *w, SimNodeId server, SimConnId conn)
{
  for (guint i = 0; i < w->zone->zones->len; i++) {
    CsZone *z = cs_zone_rec(w, i);
    if (z->hub_conn != conn)
      continue;
    z->hub_conn = 0;
    sim_timer_start(w->sim, server, HUB_RETRY, CS_STAG_HUB_RETRY, i);
    return TRUE;
  }
  return FALSE;
}

void cs_hub_retry(CsWorld *w, SimNodeId server, guint64 zi)
{
  if (zi < w->zone->zones->len && !cs_zone_rec(w, (guint32) zi)->hub_conn)
    hub_connect(w, (guint32) zi);
}
