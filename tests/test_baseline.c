/* test_baseline.c — reading and comparing a --baseline results.json
 * (app/baseline.c) on odd input the fuzzer found. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "baseline.h"
#include "testutil.h"

/* Loads text as a baseline; NULL when refused. */
static JsonNode *load(const char *text)
{
  char *path = NULL;
  int fd = g_file_open_tmp("chainsim-baseline-XXXXXX.json", &path, NULL);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
  GError *e = NULL;
  JsonNode *n = cs_baseline_load(path, &e);
  g_clear_error(&e);
  g_unlink(path);
  g_free(path);
  return n;
}

/* Question ids that are no int64 (1e300, 1e19, 0.5) are not ids: they are
 * skipped, where converting them was undefined behaviour (UBSan stops). */
static void test_ids_out_of_range(void)
{
  JsonNode *old = load("{\"run\":1,\"questions\":[{\"id\":1e300,\"answered\":1},"
                       "{\"id\":-1e300},{\"id\":1e19},{\"id\":0.5},{\"id\":\"x\"},"
                       "{\"id\":2,\"answered\":5}]}");
  JsonNode *cur = load("{\"run\":1,\"questions\":[{\"id\":2,\"answered\":6}]}");
  CU_ASSERT_PTR_NOT_NULL_FATAL(old);
  CU_ASSERT_PTR_NOT_NULL_FATAL(cur);
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  /* Only question 2 is compared: 5 -> 6 moves past 5 %. */
  CU_ASSERT_EQUAL(cs_baseline_compare(old, cur, 0.05, "old.json", out), 1);
  fclose(out);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "questions[2].answered"));
  CU_ASSERT_PTR_NULL(strstr(buf, "questions[-"));
  free(buf);
  json_node_unref(old);
  json_node_unref(cur);
}

static CU_TestInfo baseline_tests[] = {
  { "ids out of range are skipped", test_ids_out_of_range },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "baseline", .pTests = baseline_tests },
  CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
  return cs_test_main_suites(argc, argv, suites);
}
