/* test_builder.c — the C scenario builder: what it makes, its defaults
 * and pools, and the domain, code and message of each refusal. */
#include "testutil.h"
#include "builder.h"

#define ASSERT_ERROR(e, want_code, msg)                                  \
  do {                                                              \
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);                                \
    CU_ASSERT_EQUAL((e)->domain, CS_BUILD_ERROR);                   \
    CU_ASSERT_EQUAL((e)->code, (want_code));                           \
    CU_ASSERT_STRING_EQUAL((e)->message, (msg));                    \
    g_clear_error(&(e));                                            \
  } while (0)

static CsBuilder *hq_builder(guint32 *hq)
{
  CsBuilder *b = cs_builder_new(NULL);
  *hq = cs_build_site(b, "hq", SIM_NONE, NULL, NULL);
  CU_ASSERT_FATAL(*hq != SIM_NONE);
  return b;
}

static void test_names(void)
{
  guint32 hq;
  CsBuilder *b = hq_builder(&hq);
  GError *e = NULL;
  CU_ASSERT_EQUAL(cs_build_site(b, "hq", SIM_NONE, NULL, &e), SIM_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_NAME, "site 'name': a site named \"hq\" already exists (names must be unique)");
  CU_ASSERT_EQUAL(cs_build_site(b, "-x", SIM_NONE, NULL, &e), SIM_NONE);
  CU_ASSERT_EQUAL(e->code, CS_BUILD_ERROR_NAME);
  g_clear_error(&e);
  /* Sites and nodes have names of their own. */
  CsBuildNode ts = { .name = "hq", .subnet = SIM_NONE };
  CU_ASSERT_NOT_EQUAL(cs_build_server(b, hq, &ts, NULL, &e), SIM_NODE_NONE);
  CU_ASSERT_PTR_NULL(e);
  CU_ASSERT_EQUAL(cs_build_host(b, hq, &ts, &e), SIM_NODE_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_NAME, "host 'name': a node named \"hq\" already exists (names must be unique)");
  CU_ASSERT_TRUE(cs_builder_site_named(b, "hq"));
  CU_ASSERT_TRUE(cs_builder_node_named(b, "hq"));
  CU_ASSERT_FALSE(cs_builder_node_named(b, "db"));
  cs_builder_free(b);
}

static void test_subnets_and_roles(void)
{
  guint32 hq;
  CsBuilder *b = hq_builder(&hq);
  GError *e = NULL;
  CsBuildSubnet lan = { .base = 0x0A010000u, .prefix = 24, .clients = 255 };
  CU_ASSERT_EQUAL(cs_build_subnet(b, hq, &lan, &e), SIM_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_ADDRESS, "subnet 'clients': 255 clients do not fit in 10.1.0.0/24 (254 host addresses)");
  lan.clients = 10;
  lan.isolated = lan.separated = TRUE;
  CU_ASSERT_EQUAL(cs_build_subnet(b, hq, &lan, &e), SIM_NONE);
  CU_ASSERT_EQUAL(e->code, CS_BUILD_ERROR_VALUE);
  g_clear_error(&e);
  lan.separated = FALSE;
  guint32 sn = cs_build_subnet(b, hq, &lan, &e);
  CU_ASSERT_FATAL(sn != SIM_NONE);
  const CsBuildSubnetInfo *info = cs_builder_subnet(b, sn);
  CU_ASSERT_EQUAL(info->first_client, 0);
  CU_ASSERT_EQUAL(info->nclients, 10);
  CU_ASSERT_EQUAL(cs_world_subnet_mode_of(cs_builder_world(b), sn), CS_SUBNET_ISOLATED);
  /* The same network again: the kernel's refusal, as a builder error. */
  lan.isolated = FALSE;
  CU_ASSERT_EQUAL(cs_build_subnet(b, hq, &lan, &e), SIM_NONE);
  CU_ASSERT_EQUAL(e->domain, CS_BUILD_ERROR);
  CU_ASSERT_EQUAL(e->code, CS_BUILD_ERROR_ADDRESS);
  CU_ASSERT_TRUE(g_str_has_prefix(e->message, "subnet: "));
  g_clear_error(&e);

  /* A module server needs a core server; then attaches to the site's. */
  CsBuildNode ms = { .name = "ms", .subnet = SIM_NONE };
  CU_ASSERT_EQUAL(cs_build_module_server(b, hq, &ms, SIM_NODE_NONE, TRUE, 3, &e), SIM_NODE_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_NO_CORE, "module_server: there is no core server yet (make one before the module server)");
  CU_ASSERT_FALSE(cs_builder_node_named(b, "ms"));
  CsBuildNode ts = { .name = "ts", .subnet = SIM_NONE };
  SimNodeId server = cs_build_server(b, hq, &ts, NULL, NULL);
  CU_ASSERT_EQUAL(cs_builder_default_core(b, hq), server);
  SimNodeId module = cs_build_module_server(b, hq, &ms, SIM_NODE_NONE, TRUE, 3, &e);
  CU_ASSERT_FATAL(module != SIM_NODE_NONE);
  CU_ASSERT_EQUAL(cs_builder_role(b, server), CS_BUILD_ROLE_SERVER);
  CU_ASSERT_EQUAL(cs_builder_role(b, module), CS_BUILD_ROLE_MODULE_SERVER);
  CU_ASSERT_EQUAL(cs_builder_role(b, cs_world_client_node(cs_builder_world(b), 0)), CS_BUILD_ROLE_CLIENT);
  CU_ASSERT_STRING_EQUAL(cs_build_role_name(CS_BUILD_ROLE_ZONE_SERVER), "zone_server");
  /* Servers go in the site's infrastructure subnet, which lists with the site. */
  guint n;
  const guint32 *subs = cs_builder_site_subnets(b, hq, &n);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT_TRUE(cs_builder_subnet(b, subs[1])->infra);
  guint32 *clients = cs_builder_site_clients(b, hq, &n);
  CU_ASSERT_EQUAL(n, 10);
  g_free(clients);
  /* A zone server's hub must be a core server. */
  CsBuildNode zs = { .name = "zs", .subnet = SIM_NONE };
  CU_ASSERT_EQUAL(cs_build_zone_server(b, hq, &zs, module, &e), SIM_NODE_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_ROLE, "zone_server 'hub': expected a core server");
  cs_builder_free(b);
}

static void test_external_pool(void)
{
  guint32 hq;
  CsBuilder *b = hq_builder(&hq);
  GError *e = NULL;
  CsBuildLink wan = { .bps = 1e9, .latency = 10 * SIM_MS };
  CU_ASSERT_EQUAL(cs_build_external_clients(b, hq, 5, SIM_NODE_NONE, 0, 0, NULL, &e), SIM_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_NO_INTERNET, "external_clients: there is no internet site yet");
  guint32 inet = cs_build_internet(b, hq, &wan, &e);
  CU_ASSERT_FATAL(inet != SIM_NONE);
  CU_ASSERT_NOT_EQUAL(cs_builder_site_uplink(b, inet), SIM_NONE);
  CU_ASSERT_EQUAL(cs_build_internet(b, hq, &wan, &e), SIM_NONE);
  ASSERT_ERROR(e, CS_BUILD_ERROR_EXISTS, "internet: the internet site already exists (one per world)");
  CU_ASSERT_EQUAL(cs_build_external_clients(b, inet, 5, SIM_NODE_NONE, 0, 0, NULL, &e), SIM_NONE);
  CU_ASSERT_EQUAL(e->code, CS_BUILD_ERROR_NO_ZONE);
  g_clear_error(&e);
  CsBuildNode ts = { .name = "ts", .subnet = SIM_NONE }, zs = { .name = "zs", .subnet = SIM_NONE };
  SimNodeId server = cs_build_server(b, hq, &ts, NULL, NULL);
  SimNodeId zone = cs_build_zone_server(b, hq, &zs, server, &e);
  CU_ASSERT_FATAL(zone != SIM_NODE_NONE);
  /* Two groups from the pool: 5 clients need a /29, 100 a /25, aligned. */
  guint32 a = cs_build_external_clients(b, inet, 5, SIM_NODE_NONE, 0, 0, NULL, &e);
  guint32 c = cs_build_external_clients(b, inet, 100, zone, 0, 0, NULL, &e);
  CU_ASSERT_FATAL(a != SIM_NONE && c != SIM_NONE);
  Sim *sim = cs_builder_sim(b);
  char buf[16];
  CU_ASSERT_STRING_EQUAL(sim_addr_format(sim_subnet_base(sim, a), buf), "198.18.0.0");
  CU_ASSERT_EQUAL(sim_subnet_prefix(sim, a), 29);
  CU_ASSERT_STRING_EQUAL(sim_addr_format(sim_subnet_base(sim, c), buf), "198.18.0.128");
  CU_ASSERT_EQUAL(sim_subnet_prefix(sim, c), 25);
  CU_ASSERT_EQUAL(cs_builder_subnet(b, c)->zone, zone);
  CU_ASSERT_EQUAL(cs_builder_subnet(b, c)->first_client, 5);
  cs_builder_free(b);
}

static void test_sensor_shares(void)
{
  guint32 hq;
  CsBuilder *b = hq_builder(&hq);
  GError *e = NULL;
  CsBuildSubnet lan = { .base = 0x0A010000u, .prefix = 24, .clients = 10 };
  cs_build_subnet(b, hq, &lan, NULL);
  guint n;
  guint32 *clients = cs_builder_site_clients(b, hq, &n);
  const char *values[] = { "c", "a", "b" };
  double bad[] = { 0.5, 0.25, 0.2 };
  CU_ASSERT_FALSE(cs_build_sensor_shares(b, "S", clients, n, values, bad, 3, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "sensor 'S': the shares must add up to 1, got 0.95");
  CU_ASSERT_EQUAL(cs_world_sensor_find(cs_builder_world(b), "S"), -1);
  /* 10 x (1/3 each): 3, 3, 3 and the remainder to the first by value: a. */
  double third[] = { 1.0 / 3, 1.0 / 3, 1.0 / 3 };
  CU_ASSERT_TRUE(cs_build_sensor_shares(b, "S", clients, n, values, third, 3, &e));
  CsWorld *w = cs_builder_world(b);
  guint32 s = (guint32) cs_world_sensor_find(w, "S");
  const char *want[] = { "a", "a", "a", "a", "b", "b", "b", "c", "c", "c" };
  for (guint i = 0; i < n; i++)
    CU_ASSERT_STRING_EQUAL(cs_world_sensor_get(w, s, clients[i]), want[i]);
  CU_ASSERT_STRING_EQUAL(cs_builder_sensor_name(b, s), "S");
  g_free(clients);
  CsTarget all = { CS_TARGET_ALL, 0 };
  CU_ASSERT_EQUAL(cs_build_ask(b, 0, "T", CS_Q_COUNT, &all, 1, &e), -1);
  ASSERT_ERROR(e, CS_BUILD_ERROR_NO_SENSOR, "ask 'sensor': no sensor named \"T\" (define it first)");
  for (int i = 0; i < CS_MAX_QUESTIONS; i++)
    CU_ASSERT_EQUAL(cs_build_ask(b, 0, "S", CS_Q_COUNT, &all, 1, NULL), i);
  CU_ASSERT_EQUAL(cs_build_ask(b, 0, "S", CS_Q_COUNT, &all, 1, &e), -1);
  ASSERT_ERROR(e, CS_BUILD_ERROR_LIMIT, "ask: at most 64 questions per run");
  cs_builder_free(b);
}

static void test_faults_and_traffic(void)
{
  guint32 hq;
  CsBuilder *b = hq_builder(&hq);
  GError *e = NULL;
  CsBuildNode ts = { .name = "ts", .subnet = SIM_NONE }, h = { .name = "h", .subnet = SIM_NONE };
  SimNodeId server = cs_build_server(b, hq, &ts, NULL, NULL);
  SimNodeId host = cs_build_host(b, hq, &h, NULL);
  Sim *sim = cs_builder_sim(b);
  CU_ASSERT_TRUE(cs_build_fault(b, 2 * SIM_S, CS_BUILD_FAULT_CRASH, host, &e));
  CU_ASSERT_TRUE(cs_build_fault(b, 4 * SIM_S, CS_BUILD_FAULT_RESTART, host, &e));
  CU_ASSERT_FALSE(cs_build_fault(b, 0, CS_BUILD_FAULT_LINK_DOWN, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_ROLE, "fail: expected a WAN link");
  CU_ASSERT_EQUAL(cs_build_transfer(b, 0, host, host, 10, CS_CLS_BULK, &e), G_MAXUINT32);
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "transfer: 'from' and 'to' are the same node");
  CU_ASSERT_EQUAL(cs_build_exchange(b, 0, host, server, 10, 0, CS_CLS_BULK, &e), G_MAXUINT32);
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "exchange 'response': expected a size > 0");
  sim_run_until(sim, 3 * SIM_S);
  CU_ASSERT_FALSE(sim_node_is_up(sim, host));
  CU_ASSERT_FALSE(cs_build_fault(b, SIM_S, CS_BUILD_FAULT_RESTART, host, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "restart 'at': in the past");
  sim_run_until(sim, 5 * SIM_S);
  CU_ASSERT_TRUE(sim_node_is_up(sim, host));
  cs_builder_free(b);
}

/* Two client subnets of hq: 10.1.0.0/24 (a) and 10.2.0.0/24 (b). */
static CsBuilder *two_subnets(guint32 *hq, guint32 *a, guint32 *bn)
{
  CsBuilder *b = hq_builder(hq);
  CsBuildSubnet sa = { .base = 0x0A010000u, .prefix = 24, .clients = 2 };
  CsBuildSubnet sb = { .base = 0x0A020000u, .prefix = 24, .clients = 2 };
  *a = cs_build_subnet(b, *hq, &sa, NULL);
  *bn = cs_build_subnet(b, *hq, &sb, NULL);
  CU_ASSERT_FATAL(*a != SIM_NONE && *bn != SIM_NONE);
  return b;
}

#define A1 0x0A010001u /* 10.1.0.1 */
#define B1 0x0A020001u /* 10.2.0.1 */

static void test_firewall_rule(void)
{
  guint32 hq, a, bn;
  CsBuilder *b = two_subnets(&hq, &a, &bn);
  Sim *sim = cs_builder_sim(b);
  GError *e = NULL;
  CsBuildGroupItem ia = { .kind = CS_BUILD_GROUP_SUBNET, .id = a };
  CsBuildGroupItem ib = { .kind = CS_BUILD_GROUP_SUBNET, .id = bn };
  CsBuildFirewall fw = { .from = { &ia, 1 }, .to = { &ib, 1 }, .port = 443,
                         .action = SIM_FW_DROP };
  CsBuildRule *r = cs_build_firewall(b, 2 * SIM_S, &fw, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  /* Removal before the rule goes in, then twice. */
  CU_ASSERT_FALSE(cs_build_rule_remove(b, r, SIM_S, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "remove 'at': the rule is only added at 2.0s");
  CU_ASSERT_TRUE(cs_build_rule_remove(b, r, 4 * SIM_S, &e));
  CU_ASSERT_FALSE(cs_build_rule_remove(b, r, 5 * SIM_S, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_REMOVED, "remove: this rule is already removed (or its removal is scheduled)");
  CU_ASSERT_TRUE(cs_builder_start(b, &e));
  sim_run_until(sim, SIM_S);
  CU_ASSERT_FALSE(cs_builder_rule_active(b, r));
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 443), SIM_FW_ALLOW);
  sim_run_until(sim, 3 * SIM_S);
  CU_ASSERT_TRUE(cs_builder_rule_active(b, r));
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 443), SIM_FW_DROP);
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 80), SIM_FW_ALLOW);  /* another port */
  CU_ASSERT_EQUAL(sim_fw_eval(sim, B1, A1, 443), SIM_FW_ALLOW); /* one way only */
  sim_run_until(sim, 5 * SIM_S);
  CU_ASSERT_FALSE(cs_builder_rule_active(b, r));
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 443), SIM_FW_ALLOW);
  CU_ASSERT_EQUAL(sim_fw_rule_count(sim), 0);
  cs_builder_free(b);
}

static void test_partition_and_heal(void)
{
  guint32 hq, a, bn;
  CsBuilder *b = two_subnets(&hq, &a, &bn);
  Sim *sim = cs_builder_sim(b);
  GError *e = NULL;
  /* A rule for time 0 waits for the start; the partition goes ahead of it. */
  CsBuildGroupItem any = { .kind = CS_BUILD_GROUP_CIDR, .base = 0, .prefix = 0 };
  CsBuildFirewall allow = { .from = { &any, 1 }, .to = { &any, 1 }, .action = SIM_FW_ALLOW };
  CU_ASSERT_PTR_NOT_NULL(cs_build_firewall(b, 0, &allow, &e));
  CU_ASSERT_EQUAL(sim_fw_rule_count(sim), 0);
  CsBuildGroupItem ia = { .kind = CS_BUILD_GROUP_SUBNET, .id = a };
  CsBuildGroupItem ib = { .kind = CS_BUILD_GROUP_NODE, .id = sim_node_count(sim) };
  CsBuildGroup ga = { &ia, 1 }, gb = { &ib, 1 };
  CU_ASSERT_PTR_NULL(cs_build_partition(b, SIM_S, &ga, &gb, NULL, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_ROLE, "partition 'b': item 1 names no node");
  ib = (CsBuildGroupItem) { .kind = CS_BUILD_GROUP_SITE, .id = hq };
  CsBuildRule *p = cs_build_partition(b, SIM_S, &ga, &gb, NULL, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  /* Heal names the sides in either order. */
  CsBuildGroupItem other = { .kind = CS_BUILD_GROUP_SUBNET, .id = bn };
  CsBuildGroup go = { &other, 1 };
  CU_ASSERT_PTR_NULL(cs_build_heal(b, 3 * SIM_S, &ga, &go, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_NOT_FOUND, "heal: no partition between these groups is in force or scheduled");
  CU_ASSERT_PTR_NULL(cs_build_heal(b, 0, &gb, &ga, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "heal 'at': the partition only starts at 1.0s");
  CU_ASSERT_PTR_EQUAL(cs_build_heal(b, 3 * SIM_S, &gb, &ga, &e), p);
  CU_ASSERT_PTR_NULL(cs_build_heal(b, 4 * SIM_S, &gb, &ga, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_NOT_FOUND, "heal: no partition between these groups is in force or scheduled");
  CU_ASSERT_FALSE(cs_build_rule_remove(b, p, 4 * SIM_S, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_REMOVED, "heal: this partition is already healed (or its healing is scheduled)");
  CU_ASSERT_TRUE(cs_builder_start(b, &e));
  CU_ASSERT_EQUAL(sim_fw_rule_count(sim), 1);
  sim_run_until(sim, 2 * SIM_S);
  /* One dropping rule (both ways) per subnet of hq, before the allow rule. */
  CU_ASSERT_TRUE(cs_builder_rule_active(b, p));
  guint ns;
  cs_builder_site_subnets(b, hq, &ns);
  CU_ASSERT_EQUAL(ns, 2);
  CU_ASSERT_EQUAL(sim_fw_rule_count(sim), 1 + ns);
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 80), SIM_FW_DROP);
  CU_ASSERT_EQUAL(sim_fw_eval(sim, B1, A1, 80), SIM_FW_DROP);
  sim_run_until(sim, 4 * SIM_S);
  CU_ASSERT_FALSE(cs_builder_rule_active(b, p));
  CU_ASSERT_EQUAL(sim_fw_eval(sim, A1, B1, 80), SIM_FW_ALLOW);
  CU_ASSERT_EQUAL(sim_fw_rule_count(sim), 1);
  cs_builder_free(b);
}

static void test_rule_errors(void)
{
  guint32 hq, a, bn;
  CsBuilder *b = two_subnets(&hq, &a, &bn);
  GError *e = NULL;
  guint32 empty = cs_build_site(b, "empty", SIM_NONE, NULL, NULL);
  CsBuildGroupItem ia = { .kind = CS_BUILD_GROUP_SUBNET, .id = a };
  CsBuildGroupItem bad = { .kind = CS_BUILD_GROUP_CIDR, .base = 0x0A010001u, .prefix = 24 };
  CsBuildFirewall fw = { .from = { &ia, 1 }, .to = { &bad, 1 }, .action = SIM_FW_DROP };
  CU_ASSERT_PTR_NULL(cs_build_firewall(b, 0, &fw, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_ADDRESS, "firewall 'to': item 1 is not a network (host bits set or prefix over 32)");
  fw.to.n = 0;
  CU_ASSERT_PTR_NULL(cs_build_firewall(b, 0, &fw, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "firewall 'to': expected at least one CIDR, node, subnet or site");
  /* A site without subnets covers no address when the rule goes in. */
  CsBuildGroupItem ie = { .kind = CS_BUILD_GROUP_SITE, .id = empty };
  fw.to = (CsBuildGroup) { &ie, 1 };
  fw.where = "x.lua:5";
  CU_ASSERT_PTR_NOT_NULL(cs_build_firewall(b, 0, &fw, &e));
  CU_ASSERT_PTR_NULL(cs_builder_deferred(b));
  CU_ASSERT_FALSE(cs_builder_start(b, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_EMPTY, "x.lua:5: firewall: 'to' covers no address when the rule takes effect (a site without subnets?)");
  CU_ASSERT_PTR_NOT_NULL(cs_builder_deferred(b));
  /* Throttles: something to cap, subnets or sites with client subnets. */
  CU_ASSERT_FALSE(cs_build_throttle(b, 0, NULL, 0, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "throttle: expected 'bandwidth', 'concurrent' or both (what to cap)");
  CsBuildGroup ge = { &ie, 1 };
  CU_ASSERT_FALSE(cs_build_throttle(b, 0, &ge, 1e6, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_EMPTY, "throttle 'subnet': the site has no subnets");
  /* Its infrastructure subnet is no client subnet. */
  CsBuildNode h = { .name = "h", .subnet = SIM_NONE };
  CU_ASSERT_FATAL(cs_build_host(b, empty, &h, NULL) != SIM_NODE_NONE);
  CU_ASSERT_FALSE(cs_build_throttle(b, 0, &ge, 1e6, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_EMPTY, "throttle 'subnet': the site has no subnets");
  CsBuildGroupItem in = { .kind = CS_BUILD_GROUP_NODE, .id = 0 };
  CsBuildGroup gn = { &in, 1 };
  CU_ASSERT_FALSE(cs_build_throttle(b, 0, &gn, 1e6, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_ROLE, "throttle 'subnet': item 1 is not a subnet or a site");
  cs_builder_free(b);
}

typedef struct {
  double bps;
  guint32 concurrent;
} Throttle;

static Throttle throttle_of(CsBuilder *b, gboolean all, guint32 subnet)
{
  Throttle t;
  cs_world_throttle_of(cs_builder_world(b), all, subnet, &t.bps, &t.concurrent);
  return t;
}

static void test_throttle(void)
{
  guint32 hq, a, bn;
  CsBuilder *b = two_subnets(&hq, &a, &bn);
  Sim *sim = cs_builder_sim(b);
  GError *e = NULL;
  /* A site means its client subnets (not its infrastructure subnet). */
  CsBuildNode h = { .name = "h", .subnet = SIM_NONE };
  CU_ASSERT_FATAL(cs_build_host(b, hq, &h, NULL) != SIM_NODE_NONE);
  guint ns;
  const guint32 *subs = cs_builder_site_subnets(b, hq, &ns);
  CU_ASSERT_EQUAL_FATAL(ns, 3);
  guint32 infra = subs[2];
  CU_ASSERT_TRUE(cs_builder_subnet(b, infra)->infra);
  CsBuildGroupItem site = { .kind = CS_BUILD_GROUP_SITE, .id = hq };
  CsBuildGroup g = { &site, 1 };
  CU_ASSERT_TRUE(cs_build_throttle(b, 0, &g, 8e6, 0, &e));
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, a).bps, 8e6);
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, bn).bps, 8e6);
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, infra).bps, 0);
  CsBuildGroupItem sub = { .kind = CS_BUILD_GROUP_SUBNET, .id = bn };
  g = (CsBuildGroup) { &sub, 1 };
  CU_ASSERT_TRUE(cs_build_throttle(b, 2 * SIM_S, &g, 0, 3, &e));
  CU_ASSERT_TRUE(cs_build_throttle(b, 2 * SIM_S, NULL, 1e6, 0, &e));
  CU_ASSERT_TRUE(cs_builder_start(b, &e));
  sim_run_until(sim, SIM_S);
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, bn).concurrent, 0);
  CU_ASSERT_EQUAL(throttle_of(b, TRUE, 0).bps, 0);
  sim_run_until(sim, 3 * SIM_S);
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, bn).concurrent, 3);
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, bn).bps, 0); /* replaced */
  CU_ASSERT_EQUAL(throttle_of(b, FALSE, a).bps, 8e6);
  CU_ASSERT_EQUAL(throttle_of(b, TRUE, 0).bps, 1e6);
  CU_ASSERT_FALSE(cs_build_throttle(b, SIM_S, NULL, 1e6, 0, &e));
  ASSERT_ERROR(e, CS_BUILD_ERROR_VALUE, "throttle 'at': in the past");
  cs_builder_free(b);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "names are unique per kind", test_names },
    { "subnets, infrastructure and roles", test_subnets_and_roles },
    { "the internet site and the external-client pool", test_external_pool },
    { "sensor shares and questions", test_sensor_shares },
    { "faults and background traffic", test_faults_and_traffic },
    { "a firewall rule goes in and out at its times", test_firewall_rule },
    { "a partition and its heal", test_partition_and_heal },
    { "rule and throttle refusals", test_rule_errors },
    { "throttles per site, subnet and all clients", test_throttle },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "builder", tests);
}
