/* sim.h — the simulation kernel: nodes, node kinds, timers, the run loop.
 *
 * A Sim owns every piece of simulated state: the event queue, the node table,
 * the network (net.h), connections and messages (conn.h), firewall rules and
 * statistics.  Models plug in as node kinds: a table of callbacks plus one
 * opaque state pointer per kind; the kernel calls them when a node starts,
 * receives a message, sees a connection open, fail or close, or a timer fire.
 *
 * Determinism: events pop in (time, insertion sequence) order; every node has
 * its own RNG stream derived from (seed, node id); nothing reads a wall clock.
 * A trajectory fingerprint folds (time, node, event type) of every dispatched
 * event, so two runs can be compared with one integer.
 *
 * Cost: 16 bytes per pending event in the queue plus a 32-byte record; about
 * 64 bytes per node in the kernel (models keep their own flat arrays). */
#pragma once
#include <glib.h>
#include "simtime.h"
#include "rng.h"

typedef struct Sim Sim;
typedef guint32 SimNodeId;  /* index into the node table */
typedef guint32 SimConnId;  /* index into the connection pool; 0 = none */
typedef guint64 SimTimerId; /* generation << 32 | event slot; 0 = none */
typedef guint SimClass;     /* a traffic class registered with sim_class_register (stats.h) */

#define SIM_NODE_NONE G_MAXUINT32

/* Why a connection did not open or stopped. */
typedef enum {
  SIM_CONN_OK = 0,
  SIM_CONN_REFUSED,   /* reset at connect: firewall reject or nobody listening */
  SIM_CONN_TIMEOUT,   /* no answer: firewall drop, link or node down */
  SIM_CONN_RESET,     /* the far end restarted and reset the connection */
  SIM_CONN_KEEPALIVE, /* the far end or the path died; noticed by keepalive */
  SIM_CONN_PEER_CLOSED, /* the far end closed it */
  SIM_CONN_NO_ROUTE,  /* no route to the destination address (unknown host) */
} SimConnError;

const char *sim_conn_error_name(SimConnError e);

typedef struct SimMsg SimMsg;

/* A node kind: callbacks take the node id and the kind's state pointer.
 * Unused callbacks may be NULL. */
typedef struct {
  const char *name; /* for traces and errors */
  void (*start)(Sim *sim, SimNodeId node, gpointer kstate);
  /* The node crashed: drop all per-node state (the kernel already forgot its
   * timers and connections; no callback for them will come). */
  void (*crashed)(Sim *sim, SimNodeId node, gpointer kstate);
  void (*message)(Sim *sim, SimNodeId node, gpointer kstate, SimConnId conn, SimMsg *msg);
  /* inbound: TRUE on the accepting side. */
  void (*connected)(Sim *sim, SimNodeId node, gpointer kstate, SimConnId conn, gboolean inbound);
  void (*connect_failed)(Sim *sim, SimNodeId node, gpointer kstate, SimConnId conn, SimConnError why);
  void (*closed)(Sim *sim, SimNodeId node, gpointer kstate, SimConnId conn, SimConnError why);
  void (*timer)(Sim *sim, SimNodeId node, gpointer kstate, guint32 tag, guint64 arg);
  const guint16 *ports; /* ports this kind accepts connections on, 0-terminated */
  /* Optional: an event for the node is about to run (one other event runs
   * first); prefetch the model's own record of the node with
   * __builtin_prefetch and change nothing. */
  void (*prefetch)(const Sim *sim, SimNodeId node, gpointer kstate);
} SimNodeKind;

/* Kernel parameters (defaults in sim_params_default). */
typedef struct {
  guint64 seed;
  SimTime connect_timeout;   /* a dropped connect fails after this */
  SimTime keepalive_timeout; /* a dead peer is noticed after this */
  SimTime bucket;            /* statistics bucket width */
  guint32 tls_rtts;          /* round trips of a full TLS handshake (after TCP's) */
  guint32 tls_client_bytes;  /* handshake bytes client → server */
  guint32 tls_server_bytes;  /* handshake bytes server → client (certificates) */
  guint32 tls_resumed_rtts;  /* the same for an abbreviated (resumed) handshake */
  guint32 tls_resumed_client_bytes;
  guint32 tls_resumed_server_bytes;
  guint32 init_cwnd;         /* initial congestion window, segments */
  guint32 mss;               /* payload bytes per segment */
  SimTime min_rto;           /* retransmission timeout floor (lossy links) */
  guint32 group_min;         /* flows sharing one bottleneck evenly that are rated as
                              * a group from then on (0: never; flowgroup.c) */
} SimParams;

void sim_params_default(SimParams *p);

Sim *sim_new(const SimParams *params);
void sim_free(Sim *sim);
const SimParams *sim_params(const Sim *sim);

/* --- node kinds and nodes -------------------------------------------------- */
guint16 sim_kind_register(Sim *sim, const SimNodeKind *kind, gpointer kstate);
const SimNodeKind *sim_kind(const Sim *sim, guint16 kind);

guint32 sim_node_count(const Sim *sim);
guint16 sim_node_kind(const Sim *sim, SimNodeId node);
/* The model's own index for this node (set at sim_node_add). */
guint32 sim_node_local(const Sim *sim, SimNodeId node);
guint32 sim_node_addr(const Sim *sim, SimNodeId node);
guint32 sim_node_subnet(const Sim *sim, SimNodeId node);
guint32 sim_node_site(const Sim *sim, SimNodeId node);
gboolean sim_node_is_up(const Sim *sim, SimNodeId node);
/* The node with this address, or SIM_NODE_NONE. */
SimNodeId sim_node_by_addr(Sim *sim, guint32 addr);
SimRng *sim_node_rng(Sim *sim, SimNodeId node);

/* Schedules the node's start callback at absolute time `at`. */
void sim_node_start_at(Sim *sim, SimNodeId node, SimTime at);
/* Crash now: timers and connections vanish; far ends notice after the
 * keepalive timeout. */
void sim_node_crash(Sim *sim, SimNodeId node);
/* Restart now: far ends still holding old connections get a reset at once;
 * the kind's start callback runs. */
void sim_node_restart(Sim *sim, SimNodeId node);

/* --- time and timers ------------------------------------------------------- */
SimTime sim_now(const Sim *sim);
SimTimerId sim_timer_start(Sim *sim, SimNodeId node, SimTime delay, guint32 tag, guint64 arg);
/* O(1); cancelling a timer that already fired or was cancelled is harmless. */
void sim_timer_cancel(Sim *sim, SimTimerId timer);
gboolean sim_timer_pending(const Sim *sim, SimTimerId timer);

/* A scheduled call outside any node (scenario actions, measurements). */
typedef void (*SimCallFn)(Sim *sim, gpointer data, guint64 arg);
SimTimerId sim_call_at(Sim *sim, SimTime at, SimCallFn fn, gpointer data, guint64 arg);

/* --- running ---------------------------------------------------------------- */
/* Runs events with time <= until; leaves the clock at `until`. */
void sim_run_until(Sim *sim, SimTime until);
/* Runs one event; FALSE when the queue is empty. */
gboolean sim_step(Sim *sim);
/* Stops sim_run_until after the current event. */
void sim_stop(Sim *sim);
gsize sim_pending_events(const Sim *sim);
guint64 sim_events_dispatched(const Sim *sim);
guint64 sim_fingerprint(const Sim *sim);
/* Called every `every` dispatched events (progress display); NULL to clear. */
void sim_set_progress(Sim *sim, guint64 every, void (*fn)(Sim *sim, gpointer data), gpointer data);

/* Stops a node gracefully now: every connection it holds is closed (far ends
 * get PEER_CLOSED after what was already sent), then the node is down like
 * after a crash (its timers are forgotten, the kind's crashed callback runs). */
void sim_node_stop(Sim *sim, SimNodeId node);

/* Message trace: called for every message delivered to a node (after the
 * receiver's handler ran), with the sender, receiver, traffic class, payload
 * size, model message type, and when it was sent.  NULL clears it.  Costs
 * nothing when unset. */
typedef void (*SimTraceFn)(Sim *sim, gpointer data, SimNodeId from, SimNodeId to, guint8 cls, guint64 size,
                           guint32 type, SimTime sent_at);
void sim_set_trace(Sim *sim, SimTraceFn fn, gpointer data);
