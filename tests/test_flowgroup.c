/* test_flowgroup.c — flow groups (sim/flowgroup.c) give the rates of the exact
 * max-min recompute.
 *
 * Every case runs twice, with groups (group_min small enough to form them)
 * and without (group_min 0: every change re-rates every flow), and the two
 * runs must agree: each transfer's arrival time within a few nanoseconds (the
 * group sums its rate over changes in virtual time where each flow summed its
 * own bytes, so ceilings may round the other way), and every statistics
 * bucket within a few bytes per transfer.
 *
 * The network: a server and n clients in one subnet, the server's access
 * link 100 Mbps and the clients' 1 Gbps, so transfers from the server share
 * its link (up) evenly and each is alone on its client's link: the group's
 * bottleneck is the server's link.  Optionally slow_n more transfers go to
 * hosts in a site behind a 5 Mbps WAN link: alone, such a transfer is a
 * member with a floor of 5 Mbps; several share that link and are held below
 * the server link's share there (plain flows beside the group). */
#include "classes.h"
#include "testutil.h"
#include <math.h>

#define MAX_T 200

typedef struct {
  guint32 n;               /* transfers */
  guint64 size[MAX_T];
  SimTime start[MAX_T];    /* after 1 s */
  /* slow_n transfers of slow_size to hosts behind the 5 Mbps link, starting
   * at slow_at, 1 ms apart */
  guint32 slow_n;
  guint64 slow_size;
  SimTime slow_at;
} Case;

typedef struct {
  SimTime done[MAX_T];
  guint64 wan_total;
  guint32 nbuckets;
  guint64 bucket[4096];    /* the 5 Mbps link's bytes per bucket, all classes */
  guint64 down[4096];      /* the subnet's access links, down (to the clients) */
  guint64 formed, dissolved;
  guint32 max_group;       /* largest group seen on the server's link at a look */
} Outcome;

static void run_case(const Case *c, guint32 group_min, Outcome *o)
{
  SimParams sp;
  sim_params_default(&sp);
  sp.group_min = group_min;
  Sim *sim = sim_new(&sp);
  cs_classes_register(sim);
  Probe *p = probe_new(sim);
  guint32 sa, sb;
  probe_two_sites(sim, 100e6, 5 * SIM_MS, 1e9, 100 * SIM_US, &sa, &sb);
  SimNodeId server = probe_host(sim, p, sb);
  sim_node_set_access(sim, server, 100e6, 100 * SIM_US);
  guint32 up = sim_node_access_link(sim, server) * 2; /* the server's link, up */
  SimNodeId cl[MAX_T];
  for (guint32 i = 0; i < c->n; i++)
    cl[i] = probe_host(sim, p, sb);
  guint32 slow = 0;
  if (c->slow_n) {
    guint32 sc = sim_site_add(sim, "c");
    slow = sim_wan_add(sim, 1, sc, 5e6, 20 * SIM_MS, 0);
    guint32 snc = sim_subnet_add(sim, sc, 0x0a030000, 24, 1e9, 100 * SIM_US, NULL);
    for (guint32 i = 0; i < c->slow_n; i++)
      cl[c->n + i] = probe_host(sim, p, snc);
  }
  guint32 t[MAX_T];
  for (guint32 i = 0; i < c->n; i++)
    t[i] = sim_transfer(sim, server, cl[i], c->size[i], CS_CLS_BULK, SIM_S + c->start[i]);
  for (guint32 i = 0; i < c->slow_n; i++)
    t[c->n + i] = sim_transfer(sim, server, cl[c->n + i], c->slow_size, CS_CLS_BULK,
                               SIM_S + c->slow_at + (SimTime) i * SIM_MS);
  memset(o, 0, sizeof *o);
  /* Look at the server link's group every 100 ms while it runs. */
  for (SimTime at = SIM_S; sim_pending_events(sim) > 0; at += 100 * SIM_MS) {
    sim_run_until(sim, at);
    o->max_group = MAX(o->max_group, sim_dlink_group(sim, up));
  }
  for (guint32 i = 0; i < c->n + c->slow_n; i++)
    o->done[i] = sim_transfer_finished_at(sim, t[i]);
  o->wan_total = c->slow_n ? sim_stats_dlink_total(sim, slow * 2) : 0;
  o->nbuckets = MIN(sim_stats_buckets(sim), 4096);
  for (guint32 b = 0; b < o->nbuckets; b++) {
    const SimBucket *k = c->slow_n ? sim_stats_wan(sim, slow * 2, b) : NULL;
    for (int cls = 0; k && cls < CS_CLS_COUNT; cls++)
      o->bucket[b] += k->bytes[cls];
    k = sim_stats_subnet(sim, sb, TRUE, b);
    for (int cls = 0; k && cls < CS_CLS_COUNT; cls++)
      o->down[b] += k->bytes[cls];
  }
  sim_flow_group_counts(sim, &o->formed, &o->dissolved);
  probe_free(p);
  sim_free(sim);
}

/* Runs the case both ways; the grouped run must form (and dissolve) groups as
 * told and agree with the exact one. */
static void check_case(const Case *c, guint32 group_min, guint64 min_formed, guint64 min_dissolved,
                       guint32 min_group)
{
  static Outcome exact, grouped; /* large: not on the stack */
  run_case(c, 0, &exact);
  run_case(c, group_min, &grouped);
  g_test_message("formed %" G_GUINT64_FORMAT " dissolved %" G_GUINT64_FORMAT " max group %u, last done %.6f s", grouped.formed, grouped.dissolved, grouped.max_group, sim_time_to_s(exact.done[c->n - 1]));
  CU_ASSERT_EQUAL(exact.formed, 0);
  CU_ASSERT(grouped.formed >= min_formed);
  CU_ASSERT(grouped.dissolved >= min_dissolved);
  CU_ASSERT(grouped.max_group >= min_group);
  CU_ASSERT_EQUAL(exact.max_group, 0);
  guint32 nt = c->n + c->slow_n;
  for (guint32 i = 0; i < nt; i++) {
    CU_ASSERT(exact.done[i] > SIM_S);
    if (llabs(grouped.done[i] - exact.done[i]) > 16)
      fprintf(stderr, "transfer %u: grouped %" G_GINT64_FORMAT " exact %" G_GINT64_FORMAT "\n", i,
              grouped.done[i], exact.done[i]);
    CU_ASSERT(llabs(grouped.done[i] - exact.done[i]) <= 16);
  }
  CU_ASSERT_EQUAL(grouped.nbuckets, exact.nbuckets);
  /* Each accounting rounds to whole bytes: a few per transfer and bucket. */
  gint64 slack = 4 * (gint64) nt;
  for (guint32 b = 0; b < exact.nbuckets; b++) {
    if (llabs((gint64) grouped.bucket[b] - (gint64) exact.bucket[b]) > slack ||
        llabs((gint64) grouped.down[b] - (gint64) exact.down[b]) > slack)
      fprintf(stderr, "bucket %u: WAN %" G_GUINT64_FORMAT " vs %" G_GUINT64_FORMAT ", down %" G_GUINT64_FORMAT
              " vs %" G_GUINT64_FORMAT "\n", b, grouped.bucket[b], exact.bucket[b], grouped.down[b], exact.down[b]);
    CU_ASSERT(llabs((gint64) grouped.bucket[b] - (gint64) exact.bucket[b]) <= slack);
    CU_ASSERT(llabs((gint64) grouped.down[b] - (gint64) exact.down[b]) <= slack);
  }
  CU_ASSERT(llabs((gint64) grouped.wan_total - (gint64) exact.wan_total) <= slack);
}

/* n transfers, the i-th of base + ((i * mul) % mod) * step bytes, starting
 * i * spacing after 1 s. */
static void spread(Case *c, guint32 n, guint64 base, guint32 mul, guint32 mod, guint64 step, SimTime spacing)
{
  memset(c, 0, sizeof *c);
  c->n = n;
  for (guint32 i = 0; i < n; i++) {
    c->size[i] = base + (guint64) ((i * mul) % mod) * step;
    c->start[i] = (SimTime) i * spacing;
  }
}

/* And slow_n transfers of size bytes behind the 5 Mbps link, from `at`. */
static void slow(Case *c, guint32 slow_n, guint64 size, SimTime at)
{
  c->slow_n = slow_n;
  c->slow_size = size;
  c->slow_at = at;
}

/* 40 transfers of different sizes starting 50 ms apart: the group forms at
 * the 8th, the others join it, and it shrinks as they finish, smallest
 * first, down to the last member. */
static void test_staggered_joins_and_leaves(void)
{
  static Case c;
  spread(&c, 40, 2000000, 7, 13, 1500000, 50 * SIM_MS);
  check_case(&c, 8, 1, 0, 30);
}

/* A transfer to a site behind a 5 Mbps link joins a group of 40 whose even
 * share (2.4 Mbps) is below it: it joins.  As the 40 finish, the share rises
 * past what its 5 Mbps link leaves it, and the group must give way to the
 * exact recompute (dissolved), which holds that flow at 5 Mbps. */
static void test_share_rises_past_a_member_link(void)
{
  static Case c;
  spread(&c, 40, 3000000, 1, 40, 100000, 2 * SIM_MS);
  slow(&c, 1, 20000000, 500 * SIM_MS);
  check_case(&c, 8, 1, 1, 40);
}

/* Four transfers behind the 5 Mbps link share it (1.25 Mbps each, below the
 * server link's 2.3 Mbps): plain flows on the server's link beside a group
 * of 40, frozen first; the group gets what they leave. */
static void test_plain_flows_beside_a_group(void)
{
  static Case c;
  spread(&c, 40, 2000000, 5, 11, 700000, 10 * SIM_MS);
  slow(&c, 4, 3000000, 300 * SIM_MS);
  check_case(&c, 8, 1, 0, 30);
}

/* The slow transfer arrives while only 10 share the server's link (10 Mbps
 * each, more than its 5 Mbps link leaves it): it joins, the recompute finds
 * the group's share above that member's floor and dissolves the group, then
 * rates it at 5 Mbps and the rest evenly. */
static void test_joiner_held_lower_dissolves(void)
{
  static Case c;
  spread(&c, 10, 20000000, 1, 1, 0, SIM_MS);
  slow(&c, 1, 5000000, 2 * SIM_S);
  check_case(&c, 8, 1, 1, 10);
}

/* 150 transfers over 3 s: buckets of 1 s see many rate changes each, and
 * members are accounted at every boundary. */
static void test_many_members_across_buckets(void)
{
  static Case c;
  spread(&c, 150, 500000, 11, 17, 250000, 20 * SIM_MS);
  check_case(&c, 32, 1, 0, 60);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "staggered joins and leaves: the exact rates", test_staggered_joins_and_leaves },
    { "the share rises past a member's link: dissolved", test_share_rises_past_a_member_link },
    { "a joiner held lower elsewhere: dissolved", test_joiner_held_lower_dissolves },
    { "plain flows beside a group on its link", test_plain_flows_beside_a_group },
    { "many members across buckets: statistics per bucket", test_many_members_across_buckets },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "flowgroup", tests);
}
