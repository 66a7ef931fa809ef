/* test_maxmin.c — the max-min solver (sim/maxmin.h) on small problems whose
 * rates are worked out by hand in the comments.  Rates and capacities are
 * small binary fractions or integers, so every expected value is exact. */
#include "maxmin.h"
#include "testutil.h"
#include <math.h>

#define MAXL 8
#define MAXF 8

/* A problem given as each flow's links; the link → flows lists are built
 * from it in flow order. */
typedef struct {
  guint32 nlinks, nflows, ngroups;
  double cap_link[MAXL];
  guint32 extra[MAXL];          /* flows counted on a link but not listed (a group's members) */
  guint32 nh[MAXF], hop[MAXF][4];
  double bound[MAXF];
  guint32 glink[MAXL], gn[MAXL]; /* group g: its link and members */
  /* built and solved */
  double res[MAXL], rate[MAXF], grate[MAXL];
  guint32 cnt[MAXL], lvl[MAXF], link_off[MAXL + 1], link_flows[MAXL * MAXF], link_group[MAXL];
  guint32 hop_off[MAXF + 1], hops[MAXF * 4];
  guint8 bottleneck[MAXL];
} P;

static void solve(P *p)
{
  guint32 n = 0;
  for (guint32 k = 0; k < p->nflows; k++) {
    p->hop_off[k] = n;
    for (guint32 h = 0; h < p->nh[k]; h++)
      p->hops[n++] = p->hop[k][h];
  }
  p->hop_off[p->nflows] = n;
  guint32 m = 0;
  for (guint32 i = 0; i < p->nlinks; i++) {
    p->res[i] = p->cap_link[i];
    p->cnt[i] = p->extra[i];
    p->link_group[i] = 0;
    p->link_off[i] = m;
    for (guint32 k = 0; k < p->nflows; k++)
      for (guint32 h = 0; h < p->nh[k]; h++)
        if (p->hop[k][h] == i) {
          p->link_flows[m++] = k;
          p->cnt[i]++;
        }
  }
  p->link_off[p->nlinks] = m;
  for (guint32 g = 0; g < p->ngroups; g++) {
    p->link_group[p->glink[g]] = g + 1;
    p->cnt[p->glink[g]] += p->gn[g];
  }
  SimMaxmin mm = { .nlinks = p->nlinks, .res = p->res, .cnt = p->cnt, .link_off = p->link_off,
                   .link_flows = p->link_flows, .link_group = p->link_group, .nflows = p->nflows,
                   .hop_off = p->hop_off, .hops = p->hops, .cap = p->bound, .ngroups = p->ngroups,
                   .group_n = p->gn, .rate = p->rate, .lvl = p->lvl, .group_rate = p->grate,
                   .bottleneck = p->bottleneck };
  sim_maxmin_solve(&mm);
}

/* One link of 10, one flow: the flow gets all 10; nothing is left. */
static void test_single_link(void)
{
  P p = { .nlinks = 1, .nflows = 1, .cap_link = { 10 }, .nh = { 1 }, .hop = { { 0 } } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 10);
  CU_ASSERT_EQUAL(p.lvl[0], 0);
  CU_ASSERT_EQUAL(p.bottleneck[0], 1);
  CU_ASSERT_EQUAL(p.res[0], 0);
  CU_ASSERT_EQUAL(p.cnt[0], 0);
}

/* Three flows on a link of 12: 12 / 3 = 4 each. */
static void test_n_flows_share(void)
{
  P p = { .nlinks = 1, .nflows = 3, .cap_link = { 12 }, .nh = { 1, 1, 1 } };
  solve(&p);
  for (int k = 0; k < 3; k++) {
    CU_ASSERT_EQUAL(p.rate[k], 4);
    CU_ASSERT_EQUAL(p.lvl[k], 0);
  }
  CU_ASSERT_EQUAL(p.res[0], 0);
}

/* A parking lot: flow 0 crosses links 0, 1, 2 (capacities 10, 4, 9); flows
 * 1, 2, 3 cross link 0, 1, 2 alone.  Shares: 10/2 = 5, 4/2 = 2, 9/2 = 4.5:
 * link 1 is the bottleneck, flows 0 and 1 get 2.  Left: link 0 has 10 - 2 =
 * 8 for one flow, link 2 has 9 - 2 = 7 for one: link 2 next, flow 3 gets 7;
 * then link 0, flow 1 gets 8.  (Proportional fairness would give the long
 * flow less than the short flows' 2 on link 1: max-min does not.) */
static void test_bottleneck_chain(void)
{
  P p = { .nlinks = 3, .nflows = 4, .cap_link = { 10, 4, 9 }, .nh = { 3, 1, 1, 1 },
          .hop = { { 0, 1, 2 }, { 0 }, { 1 }, { 2 } } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 2);
  CU_ASSERT_EQUAL(p.rate[1], 8);
  CU_ASSERT_EQUAL(p.rate[2], 2);
  CU_ASSERT_EQUAL(p.rate[3], 7);
  CU_ASSERT_EQUAL(p.lvl[0], 1);
  CU_ASSERT_EQUAL(p.lvl[1], 0);
  CU_ASSERT_EQUAL(p.lvl[2], 1);
  CU_ASSERT_EQUAL(p.lvl[3], 2);
  for (int i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL(p.res[i], 0);
    CU_ASSERT_EQUAL(p.bottleneck[i], 1);
  }
}

/* Equal capacities 6 and 6, flow 0 over both, flow 1 on link 0, flow 2 on
 * link 1: both shares are 3, the tie goes to link 0 (flows 0 and 1 get 3),
 * then link 1 has 6 - 3 = 3 for flow 2.  Max-min: 3, 3, 3 (proportional
 * fairness: 2, 4, 4). */
static void test_tie_and_proportional(void)
{
  P p = { .nlinks = 2, .nflows = 3, .cap_link = { 6, 6 }, .nh = { 2, 1, 1 },
          .hop = { { 0, 1 }, { 0 }, { 1 } } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 3);
  CU_ASSERT_EQUAL(p.rate[1], 3);
  CU_ASSERT_EQUAL(p.rate[2], 3);
  CU_ASSERT_EQUAL(p.lvl[0], 0);
  CU_ASSERT_EQUAL(p.lvl[2], 1);
}

/* Bounds on one link of 12 with three flows (share 4): flow 0 bound at 2
 * gets 2 (below the share, rated first, lvl none); the other two share 12 -
 * 2 = 10: 5 each — but flow 1 is bound at 5 exactly, not below the share of
 * 5, so it gets the share (lvl 0); flow 2 bound at 100 is not held by it. */
static void test_bounds(void)
{
  P p = { .nlinks = 1, .nflows = 3, .cap_link = { 12 }, .nh = { 1, 1, 1 }, .bound = { 2, 5, 100 } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 2);
  CU_ASSERT_EQUAL(p.lvl[0], SIM_MAXMIN_NONE);
  CU_ASSERT_EQUAL(p.rate[1], 5);
  CU_ASSERT_EQUAL(p.lvl[1], 0);
  CU_ASSERT_EQUAL(p.rate[2], 5);
  CU_ASSERT_EQUAL(p.res[0], 0);
}

/* A bound that drops the bottleneck: link 0 (4) with flows 0 and 1, link 1
 * (100) with flows 1 and 2; flow 0 bound at 1.  First shares: 2 and 50;
 * flow 0's bound 1 < 2: it gets 1, link 0 has 3 for flow 1 alone; shares
 * 3 and 50: flows on link 0 (flow 1) get 3; link 1 has 97 for flow 2. */
static void test_bound_moves_share(void)
{
  P p = { .nlinks = 2, .nflows = 3, .cap_link = { 4, 100 }, .nh = { 1, 2, 1 },
          .hop = { { 0 }, { 0, 1 }, { 1 } }, .bound = { 1, 0, 0 } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 1);
  CU_ASSERT_EQUAL(p.rate[1], 3);
  CU_ASSERT_EQUAL(p.rate[2], 97);
  CU_ASSERT_EQUAL(p.lvl[2], 1);
}

/* Degenerate: a link of capacity 0 rates its two flows at 0; a link already
 * overspent (-5) counts as 0 too; a link no flow crosses is never a
 * bottleneck; no flows at all leaves everything as it was. */
static void test_degenerate(void)
{
  P p = { .nlinks = 3, .nflows = 3, .cap_link = { 0, -5, 7 }, .nh = { 1, 1, 1 },
          .hop = { { 0 }, { 0 }, { 1 } } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 0);
  CU_ASSERT_EQUAL(p.rate[1], 0);
  CU_ASSERT_EQUAL(p.rate[2], 0);
  CU_ASSERT_EQUAL(p.bottleneck[0], 1);
  CU_ASSERT_EQUAL(p.bottleneck[2], 0);
  CU_ASSERT_EQUAL(p.res[2], 7);
  P q = { .nlinks = 1, .nflows = 0, .cap_link = { 7 } };
  solve(&q);
  CU_ASSERT_EQUAL(q.bottleneck[0], 0);
  CU_ASSERT_EQUAL(q.res[0], 7);
}

/* A group of 3 members on link 0 (capacity 10) beside one listed flow:
 * 10 / 4 = 2.5 for the flow and the group; the flow's other link (1, of 8)
 * leaves 5.5 for flow 1 there.  A group on link 2 (capacity 6, 2 members,
 * nothing else): 3. */
static void test_groups(void)
{
  P p = { .nlinks = 3, .nflows = 2, .ngroups = 2, .cap_link = { 10, 8, 6 }, .nh = { 2, 1 },
          .hop = { { 0, 1 }, { 1 } }, .glink = { 0, 2 }, .gn = { 3, 2 } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 2.5);
  CU_ASSERT_EQUAL(p.grate[0], 2.5);
  CU_ASSERT_EQUAL(p.rate[1], 5.5);
  CU_ASSERT_EQUAL(p.grate[1], 3);
  CU_ASSERT_EQUAL(p.res[0], 0);
  CU_ASSERT_EQUAL(p.cnt[0], 0);
}

/* A link counting a flow it does not list (a group member alone there,
 * capacity 1, the smallest share) rates nobody: it stops counting, and the
 * rest is rated as if it were not there: flow 0 on link 1 (capacity 4)
 * gets 4. */
static void test_unlisted_count_terminates(void)
{
  P p = { .nlinks = 2, .nflows = 1, .cap_link = { 1, 4 }, .extra = { 1, 0 }, .nh = { 1 },
          .hop = { { 1 } } };
  solve(&p);
  CU_ASSERT_EQUAL(p.rate[0], 4);
  CU_ASSERT_EQUAL(p.cnt[0], 0);
  CU_ASSERT_EQUAL(p.bottleneck[0], 1);
}

int main(int argc, char **argv)
{
  static CU_TestInfo tests[] = {
    { "a single link", test_single_link },
    { "n flows share a link evenly", test_n_flows_share },
    { "a bottleneck chain (parking lot)", test_bottleneck_chain },
    { "a tie goes to the lower link; max-min is not proportional", test_tie_and_proportional },
    { "rate bounds below, at and above the share", test_bounds },
    { "a bound moves the bottleneck share", test_bound_moves_share },
    { "zero, negative and unused capacity; no flows", test_degenerate },
    { "groups count as their members", test_groups },
    { "a count with no listed flow ends", test_unlisted_count_terminates },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "maxmin", tests);
}
