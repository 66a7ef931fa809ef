/* study_mpi.c — rank 0 hands out runs, the other ranks run them.  See
 * study_mpi.h.
 *
 * Messages (MPI_COMM_WORLD, bytes): a worker sends READY once, then a
 * RESULT after each run; rank 0 answers each with a JOB (the run number,
 * 4 bytes) or STOP.  A RESULT is the run number, the exit status, then the
 * run.log and the results.json text, each as a 4-byte length and its bytes
 * (length 0xffffffff: no results). */
#include "study_mpi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

gboolean cs_study_mpi_launched(void)
{
  return cs_study_mpi_available() &&
         (g_getenv("OMPI_COMM_WORLD_SIZE") || g_getenv("PMI_SIZE") || g_getenv("PMIX_RANK"));
}

guint cs_study_mpi_launched_ranks(void)
{
  const char *n = g_getenv("OMPI_COMM_WORLD_SIZE");
  if (n == NULL)
    n = g_getenv("PMI_SIZE");
  guint64 v;
  return n && g_ascii_string_to_unsigned(n, 10, 1, G_MAXUINT, &v, NULL) ? (guint) v : 1;
}

#ifdef CHAINSIM_MPI
#include <mpi.h>

enum { TAG_READY = 1, TAG_RESULT, TAG_JOB, TAG_STOP };
#define NO_RESULTS G_MAXUINT32

gboolean cs_study_mpi_available(void) { return TRUE; }

gboolean cs_study_mpi_init(int *argc, char ***argv, int *rank, int *size)
{
  if (MPI_Init(argc, argv) != MPI_SUCCESS)
    return FALSE;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  return TRUE;
}

void cs_study_mpi_finalize(void) { MPI_Finalize(); }

void cs_study_mpi_abort(int status) { MPI_Abort(MPI_COMM_WORLD, status); }

static void put_u32(GByteArray *b, guint32 v)
{
  guint8 x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append(b, x, 4);
}

static gboolean get_u32(const guint8 **p, const guint8 *end, guint32 *v)
{
  if (end - *p < 4)
    return FALSE;
  const guint8 *x = *p;
  *v = (guint32) x[0] | (guint32) x[1] << 8 | (guint32) x[2] << 16 | (guint32) x[3] << 24;
  *p += 4;
  return TRUE;
}

static gboolean get_text(const guint8 **p, const guint8 *end, char **text, gsize *len)
{
  guint32 n;
  if (!get_u32(p, end, &n))
    return FALSE;
  if (n == NO_RESULTS) {
    *text = NULL;
    *len = 0;
    return TRUE;
  }
  if ((gsize) (end - *p) < n)
    return FALSE;
  *text = g_malloc(n + 1);
  memcpy(*text, *p, n);
  (*text)[n] = '\0';
  *len = n;
  *p += n;
  return TRUE;
}

/* Unpacks a RESULT; FALSE if it is malformed. */
static gboolean unpack(const guint8 *p, gsize size, guint nruns, guint32 *run, CsStudyOutcome *o)
{
  const guint8 *end = p + size;
  guint32 status;
  gsize loglen;
  memset(o, 0, sizeof *o);
  if (!get_u32(&p, end, run) || *run >= nruns || !get_u32(&p, end, &status) ||
      !get_text(&p, end, &o->log, &loglen) || !get_text(&p, end, &o->results, &o->results_len)) {
    cs_study_outcome_clear(o);
    return FALSE;
  }
  o->status = (gint32) status;
  return TRUE;
}

guint cs_study_mpi_dispatch(const CsStudyRun *runs, const guint *todo, guint n, CsStudyDoneFn done,
                            gpointer data)
{
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  guint nruns = 0;
  for (guint i = 0; i < n; i++)
    nruns = MAX(nruns, todo[i] + 1);
  int active = size - 1;
  guint next = 0;
  gboolean more = TRUE;
  while (active > 0) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    guint8 *buf = g_malloc(MAX(count, 1));
    MPI_Recv(buf, count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == TAG_RESULT) {
      guint32 run = 0;
      CsStudyOutcome o;
      if (!unpack(buf, (gsize) count, nruns, &run, &o)) {
        g_free(buf);
        fprintf(stderr, "chainsim study: internal error: a malformed result from rank %d\n", st.MPI_SOURCE);
        cs_study_mpi_abort(3);
      }
      if (!done(&runs[run], &o, data))
        more = FALSE;
      cs_study_outcome_clear(&o);
    }
    g_free(buf);
    if (more && next < n) {
      guint32 job = todo[next++];
      MPI_Send(&job, 4, MPI_BYTE, st.MPI_SOURCE, TAG_JOB, MPI_COMM_WORLD);
    } else {
      MPI_Send(NULL, 0, MPI_BYTE, st.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD);
      active--;
    }
  }
  return next;
}

void cs_study_mpi_serve(const CsStudyRun *runs, guint nruns)
{
  MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
  for (;;) {
    guint32 job = 0;
    MPI_Status st;
    MPI_Recv(&job, 4, MPI_BYTE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    if (st.MPI_TAG == TAG_STOP)
      return;
    if (job >= nruns) {
      fprintf(stderr, "chainsim study: internal error: rank 0 handed out run %u of %u\n", job, nruns);
      cs_study_mpi_abort(3);
    }
    CsStudyOutcome o;
    cs_study_run_one(&runs[job], &o);
    GByteArray *b = g_byte_array_new();
    put_u32(b, job);
    put_u32(b, (guint32) o.status);
    gsize loglen = o.log ? strlen(o.log) : 0;
    put_u32(b, (guint32) loglen);
    g_byte_array_append(b, (const guint8 *) (o.log ? o.log : ""), (guint) loglen);
    if (o.results && o.results_len < NO_RESULTS && o.results_len + b->len < G_MAXINT) {
      put_u32(b, (guint32) o.results_len);
      g_byte_array_append(b, (const guint8 *) o.results, (guint) o.results_len);
    } else {
      put_u32(b, NO_RESULTS);
    }
    MPI_Send(b->data, (int) b->len, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    g_byte_array_unref(b);
    cs_study_outcome_clear(&o);
  }
}

#else /* no MPI */

gboolean cs_study_mpi_available(void) { return FALSE; }
gboolean cs_study_mpi_init(int *argc, char ***argv, int *rank, int *size) { return FALSE; }
void cs_study_mpi_finalize(void) {}
void cs_study_mpi_abort(int status) { exit(status); }
guint cs_study_mpi_dispatch(const CsStudyRun *runs, const guint *todo, guint n, CsStudyDoneFn done,
                            gpointer data)
{
  return 0;
}
void cs_study_mpi_serve(const CsStudyRun *runs, guint nruns) {}

#endif
