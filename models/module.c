/* module.c — the module server: Direct Connect sessions and satellites.
 *
 * A session starts at the module server, which asks the core server (over
 * 443) to deploy an "open session" action to one endpoint.  The action
 * reaches the endpoint like any other (chain, registration, or zone server);
 * the endpoint downloads the Direct Connect tools (a small package, cached
 * afterwards), runs the action and connects *directly*: to the module server
 * on 17475, or, behind a zone server, to the zone proxy on 17486, which
 * relays to the module server's own connection to it on 17487 (the proxy
 * relays only while the module server also holds its 17488 connection, the
 * port the proxy's installer opens).  States: creating → downloading →
 * running → complete (open), then closed; or error (with the reason the
 * endpoint reports through the action status: firewall, refused, a missing
 * certificate, a proxy with no module server behind it) or not succeeded
 * (nothing heard before the session timeout: the endpoint is offline or
 * unreachable).
 *
 * Nothing hangs: a session waiting on a channel of the module server (443 to
 * the core while its open-session action is not yet deployed, 17487 and
 * 17488 to its endpoint's zone proxy) ends in error once `retries` + 1
 * connects of that channel have failed since its request; one asked of a
 * module server that is down, or whose module server goes down before it
 * opens, ends in error at once; an open one closes with its module server.
 *
 * Satellites are endpoints designated to run module-server workloads; the
 * workload and its secrets travel only over a Direct Connect session, never
 * along the chain, and only to a verified satellite: an unverified (possibly
 * spoofed) one gets nothing and the attempt is recorded. */
#include "module-private.h"
#include <string.h>

#define MS_RETRY (10 * SIM_S)
#define SESSION_TIMEOUT (10 * SIM_MIN)
#define DC_TOOLS_BYTES (1000 * 1000)
#define SECRET_BYTES 4096
#define WORKLOAD_BYTES (256 * 1024)
#define RESULT_BYTES (100 * 1000)
#define SCAN_TIME (30 * SIM_S)

enum { MTAG_RETRY = 1, MTAG_TIMEOUT, MTAG_KEEP };

static const char *const state_names[] = {
  "creating", "downloading", "running", "error", "succeeded", "not succeeded", "complete", "closed",
};

const char *cs_dc_state_name(CsDcState s) { return s <= CS_DC_CLOSED ? state_names[s] : "?"; }

static const char *reason_text(CsDcReason r)
{
  switch (r) {
  case CS_DCR_NONE: return "";
  case CS_DCR_TIMEOUT: return "connect timed out (firewall drop or unreachable)";
  case CS_DCR_REFUSED: return "connection refused (firewall reject or port closed)";
  case CS_DCR_NO_CLIENT_CERT: return "endpoint lacks the Direct Connect client certificate";
  case CS_DCR_NO_SERVER_CERT: return "module server lacks its Direct Connect server certificate";
  case CS_DCR_OFFLINE: return "endpoint offline or unreachable (no response before the session timeout)";
  case CS_DCR_UNVERIFIED: return "satellite not verified: no workload sent";
  case CS_DCR_CLOSED: return "connection closed";
  case CS_DCR_TIMEOUT_PROXY: return "connect to the zone proxy (TCP 17486) timed out (firewall drop or unreachable)";
  case CS_DCR_REFUSED_PROXY: return "connection to the zone proxy (TCP 17486) refused (firewall reject or port closed)";
  case CS_DCR_PROXY_NO_MODULE: return "zone proxy has no module server connection on TCP 17487";
  case CS_DCR_PROXY_NO_CTL: return "zone proxy has no module server connection on TCP 17488";
  case CS_DCR_CORE_UNREACHABLE: return "module server cannot reach the core server (TCP 443)";
  case CS_DCR_PROXY_UNREACHABLE: return "module server cannot reach the zone proxy (TCP 17487)";
  case CS_DCR_PROXY_CTL_UNREACHABLE: return "module server cannot reach the zone proxy (TCP 17488)";
  case CS_DCR_MODULE_DOWN: return "module server down";
  }
  return "?";
}

CsModule *cs_module_rec(const CsWorld *w, guint32 m) { return &g_array_index(w->module->modules, CsModule, m); }
CsDcSession *cs_dc_rec(const CsWorld *w, guint32 s) { return &g_array_index(w->module->dc, CsDcSession, s); }
static CsWorld *W(gpointer k) { return k; }

void cs_dc_downloading(CsWorld *w, guint32 session)
{
  CsDcSession *d = cs_dc_rec(w, session);
  if (d->state == CS_DC_CREATING)
    d->state = CS_DC_DOWNLOADING;
}
static CsModule *module_of(CsWorld *w, SimNodeId node) { return cs_module_rec(w, sim_node_local(w->sim, node)); }

static gboolean final(CsDcState s)
{
  return s == CS_DC_ERROR || s == CS_DC_NOT_SUCCEEDED || s == CS_DC_CLOSED || s == CS_DC_SUCCEEDED;
}

/* Not open yet and not over: waiting on the action, the endpoint or a channel. */
static gboolean waiting(CsDcState s)
{
  return !final(s) && s != CS_DC_COMPLETE;
}

static void session_close(CsWorld *w, CsDcSession *d, CsDcReason why)
{
  d->state = CS_DC_CLOSED;
  d->reason = why;
  d->closed_at = sim_now(w->sim);
  d->conn = 0;
}

static void send_to(CsWorld *w, SimConnId conn, SimNodeId from, CsMsgType type, SimClass cls, guint64 size,
                    guint32 session)
{
  if (!conn || !sim_conn_is_open(w->sim, conn))
    return;
  SimMsg *m = sim_msg_new(w->sim);
  m->type = type;
  m->cls = (guint8) cls;
  m->size = size;
  m->a = session;
  sim_send(w->sim, conn, from, m);
}

/* --- the module server -------------------------------------------------------------- */

static void ms_connect_all(CsWorld *w, CsModule *m)
{
  if (!m->core_conn) {
    SimNodeId core = cs_world_server_node(w, m->core);
    m->core_conn = sim_connect(w->sim, m->node, sim_node_addr(w->sim, core), 443, CS_CLS_DIRECT, TRUE);
  }
  g_array_set_size(m->proxy_conns, cs_world_zone_count(w));
  g_array_set_size(m->ctl_conns, cs_world_zone_count(w));
  for (guint z = 0; z < cs_world_zone_count(w); z++) {
    guint32 addr = sim_node_addr(w->sim, cs_world_zone_node(w, z));
    SimConnId *pc = &g_array_index(m->proxy_conns, SimConnId, z);
    if (!*pc)
      *pc = sim_connect(w->sim, m->node, addr, CS_PORT_DC_ZONE_MS, CS_CLS_DIRECT, TRUE);
    SimConnId *cc = &g_array_index(m->ctl_conns, SimConnId, z);
    if (!*cc)
      *cc = sim_connect(w->sim, m->node, addr, CS_PORT_DC_ZONE_CTL, CS_CLS_DIRECT, TRUE);
  }
}

/* A session waiting on a channel saw one more of its connects fail; past
 * the module server's retries it ends in error. */
static void channel_failed(CsWorld *w, CsModule *m, guint32 zone, CsDcReason why)
{
  guint32 mi = sim_node_local(w->sim, m->node);
  for (guint32 s = 0; s < w->module->dc->len; s++) {
    CsDcSession *d = cs_dc_rec(w, s);
    if (d->module != mi || !waiting(d->state))
      continue;
    if (why == CS_DCR_CORE_UNREACHABLE) {
      /* Only those whose open-session action still waits for 443. */
      gboolean pending = FALSE;
      for (guint i = 0; i < m->pending->len && !pending; i++)
        pending = g_array_index(m->pending, guint32, i) == s;
      if (!pending)
        continue;
    } else if (cs_client_rec(w, d->client)->zone != zone) {
      continue;
    }
    if (++d->tries > m->retries)
      cs_dc_failed(w, s, why);
  }
  if (why == CS_DCR_CORE_UNREACHABLE) {
    /* Errors leave the queue for 443. */
    guint n = 0;
    for (guint i = 0; i < m->pending->len; i++) {
      guint32 s = g_array_index(m->pending, guint32, i);
      if (!final(cs_dc_rec(w, s)->state))
        g_array_index(m->pending, guint32, n++) = s;
    }
    g_array_set_size(m->pending, n);
  }
}

/* The module server went down (or was down when asked): sessions not yet
 * open end in error, open ones close. */
static void module_down(CsWorld *w, guint32 mi)
{
  for (guint32 s = 0; s < w->module->dc->len; s++) {
    CsDcSession *d = cs_dc_rec(w, s);
    if (d->module != mi)
      continue;
    if (d->state == CS_DC_COMPLETE)
      session_close(w, d, CS_DCR_MODULE_DOWN);
    else
      cs_dc_failed(w, s, CS_DCR_MODULE_DOWN);
  }
}

static void ms_start(Sim *sim, SimNodeId node, gpointer k)
{
  CsWorld *w = W(k);
  CsModule *m = module_of(w, node);
  m->core_conn = 0;
  g_array_set_size(m->proxy_conns, 0);
  g_array_set_size(m->ctl_conns, 0);
  ms_connect_all(w, m);
}

static void ms_crashed(Sim *sim, SimNodeId node, gpointer k)
{
  CsModule *m = module_of(W(k), node);
  m->core_conn = 0;
  g_array_set_size(m->proxy_conns, 0);
  g_array_set_size(m->ctl_conns, 0);
  g_array_set_size(m->pending, 0);
  module_down(W(k), sim_node_local(sim, node));
}

static void ms_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, gboolean inbound)
{
  CsWorld *w = W(k);
  CsModule *m = module_of(w, node);
  if (inbound)
    return;
  if (conn == m->core_conn) {
    for (guint i = 0; i < m->pending->len; i++)
      send_to(w, conn, node, CS_MSG_DC_OPEN, CS_CLS_DIRECT, 300, g_array_index(m->pending, guint32, i));
    g_array_set_size(m->pending, 0);
    return;
  }
  for (guint z = 0; z < m->ctl_conns->len; z++)
    if (g_array_index(m->ctl_conns, SimConnId, z) == conn) {
      send_to(w, conn, node, CS_MSG_MS_CTL_HELLO, CS_CLS_DIRECT, 200, 0);
      return;
    }
  send_to(w, conn, node, CS_MSG_MS_HELLO, CS_CLS_DIRECT, 200, 0);
}

/* `failed`: a connect that never opened (it counts against waiting sessions). */
static void ms_conn_gone(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, gboolean failed)
{
  CsWorld *w = W(k);
  CsModule *m = module_of(w, node);
  /* Sessions open on it end (an endpoint's own connection, or a proxy's). */
  for (guint s = 0; s < w->module->dc->len; s++) {
    CsDcSession *d = cs_dc_rec(w, s);
    if (d->conn == conn && d->state == CS_DC_COMPLETE)
      session_close(w, d, CS_DCR_CLOSED);
  }
  gboolean retry = FALSE;
  if (conn == m->core_conn) {
    m->core_conn = 0;
    retry = TRUE;
    if (failed)
      channel_failed(w, m, CS_NONE, CS_DCR_CORE_UNREACHABLE);
  }
  GArray *chans[2] = { m->proxy_conns, m->ctl_conns };
  for (int c = 0; c < 2; c++)
    for (guint z = 0; z < chans[c]->len; z++)
      if (g_array_index(chans[c], SimConnId, z) == conn) {
        g_array_index(chans[c], SimConnId, z) = 0;
        retry = TRUE;
        if (failed)
          channel_failed(w, m, z, c == 0 ? CS_DCR_PROXY_UNREACHABLE : CS_DCR_PROXY_CTL_UNREACHABLE);
      }
  if (retry)
    sim_timer_start(sim, node, MS_RETRY, MTAG_RETRY, 0);
}

static void ms_failed(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimConnError why)
{
  ms_conn_gone(sim, node, k, conn, TRUE);
}

static void ms_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimConnError why)
{
  ms_conn_gone(sim, node, k, conn, FALSE);
}

static void session_opened(CsWorld *w, SimNodeId node, guint32 sid, SimConnId conn)
{
  if (sid >= w->module->dc->len)
    return;
  CsDcSession *d = cs_dc_rec(w, sid);
  if (final(d->state))
    return;
  d->state = CS_DC_COMPLETE;
  d->opened = d->last_msg = sim_now(w->sim);
  d->conn = conn;
  if (d->test) {
    /* A test connection: it opened; do not keep it (a direct connection
     * closes; a zone proxy's connection is shared and stays). */
    session_close(w, d, CS_DCR_NONE);
    if (cs_world_node_client(w, sim_conn_peer(w->sim, conn, node)) != CS_NONE)
      sim_close(w->sim, conn, node);
    return;
  }
  if (d->satellite >= 0) {
    CsSatellite *sat = &g_array_index(w->module->satellites, CsSatellite, d->satellite);
    if (!sat->verified) {
      /* Possibly spoofed: nothing secret goes to it; the attempt is on record. */
      sat->status = "refused";
      d->state = CS_DC_ERROR;
      d->reason = CS_DCR_UNVERIFIED;
      return;
    }
    sat->status = "scanning";
    send_to(w, conn, node, CS_MSG_DC_WORKLOAD, CS_CLS_DIRECT, SECRET_BYTES + WORKLOAD_BYTES, sid);
  }
  if (d->keep_for > 0)
    sim_timer_start(w->sim, node, d->keep_for, MTAG_KEEP, sid);
}

static void ms_message(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimMsg *m)
{
  CsWorld *w = W(k);
  guint32 sid = (guint32) m->a;
  switch ((CsMsgType) m->type) {
  case CS_MSG_DC_HELLO:
    session_opened(w, node, sid, conn);
    break;
  case CS_MSG_DC_RESULT:
    if (sid < w->module->dc->len) {
      CsDcSession *d = cs_dc_rec(w, sid);
      d->last_msg = sim_now(sim);
      if (d->satellite >= 0)
        g_array_index(w->module->satellites, CsSatellite, d->satellite).status = "scanned";
    }
    break;
  default:
    break;
  }
}

static void ms_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  CsWorld *w = W(k);
  CsModule *m = module_of(w, node);
  if (tag == MTAG_RETRY) {
    ms_connect_all(w, m);
    return;
  }
  if (arg >= w->module->dc->len)
    return;
  CsDcSession *d = cs_dc_rec(w, (guint32) arg);
  if (tag == MTAG_TIMEOUT && (d->state == CS_DC_CREATING || d->state == CS_DC_DOWNLOADING || d->state == CS_DC_RUNNING)) {
    d->state = CS_DC_NOT_SUCCEEDED;
    d->reason = CS_DCR_OFFLINE;
  } else if (tag == MTAG_KEEP && d->state == CS_DC_COMPLETE) {
    /* Over a zone proxy the connection is shared: only direct ones close. */
    SimConnId conn = d->conn;
    session_close(w, d, CS_DCR_NONE);
    if (conn && cs_world_node_client(w, sim_conn_peer(sim, conn, node)) != CS_NONE)
      sim_close(sim, conn, node);
  }
}

static const guint16 module_ports[] = { CS_PORT_DC_MODULE, 0 };

const SimNodeKind cs_module_kind = {
  .name = "module_server",
  .start = ms_start,
  .crashed = ms_crashed,
  .message = ms_message,
  .connected = ms_connected,
  .connect_failed = ms_failed,
  .closed = ms_closed,
  .timer = ms_timer,
  .ports = module_ports,
};

/* --- requests --------------------------------------------------------------------- */

static void request_cb(Sim *sim, gpointer data, guint64 sid)
{
  CsWorld *w = data;
  CsDcSession *d = cs_dc_rec(w, (guint32) sid);
  CsModule *m = cs_module_rec(w, d->module);
  d->requested = sim_now(sim);
  if (d->satellite >= 0)
    g_array_index(w->module->satellites, CsSatellite, d->satellite).status = "waiting";
  if (!sim_node_is_up(sim, m->node)) {
    cs_dc_failed(w, (guint32) sid, CS_DCR_MODULE_DOWN);
    return;
  }
  sim_timer_start(sim, m->node, SESSION_TIMEOUT, MTAG_TIMEOUT, sid);
  if (m->core_conn && sim_conn_is_open(sim, m->core_conn))
    send_to(w, m->core_conn, m->node, CS_MSG_DC_OPEN, CS_CLS_DIRECT, 300, (guint32) sid);
  else {
    guint32 id = (guint32) sid;
    g_array_append_val(m->pending, id); /* sent once the 443 connection is up */
  }
}

static gint32 new_session(CsWorld *w, SimTime at, guint32 client, SimNodeId module, SimTime keep_for,
                          gboolean test, gint32 satellite, GError **error)
{
  if (sim_node_kind(w->sim, module) != w->kind_module) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ROLE, "direct_connect: 'module' must be a module server");
    return -1;
  }
  CsDcSession d = { 0 };
  d.client = client;
  d.module = sim_node_local(w->sim, module);
  d.state = CS_DC_CREATING;
  d.test = test;
  d.satellite = satellite;
  d.keep_for = keep_for;
  d.requested = at;
  d.opened = -1;
  d.closed_at = -1;
  g_array_append_val(w->module->dc, d);
  guint32 sid = w->module->dc->len - 1;
  sim_call_at(w->sim, at, request_cb, w, sid);
  return (gint32) sid;
}

gint32 cs_world_direct_connect(CsWorld *w, SimTime at, guint32 client, SimNodeId module, SimTime keep_for,
                               GError **error)
{
  return new_session(w, at, client, module, keep_for, FALSE, -1, error);
}

gint32 cs_world_dc_test(CsWorld *w, SimTime at, const char *what, SimNodeId module, GError **error)
{
  guint32 addr, client = CS_NONE;
  if (sim_addr_parse(what, &addr)) {
    SimNodeId n = sim_node_by_addr(w->sim, addr);
    client = n == SIM_NODE_NONE ? CS_NONE : cs_world_node_client(w, n);
  } else {
    gint32 sensor = cs_world_sensor_find(w, "Computer Name");
    for (guint32 i = 0; sensor >= 0 && i < w->clients.len && client == CS_NONE; i++)
      if (g_str_equal(cs_world_sensor_get(w, (guint32) sensor, i), what))
        client = i;
  }
  if (client == CS_NONE) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_NOT_FOUND,
                "test connection: no endpoint with address or Computer Name '%s'", what);
    return -1;
  }
  return new_session(w, at, client, module, 0, TRUE, -1, error);
}

gint32 cs_world_satellite(CsWorld *w, SimTime at, guint32 client, SimNodeId module, gboolean verified,
                          GError **error)
{
  CsSatellite s = { client, 0, verified, 0, "designated" };
  g_array_append_val(w->module->satellites, s);
  gint32 id = (gint32) w->module->satellites->len - 1;
  gint32 sid = new_session(w, at, client, module, 0, FALSE, id, error);
  if (sid < 0) {
    g_array_set_size(w->module->satellites, w->module->satellites->len - 1);
    return -1;
  }
  g_array_index(w->module->satellites, CsSatellite, id).session = (guint32) sid;
  g_array_index(w->module->satellites, CsSatellite, id).module = sim_node_local(w->sim, module);
  return id;
}

/* --- the core server's part ---------------------------------------------------------- */

void cs_dc_deploy(CsWorld *w, guint32 sid)
{
  if (sid >= w->module->dc->len)
    return;
  CsDcSession *d = cs_dc_rec(w, sid);
  CsPackage pkg = { .size = DC_TOOLS_BYTES, .run_time = 0, .name = "direct-connect-tools" };
  CsTarget t = { CS_TARGET_CLIENT, d->client };
  GError *err = NULL;
  gint32 a = cs_world_deploy(w, sim_now(w->sim), &pkg, &t, 1, &err);
  if (a < 0) {
    d->state = CS_DC_ERROR;
    d->reason = CS_DCR_CLOSED;
    g_clear_error(&err);
    return;
  }
  g_array_index(w->actions, CsAction, a).dc_session = sid;
}

void cs_dc_failed(CsWorld *w, guint32 sid, CsDcReason why)
{
  if (sid >= w->module->dc->len)
    return;
  CsDcSession *d = cs_dc_rec(w, sid);
  if (final(d->state) || d->state == CS_DC_COMPLETE)
    return;
  d->state = CS_DC_ERROR;
  d->reason = why;
  if (d->satellite >= 0)
    g_array_index(w->module->satellites, CsSatellite, d->satellite).status = "failed";
}

/* --- the endpoint's part -------------------------------------------------------------- */

static void report_failure(CsWorld *w, CsClient *c, guint32 sid, CsDcReason why)
{
  /* Through the action status, like any other: along the chain or at the
   * next registration. */
  CsEntry e = { .kind = CS_E_DC_FAILED, .value = sid, .count = why };
  /* as an answer is: a batch opened here took the last batch's start
   * before, so answers added to it later were held as if they had waited
   * since then */
  cs_client_report(w, c, &e);
}

/* The endpoint's Direct Connect state; NULL when it has none (unless create). */
static CsDcEndpoint *endpoint_of(CsWorld *w, const CsClient *c, gboolean create)
{
  CsModules *ms = w->module;
  if (!ms->endpoints) {
    if (!create)
      return NULL;
    ms->endpoints = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  }
  gpointer key = GUINT_TO_POINTER(cs_world_node_client(w, c->node) + 1);
  CsDcEndpoint *e = g_hash_table_lookup(ms->endpoints, key);
  if (!e && create) {
    e = g_new0(CsDcEndpoint, 1);
    e->session = CS_NONE;
    g_hash_table_insert(ms->endpoints, key, e);
  }
  return e;
}

/* The endpoint's session connection, 0 when none. */
static SimConnId endpoint_conn(CsWorld *w, const CsClient *c)
{
  const CsDcEndpoint *e = endpoint_of(w, c, FALSE);
  return e ? e->conn : 0;
}

gboolean cs_dc_endpoint_closed(CsWorld *w, CsClient *c, SimConnId conn)
{
  if (!w->module->endpoints || !conn || conn != endpoint_conn(w, c))
    return FALSE;
  endpoint_of(w, c, FALSE)->conn = 0;
  return TRUE;
}

void cs_dc_endpoint_reset(CsWorld *w, CsClient *c)
{
  if (w->module->endpoints)
    g_hash_table_remove(w->module->endpoints, GUINT_TO_POINTER(cs_world_node_client(w, c->node) + 1));
}

void cs_dc_endpoint_open(CsWorld *w, CsClient *c, guint32 sid)
{
  CsDcSession *d = cs_dc_rec(w, sid);
  guint32 me = sim_node_local(w->sim, c->node);
  d->state = CS_DC_RUNNING;
  if (me < w->module->no_cert_len && w->module->no_cert[me]) {
    report_failure(w, c, sid, CS_DCR_NO_CLIENT_CERT);
    return;
  }
  CsDcEndpoint *e = endpoint_of(w, c, TRUE);
  if (e->conn)
    sim_close(w->sim, e->conn, c->node);
  SimNodeId to;
  guint16 port;
  if (c->zone != CS_NONE) {
    to = cs_world_zone_node(w, c->zone); /* the zone proxy relays */
    port = CS_PORT_DC_ZONE;
  } else {
    to = cs_module_rec(w, d->module)->node;
    port = CS_PORT_DC_MODULE;
  }
  e->session = sid;
  e->conn = sim_connect(w->sim, c->node, sim_node_addr(w->sim, to), port, CS_CLS_DIRECT, TRUE);
}

gboolean cs_dc_endpoint_connected(CsWorld *w, CsClient *c, SimConnId conn)
{
  if (!w->module->endpoints || !conn || conn != endpoint_conn(w, c))
    return FALSE;
  CsDcEndpoint *e = endpoint_of(w, c, FALSE);
  CsDcSession *d = cs_dc_rec(w, e->session);
  if (!cs_module_rec(w, d->module)->server_cert) {
    /* The handshake cannot verify the module server. */
    sim_close(w->sim, conn, c->node);
    e->conn = 0;
    report_failure(w, c, e->session, CS_DCR_NO_SERVER_CERT);
    return TRUE;
  }
  SimMsg *m = sim_msg_new(w->sim);
  m->type = CS_MSG_DC_HELLO;
  m->cls = CS_CLS_DIRECT;
  m->size = 400;
  m->a = e->session;
  sim_send(w->sim, conn, c->node, m);
  return TRUE;
}

gboolean cs_dc_endpoint_failed(CsWorld *w, CsClient *c, SimConnId conn, SimConnError why)
{
  if (!w->module->endpoints || !conn || conn != endpoint_conn(w, c))
    return FALSE;
  CsDcEndpoint *e = endpoint_of(w, c, FALSE);
  e->conn = 0;
  gboolean proxy = c->zone != CS_NONE;
  CsDcReason r = why == SIM_CONN_REFUSED ? (proxy ? CS_DCR_REFUSED_PROXY : CS_DCR_REFUSED)
                                         : (proxy ? CS_DCR_TIMEOUT_PROXY : CS_DCR_TIMEOUT);
  report_failure(w, c, e->session, r);
  return TRUE;
}

void cs_dc_endpoint_message(CsWorld *w, CsClient *c, SimConnId conn, SimMsg *m)
{
  if (m->type == CS_MSG_DC_WORKLOAD)
    sim_timer_start(w->sim, c->node, SCAN_TIME, CS_TAG_SCAN, m->a);
  else if (m->type == CS_MSG_DC_REFUSED && conn && conn == endpoint_conn(w, c)) {
    /* The zone proxy has no module server behind it. */
    sim_close(w->sim, conn, c->node);
    endpoint_of(w, c, FALSE)->conn = 0;
    report_failure(w, c, (guint32) m->a, m->u == CS_DCR_PROXY_NO_CTL ? CS_DCR_PROXY_NO_CTL : CS_DCR_PROXY_NO_MODULE);
  }
}

void cs_dc_endpoint_scan_done(CsWorld *w, CsClient *c, guint32 sid)
{
  const CsDcEndpoint *e = endpoint_of(w, c, FALSE);
  if (e && e->conn && e->session == sid)
    send_to(w, e->conn, c->node, CS_MSG_DC_RESULT, CS_CLS_DIRECT, RESULT_BYTES, sid);
}

/* --- the zone proxy's part ------------------------------------------------------------ */

/* The proxy record of zone server `zone`, created (with those before it) on first use. */
static CsZoneProxy *proxy_of(CsWorld *w, guint32 zone)
{
  GArray *ps = w->module->proxies;
  if (zone >= ps->len) {
    guint old = ps->len;
    g_array_set_size(ps, zone + 1);
    for (guint i = old; i < ps->len; i++)
      g_array_index(ps, CsZoneProxy, i).dc_links = g_array_new(FALSE, FALSE, sizeof(guint32));
  }
  return &g_array_index(ps, CsZoneProxy, zone);
}

void cs_dc_proxy_reset(CsWorld *w, guint32 zone)
{
  if (zone >= w->module->proxies->len)
    return; /* never used: nothing to forget */
  CsZoneProxy *z = proxy_of(w, zone);
  z->ms_conn = z->ms_ctl = 0;
  g_array_set_size(z->dc_links, 0);
}

void cs_dc_proxy_closed(CsWorld *w, guint32 zone, SimConnId conn)
{
  if (zone >= w->module->proxies->len)
    return;
  CsZoneProxy *z = proxy_of(w, zone);
  if (conn == z->ms_conn)
    z->ms_conn = 0;
  if (conn == z->ms_ctl)
    z->ms_ctl = 0;
}

static SimConnId link_of(CsZoneProxy *z, guint32 sid)
{
  for (guint i = 0; i + 1 < z->dc_links->len; i += 2)
    if (g_array_index(z->dc_links, guint32, i) == sid)
      return g_array_index(z->dc_links, guint32, i + 1);
  return 0;
}

gboolean cs_dc_proxy_message(CsWorld *w, guint32 zone, SimNodeId node, SimConnId conn, SimMsg *m)
{
  Sim *sim = w->sim;
  CsZoneProxy *z;
  switch ((CsMsgType) m->type) {
  case CS_MSG_MS_HELLO:
    proxy_of(w, zone)->ms_conn = conn;
    return TRUE;
  case CS_MSG_MS_CTL_HELLO:
    proxy_of(w, zone)->ms_ctl = conn;
    return TRUE;
  case CS_MSG_DC_HELLO:
  case CS_MSG_DC_RESULT:
    z = proxy_of(w, zone);
    if (m->type == CS_MSG_DC_HELLO) {
      guint32 pair[2] = { (guint32) m->a, conn };
      g_array_append_vals(z->dc_links, pair, 2);
    }
    gboolean ms_up = z->ms_conn && sim_conn_is_open(sim, z->ms_conn);
    if (!ms_up || !z->ms_ctl || !sim_conn_is_open(sim, z->ms_ctl)) {
      /* No module server behind the proxy: say which port; the endpoint closes. */
      SimMsg *r = sim_msg_new(sim);
      r->type = CS_MSG_DC_REFUSED;
      r->cls = CS_CLS_DIRECT;
      r->size = 100;
      r->a = m->a;
      r->u = ms_up ? CS_DCR_PROXY_NO_CTL : CS_DCR_PROXY_NO_MODULE;
      sim_send(sim, conn, node, r);
      return TRUE;
    }
    send_to(w, z->ms_conn, node, (CsMsgType) m->type, CS_CLS_DIRECT, m->size, (guint32) m->a);
    return TRUE;
  case CS_MSG_DC_WORKLOAD:
    z = proxy_of(w, zone);
    send_to(w, link_of(z, (guint32) m->a), node, CS_MSG_DC_WORKLOAD, CS_CLS_DIRECT, m->size, (guint32) m->a);
    return TRUE;
  default:
    return FALSE;
  }
}

CsModules *cs_modules_new(CsWorld *w)
{
  CsModules *ms = g_new0(CsModules, 1);
  ms->modules = g_array_new(FALSE, TRUE, sizeof(CsModule));
  ms->dc = g_array_new(FALSE, TRUE, sizeof(CsDcSession));
  ms->satellites = g_array_new(FALSE, TRUE, sizeof(CsSatellite));
  ms->proxies = g_array_new(FALSE, TRUE, sizeof(CsZoneProxy));
  return ms;
}

void cs_modules_free(CsWorld *w)
{
  if (!w->module)
    return;
  for (guint i = 0; i < w->module->modules->len; i++) {
    CsModule *m = cs_module_rec(w, i);
    g_free(m->name);
    g_array_free(m->proxy_conns, TRUE);
    g_array_free(m->ctl_conns, TRUE);
    g_array_free(m->pending, TRUE);
  }
  g_array_free(w->module->modules, TRUE);
  g_array_free(w->module->dc, TRUE);
  g_array_free(w->module->satellites, TRUE);
  for (guint i = 0; i < w->module->proxies->len; i++)
    g_array_free(g_array_index(w->module->proxies, CsZoneProxy, i).dc_links, TRUE);
  g_array_free(w->module->proxies, TRUE);
  g_free(w->module->no_cert);
  if (w->module->endpoints)
    g_hash_table_destroy(w->module->endpoints);
  g_free(w->module);
  w->module = NULL;
}

/* --- the world's view ------------------------------------------------------------------ */

SimNodeId cs_world_add_module_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                                     SimNodeId core, gboolean server_cert, GError **error)
{
  guint32 ci = cs_world_server_of_node(w, core);
  if (ci == CS_NONE) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ROLE, "module server %s: 'core' must be a core server", name);
    return SIM_NODE_NONE;
  }
  SimNodeId node = sim_node_add(w->sim, w->kind_module, subnet, addr, w->module->modules->len, error);
  if (node == SIM_NODE_NONE)
    return node;
  CsModule m = { 0 };
  m.node = node;
  m.name = g_strdup(name);
  m.core = ci;
  m.server_cert = server_cert;
  m.proxy_conns = g_array_new(FALSE, TRUE, sizeof(SimConnId));
  m.ctl_conns = g_array_new(FALSE, TRUE, sizeof(SimConnId));
  m.retries = 3;
  m.pending = g_array_new(FALSE, FALSE, sizeof(guint32));
  g_array_append_val(w->module->modules, m);
  cs_world_note_node(w, node, name);
  sim_node_start_at(w->sim, node, 0);
  return node;
}

void cs_world_client_without_cert(CsWorld *w, guint32 client)
{
  g_return_if_fail(client < w->clients.len);
  if (w->module->no_cert_len < w->clients.len) {
    w->module->no_cert = g_renew(guint8, w->module->no_cert, w->clients.len);
    memset(w->module->no_cert + w->module->no_cert_len, 0, w->clients.len - w->module->no_cert_len);
    w->module->no_cert_len = w->clients.len;
  }
  w->module->no_cert[client] = 1;
}

void cs_world_module_retries(CsWorld *w, SimNodeId module, guint32 retries)
{
  g_return_if_fail(sim_node_kind(w->sim, module) == w->kind_module);
  cs_module_rec(w, sim_node_local(w->sim, module))->retries = retries;
}

guint32 cs_world_module_count(const CsWorld *w) { return w->module->modules->len; }
SimNodeId cs_world_module_node(const CsWorld *w, guint32 m) { return cs_module_rec(w, m)->node; }
guint32 cs_world_dc_count(const CsWorld *w) { return w->module->dc->len; }
CsDcState cs_dc_state(const CsWorld *w, guint32 s) { return cs_dc_rec(w, s)->state; }
const char *cs_dc_reason(const CsWorld *w, guint32 s) { return reason_text(cs_dc_rec(w, s)->reason); }
guint32 cs_dc_client(const CsWorld *w, guint32 s) { return cs_dc_rec(w, s)->client; }

SimTime cs_dc_setup_time(const CsWorld *w, guint32 s)
{
  const CsDcSession *d = cs_dc_rec(w, s);
  return d->opened >= 0 ? d->opened - d->requested : -1;
}

guint cs_world_dc_active(const CsWorld *w, SimNodeId module, guint32 *ids, guint max)
{
  guint n = 0;
  guint32 mi = sim_node_local(w->sim, module);
  for (guint32 s = 0; s < w->module->dc->len && n < max; s++)
    if (cs_dc_rec(w, s)->module == mi && cs_dc_rec(w, s)->state == CS_DC_COMPLETE)
      ids[n++] = s;
  return n;
}

SimTime cs_dc_duration(const CsWorld *w, guint32 s)
{
  const CsDcSession *d = cs_dc_rec(w, s);
  if (d->opened < 0)
    return 0;
  return (d->closed_at >= 0 ? d->closed_at : sim_now(w->sim)) - d->opened;
}

SimTime cs_dc_since_last_message(const CsWorld *w, guint32 s)
{
  const CsDcSession *d = cs_dc_rec(w, s);
  return d->opened >= 0 ? sim_now(w->sim) - d->last_msg : 0;
}

guint32 cs_world_satellite_count(const CsWorld *w) { return w->module->satellites->len; }
const char *cs_satellite_status(const CsWorld *w, guint32 s) { return g_array_index(w->module->satellites, CsSatellite, s).status; }
