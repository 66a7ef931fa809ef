/* test_link_model.c — the link model against hand computation and against
 * packet-level reference figures of ns-3 runs of the same cases
 * (docs/model.md, "Network model"), each case within 10 %.
 *
 * Ground-truth set-up: A —(1 Gbps, 0.1 ms)— R1 —(20 Mbps, 30 ms)— R2
 * —(1 Gbps, 0.1 ms)— B, PPP framing (54 header bytes per 1448-byte segment)
 * on every link, initial window 10 segments, no TLS. */
#include "classes.h"
#include "testutil.h"
#include <math.h>

#define TOLERANCE 0.10

static void assert_within_of(double got, double want, double tolerance, const char *what)
{
  double err = fabs(got - want) / want;
  g_test_message("%s: got %.4f, ground truth %.4f (%.1f %%)", what, got, want, 100 * err);
  if (err > tolerance)
    fprintf(stderr, "%s: got %.4f, ground truth %.4f, off by %.1f %% (> %.0f %%)\n", what, got, want,
            100 * err, 100 * tolerance);
  CU_ASSERT(err <= tolerance);
}

static void assert_within(double got, double want, const char *what)
{
  assert_within_of(got, want, TOLERANCE, what);
}

/* Sim with the ground-truth path; hosts on both sides get PPP framing. */
static Sim *gt_sim(Probe **probe, guint32 *sa, guint32 *sb)
{
  Sim *sim = sim_new(NULL);
  cs_classes_register(sim);
  *probe = probe_new(sim);
  probe_two_sites(sim, 20e6, 30 * SIM_MS, 1e9, 100 * SIM_US, sa, sb);
  sim_link_set_framing(sim, 0, SIM_FRAMING_PPP);
  return sim;
}

static SimNodeId gt_host(Sim *sim, Probe *p, guint32 subnet)
{
  SimNodeId n = probe_host(sim, p, subnet);
  sim_link_set_framing(sim, sim_node_access_link(sim, n), SIM_FRAMING_PPP);
  return n;
}

/* One small message across three hops, by hand: each hop adds its latency
 * and the message's wire bytes (payload + framing) over its bandwidth. */
static void test_small_message_three_hops(void)
{
  Sim *sim = sim_new(NULL);
  cs_classes_register(sim);
  Probe *p = probe_new(sim);
  guint32 sa, sb;
  probe_two_sites(sim, 20e6, 30 * SIM_MS, 1e9, 100 * SIM_US, &sa, &sb);
  SimNodeId a = probe_host(sim, p, sa), b = probe_host(sim, p, sb);
  sim_run_until(sim, SIM_S);
  SimConnId c = sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_PEER, FALSE);
  sim_run_until(sim, 2 * SIM_S);
  CU_ASSERT_PTR_NOT_NULL_FATAL(probe_find(p, a, PR_CONNECTED));
  SimMsg *m = sim_msg_new(sim);
  m->size = 200;
  sim_send(sim, c, a, m);
  sim_drain(sim);
  const ProbeEvent *e = probe_find(p, b, PR_MESSAGE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  /* access up: 100 us + (200 + 90) B * 8 / 1 Gbps = 2.32 us
   * WAN:       30 ms  + (200 + 54) B * 8 / 20 Mbps = 101.6 us
   * access dn: 100 us + (200 + 90) B * 8 / 1 Gbps = 2.32 us  → 30.30624 ms */
  SimTime want = 2 * SIM_S + 100000 + 2320 + 30000000 + 101600 + 100000 + 2320;
  CU_ASSERT_EQUAL(e->t, want);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);
}

/* Case 1: one bulk transfer of 100 MB A→B, 41.745 s in ns-3. */
static void test_gt_bulk_100mb(void)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  SimNodeId a = gt_host(sim, p, sa), b = gt_host(sim, p, sb);
  sim_run_until(sim, SIM_S);
  p->send_sizes[0] = 100000000;
  p->nsend = 1;
  sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_BULK, FALSE);
  sim_drain(sim);
  const ProbeEvent *e = probe_find(p, b, PR_MESSAGE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  assert_within(sim_time_to_s(e->t - SIM_S), 41.745, "100 MB bulk (s)");
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  probe_free(p);
  sim_free(sim);
}

/* Case 2: two simultaneous 50 MB transfers through R1: both end near 41.6 s. */
static void test_gt_two_transfers_share(void)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  SimNodeId a1 = gt_host(sim, p, sa), a2 = gt_host(sim, p, sa), b = gt_host(sim, p, sb);
  sim_run_until(sim, SIM_S);
  p->send_sizes[0] = 50000000;
  p->nsend = 1;
  sim_connect(sim, a1, sim_node_addr(sim, b), 80, CS_CLS_BULK, FALSE);
  sim_connect(sim, a2, sim_node_addr(sim, b), 80, CS_CLS_BULK, FALSE);
  sim_drain(sim);
  CU_ASSERT_EQUAL_FATAL(probe_count(p, b, PR_MESSAGE), 2);
  const ProbeEvent *e1 = NULL, *e2 = NULL;
  for (guint i = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    if (e->node == b && e->what == PR_MESSAGE) {
      if (!e1)
        e1 = e;
      else
        e2 = e;
    }
  }
  assert_within(sim_time_to_s(e1->t - SIM_S), 41.58, "2 x 50 MB, first (s)");
  assert_within(sim_time_to_s(e2->t - SIM_S), 41.69, "2 x 50 MB, second (s)");
  probe_free(p);
  sim_free(sim);
}

/* Case 3: request 200 B / response 2,000 B on a new connection each: 121.9 ms. */
static void test_gt_request_response(void)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  SimNodeId a = gt_host(sim, p, sa), b = gt_host(sim, p, sb);
  p->send_sizes[0] = 200;
  p->nsend = 1;
  p->reply_size = 2000;
  double sum = 0;
  const int n = 200;
  for (int i = 0; i < n; i++) {
    SimTime t0 = (SimTime) (i + 1) * SIM_S;
    sim_run_until(sim, t0);
    guint before = probe_count(p, a, PR_MESSAGE);
    sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_REGISTRATION, FALSE);
    sim_run_until(sim, t0 + SIM_S / 2);
    CU_ASSERT_EQUAL_FATAL(probe_count(p, a, PR_MESSAGE), before + 1);
    const ProbeEvent *last = NULL;
    for (guint k = 0; k < p->log->len; k++) {
      const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, k);
      if (e->node == a && e->what == PR_MESSAGE)
        last = e;
    }
    sum += sim_time_to_ms(last->t - t0);
  }
  assert_within(sum / n, 121.9, "request/response on a new connection (ms)");
  probe_free(p);
  sim_free(sim);
}

/* Added 2026-12-05: a 200 B / 2,000 B exchange on a new connection from c
 * to d, across the 20 Mbps link while a 100 MB transfer a -> b fills it
 * (started at t = 1 s).  ns-3 (fq_codel over a 100-packet device queue):
 * 121.8 ms idle, 242.6 ms at 10.000 s into the transfer, 184.7-242.8 ms over
 * 20 start times 10.00-10.95 s, 123.4 ms with a 1-packet device queue.  The
 * model's standing queue does not depend on the start time once the
 * transfer is past its slow start: the SYN and the request each wait
 * buffer x 1,502 B at 20 Mbps (60.08 ms; 0.60 ms for one packet). */
static void exchange_times(guint32 buffer, gboolean bulk, double *lo, double *hi)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  sim_link_set_buffer(sim, 0, buffer);
  SimNodeId a = gt_host(sim, p, sa), b = gt_host(sim, p, sb);
  SimNodeId c = gt_host(sim, p, sa), d = gt_host(sim, p, sb);
  guint32 t = bulk ? sim_transfer(sim, a, b, 100000000, CS_CLS_BULK, SIM_S) : 0;
  guint32 x[20];
  for (int k = 0; k < 20; k++)
    x[k] = sim_exchange(sim, c, d, 200, 2000, CS_CLS_BULK, 11 * SIM_S + k * 50 * SIM_MS);
  sim_drain(sim);
  *lo = INFINITY;
  *hi = 0;
  for (int k = 0; k < 20; k++) {
    SimTime done = sim_transfer_finished_at(sim, x[k]);
    CU_ASSERT_FATAL(done > 0);
    double ms = sim_time_to_ms(done - (11 * SIM_S + k * 50 * SIM_MS));
    *lo = MIN(*lo, ms);
    *hi = MAX(*hi, ms);
  }
  if (bulk)
    assert_within(sim_time_to_s(sim_transfer_finished_at(sim, t) - SIM_S), 41.745,
                  "100 MB beside the exchanges (s)");
  probe_free(p);
  sim_free(sim);
}

static void test_gt_exchange_under_load(void)
{
  double lo, hi;
  exchange_times(100, FALSE, &lo, &hi);
  assert_within_of(lo, 121.8, 0.15, "exchange, idle link (ms)");
  CU_ASSERT(hi - lo < 1e-3); /* nothing changes between start times */
  double idle = lo;
  exchange_times(100, TRUE, &lo, &hi);
  assert_within_of(lo, 242.6, 0.15, "exchange, full link, first start time (ms)");
  assert_within_of(hi, 242.6, 0.15, "exchange, full link, last start time (ms)");
  /* Two crossings of 100 x 1,502 B at 20 Mbps, and the first segments at
   * half the link beside the transfer (0.17 ms). */
  CU_ASSERT(lo - idle >= 2 * 60.08 && hi - idle <= 2 * 60.08 + 0.2);
  exchange_times(1, TRUE, &lo, &hi);
  assert_within_of(lo, 123.4, 0.15, "exchange, full link, 1-packet buffer (ms)");
  CU_ASSERT(lo - idle >= 2 * 0.6008 && hi - idle <= 2 * 0.6008 + 0.2);
}

/* Case 4: 512 KiB relayed at application level over three LAN hops of
 * (1 Gbps, 0.1 ms), connections already open: B 4.59, C 9.18, D 13.78 ms.
 * A hop here is two access links of 0.05 ms each. */
static void test_gt_relay_three_hops(void)
{
  Sim *sim = sim_new(NULL);
  cs_classes_register(sim);
  Probe *p = probe_new(sim);
  guint32 site = sim_site_add(sim, "lan"), base;
  guint8 prefix;
  sim_cidr_parse("10.0.0.0/24", &base, &prefix);
  guint32 sn = sim_subnet_add(sim, site, base, prefix, 1e9, 50 * SIM_US, NULL);
  SimNodeId h[4];
  for (int i = 0; i < 4; i++)
    h[i] = gt_host(sim, p, sn);
  sim_run_until(sim, SIM_MS);
  for (int i = 0; i < 3; i++)
    sim_connect(sim, h[i], sim_node_addr(sim, h[i + 1]), 80, CS_CLS_SHARD, FALSE);
  sim_run_until(sim, SIM_S);
  p->relay[h[1]] = p->last_conn[h[1]];
  p->relay[h[2]] = p->last_conn[h[2]];
  CU_ASSERT_FATAL(p->last_conn[h[0]] != 0 && p->relay[h[1]] && p->relay[h[2]]);
  SimMsg *m = sim_msg_new(sim);
  m->size = 512 * 1024;
  m->cls = CS_CLS_SHARD;
  sim_send(sim, p->last_conn[h[0]], h[0], m);
  sim_drain(sim);
  const double want[3] = { 4.59, 9.18, 13.78 };
  const char *names[3] = { "relay: B has it (ms)", "relay: C has it (ms)", "relay: D has it (ms)" };
  for (int i = 1; i < 4; i++) {
    const ProbeEvent *e = probe_find(p, h[i], PR_MESSAGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    assert_within(sim_time_to_ms(e->t - SIM_S), want[i - 1], names[i - 1]);
  }
  probe_free(p);
  sim_free(sim);
}

/* Header bytes count: a 100 MB transfer puts payload plus 54 bytes per
 * 1448-byte segment on the WAN link (3.7 % more than the payload). */
static void test_header_bytes_counted(void)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  SimNodeId a = gt_host(sim, p, sa), b = gt_host(sim, p, sb);
  p->send_sizes[0] = 100000000;
  p->nsend = 1;
  p->send_cls = CS_CLS_BULK;
  sim_run_until(sim, SIM_S);
  sim_connect(sim, a, sim_node_addr(sim, b), 80, CS_CLS_BULK, FALSE);
  sim_drain(sim);
  /* The handshake's SYN and SYN-ACK (54 bytes each) go with the class too. */
  double wire = (double) sim_stats_wan_total(sim, CS_CLS_BULK) - 2 * 54;
  double want = 100e6 * (1448.0 + 54.0) / 1448.0;
  if (fabs(wire - want) / want >= 0.001)
    fprintf(stderr, "WAN bytes %.0f, want %.0f\n", wire, want);
  CU_ASSERT(fabs(wire - want) / want < 0.001);
  probe_free(p);
  sim_free(sim);
}

/* Forty 10 MB transfers start in the same instant across the 20 Mbps link.
 * Each slow start is analytic; one that ignored the others still in slow
 * start would assume the whole link and push 40 x 217 KB through in four
 * round trips (8.7 MB, 3.5 times what the link carries in a second).  A flow
 * counts the ones starting beside it, so no one-second bucket of the link
 * may carry more than a quarter above its capacity, and the forty together
 * take no less than 400 MB / 20 Mbps. */
static void test_simultaneous_slow_starts(void)
{
  Probe *p;
  guint32 sa, sb;
  Sim *sim = gt_sim(&p, &sa, &sb);
  SimNodeId a[40], b = gt_host(sim, p, sb);
  for (int i = 0; i < 40; i++)
    a[i] = gt_host(sim, p, sa);
  p->send_sizes[0] = 10000000;
  p->nsend = 1;
  p->send_cls = CS_CLS_BULK;
  sim_run_until(sim, SIM_S);
  for (int i = 0; i < 40; i++)
    sim_connect(sim, a[i], sim_node_addr(sim, b), 80, CS_CLS_BULK, FALSE);
  sim_drain(sim);
  CU_ASSERT_EQUAL_FATAL(probe_count(p, b, PR_MESSAGE), 40);
  guint32 dl = sim_link_site_a(sim, 0) == sim_node_site(sim, a[0]) ? 0 : 1;
  double cap = 20e6 / 8, worst = 0;
  for (guint32 k = 0; k < sim_stats_buckets(sim); k++) {
    const SimBucket *bk = sim_stats_wan(sim, dl, k);
    if (bk)
      worst = MAX(worst, (double) bk->bytes[CS_CLS_BULK]);
  }
  g_test_message("busiest second: %.0f bytes, %.2f x capacity", worst, worst / cap);
  CU_ASSERT(worst <= 1.25 * cap);
  const ProbeEvent *last = NULL;
  for (guint i = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    if (e->node == b && e->what == PR_MESSAGE)
      last = e;
  }
  CU_ASSERT(sim_time_to_s(last->t - SIM_S) >= 400e6 * 8 / 20e6);
  probe_free(p);
  sim_free(sim);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "small message across three hops, exact", test_small_message_three_hops },
    { "ground truth: 100 MB bulk", test_gt_bulk_100mb },
    { "ground truth: two 50 MB transfers share the bottleneck", test_gt_two_transfers_share },
    { "ground truth: request/response on new connections", test_gt_request_response },
    { "ground truth: 512 KiB relayed over three LAN hops", test_gt_relay_three_hops },
    { "ground truth: an exchange waits for a full link's queue", test_gt_exchange_under_load },
    { "header bytes are counted", test_header_bytes_counted },
    { "simultaneous slow starts do not overfill a link", test_simultaneous_slow_starts },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "link_model", tests);
}
