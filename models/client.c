/* client.c — the endpoint agent: registration, the linear chain, questions,
 * answers and actions.
 *
 * Registration: an initial one at start (and again every [2 h, 6 h]), a
 * normal one every [30 s, 90 s], each over a short-lived connection; the
 * response carries the peer list and the questions and actions in force.
 *
 * The chain: for each side (backward, forward) the client keeps one outgoing
 * connection.  It walks its candidates closest-first; if every candidate
 * fails it connects to the server instead and is that side's leader
 * (reflection when there were candidates).  A lost neighbour makes it walk on
 * from the next candidate; a new, closer candidate in a later peer list is
 * tried while the current connection stays up, and replaces it on success.
 *
 * Questions pass forward at once; each targeted client evaluates its sensor
 * and adds its answer to a batch that merges what arrives from behind; the
 * batch moves forward when the batching window closes, and the forward
 * leader hands it to the server.  Actions spread the same way. */
#include "client-private.h"
#include <string.h>

#define LEADER_RETRY (10 * SIM_S)
/* failed_at[side] of a neighbour that left gracefully (failed_closest[side]):
 * failing to reach it is no failure, so it is tried at every registration
 * and regains its place as soon as it is back. */
#define LEFT_GRACEFULLY (G_MININT64 / 4)

static CsWorld *W(gpointer k) { return k; }
static guint32 idx_of(CsWorld *w, SimNodeId node) { return sim_node_local(w->sim, node); }

static SimTime draw(Sim *sim, SimNodeId node, SimTime lo, SimTime hi)
{
  return sim_rng_range(sim_node_rng(sim, node), lo, hi);
}

/* --- registration ------------------------------------------------------------- */

static guint32 pick_server(CsWorld *w, CsClient *c)
{
  guint n = cs_world_server_count(w);
  if (n <= 1)
    return 0;
  /* A random entry among those with the fewest failed connects. */
  guint8 best = G_MAXUINT8;
  guint ties = 0;
  for (guint i = 0; i < n; i++) {
    guint8 f = i < 4 ? c->server_fails[i] : 0;
    if (f < best) {
      best = f;
      ties = 1;
    } else if (f == best) {
      ties++;
    }
  }
  guint pick = (guint) sim_rng_below(sim_node_rng(w->sim, c->node), ties);
  for (guint i = 0; i < n; i++) {
    guint8 f = i < 4 ? c->server_fails[i] : 0;
    if (f == best && pick-- == 0)
      return i;
  }
  return 0;
}

static SimNodeId server_node(CsWorld *w, CsClient *c)
{
  return cs_client_server_node(w, c);
}

SimNodeId cs_client_server_node(const CsWorld *w, const CsClient *c)
{
  /* External clients talk to their zone server; it relays to the core. */
  if (c->zone != CS_NONE)
    return cs_world_zone_node(w, c->zone);
  return cs_world_server_node(w, c->server);
}

/* A client peers when peering is on and it has a neighbourhood: an external
 * client, an isolated one (VPN pool) and every client with peering off is a
 * chain of one, holding its own connection to its server (or zone server). */
guint cs_client_server_tls(const CsWorld *w, const CsClient *c)
{
  if (!w->p.tls)
    return SIM_TLS_NONE;
  /* The last registration completed is the client's last session with a
   * server (it is reset with the agent). */
  if (w->p.tls_resume && c->reg_done >= 0 && sim_now(w->sim) - c->reg_done <= w->p.tls_resume_lifetime)
    return SIM_TLS_RESUMED;
  return SIM_TLS_FULL;
}

gboolean cs_client_peers(const CsWorld *w, const CsClient *c)
{
  return w->p.peering && c->zone == CS_NONE && c->neigh != CS_NONE;
}

/* Arms the client's one registration timer: `tag` after `delay`, unless the
 * next initial registration is due by then (it comes first: it begins a
 * registration, which cancels a normal one's timer, and while one is in
 * progress, its timeout is armed again; see CS_TAG_INIT).  One pending
 * event per client instead of two. */
static void reg_arm(CsWorld *w, CsClient *c, SimTime delay, guint32 tag)
{
  SimTime now = sim_now(w->sim);
  if (c->init_due > 0 && c->init_due - now <= delay) {
    delay = c->init_due - now;
    tag = CS_TAG_INIT;
  }
  c->reg_timer = sim_timer_start(w->sim, c->node, delay, tag, 0);
}

static void reg_begin(CsWorld *w, CsClient *c)
{
  if (c->reg_conn || cs_world_server_count(w) == 0)
    return;
  sim_timer_cancel(w->sim, c->reg_timer); /* an initial one can come first */
  c->server = (guint8) pick_server(w, c);
  c->reg_started = sim_now(w->sim);
  if (c->reg_initial && c->init_done >= 0)
    cs_world_note_interval(w, TRUE, c->reg_started - c->init_done);
  else if (!c->reg_initial && c->reg_done >= 0)
    cs_world_note_interval(w, FALSE, c->reg_started - c->reg_done);
  c->reg_conn = sim_connect(w->sim, c->node, sim_node_addr(w->sim, server_node(w, c)), CS_PORT_CLIENT,
                            CS_CLS_REGISTRATION, cs_client_server_tls(w, c));
  reg_arm(w, c, w->p.reg_timeout, CS_TAG_REG_TIMEOUT);
}

static void reg_next(CsWorld *w, CsClient *c)
{
  reg_arm(w, c, draw(w->sim, c->node, w->p.reg_min, w->p.reg_max), CS_TAG_REG);
}

static void reg_failed(CsWorld *w, CsClient *c)
{
  sim_timer_cancel(w->sim, c->reg_timer);
  c->reg_conn = 0;
  if (c->server < 4 && c->server_fails[c->server] < G_MAXUINT8)
    c->server_fails[c->server]++;
  reg_next(w, c);
}

static gboolean has_forward_path(const CsClient *c)
{
  return c->cur_kind[CS_FWD] != CS_SIDE_NONE;
}

static void reg_send(CsWorld *w, CsClient *c)
{
  CsRegReq *req = g_new0(CsRegReq, 1);
  req->q_seen = c->q_seen;
  req->a_seen = c->a_seen;
  guint32 entries = 0;
  if (c->batch && !has_forward_path(c)) {
    /* No chain to carry them: answers ride on the registration. */
    req->batch = c->batch;
    entries = c->batch->len;
    c->batch = NULL;
    c->batch_q = 0;
  }
  SimMsg *m = sim_msg_new(w->sim);
  m->type = CS_MSG_REG_REQ;
  m->cls = CS_CLS_REGISTRATION;
  m->size = (c->reg_initial ? w->p.init_bytes : w->p.reg_bytes) + (guint64) entries * w->p.answer_row_bytes;
  m->a = c->reg_initial;
  m->blob = req;
  m->blob_free = cs_reg_req_free;
  sim_send(w->sim, c->reg_conn, c->node, m);
}

/* --- the chain ----------------------------------------------------------------- */

static void side_walk(CsWorld *w, CsClient *c, int side, guint idx, guint limit);

/* Books what clients send each other, per class (satellite secrets must
 * never show up here). */
void cs_client_book_peer(CsWorld *w, SimConnId conn, SimNodeId from, SimClass cls, guint64 size)
{
  if (cs_world_node_client(w, sim_conn_peer(w->sim, conn, from)) != CS_NONE)
    w->client->peer_bytes[cls] += size;
}


static void connect_server(CsWorld *w, CsClient *c, int side)
{
  c->try_idx[side] = CS_TRY_SERVER;
  c->trying[side] = sim_connect(w->sim, c->node, sim_node_addr(w->sim, server_node(w, c)), CS_PORT_CLIENT,
                                CS_CLS_PEER, cs_client_server_tls(w, c));
}

/* Where `peer` stands in a side's list, -1 when it is not in it.  The list
 * keeps distances in the neighbourhood (cs_neigh_peer). */
static int cand_pos(const CsWorld *w, const CsClient *c, int side, guint32 peer)
{
  guint16 d;
  if (c->ncand[side] == 0 || peer == CS_NONE || !cs_neigh_distance(w, c, side, peer, &d))
    return -1;
  for (int i = 0; i < c->ncand[side]; i++)
    if (c->cand[side][i] == d)
      return i;
  return -1;
}

/* Tries candidates idx .. limit-1 in turn; with none left and no current
 * connection, leads that side through the server. */
static void side_walk(CsWorld *w, CsClient *c, int side, guint idx, guint limit)
{
  if (c->trying[side])
    return;
  limit = MIN(limit, c->ncand[side]);
  if (idx < limit && c->cur_kind[side] == CS_SIDE_PEER) {
    guint16 cur;
    if (cs_neigh_distance(w, c, side, c->cur_peer[side], &cur))
      while (idx < limit && c->cand[side][idx] == cur)
        idx++;
  }
  if (idx < limit) {
    guint32 peer = cs_neigh_peer(w, c, side, c->cand[side][idx]);
    c->try_idx[side] = (guint8) idx;
    c->try_peer[side] = peer;
    c->try_limit[side] = (guint8) limit;
    c->trying[side] = sim_connect(w->sim, c->node, sim_node_addr(w->sim, cs_world_client_node(w, peer)),
                                  CS_PORT_CLIENT, CS_CLS_PEER, w->p.tls_peers);
    return;
  }
  if (cs_world_server_count(w) == 0)
    return;
  if (c->cur_kind[side] == CS_SIDE_PEER && c->abandon[side]) {
    /* The current neighbour is no longer in the peer list (it came from an
     * earlier, sparser one) and nothing in the list answers: reflect, as a
     * client with this list would have from the start. */
    c->abandon[side] = 0;
    sim_close(w->sim, c->cur[side], c->node);
    c->cur[side] = 0;
    c->cur_kind[side] = CS_SIDE_NONE;
    c->cur_peer[side] = CS_NONE;
  }
  if (c->cur_kind[side] != CS_SIDE_NONE)
    return; /* a replacement walk found nothing better: keep what we have */
  c->reflected[side] = c->ncand[side] > 0;
  connect_server(w, c, side);
}

/* Whether the closest candidate is one that failed not long ago. */
static gboolean recently_failed(CsWorld *w, CsClient *c, int side)
{
  return cand_pos(w, c, side, c->failed_closest[side]) == 0 && sim_now(w->sim) - c->failed_at[side] < CS_PEER_RETRY;
}

/* A new peer list (or a lost neighbour): decide whether to walk. */
static void side_consider(CsWorld *w, CsClient *c, int side)
{
  if (c->trying[side])
    return;
  guint n = c->ncand[side];
  switch (c->cur_kind[side]) {
  case CS_SIDE_NONE:
    side_walk(w, c, side, 0, n);
    break;
  case CS_SIDE_PEER: {
    int pos = cand_pos(w, c, side, c->cur_peer[side]);
    if (pos < 0 && n > 0) {
      /* The neighbour dropped out of the list: find the right one. */
      c->abandon[side] = 1;
      side_walk(w, c, side, 0, n);
      break;
    }
    guint limit = pos < 0 ? n : (guint) pos;
    if (limit > 0 && !recently_failed(w, c, side))
      side_walk(w, c, side, 0, limit);
    break;
  }
  case CS_SIDE_SERVER:
    if (n > 0 && !recently_failed(w, c, side))
      side_walk(w, c, side, 0, n);
    break;
  }
}

static void chain_start(CsWorld *w, CsClient *c)
{
  if (!cs_client_peers(w, c)) {
    /* Every client keeps its own connection to the server, both roles. */
    if (c->cur_kind[CS_FWD] == CS_SIDE_NONE && !c->trying[CS_FWD] && cs_world_server_count(w))
      connect_server(w, c, CS_FWD);
    return;
  }
  side_consider(w, c, CS_BACK);
  side_consider(w, c, CS_FWD);
}

static void send_simple(CsWorld *w, CsClient *c, SimConnId conn, CsMsgType type, SimClass cls,
                        guint32 size, guint64 a, guint32 u)
{
  SimMsg *m = sim_msg_new(w->sim);
  m->type = type;
  m->cls = (guint8) cls;
  m->size = size;
  m->a = a;
  m->u = u;
  cs_client_book_peer(w, conn, c->node, (SimClass) m->cls, m->size);
  sim_send(w->sim, conn, c->node, m);
}

static void flush_batch(CsWorld *w, CsClient *c);

static void side_connected(CsWorld *w, CsClient *c, int side, SimConnId conn)
{
  SimConnId old = c->cur[side];
  c->trying[side] = 0;
  c->abandon[side] = 0;
  c->cur[side] = conn;
  if (c->try_idx[side] == CS_TRY_SERVER) {
    c->cur_kind[side] = CS_SIDE_SERVER;
    c->cur_peer[side] = CS_NONE;
    guint32 role = !cs_client_peers(w, c) ? 3u : side == CS_BACK ? 1u : 2u;
    send_simple(w, c, conn, CS_MSG_LEADER_HELLO, CS_CLS_PEER, 200, role, 0);
  } else {
    c->cur_kind[side] = CS_SIDE_PEER;
    c->cur_peer[side] = c->try_peer[side];
    c->reflected[side] = 0;
    if (c->failed_closest[side] == c->cur_peer[side])
      c->failed_closest[side] = CS_NONE; /* back (a neighbour that had left) */
  }
  if (old && old != conn)
    sim_close(w->sim, old, c->node);
  if (side == CS_FWD && c->batch && !sim_timer_pending(w->sim, c->batch_timer))
    flush_batch(w, c);
}

static void side_connect_failed(CsWorld *w, CsClient *c, int side)
{
  c->trying[side] = 0;
  if (c->try_idx[side] == CS_TRY_SERVER) {
    sim_timer_start(w->sim, c->node, LEADER_RETRY, CS_TAG_RETRY, (guint64) side);
    return;
  }
  /* Walk on from where the failed peer stands in the list now (a
   * registration or an introduction may have changed the list meanwhile). */
  int pos = cand_pos(w, c, side, c->try_peer[side]);
  guint idx = pos >= 0 ? (guint) pos : c->try_idx[side];
  gboolean left = c->failed_closest[side] == c->try_peer[side] && c->failed_at[side] == LEFT_GRACEFULLY;
  if (idx == 0 && !left) {
    c->failed_closest[side] = c->try_peer[side];
    c->failed_at[side] = sim_now(w->sim);
  }
  side_walk(w, c, side, idx + 1, MAX(c->try_limit[side], idx + 1));
}

static void side_lost(CsWorld *w, CsClient *c, int side)
{
  guint32 lost = c->cur_peer[side];
  guint8 kind = c->cur_kind[side];
  c->cur[side] = 0;
  c->cur_kind[side] = CS_SIDE_NONE;
  c->cur_peer[side] = CS_NONE;
  if (!cs_client_peers(w, c)) {
    chain_start(w, c);
    return;
  }
  if (c->trying[side])
    return;
  int pos = kind == CS_SIDE_PEER ? cand_pos(w, c, side, lost) : -1;
  side_walk(w, c, side, (guint) (pos + 1), c->ncand[side]);
}

/* --- questions, actions and answers ------------------------------------------------ */

static void arm_batch(CsWorld *w, CsClient *c)
{
  if (!sim_timer_pending(w->sim, c->batch_timer))
    c->batch_timer = sim_timer_start(w->sim, c->node, w->p.batch_window, CS_TAG_BATCH, 0);
}


static void flush_batch(CsWorld *w, CsClient *c)
{
  if (!c->batch || c->batch->len == 0)
    return;
  if (c->cur_kind[CS_FWD] == CS_SIDE_NONE || !sim_conn_is_open(w->sim, c->cur[CS_FWD])) {
    /* A chain re-forming: try again.  A chain of one sends it when its
     * server connection opens, or its next registration carries it. */
    if (cs_client_peers(w, c))
      arm_batch(w, c);
    return;
  }
  SimMsg *m = sim_msg_new(w->sim);
  m->type = CS_MSG_ANSWER;
  m->cls = CS_CLS_ANSWER;
  m->size = w->p.answer_bytes + (guint64) c->batch->len * w->p.answer_row_bytes;
  m->blob = c->batch;
  m->blob_free = cs_batch_free;
  c->batch = NULL;
  c->batch_q = 0;
  cs_client_send(w, c, c->cur[CS_FWD], m);
}

static void add_entry(CsWorld *w, CsClient *c, const CsEntry *e)
{
  if (!c->batch || c->batch->len == 0)
    c->batch_started = sim_now(w->sim);
  if (!c->batch)
    c->batch = cs_batch_new();
  cs_batch_add(c->batch, e);
  if (e->kind == CS_E_COUNT || e->kind == CS_E_ROW)
    c->batch_q |= G_GUINT64_CONSTANT(1) << e->id;
  arm_batch(w, c);
}

void cs_client_report(CsWorld *w, CsClient *c, const CsEntry *e) { add_entry(w, c, e); }

static guint32 client_index(CsWorld *w, CsClient *c);

/* Question q is complete up to this client when its own answer is in (or it
 * is not a target) and everything behind it has come: a completion mark from
 * behind, or nothing behind (a backward leader, no chain). */
static gboolean q_ready(CsWorld *w, CsClient *c, guint32 q)
{
  guint64 bit = G_GUINT64_CONSTANT(1) << q;
  if (!(c->q_seen & bit) || (c->q_done_sent & bit))
    return FALSE;
  CsQuestion *qq = &g_array_index(w->questions, CsQuestion, q);
  if (cs_rollout_targets(&qq->r, client_index(w, c)) && !(c->q_answered & bit))
    return FALSE;
  return (c->q_behind_done & bit) || c->cur_kind[CS_BACK] != CS_SIDE_PEER;
}

static void mark_done(CsWorld *w, CsClient *c, guint32 q)
{
  CsEntry e = { .kind = CS_E_DONE, .id = (guint8) q };
  c->q_done_sent |= G_GUINT64_CONSTANT(1) << q;
  add_entry(w, c, &e);
}

/* Passes question q on at once when it is complete up to here: the merged
 * answers sweep the chain in one pass, one message per hop. */
static void check_ready(CsWorld *w, CsClient *c, guint32 q)
{
  if (!q_ready(w, c, q))
    return;
  mark_done(w, c, q);
  flush_batch(w, c);
}

/* The batching window closed: late answers go on now, but answers of a
 * question still waiting for what is behind are held (they go with the
 * completion), up to answer_hold, after which the client passes on what it
 * has and marks it complete so the chain never stalls behind a dead peer. */
static void batch_window_closed(CsWorld *w, CsClient *c)
{
  if (!c->batch)
    return; /* a batch is made with its first entry and leaves whole */
  guint64 waiting = c->batch_q & ~c->q_done_sent;
  if (waiting) {
    SimTime held = sim_now(w->sim) - c->batch_started;
    if (held < w->p.answer_hold) {
      SimTime left = w->p.answer_hold - held;
      c->batch_timer = sim_timer_start(w->sim, c->node, MIN(left, w->p.batch_window), CS_TAG_BATCH, 0);
      return;
    }
    for (guint q = 0; q < 64; q++)
      if (waiting & (G_GUINT64_CONSTANT(1) << q))
        mark_done(w, c, q);
  }
  flush_batch(w, c);
}

static guint32 client_index(CsWorld *w, CsClient *c) { return idx_of(w, c->node); }

static void got_question(CsWorld *w, CsClient *c, guint32 q)
{
  guint64 bit = G_GUINT64_CONSTANT(1) << q;
  if (q >= w->questions->len || (c->q_seen & bit))
    return;
  c->q_seen |= bit;
  if (c->cur_kind[CS_FWD] == CS_SIDE_PEER && cs_questions_pushed(w))
    send_simple(w, c, c->cur[CS_FWD], CS_MSG_QUESTION, CS_CLS_QUESTION, w->p.question_bytes, q, 0);
  CsQuestion *qq = &g_array_index(w->questions, CsQuestion, q);
  if (cs_rollout_targets(&qq->r, client_index(w, c)) && !(c->q_answered & bit))
    sim_timer_start(w->sim, c->node, draw(w->sim, c->node, w->p.sensor_min, w->p.sensor_max), CS_TAG_EVAL, q);
  else
    check_ready(w, c, q); /* nothing of its own to add */
}

static void got_action(CsWorld *w, CsClient *c, guint32 a)
{
  guint64 bit = G_GUINT64_CONSTANT(1) << a;
  if (a >= w->actions->len || (c->a_seen & bit))
    return;
  c->a_seen |= bit;
  if (c->cur_kind[CS_FWD] == CS_SIDE_PEER)
    send_simple(w, c, c->cur[CS_FWD], CS_MSG_ACTION, CS_CLS_ACTION, w->p.action_bytes, a, 0);
  CsAction *aa = &g_array_index(w->actions, CsAction, a);
  if (!cs_rollout_targets(&aa->r, client_index(w, c)))
    return;
  if (aa->dc_session != CS_NONE)
    cs_dc_downloading(w, aa->dc_session);
  if (aa->file != CS_NONE)
    cs_shards_want(w, c, a); /* download first, then run */
  else
    cs_client_run_action(w, c, a);
}

void cs_client_run_action(CsWorld *w, CsClient *c, guint32 a)
{
  CsAction *aa = &g_array_index(w->actions, CsAction, a);
  cs_world_note_complete(w, client_index(w, c), a);
  if (aa->dc_session != CS_NONE) {
    cs_dc_endpoint_open(w, c, aa->dc_session); /* "open session": connect directly */
    return;
  }
  sim_timer_start(w->sim, c->node, aa->pkg.run_time, CS_TAG_RUN, a);
}

void cs_client_send(CsWorld *w, CsClient *c, SimConnId conn, SimMsg *m)
{
  cs_client_book_peer(w, conn, c->node, (SimClass) m->cls, m->size);
  sim_send(w->sim, conn, c->node, m);
}

static void evaluate(CsWorld *w, CsClient *c, guint32 q)
{
  guint64 bit = G_GUINT64_CONSTANT(1) << q;
  if (c->q_answered & bit)
    return;
  c->q_answered |= bit;
  CsQuestion *qq = &g_array_index(w->questions, CsQuestion, q);
  guint32 me = client_index(w, c);
  CsSensor *s = g_ptr_array_index(w->sensors, qq->sensor);
  CsEntry e = { .id = (guint8) q, .value = me < s->nclients ? s->of_client[me] : 0 };
  if (qq->mode == CS_Q_COUNT) {
    e.kind = CS_E_COUNT;
    e.count = 1;
  } else {
    e.kind = CS_E_ROW;
    e.count = me;
  }
  add_entry(w, c, &e);
  check_ready(w, c, q);
}

/* --- callbacks ------------------------------------------------------------------------ */

static void reset_state(CsWorld *w, CsClient *c)
{
  SimNodeId node = c->node;
  guint32 neigh = c->neigh, npos = c->npos, zone = c->zone;
  guint8 leaving = c->leaving;
  /* The agent's own database survives a restart: it does not answer a
   * question or run an action twice. */
  guint64 answered = c->q_answered, done = c->a_done, q_done = c->q_done_sent;
  cs_batch_free(c->batch);
  cs_shards_client_reset(c);
  cs_dc_endpoint_reset(w, c);
  memset(c, 0, sizeof *c);
  c->node = node;
  c->neigh = neigh;
  c->npos = npos;
  c->zone = zone;
  c->leaving = leaving;
  c->q_answered = answered;
  c->a_done = done;
  c->q_done_sent = q_done;
  c->cur_peer[0] = c->cur_peer[1] = CS_NONE;
  c->failed_closest[0] = c->failed_closest[1] = CS_NONE;
  c->reg_done = c->init_done = -1;
  c->dl_action = CS_NONE;
}

static void cl_start(Sim *sim, SimNodeId node, gpointer k)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  if (!w->neigh_built)
    cs_world_build_neighbourhoods(w);
  reset_state(w, c);
  c->alive = 1;
  c->reg_initial = 1;
  /* A cold start spreads the first registrations over the start-up window. */
  SimTime delay = sim_now(sim) == 0 && w->p.startup > 0 ? draw(sim, node, 0, w->p.startup) : 0;
  c->reg_timer = sim_timer_start(sim, node, delay, CS_TAG_REG, 0);
}

static void cl_crashed(Sim *sim, SimNodeId node, gpointer k)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  reset_state(w, c);
}

static void cl_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, gboolean inbound)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  if (inbound)
    return; /* neighbours' outgoing connections: we only receive on them */
  if (cs_shards_connected(w, c, conn) || cs_dc_endpoint_connected(w, c, conn))
    return;
  if (conn == c->reg_conn) {
    reg_send(w, c);
    return;
  }
  for (int side = 0; side < 2; side++)
    if (conn == c->trying[side]) {
      side_connected(w, c, side, conn);
      return;
    }
  sim_close(sim, conn, node); /* an attempt we no longer want */
}

static void cl_connect_failed(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimConnError why)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  if (conn == c->reg_conn) {
    reg_failed(w, c);
    return;
  }
  if (cs_shards_conn_gone(w, c, conn) || cs_dc_endpoint_failed(w, c, conn, why))
    return;
  for (int side = 0; side < 2; side++)
    if (conn == c->trying[side])
      side_connect_failed(w, c, side);
}

static void cl_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimConnError why)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  if (conn == c->reg_conn) {
    reg_failed(w, c);
    return;
  }
  if (cs_shards_conn_gone(w, c, conn))
    return;
  if (cs_dc_endpoint_closed(w, c, conn))
    return;
  for (int side = 0; side < 2; side++)
    if (conn == c->cur[side])
      side_lost(w, c, side);
}

static void apply_reg_resp(CsWorld *w, CsClient *c, const CsRegResp *r)
{
  /* The list keeps distances: the response's, unless the neighbourhoods
   * were rebuilt since the server wrote it (then from the clients it names). */
  for (int side = 0; side < 2; side++) {
    guint32 n = MIN(side == CS_BACK ? r->nback : r->nfwd, CS_MAX_PEERS);
    if (r->builds == w->neigh_builds) {
      memcpy(c->cand[side], side == CS_BACK ? r->back_d : r->fwd_d, sizeof(guint16) * n);
      c->ncand[side] = (guint8) n;
      continue;
    }
    const guint32 *peers = side == CS_BACK ? r->back : r->fwd;
    guint kept = 0;
    for (guint32 i = 0; i < n; i++)
      if (cs_neigh_distance(w, c, side, peers[i], &c->cand[side][kept]))
        kept++;
    c->ncand[side] = (guint8) kept;
  }
  chain_start(w, c);
  for (guint q = 0; q < 64; q++)
    if (r->questions & (G_GUINT64_CONSTANT(1) << q))
      got_question(w, c, q);
  for (guint a = 0; a < 64; a++)
    if (r->actions & (G_GUINT64_CONSTANT(1) << a))
      got_action(w, c, a);
}

static void cl_message(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimMsg *m)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  switch ((CsMsgType) m->type) {
  case CS_MSG_REG_RESP:
    if (conn != c->reg_conn)
      return;
    /* Its own: a server's queued job never answers on a record reused since
     * (server.c, sim_conn_same); test_protocol's saturation run checks it. */
    g_assert(m->u == idx_of(w, node));
    cs_world_note_registration(w, idx_of(w, node), sim_now(sim) - c->reg_started);
    sim_close(sim, conn, node);
    sim_timer_cancel(sim, c->reg_timer);
    c->reg_conn = 0;
    c->regs++;
    c->reg_done = sim_now(sim);
    if (c->reg_initial) {
      c->reg_initial = 0;
      c->init_done = sim_now(sim);
      c->init_due = sim_time_add(sim_now(sim), draw(sim, node, w->p.init_min, w->p.init_max));
    }
    reg_next(w, c);
    apply_reg_resp(w, c, m->blob);
    break;
  case CS_MSG_QUESTION:
    got_question(w, c, (guint32) m->a);
    break;
  case CS_MSG_ACTION:
    got_action(w, c, (guint32) m->a);
    break;
  case CS_MSG_ANSWER:
    if (m->blob) {
      /* Completion marks are the sender's to give: note them, merge the rest. */
      const CsBatch *in = m->blob;
      guint64 done = 0;
      for (guint32 i = 0; i < in->len; i++) {
        const CsEntry *e = &in->e[i];
        if (e->kind == CS_E_DONE)
          done |= G_GUINT64_CONSTANT(1) << e->id;
        else
          add_entry(w, c, e);
      }
      c->q_behind_done |= done;
      for (guint q = 0; done && q < 64; q++)
        if (done & (G_GUINT64_CONSTANT(1) << q))
          check_ready(w, c, q);
    }
    break;
  case CS_MSG_SHARD_REQ:
    if (m->blob) {
      CsShardReq *req = m->blob;
      m->blob = NULL;
      cs_shards_on_request(w, c, req);
    }
    break;
  case CS_MSG_SHARDS:
    if (m->blob)
      cs_shards_on_data(w, c, m->blob);
    break;
  case CS_MSG_DC_WORKLOAD:
  case CS_MSG_DC_REFUSED:
    cs_dc_endpoint_message(w, c, conn, m);
    break;
  case CS_MSG_INTRO: {
    /* A leaving neighbour introduces its other neighbour: try it first. */
    int side = (int) m->a;
    guint32 peer = m->u;
    if (peer == CS_NONE || side < 0 || side > 1)
      break;
    /* A peer the list cannot name (cs_neigh_distance) is not taken: a
     * neighbour's neighbour is in the same neighbourhood, on the same side. */
    guint16 d;
    if (!cs_neigh_distance(w, c, side, peer, &d))
      break;
    int pos = cand_pos(w, c, side, peer);
    if (pos < 0) {
      if (c->ncand[side] == CS_MAX_PEERS)
        c->ncand[side]--;
      pos = c->ncand[side]++;
    }
    memmove(&c->cand[side][1], &c->cand[side][0], sizeof(guint16) * (guint) pos);
    c->cand[side][0] = d;
    /* The sender is leaving: until it is back, not reaching it is no failure. */
    c->failed_closest[side] = cs_world_node_client(w, sim_conn_peer(sim, conn, node));
    c->failed_at[side] = LEFT_GRACEFULLY;
    side_walk(w, c, side, 0, 1);
    break;
  }
  default:
    break;
  }
}

static void cl_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  CsWorld *w = W(k);
  CsClient *c = cs_client_rec(w, idx_of(w, node));
  switch (tag) {
  case CS_TAG_REG:
    reg_begin(w, c);
    break;
  case CS_TAG_INIT:
    c->init_due = 0;
    c->reg_initial = 1;
    if (c->reg_conn) /* one in progress: it keeps its timeout (reg_arm) */
      c->reg_timer = sim_timer_start(sim, node, c->reg_started + w->p.reg_timeout - sim_now(sim), CS_TAG_REG_TIMEOUT, 0);
    else
      reg_begin(w, c);
    break;
  case CS_TAG_REG_TIMEOUT:
    if (c->reg_conn) {
      /* No response (a server stalled on its database): give it up. */
      sim_close(sim, c->reg_conn, node);
      reg_failed(w, c);
    }
    break;
  case CS_TAG_EVAL:
    evaluate(w, c, (guint32) arg);
    break;
  case CS_TAG_RUN: {
    guint64 bit = G_GUINT64_CONSTANT(1) << arg;
    if (c->a_done & bit)
      break;
    c->a_done |= bit;
    CsEntry e = { .kind = CS_E_ACTION_DONE, .id = (guint8) arg, .count = 1 };
    add_entry(w, c, &e);
    break;
  }
  case CS_TAG_BATCH:
    batch_window_closed(w, c);
    break;
  case CS_TAG_DL_RETRY:
    cs_shards_retry(w, c);
    break;
  case CS_TAG_SCAN:
    cs_dc_endpoint_scan_done(w, c, (guint32) arg);
    break;
  case CS_TAG_RETRY:
    if (c->cur_kind[arg] == CS_SIDE_NONE && !c->trying[arg])
      side_walk(w, c, (int) arg, 0, c->ncand[arg]);
    break;
  default:
    break;
  }
}

static const guint16 client_ports[] = { CS_PORT_CLIENT, 0 };

/* The record's first line: the fields nearly every message touches. */
static void cl_prefetch(const Sim *sim, SimNodeId node, gpointer k)
{
  __builtin_prefetch(cs_client_rec(W(k), sim_node_local(sim, node)));
}

const SimNodeKind cs_client_kind = {
  .name = "client",
  .start = cl_start,
  .crashed = cl_crashed,
  .message = cl_message,
  .connected = cl_connected,
  .connect_failed = cl_connect_failed,
  .closed = cl_closed,
  .timer = cl_timer,
  .ports = client_ports,
  .prefetch = cl_prefetch,
};

void cs_client_leave(CsWorld *w, guint32 client)
{
  CsClient *c = cs_client_rec(w, client);
  if (!c->alive || !sim_node_is_up(w->sim, c->node))
    return;
  /* Introduce the neighbours to each other, then close everything. */
  if (c->cur_kind[CS_BACK] == CS_SIDE_PEER)
    send_simple(w, c, c->cur[CS_BACK], CS_MSG_INTRO, CS_CLS_PEER, 100, CS_FWD,
                c->cur_kind[CS_FWD] == CS_SIDE_PEER ? c->cur_peer[CS_FWD] : CS_NONE);
  if (c->cur_kind[CS_FWD] == CS_SIDE_PEER)
    send_simple(w, c, c->cur[CS_FWD], CS_MSG_INTRO, CS_CLS_PEER, 100, CS_BACK,
                c->cur_kind[CS_BACK] == CS_SIDE_PEER ? c->cur_peer[CS_BACK] : CS_NONE);
  c->leaving = 1;
  sim_node_stop(w->sim, c->node);
}

CsClients *cs_clients_new(CsWorld *w) { return g_new0(CsClients, 1); }

void cs_clients_free(CsWorld *w)
{
  g_free(w->client);
  w->client = NULL;
}

guint64 cs_world_peer_bytes(const CsWorld *w, SimClass cls) { return w->client->peer_bytes[cls]; }
