/* test_database.c — the core server's writes to its database: a reply that
 * changes state waits for its write; a cut-off database holds it (and clients
 * give their registration up after the timeout); the repair writes the
 * backlog, nothing lost. */
#include "worldutil.h"

typedef struct {
  TestWorld t;
  SimNodeId db;
  guint32 first;
} DbWorld;

static void dbw_init(DbWorld *d, guint64 seed, gboolean cut_off)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.reg_timeout = 20 * SIM_S;
  tw_init(&d->t, &p, seed);
  guint32 infra = cs_world_infra_subnet(d->t.w, d->t.dc, NULL);
  d->db = cs_world_add_database(d->t.w, "db1", infra, 0, d->t.server, 2, 100 * SIM_MS, NULL);
  CU_ASSERT_FATAL(d->db != SIM_NODE_NONE);
  tw_branch(&d->t, "branch", "10.0.0.0/24", 10, 100e6, 10 * SIM_MS, &d->first);
  if (cut_off) {
    SimFwRule r = { 0 };
    r.dst = sim_node_addr(d->t.sim, d->db);
    r.dst_mask = G_MAXUINT32;
    r.port = CS_PORT_SQL;
    r.action = SIM_FW_DROP;
    sim_fw_add(d->t.sim, &r);
  }
}

/* Each first (initial) registration is written before its response: 10
 * writes of 100 ms on 2 workers, so the registrations complete, and no
 * response comes sooner than the write time. */
static void test_reply_waits_for_write(void)
{
  DbWorld d;
  dbw_init(&d, 81, FALSE);
  sim_run_until(d.t.sim, 45 * SIM_S); /* the start-up window (30 s) and a little */
  CsDatabaseSummary s;
  CU_ASSERT_TRUE(cs_world_database_summary(d.t.w, &s));
  CU_ASSERT_EQUAL(s.writes, 10);
  CU_ASSERT(s.write_ms_p50 >= 100.0);
  CsServerSummary ss;
  cs_world_server_summary(d.t.w, &ss);
  CU_ASSERT_EQUAL(ss.registrations, 10);
  CU_ASSERT(ss.latency_ms_p50 >= 100.0);
  tw_free(&d.t);
}

/* A database nobody can reach: no initial registration completes; each
 * client gives up after 20 s and tries again, so the server holds one job
 * per attempt; nothing is written. */
static void test_cut_off_times_out(void)
{
  DbWorld d;
  dbw_init(&d, 82, TRUE);
  sim_run_until(d.t.sim, 5 * SIM_MIN);
  CsDatabaseSummary s;
  cs_world_database_summary(d.t.w, &s);
  CU_ASSERT_EQUAL(s.writes, 0);
  for (guint32 i = 0; i < 10; i++)
    CU_ASSERT_EQUAL(cs_client_registrations(d.t.w, d.first + i), 0);
  /* Attempts come every 20 s + [30 s, 90 s]: at least 3 per client in 5 min. */
  CU_ASSERT(s.held_peak >= 30);
  tw_free(&d.t);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "a reply that changes state waits for its write", test_reply_waits_for_write },
    { "a cut-off database: registrations time out, jobs held", test_cut_off_times_out },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "database", tests);
}
