/* test_chain.c — chains, leaders and reflection emerging from the clients'
 * own registrations and connects. */
#include "worldutil.h"

/* 50 clients in one /24, no firewall: one chain in address order, the lowest
 * address the backward leader, the highest the forward leader; after
 * start-up only the two leaders hold connections to the server. */
static void test_one_subnet_one_chain(void)
{
  TestWorld t;
  tw_init(&t, NULL, 7);
  guint32 first;
  tw_branch(&t, "branch", "10.0.0.0/24", 50, 20e6, 30 * SIM_MS, &first);
  /* Start-up: registrations within 30 s, then a second registration round
   * (30-90 s later) gives everyone the full peer list. */
  sim_run_until(t.sim, 5 * SIM_MIN);
  CsChainSummary cs;
  cs_world_chains(t.w, &cs);
  CU_ASSERT_EQUAL(cs.chains, 1);
  CU_ASSERT_EQUAL(cs.len_max, 50);
  CU_ASSERT_EQUAL(cs.backward_leaders, 1);
  CU_ASSERT_EQUAL(cs.forward_leaders, 1);
  CU_ASSERT_EQUAL(cs.reflections_forward, 0);
  CU_ASSERT_EQUAL(cs.reflections_backward, 0);
  for (guint32 i = 0; i + 1 < 50; i++) {
    CU_ASSERT_EQUAL(cs_client_forward(t.w, first + i), first + i + 1);
    CU_ASSERT_EQUAL(cs_client_backward(t.w, first + i + 1), first + i);
  }
  CU_ASSERT(cs_client_is_backward_leader(t.w, first));
  CU_ASSERT(cs_client_is_forward_leader(t.w, first + 49));
  CU_ASSERT_FALSE(cs_client_is_forward_leader(t.w, first));
  tw_free(&t);
}

int main(void)
{
  CU_TestInfo tests[] = {
    { "50 clients in one /24 form one chain in address order", test_one_subnet_one_chain },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main("chain", tests);
}
