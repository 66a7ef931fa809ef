/* test_conn.c — connections over the network model: connect outcomes and
 * their exact times, in-order delivery, failures (links, nodes, firewall),
 * rerouting, graceful close, background transfers and byte statistics.
 *
 * Times are computed by hand from the link formula (conn.h, net.h): a
 * one-way trip of a one-segment message is the sum over the hops of
 *     latency + (payload + framing) * 8 / bandwidth
 * with framing SIM_FRAMING_ETHERNET (90 B) on access links and
 * SIM_FRAMING_PPP (54 B) on WAN links; a SYN has payload 0; a connect
 * succeeds after SYN + SYN-ACK (one round trip).
 *
 * The standard network (std_net): hosts a and b on 1 Gbps, 0.1 ms access
 * links (8 ns per byte) in sites joined by a 20 Mbps, 30 ms WAN link (400 ns
 * per byte).  Connects start at T0 = 1 s, after both hosts have started.
 *   SYN one way  = (100,000 + 90*8) + (30,000,000 + 54*400) + (100,000 + 90*8)
 *                = 100,720 + 30,021,600 + 100,720 = 30,223,040 ns
 *   RTT          = 2 * 30,223,040 = 60,446,080 ns
 * Defaults: connect_timeout 5 s, keepalive_timeout 30 s. */
#include "classes.h"
#include "testutil.h"
#include <math.h>

#define T0 SIM_S
#define ONE_WAY_SYN ((SimTime) 30223040)
#define RTT ((SimTime) 60446080)
#define CONNECT_TIMEOUT (5 * SIM_S)
#define KEEPALIVE (30 * SIM_S)

typedef struct {
  Sim *sim;
  Probe *p;
  guint32 sa, sb; /* subnets */
  guint32 wan;    /* the WAN link */
  SimNodeId a, b;
} Net;

static void std_net(Net *n)
{
  n->sim = sim_new(NULL);
  cs_classes_register(n->sim);
  /* The hand-computed times below assume these defaults. */
  CU_ASSERT_EQUAL(sim_params(n->sim)->connect_timeout, CONNECT_TIMEOUT);
  CU_ASSERT_EQUAL(sim_params(n->sim)->keepalive_timeout, KEEPALIVE);
  CU_ASSERT_EQUAL(sim_params(n->sim)->mss, 1448);
  CU_ASSERT_EQUAL(sim_params(n->sim)->tls_client_bytes, 600);
  CU_ASSERT_EQUAL(sim_params(n->sim)->tls_server_bytes, 4000);
  CU_ASSERT_EQUAL(sim_params(n->sim)->tls_rtts, 1);
  n->p = probe_new(n->sim);
  n->wan = probe_two_sites(n->sim, 20e6, 30 * SIM_MS, 1e9, 100 * SIM_US, &n->sa, &n->sb);
  n->a = probe_host(n->sim, n->p, n->sa);
  n->b = probe_host(n->sim, n->p, n->sb);
  sim_run_until(n->sim, T0);
}

/* Drains, checks that nothing is left behind, frees. */
static void net_done(Net *n)
{
  sim_drain(n->sim);
  CU_ASSERT_EQUAL(sim_pending_events(n->sim), 0);
  probe_free(n->p);
  sim_free(n->sim);
}

static SimConnId connect_ab(Net *n, guint16 port, gboolean tls)
{
  return sim_connect(n->sim, n->a, sim_node_addr(n->sim, n->b), port, CS_CLS_PEER, tls);
}

static void send_msg(Net *n, SimConnId c, SimNodeId from, guint64 size, guint64 tag)
{
  SimMsg *m = sim_msg_new(n->sim);
  m->size = size;
  m->a = tag;
  m->cls = CS_CLS_PEER;
  sim_send(n->sim, c, from, m);
}

/* Position of the first logged event of `what` at `node` (-1 if none). */
static int log_index(Probe *p, SimNodeId node, ProbeWhat what, guint64 a)
{
  for (guint i = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    if (e->node == node && e->what == what && (what != PR_MESSAGE || e->a == a))
      return (int) i;
  }
  return -1;
}

static const ProbeEvent *log_at(Probe *p, int i) { return &g_array_index(p->log, ProbeEvent, i); }

static SimFwRule rule_ab(Net *n, guint16 port, SimFwAction action)
{
  SimFwRule r = { .src = sim_node_addr(n->sim, n->a), .src_mask = 0xffffffffu,
                  .dst = sim_node_addr(n->sim, n->b), .dst_mask = 0xffffffffu,
                  .port = port, .action = action };
  return r;
}

/* Asserts one close (or connect failure) of `what` at `node`, at time t, for reason why. */
static void expect_one(Probe *p, SimNodeId node, ProbeWhat what, SimConnError why, SimTime t)
{
  CU_ASSERT_EQUAL(probe_count(p, node, what), 1);
  const ProbeEvent *e = probe_find(p, node, what);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->a, why);
  CU_ASSERT_EQUAL(e->t, t);
  if (e->a != (guint64) why || e->t != t)
    fprintf(stderr, "node %u event %d: got %s at %" G_GINT64_FORMAT ", want %s at %" G_GINT64_FORMAT "\n",
            node, what, sim_conn_error_name((SimConnError) e->a), e->t, sim_conn_error_name(why), t);
}

/* --- connect outcomes -------------------------------------------------------------- */

/* Allowed: the initiator is connected after one RTT, the acceptor when the
 * final ACK arrives, one more one-way trip later. */
static void test_connect_allow(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  CU_ASSERT(c != 0);
  CU_ASSERT_FALSE(sim_conn_is_open(n.sim, c));
  sim_run_until(n.sim, 2 * SIM_S);
  const ProbeEvent *e = probe_find(n.p, n.a, PR_CONNECTED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, T0 + RTT); /* 1.060446080 s */
  e = probe_find(n.p, n.b, PR_ACCEPTED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, T0 + RTT + ONE_WAY_SYN); /* 1.090669120 s */
  CU_ASSERT(sim_conn_is_open(n.sim, c));
  CU_ASSERT_EQUAL(sim_conn_open_count(n.sim), 1);
  CU_ASSERT(sim_conn_is_initiator(n.sim, c, n.a));
  CU_ASSERT_EQUAL(sim_conn_peer(n.sim, c, n.a), n.b);
  CU_ASSERT_EQUAL(sim_conn_port(n.sim, c), 80);
  sim_close(n.sim, c, n.a);
  net_done(&n);
}

/* TLS: one extra round trip carrying the handshake bytes.
 *   ClientHello+Finished, 600 B, one segment, a → b:
 *     (100,000 + 690*8) + (30,000,000 + 654*400) + (100,000 + 690*8)
 *     = 105,520 + 30,261,600 + 105,520 = 30,472,640 ns
 *   Server flight, 4,000 B = 3 segments, b → a: the first 1,448-byte segment
 *   stored and forwarded on every hop, the other 2,552 B + 2 framings at the
 *   slowest hop:
 *     first: (100,000 + 1538*8) + (30,000,000 + 1502*400) + (100,000 + 1538*8)
 *            = 112,304 + 30,600,800 + 112,304 = 30,825,408
 *     rest:  max((2552 + 180)*8, (2552 + 108)*400) = 1,064,000
 *     = 31,889,408 ns
 *   connected = RTT + 30,472,640 + 31,889,408 = 122,808,128 ns after T0;
 *   accepted one SYN one-way later: 153,031,168 ns after T0. */
static void test_connect_tls(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 17472, TRUE);
  sim_run_until(n.sim, 2 * SIM_S);
  const ProbeEvent *e = probe_find(n.p, n.a, PR_CONNECTED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, T0 + 122808128);
  e = probe_find(n.p, n.b, PR_ACCEPTED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, T0 + 153031168);
  /* The handshake bytes are on the WAN link: SYN + SYN-ACK (54 B each), the
   * client flight 654 B, the server flight 4,000 + 3*54 = 4,162 B. */
  CU_ASSERT_EQUAL(sim_stats_wan_total(n.sim, CS_CLS_PEER), 54 + 54 + 654 + 4162);
  sim_close(n.sim, c, n.a);
  net_done(&n);
}

/* A dropping firewall: no answer, the connect times out. */
static void test_connect_fw_drop(void)
{
  Net n;
  std_net(&n);
  SimFwRule r = rule_ab(&n, 80, SIM_FW_DROP);
  sim_fw_add(n.sim, &r);
  CU_ASSERT_EQUAL(sim_fw_eval(n.sim, sim_node_addr(n.sim, n.a), sim_node_addr(n.sim, n.b), 80), SIM_FW_DROP);
  CU_ASSERT_EQUAL(sim_fw_eval(n.sim, sim_node_addr(n.sim, n.a), sim_node_addr(n.sim, n.b), 443), SIM_FW_ALLOW);
  connect_ab(&n, 80, FALSE);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_FAILED, SIM_CONN_TIMEOUT, T0 + CONNECT_TIMEOUT);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_ACCEPTED), 0);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CONNECTED), 0);
  net_done(&n);
}

/* A rejecting firewall: refused after one round trip. */
static void test_connect_fw_reject(void)
{
  Net n;
  std_net(&n);
  SimFwRule r = rule_ab(&n, 0, SIM_FW_REJECT);
  guint32 id = sim_fw_add(n.sim, &r);
  connect_ab(&n, 80, FALSE);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_FAILED, SIM_CONN_REFUSED, T0 + RTT);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_ACCEPTED), 0);
  /* Rule removed: the same connect succeeds, one RTT after it is made. */
  sim_fw_remove(n.sim, id);
  sim_fw_remove(n.sim, id); /* twice: harmless */
  CU_ASSERT_EQUAL(sim_fw_rule_count(n.sim), 0);
  SimTime t1 = sim_now(n.sim);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, t1 + SIM_S);
  const ProbeEvent *e = probe_find(n.p, n.a, PR_CONNECTED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, t1 + RTT);
  sim_close(n.sim, c, n.a);
  net_done(&n);
}

/* Nobody listening on the port: the host answers with a reset, one RTT. */
static void test_connect_not_listening(void)
{
  Net n;
  std_net(&n);
  connect_ab(&n, 443, FALSE); /* probes listen on 80 and 17472 only */
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_FAILED, SIM_CONN_REFUSED, T0 + RTT);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_ACCEPTED), 0);
  net_done(&n);
}

/* The only WAN link is down: no answer, the connect times out.  So does a
 * connect to an address nobody has. */
static void test_connect_link_down(void)
{
  Net n;
  std_net(&n);
  sim_wan_set_up(n.sim, n.wan, FALSE);
  CU_ASSERT_FALSE(sim_link_is_up(n.sim, n.wan));
  guint32 route[4];
  CU_ASSERT_EQUAL(sim_route(n.sim, sim_node_site(n.sim, n.a), sim_node_site(n.sim, n.b), route, 4), -1);
  connect_ab(&n, 80, FALSE);
  guint32 nobody;
  sim_addr_parse("10.2.0.200", &nobody);
  sim_connect(n.sim, n.b, nobody, 80, CS_CLS_PEER, FALSE);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_FAILED, SIM_CONN_TIMEOUT, T0 + CONNECT_TIMEOUT);
  expect_one(n.p, n.b, PR_FAILED, SIM_CONN_TIMEOUT, T0 + CONNECT_TIMEOUT);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_ACCEPTED), 0);
  net_done(&n);
}

/* The path fails during the handshake (10 ms after the connect, while the
 * SYN is on the WAN link): the connect fails as a connect does, at the
 * connect timeout counted from the connect, not a keepalive later.  Same
 * for a drop rule added during the handshake; a reject rule added then
 * refuses it, one way (a → b, payload 0) after the rule. */
static void test_connect_broken_during_handshake(void)
{
  const SimTime during = T0 + 10 * SIM_MS;
  for (int mode = 0; mode < 3; mode++) {
    Net n;
    std_net(&n);
    connect_ab(&n, 80, FALSE);
    sim_run_until(n.sim, during);
    if (mode == 0) {
      sim_wan_set_up(n.sim, n.wan, FALSE);
    } else {
      SimFwRule r = rule_ab(&n, 80, mode == 1 ? SIM_FW_DROP : SIM_FW_REJECT);
      sim_fw_add(n.sim, &r);
    }
    sim_drain(n.sim);
    if (mode < 2)
      expect_one(n.p, n.a, PR_FAILED, SIM_CONN_TIMEOUT, T0 + CONNECT_TIMEOUT);
    else
      expect_one(n.p, n.a, PR_FAILED, SIM_CONN_REFUSED, during + ONE_WAY_SYN);
    CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CONNECTED), 0);
    CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CLOSED), 0);
    CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_ACCEPTED) + probe_count(n.p, n.b, PR_CLOSED), 0);
    net_done(&n);
  }
}

/* --- delivery ------------------------------------------------------------------------ */

/* Back to back on one connection: 1 MB (a bulk flow), then 1,000 B, 10 B
 * and 300 B, then a close.  Alone, the 10-byte message would arrive before
 * the 1,000-byte one and all three long before the megabyte; on a
 * connection they arrive in order, and the close after them. */
static void test_in_order_delivery(void)
{
  Net n;
  std_net(&n);
  n.p->send_sizes[0] = 1000000;
  n.p->send_sizes[1] = 1000;
  n.p->send_sizes[2] = 10;
  n.p->send_sizes[3] = 300;
  n.p->nsend = 4;
  n.p->close_after_send = TRUE;
  connect_ab(&n, 80, FALSE);
  sim_drain(n.sim);
  CU_ASSERT_EQUAL_FATAL(probe_count(n.p, n.b, PR_MESSAGE), 4);
  int prev = -1;
  SimTime prev_t = 0;
  for (guint64 k = 1; k <= 4; k++) {
    int i = log_index(n.p, n.b, PR_MESSAGE, k);
    CU_ASSERT_FATAL(i > prev);
    CU_ASSERT(log_at(n.p, i)->t >= prev_t);
    CU_ASSERT_EQUAL(log_at(n.p, i)->size, n.p->send_sizes[k - 1]);
    prev = i;
    prev_t = log_at(n.p, i)->t;
  }
  /* The megabyte needs at least its serialisation time at 20 Mbps. */
  const ProbeEvent *big = log_at(n.p, log_index(n.p, n.b, PR_MESSAGE, 1));
  CU_ASSERT(big->t > T0 + RTT + 400 * SIM_MS);
  /* ... and the close comes after all of it. */
  int ci = log_index(n.p, n.b, PR_CLOSED, 0);
  CU_ASSERT(ci > prev);
  CU_ASSERT_EQUAL(log_at(n.p, ci)->a, SIM_CONN_PEER_CLOSED);
  net_done(&n);
}

/* A stream yields its messages one at a time, when the connection is ready
 * for each.  Alone in the queue it sends like its messages sent one by one;
 * a message queued after it goes ahead of the rest of it (a small one at once,
 * beside the stream's message on the wire), and streams take turns. */
typedef struct {
  Sim *sim;
  guint64 sizes[4];
  int n, next;
  guint64 base;      /* message i carries tag base + i + 1 */
  SimTime called[8]; /* when next() ran */
  int ncalls, freed;
} TestStream;

static SimMsg *stream_next(Sim *sim, gpointer p)
{
  TestStream *st = p;
  st->called[st->ncalls++] = sim_now(sim);
  if (st->next == st->n)
    return NULL;
  SimMsg *m = sim_msg_new(sim);
  m->size = st->sizes[st->next];
  m->a = st->base + (guint64) ++st->next;
  m->cls = CS_CLS_PEER;
  return m;
}

static void stream_freed(gpointer p) { ((TestStream *) p)->freed++; }

/* An open connection a to b over the 20 Mbps WAN, and a second one beside
 * it as streams_then_small opens: its handshake's bytes take their share of
 * the links too (linkload.c), so runs compared carry the same small-message
 * load. */
static SimConnId open_ab(Net *n)
{
  std_net(n);
  SimConnId c = connect_ab(n, 80, FALSE);
  connect_ab(n, 80, FALSE);
  sim_run_until(n->sim, T0 + RTT);
  CU_ASSERT_FATAL(sim_conn_is_open(n->sim, c));
  return c;
}

/* Drains and returns what b received, in order; frees the net. */
static GArray *b_messages(Net *n)
{
  sim_drain(n->sim);
  GArray *got = g_array_new(FALSE, FALSE, sizeof(ProbeEvent));
  for (guint i = 0; i < n->p->log->len; i++)
    if (log_at(n->p, (int) i)->node == n->b && log_at(n->p, (int) i)->what == PR_MESSAGE)
      g_array_append_val(got, *log_at(n->p, (int) i));
  net_done(n);
  return got;
}

/* b's log when a sends (size, tag) pairs one by one with sim_send. */
static GArray *plain_sends(const guint64 (*msgs)[2], int count)
{
  Net n;
  SimConnId c = open_ab(&n);
  for (int k = 0; k < count; k++)
    send_msg(&n, c, n.a, msgs[k][0], msgs[k][1]);
  return b_messages(&n);
}

/* got must be want: same tags, sizes and arrival times, in the order `tags`. */
static void assert_same_arrivals(GArray *want, GArray *got, const guint64 *tags, guint count)
{
  CU_ASSERT_EQUAL_FATAL(want->len, count);
  CU_ASSERT_EQUAL_FATAL(got->len, count);
  for (guint i = 0; i < count; i++) {
    const ProbeEvent *a = &g_array_index(want, ProbeEvent, i), *b = &g_array_index(got, ProbeEvent, i);
    CU_ASSERT_EQUAL(a->a, tags[i]);
    CU_ASSERT_EQUAL(b->a, a->a);
    CU_ASSERT_EQUAL(b->size, a->size);
    CU_ASSERT_EQUAL(b->t, a->t);
  }
  g_array_free(want, TRUE);
  g_array_free(got, TRUE);
}

/* Three 2 MB messages, as a stream alone in the queue or as three sends. */
static void test_send_stream(void)
{
  static const guint64 msgs[3][2] = { { 2000000, 1 }, { 2000000, 2 }, { 2000000, 3 } };
  static const guint64 tags[3] = { 1, 2, 3 };
  Net n;
  SimConnId c = open_ab(&n);
  TestStream st = { .sim = n.sim, .sizes = { 2000000, 2000000, 2000000 }, .n = 3 };
  sim_send_stream(n.sim, c, n.a, stream_next, &st, stream_freed);
  assert_same_arrivals(plain_sends(msgs, 3), b_messages(&n), tags, 3);
  /* Lazily: the first message at once, each next one only when the one
   * before has left (2 MB take 800 ms at 20 Mbps), the end found when the
   * third has; freed once. */
  CU_ASSERT_EQUAL_FATAL(st.ncalls, 4);
  CU_ASSERT_EQUAL(st.called[0], T0 + RTT);
  for (int k = 1; k < 4; k++)
    CU_ASSERT(st.called[k] >= st.called[k - 1] + 800 * SIM_MS);
  CU_ASSERT_EQUAL(st.freed, 1);
}

/* One or two streams on a connection a to b (1 MB messages tagged 1-3;
 * 0.5 MB ones tagged 11-12), then `extra` small messages (10 and 20 bytes,
 * tagged 8 and 9) on the same connection or, with `aside`, on a second one
 * opened beside it.  Returns what b received, in order. */
static GArray *streams_then_small(int nstreams, int extra, gboolean aside)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE), c2 = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, T0 + RTT);
  CU_ASSERT_FATAL(sim_conn_is_open(n.sim, c) && sim_conn_is_open(n.sim, c2));
  TestStream s1 = { .sim = n.sim, .sizes = { 1000000, 1000000, 1000000 }, .n = 3 };
  TestStream s2 = { .sim = n.sim, .sizes = { 500000, 500000 }, .n = 2, .base = 10 };
  sim_send_stream(n.sim, c, n.a, stream_next, &s1, stream_freed);
  if (nstreams > 1)
    sim_send_stream(n.sim, c, n.a, stream_next, &s2, stream_freed);
  for (int k = 0; k < extra; k++)
    send_msg(&n, aside ? c2 : c, n.a, 10 * (guint64) (k + 1), 8 + (guint64) k);
  GArray *got = b_messages(&n);
  CU_ASSERT_EQUAL(s1.freed, 1);
  CU_ASSERT_EQUAL(s2.freed, nstreams > 1 ? 1 : 0);
  return got;
}

/* A small message that finds a stream's message on the wire goes out at
 * once beside it — arriving exactly when it would on a connection of its
 * own — instead of waiting 0.4 s for that message (or, before streams
 * multiplexed, 1.2 s for the whole stream). */
static void test_small_beside_stream(void)
{
  static const guint64 tags[4] = { 8, 1, 2, 3 };
  GArray *want = streams_then_small(1, 1, TRUE);
  GArray *got = streams_then_small(1, 1, FALSE);
  CU_ASSERT_FATAL(got->len == 4);
  CU_ASSERT(g_array_index(got, ProbeEvent, 0).t < T0 + RTT + 100 * SIM_MS);
  assert_same_arrivals(want, got, tags, 4);
}

/* Two streams on one connection take turns, a message each. */
static void test_streams_take_turns(void)
{
  static const guint64 msgs[5][2] = { { 1000000, 1 }, { 500000, 11 }, { 1000000, 2 }, { 500000, 12 }, { 1000000, 3 } };
  static const guint64 tags[5] = { 1, 11, 2, 12, 3 };
  assert_same_arrivals(plain_sends(msgs, 5), streams_then_small(2, 0, FALSE), tags, 5);
}

/* Two streams, then two small messages: both go out at once, in order,
 * ahead of every stream's next message. */
static void test_messages_pass_streams(void)
{
  static const guint64 tags[7] = { 8, 9, 1, 11, 2, 12, 3 };
  assert_same_arrivals(streams_then_small(2, 2, TRUE), streams_then_small(2, 2, FALSE), tags, 7);
}

/* Plain messages keep their order: a small one waits for a large one sent
 * before it. */
static void test_plain_messages_in_order(void)
{
  static const guint64 msgs[2][2] = { { 1000000, 1 }, { 10, 8 } };
  GArray *got = plain_sends(msgs, 2);
  CU_ASSERT_FATAL(got->len == 2);
  CU_ASSERT_EQUAL(g_array_index(got, ProbeEvent, 0).a, 1);
  CU_ASSERT_EQUAL(g_array_index(got, ProbeEvent, 1).a, 8);
  CU_ASSERT(g_array_index(got, ProbeEvent, 1).t >= g_array_index(got, ProbeEvent, 0).t);
  g_array_free(got, TRUE);
}

/* A stream on a connection that breaks (the far end crashes) is freed with
 * the connection and asked for nothing more; one sent on a broken
 * connection is freed at once and never asked. */
static void test_send_stream_broken(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, T0 + RTT);
  TestStream st = { .sim = n.sim, .sizes = { 2000000, 2000000, 2000000, 2000000 }, .n = 4 };
  sim_send_stream(n.sim, c, n.a, stream_next, &st, stream_freed);
  sim_run_until(n.sim, T0 + RTT + 1500 * SIM_MS);
  CU_ASSERT_EQUAL(st.ncalls, 2); /* the first is through, the second on the wire */
  sim_node_crash(n.sim, n.b);
  sim_drain(n.sim);
  CU_ASSERT_EQUAL(st.ncalls, 2);
  CU_ASSERT_EQUAL(st.freed, 1);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_MESSAGE), 1);
  TestStream late = { .sim = n.sim, .n = 1, .sizes = { 10 } };
  sim_send_stream(n.sim, c, n.a, stream_next, &late, stream_freed);
  CU_ASSERT_EQUAL(late.ncalls, 0);
  CU_ASSERT_EQUAL(late.freed, 1);
  net_done(&n);
}

/* --- failures -------------------------------------------------------------------------- */

/* The WAN link fails while a small message and a bulk transfer are in
 * flight: both are lost, and both ends hear of it exactly one keepalive
 * timeout after the failure. */
static void test_wan_failure_open_conn(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  CU_ASSERT_FATAL(sim_conn_is_open(n.sim, c));
  send_msg(&n, c, n.b, 200, 1);     /* would arrive 30.3 ms later */
  send_msg(&n, c, n.a, 5000000, 2); /* a bulk flow, seconds at 20 Mbps */
  SimTime fail = 2 * SIM_S + 10 * SIM_MS;
  sim_run_until(n.sim, fail);
  sim_wan_set_up(n.sim, n.wan, FALSE);
  CU_ASSERT_FALSE(sim_conn_is_open(n.sim, c));
  CU_ASSERT_EQUAL(sim_conn_open_count(n.sim), 0);
  send_msg(&n, c, n.a, 100, 3); /* on a broken connection: lost silently */
  sim_run_until(n.sim, fail + SIM_S);
  sim_wan_set_up(n.sim, n.wan, TRUE); /* repaired: the connection stays dead */
  sim_drain(n.sim);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_MESSAGE), 0);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_MESSAGE), 0);
  expect_one(n.p, n.a, PR_CLOSED, SIM_CONN_KEEPALIVE, fail + KEEPALIVE);
  expect_one(n.p, n.b, PR_CLOSED, SIM_CONN_KEEPALIVE, fail + KEEPALIVE);
  CU_ASSERT_EQUAL(sim_dlink_flows(n.sim, n.wan * 2), 0);
  net_done(&n);
}

/* Three sites in a triangle, 100 Mbps (80 ns per byte) WAN links:
 * a–b 10 ms direct, a–c and c–b 15 ms each.  A 200-byte message a → b:
 *   direct: (100,000 + 290*8) + (10,000,000 + 254*80) + (100,000 + 290*8)
 *           = 102,320 + 10,020,320 + 102,320 = 10,224,960 ns
 *   via c:  102,320 + 2 * (15,000,000 + 254*80) + 102,320 = 30,245,280 ns
 * The connection (opened on the direct path) survives both changes. */
static void test_route_change(void)
{
  Sim *sim = sim_new(NULL);
  cs_classes_register(sim);
  Probe *p = probe_new(sim);
  guint32 sa = sim_site_add(sim, "a"), sb = sim_site_add(sim, "b"), sc = sim_site_add(sim, "c");
  guint32 base;
  guint8 prefix;
  sim_cidr_parse("10.1.0.0/24", &base, &prefix);
  guint32 na = sim_subnet_add(sim, sa, base, prefix, 1e9, 100 * SIM_US, NULL);
  sim_cidr_parse("10.2.0.0/24", &base, &prefix);
  guint32 nb = sim_subnet_add(sim, sb, base, prefix, 1e9, 100 * SIM_US, NULL);
  guint32 ab = sim_wan_add(sim, sa, sb, 100e6, 10 * SIM_MS, 0.0);
  guint32 ac = sim_wan_add(sim, sa, sc, 100e6, 15 * SIM_MS, 0.0);
  guint32 cb = sim_wan_add(sim, sc, sb, 100e6, 15 * SIM_MS, 0.0);
  SimNodeId a = probe_host(sim, p, na), b = probe_host(sim, p, nb);
  const SimTime direct = 10224960, via_c = 30245280;

  guint32 r[4];
  CU_ASSERT_EQUAL_FATAL(sim_route(sim, sa, sb, r, 4), 1);
  CU_ASSERT_EQUAL(r[0], ab * 2);
  CU_ASSERT_EQUAL(sim_path_delay(sim, a, b, 200), direct);

  sim_run_until(sim, SIM_S);
  SimConnId c = sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_PEER, FALSE);
  sim_run_until(sim, 2 * SIM_S);
  CU_ASSERT_FATAL(sim_conn_is_open(sim, c));
  SimMsg *m = sim_msg_new(sim);
  m->size = 200;
  m->a = 1;
  sim_send(sim, c, a, m); /* at 2 s, direct */

  sim_run_until(sim, 3 * SIM_S);
  sim_wan_set_up(sim, ab, FALSE);
  CU_ASSERT_EQUAL_FATAL(sim_route(sim, sa, sb, r, 4), 2);
  CU_ASSERT_EQUAL(r[0], ac * 2); /* a → c */
  CU_ASSERT_EQUAL(r[1], cb * 2); /* c → b */
  CU_ASSERT_EQUAL_FATAL(sim_route(sim, sb, sa, r, 4), 2);
  CU_ASSERT_EQUAL(r[0], cb * 2 + 1); /* b → c */
  CU_ASSERT_EQUAL(r[1], ac * 2 + 1); /* c → a */
  CU_ASSERT_EQUAL(sim_path_delay(sim, a, b, 200), via_c);
  CU_ASSERT(sim_conn_is_open(sim, c));
  sim_run_until(sim, 4 * SIM_S);
  m = sim_msg_new(sim);
  m->size = 200;
  m->a = 2;
  sim_send(sim, c, a, m); /* at 4 s, via c */

  sim_run_until(sim, 5 * SIM_S);
  sim_wan_set_up(sim, ab, TRUE);
  CU_ASSERT_EQUAL_FATAL(sim_route(sim, sa, sb, r, 4), 1);
  CU_ASSERT_EQUAL(r[0], ab * 2);
  CU_ASSERT_EQUAL(sim_path_delay(sim, a, b, 200), direct);
  sim_run_until(sim, 6 * SIM_S);
  m = sim_msg_new(sim);
  m->size = 200;
  m->a = 3;
  sim_send(sim, c, a, m); /* at 6 s, direct again */
  sim_run_until(sim, 7 * SIM_S);
  sim_close(sim, c, a);
  sim_drain(sim);

  const SimTime want[3] = { 2 * SIM_S + direct, 4 * SIM_S + via_c, 6 * SIM_S + direct };
  CU_ASSERT_EQUAL_FATAL(probe_count(p, b, PR_MESSAGE), 3);
  for (guint i = 0, k = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    if (e->node == b && e->what == PR_MESSAGE) {
      CU_ASSERT_EQUAL(e->a, k + 1);
      CU_ASSERT_EQUAL(e->t, want[k]);
      k++;
    }
  }
  /* Only the graceful close at the end: a SYN-sized trip on the direct path,
   * (100,000 + 720) + (10,000,000 + 54*80) + (100,000 + 720) = 10,205,760 ns. */
  CU_ASSERT_EQUAL(probe_count(p, a, PR_CLOSED), 0);
  const ProbeEvent *e = probe_find(p, b, PR_CLOSED);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->a, SIM_CONN_PEER_CLOSED);
  CU_ASSERT_EQUAL(e->t, 7 * SIM_S + 10205760);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);
}

/* A node crashes with a connection open: it hears nothing more; the far end
 * notices after the keepalive timeout; what it sends meanwhile is lost. */
static void test_crash_far_end_keepalive(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  sim_node_crash(n.sim, n.b);
  CU_ASSERT_EQUAL(sim_conn_open_count(n.sim), 0);
  send_msg(&n, c, n.a, 100, 1);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_CLOSED, SIM_CONN_KEEPALIVE, 2 * SIM_S + KEEPALIVE);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_MESSAGE), 0);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_CLOSED), 0);
  net_done(&n);
}

/* Crash, then restart before the keepalive: the far end's next segment meets
 * a host that knows no such connection and it gets a reset, one way after
 * the restart: b → a one-way (payload 0) = 30,223,040 ns. */
static void test_crash_restart_reset(void)
{
  Net n;
  std_net(&n);
  connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  sim_node_crash(n.sim, n.b);
  sim_run_until(n.sim, 7 * SIM_S);
  sim_node_restart(n.sim, n.b);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_CLOSED, SIM_CONN_RESET, 7 * SIM_S + ONE_WAY_SYN);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_START), 2);
  int i = log_index(n.p, n.b, PR_START, 0);
  CU_ASSERT_EQUAL(log_at(n.p, i)->t, 0);
  /* The second start is the last thing b logged, at the restart. */
  for (guint k = 0; k < n.p->log->len; k++) {
    const ProbeEvent *e = log_at(n.p, (int) k);
    if (e->node == n.b && e->what == PR_START && k != (guint) i)
      CU_ASSERT_EQUAL(e->t, 7 * SIM_S);
  }
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_CLOSED), 0);
  net_done(&n);
}

/* --- graceful close -------------------------------------------------------------------- */

/* Close with nothing in flight: the far end hears of it one way later. */
static void test_close_idle(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  sim_close(n.sim, c, n.a);
  sim_close(n.sim, c, n.a); /* twice: harmless */
  sim_drain(n.sim);
  expect_one(n.p, n.b, PR_CLOSED, SIM_CONN_PEER_CLOSED, 2 * SIM_S + ONE_WAY_SYN);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CLOSED), 0);
  CU_ASSERT_EQUAL(sim_conn_open_count(n.sim), 0);
  net_done(&n);
}

/* Send one message and close at once, on the initiator's connected
 * callback, before the acceptor's side of the handshake has completed.  The
 * acceptor sees: connected (T0 + RTT + one way), the message, then the close
 * right behind it.  200 B one way:
 *   (100,000 + 290*8) + (30,000,000 + 254*400) + (100,000 + 290*8) = 30,306,240 ns
 * so the message arrives at T0 + 60,446,080 + 30,306,240 = T0 + 90,752,320. */
static void test_send_and_close_at_connect(void)
{
  Net n;
  std_net(&n);
  n.p->send_sizes[0] = 200;
  n.p->nsend = 1;
  n.p->close_after_send = TRUE;
  connect_ab(&n, 80, FALSE);
  sim_drain(n.sim);
  int acc = log_index(n.p, n.b, PR_ACCEPTED, 0);
  int msg = log_index(n.p, n.b, PR_MESSAGE, 1);
  int cl = log_index(n.p, n.b, PR_CLOSED, 0);
  CU_ASSERT_FATAL(acc >= 0 && msg > acc && cl > msg);
  CU_ASSERT_EQUAL(log_at(n.p, acc)->t, T0 + RTT + ONE_WAY_SYN);
  CU_ASSERT_EQUAL(log_at(n.p, msg)->t, T0 + 90752320);
  CU_ASSERT_EQUAL(log_at(n.p, cl)->t, T0 + 90752320);
  CU_ASSERT_EQUAL(log_at(n.p, cl)->a, SIM_CONN_PEER_CLOSED);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_FAILED), 0);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CLOSED), 0);
  net_done(&n);
}

/* Close after data, some of it bulk: the far end gets all of it, then the
 * close, at the same time as the last message (which is slower than the
 * close's own empty segment). */
static void test_close_after_data(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  send_msg(&n, c, n.a, 200, 1);
  send_msg(&n, c, n.a, 100000, 2);
  send_msg(&n, c, n.a, 300, 3);
  sim_close(n.sim, c, n.a);
  send_msg(&n, c, n.a, 400, 4); /* after the close: never sent */
  sim_drain(n.sim);
  CU_ASSERT_EQUAL(probe_count(n.p, n.b, PR_MESSAGE), 3);
  int m1 = log_index(n.p, n.b, PR_MESSAGE, 1), m2 = log_index(n.p, n.b, PR_MESSAGE, 2);
  int m3 = log_index(n.p, n.b, PR_MESSAGE, 3), cl = log_index(n.p, n.b, PR_CLOSED, 0);
  CU_ASSERT_FATAL(m1 >= 0 && m2 > m1 && m3 > m2 && cl > m3);
  CU_ASSERT_EQUAL(log_at(n.p, cl)->a, SIM_CONN_PEER_CLOSED);
  CU_ASSERT_EQUAL(log_at(n.p, cl)->t, log_at(n.p, m3)->t);
  CU_ASSERT_EQUAL(log_index(n.p, n.b, PR_MESSAGE, 4), -1);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CLOSED), 0);
  net_done(&n);
}

/* --- firewall changes on open connections ------------------------------------------------- */

/* A drop rule added under an open connection: packets vanish, both ends
 * notice after the keepalive timeout. */
static void test_fw_drop_breaks_open(void)
{
  Net n;
  std_net(&n);
  SimConnId c = connect_ab(&n, 80, FALSE);
  SimConnId other = connect_ab(&n, 17472, FALSE); /* another port: unaffected */
  sim_run_until(n.sim, 2 * SIM_S);
  SimFwRule r = rule_ab(&n, 80, SIM_FW_DROP);
  sim_fw_add(n.sim, &r);
  CU_ASSERT_FALSE(sim_conn_is_open(n.sim, c));
  CU_ASSERT(sim_conn_is_open(n.sim, other));
  sim_run_until(n.sim, 40 * SIM_S);
  CU_ASSERT_EQUAL(probe_count(n.p, n.a, PR_CLOSED), 1);
  CU_ASSERT_EQUAL(probe_find(n.p, n.a, PR_CLOSED)->conn, c);
  expect_one(n.p, n.a, PR_CLOSED, SIM_CONN_KEEPALIVE, 2 * SIM_S + KEEPALIVE);
  expect_one(n.p, n.b, PR_CLOSED, SIM_CONN_KEEPALIVE, 2 * SIM_S + KEEPALIVE);
  sim_close(n.sim, other, n.a);
  net_done(&n);
}

/* A reject rule added under an open connection: the next segment draws a
 * reset; both ends hear of it one way (a → b, payload 0) later. */
static void test_fw_reject_resets_open(void)
{
  Net n;
  std_net(&n);
  connect_ab(&n, 80, FALSE);
  sim_run_until(n.sim, 2 * SIM_S);
  SimFwRule r = rule_ab(&n, 0, SIM_FW_REJECT);
  r.both = TRUE;
  sim_fw_add(n.sim, &r);
  sim_drain(n.sim);
  expect_one(n.p, n.a, PR_CLOSED, SIM_CONN_RESET, 2 * SIM_S + ONE_WAY_SYN);
  expect_one(n.p, n.b, PR_CLOSED, SIM_CONN_RESET, 2 * SIM_S + ONE_WAY_SYN);
  net_done(&n);
}

/* --- background transfers and statistics ---------------------------------------------------- */

/* Two hosts on one 10 Mbps LAN (0.1 ms access links, 800 ns per byte).
 * The bandwidth-delay product, 10 Mbps * 0.4 ms ≈ 470 B, is below the
 * initial window (14,480 B), so the flow starts at the full rate at once.
 *   connect: 2 * 2 * (100,000 + 90*800) = 688,000 ns
 *   1,000,000 B at 10 Mbps * 1448/1538 payload per wire byte:
 *     1e6 * 1538 * 800 / 1448 = 849,723,756.9 → 849,723,757 ns
 *   the last segment's trip: 200,000 + 2 * 1538*800 = 2,660,800 ns
 *   finished = 1 s + 688,000 + 849,723,757 + 2,660,800 = 1,853,072,557 ns */
static void lan10(Sim **sim, Probe **p, SimNodeId *a, SimNodeId *b)
{
  *sim = sim_new(NULL);
  cs_classes_register(*sim);
  *p = probe_new(*sim);
  guint32 site = sim_site_add(*sim, "lan"), base;
  guint8 prefix;
  sim_cidr_parse("10.0.0.0/24", &base, &prefix);
  guint32 sn = sim_subnet_add(*sim, site, base, prefix, 10e6, 100 * SIM_US, NULL);
  *a = probe_host(*sim, *p, sn);
  *b = probe_host(*sim, *p, sn);
}

/* lan10, and at 1 s a connects to b and sends one 1 MB message, then closes. */
static void lan10_send_1mb(Sim **sim, Probe **p, SimNodeId *a, SimNodeId *b)
{
  lan10(sim, p, a, b);
  (*p)->send_sizes[0] = 1000000;
  (*p)->nsend = 1;
  (*p)->close_after_send = TRUE;
  sim_run_until(*sim, SIM_S);
  sim_connect(*sim, *a, sim_node_addr(*sim, *b), 80, CS_CLS_BULK, FALSE);
}

static void test_transfer_bulk_time(void)
{
  const SimTime want = 1853072557;
  Sim *sim;
  Probe *p;
  SimNodeId a, b;
  lan10(&sim, &p, &a, &b);
  guint32 t = sim_transfer(sim, a, b, 1000000, CS_CLS_BULK, SIM_S);
  CU_ASSERT_EQUAL(sim_transfer_count(sim), 1);
  CU_ASSERT_EQUAL(sim_transfer_finished_at(sim, t), -1);
  sim_run_until(sim, SIM_S + 500 * SIM_MS);
  CU_ASSERT_EQUAL(sim_transfer_finished_at(sim, t), -1);
  CU_ASSERT_EQUAL(sim_dlink_flows(sim, sim_node_access_link(sim, a) * 2), 1);
  sim_drain(sim);
  CU_ASSERT_EQUAL(sim_transfer_finished_at(sim, t), want);
  /* The transfer is invisible to the models. */
  CU_ASSERT_EQUAL(probe_count(p, b, PR_ACCEPTED) + probe_count(p, b, PR_MESSAGE), 0);
  CU_ASSERT_EQUAL(sim_conn_open_count(sim), 0);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);

  /* The same bytes sent by a model on a new connection at 1 s arrive at the
   * same time. */
  lan10_send_1mb(&sim, &p, &a, &b);
  sim_drain(sim);
  const ProbeEvent *e = probe_find(p, b, PR_MESSAGE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, want);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);
}

/* The kernel takes its next events out of the queue ahead of their turn (to
 * prefetch their records).  A flow's completion comes from another queue and
 * schedules the delivery a little later (two hop latencies and the last
 * segment: about 1.4 ms): before events already taken out.  With a call
 * every 5 ms, one of them 1 us after the arrival, everything must still run
 * in time order, and the message arrive when the link formula says. */
static void log_call(Sim *sim, gpointer data, guint64 arg)
{
  ProbeEvent e = { .t = sim_now(sim), .node = SIM_NODE_NONE, .what = PR_TIMER, .a = arg };
  g_array_append_val(((Probe *) data)->log, e);
}

static void test_flow_delivery_among_staged_events(void)
{
  Sim *sim;
  Probe *p;
  SimNodeId a, b;
  lan10_send_1mb(&sim, &p, &a, &b);
  const SimTime want = 1853072557; /* as test_transfer_bulk_time */
  for (guint i = 0; i < 200; i++)
    sim_call_at(sim, want + SIM_US + ((SimTime) i - 100) * 5 * SIM_MS, log_call, p, i);
  sim_drain(sim);
  const ProbeEvent *e = probe_find(p, b, PR_MESSAGE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, want);
  guint backwards = 0;
  for (guint i = 1; i < p->log->len; i++)
    backwards += log_at(p, (int) i)->t < log_at(p, (int) i - 1)->t;
  CU_ASSERT_EQUAL(backwards, 0);
  CU_ASSERT_EQUAL(probe_count(p, SIM_NODE_NONE, PR_TIMER), 200);
  probe_free(p);
  sim_free(sim);
}

static guint64 bucket_bytes(const SimBucket *b, SimClass cls) { return b ? b->bytes[cls] : 0; }

/* Two sites over a 10 Mbps, 1 ms WAN link (1 Gbps, 0.1 ms access), a host
 * in each: the set-up of the bulk statistics tests below. */
typedef struct {
  Sim *sim;
  Probe *p;
  guint32 wan, sa, sb;
  SimNodeId a, b;
} BulkPair;

static BulkPair bulk_pair(void)
{
  BulkPair bp;
  bp.sim = sim_new(NULL);
  cs_classes_register(bp.sim);
  bp.p = probe_new(bp.sim);
  bp.wan = probe_two_sites(bp.sim, 10e6, SIM_MS, 1e9, 100 * SIM_US, &bp.sa, &bp.sb);
  bp.a = probe_host(bp.sim, bp.p, bp.sa);
  bp.b = probe_host(bp.sim, bp.p, bp.sb);
  return bp;
}

/* A 5 MB transfer over a 10 Mbps, 1 ms WAN link (1 Gbps, 0.1 ms access)
 * from 0.5 s: it spans five 1-second buckets.  No slow start (BDP ≈ 2.9 KB).
 *   connect: 2 * ((100,000 + 720) + (1,000,000 + 54*800) + (100,000 + 720))
 *          = 2 * 1,244,640 = 2,489,280 ns → the flow runs from 0.502489280 s
 *   5e6 B at 10 Mbps * 1448/1502: 5e6 * 1502 * 800 / 1448 = 4,149,171,270.7 ns
 *   tail: 1,200,000 + 1538*8 + 1502*800 + 1538*8 = 2,426,208 ns
 *   finished = 502,489,280 + 4,149,171,271 + 2,426,208 = 4,654,086,759 ns
 * Wire bytes on the WAN a → b: the SYN (54) + 5e6 * 1502/1448
 * = 54 + 5,186,464.09 → 5,186,518; the full buckets 1..3 carry the line
 * rate, 1,250,000 B each; b → a carries only the SYN-ACK (54). */
static void test_transfer_buckets(void)
{
  BulkPair bp = bulk_pair();
  Sim *sim = bp.sim;
  Probe *p = bp.p;
  guint32 wan = bp.wan, sa = bp.sa;
  SimNodeId a = bp.a, b = bp.b;
  guint32 t = sim_transfer(sim, a, b, 5000000, CS_CLS_BULK, SIM_S / 2);
  sim_drain(sim);
  CU_ASSERT_EQUAL(sim_transfer_finished_at(sim, t), 4654086759);

  guint32 fwd = wan * 2, back = wan * 2 + 1;
  CU_ASSERT(sim_stats_buckets(sim) >= 5);
  guint64 sum = 0, sum_back = 0, msgs = 0;
  guint nonzero = 0;
  for (guint32 k = 0; k < sim_stats_buckets(sim); k++) {
    guint64 by = bucket_bytes(sim_stats_wan(sim, fwd, k), CS_CLS_BULK);
    sum += by;
    nonzero += by > 0;
    sum_back += bucket_bytes(sim_stats_wan(sim, back, k), CS_CLS_BULK);
    if (sim_stats_wan(sim, fwd, k))
      msgs += sim_stats_wan(sim, fwd, k)->msgs[CS_CLS_BULK];
    for (int cls = 0; cls < CS_CLS_COUNT; cls++)
      if (cls != CS_CLS_BULK)
        CU_ASSERT_EQUAL(bucket_bytes(sim_stats_wan(sim, fwd, k), cls), 0);
  }
  CU_ASSERT_EQUAL(nonzero, 5);
  for (guint32 k = 1; k <= 3; k++) {
    gint64 by = (gint64) bucket_bytes(sim_stats_wan(sim, fwd, k), CS_CLS_BULK);
    CU_ASSERT(llabs(by - 1250000) <= 1);
  }
  /* Bucket 0: the SYN and 0.497510720 s at 1,250,000 B/s = 621,888.4 B. */
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 0), CS_CLS_BULK) - (54 + 621888)) <= 1);
  CU_ASSERT_EQUAL(sum, 5186518);
  CU_ASSERT_EQUAL(sum_back, 54);
  CU_ASSERT_EQUAL(sim_stats_dlink_total(sim, fwd), sum);
  CU_ASSERT_EQUAL(sim_stats_wan_total(sim, CS_CLS_BULK), sum + sum_back);
  CU_ASSERT(llabs((gint64) sim_stats_dlink_peak(sim, fwd) - 1250000) <= 1);
  CU_ASSERT_EQUAL(msgs, 2); /* the SYN and the transfer */
  /* a's access link, up: the SYN (90) + 5e6 * 1538/1448 = 5,310,773.5. */
  guint64 up = 0;
  for (guint32 k = 0; k < sim_stats_buckets(sim); k++)
    up += bucket_bytes(sim_stats_subnet(sim, sa, FALSE, k), CS_CLS_BULK);
  CU_ASSERT(llabs((gint64) up - (90 + 5310773)) <= 1);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);
}

/* The transfer above, read at 3 s: before a flush its bytes since it left
 * slow start are not in the buckets yet (a flow is accounted when its rate
 * changes or it ends); sim_stats_flush brings them in, 1,250,000 B in each of
 * buckets 1 and 2, and the run then ends with the same total, nothing counted
 * twice. */
static void test_stats_flush(void)
{
  BulkPair bp = bulk_pair();
  Sim *sim = bp.sim;
  guint32 fwd = bp.wan * 2;
  sim_transfer(sim, bp.a, bp.b, 5000000, CS_CLS_BULK, SIM_S / 2);
  sim_run_until(sim, 3 * SIM_S);
  CU_ASSERT_EQUAL(sim_dlink_flows(sim, fwd), 1);
  CU_ASSERT_EQUAL(bucket_bytes(sim_stats_wan(sim, fwd, 1), CS_CLS_BULK), 0);
  sim_stats_flush(sim);
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 0), CS_CLS_BULK) - (54 + 621888)) <= 1);
  for (guint32 k = 1; k <= 2; k++)
    CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, k), CS_CLS_BULK) - 1250000) <= 1);
  CU_ASSERT(llabs((gint64) sim_stats_dlink_total(sim, fwd) - (54 + 621888 + 2 * 1250000)) <= 2);
  sim_drain(sim);
  CU_ASSERT(llabs((gint64) sim_stats_dlink_total(sim, fwd) - 5186518) <= 1);
  probe_free(bp.p);
  sim_free(sim);
}

typedef struct {
  guint n;
  SimNodeId from, to;
  guint64 size;
  guint8 cls;
  SimTime sent_at, at;
} TraceSeen;

static void trace_cb(Sim *sim, gpointer data, SimNodeId from, SimNodeId to, guint8 cls, guint64 size,
                     guint32 type, SimTime sent_at)
{
  TraceSeen *t = data;
  t->n++;
  t->from = from;
  t->to = to;
  t->size = size;
  t->cls = cls;
  t->sent_at = sent_at;
  t->at = sim_now(sim);
}

/* The message trace sees every delivery with its sender, receiver, class,
 * size and send time, and nothing once cleared. */
static void test_trace_hook(void)
{
  Sim *sim = sim_new(NULL);
  cs_classes_register(sim);
  Probe *p = probe_new(sim);
  guint32 sa, sb;
  probe_two_sites(sim, 20e6, 30 * SIM_MS, 1e9, 100 * SIM_US, &sa, &sb);
  SimNodeId a = probe_host(sim, p, sa), b = probe_host(sim, p, sb);
  TraceSeen seen = { 0 };
  sim_set_trace(sim, trace_cb, &seen);
  p->send_sizes[0] = 300;
  p->send_sizes[1] = 400;
  p->nsend = 2;
  p->send_cls = CS_CLS_QUESTION;
  sim_run_until(sim, SIM_S);
  sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_PEER, FALSE);
  sim_drain(sim);
  CU_ASSERT_EQUAL(seen.n, 2);
  CU_ASSERT_EQUAL(seen.from, a);
  CU_ASSERT_EQUAL(seen.to, b);
  CU_ASSERT_EQUAL(seen.size, 400);
  CU_ASSERT_EQUAL(seen.cls, CS_CLS_QUESTION);
  const ProbeEvent *last = NULL;
  for (guint i = 0; i < p->log->len; i++)
    if (g_array_index(p->log, ProbeEvent, i).what == PR_MESSAGE)
      last = &g_array_index(p->log, ProbeEvent, i);
  CU_ASSERT_PTR_NOT_NULL_FATAL(last);
  CU_ASSERT_EQUAL(seen.at, last->t);
  CU_ASSERT(seen.sent_at < seen.at);
  sim_set_trace(sim, NULL, NULL);
  sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_PEER, FALSE);
  sim_drain(sim);
  CU_ASSERT_EQUAL(seen.n, 2);
  probe_free(p);
  sim_free(sim);
}

/* Old buckets are sealed (compressed) once the clock is SIM_STATS_OPEN_MAX
 * buckets past them (two series here: the window is at its widest), and a
 * bulk transfer is accounted only when it ends: a 500 MB transfer at 10 Mbps
 * from 0.5 s runs ~415 s, so its first ~160 buckets are sealed long before.
 * Mid-run they hold nothing of it; afterwards every full bucket carries the
 * line rate, 1,250,000 B, whatever order the rows are read in, and the
 * buckets add up to 54 (SYN) + 5e8 * 1502/1448 = 54 + 518,646,408.84
 * → 518,646,463 B. */
static void test_stats_sealed(void)
{
  BulkPair bp = bulk_pair();
  Sim *sim = bp.sim;
  sim_transfer(sim, bp.a, bp.b, 500000000, CS_CLS_BULK, SIM_S / 2);
  guint32 fwd = bp.wan * 2;
  sim_run_until(sim, 40 * SIM_S);
  CU_ASSERT_PTR_NULL(sim_stats_wan(sim, fwd, 10));
  sim_drain(sim);
  guint32 nb = sim_stats_buckets(sim);
  CU_ASSERT_EQUAL(nb, 416);
  CU_ASSERT(nb > SIM_STATS_OPEN_MAX + 100); /* bucket 10 and ~150 more are sealed */
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 10), CS_CLS_BULK) - 1250000) <= 1);
  guint64 sum = 0;
  for (guint32 k = nb; k-- > 0;) /* newest first: the late spans replay from the start */
    sum += bucket_bytes(sim_stats_wan(sim, fwd, k), CS_CLS_BULK);
  guint full = 0;
  for (guint32 k = 1; k + 1 < nb; k++)
    full += llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, k), CS_CLS_BULK) - 1250000) <= 1;
  CU_ASSERT_EQUAL(full, nb - 2);
  CU_ASSERT_EQUAL(sum, 518646463);
  CU_ASSERT_EQUAL(sim_stats_dlink_total(sim, fwd), sum);
  CU_ASSERT_EQUAL(sim_stats_wan(sim, fwd, nb - 1)->msgs[CS_CLS_BULK], 1);
  probe_free(bp.p);
  sim_free(sim);
}

/* Reading sealed buckets mid-run, then traffic on a series that did not
 * exist yet (a third subnet's first connection), then a transfer accounted
 * late: each read of the same old bucket sees every series, old and new,
 * what the late spans put there, and what arrived since.  The first 500 MB
 * transfer (0.5 s to ~415 s) lands in bucket 2 as a late span. */
static void test_stats_read_mid_run(void)
{
  BulkPair bp = bulk_pair();
  Sim *sim = bp.sim;
  guint32 base;
  guint8 prefix;
  sim_cidr_parse("10.3.0.0/24", &base, &prefix);
  guint32 sc = sim_subnet_add(sim, sim_subnet_site(sim, bp.sa), base, prefix, 1e9, 100 * SIM_US, NULL);
  SimNodeId c = probe_host(sim, bp.p, sc);
  sim_transfer(sim, bp.a, bp.b, 500000000, CS_CLS_BULK, SIM_S / 2);
  sim_run_until(sim, 420 * SIM_S);
  guint32 fwd = bp.wan * 2;
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 2), CS_CLS_BULK) - 1250000) <= 1);
  CU_ASSERT_PTR_NULL(sim_stats_subnet(sim, sc, FALSE, 2));
  /* c's first traffic, a connection (small messages, nothing late): its
   * subnet's series is numbered now; bucket 2 is decoded again. */
  sim_connect(sim, c, sim_node_addr(sim, bp.b), 80, CS_CLS_PEER, FALSE);
  sim_run_until(sim, 421 * SIM_S);
  CU_ASSERT_PTR_NULL(sim_stats_subnet(sim, sc, FALSE, 2));
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 2), CS_CLS_BULK) - 1250000) <= 1);
  CU_ASSERT_PTR_NOT_NULL(sim_stats_subnet(sim, sc, FALSE, 420));
  /* 500 MB from c, accounted at its end (~415 s later) back to 421 s. */
  sim_transfer(sim, c, bp.b, 500000000, CS_CLS_BULK, 421 * SIM_S);
  sim_drain(sim);
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 2), CS_CLS_BULK) - 1250000) <= 1);
  CU_ASSERT_PTR_NULL(sim_stats_subnet(sim, sc, FALSE, 2));
  CU_ASSERT(bucket_bytes(sim_stats_subnet(sim, sc, FALSE, 500), CS_CLS_BULK) > 1250000);
  CU_ASSERT(llabs((gint64) bucket_bytes(sim_stats_wan(sim, fwd, 500), CS_CLS_BULK) - 1250000) <= 1);
  probe_free(bp.p);
  sim_free(sim);
}

/* Statistics are stored sparsely: two 5 MB transfers ten minutes apart
 * leave the buckets between them empty (NULL), and a link's total and peak
 * still take in both. */
static void test_stats_sparse(void)
{
  BulkPair bp = bulk_pair();
  Sim *sim = bp.sim;
  sim_transfer(sim, bp.a, bp.b, 5000000, CS_CLS_BULK, SIM_S / 2);
  sim_transfer(sim, bp.a, bp.b, 5000000, CS_CLS_BULK, 600 * SIM_S + SIM_S / 2);
  sim_drain(sim);
  guint32 fwd = bp.wan * 2;
  CU_ASSERT_EQUAL(sim_stats_buckets(sim), 605);
  CU_ASSERT_PTR_NOT_NULL(sim_stats_wan(sim, fwd, 2));
  CU_ASSERT_PTR_NULL(sim_stats_wan(sim, fwd, 300));
  CU_ASSERT_PTR_NOT_NULL(sim_stats_wan(sim, fwd, 602));
  CU_ASSERT_EQUAL(bucket_bytes(sim_stats_wan(sim, fwd, 602), CS_CLS_BULK), 1250000);
  CU_ASSERT_EQUAL(sim_stats_dlink_total(sim, fwd), 2 * 5186518);
  CU_ASSERT(llabs((gint64) sim_stats_dlink_peak(sim, fwd) - 1250000) <= 1);
  probe_free(bp.p);
  sim_free(sim);
}

/* --- sending ahead ------------------------------------------------------------- */

/* A 200-byte message a -> b on idle links:
 *   (100,000 + 290*8) + (30,000,000 + 254*400) + (100,000 + 290*8)
 *   = 102,320 + 30,101,600 + 102,320 = 30,306,240 ns;
 * 10 bytes: 100,800 + 30,025,600 + 100,800 = 30,227,200 ns. */
#define ONE_WAY_200 ((SimTime) 30306240)
#define ONE_WAY_10 ((SimTime) 30227200)

/* sim_send_unheard books the bytes and times a message sent later, without
 * an event; what is sent after it in that direction arrives after it.
 * sim_send_ahead delivers one, as if sent later, in one event. */
static void test_send_ahead(void)
{
  Net n;
  SimConnId c = open_ab(&n);
  SimTime now = sim_now(n.sim);
  CU_ASSERT(sim_send_ready(n.sim, c, n.a, 200));
  CU_ASSERT(sim_send_ready(n.sim, c, n.b, 200));
  CU_ASSERT_FALSE(sim_send_ready(n.sim, c, n.a, 10 * 1448 + 1)); /* beyond the window */
  CU_ASSERT_FALSE(sim_send_ready(n.sim, 0, n.a, 200));
  guint64 wan = sim_stats_wan_total(n.sim, CS_CLS_SHARD);
  guint64 pending = sim_pending_events(n.sim);

  SimTime t = sim_send_unheard(n.sim, c, n.a, 200, CS_CLS_SHARD, now + 5 * SIM_MS);
  CU_ASSERT_EQUAL(t, now + 5 * SIM_MS + ONE_WAY_200);
  CU_ASSERT_EQUAL(sim_stats_wan_total(n.sim, CS_CLS_SHARD), wan + 200 + 54);
  CU_ASSERT_EQUAL(sim_pending_events(n.sim), pending);
  /* A 10-byte message sent now would arrive first; it keeps the order. */
  send_msg(&n, c, n.a, 10, 1);
  /* b -> a is another direction: not held back. */
  send_msg(&n, c, n.b, 10, 3);
  SimMsg *m = sim_msg_new(n.sim);
  m->size = 200;
  m->a = 2;
  m->cls = CS_CLS_PEER;
  sim_send_ahead(n.sim, c, n.a, m, now + 40 * SIM_MS);
  CU_ASSERT_EQUAL(sim_pending_events(n.sim), pending + 3);
  sim_run_until(n.sim, now + SIM_S);
  const ProbeEvent *e = log_at(n.p, log_index(n.p, n.b, PR_MESSAGE, 1));
  CU_ASSERT_EQUAL(e->t, t);
  e = log_at(n.p, log_index(n.p, n.b, PR_MESSAGE, 2));
  CU_ASSERT_EQUAL(e->t, now + 40 * SIM_MS + ONE_WAY_200);
  e = log_at(n.p, log_index(n.p, n.a, PR_MESSAGE, 3));
  CU_ASSERT_EQUAL(e->t, now + ONE_WAY_10);
  CU_ASSERT_EQUAL(sim_stats_wan_total(n.sim, CS_CLS_SHARD), wan + 200 + 54);
  sim_close(n.sim, c, n.a);
  net_done(&n);
}

/* Not ready: a bulk message on the wire, or a message waiting behind it,
 * and a connection closing or not open. */
static void test_send_ahead_not_ready(void)
{
  Net n;
  SimConnId c = open_ab(&n);
  send_msg(&n, c, n.a, 1000000, 1); /* a bulk flow a -> b */
  CU_ASSERT_FALSE(sim_send_ready(n.sim, c, n.a, 200));
  CU_ASSERT(sim_send_ready(n.sim, c, n.b, 200));
  sim_close(n.sim, c, n.a);
  CU_ASSERT_FALSE(sim_send_ready(n.sim, c, n.a, 200));
  SimConnId d = connect_ab(&n, 80, FALSE);
  CU_ASSERT_FALSE(sim_send_ready(n.sim, d, n.a, 200)); /* still connecting */
  sim_close(n.sim, d, n.a);
  net_done(&n);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "connect allowed: one RTT", test_connect_allow },
    { "connect with TLS: plus the handshake round trip", test_connect_tls },
    { "connect dropped by the firewall: timeout", test_connect_fw_drop },
    { "connect rejected by the firewall: refused after one RTT", test_connect_fw_reject },
    { "connect to a port nobody listens on: refused", test_connect_not_listening },
    { "connect over a failed WAN link: timeout", test_connect_link_down },
    { "path broken during the handshake", test_connect_broken_during_handshake },
    { "in-order delivery, large then small", test_in_order_delivery },
    { "a stream alone sends like its messages one by one", test_send_stream },
    { "a small message goes out beside a stream's message", test_small_beside_stream },
    { "two streams take turns", test_streams_take_turns },
    { "small messages pass the streams queued before them", test_messages_pass_streams },
    { "plain messages keep their order", test_plain_messages_in_order },
    { "a stream on a broken connection", test_send_stream_broken },
    { "WAN failure: in flight lost, keepalive at both ends", test_wan_failure_open_conn },
    { "route change in a triangle", test_route_change },
    { "crash: far end notices after keepalive", test_crash_far_end_keepalive },
    { "crash and restart: far end reset", test_crash_restart_reset },
    { "graceful close, idle", test_close_idle },
    { "send and close at connect", test_send_and_close_at_connect },
    { "graceful close after data", test_close_after_data },
    { "firewall drop added: open connection breaks", test_fw_drop_breaks_open },
    { "firewall reject added: open connection reset", test_fw_reject_resets_open },
    { "background transfer time", test_transfer_bulk_time },
    { "a flow's delivery runs before events taken out ahead of it", test_flow_delivery_among_staged_events },
    { "transfer bytes spread over buckets", test_transfer_buckets },
    { "a flush accounts transfers under way", test_stats_flush },
    { "sending ahead: unheard hops and a message sent later", test_send_ahead },
    { "sending ahead needs an idle, open direction", test_send_ahead_not_ready },
    { "statistics are sparse: idle stretches between transfers", test_stats_sparse },
    { "old statistics are sealed; a late transfer still lands in them", test_stats_sealed },
    { "statistics read mid-run, then new series and late spans", test_stats_read_mid_run },
    { "message trace hook", test_trace_hook },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "conn", tests);
}
