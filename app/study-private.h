/* study-private.h — the state of one `chainsim study`, shared by study.c
 * (options, planning, running) and study_out.c (outputs). */
#pragma once
#include <glib.h>
#include "study_exec.h"
#include "study_grid.h"
#include "study_metrics.h"
#include "study_stats.h"

#define CS_STUDY_ERROR (cs_study_error_quark())
GQuark cs_study_error_quark(void);
typedef enum { CS_STUDY_ERROR_PLOT } CsStudyError;

typedef struct {
  char *spec;               /* as given */
  char *metric;
  int key, by;              /* grid axes; by = -1: one line */
} CsStudyPlot;

typedef struct {
  /* The description (the same on every rank). */
  char *scenario;           /* NULL: the built-in scenario */
  guint64 seed;             /* master seed */
  guint reps;
  guint jobs;
  char *out;
  gboolean keep_going, figures, quiet;
  CsGrid *grid;
  GPtrArray *set_keys, *set_values; /* fixed --set, char * */
  GPtrArray *plots;         /* CsStudyPlot * */
  char *plot_format;        /* "png", "svg" or "pdf" */
  /* The runs: point * reps + rep - 1. */
  guint npoints, nruns;
  CsStudyRun *runs;
  CsStudyOutcome *outcomes; /* status -1 until the run is over */
  /* Gathered once every run is over. */
  CsMetrics *metrics;
  CsStudyStats *stats;      /* [point * metrics + metric] */
  guint8 *present;          /* [point * metrics + metric]: some run of the point has it */
} CsStudy;
