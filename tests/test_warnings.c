/* test_warnings.c — the warnings of a run (warnings.h): one line each,
 * escaped, repeats counted; the link capacity check against statistics
 * buckets written directly (independent of the link model). */
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "classes.h"
#include "sim-private.h"
#include "warnings.h"
#include "testutil.h"

/* What a CsWarnings printed to a temporary stream. */
static char *printed(FILE *f)
{
  fflush(f);
  long n = ftell(f);
  rewind(f);
  char *buf = g_malloc0((gsize) n + 1);
  CU_ASSERT_EQUAL(fread(buf, 1, (size_t) n, f), (size_t) n);
  return buf;
}

static void test_lines_and_counts(void)
{
  FILE *f = tmpfile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CsWarnings *w = cs_warnings_new(f);
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_AFTER_END, "t.lua:3", "ask at %ds", 90));
  /* The same kind at the same place only counts, whatever the message. */
  CU_ASSERT_FALSE(cs_warnings_add(w, CS_WARN_AFTER_END, "t.lua:3", "ask at %ds", 95));
  /* Another kind at the same place, and the same kind elsewhere, are new. */
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_NOT_MEASURED, "t.lua:3", "read"));
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_AFTER_END, "t.lua:4", "deploy"));
  /* Without a place, the message tells warnings apart. */
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_OVER_CAPACITY, NULL, "link a->b"));
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_OVER_CAPACITY, NULL, "link b->a"));
  CU_ASSERT_FALSE(cs_warnings_add(w, CS_WARN_OVER_CAPACITY, NULL, "link a->b"));
  /* Control characters cannot break the line. */
  CU_ASSERT_TRUE(cs_warnings_add(w, CS_WARN_NOT_MEASURED, "x\ny.lua:1", "a\tb\x1b[31mc\x7f"));
  char *out = printed(f);
  CU_ASSERT_STRING_EQUAL(out,
                         "chainsim: warning: t.lua:3: ask at 90s\n"
                         "chainsim: warning: t.lua:3: read\n"
                         "chainsim: warning: t.lua:4: deploy\n"
                         "chainsim: warning: link a->b\n"
                         "chainsim: warning: link b->a\n"
                         "chainsim: warning: x\\ny.lua:1: a\\tb\\x1b[31mc\\x7f\n");
  g_free(out);
  CU_ASSERT_EQUAL_FATAL(cs_warnings_count(w), 6);
  CsWarnKind kind;
  const char *where, *message;
  guint64 count;
  cs_warnings_get(w, 0, &kind, &where, &message, &count);
  CU_ASSERT_EQUAL(kind, CS_WARN_AFTER_END);
  CU_ASSERT_STRING_EQUAL(where, "t.lua:3");
  CU_ASSERT_STRING_EQUAL(message, "ask at 90s"); /* the first occurrence's */
  CU_ASSERT_EQUAL(count, 2);
  cs_warnings_get(w, 3, &kind, &where, &message, &count);
  CU_ASSERT_EQUAL(kind, CS_WARN_OVER_CAPACITY);
  CU_ASSERT_PTR_NULL(where);
  CU_ASSERT_EQUAL(count, 2);
  /* Kept unescaped: results.json escapes on its own. */
  cs_warnings_get(w, 5, &kind, &where, &message, &count);
  CU_ASSERT_STRING_EQUAL(message, "a\tb\x1b[31mc\x7f");
  CU_ASSERT_STRING_EQUAL(cs_warn_kind_name(CS_WARN_AFTER_END), "after_end");
  CU_ASSERT_STRING_EQUAL(cs_warn_kind_name(CS_WARN_OVER_CAPACITY), "over_capacity");
  CU_ASSERT_STRING_EQUAL(cs_warn_kind_name(CS_WARN_NOT_MEASURED), "not_measured");
  cs_warnings_free(w);
  fclose(f);
}

static void test_over_capacity(void)
{
  /* 8 Mbps carries 1,000,000 bytes a second; 1 % more is allowed. */
  CU_ASSERT_FALSE(cs_warn_over_capacity(1000000, 8e6, 1.0));
  CU_ASSERT_FALSE(cs_warn_over_capacity(1009900, 8e6, 1.0));
  CU_ASSERT_TRUE(cs_warn_over_capacity(1010100, 8e6, 1.0));
  CU_ASSERT_TRUE(cs_warn_over_capacity(505100, 8e6, 0.5));
  CU_ASSERT_FALSE(cs_warn_over_capacity(504900, 8e6, 0.5));
  CU_ASSERT_FALSE(cs_warn_over_capacity(G_MAXUINT64, 0, 1.0)); /* no capacity known */
  CU_ASSERT_FALSE(cs_warn_over_capacity(100, 8e6, 0));
}

/* Two sites joined by an 8 Mbps link, 1 s buckets, bytes put straight into
 * the statistics; the run ends at 2.5 s, so the last bucket is half long. */
static void test_links(void)
{
  SimParams p;
  sim_params_default(&p);
  p.bucket = SIM_S;
  Sim *sim = sim_new(&p);
  cs_classes_register(sim);
  guint32 a = sim_site_add(sim, "dc"), b = sim_site_add(sim, "branch");
  guint32 l = sim_wan_add(sim, a, b, 8e6, 10 * SIM_MS, 0);
  /* dc->branch: 1.0099 MB in bucket 0 (within the slack), 1.5 MB in bucket 1
   * split over two classes; branch->dc: 0.6 MB in the last half-second
   * bucket (120 % of it, though only 60 % of a full bucket). */
  sim_stats_link(sim, l * 2, CS_CLS_BULK, 1009900, 1, 200 * SIM_MS, 200 * SIM_MS);
  sim_stats_link(sim, l * 2, CS_CLS_BULK, 1000000, 1, 1200 * SIM_MS, 1200 * SIM_MS);
  sim_stats_link(sim, l * 2, CS_CLS_SHARD, 500000, 1, 1300 * SIM_MS, 1300 * SIM_MS);
  sim_stats_link(sim, l * 2 + 1, CS_CLS_BULK, 600000, 1, 2100 * SIM_MS, 2100 * SIM_MS);
  sim_run_until(sim, 2500 * SIM_MS);
  sim_stats_flush(sim);
  CsWarnings *w = cs_warnings_new(NULL);
  cs_warnings_check_links(w, sim);
  CU_ASSERT_EQUAL_FATAL(cs_warnings_count(w), 2);
  CsWarnKind kind;
  const char *where, *message;
  guint64 count;
  cs_warnings_get(w, 0, &kind, &where, &message, &count);
  CU_ASSERT_EQUAL(kind, CS_WARN_OVER_CAPACITY);
  CU_ASSERT_PTR_NULL(where);
  CU_ASSERT_STRING_EQUAL(message, "link dc->branch carried more than its capacity in 1 of 3 "
                         "statistics buckets; the worst, at 1s, carried 1500000 bytes, 150% of "
                         "what 8 Mbps carries in 1s");
  cs_warnings_get(w, 1, &kind, &where, &message, &count);
  CU_ASSERT_STRING_EQUAL(message, "link branch->dc carried more than its capacity in 1 of 3 "
                         "statistics buckets; the worst, at 2s, carried 600000 bytes, 120% of "
                         "what 8 Mbps carries in 0.5s");
  cs_warnings_free(w);
  sim_free(sim);
}

static CU_TestInfo tests[] = {
  { "one line each, repeats counted, escaped", test_lines_and_counts },
  { "capacity with 1% slack", test_over_capacity },
  { "links checked per bucket and direction", test_links },
  CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
  return cs_test_main(argc, argv, "warnings", tests);
}
