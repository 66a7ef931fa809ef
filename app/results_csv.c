/* results_csv.c — server.csv and answers.csv beside timeseries.csv: the
 * server load and the answer curves the figures draw, as numbers.  See
 * results.h. */
#include "results.h"
#include "binding-private.h"
#include "outfile.h"

/* A time (>= 0) in seconds, exact to the simulation's nanosecond. */
static void put_seconds(FILE *f, SimTime t)
{
  fprintf(f, "%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT, t / SIM_S, t % SIM_S);
}

gboolean cs_results_write_server_csv(CsLua *ctx, const char *path, GError **err)
{
  CsOutfile *out = cs_outfile_open(path, err);
  if (out == NULL)
    return FALSE;
  FILE *f = cs_outfile_stream(out);
  fputs("time_s,registrations,queue_peak,connections_peak,persistent_peak\n", f);
  const CsServerLoad *load;
  guint n = cs_world_server_load(ctx->world, &load);
  SimTime bucket = sim_params(ctx->sim)->bucket;
  for (guint b = 0; b < n; b++) {
    put_seconds(f, (SimTime) b * bucket);
    fprintf(f, ",%u,%u,%u,%u\n", load[b].registrations, load[b].queue_peak, load[b].connections_peak,
            load[b].persistent_peak);
  }
  return cs_outfile_commit(out, err);
}

gboolean cs_results_write_answers_csv(CsLua *ctx, const char *path, GError **err)
{
  CsOutfile *out = cs_outfile_open(path, err);
  if (out == NULL)
    return FALSE;
  FILE *f = cs_outfile_stream(out);
  fputs("question,since_ask_s,answered,targets,fraction\n", f);
  CsWorld *w = ctx->world;
  for (guint32 q = 0; q < cs_world_question_count(w); q++) {
    const SimTime *ts;
    const guint32 *ns;
    guint n = cs_question_curve(w, q, &ts, &ns);
    guint32 targets = cs_question_targets(w, q);
    for (guint i = 0; i < n; i++) {
      if (i > 0 && ns[i] == ns[i - 1])
        continue; /* a batch that added nothing: the count did not rise */
      char frac[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_formatd(frac, sizeof frac, "%.6f", targets ? (double) ns[i] / targets : 0.0);
      fprintf(f, "%u,", q + 1);
      put_seconds(f, ts[i]);
      fprintf(f, ",%u,%u,%s\n", ns[i], targets, frac);
    }
  }
  return cs_outfile_commit(out, err);
}
