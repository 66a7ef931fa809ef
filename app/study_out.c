/* study_out.c — runs.csv, summary.csv, study.json and the plots of a study.
 * See study_out.h. */
#include "study_out.h"
#include "outfile.h"
#include "results.h"
#include "viz.h"
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void csv_field(GString *out, const char *s)
{
  if (strpbrk(s, ",\"\r\n") == NULL) {
    g_string_append(out, s);
    return;
  }
  g_string_append_c(out, '"');
  for (const char *p = s; *p; p++) {
    if (*p == '"')
      g_string_append_c(out, '"');
    g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
}

static void put_cell(GString *out, CsCell c)
{
  if (c.kind == CS_CELL_INT)
    g_string_append_printf(out, "%" G_GINT64_FORMAT, (gint64) c.v);
  else if (c.kind == CS_CELL_DOUBLE)
    cs_results_put_double(out, c.v);
}

/* A point's statistics as text (see study_out.h); empty strings where
 * undefined.  min and max are integers when every value of the point is. */
typedef struct {
  char mean[40], sd[40], lo[40], hi[40], min[40], max[40];
} StatText;

static void fmt_fixed(char *buf, gsize size, double v, int decimals)
{
  if (isnan(v)) {
    buf[0] = '\0';
    return;
  }
  char fmt[16];
  g_snprintf(fmt, sizeof fmt, "%%.%df", decimals);
  g_ascii_formatd(buf, size, fmt, v);
  if (strcmp(buf, "-0") == 0 || (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)))
    memmove(buf, buf + 1, strlen(buf)); /* no "-0.00" */
}

static void fmt_exact(char *buf, gsize size, double v, gboolean integer)
{
  if (isnan(v)) {
    buf[0] = '\0';
    return;
  }
  if (integer) {
    g_snprintf(buf, size, "%" G_GINT64_FORMAT, (gint64) v);
    return;
  }
  GString *s = g_string_new(NULL);
  cs_results_put_double(s, v);
  g_strlcpy(buf, s->str, size);
  g_string_free(s, TRUE);
}

static void stat_text(const CsStudyStats *st, gboolean integer, StatText *t)
{
  double half = (st->ci_high - st->ci_low) / 2;
  if (st->n >= 2 && isfinite(half) && half > 0) {
    int d = CLAMP(1 - (int) floor(log10(half)), 0, 17);
    fmt_fixed(t->mean, sizeof t->mean, st->mean, d);
    fmt_fixed(t->sd, sizeof t->sd, st->sd, d);
    fmt_fixed(t->lo, sizeof t->lo, st->ci_low, d);
    fmt_fixed(t->hi, sizeof t->hi, st->ci_high, d);
  } else {
    fmt_exact(t->mean, sizeof t->mean, st->mean, FALSE);
    fmt_exact(t->sd, sizeof t->sd, st->sd, FALSE);
    fmt_exact(t->lo, sizeof t->lo, st->ci_low, FALSE);
    fmt_exact(t->hi, sizeof t->hi, st->ci_high, FALSE);
  }
  fmt_exact(t->min, sizeof t->min, st->min, integer);
  fmt_exact(t->max, sizeof t->max, st->max, integer);
}

/* Whether every value of metric m at point p is an integer. */
static gboolean point_integer(const CsStudy *s, guint p, guint m)
{
  for (guint k = 0; k < s->reps; k++)
    if (cs_metrics_cell(s->metrics, p * s->reps + k, m).kind == CS_CELL_DOUBLE)
      return FALSE;
  return TRUE;
}

static const char *axis_key(const CsStudy *s, guint i) { return cs_grid_axis(s->grid, i)->key; }

static char *runs_csv(const CsStudy *s)
{
  GString *o = g_string_new("point,rep,seed,exit");
  guint na = cs_grid_axis_count(s->grid), nm = cs_metrics_count(s->metrics);
  for (guint i = 0; i < na; i++) {
    g_string_append_c(o, ',');
    csv_field(o, axis_key(s, i));
  }
  for (guint m = 0; m < nm; m++) {
    g_string_append_c(o, ',');
    csv_field(o, cs_metrics_name(s->metrics, m));
  }
  g_string_append_c(o, '\n');
  for (guint r = 0; r < s->nruns; r++) {
    const CsStudyRun *run = &s->runs[r];
    g_autofree char *pname = cs_grid_point_name(s->grid, run->point);
    csv_field(o, pname);
    g_string_append_printf(o, ",%u,%" G_GUINT64_FORMAT ",%d", run->rep, run->seed, s->outcomes[r].status);
    for (guint i = 0; i < na; i++) {
      g_string_append_c(o, ',');
      csv_field(o, cs_grid_value(s->grid, run->point, i));
    }
    for (guint m = 0; m < nm; m++) {
      g_string_append_c(o, ',');
      put_cell(o, cs_metrics_cell(s->metrics, r, m));
    }
    g_string_append_c(o, '\n');
  }
  return g_string_free(o, FALSE);
}

static char *summary_csv(const CsStudy *s)
{
  GString *o = g_string_new("point");
  guint na = cs_grid_axis_count(s->grid), nm = cs_metrics_count(s->metrics);
  for (guint i = 0; i < na; i++) {
    g_string_append_c(o, ',');
    csv_field(o, axis_key(s, i));
  }
  g_string_append(o, ",metric,n,mean,sd,ci95_low,ci95_high,min,max\n");
  for (guint p = 0; p < s->npoints; p++) {
    g_autofree char *pname = cs_grid_point_name(s->grid, p);
    for (guint m = 0; m < nm; m++) {
      if (!s->present[(gsize) p * nm + m])
        continue;
      const CsStudyStats *st = &s->stats[(gsize) p * nm + m];
      StatText t;
      stat_text(st, point_integer(s, p, m), &t);
      csv_field(o, pname);
      for (guint i = 0; i < na; i++) {
        g_string_append_c(o, ',');
        csv_field(o, cs_grid_value(s->grid, p, i));
      }
      g_string_append_c(o, ',');
      csv_field(o, cs_metrics_name(s->metrics, m));
      g_string_append_printf(o, ",%u,%s,%s,%s,%s,%s,%s\n", st->n, t.mean, t.sd, t.lo, t.hi, t.min, t.max);
    }
  }
  return g_string_free(o, FALSE);
}

/* ---- study.json ---------------------------------------------------------------- */

static void json_num(JsonBuilder *b, const char *name, const char *text)
{
  json_builder_set_member_name(b, name);
  if (*text == '\0')
    json_builder_add_null_value(b);
  else if (strpbrk(text, ".eEn") == NULL)
    json_builder_add_int_value(b, g_ascii_strtoll(text, NULL, 10));
  else
    json_builder_add_double_value(b, g_ascii_strtod(text, NULL));
}

static void json_params(JsonBuilder *b, const CsStudy *s, guint p)
{
  json_builder_set_member_name(b, "params");
  json_builder_begin_object(b);
  for (guint i = 0; i < cs_grid_axis_count(s->grid); i++) {
    json_builder_set_member_name(b, axis_key(s, i));
    json_builder_add_string_value(b, cs_grid_value(s->grid, p, i));
  }
  json_builder_end_object(b);
}

static void json_description(JsonBuilder *b, const CsStudy *s)
{
  json_builder_set_member_name(b, "study");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "version");
  json_builder_add_string_value(b, CHAINSIM_VERSION);
  json_builder_set_member_name(b, "scenario");
  if (s->scenario)
    json_builder_add_string_value(b, s->scenario);
  else
    json_builder_add_string_value(b, "builtin:enterprise.lua");
  json_builder_set_member_name(b, "seed");
  json_builder_add_int_value(b, (gint64) s->seed);
  json_builder_set_member_name(b, "seed_derivation");
  json_builder_add_string_value(b, "replication k: splitmix64(seed + k * 0x9E3779B97F4A7C15) >> 1");
  json_builder_set_member_name(b, "replications");
  json_builder_add_int_value(b, s->reps);
  json_builder_set_member_name(b, "points");
  json_builder_add_int_value(b, s->npoints);
  json_builder_set_member_name(b, "grid");
  json_builder_begin_array(b);
  for (guint i = 0; i < cs_grid_axis_count(s->grid); i++) {
    const CsGridAxis *ax = cs_grid_axis(s->grid, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "key");
    json_builder_add_string_value(b, ax->key);
    json_builder_set_member_name(b, "values");
    json_builder_begin_array(b);
    for (guint v = 0; v < ax->values->len; v++)
      json_builder_add_string_value(b, g_ptr_array_index(ax->values, v));
    json_builder_end_array(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "set");
  json_builder_begin_object(b);
  for (guint i = 0; i < s->set_keys->len; i++) {
    json_builder_set_member_name(b, g_ptr_array_index(s->set_keys, i));
    json_builder_add_string_value(b, g_ptr_array_index(s->set_values, i));
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "figures");
  json_builder_add_boolean_value(b, s->figures);
  json_builder_set_member_name(b, "plots");
  json_builder_begin_array(b);
  for (guint i = 0; i < s->plots->len; i++)
    json_builder_add_string_value(b, ((CsStudyPlot *) g_ptr_array_index(s->plots, i))->spec);
  json_builder_end_array(b);
  json_builder_end_object(b);
}

static char *study_json(const CsStudy *s)
{
  guint nm = cs_metrics_count(s->metrics);
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_description(b, s);
  json_builder_set_member_name(b, "runs");
  json_builder_begin_array(b);
  for (guint r = 0; r < s->nruns; r++) {
    const CsStudyRun *run = &s->runs[r];
    g_autofree char *pname = cs_grid_point_name(s->grid, run->point);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "point");
    json_builder_add_string_value(b, pname);
    json_builder_set_member_name(b, "rep");
    json_builder_add_int_value(b, run->rep);
    json_builder_set_member_name(b, "seed");
    json_builder_add_int_value(b, (gint64) run->seed);
    json_builder_set_member_name(b, "exit");
    json_builder_add_int_value(b, s->outcomes[r].status);
    json_params(b, s, run->point);
    json_builder_set_member_name(b, "metrics");
    json_builder_begin_object(b);
    for (guint m = 0; m < nm; m++) {
      CsCell c = cs_metrics_cell(s->metrics, r, m);
      if (c.kind == CS_CELL_MISSING)
        continue;
      json_builder_set_member_name(b, cs_metrics_name(s->metrics, m));
      if (c.kind == CS_CELL_INT)
        json_builder_add_int_value(b, (gint64) c.v);
      else if (c.kind == CS_CELL_DOUBLE)
        json_builder_add_double_value(b, c.v);
      else
        json_builder_add_null_value(b);
    }
    json_builder_end_object(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "summary");
  json_builder_begin_array(b);
  for (guint p = 0; p < s->npoints; p++) {
    g_autofree char *pname = cs_grid_point_name(s->grid, p);
    for (guint m = 0; m < nm; m++) {
      if (!s->present[(gsize) p * nm + m])
        continue;
      const CsStudyStats *st = &s->stats[(gsize) p * nm + m];
      StatText t;
      stat_text(st, point_integer(s, p, m), &t);
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "point");
      json_builder_add_string_value(b, pname);
      json_params(b, s, p);
      json_builder_set_member_name(b, "metric");
      json_builder_add_string_value(b, cs_metrics_name(s->metrics, m));
      json_builder_set_member_name(b, "n");
      json_builder_add_int_value(b, st->n);
      json_num(b, "mean", t.mean);
      json_num(b, "sd", t.sd);
      json_num(b, "ci95_low", t.lo);
      json_num(b, "ci95_high", t.hi);
      json_num(b, "min", t.min);
      json_num(b, "max", t.max);
      json_builder_end_object(b);
    }
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  char *text = cs_results_to_json(root);
  json_node_unref(root);
  return text;
}

/* ---- plots ------------------------------------------------------------------------ */

static char *plot_path(const CsStudy *s, const CsStudyPlot *pl)
{
  GString *n = g_string_new("plot-");
  g_string_append_printf(n, "%s-vs-%s", pl->metric, axis_key(s, (guint) pl->key));
  if (pl->by >= 0)
    g_string_append_printf(n, "-by-%s", axis_key(s, (guint) pl->by));
  for (gsize i = 5; i < n->len; i++)
    if (!(g_ascii_isalnum(n->str[i]) || strchr("._-", n->str[i])))
      n->str[i] = '_';
  g_string_append_printf(n, ".%s", s->plot_format);
  char *p = g_build_filename(s->out, n->str, NULL);
  g_string_free(n, TRUE);
  return p;
}

static gboolean draw_plot(const CsStudy *s, const CsStudyPlot *pl, GError **err)
{
  int m = cs_metrics_find(s->metrics, pl->metric);
  if (m < 0) {
    g_set_error(err, CS_STUDY_ERROR, CS_STUDY_ERROR_PLOT,
                "--plot \"%s\": no run has a metric '%s' (runs.csv names them all)", pl->spec, pl->metric);
    return FALSE;
  }
  guint nm = cs_metrics_count(s->metrics);
  const CsGridAxis *ax = cs_grid_axis(s->grid, (guint) pl->key);
  guint nv = ax->values->len;
  guint nb = pl->by >= 0 ? cs_grid_axis(s->grid, (guint) pl->by)->values->len : 1;
  /* x: the values as numbers when they all are, with one unit; else 0, 1, ... */
  double *tx = g_new(double, nv);
  g_autofree char *unit = NULL;
  gboolean numeric = TRUE;
  for (guint i = 0; i < nv; i++) {
    g_autofree char *u = NULL;
    if (!cs_grid_number(g_ptr_array_index(ax->values, i), &tx[i], &u) || (unit && strcmp(unit, u) != 0))
      numeric = FALSE;
    if (!unit && u)
      unit = g_steal_pointer(&u);
  }
  if (!numeric)
    for (guint i = 0; i < nv; i++)
      tx[i] = i;
  double *buf = g_new(double, (gsize) nb * nv * 3);
  CsVizCurve *cv = g_new0(CsVizCurve, nb);
  char **labels = g_new0(char *, nb + 1);
  guint *idx = g_new0(guint, MAX(cs_grid_axis_count(s->grid), 1));
  for (guint b = 0; b < nb; b++) {
    double *mean = buf + (gsize) b * nv * 3, *lo = mean + nv, *hi = lo + nv;
    for (guint i = 0; i < nv; i++) {
      idx[pl->key] = i;
      if (pl->by >= 0)
        idx[pl->by] = b;
      const CsStudyStats *st = &s->stats[(gsize) cs_grid_point_of(s->grid, idx) * nm + (guint) m];
      mean[i] = st->n > 0 ? st->mean : NAN;
      lo[i] = st->n > 1 ? st->ci_low : NAN;
      hi[i] = st->n > 1 ? st->ci_high : NAN;
    }
    if (pl->by >= 0) {
      const CsGridAxis *bax = cs_grid_axis(s->grid, (guint) pl->by);
      labels[b] = g_strdup_printf("%s = %s", bax->key, (char *) g_ptr_array_index(bax->values, b));
    }
    cv[b] = (CsVizCurve){ labels[b], nv, tx, mean, lo, hi };
  }
  g_autofree char *title = g_strdup_printf("%s against %s", pl->metric, ax->key);
  g_autofree char *sub = g_strdup_printf("mean and 95 %% confidence interval (Student t) of %u replication%s per "
                                         "point · %s%s%s",
                                         s->reps, s->reps == 1 ? "" : "s",
                                         s->scenario ? s->scenario : "builtin:enterprise.lua",
                                         pl->by >= 0 ? " · one line per " : "",
                                         pl->by >= 0 ? axis_key(s, (guint) pl->by) : "");
  g_autofree char *xlabel = numeric && unit && *unit ? g_strdup_printf("%s (%s)", ax->key, unit) : g_strdup(ax->key);
  CsVizCurveAxes axes = {
    .title = title,
    .subtitle = sub,
    .xlabel = xlabel,
    .ylabel = pl->metric,
    .xlog = numeric && ax->geometric,
    .nticks = nv,
    .tick_x = tx,
    .tick_label = (const char *const *) ax->values->pdata,
  };
  g_autofree char *path = plot_path(s, pl);
  gboolean ok = cs_viz_curves(path, &axes, cv, nb, NULL, err);
  g_strfreev(labels);
  g_free(idx);
  g_free(cv);
  g_free(buf);
  g_free(tx);
  return ok;
}

gboolean cs_study_write_outputs(CsStudy *s, GError **err)
{
  static const char *const names[] = { "runs.csv", "summary.csv", "study.json" };
  char *text[3] = { runs_csv(s), summary_csv(s), study_json(s) };
  gboolean ok = TRUE;
  for (int i = 0; i < 3; i++) {
    if (ok) {
      char *path = g_build_filename(s->out, names[i], NULL);
      ok = cs_outfile_write(path, text[i], strlen(text[i]), err);
      g_free(path);
    }
    g_free(text[i]);
  }
  for (guint i = 0; ok && i < s->plots->len; i++)
    ok = draw_plot(s, g_ptr_array_index(s->plots, i), err);
  return ok;
}
