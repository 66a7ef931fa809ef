/* embed.c — chainsim as a library: a 1,000-endpoint world built in C,
 * 10 simulated minutes, one question and its answer.
 *
 * Uses the public headers only: builder.h (making the world), world.h
 * (running it and reading it back) and sim.h (the clock).  Prints a few
 * deterministic lines (the same on every machine and every run); the
 * ctest `embed` checks them.
 *
 *   cc embed.c $(pkg-config --cflags --libs chainsim) -o embed && ./embed */
#include <stdio.h>
#include <stdlib.h>
#include <chainsim/builder.h>

static void fail(GError *e)
{
  fprintf(stderr, "embed: %s\n", e->message);
  g_error_free(e);
  exit(2);
}

static void print_row(const char *value, guint64 count, gpointer data)
{
  printf("  %s: %" G_GUINT64_FORMAT "\n", value, count);
  (void) data;
}

int main(void)
{
  CsWorldParams params;
  cs_world_params_default(&params);
  params.sim.seed = 7;
  CsBuilder *b = cs_builder_new(&params);
  GError *e = NULL;

  /* One site: a core server and four /24 subnets of 250 endpoints. */
  guint32 hq = cs_build_site(b, "hq", SIM_NONE, NULL, &e);
  if (hq == SIM_NONE)
    fail(e);
  CsBuildNode server = { .name = "ts", .subnet = SIM_NONE };
  if (cs_build_server(b, hq, &server, NULL, &e) == SIM_NODE_NONE)
    fail(e);
  for (guint32 i = 0; i < 4; i++) {
    CsBuildSubnet lan = { .base = 0x0A010000u + (i << 8), .prefix = 24, .clients = 250 };
    if (cs_build_subnet(b, hq, &lan, &e) == SIM_NONE)
      fail(e);
  }

  /* A sensor over every endpoint of the site: a quarter run Linux. */
  guint n;
  guint32 *clients = cs_builder_site_clients(b, hq, &n);
  const char *values[] = { "linux", "windows" };
  const double shares[] = { 0.25, 0.75 };
  if (!cs_build_sensor_shares(b, "OS", clients, n, values, shares, 2, &e))
    fail(e);
  g_free(clients);

  /* The question, asked of every endpoint after 5 minutes. */
  CsTarget all = { CS_TARGET_ALL, 0 };
  gint32 q = cs_build_ask(b, 5 * 60 * SIM_S, "OS", CS_Q_COUNT, &all, 1, &e);
  if (q < 0)
    fail(e);

  CsWorld *w = cs_builder_world(b);
  cs_builder_seal(b);
  sim_run_until(cs_builder_sim(b), 10 * 60 * SIM_S);

  printf("endpoints: %u\n", cs_world_client_count(w));
  printf("question %d: %u of %u answered\n", q, cs_question_answered(w, (guint32) q),
         cs_question_targets(w, (guint32) q));
  cs_question_result(w, (guint32) q, print_row, NULL);
  cs_builder_free(b);
  return 0;
}
