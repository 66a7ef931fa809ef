/* embed.c — chainsim as a library: a 1,000-endpoint network built through
 * the installed headers, ten simulated minutes, one question and its answer.
 *
 * Build against an installed chainsim (docs/library.md):
 *   cc embed.c $(pkg-config --cflags --libs chainsim) -o embed
 * or in CMake: find_package(chainsim) and link chainsim::chainsim.
 *
 * A datacenter holds the core server; four branch offices, each behind its
 * own 100 Mbit/s WAN link, hold one /24 subnet of 250 endpoints.  Every
 * endpoint reports its operating system (one in four "Linux", the others
 * "Windows"); at five minutes the question "which operating system?" goes to
 * every endpoint, and after ten minutes the program prints how many answered,
 * how fast, and the merged answer.  Same seed, same output, bit for bit. */
#include <stdio.h>
#include <chainsim/world.h>

#define BRANCHES 4
#define PER_BRANCH 250

static void print_row(const char *value, guint64 count, gpointer out)
{
  fprintf(out, "  %-8s %" G_GUINT64_FORMAT "\n", value, count);
}

static int fail(GError *error)
{
  fprintf(stderr, "embed: %s\n", error->message);
  g_error_free(error);
  return 1;
}

int main(void)
{
  GError *error = NULL;
  CsWorldParams params;
  cs_world_params_default(&params);
  params.sim.seed = 1;
  CsWorld *w = cs_world_new(&params);
  Sim *sim = cs_world_sim(w);

  guint32 dc = sim_site_add(sim, "datacenter");
  guint32 infra = cs_world_infra_subnet(w, dc, &error);
  if (error || cs_world_add_server(w, "core", infra, 0, NULL, &error) == SIM_NODE_NONE)
    return fail(error);
  for (int b = 0; b < BRANCHES; b++) {
    char name[16];
    g_snprintf(name, sizeof name, "branch%d", b + 1);
    guint32 site = sim_site_add(sim, name);
    sim_wan_add(sim, site, dc, 100e6, 20 * SIM_MS, 0.0);
    guint32 subnet = sim_subnet_add(sim, site, (10u << 24) | ((guint32) (b + 1) << 8), 24, 1e9,
                                    100 * SIM_US, &error);
    if (error)
      return fail(error);
    cs_world_add_clients(w, subnet, PER_BRANCH, &error);
    if (error)
      return fail(error);
  }

  guint32 os = cs_world_sensor(w, "Operating System");
  for (guint32 c = 0; c < cs_world_client_count(w); c++)
    cs_world_sensor_set(w, os, c, c % 4 == 0 ? "Linux" : "Windows");
  CsTarget all = { CS_TARGET_ALL, 0 };
  gint32 q = cs_world_ask(w, 5 * SIM_MIN, os, CS_Q_COUNT, &all, 1, &error);
  if (q < 0)
    return fail(error);

  sim_run_until(sim, 10 * SIM_MIN);

  SimTime t90 = cs_question_time_to(w, (guint32) q, 0.9);
  printf("endpoints: %u\n", cs_world_client_count(w));
  printf("question: %s, asked at %.0f s\n", cs_world_sensor_name(w, os),
         sim_time_to_s(cs_question_asked_at(w, (guint32) q)));
  printf("answered: %u of %u\n", cs_question_answered(w, (guint32) q), cs_question_targets(w, (guint32) q));
  if (t90 >= 0)
    printf("90 %% answered after: %.3f s\n", sim_time_to_s(t90));
  else
    printf("90 %% answered after: never\n");
  printf("answer:\n");
  cs_question_result(w, (guint32) q, print_row, stdout);
  cs_world_free(w);
  return 0;
}
