/* conn.h — TCP-like connections and messages over the network model.
 *
 * Connect: succeeds after one round trip (plus the TLS handshake's round trips
 * and bytes when TLS is on); fails after one round trip when a firewall
 * rejects or nobody listens; fails after the connect timeout when a firewall
 * drops, the destination is down or there is no route.
 *
 * Messages on a connection arrive in the order they were sent, and so do a
 * stream's; but a message may pass a stream queued before it, and a small
 * one the stream's message on the wire (see sim_send_stream).  A message no
 * larger than the initial congestion window is delivered analytically in O(1)
 * events: the path's propagation delay plus the first segment's
 * store-and-forward time on every hop plus the rest at the slowest hop, each
 * hop's rate being the share a new flow would get there (its bandwidth
 * divided by active bulk flows + 1).
 * A larger message is a bulk transfer: slow start from the connection's
 * congestion window (rounds of one RTT, window doubling until it covers the
 * bandwidth-delay product), then a flow whose rate is the max-min fair share
 * of every link it crosses, recomputed when a flow starts or ends.  Header
 * bytes count on every link (net.h, framing).
 *
 * A broken connection (crash, link without route, firewall change) loses what
 * is in flight; the surviving end hears of it after the keepalive timeout,
 * or at once (after one-way latency) when the crashed node restarts. */
#pragma once
#include <glib.h>
#include "sim.h"


/* A message.  Models set the public fields after sim_msg_new; the kernel owns
 * the rest.  On delivery the receiver may take `blob` (set it to NULL);
 * otherwise the kernel frees it with blob_free when the message is done. */
struct SimMsg {
  /* public: set by the sender */
  guint64 size;           /* modelled payload bytes */
  guint32 type;           /* model-defined message type */
  guint32 u;              /* model-defined */
  guint8 cls;             /* SimClass (a registered traffic class, stats.h) */
  guint8 pad_[7];
  guint64 a, b;           /* model-defined */
  double max_bps;         /* rate cap for this message (throttles), 0 = none */
  gpointer blob;          /* model-defined data, or NULL */
  GDestroyNotify blob_free; /* frees blob (NULL: g_free) */
  /* private: kernel */
  guint32 self_;          /* own pool index */
  guint32 next_;          /* connection send queue */
  guint32 conn_;          /* connection index */
  guint32 conn_gen_;      /* connection generation at send */
  guint8 dir_;            /* 0: initiator → acceptor, 1: back */
  guint8 flags_;
  guint16 pad2_;
  SimTime sent_at_;       /* when the sender handed it to the kernel */
};

SimMsg *sim_msg_new(Sim *sim);
/* Releases a message that was never sent. */
void sim_msg_discard(Sim *sim, SimMsg *msg);

/* TLS on a connection: none, a full handshake, or an abbreviated one (a
 * resumed session).  TRUE is a full one. */
typedef enum { SIM_TLS_NONE = 0, SIM_TLS_FULL = 1, SIM_TLS_RESUMED = 2 } SimTls;

/* Opens a connection from `node` to dst_addr:port.  The outcome arrives as a
 * connected or connect_failed callback on `node`; the acceptor gets connected
 * (inbound) when the handshake completes.  cls classes the handshake bytes;
 * tls is a SimTls. */
SimConnId sim_connect(Sim *sim, SimNodeId node, guint32 dst_addr, guint16 port,
                      SimClass cls, guint tls);
/* Queues msg for the far end.  Lost silently if the connection is broken. */
void sim_send(Sim *sim, SimConnId conn, SimNodeId from, SimMsg *msg);
/* A stream of messages sent as one: it waits in the connection's queue like
 * a single message, and each time its turn comes the kernel calls
 * next(sim, data) for the message to send (NULL: the stream is over).  So a
 * model can hand over a long run of messages — a server sending a file
 * chunk by chunk down a slow WAN link — without them all waiting in memory.
 * Connections multiplex, as a tunnel interleaving its frames would: a
 * message goes out ahead of the streams queued before it, a small one at
 * once beside a stream's message on the wire, a large one when that is
 * through; streams take turns, a message each.  So a reply is not held back
 * by files, and files share the connection.  A
 * stream alone in the queue goes out like its messages sent one after the
 * other.  Every message counts as sent when the stream was.  next must
 * only build the message (sim_msg_new and its fields).  free_fn(data) runs
 * when the stream is over or the connection breaks first (at once if it is
 * already broken). */
typedef SimMsg *(*SimStreamFn)(Sim *sim, gpointer data);
void sim_send_stream(Sim *sim, SimConnId conn, SimNodeId from, SimStreamFn next, gpointer data,
                     GDestroyNotify free_fn);
/* Sending ahead: a model that follows a message several hops ahead in one
 * event (a request walking a chain of nodes) sends it from a node at the
 * time it would reach that node, later than now.
 * sim_send_ready: whether a small message of `size` bytes would leave
 * `from` on conn at once: the connection open and held at the far end,
 * nothing queued or flowing in that direction, and `size` within the
 * window.  The two calls below require it.
 * sim_send_unheard: what sim_send of `size` bytes of class cls at time
 * `at` (>= now) would book, with no message and no event: its bytes on every
 * link of the path (the statistics from `at`, the links' small-message load
 * now), and the time it would arrive, after what was sent before it on conn
 * (which later messages in that direction then follow); -1 if the path is
 * down and it would be lost.  The message's one-way time is taken from the
 * links as they are now.
 * sim_send_ahead: sim_send of msg at time `at` (>= now): delivered (one
 * event) when it would arrive, timed as sim_send_unheard times it. */
gboolean sim_send_ready(const Sim *sim, SimConnId conn, SimNodeId from, guint64 size);
SimTime sim_send_unheard(Sim *sim, SimConnId conn, SimNodeId from, guint64 size, SimClass cls, SimTime at);
void sim_send_ahead(Sim *sim, SimConnId conn, SimNodeId from, SimMsg *msg, SimTime at);
/* Closes gracefully: the far end gets closed(PEER_CLOSED) after what was sent
 * before the close has arrived.  The closing node hears nothing more. */
void sim_close(Sim *sim, SimConnId conn, SimNodeId by);

SimNodeId sim_conn_peer(const Sim *sim, SimConnId conn, SimNodeId self);
guint16 sim_conn_port(const Sim *sim, SimConnId conn);
gboolean sim_conn_is_open(const Sim *sim, SimConnId conn);
/* The connection's generation: it changes when the connection breaks or
 * closes and when its record is reused for a new connection, so a model that
 * keeps a handle for later (a queued job) can tell it still names the same
 * open connection: sim_conn_same(sim, conn, gen_then). */
guint32 sim_conn_gen(const Sim *sim, SimConnId conn);
gboolean sim_conn_same(const Sim *sim, SimConnId conn, guint32 gen);
/* Whether `node` opened the connection. */
gboolean sim_conn_is_initiator(const Sim *sim, SimConnId conn, SimNodeId node);
/* A model-defined tag per side (what this connection is for). */
void sim_conn_set_tag(Sim *sim, SimConnId conn, SimNodeId node, guint32 tag);
guint32 sim_conn_tag(const Sim *sim, SimConnId conn, SimNodeId node);
/* Open connections (either side) currently held by models. */
guint64 sim_conn_open_count(const Sim *sim);

/* --- background transfers -------------------------------------------------- */
/* A plain TCP transfer of `bytes` from one node to another starting at `at`
 * (a new connection, no TLS), outside any model.  Returns a transfer id. */
guint32 sim_transfer(Sim *sim, SimNodeId from, SimNodeId to, guint64 bytes,
                     SimClass cls, SimTime at);
/* A request/response exchange: at `at`, `from` opens a new connection to
 * `to` (no TLS) and sends `request` bytes; `to` answers `response` bytes
 * (> 0) on it.  Returns a transfer id: finished when the response's last
 * byte is back at `from`. */
guint32 sim_exchange(Sim *sim, SimNodeId from, SimNodeId to, guint64 request, guint64 response,
                     SimClass cls, SimTime at);
/* When the last byte arrived, or -1 while not finished (or failed). */
SimTime sim_transfer_finished_at(const Sim *sim, guint32 transfer);
guint32 sim_transfer_count(const Sim *sim);
