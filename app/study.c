/* study.c — `chainsim study`: options, the plan of runs, running them
 * (resuming what an earlier study left done), progress, and the exit status.
 * See study.h; outputs are study_out.c's.
 *
 * Order: every option is checked before anything runs (bad usage exits 2
 * and writes nothing); then the runs already done are skipped, the others
 * run (locally with -j children, or over MPI ranks); a run exiting 2 or 3
 * stops the study (no new runs start, those running finish and are kept)
 * unless --keep-going; the outputs are written only once every run is over.
 *
 * Exit status: 0 every run exited 0; 1 some run failed an expectation (or,
 * with --keep-going, exited 2 or 3); 2 bad usage, or a run exited 2 (its
 * message is shown); 3 internal error, or a run exited 3 or died. */
#include "study.h"
#include "cli.h"
#include "outfile.h"
#include "study_mpi.h"
#include "study_out.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_OUT "chainsim-study"

GQuark cs_study_error_quark(void) { return g_quark_from_static_string("cs-study-error"); }

/* ---- options ------------------------------------------------------------------ */

typedef struct {
  char **grid, **set, **plot;
  char *reps, *seed, *jobs, *out, *plot_format;
  gboolean figures, keep_going, quiet;
} StudyArgs;

static void study_args_clear(StudyArgs *a)
{
  g_strfreev(a->grid);
  g_strfreev(a->set);
  g_strfreev(a->plot);
  g_free(a->reps);
  g_free(a->seed);
  g_free(a->jobs);
  g_free(a->out);
  g_free(a->plot_format);
}

/* Whether this process prints: rank 0 of an MPI job, or not under MPI.  (A
 * usage error is found on every rank before MPI starts.) */
static gboolean first_rank(void)
{
  const char *r = g_getenv("OMPI_COMM_WORLD_RANK");
  if (r == NULL)
    r = g_getenv("PMIX_RANK");
  if (r == NULL)
    r = g_getenv("PMI_RANK");
  return r == NULL || strcmp(r, "0") == 0;
}

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int usage(const char *fmt, ...)
{
  if (!first_rank())
    return CS_EXIT_USAGE;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "chainsim study: %s\n", msg);
  g_free(msg);
  return CS_EXIT_USAGE;
}

static gboolean parse_uint(const char *text, guint64 lo, guint64 hi, guint64 *v)
{
  return g_ascii_string_to_unsigned(text, 10, lo, hi, v, NULL);
}

static void plot_free(gpointer p)
{
  CsStudyPlot *pl = p;
  g_free(pl->spec);
  g_free(pl->metric);
  g_free(pl);
}

/* "METRIC ~ KEY | KEY2" against the grid. */
static int parse_plot(CsStudy *s, const char *spec)
{
  const char *tilde = strchr(spec, '~');
  if (tilde == NULL)
    return usage("--plot: expected 'METRIC ~ KEY' or 'METRIC ~ KEY | KEY2', got \"%s\"", spec);
  g_autofree char *metric = g_strstrip(g_strndup(spec, (gsize) (tilde - spec)));
  const char *bar = strchr(tilde + 1, '|');
  g_autofree char *key = g_strstrip(bar ? g_strndup(tilde + 1, (gsize) (bar - tilde - 1)) : g_strdup(tilde + 1));
  g_autofree char *by = bar ? g_strstrip(g_strdup(bar + 1)) : NULL;
  if (*metric == '\0' || strpbrk(metric, " \t~|"))
    return usage("--plot \"%s\": expected a metric's dotted path before '~'", spec);
  int k = cs_grid_find(s->grid, key);
  if (k < 0)
    return usage("--plot \"%s\": '%s' is not a key of --grid", spec, key);
  int b = -1;
  if (by) {
    b = cs_grid_find(s->grid, by);
    if (b < 0)
      return usage("--plot \"%s\": '%s' is not a key of --grid", spec, by);
    if (b == k)
      return usage("--plot \"%s\": the same key on both sides of '|'", spec);
  }
  for (guint i = 0; i < cs_grid_axis_count(s->grid); i++) {
    const CsGridAxis *ax = cs_grid_axis(s->grid, i);
    if ((int) i != k && (int) i != b && ax->values->len > 1)
      return usage("--plot \"%s\": the grid also sweeps %s (%u values): name it after '|'", spec, ax->key,
                   ax->values->len);
  }
  CsStudyPlot *pl = g_new0(CsStudyPlot, 1);
  pl->spec = g_strdup(spec);
  pl->metric = g_steal_pointer(&metric);
  pl->key = k;
  pl->by = b;
  g_ptr_array_add(s->plots, pl);
  return CS_EXIT_OK;
}

static void study_clear(CsStudy *s)
{
  g_free(s->scenario);
  g_free(s->out);
  g_free(s->plot_format);
  cs_grid_free(s->grid);
  if (s->set_keys)
    g_ptr_array_unref(s->set_keys);
  if (s->set_values)
    g_ptr_array_unref(s->set_values);
  if (s->plots)
    g_ptr_array_unref(s->plots);
  for (guint r = 0; r < s->nruns; r++) {
    g_free(s->runs[r].dir);
    g_strfreev(s->runs[r].argv);
    cs_study_outcome_clear(&s->outcomes[r]);
  }
  g_free(s->runs);
  g_free(s->outcomes);
  cs_metrics_free(s->metrics);
  g_free(s->stats);
  g_free(s->present);
  memset(s, 0, sizeof *s);
}

/* Checks every option into s.  CS_EXIT_OK or the usage error's status. */
static int study_parse(CsStudy *s, const char *scenario, StudyArgs *a)
{
  s->grid = cs_grid_new();
  s->set_keys = g_ptr_array_new_with_free_func(g_free);
  s->set_values = g_ptr_array_new_with_free_func(g_free);
  s->plots = g_ptr_array_new_with_free_func(plot_free);
  s->scenario = g_strdup(scenario);
  s->figures = a->figures;
  s->keep_going = a->keep_going;
  s->quiet = a->quiet;
  guint64 v;
  s->reps = 1;
  if (a->reps) {
    if (!parse_uint(a->reps, 1, 100000, &v))
      return usage("--replications: expected an integer from 1 to 100000, got \"%s\"", a->reps);
    s->reps = (guint) v;
  }
  s->seed = 1;
  if (a->seed && !parse_uint(a->seed, 0, G_MAXINT64, &s->seed))
    return usage("--seed: expected an integer from 0 to %" G_GINT64_FORMAT ", got \"%s\"", G_MAXINT64, a->seed);
  s->jobs = MAX(1, g_get_num_processors());
  if (a->jobs) {
    if (!parse_uint(a->jobs, 1, 1024, &v))
      return usage("-j: expected an integer from 1 to 1024, got \"%s\"", a->jobs);
    s->jobs = (guint) v;
  }
  s->out = g_strdup(a->out ? a->out : DEFAULT_OUT);
  s->plot_format = g_strdup(a->plot_format ? a->plot_format : "png");
  if (strcmp(s->plot_format, "png") != 0 && strcmp(s->plot_format, "svg") != 0 &&
      strcmp(s->plot_format, "pdf") != 0)
    return usage("--plot-format: expected png, svg or pdf, got \"%s\"", s->plot_format);
  for (guint i = 0; a->grid && a->grid[i]; i++) {
    GError *e = NULL;
    if (!cs_grid_add(s->grid, a->grid[i], &e)) {
      int rc = usage("%s", e->message);
      g_error_free(e);
      return rc;
    }
  }
  for (guint i = 0; a->set && a->set[i]; i++) {
    const char *eq = strchr(a->set[i], '=');
    if (eq == NULL || !cs_grid_key_ok(a->set[i], (size_t) (eq - a->set[i])))
      return usage("--set: expected KEY=VALUE with KEY made of letters, digits and '_', got \"%s\"", a->set[i]);
    char *k = g_strndup(a->set[i], (gsize) (eq - a->set[i]));
    g_ptr_array_add(s->set_keys, k);
    g_ptr_array_add(s->set_values, g_strdup(eq + 1));
    if (cs_grid_find(s->grid, k) >= 0)
      return usage("--set %s: the key is also swept by --grid", k);
    for (guint j = 0; j + 1 < s->set_keys->len; j++)
      if (strcmp(g_ptr_array_index(s->set_keys, j), k) == 0)
        return usage("--set %s: given twice", k);
  }
  for (guint i = 0; a->plot && a->plot[i]; i++) {
    int rc = parse_plot(s, a->plot[i]);
    if (rc != CS_EXIT_OK)
      return rc;
  }
  /* The longest point name must fit a folder name (255 bytes). */
  gsize longest = 0;
  for (guint i = 0; i < cs_grid_axis_count(s->grid); i++) {
    const CsGridAxis *ax = cs_grid_axis(s->grid, i);
    gsize w = 0;
    for (guint k = 0; k < ax->values->len; k++)
      w = MAX(w, strlen(g_ptr_array_index(ax->values, k)));
    longest += (i ? 1 : 0) + strlen(ax->key) + 1 + w;
  }
  if (longest > 255)
    return usage("--grid: a point's folder name (KEY=VALUE,... of every swept key) would take %" G_GSIZE_FORMAT
                 " bytes, more than the 255 a folder name may have", longest);
  s->npoints = cs_grid_points(s->grid);
  if ((guint64) s->npoints * s->reps > CS_GRID_MAX_POINTS)
    return usage("%u points × %u replications: more than %u runs", s->npoints, s->reps, CS_GRID_MAX_POINTS);
  if (scenario != NULL && !g_file_test(scenario, G_FILE_TEST_IS_REGULAR))
    return usage("cannot read scenario '%s': %s", scenario,
                 g_file_test(scenario, G_FILE_TEST_EXISTS) ? "not a regular file" : "no such file");
  if (!cs_study_mpi_available() && cs_study_mpi_launched_ranks() > 1)
    return usage("started as %u MPI ranks, but this chainsim was built without MPI (CHAINSIM_MPI): "
                 "every rank would run the whole study; run it without mpirun, or rebuild with MPI",
                 cs_study_mpi_launched_ranks());
  if (g_file_test(s->out, G_FILE_TEST_EXISTS) && !g_file_test(s->out, G_FILE_TEST_IS_DIR))
    return usage("--out: '%s' is not a folder", s->out);
  return CS_EXIT_OK;
}

/* The program to run children with: this very binary. */
static char *self_exe(const char *argv0)
{
  char *p = g_file_read_link("/proc/self/exe", NULL);
  return p ? p : g_strdup(argv0);
}

/* Every run's seed, folder and command line. */
static void study_plan(CsStudy *s, const char *exe)
{
  s->nruns = s->npoints * s->reps;
  s->runs = g_new0(CsStudyRun, s->nruns);
  s->outcomes = g_new0(CsStudyOutcome, s->nruns);
  for (guint p = 0; p < s->npoints; p++) {
    g_autofree char *pname = cs_grid_point_name(s->grid, p);
    for (guint k = 1; k <= s->reps; k++) {
      CsStudyRun *r = &s->runs[p * s->reps + k - 1];
      r->index = p * s->reps + k - 1;
      r->point = p;
      r->rep = k;
      r->seed = cs_grid_seed(s->seed, k);
      char rep[16];
      g_snprintf(rep, sizeof rep, "%u", k);
      r->dir = g_build_filename(s->out, pname, rep, NULL);
      GPtrArray *av = g_ptr_array_new();
      g_ptr_array_add(av, g_strdup(exe));
      g_ptr_array_add(av, g_strdup("run"));
      if (s->scenario)
        g_ptr_array_add(av, g_strdup(s->scenario));
      g_ptr_array_add(av, g_strdup("--seed"));
      g_ptr_array_add(av, g_strdup_printf("%" G_GUINT64_FORMAT, r->seed));
      g_ptr_array_add(av, g_strdup("--out"));
      g_ptr_array_add(av, g_strdup(r->dir));
      g_ptr_array_add(av, g_strdup("--quiet"));
      if (!s->figures)
        g_ptr_array_add(av, g_strdup("--no-figures"));
      for (guint i = 0; i < s->set_keys->len; i++) {
        g_ptr_array_add(av, g_strdup("--set"));
        g_ptr_array_add(av, g_strdup_printf("%s=%s", (char *) g_ptr_array_index(s->set_keys, i),
                                            (char *) g_ptr_array_index(s->set_values, i)));
      }
      for (guint i = 0; i < cs_grid_axis_count(s->grid); i++) {
        g_ptr_array_add(av, g_strdup("--set"));
        g_ptr_array_add(av, g_strdup_printf("%s=%s", cs_grid_axis(s->grid, i)->key, cs_grid_value(s->grid, p, i)));
      }
      g_ptr_array_add(av, NULL);
      r->argv = (char **) g_ptr_array_free(av, FALSE);
      s->outcomes[r->index].status = -1;
    }
  }
}

/* ---- running ----------------------------------------------------------------- */

typedef struct {
  CsStudy *s;
  guint total, todo, finished, failed, errors;
  int stop;                 /* exit status that stopped the study, or 0 */
  gboolean progress;
  gint64 start;             /* monotonic µs (progress only) */
} Running;

static void print_progress(Running *c)
{
  if (!c->progress)
    return;
  double el = (double) (g_get_monotonic_time() - c->start) / 1e6;
  char eta[32] = "?";
  if (c->finished > 0) {
    double left = el / c->finished * (c->todo - c->finished);
    g_snprintf(eta, sizeof eta, "%um%02us", (guint) (left / 60), (guint) left % 60);
  }
  fprintf(stderr, "\r\033[Kchainsim study: %u/%u runs done, %u failed, %u errors, ETA %s",
          c->total - c->todo + c->finished, c->total, c->failed, c->errors, eta);
  fflush(stderr);
}

/* The run's messages, each line prefixed with the run's folder. */
static void print_run_log(const CsStudyRun *r, const CsStudyOutcome *o, const char *out)
{
  const char *rel = r->dir + strlen(out) + 1;
  g_auto(GStrv) lines = g_strsplit(o->log ? o->log : "", "\n", -1);
  guint shown = 0;
  for (guint i = 0; lines[i] && shown < 5; i++)
    if (*lines[i]) {
      fprintf(stderr, "chainsim study: run %s: %s\n", rel, lines[i]);
      shown++;
    }
  if (shown == 0)
    fprintf(stderr, "chainsim study: run %s: exit status %d, no message\n", rel, o->status);
}

static gboolean on_done(const CsStudyRun *r, CsStudyOutcome *o, gpointer data)
{
  Running *c = data;
  CsStudy *s = c->s;
  c->finished++;
  if ((o->status == 0 || o->status == 1) && o->results == NULL) {
    g_free(o->log);
    o->log = g_strdup_printf("exited %d but left no results.json", o->status);
    o->status = CS_EXIT_INTERNAL;
  }
  GError *e = NULL;
  if (!cs_study_run_record(r, o, &e)) {
    fprintf(stderr, "%schainsim study: %s\n", c->progress ? "\n" : "", e->message);
    g_error_free(e);
    c->stop = CS_EXIT_INTERNAL;
    return FALSE;
  }
  gboolean go_on = TRUE;
  if (o->status == 1) {
    c->failed++;
  } else if (o->status != 0) {
    c->errors++;
    if (c->progress)
      fputc('\n', stderr);
    print_run_log(r, o, s->out);
    if (!s->keep_going) {
      c->stop = o->status == CS_EXIT_USAGE ? CS_EXIT_USAGE : CS_EXIT_INTERNAL;
      go_on = FALSE;
    }
  }
  s->outcomes[r->index] = *o;
  memset(o, 0, sizeof *o);
  print_progress(c);
  return go_on;
}

/* Reads every finished run's results into the metrics table, in run order,
 * and computes the statistics of each point and metric. */
static gboolean study_gather(CsStudy *s, GError **err)
{
  s->metrics = cs_metrics_new(s->nruns);
  for (guint r = 0; r < s->nruns; r++) {
    CsStudyOutcome *o = &s->outcomes[r];
    if ((o->status != 0 && o->status != 1) || o->results == NULL)
      continue;
    if (!cs_metrics_add_run(s->metrics, r, o->results, o->results_len, err)) {
      g_prefix_error(err, "%s/results.json: ", s->runs[r].dir);
      return FALSE;
    }
  }
  guint nm = cs_metrics_count(s->metrics);
  s->stats = g_new0(CsStudyStats, (gsize) s->npoints * MAX(nm, 1));
  s->present = g_new0(guint8, (gsize) s->npoints * MAX(nm, 1));
  double *x = g_new(double, s->reps);
  for (guint p = 0; p < s->npoints; p++)
    for (guint m = 0; m < nm; m++) {
      guint n = 0;
      gboolean present = FALSE;
      for (guint k = 0; k < s->reps; k++) {
        CsCell c = cs_metrics_cell(s->metrics, p * s->reps + k, m);
        present |= c.kind != CS_CELL_MISSING;
        if (c.kind == CS_CELL_INT || c.kind == CS_CELL_DOUBLE)
          x[n++] = c.v;
      }
      cs_study_stats(x, n, &s->stats[(gsize) p * nm + m]);
      s->present[(gsize) p * nm + m] = present;
    }
  g_free(x);
  return TRUE;
}

static int study_run(CsStudy *s, int mpi_size)
{
  gint64 t0 = g_get_monotonic_time();
  GError *e = NULL;
  if (!cs_outfile_mkdirs(s->out, &e)) {
    int rc = usage("--out: %s", e->message);
    g_error_free(e);
    if (mpi_size > 1) /* the other ranks wait for work: tell them to stop */
      cs_study_mpi_dispatch(s->runs, NULL, 0, on_done, NULL);
    return rc;
  }
  /* What an earlier study left done. */
  Running c = { .s = s, .total = s->nruns, .start = t0 };
  guint *todo = g_new(guint, MAX(s->nruns, 1));
  for (guint r = 0; r < s->nruns; r++) {
    CsStudyOutcome o;
    if (cs_study_run_done(&s->runs[r], &o)) {
      s->outcomes[r] = o;
      c.failed += o.status == 1;
    } else {
      todo[c.todo++] = r;
    }
  }
  c.progress = !s->quiet && isatty(STDERR_FILENO);
  print_progress(&c);
  if (mpi_size > 1)
    cs_study_mpi_dispatch(s->runs, todo, c.todo, on_done, &c);
  else
    cs_study_exec_local(s->runs, todo, c.todo, s->jobs, on_done, &c);
  g_free(todo);
  if (c.progress)
    fputc('\n', stderr);
  if (c.stop != 0) {
    fprintf(stderr, "chainsim study: stopped after %u of %u runs (--keep-going runs the rest); "
            "no summary written\n", c.total - c.todo + c.finished, c.total);
    return c.stop;
  }
  int rc = CS_EXIT_OK;
  if (!study_gather(s, &e) || !cs_study_write_outputs(s, &e)) {
    fprintf(stderr, "chainsim study: %s\n", e->message);
    rc = e->domain == CS_STUDY_ERROR ? CS_EXIT_USAGE : CS_EXIT_INTERNAL;
    g_error_free(e);
    return rc;
  }
  if (!s->quiet)
    fprintf(stderr,
            "chainsim study: %u runs (%u ran now, %u done before), %u failed an expectation, %u errors; "
            "%.1f s wall; results in %s/\n",
            c.total, c.finished, c.total - c.todo, c.failed, c.errors,
            (double) (g_get_monotonic_time() - t0) / 1e6, s->out);
  if (c.failed > 0 || c.errors > 0)
    rc = CS_EXIT_FAILED;
  return rc;
}

/* ---- the command -------------------------------------------------------------- */

static const char *const STUDY_DESCRIPTION =
  "Runs SCENARIO (default: the built-in one) at every point of the --grid, each\n"
  "point --replications times, as 'chainsim run' child processes in DIR/POINT/REP/\n"
  "(-j at once; under 'mpirun -n R' spread over the ranks), then writes\n"
  "DIR/runs.csv, DIR/summary.csv (mean, sd, 95 % confidence interval, min, max, n\n"
  "per point and metric), DIR/study.json and the --plot figures.\n"
  "\n"
  "  --grid bw=10Mbps,20Mbps,50Mbps   values as written\n"
  "  --grid endpoints=1000:8000:x2    geometric: 1000, 2000, 4000, 8000\n"
  "  --grid loss=0:0.02:+0.005        arithmetic\n"
  "\n"
  "Replication k of every point runs with the same seed, derived from --seed and\n"
  "k (common random numbers).  Running the same study again skips the runs that\n"
  "are done.  Exit status: 0 every run held; 1 some run failed an expectation;\n"
  "2 bad usage or a run's bad scenario; 3 internal error.";

int cs_study_main(int argc, char **argv)
{
  StudyArgs a = { 0 };
  GOptionEntry entries[] = {
    { "grid", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.grid,
      "Sweep KEY over values V1,V2,... or a range A:B:xF / A:B:+S (repeatable)", "KEY=SPEC" },
    { "replications", 'r', 0, G_OPTION_ARG_STRING, &a.reps, "Runs per point (default 1)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed, "Master seed of the replications' seeds (default 1)", "N" },
    { "jobs", 'j', 0, G_OPTION_ARG_STRING, &a.jobs, "Runs at once (default: the number of cores)", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &a.out, "Output folder (default ./" DEFAULT_OUT "/)", "DIR" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.set,
      "Scenario parameter for every run, seen as chainsim.params.KEY (repeatable)", "KEY=VALUE" },
    { "plot", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.plot,
      "Plot METRIC's mean and 95 % CI against KEY, one line per KEY2 (repeatable)", "'METRIC ~ KEY | KEY2'" },
    { "plot-format", 0, 0, G_OPTION_ARG_STRING, &a.plot_format, "png, svg or pdf (default png)", "FORMAT" },
    { "figures", 0, 0, G_OPTION_ARG_NONE, &a.figures,
      "Let every run draw its default figures (skipped by default)", NULL },
    { "keep-going", 'k', 0, G_OPTION_ARG_NONE, &a.keep_going,
      "Go on when a run exits 2 or 3 (a bad scenario, an internal error)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet, "No progress line or summary; errors only", NULL },
    { NULL },
  };
  GOptionContext *oc = g_option_context_new("[SCENARIO.lua] - run a scenario over a grid of parameters");
  g_option_context_add_main_entries(oc, entries, NULL);
  g_option_context_set_description(oc, STUDY_DESCRIPTION);
  GError *e = NULL;
  int rc;
  CsStudy s = { 0 };
  if (!g_option_context_parse(oc, &argc, &argv, &e)) {
    rc = usage("%s (see chainsim study --help)", e->message);
    g_error_free(e);
  } else if (argc > 2) {
    rc = usage("expected at most one scenario, got '%s' and '%s'", argv[1], argv[2]);
  } else if ((rc = study_parse(&s, argc == 2 ? argv[1] : NULL, &a)) == CS_EXIT_OK) {
    g_autofree char *exe = self_exe(argv[0]);
    study_plan(&s, exe);
    int rank = 0, size = 1;
    gboolean mpi = cs_study_mpi_launched() && cs_study_mpi_init(&argc, &argv, &rank, &size);
    if (rank != 0)
      cs_study_mpi_serve(s.runs, s.nruns);
    else
      rc = study_run(&s, size);
    if (mpi)
      cs_study_mpi_finalize();
  }
  study_clear(&s);
  g_option_context_free(oc);
  study_args_clear(&a);
  return rc;
}
