/* conn.c — connections, messages and their delivery.  See conn.h.
 *
 * A connection record is shared by its two sides (0: initiator, 1: acceptor).
 * Each side is "held" while its model may still use the handle; the record
 * is freed when neither side holds it.  Events that refer to a connection
 * carry its generation, so an event for a record that was freed and reused
 * is recognised and ignored. */
#include "sim-private.h"
#include <math.h>
#include <string.h>

const char *sim_conn_error_name(SimConnError e)
{
  switch (e) {
  case SIM_CONN_OK: return "ok";
  case SIM_CONN_REFUSED: return "refused";
  case SIM_CONN_TIMEOUT: return "timeout";
  case SIM_CONN_RESET: return "reset";
  case SIM_CONN_KEEPALIVE: return "keepalive";
  case SIM_CONN_PEER_CLOSED: return "peer-closed";
  case SIM_CONN_NO_ROUTE: return "no-route";
  }
  return "?";
}

/* --- messages ------------------------------------------------------------------- */

SimMsg *sim_msg_new(Sim *sim)
{
  guint32 idx = sim_pool_alloc(&sim->msgs);
  SimMsg *m = sim_pool_get(&sim->msgs, idx);
  m->self_ = idx;
  return m;
}

guint32 sim_msg_index(const Sim *sim, const SimMsg *m)
{
  return m->self_;
}

void sim_msg_release(Sim *sim, guint32 idx)
{
  SimMsg *m = sim_msg_rec(sim, idx);
  if (m->blob)
    (m->blob_free ? m->blob_free : g_free)(m->blob);
  m->blob = NULL;
  sim_pool_free(&sim->msgs, idx);
}

void sim_msg_discard(Sim *sim, SimMsg *msg)
{
  sim_msg_release(sim, sim_msg_index(sim, msg));
}

/* --- connection records -------------------------------------------------------- */

#define REF(c, side) ((c) << 1 | (side))

static void list_link(Sim *sim, guint32 c, int side)
{
  SimConn *cn = sim_conn_rec(sim, c);
  SimNode *n = sim_node_rec(sim, cn->node[side]);
  cn->prev[side] = 0;
  cn->next[side] = n->conns;
  if (n->conns) {
    SimConn *h = sim_conn_rec(sim, n->conns >> 1);
    h->prev[n->conns & 1] = REF(c, side);
  }
  n->conns = REF(c, side);
  cn->linked[side] = 1;
}

static void list_unlink(Sim *sim, guint32 c, int side)
{
  SimConn *cn = sim_conn_rec(sim, c);
  if (!cn->linked[side])
    return;
  SimNode *n = sim_node_rec(sim, cn->node[side]);
  if (cn->prev[side])
    sim_conn_rec(sim, cn->prev[side] >> 1)->next[cn->prev[side] & 1] = cn->next[side];
  else
    n->conns = cn->next[side];
  if (cn->next[side])
    sim_conn_rec(sim, cn->next[side] >> 1)->prev[cn->next[side] & 1] = cn->prev[side];
  cn->linked[side] = 0;
}

static void drop_queue(Sim *sim, SimConn *cn, int dir)
{
  guint32 m = cn->qhead[dir];
  while (m) {
    guint32 next = sim_msg_rec(sim, m)->next_;
    sim_msg_release(sim, m);
    m = next;
  }
  cn->qhead[dir] = cn->qtail[dir] = cn->qlead[dir] = 0;
}

/* Moves a record to state `st`, keeping open_conns (the records in
 * SIM_CS_OPEN) up to date. */
static void set_state(Sim *sim, SimConn *cn, guint8 st)
{
  if (cn->state == SIM_CS_OPEN && st != SIM_CS_OPEN)
    sim->open_conns--;
  else if (cn->state != SIM_CS_OPEN && st == SIM_CS_OPEN)
    sim->open_conns++;
  cn->state = st;
}

/* Cancels side's pending close notification, if any.  A note's slot is not
 * reused before its event pops, and every new note of the side replaces
 * note[side]; so a live SIM_EV_CLOSED in that slot for this record and side
 * is the note itself. */
static void note_cancel(Sim *sim, SimConn *cn, guint32 c, int side)
{
  guint32 slot = cn->note[side];
  if (!slot)
    return;
  cn->note[side] = 0;
  SimEvent *ev = sim_ev(sim, slot);
  if (ev->type == SIM_EV_CLOSED && ev->live && ev->u32 == c && (int) (ev->u64 & 0xff) == side)
    ev->live = 0;
}

static void conn_maybe_free(Sim *sim, guint32 c)
{
  SimConn *cn = sim_conn_rec(sim, c);
  if (cn->held[0] || cn->held[1])
    return;
  for (int d = 0; d < 2; d++) {
    if (cn->flow[d])
      sim_flow_kill(sim, cn->flow[d]);
    drop_queue(sim, cn, d);
    list_unlink(sim, c, d);
  }
  set_state(sim, cn, 0);
  cn->gen = 0;
  sim_pool_free(&sim->conns, c);
}

static int side_of(const SimConn *cn, SimNodeId node)
{
  return cn->node[0] == node ? 0 : 1;
}

static guint32 ev_conn(Sim *sim, SimTime at, SimEventType type, guint32 c, guint64 arg)
{
  SimConn *cn = sim_conn_rec(sim, c);
  guint32 slot = sim_ev_alloc(sim, at, type, SIM_NODE_NONE, c);
  SimEvent *ev = sim_ev(sim, slot);
  ev->u64 = arg;
  ev->ptr = GSIZE_TO_POINTER((gsize) cn->gen);
  return slot;
}

/* Schedules the close (or connect-failed) notification of one side. */
static void notify_side(Sim *sim, guint32 c, int side, SimConnError why, SimTime at)
{
  SimConn *cn = sim_conn_rec(sim, c);
  if (!cn->held[side])
    return;
  note_cancel(sim, cn, c, side);
  cn->note[side] = ev_conn(sim, at, SIM_EV_CLOSED, c, (guint64) side | (guint64) why << 8);
}

/* The connection stops carrying data: what is in flight is lost; each side
 * still holding it hears `why` after `delay`. */
static void conn_break(Sim *sim, guint32 c, SimConnError why, SimTime delay)
{
  SimConn *cn = sim_conn_rec(sim, c);
  if (cn->state == SIM_CS_BROKEN)
    return;
  set_state(sim, cn, SIM_CS_BROKEN);
  cn->gen = ++sim->conn_gen; /* deliveries in flight become stale */
  for (int d = 0; d < 2; d++) {
    if (cn->flow[d]) {
      sim_flow_kill(sim, cn->flow[d]);
      cn->flow[d] = 0;
    }
    drop_queue(sim, cn, d);
  }
  for (int s = 0; s < 2; s++) {
    note_cancel(sim, cn, c, s);
    if (cn->held[s] && !cn->seen[s] && s == 1) {
      cn->held[1] = 0; /* the acceptor never saw it: forget silently */
      continue;
    }
    SimTime at = sim->now + delay;
    if (!cn->seen[s] && why == SIM_CONN_KEEPALIVE) {
      /* Still connecting: no keepalive runs yet; the connect fails as a
       * dropped connect does, at the connect timeout counted from the
       * connect (not a keepalive timeout after the break). */
      at = MAX(sim->now, cn->opened + sim->p.connect_timeout);
    }
    notify_side(sim, c, s, why, at);
  }
  conn_maybe_free(sim, c);
}

SimNodeId sim_conn_peer(const Sim *sim, SimConnId c, SimNodeId self)
{
  const SimConn *cn = sim_conn_rec(sim, c);
  return cn->node[0] == self ? cn->node[1] : cn->node[0];
}

guint16 sim_conn_port(const Sim *sim, SimConnId c) { return sim_conn_rec(sim, c)->port; }
gboolean sim_conn_is_open(const Sim *sim, SimConnId c) { return sim_conn_rec(sim, c)->state == SIM_CS_OPEN; }
gboolean sim_conn_is_initiator(const Sim *sim, SimConnId c, SimNodeId node) { return sim_conn_rec(sim, c)->node[0] == node; }
guint64 sim_conn_open_count(const Sim *sim) { return sim->open_conns; }

guint32 sim_conn_gen(const Sim *sim, SimConnId c) { return sim_conn_rec(sim, c)->gen; }
gboolean sim_conn_same(const Sim *sim, SimConnId c, guint32 gen)
{
  const SimConn *cn = sim_conn_rec(sim, c);
  return cn->gen == gen && cn->state == SIM_CS_OPEN;
}

/* A node's tag on a connection.  A handle kept past its connection's end may
 * name a record reused between other nodes: a node that is not one of its
 * ends reads 0 and writes nothing, so it never touches another node's tag. */
void sim_conn_set_tag(Sim *sim, SimConnId c, SimNodeId node, guint32 tag)
{
  SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, node);
  if (cn->node[d] == node)
    cn->tag[d] = tag;
}

guint32 sim_conn_tag(const Sim *sim, SimConnId c, SimNodeId node)
{
  const SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, node);
  return cn->node[d] == node ? cn->tag[d] : 0;
}

/* --- path timing --------------------------------------------------------------- */

static gboolean path_up(Sim *sim, const guint32 *dl, int n)
{
  for (int i = 0; i < n; i++)
    if (!sim_link_rec(sim, dl[i] >> 1)->up)
      return FALSE;
  return TRUE;
}

static SimTime path_latency(Sim *sim, const guint32 *dl, int n)
{
  SimTime t = 0;
  for (int i = 0; i < n; i++)
    t += sim_link_rec(sim, dl[i] >> 1)->lat;
  return t;
}

/* One-way time of a message of `payload` bytes on the path: propagation,
 * the first segment stored and forwarded on every hop, the remaining bytes at
 * the slowest hop, each hop at the share a new flow would get there. */
static double small_delay(Sim *sim, const guint32 *dl, int n, guint64 payload)
{
  guint64 mss = sim->p.mss;
  guint64 segs = payload == 0 ? 1 : (payload + mss - 1) / mss;
  guint64 first = MIN(payload, mss);
  double t = 0, rest = 0;
  for (int i = 0; i < n; i++) {
    SimLink *l = sim_link_rec(sim, dl[i] >> 1);
    double bps = l->bps / (double) (l->nflows[dl[i] & 1] + 1);
    t += (double) l->lat + (double) (first + l->framing) * 8e9 / bps;
    t += sim_load_queue_delay(sim, l, dl[i] & 1);
    double r = (double) ((payload - first) + (segs - 1) * l->framing) * 8e9 / bps;
    rest = MAX(rest, r);
  }
  return t + rest;
}

static void account_small(Sim *sim, SimNodeId src, SimNodeId dst, const guint32 *dl, int n,
                          guint64 payload, SimClass cls, SimTime at)
{
  guint64 mss = sim->p.mss;
  guint64 segs = payload == 0 ? 1 : (payload + mss - 1) / mss;
  double wan_bytes = 0;
  for (int i = 0; i < n; i++) {
    SimLink *l = sim_link_rec(sim, dl[i] >> 1);
    double bytes = (double) (payload + segs * l->framing);
    /* booked over the time the bytes take at line rate: a link carries no
     * more than its capacity in any bucket, even for a message sent at a
     * bucket's very end */
    sim_stats_link(sim, dl[i], cls, bytes, 1, at, sim_time_add(at, (SimTime) (bytes * 8e9 / l->bps)));
    sim_load_small(sim, l, dl[i], bytes); /* may re-rate the bulk flows there */
    if (l->kind == SIM_LINK_WAN)
      wan_bytes += bytes;
  }
  if (wan_bytes > 0)
    sim_stats_total(sim, TRUE, cls, wan_bytes);
  else if (sim_node_site(sim, src) == sim_node_site(sim, dst))
    sim_stats_total(sim, FALSE, cls, (double) (payload + segs * SIM_FRAMING_ETHERNET));
}

/* Extra delay from loss: a lost segment costs a retransmission timeout. */
static double loss_delay(Sim *sim, SimNodeId src, const guint32 *dl, int n, guint64 payload, double rtt)
{
  double keep = 1.0;
  guint64 segs = payload == 0 ? 1 : (payload + sim->p.mss - 1) / sim->p.mss;
  for (int i = 0; i < n; i++) {
    double p = sim_link_rec(sim, dl[i] >> 1)->loss;
    if (p > 0)
      keep *= pow(1.0 - p, (double) segs);
  }
  if (keep >= 1.0)
    return 0;
  double extra = 0;
  SimRng *r = &sim_node_rec(sim, src)->netrng;
  double rto = MAX((double) sim->p.min_rto, 2 * rtt);
  while (sim_rng_uniform(r) >= keep && extra < 60e9) {
    extra += rto;
    rto *= 2;
  }
  return extra;
}

/* --- sending --------------------------------------------------------------------- */

void sim_conn_deliver_at(Sim *sim, guint32 c, guint32 midx, SimTime at)
{
  SimConn *cn = sim_conn_rec(sim, c);
  SimMsg *m = sim_msg_rec(sim, midx);
  at = MAX(at, cn->last_arrival[m->dir_]);
  cn->last_arrival[m->dir_] = at;
  sim_ev_alloc(sim, at, SIM_EV_DELIVER, SIM_NODE_NONE, midx);
}

/* A small message of `size` bytes leaving on direction d of cn at `at`
 * (now, or later for one sent ahead): its bytes booked on every link of the
 * path, and the time it arrives, before the connection's order is applied;
 * -1 if the path is down (nothing booked). */
static SimTime small_trip(Sim *sim, const SimConn *cn, int d, guint64 size, SimClass cls, SimTime at)
{
  SimNodeId src = cn->node[d], dst = cn->node[1 - d];
  guint32 dl[SIM_MAX_HOPS];
  int n = sim_path(sim, src, dst, dl, SIM_MAX_HOPS);
  if (n < 0 || !path_up(sim, dl, n))
    return -1;
  account_small(sim, src, dst, dl, n, size, cls, at);
  double t = small_delay(sim, dl, n, size);
  t += loss_delay(sim, src, dl, n, size, 2.0 * (double) path_latency(sim, dl, n));
  return at + sim_time_ceil(t);
}

/* Starts message midx now: analytically if small, else as a bulk flow.
 * Returns TRUE when a flow now occupies the direction. */
static gboolean send_now(Sim *sim, guint32 c, guint32 midx)
{
  SimConn *cn = sim_conn_rec(sim, c);
  SimMsg *m = sim_msg_rec(sim, midx);
  int d = m->dir_;
  guint64 window = (guint64) cn->cwnd[d] * sim->p.mss;
  if (m->size > window) {
    sim_flow_start(sim, c, (guint8) d, midx);
    return TRUE;
  }
  SimTime at = small_trip(sim, cn, d, m->size, (SimClass) m->cls, sim->now);
  if (at < 0)
    sim_msg_release(sim, midx); /* lost: the reroute check breaks the connection */
  else
    sim_conn_deliver_at(sim, c, midx, at);
  return FALSE;
}

/* A stream waiting in a queue: a message record (flag MSG_STREAM) whose blob
 * is this.  MSG_TURNED: the last message sent came from the stream, which
 * has not yet moved behind what was queued meanwhile.  MSG_CHUNK: a message
 * a stream yielded. */
enum { MSG_STREAM = 1, MSG_TURNED = 2, MSG_CHUNK = 4 };
typedef struct {
  SimStreamFn next;
  gpointer data;
  GDestroyNotify free_fn;
} Stream;

static void stream_free(gpointer p)
{
  Stream *st = p;
  if (st->free_fn)
    st->free_fn(st->data);
  g_free(st);
}

guint32 sim_conn_queue_head(Sim *sim, guint32 c, int d)
{
  SimConn *cn = sim_conn_rec(sim, c);
  for (;;) {
    guint32 h = cn->qhead[d];
    if (!h)
      return 0;
    SimMsg *ph = sim_msg_rec(sim, h); /* pool records never move */
    if (!(ph->flags_ & MSG_STREAM))
      return h;
    if ((ph->flags_ & MSG_TURNED) && ph->next_) {
      /* Streams take turns: this one's last message is through and another
       * stream waits behind it (messages never do, enqueue puts them ahead),
       * so this one moves to the tail.  Each move clears a flag: this ends. */
      ph->flags_ &= (guint8) ~MSG_TURNED;
      cn->qhead[d] = ph->next_;
      sim_msg_rec(sim, cn->qtail[d])->next_ = h;
      cn->qtail[d] = h;
      ph->next_ = 0;
      continue;
    }
    Stream *st = ph->blob;
    SimMsg *m = st->next(sim, st->data);
    if (!m) {
      sim_conn_queue_pop(sim, cn, d);
      sim_msg_release(sim, h);
      continue;
    }
    ph->flags_ |= MSG_TURNED;
    m->flags_ |= MSG_CHUNK;
    /* In front of the stream, as if it had been queued there. */
    m->conn_ = ph->conn_;
    m->conn_gen_ = ph->conn_gen_;
    m->dir_ = ph->dir_;
    m->sent_at_ = ph->sent_at_;
    m->next_ = h;
    cn->qhead[d] = m->self_;
    cn->qlead[d] = m->self_;
    return m->self_;
  }
}

/* Sends queued messages of one direction until a bulk flow takes it. */
static void pump(Sim *sim, guint32 c, int d)
{
  SimConn *cn = sim_conn_rec(sim, c);
  while (!cn->flow[d] && cn->qhead[d] && cn->state == SIM_CS_OPEN) {
    guint32 m = sim_conn_queue_head(sim, c, d);
    if (!m)
      break; /* a stream that had nothing more */
    sim_conn_queue_pop(sim, cn, d);
    send_now(sim, c, m);
  }
  if (!cn->flow[d] && !cn->qhead[d] && cn->closing[d] && cn->state == SIM_CS_OPEN) {
    /* The closer's data is all on its way: the far end hears the close after it. */
    cn->closing[d] = 0;
    set_state(sim, cn, SIM_CS_CLOSED);
    guint32 dl[SIM_MAX_HOPS];
    int n = sim_path(sim, cn->node[d], cn->node[1 - d], dl, SIM_MAX_HOPS);
    SimTime at = sim->now + (n > 0 ? (SimTime) ceil(small_delay(sim, dl, n, 0)) : 0);
    at = MAX(at, cn->last_arrival[d]);
    notify_side(sim, c, 1 - d, SIM_CONN_PEER_CLOSED, at);
    conn_maybe_free(sim, c);
  }
}

/* What sending a queued message takes. */
typedef enum {
  ENQ_WAIT,   /* nothing now: dropped, or waiting its turn */
  ENQ_IDLE,   /* the direction was idle: pump it */
  ENQ_BESIDE, /* a small message at the head while a stream's message is on
               * the wire: it goes out at once beside it, as a tunnel
               * interleaving its frames would send it */
} EnqResult;

static gboolean beside_chunk(Sim *sim, const SimConn *cn, int d, const SimMsg *msg)
{
  if (!cn->flow[d] || (msg->flags_ & MSG_STREAM) || msg->size > (guint64) cn->cwnd[d] * sim->p.mss)
    return FALSE;
  guint32 on_wire = sim_flow_rec(sim, cn->flow[d])->msg;
  return on_wire && (sim_msg_rec(sim, on_wire)->flags_ & MSG_CHUNK);
}

/* Queues msg (or drops it if the connection cannot take it). */
static EnqResult enqueue(Sim *sim, SimConnId c, SimNodeId from, SimMsg *msg)
{
  guint32 midx = sim_msg_index(sim, msg);
  SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, from);
  if (cn->state != SIM_CS_OPEN || !cn->held[1 - d] || cn->closing[d] || cn->node[d] != from) {
    sim_msg_release(sim, midx);
    return ENQ_WAIT;
  }
  msg->conn_ = c;
  msg->conn_gen_ = cn->gen;
  msg->dir_ = (guint8) d;
  msg->sent_at_ = sim->now;
  msg->next_ = 0;
  gboolean idle = !cn->flow[d] && !cn->qhead[d];
  if ((msg->flags_ & MSG_STREAM) || cn->qlead[d] == cn->qtail[d]) {
    /* A stream, or a message with no stream queued: at the tail. */
    if (cn->qtail[d])
      sim_msg_rec(sim, cn->qtail[d])->next_ = midx;
    else
      cn->qhead[d] = midx;
    cn->qtail[d] = midx;
  } else {
    /* A message goes ahead of the streams, behind the messages before it. */
    guint32 *at = cn->qlead[d] ? &sim_msg_rec(sim, cn->qlead[d])->next_ : &cn->qhead[d];
    msg->next_ = *at;
    *at = midx;
  }
  if (!(msg->flags_ & MSG_STREAM))
    cn->qlead[d] = midx;
  if (idle)
    return ENQ_IDLE;
  return cn->qhead[d] == midx && beside_chunk(sim, cn, d, msg) ? ENQ_BESIDE : ENQ_WAIT;
}

void sim_send(Sim *sim, SimConnId c, SimNodeId from, SimMsg *msg)
{
  switch (enqueue(sim, c, from, msg)) {
  case ENQ_IDLE:
    pump(sim, c, msg->dir_);
    break;
  case ENQ_BESIDE:
    sim_conn_queue_pop(sim, sim_conn_rec(sim, c), msg->dir_);
    send_now(sim, c, sim_msg_index(sim, msg));
    break;
  case ENQ_WAIT:
    break;
  }
}

/* --- sending ahead -------------------------------------------------------------- */

gboolean sim_send_ready(const Sim *sim, SimConnId c, SimNodeId from, guint64 size)
{
  if (!c)
    return FALSE;
  const SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, from);
  return cn->state == SIM_CS_OPEN && cn->node[d] == from && cn->held[1 - d] && !cn->closing[d] && !cn->flow[d] &&
         !cn->qhead[d] && size <= (guint64) cn->cwnd[d] * sim->p.mss;
}

SimTime sim_send_unheard(Sim *sim, SimConnId c, SimNodeId from, guint64 size, SimClass cls, SimTime at)
{
  g_return_val_if_fail(at >= sim->now && sim_send_ready(sim, c, from, size), -1);
  SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, from);
  SimTime arrive = small_trip(sim, cn, d, size, cls, at);
  if (arrive < 0)
    return -1;
  arrive = MAX(arrive, cn->last_arrival[d]);
  cn->last_arrival[d] = arrive;
  return arrive;
}

void sim_send_ahead(Sim *sim, SimConnId c, SimNodeId from, SimMsg *msg, SimTime at)
{
  guint32 midx = sim_msg_index(sim, msg);
  if (at < sim->now || !sim_send_ready(sim, c, from, msg->size)) {
    g_critical("sim_send_ahead: the connection cannot send it at once");
    sim_msg_release(sim, midx);
    return;
  }
  SimConn *cn = sim_conn_rec(sim, c);
  int d = side_of(cn, from);
  msg->conn_ = c;
  msg->conn_gen_ = cn->gen;
  msg->dir_ = (guint8) d;
  msg->sent_at_ = at;
  msg->next_ = 0;
  SimTime arrive = small_trip(sim, cn, d, msg->size, (SimClass) msg->cls, at);
  if (arrive < 0)
    sim_msg_release(sim, midx); /* lost, as sim_send's would be */
  else
    sim_conn_deliver_at(sim, c, midx, arrive);
}

void sim_send_stream(Sim *sim, SimConnId c, SimNodeId from, SimStreamFn next, gpointer data,
                     GDestroyNotify free_fn)
{
  Stream *st = g_new(Stream, 1);
  st->next = next;
  st->data = data;
  st->free_fn = free_fn;
  SimMsg *ph = sim_msg_new(sim);
  ph->flags_ = MSG_STREAM;
  ph->blob = st;
  ph->blob_free = stream_free;
  if (enqueue(sim, c, from, ph) == ENQ_IDLE)
    pump(sim, c, ph->dir_);
}

/* Called by flow.c when a bulk message's last byte left the bottleneck. */
void sim_conn_flow_done(Sim *sim, guint32 c, int d, guint32 midx, SimTime tail)
{
  SimConn *cn = sim_conn_rec(sim, c);
  cn->flow[d] = 0;
  sim_conn_deliver_at(sim, c, midx, sim->now + tail);
  pump(sim, c, d);
}

/* --- connect and close -------------------------------------------------------------- */

SimConnId sim_connect(Sim *sim, SimNodeId node, guint32 dst_addr, guint16 port, SimClass cls, guint tls)
{
  guint32 c = sim_pool_alloc(&sim->conns);
  SimConn *cn = sim_conn_rec(sim, c);
  cn->gen = ++sim->conn_gen;
  cn->node[0] = node;
  cn->node[1] = SIM_NODE_NONE;
  cn->port = port;
  cn->state = SIM_CS_CONNECTING;
  cn->opened = sim->now;
  cn->held[0] = 1;
  cn->seen[0] = 0;
  cn->cwnd[0] = cn->cwnd[1] = sim->p.init_cwnd;
  list_link(sim, c, 0);

  SimNodeId dst = sim_node_by_addr(sim, dst_addr);
  SimNode *src = sim_node_rec(sim, node);
  guint32 dl[SIM_MAX_HOPS], back[SIM_MAX_HOPS];
  int n = -1, nb = -1;
  if (dst != SIM_NODE_NONE && dst != node) {
    n = sim_path(sim, node, dst, dl, SIM_MAX_HOPS);
    nb = sim_path(sim, dst, node, back, SIM_MAX_HOPS);
  }
  if (dst == SIM_NODE_NONE || dst == node || n < 0 || nb < 0 || !path_up(sim, dl, n)) {
    notify_side(sim, c, 0, SIM_CONN_TIMEOUT, sim->now + sim->p.connect_timeout);
    return c;
  }
  SimNode *dn = sim_node_rec(sim, dst);
  SimFwAction fw = sim_fw_eval(sim, src->addr, dn->addr, port);
  double syn = small_delay(sim, dl, n, 0), synack = small_delay(sim, back, nb, 0);
  SimTime rtt = (SimTime) ceil(syn + synack);
  if (fw == SIM_FW_DROP || !sim_node_run(sim, dst)->up) {
    notify_side(sim, c, 0, SIM_CONN_TIMEOUT, sim->now + sim->p.connect_timeout);
    account_small(sim, node, dst, dl, n, 0, cls, sim->now);
    return c;
  }
  gboolean listening = port == 0;
  for (const guint16 *p = sim->kinds[dn->kind].ports; p && *p && !listening; p++)
    listening = *p == port;
  account_small(sim, node, dst, dl, n, 0, cls, sim->now);
  account_small(sim, dst, node, back, nb, 0, cls, sim->now);
  if (fw == SIM_FW_REJECT || !listening) {
    notify_side(sim, c, 0, SIM_CONN_REFUSED, sim->now + rtt);
    return c;
  }
  SimTime hs = rtt;
  if (tls != SIM_TLS_NONE) {
    gboolean resumed = tls == SIM_TLS_RESUMED;
    guint32 cb = resumed ? sim->p.tls_resumed_client_bytes : sim->p.tls_client_bytes;
    guint32 sb = resumed ? sim->p.tls_resumed_server_bytes : sim->p.tls_server_bytes;
    guint32 rtts = resumed ? sim->p.tls_resumed_rtts : sim->p.tls_rtts;
    if (rtts > 0) {
      double one = small_delay(sim, dl, n, cb) + small_delay(sim, back, nb, sb);
      hs += (SimTime) ceil(one) + (SimTime) (rtts - 1) * rtt;
    }
    account_small(sim, node, dst, dl, n, cb, cls, sim->now);
    account_small(sim, dst, node, back, nb, sb, cls, sim->now);
  }
  cn->node[1] = dst;
  cn->held[1] = 1;
  list_link(sim, c, 1);
  SimTime accept_at = sim->now + hs + (SimTime) ceil(syn);
  cn->last_arrival[0] = accept_at;
  cn->last_arrival[1] = sim->now + hs;
  ev_conn(sim, sim->now + hs, SIM_EV_CONNECTED, c, 0);
  ev_conn(sim, accept_at, SIM_EV_CONNECTED, c, 1);
  return c;
}

void sim_close(Sim *sim, SimConnId c, SimNodeId by)
{
  SimConn *cn = sim_conn_rec(sim, c);
  int s = side_of(cn, by);
  if (!cn->held[s])
    return;
  cn->held[s] = 0;
  note_cancel(sim, cn, c, s);
  switch (cn->state) {
  case SIM_CS_CONNECTING:
    if (s == 1) {
      /* The acceptor goes away mid-handshake: the initiator is reset. */
      SimTime d = sim_path_delay(sim, cn->node[1], cn->node[0], 0);
      conn_break(sim, c, SIM_CONN_RESET, MAX(d, 0));
      return;
    }
    /* Gave up before the handshake finished: the acceptor never hears. */
    set_state(sim, cn, SIM_CS_CLOSED);
    cn->gen = ++sim->conn_gen;
    cn->held[1 - s] = 0;
    break;
  case SIM_CS_OPEN:
    cn->closing[s] = 1;
    if (!cn->seen[1 - s]) {
      /* Far end not accepted yet: it will see connected, then the close. */
    }
    pump(sim, c, s);
    break;
  default:
    break;
  }
  conn_maybe_free(sim, c);
}

/* --- dispatch ------------------------------------------------------------------------ */

static gboolean ev_conn_valid(Sim *sim, SimEvent *ev)
{
  SimConn *cn = sim_conn_rec(sim, ev->u32);
  return cn->state != 0 && cn->gen == (guint32) GPOINTER_TO_SIZE(ev->ptr);
}

static void deliver(Sim *sim, guint32 midx)
{
  SimMsg *m = sim_msg_rec(sim, midx);
  SimConn *cn = sim_conn_rec(sim, m->conn_);
  int r = 1 - m->dir_;
  if (cn->state == 0 || cn->gen != m->conn_gen_ || !cn->held[r] ||
      (cn->state != SIM_CS_OPEN && cn->state != SIM_CS_CLOSED)) {
    sim_msg_release(sim, midx);
    return;
  }
  if (cn->transfer) {
    SimTransfer *t = &g_array_index(sim->transfers, SimTransfer, cn->transfer - 1);
    guint32 c = m->conn_;
    if (t->reply && m->dir_ == 0) {
      /* An exchange's request is in: the response goes back. */
      sim_msg_release(sim, midx);
      SimMsg *resp = sim_msg_new(sim);
      resp->size = t->reply;
      resp->cls = t->cls;
      sim_send(sim, c, cn->node[1], resp);
      return;
    }
    t->finished = sim->now;
    sim_msg_release(sim, midx);
    cn->held[0] = cn->held[1] = 0;
    conn_maybe_free(sim, c);
    return;
  }
  SimNode *n = sim_node_rec(sim, cn->node[r]);
  const SimNodeKind *k = &sim->kinds[n->kind];
  SimNodeId from = cn->node[m->dir_], to = cn->node[r];
  if (k->message)
    k->message(sim, to, sim->kstate[n->kind], m->conn_, m);
  if (sim->trace_fn)
    sim->trace_fn(sim, sim->trace_data, from, to, m->cls, m->size, m->type, m->sent_at_);
  sim_msg_release(sim, midx);
}

static void transfer_connected(Sim *sim, guint32 c)
{
  SimConn *cn = sim_conn_rec(sim, c);
  SimTransfer *t = &g_array_index(sim->transfers, SimTransfer, cn->transfer - 1);
  SimMsg *m = sim_msg_new(sim);
  m->size = t->bytes;
  m->cls = t->cls;
  sim_send(sim, c, cn->node[0], m);
}

void sim_conn_dispatch(Sim *sim, SimEvent *ev)
{
  switch ((SimEventType) ev->type) {
  case SIM_EV_DELIVER:
    deliver(sim, ev->u32);
    return;
  case SIM_EV_TRANSFER: {
    SimTransfer *t = &g_array_index(sim->transfers, SimTransfer, ev->u32);
    t->started = sim->now;
    guint32 c = sim_connect(sim, t->from, sim_node_addr(sim, t->to), 0, (SimClass) t->cls, FALSE);
    sim_conn_rec(sim, c)->transfer = ev->u32 + 1;
    t->conn = c;
    return;
  }
  default:
    break;
  }
  if (!ev_conn_valid(sim, ev))
    return;
  guint32 c = ev->u32;
  SimConn *cn = sim_conn_rec(sim, c);
  int s = (int) (ev->u64 & 0xff);
  SimNode *n;
  switch ((SimEventType) ev->type) {
  case SIM_EV_CONNECTED:
    /* The acceptor's side completes one way later than the initiator's; by
     * then the initiator may have sent and closed gracefully (CLOSED, same
     * generation): the acceptor still gets connected, then the data, then
     * PEER_CLOSED — not a message on a connection it never saw followed by
     * a connect_failed. */
    if (cn->state != SIM_CS_CONNECTING &&
        !((cn->state == SIM_CS_OPEN || cn->state == SIM_CS_CLOSED) && s == 1))
      return;
    if (!cn->held[s])
      return;
    cn->seen[s] = 1;
    if (s == 0)
      set_state(sim, cn, SIM_CS_OPEN);
    if (cn->transfer) {
      if (s == 0)
        transfer_connected(sim, c);
      return;
    }
    n = sim_node_rec(sim, cn->node[s]);
    if (sim->kinds[n->kind].connected)
      sim->kinds[n->kind].connected(sim, cn->node[s], sim->kstate[n->kind], c, s == 1);
    return;
  case SIM_EV_CLOSED: {
    SimConnError why = (SimConnError) (ev->u64 >> 8);
    if (!cn->held[s])
      return;
    cn->held[s] = 0;
    cn->note[s] = 0;
    gboolean was_seen = cn->seen[s];
    if (cn->state == SIM_CS_CONNECTING) {
      set_state(sim, cn, SIM_CS_CLOSED);
      cn->gen = ++sim->conn_gen;
    }
    SimNodeId node = cn->node[s];
    guint32 transfer = cn->transfer;
    conn_maybe_free(sim, c);
    if (transfer)
      return;
    n = sim_node_rec(sim, node);
    const SimNodeKind *k = &sim->kinds[n->kind];
    if (!sim_node_run(sim, node)->up)
      return;
    if (!was_seen) {
      /* A connect that never completed: a dead path is a timeout and a reset
       * is a refusal (SimConnError's meanings for connects). */
      if (why == SIM_CONN_KEEPALIVE)
        why = SIM_CONN_TIMEOUT;
      else if (why == SIM_CONN_RESET)
        why = SIM_CONN_REFUSED;
      if (k->connect_failed)
        k->connect_failed(sim, node, sim->kstate[n->kind], c, why);
    } else if (k->closed) {
      k->closed(sim, node, sim->kstate[n->kind], c, why);
    }
    return;
  }
  default:
    g_warn_if_reached();
  }
}

/* --- failures ----------------------------------------------------------------------- */

void sim_conn_node_crashed(Sim *sim, SimNodeId node)
{
  SimNode *n = sim_node_rec(sim, node);
  guint32 ref = n->conns;
  /* Collect first: breaking may free records and edit the list. */
  GArray *list = g_array_new(FALSE, FALSE, sizeof(guint32));
  while (ref) {
    g_array_append_val(list, ref);
    ref = sim_conn_rec(sim, ref >> 1)->next[ref & 1];
  }
  for (guint i = 0; i < list->len; i++) {
    guint32 r = g_array_index(list, guint32, i);
    guint32 c = r >> 1;
    SimConn *cn = sim_conn_rec(sim, c);
    int s = r & 1;
    if (cn->state == 0)
      continue;
    cn->held[s] = 0; /* the node's memory is gone: no callbacks to it */
    note_cancel(sim, cn, c, s);
    if (cn->state == SIM_CS_OPEN || cn->state == SIM_CS_CONNECTING || cn->state == SIM_CS_CLOSED)
      conn_break(sim, c, SIM_CONN_KEEPALIVE, sim->p.keepalive_timeout);
    else
      conn_maybe_free(sim, c);
  }
  g_array_free(list, TRUE);
}

void sim_conn_node_stopping(Sim *sim, SimNodeId node)
{
  GArray *list = g_array_new(FALSE, FALSE, sizeof(guint32));
  for (guint32 ref = sim_node_rec(sim, node)->conns; ref; ref = sim_conn_rec(sim, ref >> 1)->next[ref & 1])
    g_array_append_val(list, ref);
  for (guint i = 0; i < list->len; i++) {
    guint32 r = g_array_index(list, guint32, i);
    SimConn *cn = sim_conn_rec(sim, r >> 1);
    if (cn->state != 0 && cn->held[r & 1])
      sim_close(sim, r >> 1, node);
  }
  g_array_free(list, TRUE);
}

void sim_conn_node_restarted(Sim *sim, SimNodeId node)
{
  /* Far ends still waiting to notice the crash get a reset as soon as the
   * restarted node answers their next segment: one-way latency from now. */
  guint32 ref = sim_node_rec(sim, node)->conns;
  while (ref) {
    guint32 c = ref >> 1;
    SimConn *cn = sim_conn_rec(sim, c);
    guint32 next = cn->next[ref & 1];
    int far = 1 - (int) (ref & 1);
    if (cn->state == SIM_CS_BROKEN && cn->held[far] && cn->note[far]) {
      SimTime d = sim_path_delay(sim, node, cn->node[far], 0);
      notify_side(sim, c, far, SIM_CONN_RESET, sim->now + MAX(d, 0));
    }
    ref = next;
  }
}

/* After a WAN link changed state: connections without a route break; bulk
 * flows on a changed route move to the new one. */
void sim_conn_reroute(Sim *sim)
{
  guint32 dl[SIM_MAX_HOPS];
  for (guint32 c = 1; c < sim->conns.next_fresh; c++) {
    SimConn *cn = sim_conn_rec(sim, c);
    if (cn->state != SIM_CS_OPEN && cn->state != SIM_CS_CONNECTING)
      continue;
    if (cn->node[1] == SIM_NODE_NONE)
      continue;
    int n = sim_path(sim, cn->node[0], cn->node[1], dl, SIM_MAX_HOPS);
    if (n < 0 || !path_up(sim, dl, n)) {
      conn_break(sim, c, SIM_CONN_KEEPALIVE, sim->p.keepalive_timeout);
      continue;
    }
    for (int d = 0; d < 2; d++)
      if (cn->flow[d])
        sim_flow_reroute(sim, cn->flow[d]);
  }
}

void sim_conn_fw_changed(Sim *sim, const SimFwRule *rule)
{
  for (guint32 c = 1; c < sim->conns.next_fresh; c++) {
    SimConn *cn = sim_conn_rec(sim, c);
    if ((cn->state != SIM_CS_OPEN && cn->state != SIM_CS_CONNECTING) || cn->node[1] == SIM_NODE_NONE)
      continue;
    SimFwAction a = sim_fw_eval(sim, sim_node_addr(sim, cn->node[0]), sim_node_addr(sim, cn->node[1]), cn->port);
    if (a == SIM_FW_DROP) {
      conn_break(sim, c, SIM_CONN_KEEPALIVE, sim->p.keepalive_timeout);
    } else if (a == SIM_FW_REJECT) {
      SimTime d = sim_path_delay(sim, cn->node[0], cn->node[1], 0);
      conn_break(sim, c, SIM_CONN_RESET, MAX(d, 0));
    }
  }
}

void sim_conn_free_all(Sim *sim)
{
  for (guint32 c = 1; c < sim->conns.next_fresh; c++) {
    SimConn *cn = sim_conn_rec(sim, c);
    if (cn->state == 0)
      continue;
    for (int d = 0; d < 2; d++) {
      if (cn->flow[d]) {
        SimFlow *f = sim_flow_rec(sim, cn->flow[d]);
        if (f->msg)
          sim_msg_release(sim, f->msg);
        f->msg = 0;
      }
      drop_queue(sim, cn, d);
    }
  }
}

/* --- background transfers ---------------------------------------------------------- */

guint32 sim_transfer(Sim *sim, SimNodeId from, SimNodeId to, guint64 bytes, SimClass cls, SimTime at)
{
  SimTransfer t = { .from = from, .to = to, .bytes = bytes, .cls = (guint8) cls, .started = -1, .finished = -1 };
  g_array_append_val(sim->transfers, t);
  guint32 id = sim->transfers->len - 1;
  sim_ev_alloc(sim, MAX(at, sim->now), SIM_EV_TRANSFER, SIM_NODE_NONE, id);
  return id;
}

guint32 sim_exchange(Sim *sim, SimNodeId from, SimNodeId to, guint64 request, guint64 response,
                     SimClass cls, SimTime at)
{
  g_return_val_if_fail(response > 0, G_MAXUINT32);
  guint32 id = sim_transfer(sim, from, to, request, cls, at);
  g_array_index(sim->transfers, SimTransfer, id).reply = response;
  return id;
}

SimTime sim_transfer_finished_at(const Sim *sim, guint32 id)
{
  return g_array_index(sim->transfers, SimTransfer, id).finished;
}

guint32 sim_transfer_count(const Sim *sim) { return sim->transfers->len; }
