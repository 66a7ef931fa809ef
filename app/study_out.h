/* study_out.h — what a study writes once its runs are over: runs.csv,
 * summary.csv, study.json and the --plot figures, each whole or not at all
 * (outfile.h), in a fixed order of rows and a fixed number format, so the
 * same study gives the same bytes whatever -j or MPI ranks ran it.
 *
 * runs.csv: point,rep,seed,exit, one column per grid key, then one per
 * metric (study_metrics.h) — a run's value as results.json has it (integers
 * as integers, other numbers in the shortest form that reads back the same),
 * empty where the run has none (null, absent, or a run that wrote no
 * results).  Rows by point (the grid's order, last key fastest), then rep.
 *
 * summary.csv: point, the grid keys, metric, n, mean, sd, ci95_low,
 * ci95_high, min, max: one row per point and metric that some run of the
 * point has, over the runs that exited 0 or 1 (study_stats.h).  mean, sd and
 * the interval are printed to the decimal of the interval half-width's
 * second significant digit (the digits beyond it are noise); when there is
 * no interval (n < 2, or all values equal) in the shortest exact form; min
 * and max as the runs have them.  Undefined values are empty.
 *
 * study.json: {"study": the description, "runs": [...], "summary": [...]},
 * the same values as the CSV files.
 *
 * Plots: PLOT-NAME.FORMAT for each --plot 'METRIC ~ KEY | KEY2', named
 * "plot-METRIC-vs-KEY[-by-KEY2]" with characters other than letters, digits,
 * '.', '-' and '_' made '_'. */
#pragma once
#include "study-private.h"

/* Writes every output of the study s into s->out.  FALSE with err on a
 * write error, or (CS_STUDY_ERROR_PLOT) a plot of a metric no run has. */
gboolean cs_study_write_outputs(CsStudy *s, GError **err);
