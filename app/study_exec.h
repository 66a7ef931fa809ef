/* study_exec.h — the runs of a study as child processes: one `chainsim run`
 * each, started with posix_spawn (no fork: glibc's posix_spawn shares the
 * parent's memory until the exec, so nothing of a large parent, nor of an MPI
 * library's registered memory, is copied or touched), its standard output
 * and error to RUNDIR/run.log.
 *
 * A run's record (run.status, written by the study once the run is over,
 * whole or not at all) holds its command line and exit status; a run is
 * done (skipped when the study is run again) when run.status holds the
 * command line the study would run now, an exit status of 0 or 1, and
 * results.json parses as a JSON object whose run.seed is the run's seed. */
#pragma once
#include <glib.h>

typedef struct {
  guint index;         /* run number: point * replications + rep - 1 */
  guint point, rep;    /* point (0-based), replication (1-based) */
  guint64 seed;
  char *dir;           /* OUT/POINT/REP */
  char **argv;         /* the child's command line; argv[0] the program */
} CsStudyRun;

typedef struct {
  int status;          /* exit status; 128 + N when killed by signal N; -1 not started */
  char *log;           /* what the run printed (its run.log), or NULL */
  char *results;       /* results.json text, or NULL */
  gsize results_len;
} CsStudyOutcome;

void cs_study_outcome_clear(CsStudyOutcome *o);

/* The command line as one line of shell words (argv[1..] but --out DIR: a
 * study's folder may be moved or copied), for run.status. */
char *cs_study_run_args(const CsStudyRun *r);
/* Whether the run is done (see above); if so fills o from its files. */
gboolean cs_study_run_done(const CsStudyRun *r, CsStudyOutcome *o);
/* Writes run.status (and, when missing there, run.log and results.json from
 * o: a rank on another machine ran it).  FALSE with err on a write error. */
gboolean cs_study_run_record(const CsStudyRun *r, const CsStudyOutcome *o, GError **err);
/* Runs r to its end in a child process and reads its outcome. */
void cs_study_run_one(const CsStudyRun *r, CsStudyOutcome *o);

/* Called in the parent as each run ends; returns FALSE to start no more. */
typedef gboolean (*CsStudyDoneFn)(const CsStudyRun *r, CsStudyOutcome *o, gpointer data);

/* Runs runs[todo[0..n)] with up to j child processes at once, calling done
 * as each ends (in the order they end).  Returns how many were started. */
guint cs_study_exec_local(const CsStudyRun *runs, const guint *todo, guint n, guint j, CsStudyDoneFn done,
                          gpointer data);
