/* study.h — `chainsim study`: a scenario run over a grid of parameters ×
 * replications, in parallel child processes (or over MPI ranks), with the
 * results gathered into runs.csv, summary.csv, study.json and plots.
 *
 *   chainsim study [SCENARIO.lua] [--grid KEY=SPEC]... [--replications N]
 *                  [--seed N] [-j N] [--out DIR] [--set KEY=VALUE]...
 *                  [--plot 'METRIC ~ KEY | KEY2']... [--plot-format png|svg|pdf]
 *                  [--figures] [--keep-going] [--quiet]
 *
 * Grids: study_grid.h.  Runs: study_exec.h (local), study_mpi.h (MPI).
 * Outputs: study_out.h.  The user's account is docs/studies.md. */
#pragma once

/* Runs the study subcommand (argv[0] is "study"); returns the exit status. */
int cs_study_main(int argc, char **argv);
