/* study_mpi.h — a study's runs spread over the ranks of an MPI job
 * (`mpirun -n R chainsim study ...`), when chainsim is built with MPI
 * (CMake option CHAINSIM_MPI).
 *
 * Every rank parses the same command line and so plans the same runs.
 * Rank 0 hands them out one at a time, to whichever rank asks next, and
 * gathers each outcome (exit status, run.log, results.json) as it comes:
 * a slow rank delays only its own run.  The other ranks each run one child
 * at a time (study_exec.h: posix_spawn, never fork, so Open MPI's warning
 * about forking does not apply) and send its outcome back.  Rank 0 alone
 * records runs and writes the study's outputs, so a rank on another machine
 * needs no shared file system (its run folders stay on its own disk too).
 *
 * Without MPI support (or not under an MPI launcher) these report FALSE and
 * the study runs locally. */
#pragma once
#include <glib.h>
#include "study_exec.h"

/* Whether this process was started by an MPI launcher (Open MPI's
 * OMPI_COMM_WORLD_SIZE, or PMI_SIZE / PMIX_RANK) and chainsim has MPI. */
gboolean cs_study_mpi_launched(void);
/* The number of ranks an MPI launcher says it started (OMPI_COMM_WORLD_SIZE
 * or PMI_SIZE), 1 when not under one: a study started as several ranks by a
 * chainsim without MPI must refuse, or each rank would run all of it. */
guint cs_study_mpi_launched_ranks(void);
/* Whether chainsim was built with MPI. */
gboolean cs_study_mpi_available(void);
/* MPI_Init; this rank and the number of ranks.  FALSE without MPI. */
gboolean cs_study_mpi_init(int *argc, char ***argv, int *rank, int *size);
void cs_study_mpi_finalize(void);
/* Ends every rank with that exit status (after an error on one rank). */
void cs_study_mpi_abort(int status);
/* Rank 0: hands out runs[todo[0..n)] to ranks 1 .. size-1 and calls done
 * for each outcome; tells every rank to stop when all are out (or done
 * returned FALSE).  Returns how many runs were handed out. */
guint cs_study_mpi_dispatch(const CsStudyRun *runs, const guint *todo, guint n, CsStudyDoneFn done,
                            gpointer data);
/* Ranks other than 0: runs what rank 0 hands out until told to stop. */
void cs_study_mpi_serve(const CsStudyRun *runs, guint nruns);
