/* phold.c — the PHOLD benchmark on the chainsim kernel.
 *
 * PHOLD (Fujimoto, 1990) is the standard synthetic load for discrete-event
 * kernels: a fixed population of events circulates among logical processes
 * (LPs).  Every event, when it runs, schedules exactly one successor, so the
 * number of pending events stays at LPs × initial events for the whole run
 * and the figure measured is the cost of the queue, the event records and the
 * dispatch, with almost no model work.
 *
 * Here each LP is one kernel node of its own kind ("phold-lp") whose timer
 * handler schedules the next event; an event is a timer (sim_timer_start),
 * and a "remote" event is simply a timer started for another node.
 *
 * Parameters:
 *   --lps N        logical processes, one node each              (16384)
 *   --init K       initial events per LP, scheduled by each LP's
 *                  start callback; also the pending events per LP  (16)
 *   --remote P     probability that an event's successor goes to a
 *                  uniformly chosen other LP instead of its own   (0.25)
 *   --mean S       mean of the exponential part of every delay,
 *                  simulated seconds                               (1.0)
 *   --lookahead S  constant added to every delay, simulated s      (0.1)
 *   --end S        simulated seconds; the events at or before this
 *                  time are committed                              (10)
 *   --seed N       master seed of the per-node RNG streams         (1)
 *   --bare         run the same workload on a bare SimEvq loop (no kernel:
 *                  no nodes, no event records, no dispatch), to separate
 *                  the queue's cost from the kernel's
 *   --both         run the bare loop, then the kernel, in one process, and
 *                  print a line for each: the two figures of one run on
 *                  one machine state, which is how they should be compared
 *   --queue NAME   the queue under --bare: "radix", the kernel's radix heap
 *                  (sim/evq.c).  This is where candidate queue structures
 *                  are plugged in to be compared on the same workload.
 *
 * Every draw comes from the sending LP's own stream (sim_node_rng, seeded
 * from (seed, node id)), in this order: remote or not (uniform), the target
 * if remote (uniform over the other LPs), the delay (exponential(mean) +
 * lookahead, truncated to nanoseconds).  The bare loop seeds the same
 * streams, draws in the same order, breaks ties in the same insertion order
 * and folds the same trajectory fingerprint as the kernel, so both modes
 * print the same committed count and fingerprint for the same parameters —
 * a check that they ran the same workload.
 *
 * Output: one JSON line on stdout — mode, queue, parameters, committed
 * events (timer events run; the LPs' start events not counted), wall
 * seconds of the run (set-up excluded), committed events per wall second,
 * the process's CPU seconds over the same span and events per CPU second,
 * peak RSS (VmHWM, kB) and the fingerprint.  On a shared machine the CPU
 * figure is the steadier one: a run that waits for a core loses wall time
 * but not CPU time (it still shares the caches with whatever else runs).  Wall-clock time is read here,
 * in bench/, never in sim/ or models/.  A benchmark prints figures; it never
 * passes or fails on time. */
#include "sim.h"
#include "net.h"
#include "evq.h"
#include "sim-private.h" /* SimEventType: to fold the kernel's fingerprint in --bare */
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  guint32 lps;        /* logical processes */
  guint32 init;       /* initial events per LP */
  double remote;      /* probability of a remote successor */
  double mean_ns;     /* mean of the exponential part of a delay, ns */
  SimTime lookahead;  /* constant part of a delay, ns */
  SimTime end;        /* last committed time, ns */
  guint64 committed;  /* timer events run */
} Phold;

/* The successor of an event at LP `self`: its target LP and its delay. */
static inline SimTime phold_next(const Phold *ph, SimRng *r, guint32 self, guint32 *target)
{
  guint32 to = self;
  if (sim_rng_uniform(r) < ph->remote && ph->lps > 1) {
    to = (guint32) sim_rng_below(r, ph->lps - 1);
    if (to >= self)
      to++; /* uniform over the others */
  }
  *target = to;
  return (SimTime) sim_rng_exp(r, ph->mean_ns) + ph->lookahead;
}

/* The process's CPU time, seconds. */
static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* --- on the kernel ------------------------------------------------------------------ */

static void lp_start(Sim *sim, SimNodeId node, gpointer k)
{
  Phold *ph = k;
  for (guint32 i = 0; i < ph->init; i++) {
    guint32 to;
    SimTime d = phold_next(ph, sim_node_rng(sim, node), node, &to);
    sim_timer_start(sim, to, d, 0, 0);
  }
}

static void lp_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  Phold *ph = k;
  ph->committed++;
  guint32 to;
  SimTime d = phold_next(ph, sim_node_rng(sim, node), node, &to);
  sim_timer_start(sim, to, d, 0, 0);
}

static double run_kernel(Phold *ph, guint64 seed, guint64 *fingerprint, double *cpu)
{
  static const SimNodeKind kind = { .name = "phold-lp", .start = lp_start, .timer = lp_timer };
  SimParams p;
  sim_params_default(&p);
  p.seed = seed;
  Sim *sim = sim_new(&p);
  guint16 k = sim_kind_register(sim, &kind, ph);
  /* One subnet big enough for every LP: 10.0.0.0/prefix. */
  guint8 prefix = 30;
  while (prefix > 8 && ((1u << (32 - prefix)) - 2) < ph->lps)
    prefix--;
  guint32 site = sim_site_add(sim, "phold");
  guint32 sn = sim_subnet_add(sim, site, 10u << 24, prefix, 1e9, SIM_US, NULL);
  for (guint32 i = 0; i < ph->lps; i++) {
    GError *err = NULL;
    SimNodeId n = sim_node_add(sim, k, sn, 0, i, &err);
    if (n != i) {
      g_printerr("phold: cannot add LP %u: %s\n", i, err ? err->message : "?");
      exit(2);
    }
    sim_node_start_at(sim, n, 0);
  }
  gint64 t0 = g_get_monotonic_time();
  double c0 = cpu_now();
  sim_run_until(sim, ph->end);
  gint64 t1 = g_get_monotonic_time();
  *cpu = cpu_now() - c0;
  *fingerprint = sim_fingerprint(sim);
  sim_free(sim);
  return (double) (t1 - t0) / 1e6;
}

/* --- on a bare queue ---------------------------------------------------------------- */

/* The kernel's fingerprint step (sim.c, sim_step): fold (time, node, type). */
static inline guint64 fold(guint64 fp, SimTime t, guint32 node, guint8 type)
{
  fp = sim_mix64(fp ^ (guint64) t) ^ ((guint64) node << 8 | type);
  return sim_mix64(fp);
}

static double run_bare_radix(Phold *ph, guint64 seed, guint64 *fingerprint, double *cpu)
{
  SimRng *rng = g_new(SimRng, ph->lps);
  for (guint32 i = 0; i < ph->lps; i++)
    sim_rng_init(&rng[i], seed, i, 0); /* as sim_node_add seeds a node's stream */
  SimEvq q;
  sim_evq_init(&q);
  guint64 fp = 0xcbf29ce484222325ULL; /* sim_new's initial fingerprint */
  gint64 t0 = g_get_monotonic_time();
  double c0 = cpu_now();
  /* The LPs' start events, in node order at time 0, as the kernel runs them;
   * the queue slot of an event is its target LP. */
  for (guint32 lp = 0; lp < ph->lps; lp++) {
    fp = fold(fp, 0, lp, SIM_EV_START);
    for (guint32 i = 0; i < ph->init; i++) {
      guint32 to;
      SimTime d = phold_next(ph, &rng[lp], lp, &to);
      sim_evq_push(&q, d, to);
    }
  }
  while (sim_evq_len(&q) > 0 && sim_evq_peek_time(&q) <= ph->end) {
    SimTime t;
    guint32 lp, to;
    sim_evq_pop(&q, &t, &lp);
    fp = fold(fp, t, lp, SIM_EV_TIMER);
    ph->committed++;
    SimTime d = phold_next(ph, &rng[lp], lp, &to);
    sim_evq_push(&q, t + d, to);
  }
  gint64 t1 = g_get_monotonic_time();
  *cpu = cpu_now() - c0;
  sim_evq_clear(&q);
  g_free(rng);
  *fingerprint = fp;
  return (double) (t1 - t0) / 1e6;
}

/* --- main --------------------------------------------------------------------------- */

static long peak_rss_kb(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) {
      kb = strtol(line + 6, NULL, 10);
      break;
    }
  fclose(f);
  return kb;
}

int main(int argc, char **argv)
{
  gint lps = 16384, init = 16;
  gdouble remote = 0.25, mean = 1.0, lookahead = 0.1, end = 10.0;
  gint64 seed = 1;
  gboolean bare = FALSE, both = FALSE;
  gchar *queue = NULL;
  GOptionEntry entries[] = {
    { "lps", 0, 0, G_OPTION_ARG_INT, &lps, "Logical processes, one node each (16384)", "N" },
    { "init", 0, 0, G_OPTION_ARG_INT, &init, "Initial events per LP (16)", "K" },
    { "remote", 0, 0, G_OPTION_ARG_DOUBLE, &remote, "Probability the next event goes to another LP (0.25)", "P" },
    { "mean", 0, 0, G_OPTION_ARG_DOUBLE, &mean, "Mean of the exponential delay, simulated s (1.0)", "S" },
    { "lookahead", 0, 0, G_OPTION_ARG_DOUBLE, &lookahead, "Constant added to every delay, simulated s (0.1)", "S" },
    { "end", 0, 0, G_OPTION_ARG_DOUBLE, &end, "Simulated seconds to run (10)", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Master seed (1)", "N" },
    { "bare", 0, 0, G_OPTION_ARG_NONE, &bare, "Same workload on a bare event queue, no kernel", NULL },
    { "both", 0, 0, G_OPTION_ARG_NONE, &both, "Bare loop then kernel, one line each", NULL },
    { "queue", 0, 0, G_OPTION_ARG_STRING, &queue, "Queue under --bare: radix (the kernel's)", "NAME" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  GOptionContext *ctx = g_option_context_new("- PHOLD benchmark of the chainsim kernel");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
    g_printerr("phold: %s\n", err->message);
    return 2;
  }
  g_option_context_free(ctx);
  const char *qname = queue ? queue : "radix";
  if (lps < 1 || init < 1 || !(remote >= 0 && remote <= 1) || !(mean >= 0) || !(lookahead >= 0) ||
      !(end >= 0) || (guint64) lps * (guint64) init >= SIM_EVQ_MAX_SLOTS) {
    g_printerr("phold: need lps >= 1, init >= 1, lps * init < %u, 0 <= remote <= 1, "
               "mean, lookahead, end >= 0\n", SIM_EVQ_MAX_SLOTS);
    return 2;
  }
  if (strcmp(qname, "radix") != 0) {
    g_printerr("phold: unknown queue '%s' (known: radix)\n", qname);
    return 2;
  }
  if (lookahead == 0 && mean == 0) {
    g_printerr("phold: mean and lookahead are both 0: time would never advance\n");
    return 2;
  }

  Phold ph = { .lps = (guint32) lps, .init = (guint32) init, .remote = remote,
               .mean_ns = mean * (double) SIM_S, .lookahead = sim_time_from_s(lookahead),
               .end = sim_time_from_s(end) };
  for (int pass = 0; pass < (both ? 2 : 1); pass++) {
    gboolean on_bare = both ? pass == 0 : bare;
    guint64 fp = 0;
    ph.committed = 0;
    double cpu = 0;
    double wall = on_bare ? run_bare_radix(&ph, (guint64) seed, &fp, &cpu) : run_kernel(&ph, (guint64) seed, &fp, &cpu);
    printf("{\"mode\":\"%s\",\"queue\":\"%s\",\"lps\":%u,\"init\":%u,\"initial_events\":%" G_GUINT64_FORMAT
           ",\"remote\":%g,\"mean\":%g,\"lookahead\":%g,\"end\":%g,\"seed\":%" G_GINT64_FORMAT
           ",\"committed\":%" G_GUINT64_FORMAT ",\"wall_s\":%.3f,\"events_per_s\":%.0f"
           ",\"cpu_s\":%.3f,\"events_per_cpu_s\":%.0f"
           ",\"peak_rss_kb\":%ld,\"fingerprint\":\"%016" G_GINT64_MODIFIER "x\"}\n",
           on_bare ? "bare" : "kernel", qname, ph.lps, ph.init, (guint64) ph.lps * ph.init, remote, mean,
           lookahead, end, seed, ph.committed, wall, wall > 0 ? (double) ph.committed / wall : 0.0,
           cpu, cpu > 0 ? (double) ph.committed / cpu : 0.0,
           peak_rss_kb(), fp);
    fflush(stdout);
  }
  g_free(queue);
  return 0;
}
