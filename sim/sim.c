/* sim.c — kernel core: event records, timers, node lifecycle, dispatch.
 * See sim.h. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE, under -std=c11 */
#include "sim-private.h"
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

void sim_params_default(SimParams *p)
{
  memset(p, 0, sizeof *p);
  p->seed = 1;
  p->connect_timeout = 5 * SIM_S;
  p->keepalive_timeout = 30 * SIM_S;
  p->bucket = SIM_S;
  p->tls_rtts = 1;            /* TLS 1.3 full handshake */
  p->tls_client_bytes = 600;  /* ClientHello + Finished */
  p->tls_server_bytes = 4000; /* ServerHello, certificate chain, Finished */
  p->tls_resumed_rtts = 1;            /* TLS 1.3 resumption with a ticket (PSK) */
  p->tls_resumed_client_bytes = 350;  /* ClientHello with the ticket + Finished */
  p->tls_resumed_server_bytes = 250;  /* ServerHello, EncryptedExtensions, Finished: no certificate */
  p->init_cwnd = 10;
  p->mss = 1448;
  p->min_rto = 200 * SIM_MS;
  p->group_min = 128;
}

/* Past this many bytes the record array moves, once, into a reserved
 * mapping of huge pages (Linux): the records of the pending events are read
 * in no order, and on 4 KiB pages nearly every such read also missed the
 * TLB. */
#define EV_MAP_FROM ((gsize) 4 << 20)
#define EV_HUGE ((gsize) 2 << 20)

/* The reserved mapping: room for the queue's limit of records, 2 MiB
 * aligned, asked for huge pages; only what is touched is backed, so growing
 * in it neither moves nor copies (NULL when the system refuses). */
static gpointer ev_map(gsize *len)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  gsize want = (gsize) SIM_EVQ_MAX_SLOTS * sizeof(SimEvent);
  char *m = mmap(NULL, want + EV_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    return NULL;
  char *a = (char *) (((guintptr) m + EV_HUGE - 1) & ~(guintptr) (EV_HUGE - 1));
  if (a > m)
    munmap(m, (gsize) (a - m));
  if (a + want < m + want + EV_HUGE)
    munmap(a + want, (gsize) (m + want + EV_HUGE - (a + want)));
  madvise(a, want, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
  *len = want;
  return a;
#else
  (void) len;
  return NULL;
#endif
}

/* Makes room for ev_cap records, keeping the first `used`, at a cache-line
 * boundary: a 32-byte record is then in one line, which is what the run loop
 * prefetches (malloc's large blocks start 16 bytes past one, and then half
 * the records spanned two lines).  Small arrays are realloc'd with an offset
 * (a realloc, not a fresh block and a copy, so that the old and the new array
 * are not held at once); a large one is in the reserved mapping. */
static void ev_place(Sim *sim, guint32 used)
{
  gsize bytes = (gsize) sim->ev_cap * sizeof(SimEvent);
  if (sim->ev_map_len)
    return; /* the mapping has room for every record the queue allows */
  if (bytes >= EV_MAP_FROM) {
    gsize len = 0;
    gpointer m = ev_map(&len);
    if (m) {
      memcpy(m, sim->ev, (gsize) used * sizeof(SimEvent));
      g_free(sim->ev_mem);
      sim->ev_mem = m;
      sim->ev_map_len = len;
      sim->ev = m;
      return;
    }
  }
  gsize old = sim->ev_mem ? (gsize) ((char *) sim->ev - (char *) sim->ev_mem) : 0;
  sim->ev_mem = g_realloc(sim->ev_mem, bytes + 63);
  gsize off = (gsize) (-(guintptr) sim->ev_mem & 63);
  if (off != old && used)
    memmove((char *) sim->ev_mem + off, (char *) sim->ev_mem + old, (gsize) used * sizeof(SimEvent));
  sim->ev = (SimEvent *) ((char *) sim->ev_mem + off);
}

Sim *sim_new(const SimParams *params)
{
  Sim *sim = g_new0(Sim, 1);
  if (params)
    sim->p = *params;
  else
    sim_params_default(&sim->p);
  g_return_val_if_fail(sim->p.bucket > 0 && sim->p.mss > 0, NULL);
  sim_evq_init(&sim->q);
  sim_iheap_init(&sim->flowq);
  sim->ev_cap = 1024;
  ev_place(sim, 0);
  memset(&sim->ev[0], 0, sizeof(SimEvent));
  sim->ev_freelist = g_new(guint32, sim->ev_cap);
  sim->ev_next = 1; /* slot 0 unused: a zero timer id means none */
  sim->fingerprint = 0xcbf29ce484222325ULL;
  sim_vec_init(&sim->nodes, sizeof(SimNode));
  sim->addr_index = g_array_new(FALSE, FALSE, sizeof(guint64));
  sim->addr_sorted = TRUE;
  sim_pool_init(&sim->msgs, sizeof(SimMsg));
  sim_pool_init(&sim->conns, sizeof(SimConn));
  sim_pool_init(&sim->flows, sizeof(SimFlow));
  sim_pool_init(&sim->groups, sizeof(SimFlowGroup));
  sim->transfers = g_array_new(FALSE, TRUE, sizeof(SimTransfer));
  sim->fw = g_array_new(FALSE, FALSE, sizeof(SimFwEntry));
  sim->fw_next_id = 1;
  sim_comp_init(&sim->comp);
  sim_net_init(sim);
  sim_stats_init(sim);
  return sim;
}

void sim_free(Sim *sim)
{
  if (!sim)
    return;
  /* Release blobs of messages still pending (in events or queues). */
  for (guint32 s = 1; s < sim->ev_next; s++) {
    SimEvent *ev = &sim->ev[s];
    if (ev->type == SIM_EV_CALL)
      g_free(ev->ptr);
    else if (ev->type == SIM_EV_DELIVER)
      sim_msg_discard(sim, sim_msg_rec(sim, ev->u32));
  }
  sim_conn_free_all(sim);
  sim_evq_clear(&sim->q);
  sim_iheap_clear(&sim->flowq);
#ifdef __linux__
  if (sim->ev_map_len)
    munmap(sim->ev_mem, sim->ev_map_len);
  else
#endif
    g_free(sim->ev_mem);
  g_free(sim->ev_freelist);
  sim_vec_clear(&sim->nodes);
  g_free(sim->run);
  g_array_free(sim->addr_index, TRUE);
  sim_pool_clear(&sim->msgs);
  sim_pool_clear(&sim->conns);
  sim_pool_clear(&sim->flows);
  sim_groups_clear(sim);
  g_array_free(sim->transfers, TRUE);
  g_array_free(sim->fw, TRUE);
  sim_comp_clear(&sim->comp);
  sim_net_clear(sim);
  sim_stats_clear(sim);
  g_free(sim);
}

const SimParams *sim_params(const Sim *sim) { return &sim->p; }
SimTime sim_now(const Sim *sim) { return sim->now; }
gsize sim_pending_events(const Sim *sim) { return sim_evq_len(&sim->q) + sim->nstage + sim_iheap_len(&sim->flowq); }
guint64 sim_events_dispatched(const Sim *sim) { return sim->dispatched; }
guint64 sim_fingerprint(const Sim *sim) { return sim->fingerprint; }
void sim_stop(Sim *sim) { sim->stop = TRUE; }

void sim_set_trace(Sim *sim, SimTraceFn fn, gpointer data)
{
  sim->trace_fn = fn;
  sim->trace_data = data;
}

void sim_set_progress(Sim *sim, guint64 every, void (*fn)(Sim *, gpointer), gpointer data)
{
  sim->progress_every = fn ? MAX(every, 1) : 0;
  sim->progress_fn = fn;
  sim->progress_data = data;
}

/* --- event records ---------------------------------------------------------- */

/* A never-used slot, the record array grown when it is full (0: the
 * queue's limit is reached). */
static guint32 ev_fresh(Sim *sim)
{
  if (sim->ev_next == sim->ev_cap) {
    g_return_val_if_fail(sim->ev_cap < SIM_EVQ_MAX_SLOTS, 0);
    sim->ev_cap *= 2;
    ev_place(sim, sim->ev_next);
    sim->ev_freelist = g_renew(guint32, sim->ev_freelist, sim->ev_cap);
  }
  return sim->ev_next++;
}

/* sim_ev_alloc with the record's u64 (at >= now is the caller's). */
static inline guint32 ev_new(Sim *sim, SimTime at, SimEventType type, SimNodeId node, guint32 ref, guint64 u64)
{
  guint32 slot;
  if (G_LIKELY(sim->ev_free > 0))
    slot = sim->ev_freelist[--sim->ev_free];
  else if (!(slot = ev_fresh(sim)))
    return 0;
  SimEvent *ev = &sim->ev[slot];
  ev->node = node;
  ev->type = (guint8) type;
  ev->live = 1;
  ev->epoch = node != SIM_NODE_NONE ? sim_node_run(sim, node)->epoch : 0;
  ev->gen = ++sim->ev_gen;
  ev->u32 = ref;
  ev->u64 = u64;
  ev->ptr = NULL;
  sim_evq_push_hint(&sim->q, at, slot, node != SIM_NODE_NONE ? node : ref, type);
  return slot;
}

guint32 sim_ev_alloc(Sim *sim, SimTime at, SimEventType type, SimNodeId node, guint32 ref)
{
  g_return_val_if_fail(at >= sim->now, 0);
  return ev_new(sim, at, type, node, ref, 0);
}

static void ev_release(Sim *sim, guint32 slot)
{
  sim->ev[slot].type = SIM_EV_FREE;
  sim->ev_freelist[sim->ev_free++] = slot;
}

/* --- timers ------------------------------------------------------------------- */

SimTimerId sim_timer_start(Sim *sim, SimNodeId node, SimTime delay, guint32 tag, guint64 arg)
{
  g_return_val_if_fail(delay >= 0, 0);
  guint32 slot = ev_new(sim, sim_time_add(sim->now, delay), SIM_EV_TIMER, node, tag, arg);
  return slot ? (SimTimerId) sim->ev_gen << 32 | slot : 0;
}

static SimEvent *timer_event(const Sim *sim, SimTimerId t)
{
  guint32 slot = (guint32) t;
  if (t == 0 || slot >= sim->ev_next)
    return NULL;
  SimEvent *ev = &sim->ev[slot];
  if (ev->gen != (guint32) (t >> 32) || ev->type == SIM_EV_FREE || !ev->live)
    return NULL;
  if (ev->type == SIM_EV_TIMER) {
    /* A node's timer dies with the node: one from before its last crash
     * (stale epoch), or one started while it is down (the restart bumps the
     * epoch again), stays in the queue until it pops but will never fire,
     * so it is not pending. */
    const SimNodeRun *n = sim_node_run(sim, ev->node);
    if (ev->epoch != n->epoch || (!n->up && n->started))
      return NULL;
  }
  return ev;
}

void sim_timer_cancel(Sim *sim, SimTimerId t)
{
  SimEvent *ev = timer_event(sim, t);
  if (ev)
    ev->live = 0; /* lazy: the queue entry is skipped when it pops */
}

gboolean sim_timer_pending(const Sim *sim, SimTimerId t)
{
  return timer_event(sim, t) != NULL;
}

SimTimerId sim_call_at(Sim *sim, SimTime at, SimCallFn fn, gpointer data, guint64 arg)
{
  guint32 slot = sim_ev_alloc(sim, MAX(at, sim->now), SIM_EV_CALL, SIM_NODE_NONE, 0);
  SimEvent *ev = &sim->ev[slot];
  SimCall *c = g_new(SimCall, 1);
  c->fn = fn;
  c->data = data;
  ev->ptr = c;
  ev->u64 = arg;
  return (SimTimerId) ev->gen << 32 | slot;
}

/* --- kinds and nodes ---------------------------------------------------------- */

guint16 sim_kind_register(Sim *sim, const SimNodeKind *kind, gpointer kstate)
{
  g_return_val_if_fail(sim->nkinds < SIM_MAX_KINDS, 0);
  sim->kinds[sim->nkinds] = *kind;
  sim->kstate[sim->nkinds] = kstate;
  if (kind->prefetch)
    sim->kind_prefetch = TRUE;
  return (guint16) sim->nkinds++;
}

const SimNodeKind *sim_kind(const Sim *sim, guint16 kind) { return &sim->kinds[kind]; }
guint32 sim_node_count(const Sim *sim) { return sim->nodes.len; }
guint16 sim_node_kind(const Sim *sim, SimNodeId n) { return sim_node_rec(sim, n)->kind; }
guint32 sim_node_local(const Sim *sim, SimNodeId n) { return sim_node_rec(sim, n)->local; }
guint32 sim_node_addr(const Sim *sim, SimNodeId n) { return sim_node_rec(sim, n)->addr; }
guint32 sim_node_subnet(const Sim *sim, SimNodeId n) { return sim_node_rec(sim, n)->subnet; }
gboolean sim_node_is_up(const Sim *sim, SimNodeId n) { return sim_node_run(sim, n)->up; }
SimRng *sim_node_rng(Sim *sim, SimNodeId n) { return &sim_node_rec(sim, n)->rng; }

void sim_node_start_at(Sim *sim, SimNodeId node, SimTime at)
{
  sim_ev_alloc(sim, MAX(at, sim->now), SIM_EV_START, node, 0);
}

void sim_node_crash(Sim *sim, SimNodeId node)
{
  SimNodeRun *r = sim_node_run(sim, node);
  if (!r->up)
    return;
  r->up = 0;
  r->epoch++; /* every pending timer of the node is now stale */
  sim_conn_node_crashed(sim, node);
  const SimNode *n = sim_node_rec(sim, node);
  const SimNodeKind *k = &sim->kinds[n->kind];
  if (k->crashed)
    k->crashed(sim, node, sim->kstate[n->kind]);
}

void sim_node_stop(Sim *sim, SimNodeId node)
{
  SimNodeRun *r = sim_node_run(sim, node);
  if (!r->up)
    return;
  sim_conn_node_stopping(sim, node);
  r->up = 0;
  r->epoch++;
  const SimNode *n = sim_node_rec(sim, node);
  const SimNodeKind *k = &sim->kinds[n->kind];
  if (k->crashed)
    k->crashed(sim, node, sim->kstate[n->kind]);
}

void sim_node_restart(Sim *sim, SimNodeId node)
{
  SimNodeRun *r = sim_node_run(sim, node);
  if (r->up)
    return;
  sim_conn_node_restarted(sim, node);
  r->up = 1;
  r->epoch++; /* a start scheduled before the crash must not run twice */
  sim_ev_alloc(sim, sim->now, SIM_EV_START, node, 0);
}

/* --- dispatch ------------------------------------------------------------------- */

G_ALWAYS_INLINE static inline void dispatch(Sim *sim, SimEvent *ev)
{
  SimNode *n;
  SimNodeRun *r;
  switch ((SimEventType) ev->type) {
  case SIM_EV_START:
    r = sim_node_run(sim, ev->node);
    if (ev->epoch != r->epoch)
      return;
    r->up = 1;
    r->started = 1;
    n = sim_node_rec(sim, ev->node);
    if (sim->kinds[n->kind].start)
      sim->kinds[n->kind].start(sim, ev->node, sim->kstate[n->kind]);
    break;
  case SIM_EV_TIMER:
    r = sim_node_run(sim, ev->node);
    if (ev->epoch != r->epoch || !r->up)
      return;
    n = sim_node_rec(sim, ev->node);
    if (sim->kinds[n->kind].timer)
      sim->kinds[n->kind].timer(sim, ev->node, sim->kstate[n->kind], ev->u32, ev->u64);
    break;
  case SIM_EV_CALL: {
    SimCall c = *(SimCall *) ev->ptr;
    g_free(ev->ptr);
    ev->ptr = NULL;
    c.fn(sim, c.data, ev->u64);
    break;
  }
  case SIM_EV_FLOW_DONE:
  case SIM_EV_FLOW_RATE:
  case SIM_EV_FLOW_TICK:
  case SIM_EV_LOAD_TICK:
    sim_flow_dispatch(sim, ev);
    break;
  default:
    sim_conn_dispatch(sim, ev);
    break;
  }
}

/* --- the run loop ---------------------------------------------------------------- */

/* Where the next entry comes from. */
typedef enum { SRC_STAGE, SRC_EVQ, SRC_FLOW } Src;

/* The i-th staged event, earliest first. */
static inline SimEvqEntry *staged(Sim *sim, guint32 i)
{
  return &sim->stage[(sim->stage_head + i) & (SIM_STAGE - 1)];
}

static inline gboolean is_node_event(guint32 type) { return type == SIM_EV_START || type == SIM_EV_TIMER; }

/* Moves the queue's earliest events into the stage until it is full, keeping
 * it sorted (a handler may have pushed events earlier than staged ones), and
 * asks for their records and nodes. */
G_ALWAYS_INLINE static inline void refill(Sim *sim)
{
  SimEvqEntry x;
  while (sim->nstage < SIM_STAGE && sim_evq_pop_entry(&sim->q, &x)) {
    guint32 i = sim->nstage++;
    for (; i > 0 && sim_evq_entry_less(&x, staged(sim, i - 1)); i--)
      *staged(sim, i) = *staged(sim, i - 1);
    *staged(sim, i) = x;
    __builtin_prefetch(&sim->ev[sim_evq_slot(&x)]);
    if (is_node_event(x.tag))
      __builtin_prefetch(sim_node_rec(sim, x.hint));
  }
}

/* The node a staged event is for, from records already asked for: a
 * delivery's through its message and connection, a node event's from its
 * entry; SIM_NODE_NONE for others.  (A cancelled delivery's message may have
 * been reused: stay inside the pools whatever the indices.) */
static SimNodeId staged_node(const Sim *sim, const SimEvqEntry *e)
{
  if (is_node_event(e->tag))
    return e->hint < sim->nodes.len ? e->hint : SIM_NODE_NONE;
  if (e->tag != SIM_EV_DELIVER || e->hint >= sim->msgs.next_fresh)
    return SIM_NODE_NONE;
  const SimMsg *m = sim_msg_rec(sim, e->hint);
  if (m->conn_ >= sim->conns.next_fresh)
    return SIM_NODE_NONE;
  SimNodeId n = sim_conn_rec(sim, m->conn_)->node[1 - (m->dir_ & 1)];
  return n < sim->nodes.len ? n : SIM_NODE_NONE;
}

/* Every cache line of a record (message and connection records span two
 * or three, and the kernel reads fields in each). */
static inline void prefetch_rec(const void *p, gsize size)
{
  const char *c = p;
  for (gsize off = 0; off < size; off += 64)
    __builtin_prefetch(c + off);
  __builtin_prefetch(c + size - 1);
}

/* A staged event's payload, a step at a time as it nears its turn, each step
 * reading only what the one before asked for: four events ahead its message
 * or connection (named in its queue entry, so the event's own record is not
 * read); three ahead a message's connection and payload; two ahead the node
 * the event is for; one ahead, the model's own record of that node (its
 * kind's prefetch hint).  Without this each delivery waits on a chain of
 * misses in a row at 10^6 nodes. */
G_ALWAYS_INLINE static inline void prefetch_payloads(Sim *sim)
{
  if (sim->nstage > 4) {
    const SimEvqEntry *e = staged(sim, 4);
    if (e->tag == SIM_EV_DELIVER && e->hint < sim->msgs.next_fresh)
      prefetch_rec(sim_msg_rec(sim, e->hint), sizeof(SimMsg));
    else if (e->tag >= SIM_EV_CONNECTED && e->tag <= SIM_EV_CLOSED && e->hint < sim->conns.next_fresh)
      prefetch_rec(sim_conn_rec(sim, e->hint), sizeof(SimConn));
  }
  if (sim->nstage > 3) {
    const SimEvqEntry *e = staged(sim, 3);
    if (e->tag == SIM_EV_DELIVER && e->hint < sim->msgs.next_fresh) {
      const SimMsg *m = sim_msg_rec(sim, e->hint);
      if (m->conn_ < sim->conns.next_fresh)
        prefetch_rec(sim_conn_rec(sim, m->conn_), sizeof(SimConn));
      if (m->blob)
        __builtin_prefetch(m->blob); /* the model reads its payload first */
    }
  }
  if (sim->nstage > 2) {
    /* (A node event's node was asked for when it was staged.) */
    const SimEvqEntry *e = staged(sim, 2);
    SimNodeId n = e->tag == SIM_EV_DELIVER ? staged_node(sim, e) : SIM_NODE_NONE;
    if (n != SIM_NODE_NONE)
      __builtin_prefetch(sim_node_rec(sim, n));
  }
  if (sim->nstage > 1 && sim->kind_prefetch) {
    SimNodeId n = staged_node(sim, staged(sim, 1));
    if (n != SIM_NODE_NONE) {
      const SimNode *nd = sim_node_rec(sim, n);
      if (nd->kind < sim->nkinds && sim->kinds[nd->kind].prefetch)
        sim->kinds[nd->kind].prefetch(sim, n, sim->kstate[nd->kind]);
    }
  }
}

G_ALWAYS_INLINE static inline void take(Sim *sim, Src src, SimEvqEntry *out)
{
  if (src == SRC_STAGE) {
    *out = *staged(sim, 0);
    sim->stage_head = (sim->stage_head + 1) & (SIM_STAGE - 1);
    sim->nstage--;
    prefetch_payloads(sim);
  } else {
    sim_evq_pop_entry(&sim->q, out);
  }
}

/* The next entry to run — the earliest of the stage, the queue and the
 * flow queue — after dropping cancelled events; NULL when nothing is
 * pending. */
G_ALWAYS_INLINE static inline const SimEvqEntry *next_entry(Sim *sim, Src *src)
{
  const SimEvqEntry *e;
  for (;;) {
    /* When refill moves an entry, the stage holds the queue's earliest
     * (the queue pops in order, and nothing is pushed in between), so the
     * queue's top need not be looked at.  Only a full stage — after an event
     * from the queue or the flow queue, whose handler may have pushed
     * earlier ones, or between runs — leaves it there. */
    gboolean full = sim->nstage == SIM_STAGE;
    refill(sim);
    e = sim->nstage ? staged(sim, 0) : NULL;
    *src = SRC_STAGE;
    if (full) {
      const SimEvqEntry *q = sim_evq_top(&sim->q);
      if (q && sim_evq_entry_less(q, e)) {
        e = q;
        *src = SRC_EVQ;
      }
    }
    if (!e || sim->ev[sim_evq_slot(e)].live)
      break;
    SimEvqEntry dead;
    take(sim, *src, &dead);
    guint32 slot = sim_evq_slot(&dead);
    if (sim->ev[slot].type == SIM_EV_CALL)
      g_free(sim->ev[slot].ptr);
    ev_release(sim, slot);
  }
  const SimEvqEntry *f = sim_iheap_top(&sim->flowq);
  if (f && (!e || sim_evq_entry_less(f, e))) {
    *src = SRC_FLOW;
    return f;
  }
  return e;
}

G_ALWAYS_INLINE static inline void run_entry(Sim *sim, const SimEvqEntry *e, Src src)
{
  SimTime t = e->time;
  SimEvent copy;
  if (src == SRC_FLOW) {
    guint32 fi = sim_iheap_id(e);
    sim_iheap_remove(&sim->flowq, fi);
    memset(&copy, 0, sizeof copy);
    copy.type = SIM_EV_FLOW_DONE;
    copy.node = SIM_NODE_NONE;
    copy.u32 = fi;
  } else {
    SimEvqEntry x;
    take(sim, src, &x);
    /* Copy out: handlers may schedule events and grow the record array. */
    copy = sim->ev[sim_evq_slot(&x)];
    ev_release(sim, sim_evq_slot(&x));
  }
  sim->now = t;
  sim->dispatched++;
  /* Fold (time, node, type) into the trajectory fingerprint. */
  guint64 fp = sim->fingerprint ^ (guint64) t;
  fp = sim_mix64(fp) ^ ((guint64) copy.node << 8 | copy.type);
  sim->fingerprint = sim_mix64(fp);
  dispatch(sim, &copy);
  if (sim->progress_every && sim->dispatched % sim->progress_every == 0)
    sim->progress_fn(sim, sim->progress_data);
}

gboolean sim_step(Sim *sim)
{
  Src src;
  const SimEvqEntry *e = next_entry(sim, &src);
  if (!e)
    return FALSE;
  run_entry(sim, e, src);
  return TRUE;
}

void sim_run_until(Sim *sim, SimTime until)
{
  sim->stop = FALSE;
  Src src;
  const SimEvqEntry *e;
  while (!sim->stop && (e = next_entry(sim, &src)) && e->time <= until)
    run_entry(sim, e, src);
  if (!sim->stop && sim->now < until)
    sim->now = until;
}
