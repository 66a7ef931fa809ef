/* bench/scale — the model at scale: the built-in enterprise scenario at 10^3,
 * 10^4, 10^5 and 10^6 endpoints for one simulated hour (registrations, 12
 * questions, one 1 GB file distribution to every endpoint).
 *
 * Each size runs the real command line, `chainsim run --set endpoints=N
 * --set duration=1h --set bench=1 --quiet --no-figures --out TMP`, as a child
 * process, so
 * what is measured is exactly what a user runs.  Events come from the run's
 * results.json (run.events); wall time and peak RSS from wait4().  Prints one
 * JSON line per size: endpoints, events, wall_s, events_per_s, peak_rss_kb,
 * bytes_per_endpoint (peak RSS / endpoints).  With --runs K each size runs K
 * times and the median wall time is reported (with its run's RSS).
 *
 * --max-cpu S stops a run after S seconds of CPU (RLIMIT_CPU in the child):
 * its line then says "finished":false, events null, with the wall time and
 * peak RSS reached.  A full 10^6-endpoint hour takes 20 to 30 minutes here.
 *
 * A benchmark, not a test: it never fails on time.  CI builds it and runs
 * the 10^3 size once as a smoke check. */
#define _DEFAULT_SOURCE 1 /* wait4() */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

static gint64 opt_size = 0;
static gint opt_runs = 1;
static gchar *opt_duration = NULL;
static gchar *opt_chainsim = NULL;
static gchar **opt_set = NULL;
static gint opt_max_cpu = 0;

static GOptionEntry entries[] = {
  { "size", 0, 0, G_OPTION_ARG_INT64, &opt_size, "Run one size only (endpoints)", "N" },
  { "runs", 0, 0, G_OPTION_ARG_INT, &opt_runs, "Runs per size; the median is reported (1)", "K" },
  { "duration", 0, 0, G_OPTION_ARG_STRING, &opt_duration, "Simulated duration (1h)", "D" },
  { "chainsim", 0, 0, G_OPTION_ARG_FILENAME, &opt_chainsim, "The chainsim binary (next to this one)", "PATH" },
  { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_set, "Extra KEY=VALUE for the scenario", "KEY=VALUE" },
  { "max-cpu", 0, 0, G_OPTION_ARG_INT, &opt_max_cpu, "Stop a run after S seconds of CPU (no limit)", "S" },
  { NULL },
};

typedef struct {
  double wall;
  long rss_kb;
  gint64 events;
  int status;
  gboolean finished;    /* FALSE: stopped at --max-cpu */
} Run;

static gint64 events_of(const char *dir)
{
  g_autofree char *path = g_build_filename(dir, "results.json", NULL);
  g_autoptr(JsonParser) p = json_parser_new();
  if (!json_parser_load_from_file(p, path, NULL))
    return -1;
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  JsonObject *run = json_object_get_object_member(root, "run");
  return run ? json_object_get_int_member(run, "events") : -1;
}

static void remove_tree(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    g_autofree char *p = g_build_filename(dir, name, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      remove_tree(p);
    else
      g_unlink(p);
  }
  if (d)
    g_dir_close(d);
  g_rmdir(dir);
}

static Run run_once(const char *chainsim, gint64 n)
{
  Run r = { 0, 0, -1, -1, TRUE };
  g_autofree char *dir = g_dir_make_tmp("chainsim-scale-XXXXXX", NULL);
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(chainsim));
  g_ptr_array_add(argv, g_strdup("run"));
  g_ptr_array_add(argv, g_strdup("--quiet"));
  g_ptr_array_add(argv, g_strdup("--no-figures")); /* time the model, not the drawing */
  g_ptr_array_add(argv, g_strdup("--out"));
  g_ptr_array_add(argv, g_strdup(dir));
  g_ptr_array_add(argv, g_strdup("--set"));
  g_ptr_array_add(argv, g_strdup_printf("endpoints=%" G_GINT64_FORMAT, n));
  g_ptr_array_add(argv, g_strdup("--set"));
  g_ptr_array_add(argv, g_strdup_printf("duration=%s", opt_duration ? opt_duration : "1h"));
  g_ptr_array_add(argv, g_strdup("--set"));
  g_ptr_array_add(argv, g_strdup("bench=1"));
  for (gchar **s = opt_set; s && *s; s++) {
    g_ptr_array_add(argv, g_strdup("--set"));
    g_ptr_array_add(argv, g_strdup(*s));
  }
  g_ptr_array_add(argv, NULL);
  gint64 t0 = g_get_monotonic_time();
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout))
      _exit(127);
    if (opt_max_cpu > 0) {
      struct rlimit lim = { (rlim_t) opt_max_cpu, (rlim_t) opt_max_cpu + 5 };
      if (setrlimit(RLIMIT_CPU, &lim) != 0)
        _exit(127);
    }
    execv(chainsim, (char **) argv->pdata);
    _exit(127);
  }
  struct rusage ru;
  int status = 0;
  if (pid > 0 && wait4(pid, &status, 0, &ru) == pid) {
    r.wall = (double) (g_get_monotonic_time() - t0) / 1e6;
    r.rss_kb = ru.ru_maxrss;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.finished = !(WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL));
    r.events = r.finished ? events_of(dir) : -1;
  }
  g_ptr_array_free(argv, TRUE);
  remove_tree(dir);
  return r;
}

static int cmp_run(const void *a, const void *b)
{
  double x = ((const Run *) a)->wall, y = ((const Run *) b)->wall;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new("- chainsim at 10^3 .. 10^6 endpoints");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
    fprintf(stderr, "scale: %s\n", err->message);
    return 2;
  }
  if (argc > 1) {
    fprintf(stderr, "scale: unexpected argument '%s'\n", argv[1]);
    return 2;
  }
  if (opt_max_cpu < 0 || opt_runs < 1 || opt_runs > 16 || opt_size < 0) {
    fprintf(stderr, "scale: --max-cpu must be >= 0, --runs 1..16, --size > 0\n");
    return 2;
  }
  g_autofree char *self_dir = g_path_get_dirname(argv[0]);
  g_autofree char *chainsim = opt_chainsim ? g_strdup(opt_chainsim) : g_build_filename(self_dir, "chainsim", NULL);
  if (!g_file_test(chainsim, G_FILE_TEST_IS_EXECUTABLE)) {
    fprintf(stderr, "scale: no chainsim binary at %s (use --chainsim)\n", chainsim);
    return 2;
  }
  gint64 sizes[] = { 1000, 10000, 100000, 1000000 };
  int nsizes = 4;
  if (opt_size > 0) {
    sizes[0] = opt_size;
    nsizes = 1;
  }
  int rc = 0;
  for (int i = 0; i < nsizes; i++) {
    Run runs[16];
    int k = CLAMP(opt_runs, 1, 16);
    for (int j = 0; j < k; j++)
      runs[j] = run_once(chainsim, sizes[i]);
    qsort(runs, (size_t) k, sizeof(Run), cmp_run);
    Run m = runs[k / 2];
    if (m.status != 0)
      rc = 1;
    g_autofree char *events = m.finished ? g_strdup_printf("%" G_GINT64_FORMAT, m.events) : g_strdup("null");
    g_autofree char *eps = m.finished && m.wall > 0 ? g_strdup_printf("%.0f", (double) m.events / m.wall) : g_strdup("null");
    printf("{\"endpoints\":%" G_GINT64_FORMAT ",\"events\":%s,\"wall_s\":%.2f,"
           "\"events_per_s\":%s,\"peak_rss_kb\":%ld,\"bytes_per_endpoint\":%.0f,\"runs\":%d,\"finished\":%s,"
           "\"exit\":%d}\n",
           sizes[i], events, m.wall, eps, m.rss_kb, (double) m.rss_kb * 1024.0 / (double) sizes[i], k,
           m.finished ? "true" : "false", m.status);
    fflush(stdout);
  }
  return rc;
}
