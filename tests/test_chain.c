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
  /* Apart from registrations, only the two leaders hold server connections:
   * sampled every 100 ms for 2 minutes, the count never drops below 2 and is
   * exactly 2 whenever no registration is in flight (most samples). */
  guint32 lo = G_MAXUINT32, at_two = 0, samples = 0;
  for (SimTime at = 5 * SIM_MIN; at < 7 * SIM_MIN; at += 100 * SIM_MS, samples++) {
    sim_run_until(t.sim, at);
    guint32 n = cs_server_connections(t.w, 0);
    lo = MIN(lo, n);
    at_two += n == 2;
  }
  CU_ASSERT_EQUAL(lo, 2);
  CU_ASSERT(at_two > samples * 9 / 10);
  CU_ASSERT_EQUAL(cs_server_leader_connections(t.w, 0), 1); /* the backward leader */
  tw_free(&t);
}

/* A client that comes back (a join at its address) takes its place in the
 * chain again once its neighbours' registrations show it as closer. */
static void test_join_takes_its_place(void)
{
  TestWorld t;
  tw_init(&t, NULL, 8);
  guint32 first;
  tw_branch(&t, "branch", "10.0.0.0/24", 50, 20e6, 30 * SIM_MS, &first);
  sim_run_until(t.sim, 100 * SIM_MS);
  SimNodeId n20 = cs_world_client_node(t.w, first + 20);
  sim_node_crash(t.sim, n20);
  sim_run_until(t.sim, 10 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, first + 19), first + 21);
  sim_node_restart(t.sim, n20);
  /* Its registration (at once), then the neighbours' next ones (<= 90 s). */
  sim_run_until(t.sim, 10 * SIM_MIN + 2 * 90 * SIM_S);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, first + 19), first + 20);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, first + 20), first + 21);
  CU_ASSERT_EQUAL(cs_client_backward(t.w, first + 21), first + 20);
  CsChainSummary cs;
  cs_world_chains(t.w, &cs);
  CU_ASSERT_EQUAL(cs.chains, 1);
  CU_ASSERT_EQUAL(cs.len_max, 50);
  tw_free(&t);
}

/* A short crash (the server still lists the client): its neighbours fail to
 * reach it meanwhile, but try it again after the peer retry interval, so it
 * is back in its place; and a question open across the restart is answered
 * once, not twice. */
static void test_short_crash_rejoins_answers_once(void)
{
  TestWorld t;
  tw_init(&t, NULL, 12);
  guint32 first;
  tw_branch(&t, "branch", "10.0.0.0/24", 50, 20e6, 30 * SIM_MS, &first);
  guint32 s = cs_world_sensor(t.w, "x");
  for (guint32 i = 0; i < 50; i++)
    cs_world_sensor_set(t.w, s, first + i, "v");
  CsTarget all = { CS_TARGET_ALL, 0 };
  gint32 q = cs_world_ask(t.w, 4 * SIM_MIN, s, CS_Q_COUNT, &all, 1, NULL);
  sim_run_until(t.sim, 5 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_question_answered(t.w, (guint32) q), 50);
  SimNodeId n = cs_world_client_node(t.w, first + 20);
  sim_node_crash(t.sim, n);
  sim_run_until(t.sim, 7 * SIM_MIN);
  sim_node_restart(t.sim, n); /* 2 minutes down: still in the server's lists */
  /* Its own registration gets the question again: it must not answer twice. */
  sim_run_until(t.sim, 7 * SIM_MIN + 30 * SIM_S);
  CU_ASSERT_EQUAL(cs_question_answered(t.w, (guint32) q), 50);
  /* Neighbours retry it at a registration after CS_PEER_RETRY (5 min). */
  sim_run_until(t.sim, 7 * SIM_MIN + 5 * SIM_MIN + 2 * 90 * SIM_S);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, first + 19), first + 20);
  CU_ASSERT_EQUAL(cs_client_backward(t.w, first + 21), first + 20);
  CsChainSummary cs;
  cs_world_chains(t.w, &cs);
  CU_ASSERT_EQUAL(cs.chains, 1);
  CU_ASSERT_EQUAL(cs.len_max, 50);
  CU_ASSERT_EQUAL(cs_question_answered(t.w, (guint32) q), 50);
  tw_free(&t);
}

/* A client leaving gracefully introduces its neighbours to each other: they
 * connect within a few LAN round trips, long before any keepalive. */
static void test_graceful_leave(void)
{
  TestWorld t;
  tw_init(&t, NULL, 6);
  guint32 first;
  tw_branch(&t, "branch", "10.0.0.0/24", 50, 20e6, 30 * SIM_MS, &first);
  sim_run_until(t.sim, 5 * SIM_MIN);
  cs_world_leave(t.w, first + 30, 5 * SIM_MIN + SIM_S);
  sim_run_until(t.sim, 5 * SIM_MIN + SIM_S + 100 * SIM_MS);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, first + 29), first + 31);
  CU_ASSERT_EQUAL(cs_client_backward(t.w, first + 31), first + 29);
  CU_ASSERT_FALSE(sim_node_is_up(t.sim, cs_world_client_node(t.w, first + 30)));
  CsChainSummary cs;
  cs_world_chains(t.w, &cs);
  CU_ASSERT_EQUAL(cs.chains, 1);
  CU_ASSERT_EQUAL(cs.len_max, 49);
  tw_free(&t);
}

/* A client that left gracefully and comes back two minutes later is back
 * between its neighbours within two registration intervals (2 x 90 s) of its
 * return: its neighbours kept trying it at their registrations instead of
 * setting it aside for 5 minutes as a failed candidate. */
static void test_leave_and_return(void)
{
  TestWorld t;
  tw_init(&t, NULL, 7);
  guint32 first;
  tw_branch(&t, "branch", "10.0.0.0/24", 50, 20e6, 30 * SIM_MS, &first);
  sim_run_until(t.sim, 5 * SIM_MIN);
  guint32 x = first + 30;
  cs_world_leave(t.w, x, 5 * SIM_MIN + SIM_S);
  sim_run_until(t.sim, 7 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, x - 1), x + 1);
  sim_node_restart(t.sim, cs_world_client_node(t.w, x));
  sim_run_until(t.sim, 7 * SIM_MIN + 180 * SIM_S);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, x - 1), x);
  CU_ASSERT_EQUAL(cs_client_backward(t.w, x), x - 1);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, x), x + 1);
  CU_ASSERT_EQUAL(cs_client_backward(t.w, x + 1), x);
  tw_free(&t);
}

/* Peer lists name peers by their distance in the neighbourhood: clients
 * added mid-run between two subnets of one /16 neighbourhood move every
 * position, and the lists held then must still name the same peers (the
 * rebuild converts them); afterwards the chain takes the new clients in, in
 * address order. */
static void test_lists_survive_added_clients(void)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.neighbourhood_prefix = 16;
  TestWorld t;
  tw_init(&t, &p, 11);
  guint32 a, b, c;
  tw_branch(&t, "a", "10.1.0.0/24", 20, 100e6, 3 * SIM_S, &a);
  tw_branch(&t, "c", "10.1.2.0/24", 20, 100e6, 3 * SIM_S, &c);
  sim_run_until(t.sim, 5 * SIM_MIN);
  guint32 before[40][2][16], nbefore[40][2], regs[40];
  for (guint32 i = 0; i < 40; i++) {
    regs[i] = cs_client_registrations(t.w, a + i);
    for (int f = 0; f < 2; f++)
      nbefore[i][f] = cs_client_peer_list(t.w, a + i, f, before[i][f], 16);
  }
  /* The last client of a lists the first ten of c forward, and the first of
   * c the last ten of a backward, closest first. */
  CU_ASSERT_EQUAL(nbefore[19][1], 10);
  CU_ASSERT_EQUAL(nbefore[20][0], 10);
  for (guint32 k = 0; k < 10; k++) {
    CU_ASSERT_EQUAL(before[19][1][k], c + k);
    CU_ASSERT_EQUAL(before[20][0][k], a + 19 - k);
  }
  tw_branch(&t, "b", "10.1.1.0/24", 20, 100e6, 3 * SIM_S, &b);
  sim_run_until(t.sim, 5 * SIM_MIN + SIM_MS); /* b's clients start: the rebuild */
  guint32 same = 0, after[16];
  for (guint32 i = 0; i < 40; i++) {
    if (cs_client_registrations(t.w, a + i) != regs[i])
      continue; /* a new list since */
    same++;
    for (int f = 0; f < 2; f++) {
      guint n = cs_client_peer_list(t.w, a + i, f, after, 16);
      CU_ASSERT_EQUAL(n, nbefore[i][f]);
      for (guint k = 0; k < n && k < nbefore[i][f]; k++)
        CU_ASSERT_EQUAL(after[k], before[i][f][k]);
    }
  }
  CU_ASSERT(same >= 30);
  CU_ASSERT_EQUAL(cs_client_registrations(t.w, a + 19), regs[19]);
  CU_ASSERT_EQUAL(cs_client_registrations(t.w, c), regs[20]);
  /* A response takes 3 s to arrive: those applied in the next 2.9 s were
   * written before b existed, so the lists they bring name no client of b
   * (the client converts them: its neighbourhoods were built since). */
  guint32 late = 0;
  for (guint32 i = 0; i < 40; i++)
    regs[i] = cs_client_registrations(t.w, a + i);
  sim_run_until(t.sim, 5 * SIM_MIN + 2900 * SIM_MS);
  for (guint32 i = 0; i < 40; i++) {
    if (cs_client_registrations(t.w, a + i) == regs[i])
      continue;
    late++;
    for (int f = 0; f < 2; f++) {
      guint n = cs_client_peer_list(t.w, a + i, f, after, 16);
      for (guint k = 0; k < n; k++)
        CU_ASSERT(after[k] < b || after[k] >= b + 20);
    }
  }
  CU_ASSERT(late >= 1);
  /* Within the next registration rounds the chain runs a, b, c in order. */
  sim_run_until(t.sim, 10 * SIM_MIN);
  CsChainSummary cs;
  cs_world_chains(t.w, &cs);
  CU_ASSERT_EQUAL(cs.chains, 1);
  CU_ASSERT_EQUAL(cs.len_max, 60);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, a + 19), b);
  CU_ASSERT_EQUAL(cs_client_forward(t.w, b + 19), c);
  tw_free(&t);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "50 clients in one /24 form one chain in address order", test_one_subnet_one_chain },
    { "a client coming back takes its place", test_join_takes_its_place },
    { "a graceful leave introduces the neighbours", test_graceful_leave },
    { "a client that left and comes back regains its place", test_leave_and_return },
    { "a short crash rejoins; a question is answered once", test_short_crash_rejoins_answers_once },
    { "peer lists survive clients added mid-run", test_lists_survive_added_clients },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "chain", tests);
}
