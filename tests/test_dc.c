/* test_dc.c — Direct Connect sessions (direct, through the zone proxy,
 * blocked, without certificates, offline), test connection by name, and
 * satellites. */
#include "worldutil.h"

typedef struct {
  TestWorld t;
  SimNodeId ms, zs;
  guint32 first, first_ext;
} DcWorld;

static void dw_init(DcWorld *d, guint64 seed, gboolean server_cert)
{
  tw_init(&d->t, NULL, seed);
  guint32 infra = cs_world_infra_subnet(d->t.w, d->t.dc, NULL);
  d->ms = cs_world_add_module_server(d->t.w, "ms1", infra, 0, d->t.server, server_cert, NULL);
  CU_ASSERT_FATAL(d->ms != SIM_NODE_NONE);
  tw_branch(&d->t, "branch", "10.50.0.0/24", 20, 100e6, 20 * SIM_MS, &d->first);
  guint32 dmz = sim_site_add(d->t.sim, "dmz");
  sim_wan_add(d->t.sim, dmz, d->t.dc, 1e9, SIM_MS, 0);
  d->zs = cs_world_add_zone_server(d->t.w, "zs1", cs_world_infra_subnet(d->t.w, dmz, NULL), 0, d->t.server, NULL);
  guint32 inet = sim_site_add(d->t.sim, "internet");
  sim_wan_add(d->t.sim, inet, dmz, 1e9, 40 * SIM_MS, 0);
  guint32 base;
  guint8 prefix;
  sim_cidr_parse("198.18.0.0/24", &base, &prefix);
  guint32 sn = sim_subnet_add(d->t.sim, inet, base, prefix, 50e6, 5 * SIM_MS, NULL);
  d->first_ext = cs_world_add_external_clients(d->t.w, sn, 5, d->zs, NULL);
  guint32 name = cs_world_sensor(d->t.w, "Computer Name");
  for (guint32 i = 0; i < cs_world_client_count(d->t.w); i++) {
    char n[32];
    g_snprintf(n, sizeof n, "pc-%03u", i);
    cs_world_sensor_set(d->t.w, name, i, n);
  }
}

/* To an internal endpoint on 17475 and to an external one through the zone
 * proxy (17486 → 17487): both complete; the module server lists them. */
static void test_sessions_complete(void)
{
  DcWorld d;
  dw_init(&d, 71, TRUE);
  gint32 s1 = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 5, d.ms, 0, NULL);
  gint32 s2 = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first_ext + 2, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 5 * SIM_MIN + 100 * SIM_MS);
  CU_ASSERT(cs_dc_state(d.t.w, (guint32) s1) != CS_DC_COMPLETE); /* creating: the action is on its way */
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s1), CS_DC_COMPLETE);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s2), CS_DC_COMPLETE);
  g_test_message("setup: direct %.3f s, via zone proxy %.3f s", sim_time_to_s(cs_dc_setup_time(d.t.w, (guint32) s1)),
                 sim_time_to_s(cs_dc_setup_time(d.t.w, (guint32) s2)));
  CU_ASSERT(cs_dc_setup_time(d.t.w, (guint32) s1) > 0);
  /* Through the zone proxy it crosses the internet (40 ms each way): longer. */
  CU_ASSERT(cs_dc_setup_time(d.t.w, (guint32) s2) > cs_dc_setup_time(d.t.w, (guint32) s1));
  guint32 ids[8];
  CU_ASSERT_EQUAL(cs_world_dc_active(d.t.w, d.ms, ids, 8), 2);
  CU_ASSERT(cs_dc_duration(d.t.w, (guint32) s1) > SIM_MIN);
  CU_ASSERT(cs_dc_since_last_message(d.t.w, (guint32) s1) > SIM_MIN);
  tw_free(&d.t);
}

/* A firewall dropping 17475: the session ends in error, with the reason. */
static void test_firewall_blocks_session(void)
{
  DcWorld d;
  dw_init(&d, 72, TRUE);
  SimFwRule r = { 0 };
  guint8 p;
  sim_cidr_parse("10.50.0.0/24", &r.src, &p);
  r.src_mask = sim_prefix_mask(p);
  r.dst_mask = 0;
  r.port = CS_PORT_DC_MODULE;
  r.action = SIM_FW_DROP;
  sim_fw_add(d.t.sim, &r);
  gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 3, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "firewall"));
  CU_ASSERT_EQUAL(cs_dc_setup_time(d.t.w, (guint32) s), -1);
  tw_free(&d.t);
}

/* Certificates: an endpoint without the client certificate, a module server
 * without its server certificate — both end in error, saying which. */
static void test_missing_certificates(void)
{
  DcWorld d;
  dw_init(&d, 73, TRUE);
  cs_world_client_without_cert(d.t.w, d.first + 7);
  gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 7, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "client certificate"));
  tw_free(&d.t);
  dw_init(&d, 74, FALSE);
  s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 7, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "server certificate"));
  tw_free(&d.t);
}

/* An endpoint that is down never runs the action: not succeeded after the
 * session timeout (10 minutes). */
static void test_offline_endpoint(void)
{
  DcWorld d;
  dw_init(&d, 75, TRUE);
  sim_run_until(d.t.sim, 4 * SIM_MIN);
  sim_node_crash(d.t.sim, cs_world_client_node(d.t.w, d.first + 9));
  gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 9, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 14 * SIM_MIN);
  /* The action cannot reach a down endpoint: the session is still creating. */
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_CREATING);
  sim_run_until(d.t.sim, 16 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_NOT_SUCCEEDED);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "offline"));
  tw_free(&d.t);
}

/* Drops every connect to `to` on `port` (from anywhere). */
static void drop_port(DcWorld *d, SimNodeId to, guint16 port)
{
  SimFwRule r = { 0 };
  r.dst = sim_node_addr(d->t.sim, to);
  r.dst_mask = G_MAXUINT32;
  r.port = port;
  r.action = SIM_FW_DROP;
  sim_fw_add(d->t.sim, &r);
}

/* The module server cannot reach the core on 443: the session errors, naming
 * 443, at its module server's (retries + 1)th failed connect after the
 * request.  Failed connects come one per 15 s (5 s connect timeout, then 10 s
 * before the next), so with 3 retries the error lands in (45 s, 60 s]. */
static void test_core_unreachable_errors(void)
{
  DcWorld d;
  dw_init(&d, 76, TRUE);
  drop_port(&d, d.t.server, 443);
  gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 4, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 5 * SIM_MIN + 45 * SIM_S);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_CREATING);
  sim_run_until(d.t.sim, 5 * SIM_MIN + 60 * SIM_S);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "TCP 443"));
  tw_free(&d.t);
  /* One retry: (15 s, 30 s]. */
  dw_init(&d, 76, TRUE);
  cs_world_module_retries(d.t.w, d.ms, 1);
  drop_port(&d, d.t.server, 443);
  s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 4, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 5 * SIM_MIN + 30 * SIM_S);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  tw_free(&d.t);
}

/* A zone proxy without the module server's 17487 or 17488 connection: the
 * session to a roaming client errors, naming the port, within its bound. */
static void test_proxy_ports_error(void)
{
  const guint16 ports[] = { CS_PORT_DC_ZONE_MS, CS_PORT_DC_ZONE_CTL };
  const char *names[] = { "17487", "17488" };
  for (int i = 0; i < 2; i++) {
    DcWorld d;
    dw_init(&d, 77, TRUE);
    drop_port(&d, d.zs, ports[i]);
    gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first_ext + 1, d.ms, 0, NULL);
    sim_run_until(d.t.sim, 5 * SIM_MIN + 60 * SIM_S);
    CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), names[i]));
    tw_free(&d.t);
  }
}

/* A module server that is down: a session asked of it errors at once; one
 * open on it closes when it goes down, and its duration stops there. */
static void test_module_down(void)
{
  DcWorld d;
  dw_init(&d, 78, TRUE);
  gint32 open = cs_world_direct_connect(d.t.w, 3 * SIM_MIN, d.first + 2, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 4 * SIM_MIN);
  CU_ASSERT_EQUAL_FATAL(cs_dc_state(d.t.w, (guint32) open), CS_DC_COMPLETE);
  sim_node_crash(d.t.sim, d.ms);
  SimTime lived = cs_dc_duration(d.t.w, (guint32) open);
  CU_ASSERT(lived > 0);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) open), CS_DC_CLOSED);
  gint32 s = cs_world_direct_connect(d.t.w, 5 * SIM_MIN, d.first + 4, d.ms, 0, NULL);
  sim_run_until(d.t.sim, 5 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_ERROR);
  CU_ASSERT_PTR_NOT_NULL(strstr(cs_dc_reason(d.t.w, (guint32) s), "module server down"));
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_duration(d.t.w, (guint32) open), lived);
  tw_free(&d.t);
}

/* Test connection finds the endpoint by Computer Name (and by address),
 * opens a session and does not keep it; an unknown name is an error. */
static void test_connection_by_name(void)
{
  DcWorld d;
  dw_init(&d, 76, TRUE);
  GError *err = NULL;
  gint32 s = cs_world_dc_test(d.t.w, 5 * SIM_MIN, "pc-011", d.ms, &err);
  CU_ASSERT_FATAL(s >= 0);
  CU_ASSERT_EQUAL(cs_dc_client(d.t.w, (guint32) s), 11);
  char addr[16];
  sim_addr_format(sim_node_addr(d.t.sim, cs_world_client_node(d.t.w, d.first + 4)), addr);
  gint32 s2 = cs_world_dc_test(d.t.w, 5 * SIM_MIN, addr, d.ms, &err);
  CU_ASSERT_EQUAL(cs_dc_client(d.t.w, (guint32) s2), d.first + 4);
  CU_ASSERT_EQUAL(cs_world_dc_test(d.t.w, 5 * SIM_MIN, "no-such-pc", d.ms, &err), -1);
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);
  sim_run_until(d.t.sim, 8 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_dc_state(d.t.w, (guint32) s), CS_DC_CLOSED);
  CU_ASSERT(cs_dc_setup_time(d.t.w, (guint32) s) > 0);
  guint32 ids[4];
  CU_ASSERT_EQUAL(cs_world_dc_active(d.t.w, d.ms, ids, 4), 0);
  tw_free(&d.t);
}

/* A spoofed (unverified) satellite gets no workload; a verified one completes
 * a scan; no satellite secret ever crosses a connection between clients. */
static void test_satellites(void)
{
  DcWorld d;
  dw_init(&d, 77, TRUE);
  gint32 good = cs_world_satellite(d.t.w, 5 * SIM_MIN, d.first + 1, d.ms, TRUE, NULL);
  gint32 spoof = cs_world_satellite(d.t.w, 5 * SIM_MIN, d.first + 2, d.ms, FALSE, NULL);
  sim_run_until(d.t.sim, 10 * SIM_MIN);
  CU_ASSERT_STRING_EQUAL(cs_satellite_status(d.t.w, (guint32) good), "scanned");
  CU_ASSERT_STRING_EQUAL(cs_satellite_status(d.t.w, (guint32) spoof), "refused");
  CU_ASSERT_EQUAL(cs_world_peer_bytes(d.t.w, CS_CLS_DIRECT), 0);
  /* The chain itself carried traffic (questions, answers, shards of the DC
   * tools), just never this class. */
  CU_ASSERT(cs_world_peer_bytes(d.t.w, CS_CLS_SHARD) > 0);
  tw_free(&d.t);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "sessions direct and through the zone proxy complete", test_sessions_complete },
    { "443 to the core blocked: error within the retries", test_core_unreachable_errors },
    { "17487 or 17488 to the zone proxy blocked: error naming the port", test_proxy_ports_error },
    { "module server down: error at once, an open session closes", test_module_down },
    { "a firewall on 17475 ends the session in error", test_firewall_blocks_session },
    { "missing certificates", test_missing_certificates },
    { "an offline endpoint: not succeeded", test_offline_endpoint },
    { "test connection by name and address", test_connection_by_name },
    { "satellites: verified scans, spoofed gets nothing", test_satellites },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "direct_connect", tests);
}
