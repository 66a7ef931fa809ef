/* test_study.c — the parts of chainsim study that are not processes: grid
 * parsing (study_grid.h), the replication seeds, Student's t and the
 * statistics of a point (study_stats.h), results.json flattened into dotted
 * paths (study_metrics.h), and the curves figure (viz.h cs_viz_curves).
 * The processes themselves (-j, MPI, resumption, failures) are tested by
 * tests/study.cmake. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <math.h>
#include <string.h>
#include "study_grid.h"
#include "study_metrics.h"
#include "study_stats.h"
#include "testutil.h"
#include "viz.h"

/* ---- grids ------------------------------------------------------------------ */

/* The values of the one axis spec gives, joined by ','. */
static char *axis_values(const char *spec)
{
  g_autoptr(CsGrid) g = cs_grid_new();
  GError *e = NULL;
  if (!cs_grid_add(g, spec, &e)) {
    fprintf(stderr, "\n%s: %s\n", spec, e->message);
    g_error_free(e);
    return g_strdup("(error)");
  }
  const CsGridAxis *a = cs_grid_axis(g, 0);
  g_ptr_array_add(a->values, NULL);
  char *s = g_strjoinv(",", (char **) a->values->pdata);
  g_ptr_array_remove_index(a->values, a->values->len - 1);
  return s;
}

static void expect_values(const char *spec, const char *want)
{
  g_autofree char *got = axis_values(spec);
  if (strcmp(got, want) != 0)
    fprintf(stderr, "\n%s: got %s, want %s\n", spec, got, want);
  CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_grid_values(void)
{
  expect_values("bw=10Mbps,20Mbps,50Mbps", "10Mbps,20Mbps,50Mbps");
  expect_values("endpoints=1000:10000:x2", "1000,2000,4000,8000");
  expect_values("endpoints=1000:8000:x2", "1000,2000,4000,8000");
  expect_values("bw=10Mbps:80Mbps:x2", "10Mbps,20Mbps,40Mbps,80Mbps");
  expect_values("n=1:10:+3", "1,4,7,10");
  expect_values("n=1:10:3", "1,4,7,10");
  expect_values("n=5:5:+1", "5");
  expect_values("loss=0:0.02:+0.005", "0,0.005,0.01,0.015,0.02");
  expect_values("d=0.5:2:x2", "0.5,1,2");
  expect_values("t=1.5s:3s:+0.5s", "1.5s,2s,2.5s,3s");
  expect_values("mode=a", "a");
}

static void test_grid_points(void)
{
  g_autoptr(CsGrid) g = cs_grid_new();
  CU_ASSERT_EQUAL(cs_grid_points(g), 1);
  g_autofree char *base = cs_grid_point_name(g, 0);
  CU_ASSERT_STRING_EQUAL(base, "base");
  CU_ASSERT_TRUE(cs_grid_add(g, "a=1,2,3", NULL));
  CU_ASSERT_TRUE(cs_grid_add(g, "b=x,y", NULL));
  CU_ASSERT_EQUAL(cs_grid_points(g), 6);
  /* The last key varies fastest. */
  static const char *const names[] = { "a=1,b=x", "a=1,b=y", "a=2,b=x", "a=2,b=y", "a=3,b=x", "a=3,b=y" };
  for (guint p = 0; p < 6; p++) {
    g_autofree char *n = cs_grid_point_name(g, p);
    CU_ASSERT_STRING_EQUAL(n, names[p]);
    guint idx[2] = { cs_grid_value_index(g, p, 0), cs_grid_value_index(g, p, 1) };
    CU_ASSERT_EQUAL(cs_grid_point_of(g, idx), p);
  }
  CU_ASSERT_STRING_EQUAL(cs_grid_value(g, 3, 0), "2");
  CU_ASSERT_STRING_EQUAL(cs_grid_value(g, 3, 1), "y");
  CU_ASSERT_EQUAL(cs_grid_find(g, "b"), 1);
  CU_ASSERT_EQUAL(cs_grid_find(g, "c"), -1);
  CU_ASSERT_FALSE(cs_grid_axis(g, 0)->geometric);
  CU_ASSERT_TRUE(cs_grid_add(g, "c=1:4:x2", NULL));
  CU_ASSERT_TRUE(cs_grid_axis(g, 2)->geometric);
}

static void expect_grid_error(const char *spec, const char *fragment)
{
  g_autoptr(CsGrid) g = cs_grid_new();
  CU_ASSERT_TRUE(cs_grid_add(g, "taken=1,2", NULL));
  GError *e = NULL;
  gboolean ok = cs_grid_add(g, spec, &e);
  if (ok)
    fprintf(stderr, "\n%s: accepted\n", spec);
  CU_ASSERT_FALSE(ok);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  if (strstr(e->message, fragment) == NULL)
    fprintf(stderr, "\n%s: got <%s>, want it to hold <%s>\n", spec, e->message, fragment);
  CU_ASSERT_PTR_NOT_NULL(strstr(e->message, fragment));
  CU_ASSERT_EQUAL(cs_grid_axis_count(g), 1); /* nothing added */
  g_error_free(e);
}

static void test_grid_errors(void)
{
  expect_grid_error("bw", "--grid: expected KEY=V1,V2");
  expect_grid_error("1bw=1,2", "--grid: expected KEY=");
  expect_grid_error("b-w=1,2", "--grid: expected KEY=");
  expect_grid_error("bw=", "--grid bw: empty value");
  expect_grid_error("bw=1,,2", "--grid bw: empty value");
  expect_grid_error("bw=1,2,1", "--grid bw: value \"1\" given twice");
  expect_grid_error("bw=a/b", "holds '/'");
  expect_grid_error("bw=a b", "holds 'a blank'");
  expect_grid_error("bw=..", "cannot name a folder");
  expect_grid_error("taken=3", "--grid taken: the key is swept twice");
  expect_grid_error("n=1:10", "expected a range A:B:xF or A:B:+S");
  expect_grid_error("n=1:10:x2:3", "expected a range");
  expect_grid_error("n=a:10:+1", "range ends must be numbers");
  expect_grid_error("n=-1:10:+1", "range ends must be numbers");
  expect_grid_error("n=1Mbps:10Gbps:x2", "different units");
  expect_grid_error("n=10:1:+1", "range start 10 is above its end 1");
  expect_grid_error("n=1:10:+0", "the step must be above 0");
  expect_grid_error("n=1:10:x1", "the factor must be above 1");
  expect_grid_error("n=1:10:x0.5", "the factor must be above 1");
  expect_grid_error("n=0:10:x2", "a geometric range must start above 0");
  expect_grid_error("n=1:10:y2", "expected a step like +5 or a factor like x2");
  expect_grid_error("n=1:100000:+1", "more than 10000 values");
  /* 10000 x 2 x 60 points is over the limit. */
  g_autoptr(CsGrid) g = cs_grid_new();
  CU_ASSERT_TRUE(cs_grid_add(g, "a=1:10000:+1", NULL));
  CU_ASSERT_TRUE(cs_grid_add(g, "b=1:2:+1", NULL));
  GError *e = NULL;
  CU_ASSERT_FALSE(cs_grid_add(g, "c=1:60:+1", &e));
  CU_ASSERT_PTR_NOT_NULL(e && strstr(e->message, "more than 1000000 points"));
  g_clear_error(&e);
}

/* ---- seeds ----------------------------------------------------------------------- */

static void test_seeds(void)
{
  /* SplitMix64's finaliser of master + k * 0x9E3779B97F4A7C15, >> 1
   * (values computed apart from chainsim). */
  CU_ASSERT_EQUAL(cs_grid_seed(1, 1), G_GUINT64_CONSTANT(5225608189600411232));
  CU_ASSERT_EQUAL(cs_grid_seed(1, 2), G_GUINT64_CONSTANT(6878622605533214259));
  CU_ASSERT_EQUAL(cs_grid_seed(0, 1), G_GUINT64_CONSTANT(8147104208329303767));
  CU_ASSERT_EQUAL(cs_grid_seed(G_MAXINT64, 5), G_GUINT64_CONSTANT(2995092208083925861));
  /* Within chainsim run --seed's range, and distinct for the first 1000
   * replications of a few master seeds. */
  g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  static gint64 keep[4000];
  guint n = 0;
  for (guint64 m = 0; m < 4; m++)
    for (guint k = 1; k <= 1000; k++) {
      guint64 s = cs_grid_seed(m, k);
      CU_ASSERT(s <= (guint64) G_MAXINT64);
      keep[n] = (gint64) s;
      CU_ASSERT_FALSE(g_hash_table_contains(seen, &keep[n]));
      g_hash_table_add(seen, &keep[n]);
      n++;
    }
}

/* ---- statistics ---------------------------------------------------------------------- */

static void test_t_quantile(void)
{
  /* Two-sided 95 % (p = 0.975) and one-sided 95 % critical values of
   * Student's t, as tabulated (6 decimals). */
  static const struct {
    double p;
    guint df;
    double t;
  } table[] = {
    { 0.975, 1, 12.706205 }, { 0.975, 2, 4.302653 },  { 0.975, 3, 3.182446 },  { 0.975, 4, 2.776445 },
    { 0.975, 5, 2.570582 },  { 0.975, 7, 2.364624 },  { 0.975, 9, 2.262157 },  { 0.975, 10, 2.228139 },
    { 0.975, 29, 2.045230 }, { 0.975, 120, 1.979930 }, { 0.95, 10, 1.812461 },  { 0.995, 4, 4.604095 },
    { 0.9, 1, 3.077684 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++) {
    double t = cs_study_t_quantile(table[i].p, table[i].df);
    if (fabs(t - table[i].t) > 1e-6)
      fprintf(stderr, "\nt(%g, %u) = %.9f, want %.6f\n", table[i].p, table[i].df, t, table[i].t);
    CU_ASSERT_DOUBLE_EQUAL(t, table[i].t, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(cs_study_t_quantile(1 - table[i].p, table[i].df), -table[i].t, 1e-6);
  }
  /* Large df: the normal quantile. */
  CU_ASSERT_DOUBLE_EQUAL(cs_study_t_quantile(0.975, 1000000), 1.959964, 1e-5);
  CU_ASSERT_DOUBLE_EQUAL(cs_study_t_quantile(0.5, 3), 0, 0);
  /* The CDF at 0 and its symmetry. */
  CU_ASSERT_DOUBLE_EQUAL(cs_study_t_cdf(0, 5), 0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(cs_study_t_cdf(-2, 5) + cs_study_t_cdf(2, 5), 1, 1e-15);
}

static void test_stats(void)
{
  /* mean 5, sample sd sqrt(32/7), interval 5 ± t(0.975, 7) · sd / √8. */
  static const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  CsStudyStats s;
  cs_study_stats(x, 8, &s);
  CU_ASSERT_EQUAL(s.n, 8);
  CU_ASSERT_DOUBLE_EQUAL(s.mean, 5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(s.sd, 2.138089935299395, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(s.ci_low, 3.2125120817637898, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(s.ci_high, 6.78748791823621, 1e-9);
  CU_ASSERT_EQUAL(s.min, 2);
  CU_ASSERT_EQUAL(s.max, 9);
  /* One value: no spread, no interval. */
  cs_study_stats(x + 3, 1, &s);
  CU_ASSERT_EQUAL(s.mean, 4);
  CU_ASSERT_TRUE(isnan(s.sd) && isnan(s.ci_low) && isnan(s.ci_high));
  /* Equal values: exactly that value, whatever the sum's rounding. */
  static const double same[] = { 0.1, 0.1, 0.1 };
  cs_study_stats(same, 3, &s);
  CU_ASSERT_EQUAL(s.mean, 0.1);
  CU_ASSERT_EQUAL(s.sd, 0);
  CU_ASSERT_EQUAL(s.ci_low, 0.1);
  CU_ASSERT_EQUAL(s.ci_high, 0.1);
  cs_study_stats(NULL, 0, &s);
  CU_ASSERT_EQUAL(s.n, 0);
  CU_ASSERT_TRUE(isnan(s.mean));
}

/* ---- metrics ------------------------------------------------------------------------- */

static void test_metrics(void)
{
  static const char run0[] =
    "{\"run\": {\"seed\": 5, \"version\": \"0.1\", \"events\": 10},"
    " \"questions\": [{\"id\": 1, \"time_to_ms\": {\"p99\": 2.5}}, {\"id\": 2, \"time_to_ms\": {\"p99\": null}}],"
    " \"wan\": {\"links\": [{\"name\": \"dc->br1\", \"peak_utilization\": 0.25}]},"
    " \"list\": [3, [4]], \"ok\": true}";
  static const char run1[] = "{\"run\": {\"events\": 12, \"extra\": 1.0}, \"ok\": false}";
  g_autoptr(CsMetrics) m = cs_metrics_new(3);
  CU_ASSERT_TRUE(cs_metrics_add_run(m, 0, run0, strlen(run0), NULL));
  CU_ASSERT_TRUE(cs_metrics_add_run(m, 1, run1, strlen(run1), NULL));
  GError *e = NULL;
  CU_ASSERT_FALSE(cs_metrics_add_run(m, 2, "[1]", 3, &e));
  g_clear_error(&e);
  CU_ASSERT_FALSE(cs_metrics_add_run(m, 2, "{\"a\":", 5, &e));
  g_clear_error(&e);
  /* Document order, the first run's paths first; no run.seed, no strings,
   * no id or name members. */
  static const char *const names[] = {
    "run.events", "questions.1.time_to_ms.p99", "questions.2.time_to_ms.p99", "wan.links.dc->br1.peak_utilization",
    "list.0", "list.1.0", "ok", "run.extra",
  };
  CU_ASSERT_EQUAL_FATAL(cs_metrics_count(m), G_N_ELEMENTS(names));
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    CU_ASSERT_STRING_EQUAL(cs_metrics_name(m, i), names[i]);
    CU_ASSERT_EQUAL(cs_metrics_find(m, names[i]), (int) i);
  }
  CU_ASSERT_EQUAL(cs_metrics_find(m, "run.seed"), -1);
  CsCell c = cs_metrics_cell(m, 0, 0);
  CU_ASSERT(c.kind == CS_CELL_INT && c.v == 10);
  c = cs_metrics_cell(m, 0, 1);
  CU_ASSERT(c.kind == CS_CELL_DOUBLE && c.v == 2.5);
  CU_ASSERT_EQUAL(cs_metrics_cell(m, 0, 2).kind, CS_CELL_NULL);
  c = cs_metrics_cell(m, 0, 6);
  CU_ASSERT(c.kind == CS_CELL_INT && c.v == 1);
  c = cs_metrics_cell(m, 1, 6);
  CU_ASSERT(c.kind == CS_CELL_INT && c.v == 0);
  CU_ASSERT_EQUAL(cs_metrics_cell(m, 1, 1).kind, CS_CELL_MISSING);
  CU_ASSERT_EQUAL(cs_metrics_cell(m, 0, 7).kind, CS_CELL_MISSING);
  c = cs_metrics_cell(m, 1, 7);
  CU_ASSERT(c.kind == CS_CELL_DOUBLE && c.v == 1.0);
  CU_ASSERT_EQUAL(cs_metrics_cell(m, 2, 0).kind, CS_CELL_MISSING);
}

/* ---- the curves figure ------------------------------------------------------------------ */

static void test_curves_figure(void)
{
  static const double x[] = { 10, 20, 50 };
  static const double m1[] = { 100, 80, 70 }, lo1[] = { 90, 75, 40 }, hi1[] = { 110, 85, 100 };
  static const double m2[] = { 200, 150, NAN }, lo2[] = { NAN, 140, NAN }, hi2[] = { NAN, 160, NAN };
  static const char *const ticks[] = { "10Mbps", "20Mbps", "50Mbps" };
  CsVizCurve cv[] = { { "endpoints = 1000", 3, x, m1, lo1, hi1 }, { "endpoints = 2000", 3, x, m2, lo2, hi2 } };
  CsVizCurveAxes ax = { .title = "p99 against bw", .subtitle = "mean and 95 % CI", .xlabel = "bw (Mbps)",
                        .ylabel = "questions.1.time_to_ms.p99", .nticks = 3, .tick_x = x, .tick_label = ticks };
  g_autofree char *dir = g_dir_make_tmp("test-study-XXXXXX", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
  static const char *const files[] = { "c.png", "c.svg", "c.pdf" };
  static const char *const sig[] = { "\x89PNG", "<?xml", "%PDF-" };
  for (int f = 0; f < 3; f++) {
    g_autoptr(CsVizLabels) l = cs_viz_labels_new();
    CsVizOptions o;
    cs_viz_options_default(&o);
    o.labels = l;
    g_autofree char *path = g_build_filename(dir, files[f], NULL);
    GError *e = NULL;
    gboolean ok = cs_viz_curves(path, &ax, cv, 2, &o, &e);
    if (!ok)
      fprintf(stderr, "\n%s\n", e->message);
    CU_ASSERT_TRUE_FATAL(ok);
    g_autofree char *head = NULL;
    gsize len = 0;
    CU_ASSERT_TRUE(g_file_get_contents(path, &head, &len, NULL));
    CU_ASSERT(len > 5 && memcmp(head, sig[f], strlen(sig[f])) == 0);
    static const char *const want[] = { "p99 against bw", "mean and 95 % CI", "10Mbps", "20Mbps", "50Mbps",
                                        "endpoints = 1000", "endpoints = 2000", "questions.1.time_to_ms.p99" };
    for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
      if (!cs_viz_labels_has(l, want[i], TRUE))
        fprintf(stderr, "\nmissing label %s\n", want[i]);
      CU_ASSERT_TRUE(cs_viz_labels_has(l, want[i], TRUE));
    }
    CU_ASSERT_TRUE(cs_viz_labels_has(l, "bw (Mbps)", FALSE));
    /* The y axis spans the intervals (40 .. 200), not only the means
     * (70 .. 200): ticks every 50 from 0 to 200. */
    CU_ASSERT_TRUE(cs_viz_labels_has(l, "0", TRUE));
    CU_ASSERT_TRUE(cs_viz_labels_has(l, "50", TRUE));
    CU_ASSERT_TRUE(cs_viz_labels_has(l, "200", TRUE));
    guint a, b;
    gboolean overlap = cs_viz_labels_overlap(l, 0.5, &a, &b);
    if (overlap)
      fprintf(stderr, "\noverlap: %s / %s\n", cs_viz_labels_get(l, a)->text, cs_viz_labels_get(l, b)->text);
    CU_ASSERT_FALSE(overlap);
  }
  /* A bad extension is refused and leaves nothing. */
  g_autofree char *bad = g_build_filename(dir, "c.gif", NULL);
  GError *e = NULL;
  CU_ASSERT_FALSE(cs_viz_curves(bad, &ax, cv, 2, NULL, &e));
  CU_ASSERT_TRUE(g_error_matches(e, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT));
  g_clear_error(&e);
  CU_ASSERT_FALSE(g_file_test(bad, G_FILE_TEST_EXISTS));
  cs_test_remove_tree(dir);
}

int main(int argc, char **argv)
{
  static CU_TestInfo tests[] = {
    { "grid values", test_grid_values },
    { "grid points and names", test_grid_points },
    { "bad grids", test_grid_errors },
    { "replication seeds", test_seeds },
    { "Student t quantiles against the table", test_t_quantile },
    { "statistics of a known sample", test_stats },
    { "results flattened to dotted paths", test_metrics },
    { "the curves figure", test_curves_figure },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "study", tests);
}
