/* sim-private.h — the kernel's internal records, shared by the sim/ modules
 * only.  Models and front ends use the public headers. */
#pragma once
#include "sim.h"
#include "net.h"
#include "conn.h"
#include "firewall.h"
#include "stats.h"
#include "evq.h"
#include "iheap.h"
#include "pool.h"
#include "vec.h"

#define SIM_MAX_HOPS 16     /* directed links on one host-to-host path */
#define SIM_MAX_KINDS 32
/* Events taken out of the queue ahead of their turn, so that their records
 * and nodes (far apart in memory at 10^5-10^6 nodes) can be prefetched while
 * the events before them run.  bench/phold 65,536 x 64: 4 and 8 within the
 * noise of this machine (4-6 M events/s), 16 slower (3-4 M). */
#define SIM_STAGE 8 /* a power of two: the stage is a ring */
G_STATIC_ASSERT((SIM_STAGE & (SIM_STAGE - 1)) == 0);

/* Kernel event types. */
typedef enum {
  SIM_EV_FREE = 0,
  SIM_EV_START,       /* node: start callback */
  SIM_EV_TIMER,       /* node: timer(u32 = tag, u64 = arg) */
  SIM_EV_CALL,        /* ptr = SimCall */
  SIM_EV_DELIVER,     /* u32 = message index */
  SIM_EV_CONNECTED,   /* u32 = conn, u64 = side (0 initiator, 1 acceptor) */
  SIM_EV_CONNFAIL,    /* u32 = conn, u64 = SimConnError */
  SIM_EV_CLOSED,      /* u32 = conn, u64 = side | reason << 8 */
  SIM_EV_FLOW_DONE,   /* u32 = flow: the last byte left the bottleneck (from flowq) */
  SIM_EV_FLOW_RATE,   /* u32 = flow: slow start over, join the fair share */
  SIM_EV_SEND_NEXT,   /* u32 = conn, u64 = dir: start the next queued message */
  SIM_EV_TRANSFER,    /* u32 = transfer: open its connection */
  SIM_EV_FLOW_TICK,   /* u32 = flow group: a statistics bucket ended, account its members */
  SIM_EV_LOAD_TICK,   /* u32 = directed link: a bucket ended, its reservation is due (linkload.c) */
} SimEventType;

typedef struct {
  guint32 node;   /* node the event is for (SIM_NODE_NONE: none) */
  guint8 type;    /* SimEventType */
  guint8 live;    /* 0 once cancelled */
  guint16 epoch;  /* node epoch at scheduling (stale after a crash) */
  guint32 gen;    /* generation, for timer handles */
  guint32 u32;
  guint64 u64;
  gpointer ptr;
} SimEvent;
/* Two records a cache line, in an array aligned to one (sim.c's ev_place),
 * so one prefetch brings a whole record. */
G_STATIC_ASSERT(sizeof(SimEvent) == 32);

typedef struct {
  SimCallFn fn;
  gpointer data;
} SimCall;

typedef struct {
  guint32 addr;       /* IPv4 address */
  guint32 subnet;     /* subnet index */
  guint32 local;      /* model's index */
  guint32 link;       /* access link */
  guint32 conns;      /* head of this node's connection list (0 = none) */
  guint16 kind;       /* node kind */
  guint8 pad_[2];
  SimRng rng;         /* the node's own stream (models) */
  SimRng netrng;      /* the network's draws for this sender (loss) */
} SimNode;

/* The per-node state every event checks, kept apart from SimNode in one
 * dense array (4 bytes a node: 4 MB at 10^6 nodes) so that scheduling and
 * dispatching an event for a random node does not miss the cache on its
 * 64-byte record. */
typedef struct {
  guint16 epoch;      /* bumped at every crash: stale events are skipped */
  guint8 up;          /* running */
  guint8 started;     /* has run its start callback at least once */
} SimNodeRun;

typedef struct {
  char *name;
} SimSite;

typedef struct {
  guint32 base;       /* network address */
  guint8 prefix;      /* mask length */
  guint32 site;
  double access_bps;  /* default access link bandwidth for hosts */
  SimTime access_lat; /* default access link latency */
  guint32 access_buffer; /* default access link buffer for hosts, packets */
  guint32 next_host;  /* next host offset for automatic addresses */
  guint32 hosts;      /* hosts added */
  guint32 placed;     /* hosts added at an explicit address */
} SimSubnet;

/* A directed link's small-message load in the current statistics bucket
 * (linkload.c): floats, for 32 bytes a direction on every access link. */
typedef struct {
  SimTime start;      /* the bucket the figures below are for: its start */
  float bytes;        /* small-message wire bytes carried in it so far */
  float resv;         /* wire bytes reserved in it up to `at` (the rate's integral;
                       * it runs on at `rate` from there) */
  float at;           /* ns into the bucket where the rate last changed */
  float rate;         /* reserved now: wire bytes per ns kept from the bulk flows */
  float est;          /* the small-message rate expected (the last bucket's), bytes/ns */
  float once;         /* of bytes, those that do not recur (slow-start rounds) */
} SimLinkLoad;

typedef struct {
  double bps;         /* capacity, bits/s */
  double payload_rate;/* payload bytes per ns at full segments */
  SimTime lat;        /* one-way propagation delay */
  double loss;        /* per-segment loss probability */
  guint32 a, b;       /* WAN: sites a and b; access: node and subnet */
  guint32 framing;    /* header bytes per segment */
  guint32 nflows[2];  /* active bulk flows per direction */
  guint32 nstart[2];  /* bulk flows in (analytic) slow start per direction */
  guint32 flows[2];   /* head of the per-direction flow list (flow hop ref) */
  guint32 mark[2];    /* recompute epoch, per direction */
  guint32 slot[2];    /* scratch index during a recompute */
  guint32 stats[2];   /* series index + 1 per direction (access links: their
                       * subnet's); 0 = none yet */
  guint32 group[2];   /* flow group held to this direction's share, 0 = none */
  guint32 buffer;     /* device queue, packets (linkload.c) */
  SimLinkLoad load[2];/* small-message load per direction (linkload.c) */
  guint8 kind;        /* SimLinkKind */
  guint8 up;
  guint8 queued[2];   /* the direction holds a standing queue: bulk flows fill it */
  guint8 ticking[2];  /* a LOAD_TICK is pending for the direction */
} SimLink;

/* Connection states. */
enum { SIM_CS_CONNECTING = 1, SIM_CS_OPEN, SIM_CS_BROKEN, SIM_CS_CLOSED };

typedef struct {
  guint32 free_;        /* pool link (must stay first) */
  guint32 gen;          /* unique per allocation */
  SimNodeId node[2];    /* 0: initiator, 1: acceptor */
  guint32 next[2];      /* next connection in each node's list */
  guint32 prev[2];      /* previous connection in each node's list */
  guint32 tag[2];       /* model tags per side */
  guint32 qhead[2], qtail[2]; /* per-direction queue of waiting messages */
  guint32 qlead[2];           /* the last of the messages that lead the queue,
                               * ahead of its streams (0: none) */
  guint32 flow[2];      /* active bulk flow per direction (0 = none) */
  guint32 cwnd[2];      /* congestion window, segments, per direction */
  SimTime last_arrival[2]; /* in-order delivery floor per direction */
  SimTime opened;       /* when sim_connect was called (connect timeout origin) */
  guint32 transfer;     /* background transfer id + 1, 0 = model connection */
  guint32 note[2];      /* event slot of the side's pending close notification
                         * (a SIM_EV_CLOSED for this record and side), 0: none */
  guint16 port;
  guint8 state;         /* SIM_CS_*; SIM_CS_OPEN is what open_conns counts */
  guint8 held[2];       /* the side's model still holds the handle */
  guint8 closing[2];    /* side asked to close once its queue drains */
  guint8 linked[2];     /* in node[i]'s connection list */
  guint8 seen[2];       /* the side's model got its connected callback */
} SimConn;
/* About two records per endpoint: they stay within 128 bytes (issue 25). */
G_STATIC_ASSERT(sizeof(SimConn) <= 128);

typedef struct {
  guint32 dl;           /* directed link */
  guint32 prev, next;   /* neighbours in the link's flow list: flow<<4 | hop */
} SimFlowHop;

/* What a recompute keeps of each link it meets, so that bringing its flows'
 * statistics up to date need not visit the link records again. */
typedef struct {
  guint32 framing;      /* the link's framing bytes */
  guint32 series;       /* its statistics series for the direction (0: none yet) */
  gboolean wan;
} SimLinkInfo;

/* A growable scratch array of one element type, reused without shrinking
 * (the recompute's: no library call per element). */
typedef struct {
  gpointer data;
  guint32 len, cap;
} SimBuf;

/* Room for n elements of elem bytes; len unchanged. */
static inline void sim_buf_reserve(SimBuf *b, guint32 n, gsize elem)
{
  if (G_UNLIKELY(n > b->cap)) {
    b->cap = MAX(n, b->cap * 2 + 16);
    b->data = g_realloc_n(b->data, b->cap, elem);
  }
}
#define SIM_BUF_PUSH(b, T, v)                            \
  do {                                                   \
    SimBuf *b_ = (b);                                    \
    sim_buf_reserve(b_, b_->len + 1, sizeof(T));         \
    ((T *) b_->data)[b_->len++] = (v);                   \
  } while (0)
#define SIM_BUF_SIZE(b, T, n) (sim_buf_reserve((b), (n), sizeof(T)), (b)->len = (n))
#define SIM_BUF_AT(b, T, i) (((T *) (b)->data)[i])

/* The flows, flow groups and directed links a recompute touches: everything
 * connected to its seed links through shared links (flowcomp.c), numbered
 * 0.. in discovery order, with the arrays the solver (maxmin.h) reads and
 * fills.  Reused from one recompute to the next. */
typedef struct {
  SimBuf links;        /* guint32 directed link, by component link */
  SimBuf flows;        /* guint32 flow, by component flow */
  SimBuf groups;       /* guint32 flow group, by component group */
  SimBuf hop_off;      /* guint32 per flow + 1: its first entry in hops */
  SimBuf hops;         /* guint32 component link of each hop of each flow */
  SimBuf link_off;     /* guint32 per link + 1: its first entry in link_flows */
  SimBuf link_flows;   /* guint32 component flows listed on each link */
  SimBuf link_group;   /* guint32 per link: component group + 1, 0 = none */
  SimBuf info;         /* SimLinkInfo per link */
  SimBuf res;          /* double per link: capacity for flows, then what is left */
  SimBuf cnt;          /* guint32 per link: flows counted on it */
  SimBuf cap;          /* double per flow: its rate cap, 0 = none */
  SimBuf rate;         /* double per flow: its max-min rate */
  SimBuf lvl;          /* guint32 per flow: the link it got its share at */
  SimBuf group_n;      /* guint32 per group: members */
  SimBuf group_rate;   /* double per group */
  SimBuf bottleneck;   /* guint8 per link */
} SimComponent;

typedef struct {
  guint32 free_;        /* pool link */
  guint32 conn;         /* connection */
  guint32 msg;          /* message being carried */
  guint8 dir;           /* direction on the connection */
  guint8 nhops;
  guint8 active;        /* registered on links (rate phase) */
  guint8 starting;      /* in slow start: counted in its hops' nstart */
  guint8 cls;           /* its message's SimClass */
  guint32 mark;         /* recompute epoch */
  guint32 cidx;         /* during a recompute: its index among the component's flows */
  guint32 lvl;          /* during a recompute: component link it got its share at (G_MAXUINT32: capped) */
  guint8 group_ok;      /* during a recompute: may join that link's group */
  double remaining;     /* payload bytes still to push through */
  double rate;          /* payload bytes per ns */
  double cap;           /* per-flow rate cap from loss (bytes/ns), 0 = none */
  SimTime since;        /* when remaining was last brought up to date */
  SimTime lat;          /* propagation delay of the path */
  SimTimerId done;      /* end of slow start (FLOW_RATE event); completions are in sim->flowq */
  guint32 src_site, dst_site; /* for LAN/WAN accounting */
  guint32 src_subnet, dst_subnet;
  guint32 group;        /* flow group it is rated in (flowgroup.c), 0 = none */
  guint32 gpos;         /* its place in the group's heap */
  double fin;           /* group member: the group's virtual time when its message is through */
  double vs;            /* group member: the virtual time its bytes were last accounted at */
  SimFlowHop hops[SIM_MAX_HOPS];
} SimFlow;

/* A flow group (flowgroup.c): flows held to one directed link's max-min
 * share, each alone on its other links.  Their common rate is kept in
 * virtual time — the payload bytes each member has moved since the group
 * formed — so a member joining or leaving changes two numbers instead of
 * re-rating every member.  Members are counted on the link but not listed
 * there: a recompute meets the group as one entry of n flows. */
typedef struct {
  guint32 free_;        /* pool link */
  guint32 dl;           /* the bottleneck: the directed link every member crosses */
  guint32 n;            /* members */
  guint32 top;          /* member whose completion is in sim->flowq, 0 = none */
  guint32 *heap;        /* members by (fin, flow), a binary heap; NULL once freed */
  guint32 heap_cap;
  guint32 mark;         /* recompute epoch */
  double v;             /* virtual time, payload bytes per member */
  double rate;          /* payload bytes per ns per member */
  double floor;         /* no member's other links leave it less than this (a
                         * lower bound: members leaving only raise it) */
  SimTime at;           /* when v was last brought up to date */
  SimTimerId tick;      /* the next statistics bucket boundary */
} SimFlowGroup;

typedef struct {
  SimNodeId from, to;
  guint64 bytes;
  guint64 reply;        /* an exchange's response bytes (0: a plain transfer) */
  guint8 cls;
  SimTime started;
  SimTime finished;     /* -1 until done */
  guint32 conn;
} SimTransfer;

typedef struct {
  guint32 id;           /* rule id */
  SimFwRule rule;
} SimFwEntry;

/* Statistics are stored bucket-major: row b holds bucket b of every series
 * (WAN directed links and subnets, numbered as they first carry traffic).
 * Nearly every update lands in the current bucket, so at 10^6 endpoints the
 * ~16,000 series' current buckets are one compact array rather than one line
 * in each of 16,000 chunks (a TLB miss per small message).
 *
 * Only the last rows stay dense: as many as fit in SIM_STATS_OPEN_BYTES, at
 * least SIM_STATS_OPEN_MIN, at most SIM_STATS_OPEN_MAX.  A row the clock has
 * left that far behind is sealed: re-encoded as its non-zero cells only
 * (varints), a tenth of the dense size or less — a dense row at 10^6 endpoints
 * is 1.7 MB, an hour of them 6 GB.  An update that still reaches sealed rows
 * (a bulk transfer accounted over the buckets it spanned) is kept whole as a
 * late span and spread over those rows, with the same arithmetic, when they
 * are read; the wider the open window, the fewer such spans. */
/* (SIM_STATS_OPEN_* are in stats.h.) */

typedef struct {
  guint64 *b;           /* open: cells by series index (SimStats.cell words each), or NULL */
  guint32 len;          /* open: series the row covers; sealed: bytes in enc */
  guint8 *enc;          /* sealed: the encoded non-zero cells, or NULL */
} SimStatsRow;

/* One update's bytes spread over the buckets [t0, t1) covers, bucket by
 * bucket, the rounding carried along (t1 <= t0 or one bucket: all in one). */
typedef struct {
  double per_ns, carried, bytes;
  guint64 given;
  SimTime t0, t1, w;
  guint32 b, b1;        /* the next bucket, the last */
  gboolean one;         /* all in bucket b1 */
} SimSpread;

typedef struct {
  SimTime t0, t1;
  double bytes;
  guint32 s, cls, msgs; /* series index, class, messages (to bucket t1's) */
  guint32 b0, last;     /* first bucket, last sealed one it reaches */
} SimStatsLate;

typedef struct {
  guint32 late;         /* index in SimStats.late */
  SimSpread sp;
} SimStatsActive;

/* A cell (one series' bucket) is `cell` guint64 words: the byte counts of
 * the ncls registered classes, then their message counts as guint32s.  The
 * class count is fixed by the first traffic (sim_class_register refuses a
 * class after it). */
typedef struct {
  char *cls_names[SIM_CLASS_MAX]; /* registered traffic classes, by id */
  guint32 ncls;
  guint32 cell;         /* words per cell: ncls + (ncls + 1) / 2 */
  SimBucket view;       /* the bucket the readers were last handed */
  SimStatsRow *rows;    /* by bucket */
  guint32 nrows;        /* entries in rows */
  guint32 sealed;       /* rows below this are sealed */
  guint32 nseries;      /* series numbered so far */
  guint32 nbuckets;
  GArray *subnet_series;/* guint32 series index + 1 per subnet*2 + down */
  GArray *late;         /* SimStatsLate, sorted by b0 before reading */
  gboolean late_sorted;
  /* reading: one sealed row decoded at a time, late spans replayed in order */
  guint64 *scratch;     /* cells by series index */
  guint32 scratch_len;
  guint32 scratch_row;  /* the row decoded in scratch, or G_MAXUINT32 */
  GArray *touched;      /* guint32 scratch cells to clear for the next row */
  GArray *active;       /* SimStatsActive: late spans reaching scratch_row */
  guint32 late_next;    /* the next late span to become active */
  guint64 *sum, *peak;  /* by series: total bytes and largest bucket */
  gboolean sums_stale;
} SimStats;

struct Sim {
  SimParams p;
  SimTime now;
  SimEvq q;
  SimIheap flowq;       /* bulk-flow completions, by flow (they move often) */
  SimEvqEntry stage[SIM_STAGE]; /* the next events, out of q ahead of their turn,
                                 * their records and nodes prefetched: a ring,
                                 * sorted from stage[stage_head] on */
  guint32 nstage;
  guint32 stage_head;
  SimEvent *ev;         /* event records by slot, cache-line aligned */
  gpointer ev_mem;      /* the block they are in: malloc's, or */
  gsize ev_map_len;     /* a mapping of this length (sim.c's ev_place) */
  guint32 ev_cap;       /* records allocated */
  guint32 ev_free;      /* free-slot stack top index into ev_freelist */
  guint32 *ev_freelist; /* free slots */
  guint32 ev_next;      /* never-used slot */
  guint32 ev_gen;       /* generation counter for timer handles */
  guint64 dispatched;
  guint64 fingerprint;
  gboolean stop;
  guint64 progress_every;
  void (*progress_fn)(Sim *, gpointer);
  gpointer progress_data;
  SimTraceFn trace_fn;  /* delivered-message trace, or NULL */
  gpointer trace_data;

  SimNodeKind kinds[SIM_MAX_KINDS];
  gpointer kstate[SIM_MAX_KINDS];
  guint32 nkinds;
  gboolean kind_prefetch; /* some kind has a prefetch hook */

  SimVec nodes;         /* SimNode */
  SimNodeRun *run;      /* per node, dense */
  guint32 run_cap;
  GArray *addr_index;   /* guint64 addr << 32 | node, sorted on demand */
  gboolean addr_sorted;

  GArray *sites;        /* SimSite */
  GArray *subnets;      /* SimSubnet */
  GArray *subnet_index; /* guint32 subnet ids sorted by base */
  SimVec links;         /* SimLink */
  GArray *wan_links;    /* guint32 link ids of WAN links */

  /* routing: per source site, the previous directed link on the best path
   * to every site (SIM_NONE: unreachable / self), computed on demand. */
  guint32 **route_prev;
  guint32 route_sites;  /* sites when route_prev was sized */
  guint32 *adj_start;   /* per site: first index into adj (sites + 1 entries) */
  guint32 *adj;         /* directed WAN links leaving each site */
  guint32 adj_sites;    /* sites when adj was built; 0 = rebuild */

  SimPool msgs;         /* SimMsg */
  SimPool conns;        /* SimConn */
  SimPool flows;        /* SimFlow */
  SimPool groups;       /* SimFlowGroup */
  guint64 groups_formed, groups_dissolved;
  guint32 conn_gen;
  guint64 open_conns;
  guint32 recompute_mark;
  SimComponent comp;    /* a recompute's flows, groups and links (flowcomp.c) */

  GArray *transfers;    /* SimTransfer */

  GArray *fw;           /* SimFwEntry, in order */
  guint32 fw_next_id;

  /* statistics */
  SimStats st;
  guint64 wan_total[SIM_CLASS_MAX];
  guint64 lan_total[SIM_CLASS_MAX];
};

/* kernel internals shared across sim/ files */
/* A new event record at `at`: for `node` (SIM_NODE_NONE: none), about
 * object `ref` (its u32: message, connection, flow, ...). */
guint32 sim_ev_alloc(Sim *sim, SimTime at, SimEventType type, SimNodeId node, guint32 ref);
static inline SimEvent *sim_ev(Sim *sim, guint32 slot) { return &sim->ev[slot]; }
static inline SimNode *sim_node_rec(const Sim *sim, SimNodeId n) { return sim_vec_at(&sim->nodes, n); }
static inline SimNodeRun *sim_node_run(const Sim *sim, SimNodeId n) { return &sim->run[n]; }
static inline SimLink *sim_link_rec(const Sim *sim, guint32 l) { return sim_vec_at(&sim->links, l); }
static inline SimConn *sim_conn_rec(const Sim *sim, guint32 c) { return sim_pool_get(&sim->conns, c); }
static inline SimFlow *sim_flow_rec(const Sim *sim, guint32 f) { return sim_pool_get(&sim->flows, f); }
static inline SimFlowGroup *sim_group_rec(const Sim *sim, guint32 g) { return sim_pool_get(&sim->groups, g); }
static inline SimMsg *sim_msg_rec(const Sim *sim, guint32 m) { return sim_pool_get(&sim->msgs, m); }
guint32 sim_msg_index(const Sim *sim, const SimMsg *m);
/* The message at the head of a connection direction's queue (0: none),
 * after a stream there has yielded its next message (conn.c). */
guint32 sim_conn_queue_head(Sim *sim, guint32 c, int d);
/* Takes the head message off a connection direction's queue. */
static inline void sim_conn_queue_pop(Sim *sim, SimConn *cn, int d)
{
  if (cn->qlead[d] == cn->qhead[d])
    cn->qlead[d] = 0;
  cn->qhead[d] = sim_msg_rec(sim, cn->qhead[d])->next_;
  if (!cn->qhead[d])
    cn->qtail[d] = 0;
}
/* Frees a message and its blob. */
void sim_msg_release(Sim *sim, guint32 idx);

/* conn.c */
void sim_conn_dispatch(Sim *sim, SimEvent *ev);
void sim_conn_node_crashed(Sim *sim, SimNodeId node);
void sim_conn_node_stopping(Sim *sim, SimNodeId node);
void sim_conn_node_restarted(Sim *sim, SimNodeId node);
void sim_conn_reroute(Sim *sim);
void sim_conn_fw_changed(Sim *sim, const SimFwRule *rule);
void sim_conn_free_all(Sim *sim);
/* flow.c */
void sim_flow_start(Sim *sim, guint32 conn, guint8 dir, guint32 msg);
void sim_conn_flow_done(Sim *sim, guint32 conn, int dir, guint32 msg, SimTime tail);
/* Schedules msg's delivery at `at` (or later, to keep the connection's order). */
void sim_conn_deliver_at(Sim *sim, guint32 conn, guint32 msg, SimTime at);
void sim_flow_dispatch(Sim *sim, SimEvent *ev);
void sim_flow_kill(Sim *sim, guint32 flow);
void sim_flow_reroute(Sim *sim, guint32 flow);
/* Puts an active flow on (off) its hops' flow lists and counts. */
void sim_flow_link(Sim *sim, guint32 flow);
void sim_flow_unlink(Sim *sim, guint32 flow);
/* Puts the flow on (off) hop h's list only. */
void sim_flow_hop_list(Sim *sim, guint32 flow, int h, gboolean on);
/* Accounts bytes the flow moved over [since, to] on its hops' statistics
 * and the totals, and brings remaining and since up to `to` (info and
 * slots: what a recompute saw of the hops' links, or NULL). */
void sim_flow_account(Sim *sim, SimFlow *f, double bytes, const SimLinkInfo *info, const guint32 *slots,
                      SimTime to);
/* Brings the flow's bytes up to now at its current rate (or its group's). */
void sim_flow_accrue(Sim *sim, SimFlow *f);
/* Queues the flow's completion at its current rate and remaining bytes. */
void sim_flow_schedule_done(Sim *sim, guint32 flow);
/* Max-min rates for the component of the seed links. */
void sim_flow_recompute(Sim *sim, const guint32 *seed, int nseed);
/* A flow's hop on a link's flow list: flow << 4 | hop. */
#define SIM_HOP_REF(f, h) ((f) << 4 | (h))
static inline SimFlowHop *sim_hop_of(Sim *sim, guint32 ref)
{
  return &sim_flow_rec(sim, ref >> 4)->hops[ref & 15];
}
/* flowcomp.c */
void sim_comp_init(SimComponent *c);
void sim_comp_clear(SimComponent *c);
/* Fills sim->comp with the flows, groups and links connected to the seed
 * links (directed) through shared links, and the solver's inputs for them
 * (res, cnt, info are sized, not filled); FALSE when it holds no flow and
 * no group. */
gboolean sim_comp_find(Sim *sim, const guint32 *seed, int nseed);
/* flowgroup.c */
/* A flow about to become active: members alone on a link it crosses become
 * plain flows again; then, if it crosses one group's link and is alone on
 * its others, it joins that group (TRUE: it is on its links and rated).
 * FALSE: the caller links it and recomputes as usual. */
gboolean sim_group_join(Sim *sim, guint32 flow);
/* A member leaves: it is accounted, taken off its links, and its group's
 * share computed again. */
void sim_group_leave(Sim *sim, guint32 flow);
/* A plain flow frozen at dl's share, alone on its other links, joins dl's
 * group (formed if there is none). */
void sim_group_adopt(Sim *sim, guint32 dl, guint32 flow);
/* The members become plain flows at the group's rate. */
void sim_group_dissolve(Sim *sim, guint32 group);
/* The recompute's share for the group (the first member's completion moves). */
void sim_group_set_rate(Sim *sim, guint32 group, double rate);
/* Brings a member's bytes up to now (the group's virtual time). */
void sim_group_accrue(Sim *sim, SimFlow *f);
/* A member's remaining bytes changed (a new message): it moves in the heap. */
void sim_group_rekey(Sim *sim, guint32 flow);
void sim_group_tick(Sim *sim, guint32 group);
void sim_groups_clear(Sim *sim);
/* linkload.c: small messages share the links */
/* A small message's wire bytes cross directed link dl now: counted in the
 * link's load; when the load outgrows what is reserved for it, the bulk
 * flows there are re-rated. */
void sim_load_add(Sim *sim, SimLink *l, guint32 dl, double wire, gboolean once);
static inline void sim_load_small(Sim *sim, SimLink *l, guint32 dl, double wire)
{
  SimLinkLoad *ld = &l->load[dl & 1];
  /* the common case, inline: the same bucket on a direction without bulk flows */
  if ((guint64) (sim->now - ld->start) < (guint64) sim->p.bucket && l->nflows[dl & 1] == 0)
    ld->bytes += (float) wire;
  else
    sim_load_add(sim, l, dl, wire, FALSE);
}
/* The same for bytes of this bucket only (a bulk flow's slow-start rounds):
 * they are not expected again in the next one. */
static inline void sim_load_once(Sim *sim, SimLink *l, guint32 dl, double wire) { sim_load_add(sim, l, dl, wire, TRUE); }
/* LOAD_TICK: a bucket ended on a direction that reserves something for
 * small messages while bulk flows share it. */
void sim_load_tick(Sim *sim, guint32 dl);
/* The payload rate (bytes per ns) bulk flows may share on dl now: capacity
 * less the small-message reservation (brought to the current bucket). */
double sim_load_bulk_rate(Sim *sim, SimLink *l, guint32 dl);
/* The standing queue's delay (ns) a small message meets on dl: the buffer's
 * packets at line rate while bulk flows fill the direction, else 0. */
static inline double sim_load_queue_delay(const Sim *sim, const SimLink *l, int d)
{
  if (!l->queued[d])
    return 0;
  return (double) l->buffer * (double) (sim->p.mss + l->framing) * 8e9 / l->bps;
}
/* net.c */
void sim_net_init(Sim *sim);
void sim_net_clear(Sim *sim);
void sim_route_invalidate(Sim *sim);
/* stats.c */
void sim_stats_init(Sim *sim);
void sim_stats_clear(Sim *sim);
/* Adds bytes on directed link dl, spread over [t0, t1] (t1 == t0: one bucket). */
void sim_stats_link(Sim *sim, guint32 dl, SimClass cls, double bytes, guint32 msgs, SimTime t0, SimTime t1);
/* The same for a series already numbered (a link's stats[dir], non-zero). */
void sim_stats_series(Sim *sim, guint32 series, SimClass cls, double bytes, guint32 msgs, SimTime t0, SimTime t1);
void sim_stats_total(Sim *sim, gboolean wan, SimClass cls, double bytes);
