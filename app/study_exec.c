/* study_exec.c — spawning runs, waiting for them, their record on disk.
 * See study_exec.h. */
#include "study_exec.h"
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define STATUS_FILE "run.status"
#define LOG_FILE "run.log"
#define RESULTS_FILE "results.json"

void cs_study_outcome_clear(CsStudyOutcome *o)
{
  g_free(o->log);
  g_free(o->results);
  memset(o, 0, sizeof *o);
}

char *cs_study_run_args(const CsStudyRun *r)
{
  GString *s = g_string_new(NULL);
  for (guint i = 1; r->argv[i]; i++) {
    if (strcmp(r->argv[i], "--out") == 0 && r->argv[i + 1]) {
      i++; /* where the study is may change (a copied or moved study) */
      continue;
    }
    char *q = g_shell_quote(r->argv[i]);
    g_string_append_printf(s, "%s%s", s->len ? " " : "", q);
    g_free(q);
  }
  return g_string_free(s, FALSE);
}

static char *run_file(const CsStudyRun *r, const char *name) { return g_build_filename(r->dir, name, NULL); }

/* results.json text whose run.seed is `seed`. */
static gboolean results_valid(const char *text, gsize len, guint64 seed)
{
  g_autoptr(JsonParser) p = json_parser_new();
  if (!json_parser_load_from_data(p, text, (gssize) len, NULL))
    return FALSE;
  JsonNode *root = json_parser_get_root(p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    return FALSE;
  JsonNode *run = json_object_get_member(json_node_get_object(root), "run");
  if (run == NULL || !JSON_NODE_HOLDS_OBJECT(run))
    return FALSE;
  JsonNode *s = json_object_get_member(json_node_get_object(run), "seed");
  return s && JSON_NODE_HOLDS_VALUE(s) && json_node_get_value_type(s) == G_TYPE_INT64 &&
         (guint64) json_node_get_int(s) == seed;
}

gboolean cs_study_run_done(const CsStudyRun *r, CsStudyOutcome *o)
{
  memset(o, 0, sizeof *o);
  g_autofree char *status_path = run_file(r, STATUS_FILE);
  g_autofree char *status = NULL;
  if (!g_file_get_contents(status_path, &status, NULL, NULL))
    return FALSE;
  g_autofree char *args = cs_study_run_args(r);
  g_autofree char *want0 = g_strdup_printf("args: %s\nexit: 0\n", args);
  g_autofree char *want1 = g_strdup_printf("args: %s\nexit: 1\n", args);
  if (strcmp(status, want0) != 0 && strcmp(status, want1) != 0)
    return FALSE;
  g_autofree char *results_path = run_file(r, RESULTS_FILE);
  if (!g_file_get_contents(results_path, &o->results, &o->results_len, NULL) ||
      !results_valid(o->results, o->results_len, r->seed)) {
    cs_study_outcome_clear(o);
    return FALSE;
  }
  o->status = strcmp(status, want0) == 0 ? 0 : 1;
  g_autofree char *log_path = run_file(r, LOG_FILE);
  if (!g_file_get_contents(log_path, &o->log, NULL, NULL))
    o->log = g_strdup("");
  return TRUE;
}

gboolean cs_study_run_record(const CsStudyRun *r, const CsStudyOutcome *o, GError **err)
{
  if (!cs_outfile_mkdirs(r->dir, err))
    return FALSE;
  g_autofree char *log_path = run_file(r, LOG_FILE);
  g_autofree char *results_path = run_file(r, RESULTS_FILE);
  if (o->log && !g_file_test(log_path, G_FILE_TEST_EXISTS) &&
      !cs_outfile_write(log_path, o->log, strlen(o->log), err))
    return FALSE;
  if (o->results && !g_file_test(results_path, G_FILE_TEST_EXISTS) &&
      !cs_outfile_write(results_path, o->results, o->results_len, err))
    return FALSE;
  g_autofree char *args = cs_study_run_args(r);
  g_autofree char *text = g_strdup_printf("args: %s\nexit: %d\n", args, o->status);
  g_autofree char *status_path = run_file(r, STATUS_FILE);
  return cs_outfile_write(status_path, text, strlen(text), err);
}

/* Starts the run's child: stdin from /dev/null, stdout and stderr to its
 * run.log.  Its earlier record and results go first, so that what is left
 * after it is its own.  Returns the pid, or -1 with o->log saying why. */
static pid_t spawn(const CsStudyRun *r, CsStudyOutcome *o)
{
  GError *e = NULL;
  if (!cs_outfile_mkdirs(r->dir, &e)) {
    o->log = g_strdup_printf("chainsim study: %s\n", e->message);
    g_error_free(e);
    return -1;
  }
  static const char *const stale[] = { STATUS_FILE, RESULTS_FILE };
  for (gsize i = 0; i < G_N_ELEMENTS(stale); i++) {
    char *p = run_file(r, stale[i]);
    unlink(p);
    g_free(p);
  }
  g_autofree char *log_path = run_file(r, LOG_FILE);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawn(&pid, r->argv[0], &fa, NULL, r->argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    o->log = g_strdup_printf("chainsim study: cannot start %s: %s\n", r->argv[0], g_strerror(rc));
    return -1;
  }
  return pid;
}

/* Reads what a finished child left: its exit status, log and results. */
static void collect(const CsStudyRun *r, int wstatus, CsStudyOutcome *o)
{
  o->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : -1;
  g_autofree char *log_path = run_file(r, LOG_FILE);
  if (!g_file_get_contents(log_path, &o->log, NULL, NULL))
    o->log = g_strdup("");
  g_autofree char *results_path = run_file(r, RESULTS_FILE);
  if ((o->status == 0 || o->status == 1) &&
      !g_file_get_contents(results_path, &o->results, &o->results_len, NULL))
    o->results = NULL;
}

static pid_t wait_child(pid_t pid, int *wstatus)
{
  for (;;) {
    pid_t got = waitpid(pid, wstatus, 0);
    if (got >= 0 || errno != EINTR)
      return got;
  }
}

void cs_study_run_one(const CsStudyRun *r, CsStudyOutcome *o)
{
  memset(o, 0, sizeof *o);
  o->status = -1;
  pid_t pid = spawn(r, o);
  if (pid < 0)
    return;
  int ws = 0;
  if (wait_child(pid, &ws) != pid) {
    o->log = g_strdup_printf("chainsim study: lost run %s: %s\n", r->dir, g_strerror(errno));
    return;
  }
  collect(r, ws, o);
}

typedef struct {
  const CsStudyRun *runs;
  const guint *todo;
  guint n, j, next, started, running;
  pid_t *pids;        /* per slot; 0: free */
  guint *slot_run;    /* per slot: the run in it */
  gboolean more;      /* done() has not asked to stop */
  CsStudyDoneFn done;
  gpointer data;
} Pool;

/* Starts runs in the free slots. */
static void pool_fill(Pool *p)
{
  for (guint s = 0; s < p->j && p->more && p->next < p->n; s++) {
    if (p->pids[s] != 0)
      continue;
    const CsStudyRun *r = &p->runs[p->todo[p->next++]];
    CsStudyOutcome o = { .status = -1 };
    pid_t pid = spawn(r, &o);
    p->started++;
    if (pid < 0) {
      p->more = p->done(r, &o, p->data);
      cs_study_outcome_clear(&o);
      continue;
    }
    p->pids[s] = pid;
    p->slot_run[s] = r->index;
    p->running++;
  }
}

guint cs_study_exec_local(const CsStudyRun *runs, const guint *todo, guint n, guint j, CsStudyDoneFn done,
                          gpointer data)
{
  Pool p = { .runs = runs, .todo = todo, .n = n, .j = MAX(j, 1), .more = TRUE, .done = done, .data = data };
  p.pids = g_new0(pid_t, p.j);
  p.slot_run = g_new0(guint, p.j);
  pool_fill(&p);
  while (p.running > 0) {
    int ws = 0;
    pid_t pid = wait_child(-1, &ws);
    if (pid < 0)
      break; /* no children left: cannot happen while running > 0 */
    for (guint s = 0; s < p.j; s++) {
      if (p.pids[s] != pid)
        continue;
      p.pids[s] = 0;
      p.running--;
      const CsStudyRun *r = &runs[p.slot_run[s]];
      CsStudyOutcome o = { 0 };
      collect(r, ws, &o);
      /* A run that exited 0 or 1 never stops the study: start the next one
       * before recording this one (its fsyncs would leave a core idle). */
      if (o.status == 0 || o.status == 1)
        pool_fill(&p);
      if (!done(r, &o, data))
        p.more = FALSE;
      cs_study_outcome_clear(&o);
    }
    pool_fill(&p);
  }
  g_free(p.pids);
  g_free(p.slot_run);
  return p.started;
}
