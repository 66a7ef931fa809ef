/* cli.c — the command line: subcommands, GLib option parsing, running a
 * scenario in the sandbox, writing the outputs, the summary and progress on
 * stderr, the baseline comparison.  See cli.h.
 *
 * Order of a run: every option is checked (and the baseline read) before the
 * scenario starts, so bad usage costs nothing; outputs are written only when
 * the scenario ran to its end without error, as one set swapped into --out
 * whole (outset.h), so a bad scenario leaves no output behind.  Wall-clock figures
 * go to stderr only, never into results. */
#include "cli.h"
#include "baseline.h"
#include "binding.h"
#include "budget.h"
#include "embedded.h"
#include "escape.h"
#include "outfile.h"
#include "outset.h"
#include "results.h"
#include "sandbox.h"
#include "study.h"
#include "study_grid.h"
#include "units.h"
#include "viz.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_OUT_DIR "chainsim-out"
#define DEFAULT_SCENARIO "enterprise.lua"

static const char *const USAGE =
  "Usage:\n"
  "  chainsim run [SCENARIO.lua] [--seed N] [--out DIR] [--set KEY=VALUE]... [--trace FILE]\n"
  "               [--quiet] [--no-figures] [--baseline OLD/results.json [--tolerance 5%]]\n"
  "  chainsim diagram [SCENARIO.lua] [--format svg|png|pdf|mermaid|dot] [-o FILE]\n"
  "                   [--seed N] [--set KEY=VALUE]...\n"
  "  chainsim study [SCENARIO.lua] [--grid KEY=SPEC]... [--replications N] [--seed N]\n"
  "                 [-j N] [--out DIR] [--set KEY=VALUE]... [--plot 'METRIC ~ KEY | KEY2']...\n"
  "                 [--plot-format png|svg|pdf] [--figures] [--keep-going] [--quiet]\n"
  "  chainsim --help | --version\n";

static const char *const DESCRIPTION =
  "chainsim simulates a linear-chain endpoint-management network (core server,\n"
  "clients peering in chains per subnet, leaders, reflection, questions and\n"
  "actions) deterministically: the same scenario and seed give the same results,\n"
  "bit for bit.  With no SCENARIO, run uses the built-in enterprise scenario\n"
  "(--set endpoints=N, --set duration=10m scale it).\n"
  "\n"
  "Exit status: 0 ran and all expectations held; 1 an expectation failed (or a\n"
  "metric moved past the baseline tolerance); 2 bad usage or bad scenario;\n"
  "3 internal error.  'chainsim run --help' lists the options of run.";

/* ---- internal errors ------------------------------------------------------ */

/* GLib warnings and criticals mean a bug (ours or a model's): report them and
 * exit 3 at the end rather than trust the results. */
static guint internal_errors;

static void log_handler(const char *domain, GLogLevelFlags level, const char *message,
                        gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) {
    internal_errors++;
    fprintf(stderr, "chainsim: internal error: %s%s%s\n", domain ? domain : "",
            domain ? ": " : "", message);
    return;
  }
  g_log_default_handler(domain, level, message, data);
}

/* ---- run -------------------------------------------------------------------- */

typedef struct {
  char *seed;          /* --seed, unparsed */
  char *out;           /* --out */
  char **set;          /* --set KEY=VALUE... */
  char *trace;         /* --trace */
  gboolean quiet;      /* --quiet */
  char *baseline;      /* --baseline */
  char *tolerance;     /* --tolerance */
  char *max_insn;      /* --max-lua-instructions */
  char *max_cpu;       /* --max-scenario-seconds */
  char *max_memory;    /* --max-memory, unparsed */
  gboolean no_figures; /* --no-figures */
} RunArgs;

static void run_args_clear(RunArgs *a)
{
  g_free(a->seed);
  g_free(a->out);
  g_strfreev(a->set);
  g_free(a->trace);
  g_free(a->baseline);
  g_free(a->tolerance);
  g_free(a->max_insn);
  g_free(a->max_cpu);
  g_free(a->max_memory);
}

/* The message of an error a call reported.  A call that fails through a
 * g_return_val_if_fail guard sets none (its critical is counted as an
 * internal error): say so rather than read a NULL error. */
static const char *why(const GError *e)
{
  return e ? e->message : "failed without a message (an internal check failed)";
}

static int usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  char *safe = cs_escape_controls(msg);
  fprintf(stderr, "chainsim %s: %s\n", cmd, safe);
  g_free(safe);
  g_free(msg);
  return CS_EXIT_USAGE;
}

/* Prints what the sandbox reported; a memory error gets the line it hit. */
static void report_scenario_error(CsSandbox *sb, const GError *e)
{
  const char *where = cs_sandbox_memory_where(sb);
  char *line = e && e->domain == CS_SANDBOX_ERROR && e->code == CS_SANDBOX_ERROR_MEMORY && *where
                 ? g_strdup_printf("%s: %s", where, why(e))
                 : g_strdup(why(e));
  char *safe = cs_escape_controls(line);
  fprintf(stderr, "chainsim: %s\n", safe);
  g_free(safe);
  g_free(line);
}

static void print_summary(CsLua *ctx, const char *out, double wall)
{
  Sim *sim = cs_world_sim(cs_lua_world(ctx));
  double run_wall = cs_lua_run_wall_seconds(ctx);
  guint64 events = sim_events_dispatched(sim);
  fprintf(stderr,
          "chainsim: %" G_GUINT64_FORMAT " events, %.6g s simulated, %.3f s wall, "
          "%.3g M events/s; results in %s/\n",
          events, sim_time_to_s(sim_now(sim)), wall,
          run_wall > 0 ? (double) events / run_wall / 1e6 : 0.0, out);
}

/* Reports the expectations; returns how many failed. */
static guint report_expectations(CsLua *ctx, gboolean quiet)
{
  guint failed = 0;
  for (guint i = 0; i < cs_lua_expectation_count(ctx); i++) {
    const char *text, *where;
    gboolean ok;
    cs_lua_expectation(ctx, i, &text, &where, &ok);
    char *safe_where = cs_escape_controls(where), *safe_text = cs_escape_controls(text);
    if (!ok) {
      failed++;
      fprintf(stderr, "chainsim: expectation failed: %s: %s\n", safe_where, safe_text);
    } else if (!quiet) {
      printf("ok    %s: %s\n", safe_where, safe_text);
    }
    g_free(safe_where);
    g_free(safe_text);
  }
  if (!quiet && cs_lua_expectation_count(ctx) > 0)
    printf("%u of %u expectations held\n", cs_lua_expectation_count(ctx) - failed,
           cs_lua_expectation_count(ctx));
  fflush(stdout);
  return failed;
}

/* --set KEY=VALUE pairs, split; keys are owned by `owned`.  FALSE after
 * reporting bad usage. */
static gboolean parse_sets(const char *cmd, char **set, const char ***keys, const char ***values,
                           guint *n, GPtrArray *owned)
{
  guint n_set = set ? g_strv_length(set) : 0;
  *keys = g_new0(const char *, n_set + 1);
  *values = g_new0(const char *, n_set + 1);
  g_ptr_array_add(owned, *keys);
  g_ptr_array_add(owned, *values);
  *n = n_set;
  for (guint i = 0; i < n_set; i++) {
    const char *eq = strchr(set[i], '=');
    if (eq == NULL || !cs_grid_key_ok(set[i], (size_t) (eq - set[i]))) {
      usage_error(cmd, "--set: expected KEY=VALUE with KEY made of letters, digits and '_', "
                  "got \"%s\"", set[i]);
      return FALSE;
    }
    char *k = g_strndup(set[i], (gsize) (eq - set[i]));
    g_ptr_array_add(owned, k);
    for (guint j = 0; j < i; j++)
      if (strcmp((*keys)[j], k) == 0) {
        usage_error(cmd, "--set %s: given twice (\"%s\" and \"%s\"); give each key once",
                    k, (*values)[j], eq + 1);
        return FALSE;
      }
    (*keys)[i] = k;
    (*values)[i] = eq + 1;
  }
  return TRUE;
}

/* --seed N; FALSE after reporting bad usage. */
static gboolean parse_seed(const char *cmd, const char *text, guint64 *seed)
{
  GError *e = NULL;
  if (g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT64, seed, &e))
    return TRUE;
  g_clear_error(&e);
  usage_error(cmd, "--seed: expected an integer from 0 to %" G_GINT64_FORMAT ", got \"%s\"",
              G_MAXINT64, text);
  return FALSE;
}

/* A scenario that ran: its sandbox and binding (free the sandbox first). */
typedef struct {
  CsSandbox *sb;
  CsLua *ctx;
  char *name;   /* name in results: "builtin:enterprise.lua" or the file's base name */
} Loaded;

static void loaded_clear(Loaded *l)
{
  /* The Lua state goes first: its objects point into ctx. */
  if (l->sb)
    cs_sandbox_free(l->sb);
  cs_lua_free(l->ctx);
  g_free(l->name);
  memset(l, 0, sizeof *l);
}

typedef struct {
  const char *cmd;           /* "run" or "diagram", for messages */
  const char *scenario;      /* NULL: the built-in default */
  guint64 seed;
  gboolean seed_given;
  guint64 max_insn;          /* Lua instruction limit */
  double max_cpu;            /* CPU seconds of the scenario's code; 0 = none */
  guint64 max_memory;        /* the model's estimated state, bytes (0: no cap) */
  const char **keys, **values;
  guint n_set;
  gboolean progress;
  const char *out_dir;       /* figures of sim:plot; NULL: none */
  FILE *trace;               /* --trace stream, or NULL */
  gboolean print_to_stderr;  /* print() to stderr: stdout carries the product */
} LoadArgs;

/* The options run and diagram share: --seed, --max-lua-instructions,
 * --max-scenario-seconds, --set.
 * Strings parsed into la live in `owned`.  Returns CS_EXIT_OK or the usage
 * error's status (the message is printed). */
static int load_args_parse(const char *cmd, const char *scenario, const char *seed, const char *max_insn,
                           const char *max_cpu, char **set, LoadArgs *la, GPtrArray *owned)
{
  *la = (LoadArgs){ .cmd = cmd, .scenario = scenario, .seed = 1, .max_insn = CS_SANDBOX_DEFAULT_INSTRUCTION_LIMIT,
                    .max_cpu = CS_SANDBOX_DEFAULT_CPU_SECONDS,
                    .max_memory = cs_budget_default_limit() };
  la->seed_given = seed != NULL;
  if (la->seed_given && !parse_seed(cmd, seed, &la->seed))
    return CS_EXIT_USAGE;
  if (max_insn) {
    GError *e = NULL;
    if (!g_ascii_string_to_unsigned(max_insn, 10, 1, G_MAXUINT64, &la->max_insn, &e)) {
      g_clear_error(&e);
      return usage_error(cmd, "--max-lua-instructions: expected a positive integer, got \"%s\"", max_insn);
    }
  }
  if (max_cpu) {
    char *end = NULL;
    la->max_cpu = g_ascii_strtod(max_cpu, &end);
    if (!g_ascii_isdigit(max_cpu[0]) || end == NULL || *end != '\0' || !(la->max_cpu > 0) ||
        la->max_cpu > CS_SANDBOX_MAX_CPU_SECONDS)
      return usage_error(cmd, "--max-scenario-seconds: expected a number of seconds above 0 and "
                         "at most %.0f, got \"%s\"", CS_SANDBOX_MAX_CPU_SECONDS, max_cpu);
  }
  if (!parse_sets(cmd, set, &la->keys, &la->values, &la->n_set, owned))
    return CS_EXIT_USAGE;
  return CS_EXIT_OK;
}

/* The hex SHA-256 of a file's bytes, read in blocks (a huge file costs no
 * memory); NULL with a message on stderr when it cannot be read. */
static char *file_sha256(const char *cmd, const char *path)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    usage_error(cmd, "cannot read scenario '%s': %s", path, g_strerror(errno));
    return NULL;
  }
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  guchar buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    g_checksum_update(sum, buf, (gssize) n);
  gboolean ok = !ferror(f);
  int err = errno;
  fclose(f);
  char *hex = ok ? g_strdup(g_checksum_get_string(sum)) : NULL;
  g_checksum_free(sum);
  if (!ok)
    usage_error(cmd, "cannot read scenario '%s': %s", path, g_strerror(err));
  return hex;
}

/* Runs a scenario to its end.  Returns CS_EXIT_OK with *l filled, or the
 * exit status of what went wrong (reported on stderr; *l cleared). */
static int load_scenario(const LoadArgs *a, Loaded *l)
{
  memset(l, 0, sizeof *l);
  const CsEmbeddedFile *builtin = NULL;
  if (a->scenario == NULL) {
    builtin = cs_embedded_find(DEFAULT_SCENARIO);
    g_assert(builtin != NULL);
  }
  l->sb = cs_sandbox_new(a->seed);
  if (l->sb == NULL) {
    fprintf(stderr, "chainsim: internal error: cannot create the Lua state\n");
    return CS_EXIT_INTERNAL;
  }
  cs_sandbox_set_instruction_limit(l->sb, a->max_insn);
  if (a->print_to_stderr)
    cs_sandbox_set_output(l->sb, stderr);
  cs_sandbox_set_cpu_limit(l->sb, a->max_cpu);
  for (guint i = 0; i < cs_embedded_count; i++)
    if (cs_embedded_files[i].module)
      cs_sandbox_add_embedded(l->sb, cs_embedded_files[i].module, cs_embedded_files[i].source);
  l->name = builtin ? g_strconcat("builtin:", builtin->path, NULL)
                    : g_path_get_basename(a->scenario);
  char *sha = builtin ? g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                                    (const guchar *) builtin->source, builtin->len)
                      : file_sha256(a->cmd, a->scenario);
  if (sha == NULL) {
    loaded_clear(l);
    return CS_EXIT_USAGE;
  }
  CsLuaOptions lo = {
    .seed = a->seed,
    .seed_given = a->seed_given,
    .scenario = l->name,
    .scenario_sha256 = sha,
    .set_keys = a->keys,
    .set_values = a->values,
    .n_set = a->n_set,
    .progress = a->progress,
    .out_dir = a->out_dir,
    .trace = a->trace,
    .max_memory = a->max_memory,
  };
  l->ctx = cs_lua_new(l->sb, &lo);
  g_free(sha);
  int rc = CS_EXIT_OK;
  char *unread = NULL;
  GError *e = NULL;
  if (l->ctx == NULL) {
    rc = CS_EXIT_INTERNAL;
  } else if (!(builtin ? cs_sandbox_run_string(l->sb, l->name, builtin->source, &e)
                       : cs_sandbox_run_file(l->sb, a->scenario, &e))) {
    report_scenario_error(l->sb, e);
    g_clear_error(&e);
    rc = CS_EXIT_USAGE;
  } else if (cs_lua_world(l->ctx) == NULL || !cs_lua_ran(l->ctx)) {
    /* Named at the scenario's last line: what is missing is missing there. */
    const char *end = cs_sandbox_chunk_end(l->sb);
    char *where = *end ? g_strdup(end) : g_strdup_printf("%s:1", l->name);
    char *safe = cs_escape_controls(where);
    if (cs_lua_world(l->ctx) == NULL)
      fprintf(stderr, "chainsim: %s: end of the scenario, and it made no simulation (expected "
              "local sim = chainsim.new{...} and sim:run{duration = ...})\n", safe);
    else
      fprintf(stderr, "chainsim: %s: end of the scenario, and it never called "
              "sim:run{duration = ...}\n", safe);
    g_free(safe);
    g_free(where);
    rc = CS_EXIT_USAGE;
  } else if ((unread = cs_lua_params_unread(l->ctx)) != NULL) {
    fprintf(stderr, "chainsim: %s: %s\n", l->name, unread);
    g_free(unread);
    rc = CS_EXIT_USAGE;
  } else if (internal_errors > 0) {
    rc = CS_EXIT_INTERNAL;
  }
  if (rc != CS_EXIT_OK)
    loaded_clear(l);
  return rc;
}

static int run_scenario(const char *scenario, RunArgs *a)
{
  const char *cmd = "run";
  gint64 wall_start = g_get_monotonic_time();

  /* Options first: nothing runs on bad usage. */
  LoadArgs la;
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
  int urc = load_args_parse(cmd, scenario, a->seed, a->max_insn, a->max_cpu, a->set, &la, owned);
  if (urc != CS_EXIT_OK)
    return urc;
  if (a->max_memory) {
    GError *e = NULL;
    if (!cs_units_parse_size(a->max_memory, &la.max_memory, &e) || la.max_memory < CS_BUDGET_MIN) {
      gchar *q = cs_units_quote(a->max_memory);
      usage_error(cmd, "--max-memory: expected a size of at least 1MiB like \"8GiB\", got %s", q);
      g_free(q);
      g_clear_error(&e);
      return CS_EXIT_USAGE;
    }
  }
  double tolerance = CS_BASELINE_DEFAULT_TOLERANCE;
  if (a->tolerance) {
    GError *e = NULL;
    if (a->baseline == NULL)
      return usage_error(cmd, "--tolerance needs --baseline OLD/results.json");
    if (!cs_baseline_parse_tolerance(a->tolerance, &tolerance, &e)) {
      int rc = usage_error(cmd, "%s", why(e));
      g_clear_error(&e);
      return rc;
    }
  }
  if (scenario != NULL && !g_file_test(scenario, G_FILE_TEST_IS_REGULAR))
    return usage_error(cmd, "cannot read scenario '%s': %s", scenario,
                       g_file_test(scenario, G_FILE_TEST_EXISTS) ? "not a regular file"
                                                                 : "no such file");
  JsonNode *baseline = NULL;
  if (a->baseline) {
    GError *e = NULL;
    baseline = cs_baseline_load(a->baseline, &e);
    if (baseline == NULL) {
      int rc = usage_error(cmd, "%s", why(e));
      g_clear_error(&e);
      return rc;
    }
  }
  if (a->out && *a->out == '\0')
    return usage_error(cmd, "--out: expected a folder name, got an empty string");
  if (a->trace && *a->trace == '\0')
    return usage_error(cmd, "--trace: expected a file name, got an empty string");
  const char *out = a->out ? a->out : DEFAULT_OUT_DIR;
  GError *e = NULL;

  /* The outputs go to a staging folder beside --out, swapped in whole at
   * the end (outset.h). */
  CsOutset *set = cs_outset_begin(out, &e);
  if (set == NULL) {
    int rc = usage_error(cmd, "--out: %s", why(e));
    g_clear_error(&e);
    if (baseline)
      json_node_unref(baseline);
    return rc;
  }
  const char *staging = cs_outset_staging(set);

  /* The trace is written as the run goes, to a temporary name: it is kept
   * only if the run's outputs are.  A trace inside --out joins the set. */
  CsOutfile *trace = NULL;
  if (a->trace) {
    char *placed = cs_outset_place(set, a->trace);
    trace = cs_outfile_open(placed ? placed : a->trace, &e);
    g_free(placed);
    if (trace == NULL) {
      int rc = usage_error(cmd, "--trace: %s", why(e));
      g_clear_error(&e);
      cs_outset_free(set);
      if (baseline)
        json_node_unref(baseline);
      return rc;
    }
    la.trace = cs_outfile_stream(trace);
  }

  /* The scenario. */
  la.progress = !a->quiet && isatty(STDERR_FILENO);
  la.out_dir = staging;
  Loaded l;
  int rc = load_scenario(&la, &l);
  if (rc != CS_EXIT_OK)
    goto done;
  CsLua *ctx = l.ctx;

  /* Outputs. */
  if (!cs_results_write(ctx, staging, &e) || !cs_lua_write_figures(ctx, !a->no_figures, &e)) {
    fprintf(stderr, "chainsim: cannot write the results: %s\n", why(e));
    g_clear_error(&e);
    rc = CS_EXIT_INTERNAL;
    goto done;
  }
  /* The trace first: it may be inside --out, and then moves with it. */
  if (trace) {
    CsOutfile *t = trace;
    trace = NULL;
    if (!cs_outfile_commit(t, &e)) {
      fprintf(stderr, "chainsim: cannot write the trace: %s\n", why(e));
      g_clear_error(&e);
      rc = CS_EXIT_INTERNAL;
      goto done;
    }
  }
  if (!cs_outset_commit(set, &e)) {
    fprintf(stderr, "chainsim: cannot write the results: %s\n", why(e));
    g_clear_error(&e);
    rc = CS_EXIT_INTERNAL;
    goto done;
  }
  if (report_expectations(ctx, a->quiet) > 0)
    rc = CS_EXIT_FAILED;
  if (baseline) {
    JsonNode *cur = cs_results_build(ctx);
    if (cs_baseline_compare(baseline, cur, tolerance, a->baseline, stdout) > 0)
      rc = CS_EXIT_FAILED;
    json_node_unref(cur);
  }
  if (!a->quiet)
    print_summary(ctx, out, (double) (g_get_monotonic_time() - wall_start) / 1e6);
  if (internal_errors > 0)
    rc = CS_EXIT_INTERNAL;

done:
  loaded_clear(&l);
  if (trace)
    cs_outfile_abort(trace); /* a failed run leaves no trace file behind */
  cs_outset_free(set); /* a failed run leaves no output folder behind */
  if (baseline)
    json_node_unref(baseline);
  return rc;
}

static int cmd_run(int argc, char **argv)
{
  RunArgs a = { 0 };
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed,
      "Master seed (wins over the scenario's chainsim.new{seed})", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &a.out,
      "Output folder; the run's files replace the last run's as one set, other files "
      "stay (default ./" DEFAULT_OUT_DIR "/)", "DIR" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.set,
      "Scenario parameter, seen as chainsim.params.KEY (repeatable)", "KEY=VALUE" },
    { "trace", 0, 0, G_OPTION_ARG_FILENAME, &a.trace,
      "Write one line per delivered message (CSV)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &a.quiet,
      "No progress, summary or passed expectations; errors and failures only", NULL },
    { "baseline", 0, 0, G_OPTION_ARG_FILENAME, &a.baseline,
      "Compare key metrics with an earlier results.json", "OLD/results.json" },
    { "tolerance", 0, 0, G_OPTION_ARG_STRING, &a.tolerance,
      "Largest accepted change against --baseline (default 5%)", "PCT" },
    { "no-figures", 0, 0, G_OPTION_ARG_NONE, &a.no_figures,
      "Skip the default figures (topology.svg, chains.png, bandwidth.png); sim:plot still draws",
      NULL },
    { "max-lua-instructions", 0, 0, G_OPTION_ARG_STRING, &a.max_insn,
      "Stop a runaway scenario after N Lua instructions (default 300000000)", "N" },
    { "max-scenario-seconds", 0, 0, G_OPTION_ARG_STRING, &a.max_cpu,
      "Stop a scenario whose own code (the simulation excluded) used S s of CPU time "
      "(default 60)", "S" },
    { "max-memory", 0, 0, G_OPTION_ARG_STRING, &a.max_memory,
      "Refuse a scenario whose model would need more memory than SIZE (default 80% of RAM)",
      "SIZE" },
    { NULL },
  };
  GOptionContext *oc = g_option_context_new("[SCENARIO.lua] - run a scenario");
  g_option_context_add_main_entries(oc, entries, NULL);
  g_option_context_set_description(oc, DESCRIPTION);
  GError *e = NULL;
  int rc;
  if (!g_option_context_parse(oc, &argc, &argv, &e)) {
    rc = usage_error("run", "%s (see chainsim run --help)", why(e));
    g_clear_error(&e);
  } else if (argc > 2) {
    rc = usage_error("run", "expected at most one scenario, got '%s' and '%s'", argv[1], argv[2]);
  } else {
    rc = run_scenario(argc == 2 ? argv[1] : NULL, &a);
  }
  g_option_context_free(oc);
  run_args_clear(&a);
  return rc;
}

/* ---- diagram ------------------------------------------------------------------ */

/* The file a diagram goes to by default, per format. */
static const char *const DIAGRAM_DEFAULT_FILES[] = {
  [CS_VIZ_FORMAT_PNG] = "topology.png", [CS_VIZ_FORMAT_SVG] = "topology.svg",
  [CS_VIZ_FORMAT_PDF] = "topology.pdf",
};

typedef struct {
  char *format;        /* --format */
  char *output;        /* -o */
  char *seed;          /* --seed */
  char **set;          /* --set */
  char *max_insn;      /* --max-lua-instructions */
  char *max_cpu;       /* --max-scenario-seconds */
} DiagramArgs;

/* chainsim diagram: runs the scenario (quietly, without outputs), then draws
 * the network as the run left it: chains formed, links and nodes up or down.
 * Images go to -o (default topology.FORMAT in the current folder); Mermaid
 * and DOT text to -o or, without it, to stdout. */
static int diagram_scenario(const char *scenario, DiagramArgs *a)
{
  const char *cmd = "diagram";
  static const struct { const char *name; CsVizFormat fmt; } formats[] = {
    { "svg", CS_VIZ_FORMAT_SVG }, { "png", CS_VIZ_FORMAT_PNG }, { "pdf", CS_VIZ_FORMAT_PDF },
    { "mermaid", CS_VIZ_FORMAT_MERMAID }, { "dot", CS_VIZ_FORMAT_DOT },
  };
  CsVizFormat fmt = CS_VIZ_FORMAT_NONE;
  if (a->format) {
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
      if (strcmp(a->format, formats[i].name) == 0)
        fmt = formats[i].fmt;
    if (fmt == CS_VIZ_FORMAT_NONE)
      return usage_error(cmd, "--format: expected svg, png, pdf, mermaid or dot, got \"%s\"",
                         a->format);
  }
  if (a->output) {
    CsVizFormat of = cs_viz_format_of(a->output);
    if (of == CS_VIZ_FORMAT_NONE)
      return usage_error(cmd, "-o: expected a file ending in .svg, .png, .pdf, .mmd or .dot, "
                         "got '%s'", a->output);
    if (fmt != CS_VIZ_FORMAT_NONE && of != fmt)
      return usage_error(cmd, "-o '%s' does not match --format %s", a->output, a->format);
    fmt = of;
  }
  if (fmt == CS_VIZ_FORMAT_NONE)
    fmt = CS_VIZ_FORMAT_SVG;
  LoadArgs la;
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
  int urc = load_args_parse(cmd, scenario, a->seed, a->max_insn, a->max_cpu, a->set, &la, owned);
  if (urc != CS_EXIT_OK)
    return urc;
  if (scenario != NULL && !g_file_test(scenario, G_FILE_TEST_IS_REGULAR))
    return usage_error(cmd, "cannot read scenario '%s': %s", scenario,
                       g_file_test(scenario, G_FILE_TEST_EXISTS) ? "not a regular file"
                                                                 : "no such file");
  gboolean text = fmt == CS_VIZ_FORMAT_MERMAID || fmt == CS_VIZ_FORMAT_DOT;
  const char *path = a->output ? a->output : text ? NULL : DIAGRAM_DEFAULT_FILES[fmt];
  if (path) {
    /* A file the user named that cannot be written is bad usage: say so
     * before the scenario runs. */
    GError *e = NULL;
    if (!cs_outfile_check(path, &e)) {
      int rc = usage_error(cmd, "-o: %s", why(e));
      g_clear_error(&e);
      return rc;
    }
  }

  la.progress = isatty(STDERR_FILENO);
  /* The diagram is the product on stdout: the scenario's print() must not
   * end up inside it. */
  la.print_to_stderr = path == NULL;
  Loaded l;
  int rc = load_scenario(&la, &l);
  if (rc != CS_EXIT_OK)
    return rc;
  CsWorld *w = cs_lua_world(l.ctx);
  GError *e = NULL;
  if (path == NULL) {
    char *t = fmt == CS_VIZ_FORMAT_MERMAID ? cs_viz_mermaid(w) : cs_viz_dot(w);
    fputs(t, stdout);
    fflush(stdout);
    g_free(t);
  } else if (!cs_viz_diagram(w, path, NULL, &e)) {
    fprintf(stderr, "chainsim: cannot write the diagram: %s\n", why(e));
    g_clear_error(&e);
    rc = CS_EXIT_INTERNAL;
  } else {
    fprintf(stderr, "chainsim: diagram of %s in %s\n", l.name, path);
  }
  if (internal_errors > 0)
    rc = CS_EXIT_INTERNAL;
  loaded_clear(&l);
  return rc;
}

static int cmd_diagram(int argc, char **argv)
{
  DiagramArgs a = { 0 };
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &a.format,
      "svg, png, pdf, mermaid or dot (default: from -o, else svg)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
      "Output file (default: topology.svg/png/pdf here; Mermaid and DOT to stdout)", "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &a.seed,
      "Master seed (wins over the scenario's chainsim.new{seed})", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a.set,
      "Scenario parameter, seen as chainsim.params.KEY (repeatable)", "KEY=VALUE" },
    { "max-lua-instructions", 0, 0, G_OPTION_ARG_STRING, &a.max_insn,
      "Stop a runaway scenario after N Lua instructions (default 300000000)", "N" },
    { "max-scenario-seconds", 0, 0, G_OPTION_ARG_STRING, &a.max_cpu,
      "Stop a scenario whose own code used S s of CPU time (default 60)", "S" },
    { NULL },
  };
  GOptionContext *oc = g_option_context_new("[SCENARIO.lua] - draw a scenario's network");
  g_option_context_add_main_entries(oc, entries, NULL);
  g_option_context_set_description(oc, DESCRIPTION);
  GError *e = NULL;
  int rc;
  if (!g_option_context_parse(oc, &argc, &argv, &e)) {
    rc = usage_error("diagram", "%s (see chainsim diagram --help)", why(e));
    g_clear_error(&e);
  } else if (argc > 2) {
    rc = usage_error("diagram", "expected at most one scenario, got '%s' and '%s'", argv[1],
                     argv[2]);
  } else {
    rc = diagram_scenario(argc == 2 ? argv[1] : NULL, &a);
  }
  g_option_context_free(oc);
  g_free(a.format);
  g_free(a.output);
  g_free(a.seed);
  g_strfreev(a.set);
  g_free(a.max_insn);
  g_free(a.max_cpu);
  return rc;
}

/* ---- main ------------------------------------------------------------------------ */

int cs_cli_main(int argc, char **argv)
{
  g_log_set_default_handler(log_handler, NULL);
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };
  GOptionContext *oc = g_option_context_new("COMMAND [ARGUMENTS...] - deterministic "
                                            "linear-chain network simulator");
  g_option_context_add_main_entries(oc, entries, NULL);
  g_option_context_set_summary(oc, "Commands:\n"
                               "  run       run a scenario (default: the built-in enterprise)\n"
                               "  diagram   draw a scenario's network\n"
                               "  study     run a scenario over a grid of parameters, with replications\n\n"
                               "  chainsim COMMAND --help shows a command's options.");
  g_option_context_set_description(oc, DESCRIPTION);
  /* Stop at the command: its options are its own. */
  g_option_context_set_strict_posix(oc, TRUE);
  GError *e = NULL;
  int rc;
  if (!g_option_context_parse(oc, &argc, &argv, &e)) {
    fprintf(stderr, "chainsim: %s\n%s", why(e), USAGE);
    g_clear_error(&e);
    rc = CS_EXIT_USAGE;
  } else if (version) {
    printf("chainsim %s\n", CHAINSIM_VERSION);
    rc = CS_EXIT_OK;
  } else if (argc < 2) {
    fprintf(stderr, "chainsim: expected a command\n%s", USAGE);
    rc = CS_EXIT_USAGE;
  } else if (strcmp(argv[1], "run") == 0) {
    g_set_prgname("chainsim run"); /* for the command's --help */
    rc = cmd_run(argc - 1, argv + 1);
  } else if (strcmp(argv[1], "diagram") == 0) {
    g_set_prgname("chainsim diagram");
    rc = cmd_diagram(argc - 1, argv + 1);
  } else if (strcmp(argv[1], "study") == 0) {
    g_set_prgname("chainsim study");
    rc = cs_study_main(argc - 1, argv + 1);
  } else if (strcmp(argv[1], "help") == 0) {
    char *help = g_option_context_get_help(oc, TRUE, NULL);
    fputs(help, stdout);
    g_free(help);
    rc = CS_EXIT_OK;
  } else {
    fprintf(stderr, "chainsim: unknown command '%s' (expected run, diagram or study)\n%s", argv[1],
            USAGE);
    rc = CS_EXIT_USAGE;
  }
  g_option_context_free(oc);
  return rc;
}
