/* server.c — the core server: registration, peer lists, leader connections,
 * questions and actions pushed to backward leaders, answers collected.
 *
 * Capacity model: `workers` jobs are served at once; each job kind has its
 * own service duration: registration, answer message, leader connection set-up;
 * arrivals beyond that wait in a FIFO ring, so registration latency grows
 * once the arrival rate passes workers / service time.  The server knows a
 * client only through its registrations: the peer list it returns is the
 * registered, recently seen clients of the same neighbourhood, in address
 * order, up to peers_per_side on each side. */
#include "server-private.h"
#include <math.h>
#include <string.h>

/* Connection tag bits at the server. */
/* CT_PERSIST: a leader's (or a chain of one's) persistent connection, either role. */
enum { CT_COUNTED = 1, CT_WAN = 2, CT_LEADER = 4, CT_PERSIST = 8 };


static CsWorld *W(gpointer k) { return k; }

static CsServer *server_of(CsWorld *w, SimNodeId node)
{
  return cs_server_rec(w, sim_node_local(w->sim, node));
}

static void job_push(CsWorld *w, CsServer *s, const CsJob *j)
{
  if (!s->qlast || s->qtail == CS_JOB_BLOCK) {
    CsJobBlock *b = s->qspare ? s->qspare : g_new(CsJobBlock, 1);
    s->qspare = NULL;
    b->next = NULL;
    if (s->qlast)
      s->qlast->next = b;
    else
      s->qfirst = b;
    s->qlast = b;
    s->qtail = 0;
  }
  s->qlast->job[s->qtail++] = *j;
  s->qlen++;
  s->queue_peak = MAX(s->queue_peak, s->qlen);
  w->server->srv_qlen++;
}

static gboolean job_pop(CsWorld *w, CsServer *s, CsJob *out)
{
  if (s->qlen == 0)
    return FALSE;
  *out = s->qfirst->job[s->qhead++];
  s->qlen--;
  w->server->srv_qlen--;
  if (s->qhead == CS_JOB_BLOCK || s->qlen == 0) {
    /* the block is used up (or the queue empty): it goes, one kept spare */
    CsJobBlock *b = s->qfirst;
    s->qfirst = b->next;
    if (!s->qfirst)
      s->qlast = NULL;
    g_free(s->qspare);
    s->qspare = b;
    s->qhead = 0;
  }
  return TRUE;
}

static SimTime service_time(CsServer *s, guint8 kind)
{
  switch (kind) {
  case CS_JOB_REG: return s->p.svc_registration;
  case CS_JOB_REG_INIT: return s->p.svc_initial;
  case CS_JOB_ANSWER:
  case CS_JOB_SHARDS: return s->p.svc_answer;
  default: return s->p.svc_leader;
  }
}

static void start_jobs(CsWorld *w, SimNodeId node, CsServer *s);

static void enqueue(CsWorld *w, SimNodeId node, CsServer *s, CsJob *j)
{
  j->arrived = sim_now(w->sim);
  job_push(w, s, j);
  cs_server_sample(w);
  start_jobs(w, node, s);
}

/* --- peer lists ---------------------------------------------------------------- */

static gboolean peer_live(CsWorld *w, guint32 c, SimTime now)
{
  SimTime seen = w->server->last_seen[c];
  return seen != CS_NEVER_SEEN && now - seen <= w->p.live_timeout;
}

/* The walk's budget bounds a distance: it fits CsRegResp's 16 bits. */
G_STATIC_ASSERT(64 * CS_MAX_PEERS <= G_MAXUINT16);

static void fill_peers(CsWorld *w, guint32 client, CsRegResp *r)
{
  CsClient *cl = cs_client_rec(w, client);
  r->nback = r->nfwd = 0;
  r->builds = w->neigh_builds;
  if (!cs_client_peers(w, cl))
    return;
  CsNeigh *n = &g_array_index(w->neighs, CsNeigh, cl->neigh);
  SimTime now = sim_now(w->sim);
  guint32 want = MIN(w->p.peers_per_side, CS_MAX_PEERS);
  /* Walk outward, skipping clients the server has not heard from lately; a
   * bounded walk keeps a huge, mostly silent neighbourhood cheap. */
  guint32 budget = 64 * want;
  for (gint64 i = (gint64) cl->npos - 1; i >= 0 && r->nback < want && budget; i--, budget--)
    if (peer_live(w, n->members[i], now)) {
      r->back_d[r->nback] = (guint16) (cl->npos - i); /* at most 64 * CS_MAX_PEERS */
      r->back[r->nback++] = n->members[i];
    }
  budget = 64 * want;
  for (guint32 i = cl->npos + 1; i < n->n && r->nfwd < want && budget; i++, budget--)
    if (peer_live(w, n->members[i], now)) {
      r->fwd_d[r->nfwd] = (guint16) (i - cl->npos);
      r->fwd[r->nfwd++] = n->members[i];
    }
}

static guint64 live_mask(GArray *arr, gsize elem, gsize live_off)
{
  guint64 m = 0;
  for (guint i = 0; i < arr->len; i++)
    if (*(gboolean *) ((guint8 *) arr->data + i * elem + live_off))
      m |= G_GUINT64_CONSTANT(1) << i;
  return m;
}

static guint64 questions_live(CsWorld *w) { return live_mask(w->questions, sizeof(CsQuestion), G_STRUCT_OFFSET(CsQuestion, r.live)); }
static guint64 actions_live(CsWorld *w) { return live_mask(w->actions, sizeof(CsAction), G_STRUCT_OFFSET(CsAction, r.live)); }

/* --- job completion ----------------------------------------------------------------- */

/* A connection whose leader hello the server has served (backward, forward,
 * or both for a chain of one) stays open: it counts as persistent from then
 * on, whatever its role, until it closes. */
static void mark_persistent(CsWorld *w, CsServer *s, SimNodeId node, SimConnId c)
{
  guint32 tag = sim_conn_tag(w->sim, c, node);
  if (!(tag & CT_COUNTED) || (tag & CT_PERSIST))
    return;
  sim_conn_set_tag(w->sim, c, node, tag | CT_PERSIST);
  s->persistent++;
  s->persistent_peak = MAX(s->persistent_peak, s->persistent);
  w->server->srv_persistent++;
  cs_server_sample(w);
}

/* What a job does once served (and, with a database, written). */
static void apply_job(CsWorld *w, SimNodeId node, CsServer *s, CsJob *j)
{
  Sim *sim = w->sim;
  cs_hist_add(w->server->hist[CS_H_RESPONSE], sim_now(sim) - j->arrived);
  switch ((CsJobKind) j->kind) {
  case CS_JOB_REG:
  case CS_JOB_REG_INIT: {
    CsRegReq *req = j->blob;
    gboolean initial = j->kind == CS_JOB_REG_INIT;
    j->blob = NULL;
    if (req->batch)
      cs_world_take_batch(w, req->batch);
    w->server->last_seen[j->client] = sim_now(sim);
    w->server->registrations++;
    w->server->registrations_initial += initial;
    cs_world_load_now(w)->registrations++;
    CsRegResp *r = g_new(CsRegResp, 1);
    fill_peers(w, j->client, r);
    r->questions = questions_live(w);
    r->actions = actions_live(w);
    /* A normal response carries what is new to the client; an initial one
     * the settings and the definitions of everything in force. */
    guint64 news = initial ? r->questions | r->actions
                           : (r->questions & ~req->q_seen) | (r->actions & ~req->a_seen);
    SimMsg *m = sim_msg_new(sim);
    m->type = CS_MSG_REG_RESP;
    m->cls = CS_CLS_REGISTRATION;
    m->size = (initial ? w->p.init_resp_bytes : w->p.reg_resp_bytes) + 8u * (r->nback + r->nfwd) +
              (guint64) w->p.question_bytes * (guint64) __builtin_popcountll(news);
    m->blob = r;
    m->a = initial;
    m->u = j->client;
    if (sim_conn_same(sim, j->conn, j->conn_gen))
      sim_send(sim, j->conn, node, m);
    else
      sim_msg_discard(sim, m); /* closed meanwhile: lost, as on a closed connection */
    cs_batch_free(req->batch);
    g_free(req);
    break;
  }
  case CS_JOB_ANSWER:
    cs_world_take_batch(w, j->blob);
    cs_batch_free(j->blob);
    j->blob = NULL;
    break;
  case CS_JOB_SHARDS:
    cs_shards_serve(w, node, j->conn, j->client, j->blob);
    j->blob = NULL;
    break;
  case CS_JOB_NONE:
    break;
  case CS_JOB_LEADER: {
    guint32 role = j->client;
    if (!sim_conn_same(sim, j->conn, j->conn_gen))
      break; /* closed meanwhile (its record may serve another connection now) */
    mark_persistent(w, s, node, j->conn);
    guint32 tag = sim_conn_tag(sim, j->conn, node);
    if ((role & 1) && !(tag & CT_LEADER)) {
      sim_conn_set_tag(sim, j->conn, node, tag | CT_LEADER);
      g_array_append_val(s->leaders, j->conn);
      /* A new backward leader gets what is being asked now. */
      for (guint q = 0; q < w->questions->len && cs_questions_pushed(w); q++) {
        if (!g_array_index(w->questions, CsQuestion, q).r.live)
          continue;
        SimMsg *m = sim_msg_new(sim);
        m->type = CS_MSG_QUESTION;
        m->cls = CS_CLS_QUESTION;
        m->size = w->p.question_bytes;
        m->a = q;
        sim_send(sim, j->conn, node, m);
      }
      for (guint a = 0; a < w->actions->len; a++) {
        if (!g_array_index(w->actions, CsAction, a).r.live)
          continue;
        SimMsg *m = sim_msg_new(sim);
        m->type = CS_MSG_ACTION;
        m->cls = CS_CLS_ACTION;
        m->size = w->p.action_bytes;
        m->a = a;
        sim_send(sim, j->conn, node, m);
      }
    }
    break;
  }
  }
}

/* A job's service ends at `now` (it started at `started`). */
static void finish_job(CsWorld *w, SimNodeId node, CsServer *s, CsJob *j, SimTime started)
{
  cs_hist_add(w->server->hist[CS_H_SERVICE], sim_now(w->sim) - started);
  if (cs_db_needs_write(w, node, j)) {
    cs_db_hold(w, node, j); /* applied when the database has written it */
    return;
  }
  apply_job(w, node, s, j);
}

/* Jobs in service are parked in a slot array; the worker's timer carries the slot. */
static GArray *slots_of(CsServer *s) { return s->slots; }

static void start_jobs(CsWorld *w, SimNodeId node, CsServer *s)
{
  CsJob j;
  while (s->busy < s->p.workers && job_pop(w, s, &j)) {
    GArray *slots = slots_of(s);
    guint slot = 0;
    while (slot < slots->len && g_array_index(slots, CsSlot, slot).used)
      slot++;
    if (slot == slots->len)
      g_array_set_size(slots, slot + 1);
    CsSlot *sl = &g_array_index(slots, CsSlot, slot);
    sl->job = j;
    sl->used = TRUE;
    sl->started = sim_now(w->sim);
    cs_hist_add(w->server->hist[CS_H_QUEUE], sl->started - j.arrived);
    s->busy++;
    sim_timer_start(w->sim, node, service_time(s, j.kind), CS_STAG_JOB_DONE, slot);
  }
}

/* --- callbacks ------------------------------------------------------------------------ */

static void srv_start(Sim *sim, SimNodeId node, gpointer k)
{
  CsServer *s = server_of(W(k), node);
  s->busy = 0;
  s->started_at = sim_now(sim);
  cs_db_server_connect(W(k), node);
  cs_hub_start(W(k), sim_node_local(sim, node)); /* the zone hub opens its tunnels */
}

void cs_job_blob_free(guint8 kind, gpointer blob)
{
  if (!blob)
    return;
  switch ((CsJobKind) kind) {
  case CS_JOB_REG:
  case CS_JOB_REG_INIT: cs_reg_req_free(blob); break;
  case CS_JOB_SHARDS: cs_shard_req_free(blob); break;
  default: cs_batch_free(blob); break;
  }
}

static void srv_crashed(Sim *sim, SimNodeId node, gpointer k)
{
  CsServer *s = server_of(W(k), node);
  CsJob j;
  while (job_pop(W(k), s, &j))
    cs_job_blob_free(j.kind, j.blob);
  GArray *slots = slots_of(s);
  for (guint i = 0; i < slots->len; i++) {
    CsSlot *sl = &g_array_index(slots, CsSlot, i);
    if (sl->used)
      cs_job_blob_free(sl->job.kind, sl->job.blob);
    sl->used = FALSE;
  }
  s->busy = 0;
  CsWorld *w = W(k);
  cs_db_server_reset(w, node);
  g_array_set_size(s->leaders, 0);
  w->server->srv_conns -= s->conns;
  w->server->srv_persistent -= s->persistent;
  s->conns = s->wan_conns = s->persistent = 0;
  cs_server_sample(w);
  /* The hub's tunnels went with the crash; a restart opens them again. */
  cs_hub_crashed(w, sim_node_local(sim, node));
}

static void srv_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId c, gboolean inbound)
{
  CsServer *s = server_of(W(k), node);
  if (!inbound && cs_db_server_connected(W(k), node, c))
    return; /* its database */
  if (!inbound && cs_hub_connected(W(k), node, c))
    return; /* a tunnel the hub opened: not a client connection */
  guint32 tag = CT_COUNTED;
  s->conns++;
  s->conns_peak = MAX(s->conns_peak, s->conns);
  s->others_peak = MAX(s->others_peak, s->conns - s->persistent);
  W(k)->server->srv_conns++;
  cs_server_sample(W(k));
  if (sim_node_site(sim, sim_conn_peer(sim, c, node)) != sim_node_site(sim, node)) {
    tag |= CT_WAN;
    s->wan_conns++;
    s->wan_conns_peak = MAX(s->wan_conns_peak, s->wan_conns);
  }
  sim_conn_set_tag(sim, c, node, tag);
}

static void srv_connect_failed(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimConnError why)
{
  if (cs_db_server_conn_gone(W(k), node, c))
    return;
  cs_hub_conn_gone(W(k), node, c);
}

static void srv_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimConnError why)
{
  CsServer *s = server_of(W(k), node);
  if (cs_db_server_conn_gone(W(k), node, c) || cs_hub_conn_gone(W(k), node, c))
    return;
  guint32 tag = sim_conn_tag(sim, c, node);
  if (tag & CT_COUNTED) {
    s->conns--;
    W(k)->server->srv_conns--;
  }
  if (tag & CT_PERSIST) {
    s->persistent--;
    W(k)->server->srv_persistent--;
  }
  if (tag & (CT_COUNTED | CT_PERSIST))
    cs_server_sample(W(k));
  if (tag & CT_WAN)
    s->wan_conns--;
  if (tag & CT_LEADER) {
    for (guint i = 0; i < s->leaders->len; i++) {
      if (g_array_index(s->leaders, SimConnId, i) == c) {
        g_array_remove_index(s->leaders, i); /* keeps the order: pushes stay deterministic */
        break;
      }
    }
  }
}

static void srv_message(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimMsg *m)
{
  CsWorld *w = W(k);
  CsServer *s = server_of(w, node);
  CsJob j = { 0 };
  j.conn = c;
  j.conn_gen = sim_conn_gen(sim, c);
  /* Over a tunnel the zone server names the external client. */
  j.client = cs_conn_is_tunnel(w, c) ? m->u : cs_world_node_client(w, sim_conn_peer(sim, c, node));
  switch ((CsMsgType) m->type) {
  case CS_MSG_REG_REQ: {
    if (j.client == CS_NONE)
      return;
    /* Initial when the client says so, or when this server has not heard
     * from it since it (re)started: it answers with everything. */
    SimTime seen = w->server->last_seen[j.client];
    gboolean initial = m->a || seen == CS_NEVER_SEEN || seen < s->started_at;
    j.kind = initial ? CS_JOB_REG_INIT : CS_JOB_REG;
    j.blob = m->blob;
    m->blob = NULL;
    break;
  }
  case CS_MSG_LEADER_HELLO:
    j.kind = CS_JOB_LEADER;
    j.client = (guint32) m->a; /* the role bits */
    break;
  case CS_MSG_ANSWER:
    j.kind = CS_JOB_ANSWER;
    j.blob = m->blob;
    m->blob = NULL;
    break;
  case CS_MSG_DB_DONE:
    if (cs_db_take_done(w, node, (guint32) m->a, &j))
      apply_job(w, node, s, &j);
    return;
  case CS_MSG_DC_OPEN:
    cs_dc_deploy(w, (guint32) m->a); /* the module server's open-session action */
    return;
  case CS_MSG_SHARD_FETCH:
    if (j.client == CS_NONE || !m->blob)
      return;
    j.kind = CS_JOB_SHARDS;
    j.blob = m->blob;
    m->blob = NULL;
    break;
  default:
    return;
  }
  enqueue(w, node, s, &j);
}

static void srv_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  CsWorld *w = W(k);
  CsServer *s = server_of(w, node);
  if (tag == CS_STAG_DB_RETRY) {
    cs_db_server_connect(w, node);
    return;
  }
  if (tag == CS_STAG_HUB_RETRY) {
    cs_hub_retry(w, node, arg);
    return;
  }
  if (tag == CS_STAG_THROTTLE) {
    cs_shards_throttle_done(w, node, arg);
    return;
  }
  if (tag != CS_STAG_JOB_DONE)
    return;
  GArray *slots = slots_of(s);
  CsSlot *sl = &g_array_index(slots, CsSlot, (guint) arg);
  CsJob j = sl->job;
  sl->used = FALSE;
  s->busy--;
  finish_job(w, node, s, &j, sl->started);
  start_jobs(w, node, s);
}

static const guint16 server_ports[] = { CS_PORT_CLIENT, 443, 0 }; /* 443: module servers */

const SimNodeKind cs_server_kind = {
  .name = "server",
  .start = srv_start,
  .crashed = srv_crashed,
  .message = srv_message,
  .connected = srv_connected,
  .connect_failed = srv_connect_failed,
  .closed = srv_closed,
  .timer = srv_timer,
  .ports = server_ports,
};

/* --- pushes from the operator ---------------------------------------------------------- */

static void push_all(CsWorld *w, CsMsgType type, SimClass cls, guint32 size, guint32 id)
{
  for (guint i = 0; i < w->server->servers->len; i++) {
    CsServer *s = cs_server_rec(w, i);
    if (!sim_node_is_up(w->sim, s->node))
      continue;
    for (guint k = 0; k < s->leaders->len; k++) {
      SimMsg *m = sim_msg_new(w->sim);
      m->type = type;
      m->cls = (guint8) cls;
      m->size = size;
      m->a = id;
      sim_send(w->sim, g_array_index(s->leaders, SimConnId, k), s->node, m);
    }
  }
}

void cs_server_push_question(CsWorld *w, guint32 q)
{
  if (!cs_questions_pushed(w))
    return; /* each client learns of it at its next registration */
  push_all(w, CS_MSG_QUESTION, CS_CLS_QUESTION, w->p.question_bytes, q);
  cs_zone_push(w, CS_MSG_QUESTION, CS_CLS_QUESTION, w->p.question_bytes, q);
}

void cs_server_push_action(CsWorld *w, guint32 a)
{
  push_all(w, CS_MSG_ACTION, CS_CLS_ACTION, w->p.action_bytes, a);
  cs_zone_push(w, CS_MSG_ACTION, CS_CLS_ACTION, w->p.action_bytes, a);
}

void cs_server_sample(CsWorld *w)
{
  /* The peaks of the current bucket, all servers together.  The levels only
   * change at arrivals, departures, connections and hellos, so sampling there
   * misses nothing and costs no events of its own. */
  CsServerLoad *l = cs_world_load_now(w);
  l->queue_peak = MAX(l->queue_peak, w->server->srv_qlen);
  l->connections_peak = MAX(l->connections_peak, w->server->srv_conns);
  l->persistent_peak = MAX(l->persistent_peak, w->server->srv_persistent);
}

/* --- the servers' state and books (world.h's observations of them) ------------------ */

CsServers *cs_servers_new(CsWorld *w)
{
  CsServers *ss = g_new0(CsServers, 1);
  ss->servers = g_array_new(FALSE, TRUE, sizeof(CsServer));
  ss->load = g_array_new(FALSE, TRUE, sizeof(CsServerLoad));
  for (int h = 0; h < CS_H_COUNT; h++)
    ss->hist[h] = g_new0(CsHist, 1);
  return ss;
}

void cs_servers_free(CsWorld *w)
{
  if (!w->server)
    return;
  for (guint i = 0; i < w->server->servers->len; i++) {
    CsServer *s = cs_server_rec(w, i);
    CsJob j;
    while (job_pop(w, s, &j))
      cs_job_blob_free(j.kind, j.blob);
    g_free(s->qspare);
    for (guint k = 0; k < s->slots->len; k++) {
      CsSlot *sl = &g_array_index(s->slots, CsSlot, k);
      if (sl->used)
        cs_job_blob_free(sl->job.kind, sl->job.blob);
    }
    g_free(s->name);
    g_array_free(s->leaders, TRUE);
    g_array_free(s->slots, TRUE);
  }
  g_array_free(w->server->servers, TRUE);
  g_free(w->server->last_seen);
  g_array_free(w->server->load, TRUE);
  for (int h = 0; h < CS_H_COUNT; h++)
    g_free(w->server->hist[h]);
  g_free(w->server);
  w->server = NULL;
}

guint32 cs_server_append(CsWorld *w, SimNodeId node, const char *name, const CsServerParams *params)
{
  CsServer s;
  memset(&s, 0, sizeof s);
  if (params)
    s.p = *params;
  else
    cs_server_params_default(&s.p);
  if (s.p.workers == 0)
    s.p.workers = 1;
  s.node = node;
  s.name = g_strdup(name);
  s.leaders = g_array_new(FALSE, FALSE, sizeof(SimConnId));
  s.slots = g_array_new(FALSE, TRUE, sizeof(CsSlot));
  g_array_append_vals(w->server->servers, &s, 1);
  return w->server->servers->len - 1;
}

void cs_servers_clients_added(CsWorld *w, guint32 first)
{
  w->server->last_seen = g_renew(SimTime, w->server->last_seen, MAX(w->clients.len, 1));
  for (guint32 i = first; i < w->clients.len; i++)
    w->server->last_seen[i] = CS_NEVER_SEEN;
}

CsServer *cs_server_rec(const CsWorld *w, guint32 s) { return &g_array_index(w->server->servers, CsServer, s); }
guint32 cs_world_server_count(const CsWorld *w) { return w->server->servers->len; }
SimNodeId cs_world_server_node(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->node; }
guint32 cs_server_connections(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->conns; }
guint32 cs_server_leader_connections(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->leaders->len; }
guint32 cs_server_wan_connections(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->wan_conns; }
guint32 cs_server_persistent_connections(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->persistent; }
guint32 cs_server_persistent_peak(const CsWorld *w, guint32 i) { return cs_server_rec(w, i)->persistent_peak; }
void cs_server_note_queued(CsWorld *w, gint32 delta) { w->server->srv_qlen += (guint32) delta; }

static void ival_add(CsIntervalStats *s, SimTime v)
{
  if (s->n == 0 || v < s->min)
    s->min = v;
  if (s->n == 0 || v > s->max)
    s->max = v;
  s->n++;
  s->mean_s += sim_time_to_s(v);
}

void cs_world_note_interval(CsWorld *w, gboolean initial, SimTime interval)
{
  ival_add(initial ? &w->server->ival_initial : &w->server->ival_normal, interval);
}

void cs_world_reg_intervals(const CsWorld *w, CsIntervalStats *normal, CsIntervalStats *initial)
{
  *normal = w->server->ival_normal;
  *initial = w->server->ival_initial;
  if (normal->n)
    normal->mean_s /= (double) normal->n;
  if (initial->n)
    initial->mean_s /= (double) initial->n;
}

void cs_world_note_registration(CsWorld *w, guint32 client, SimTime latency)
{
  cs_hist_add(w->server->hist[CS_H_REG_LATENCY], latency);
}

/* A histogram's quantile in ms, NAN when it has no sample. */
static double hist_ms(const CsHist *h, double p)
{
  SimTime t = cs_hist_quantile(h, p);
  return t < 0 ? NAN : sim_time_to_ms(t);
}

void cs_world_server_summary(const CsWorld *w, CsServerSummary *out)
{
  memset(out, 0, sizeof *out);
  out->registrations = w->server->registrations;
  out->initial = w->server->registrations_initial;
  guint32 peak = 0;
  const CsServerLoad *load;
  guint nb = cs_world_server_load(w, &load);
  for (guint i = 0; i < nb; i++)
    peak = MAX(peak, load[i].registrations);
  double bucket_s = sim_time_to_s(sim_params(w->sim)->bucket);
  double span = sim_time_to_s(sim_now(w->sim));
  out->per_second_mean = span > 0 ? (double) w->server->registrations / span : 0;
  out->per_second_peak = (double) peak / bucket_s;
  out->latency_ms_p50 = hist_ms(w->server->hist[CS_H_REG_LATENCY], 0.5);
  out->latency_ms_p99 = hist_ms(w->server->hist[CS_H_REG_LATENCY], 0.99);
  for (guint i = 0; i < w->server->servers->len; i++) {
    CsServer *s = cs_server_rec(w, i);
    out->connections_peak = MAX(out->connections_peak, s->conns_peak);
    out->persistent_peak = MAX(out->persistent_peak, s->persistent_peak);
    out->persistent_end = MAX(out->persistent_end, s->persistent);
    out->registration_peak = MAX(out->registration_peak, s->others_peak);
    out->wan_connections_peak += s->wan_conns_peak;
    out->queue_peak = MAX(out->queue_peak, s->queue_peak);
  }
  out->queue_ms_p50 = hist_ms(w->server->hist[CS_H_QUEUE], 0.5);
  out->queue_ms_p99 = hist_ms(w->server->hist[CS_H_QUEUE], 0.99);
  out->service_ms_p50 = hist_ms(w->server->hist[CS_H_SERVICE], 0.5);
  out->service_ms_p99 = hist_ms(w->server->hist[CS_H_SERVICE], 0.99);
  out->response_ms_p50 = hist_ms(w->server->hist[CS_H_RESPONSE], 0.5);
  out->response_ms_p99 = hist_ms(w->server->hist[CS_H_RESPONSE], 0.99);
}

static CsServerLoad *load_bucket(CsWorld *w, guint b)
{
  while (w->server->load->len <= b) {
    /* A bucket starts at the levels the last one ended with. */
    CsServerLoad l = { 0, w->server->srv_qlen, w->server->srv_conns, w->server->srv_persistent };
    g_array_append_val(w->server->load, l);
  }
  return &g_array_index(w->server->load, CsServerLoad, b);
}

CsServerLoad *cs_world_load_now(CsWorld *w)
{
  return load_bucket(w, (guint) (sim_now(w->sim) / sim_params(w->sim)->bucket));
}

guint cs_world_server_load(const CsWorld *w, const CsServerLoad **load)
{
  /* Every bucket the run has entered (one that starts at the end is not):
   * the buckets the run has not sampled yet are completed on this read, as
   * the next sample would (a book, not behaviour). */
  SimTime now = sim_now(w->sim);
  load_bucket((CsWorld *) w, now > 0 ? (guint) ((now - 1) / sim_params(w->sim)->bucket) : 0);
  *load = (const CsServerLoad *) w->server->load->data;
  return w->server->load->len;
}
