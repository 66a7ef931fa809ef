/* testutil.c — shared helpers for the CUnit programs.  See testutil.h. */
#include "testutil.h"
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

/* The test named `name` in any suite (its suite in *suite), or NULL. */
static CU_pTest find_test(const char *name, CU_pSuite *suite)
{
  for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
    for (CU_pTest t = s->pTest; t; t = t->pNext)
      if (strcmp(t->pName, name) == 0) {
        *suite = s;
        return t;
      }
  return NULL;
}

static int usage(const char *prog, const char *why)
{
  fprintf(stderr, "%s: %s\nusage: %s [--list | [--test] NAME]\n", prog, why, prog);
  return 2;
}

int cs_test_main_suites(int argc, char **argv, CU_SuiteInfo *suites)
{
  const char *prog = argc > 0 ? argv[0] : "test";
  const char *only = NULL;
  gboolean list = FALSE;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--list") == 0)
      list = TRUE;
    else if (strcmp(argv[i], "--test") == 0 && i + 1 < argc && !only)
      only = argv[++i];
    else if (g_str_has_prefix(argv[i], "--test=") && !only)
      only = argv[i] + strlen("--test=");
    else if (argv[i][0] != '-' && !only)
      only = argv[i];
    else
      return usage(prog, "unexpected argument");
  }
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  if (CU_register_suites(suites) != CUE_SUCCESS) {
    fprintf(stderr, "%s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 2;
  }
  if (list) {
    for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
      for (CU_pTest t = s->pTest; t; t = t->pNext)
        printf("%s\n", t->pName);
    CU_cleanup_registry();
    return 0;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  if (only) {
    CU_pSuite suite = NULL;
    CU_pTest test = find_test(only, &suite);
    if (!test) {
      fprintf(stderr, "%s: no test named '%s' (--list lists them)\n", prog, only);
      CU_cleanup_registry();
      return 2;
    }
    CU_basic_run_test(suite, test);
  } else {
    CU_basic_run_tests();
  }
  /* A failed assertion, a failed test or a suite whose set-up failed all
   * fail the program, and so does running nothing at all. */
  unsigned failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
                      CU_get_number_of_suites_failed();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  return failures || run == 0 ? 1 : 0;
}

int cs_test_main(int argc, char **argv, const char *suite, CU_TestInfo *tests)
{
  CU_SuiteInfo suites[] = { { (char *) suite, NULL, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL };
  return cs_test_main_suites(argc, argv, suites);
}

void cs_test_remove_tree(const char *path)
{
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
      char *child = g_build_filename(path, name, NULL);
      cs_test_remove_tree(child);
      g_free(child);
    }
    if (d)
      g_dir_close(d);
    g_rmdir(path);
  } else {
    g_unlink(path);
  }
}

static void log_ev(Probe *p, Sim *sim, SimNodeId node, ProbeWhat what, SimConnId c, guint64 a, guint64 size)
{
  ProbeEvent e = { sim_now(sim), node, what, c, a, size };
  g_array_append_val(p->log, e);
}

static void pr_start(Sim *sim, SimNodeId node, gpointer k) { log_ev(k, sim, node, PR_START, 0, 0, 0); }

static void pr_message(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimMsg *m)
{
  Probe *p = k;
  log_ev(p, sim, node, PR_MESSAGE, c, m->a, m->size);
  if (node < 64 && p->relay[node]) {
    SimMsg *f = sim_msg_new(sim);
    f->size = m->size;
    f->a = m->a;
    f->cls = m->cls;
    sim_send(sim, p->relay[node], node, f);
  } else if (p->reply_size && !sim_conn_is_initiator(sim, c, node)) {
    SimMsg *r = sim_msg_new(sim);
    r->size = p->reply_size;
    r->a = m->a;
    sim_send(sim, c, node, r);
  }
}

static void pr_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId c, gboolean inbound)
{
  Probe *p = k;
  log_ev(p, sim, node, inbound ? PR_ACCEPTED : PR_CONNECTED, c, 0, 0);
  if (inbound)
    return;
  if (node < 64)
    p->last_conn[node] = c;
  for (int i = 0; i < p->nsend; i++) {
    SimMsg *m = sim_msg_new(sim);
    m->size = p->send_sizes[i];
    m->a = (guint64) i + 1;
    m->cls = (guint8) p->send_cls;
    sim_send(sim, c, node, m);
  }
  if (p->close_after_send)
    sim_close(sim, c, node);
}

static void pr_failed(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimConnError why)
{
  log_ev(k, sim, node, PR_FAILED, c, why, 0);
}

static void pr_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimConnError why)
{
  log_ev(k, sim, node, PR_CLOSED, c, why, 0);
}

static void pr_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  log_ev(k, sim, node, PR_TIMER, 0, tag, arg);
}

static const guint16 probe_ports[] = { 80, 17472, 0 };

Probe *probe_new(Sim *sim)
{
  static const SimNodeKind kind = {
    .name = "probe", .start = pr_start, .message = pr_message, .connected = pr_connected,
    .connect_failed = pr_failed, .closed = pr_closed, .timer = pr_timer, .ports = probe_ports,
  };
  Probe *p = g_new0(Probe, 1);
  p->log = g_array_new(FALSE, TRUE, sizeof(ProbeEvent));
  p->kind = sim_kind_register(sim, &kind, p);
  return p;
}

void probe_free(Probe *p)
{
  g_array_free(p->log, TRUE);
  g_free(p);
}

guint32 probe_two_sites(Sim *sim, double wan_bps, SimTime wan_lat, double lan_bps, SimTime lan_lat,
                        guint32 *sa, guint32 *sb)
{
  guint32 a = sim_site_add(sim, "a"), b = sim_site_add(sim, "b");
  guint32 base;
  guint8 prefix;
  sim_cidr_parse("10.1.0.0/24", &base, &prefix);
  *sa = sim_subnet_add(sim, a, base, prefix, lan_bps, lan_lat, NULL);
  sim_cidr_parse("10.2.0.0/24", &base, &prefix);
  *sb = sim_subnet_add(sim, b, base, prefix, lan_bps, lan_lat, NULL);
  return sim_wan_add(sim, a, b, wan_bps, wan_lat, 0.0);
}

SimNodeId probe_host(Sim *sim, Probe *p, guint32 subnet)
{
  SimNodeId n = sim_node_add(sim, p->kind, subnet, 0, 0, NULL);
  sim_node_start_at(sim, n, 0);
  return n;
}

const ProbeEvent *probe_find(Probe *p, SimNodeId node, ProbeWhat what)
{
  for (guint i = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    if (e->node == node && e->what == what)
      return e;
  }
  return NULL;
}

guint probe_count(Probe *p, SimNodeId node, ProbeWhat what)
{
  guint n = 0;
  for (guint i = 0; i < p->log->len; i++) {
    const ProbeEvent *e = &g_array_index(p->log, ProbeEvent, i);
    n += e->node == node && e->what == what;
  }
  return n;
}

void sim_drain(Sim *sim)
{
  while (sim_step(sim))
    ;
}
