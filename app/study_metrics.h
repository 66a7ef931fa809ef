/* study_metrics.h — every scalar of a run's results.json by its dotted path,
 * gathered over the runs of a study into one table.
 *
 * Paths: object members by name ("registration.latency_ms.p99"); array
 * elements that are objects with an "id" (integer or string) or else a
 * "name" (string) by that value ("questions.1.time_to_ms.p99",
 * "wan.links.dc->br1.peak_utilization"); other array elements by their
 * position from 0.  The "id" or "name" member itself is not a metric.
 * Numbers are metrics, booleans too (1 for true, 0 for false); null is a
 * metric without a value in that run; strings are not metrics, nor is
 * run.seed (the study lists each run's seed beside its metrics).
 *
 * Metrics are numbered in the order they are first met: the runs in run
 * order, each run's tree in document order (results.json's own order), so
 * the table is the same whatever order the runs finished in. */
#pragma once
#include <glib.h>

typedef enum {
  CS_CELL_MISSING = 0, /* the run has no such path (or no results) */
  CS_CELL_NULL,        /* null in results.json */
  CS_CELL_INT,         /* an integer (or a boolean) */
  CS_CELL_DOUBLE,
} CsCellKind;

typedef struct {
  double v;
  CsCellKind kind;
} CsCell;

typedef struct CsMetrics CsMetrics;

CsMetrics *cs_metrics_new(guint runs);
void cs_metrics_free(CsMetrics *m);
/* Parses results.json text and records its scalars as run `run`'s.  FALSE
 * (with err) if the text is not a JSON object.  Add the runs in run order:
 * metrics are numbered as they are first met. */
gboolean cs_metrics_add_run(CsMetrics *m, guint run, const char *json, gsize len, GError **err);
guint cs_metrics_count(const CsMetrics *m);
const char *cs_metrics_name(const CsMetrics *m, guint metric);
/* The metric of that name, or -1. */
int cs_metrics_find(const CsMetrics *m, const char *name);
/* Run `run`'s value of `metric` (CS_CELL_MISSING for runs never added). */
CsCell cs_metrics_cell(const CsMetrics *m, guint run, guint metric);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsMetrics, cs_metrics_free)
