/* test_outputs.c — what chainsim run writes, read back through the real
 * command line: server.csv and answers.csv agree with results.json, and
 * every key results.json holds is documented in docs/results.md.
 *
 * Key convention (docs/results.md, "How to read the key names"): a key is its
 * path from the top, objects joined by '.', an array's elements as "[]"
 * (questions[].answered), and a key chosen by the run rather than by chainsim
 * (a sensor value in questions[].result) as '*'.  The document names each
 * path in backquotes; an empty object or array is named by its own path. */
#include "testutil.h"
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define CHAINSIM CHAINSIM_BINARY_DIR "/chainsim"
#define DOC CHAINSIM_SOURCE_DIR "/docs/results.md"

/* Objects whose member names are data: their members collapse to '*'. */
static const char *const DYNAMIC[] = { "questions[].result", "run.params", NULL };

static char *scratch;

/* Runs chainsim on a scenario (NULL: the built-in one) into a fresh folder
 * under the scratch space; returns the folder, or NULL if the run failed. */
static char *run(const char *scenario, const char *name)
{
  char *out = g_build_filename(scratch, name, NULL);
  char *path = scenario ? g_build_filename(CHAINSIM_SOURCE_DIR, "tests", "scenarios", scenario, NULL) : NULL;
  char *argv[] = { CHAINSIM, "run", "--no-figures", "--quiet", "--out", out, path, NULL };
  int status = 0;
  char *err = NULL;
  gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL) &&
                g_spawn_check_wait_status(status, NULL);
  if (!ok)
    fprintf(stderr, "chainsim run %s: %s\n", scenario ? scenario : "(built-in)", err ? err : "");
  g_free(err);
  g_free(path);
  if (!ok) {
    g_free(out);
    return NULL;
  }
  return out;
}

static JsonNode *load_json(const char *dir)
{
  char *path = g_build_filename(dir, "results.json", NULL);
  JsonParser *p = json_parser_new();
  JsonNode *root = NULL;
  if (json_parser_load_from_file(p, path, NULL))
    root = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  g_free(path);
  return root;
}

/* The CSV's rows (header first), each split at commas. */
static GPtrArray *load_csv(const char *dir, const char *name)
{
  char *path = g_build_filename(dir, name, NULL), *text = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
  if (g_file_get_contents(path, &text, NULL, NULL)) {
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
      if (**l)
        g_ptr_array_add(rows, g_strsplit(*l, ",", -1));
    g_strfreev(lines);
  }
  g_free(text);
  g_free(path);
  return rows;
}

static void check_header(GPtrArray *rows, const char *want)
{
  char *head = g_strjoinv(",", g_ptr_array_index(rows, 0));
  CU_ASSERT_STRING_EQUAL(head, want);
  g_free(head);
}

static gint64 get_int(JsonNode *root, const char *path)
{
  JsonNode *n = json_path_query(path, root, NULL);
  JsonArray *a = json_node_get_array(n);
  gint64 v = json_array_get_length(a) ? json_array_get_int_element(a, 0) : G_MININT64;
  json_node_unref(n);
  return v;
}

static double get_double(JsonNode *root, const char *path)
{
  JsonNode *n = json_path_query(path, root, NULL);
  JsonArray *a = json_node_get_array(n);
  double v = json_array_get_length(a) ? json_array_get_double_element(a, 0) : NAN;
  json_node_unref(n);
  return v;
}

/* server.csv: one row per bucket from 0, the registrations adding up to
 * registration.count, the peaks to server.*'s (one core server). */
static void check_server_csv(const char *dir)
{
  JsonNode *root = load_json(dir);
  GPtrArray *rows = load_csv(dir, "server.csv");
  CU_ASSERT_FATAL(root != NULL && rows->len > 1);
  check_header(rows, "time_s,registrations,queue_peak,connections_peak,persistent_peak");
  double bucket = get_double(root, "$.run.bucket_seconds"), span = get_double(root, "$.run.sim_seconds");
  CU_ASSERT_EQUAL(rows->len - 1, (guint) ceil(span / bucket));
  gint64 regs = 0, queue = 0, conns = 0, persistent = 0;
  for (guint i = 1; i < rows->len; i++) {
    char **r = g_ptr_array_index(rows, i);
    CU_ASSERT_EQUAL(g_strv_length(r), 5);
    CU_ASSERT_DOUBLE_EQUAL(g_ascii_strtod(r[0], NULL), (i - 1) * bucket, 1e-9);
    regs += g_ascii_strtoll(r[1], NULL, 10);
    queue = MAX(queue, g_ascii_strtoll(r[2], NULL, 10));
    conns = MAX(conns, g_ascii_strtoll(r[3], NULL, 10));
    persistent = MAX(persistent, g_ascii_strtoll(r[4], NULL, 10));
  }
  CU_ASSERT_EQUAL(regs, get_int(root, "$.registration.count"));
  CU_ASSERT_EQUAL(queue, get_int(root, "$.server.queue_peak"));
  CU_ASSERT_EQUAL(conns, get_int(root, "$.server.connections.peak"));
  CU_ASSERT_EQUAL(persistent, get_int(root, "$.server.connections.persistent_peak"));
  CU_ASSERT(persistent > 0 && persistent < conns);
  g_ptr_array_unref(rows);
  json_node_unref(root);
}

/* answers.csv: per question (by id) a rising answered count whose last value
 * is results.json's answered (fraction answered / targets), and whose first
 * time reaching half the targets is time_to_ms.p50. */
static void check_answers_csv(const char *dir)
{
  JsonNode *root = load_json(dir);
  GPtrArray *rows = load_csv(dir, "answers.csv");
  CU_ASSERT_FATAL(root != NULL && rows->len > 1);
  check_header(rows, "question,since_ask_s,answered,targets,fraction");
  JsonArray *qs = json_object_get_array_member(json_node_get_object(root), "questions");
  guint nq = json_array_get_length(qs), checked = 0;
  for (guint q = 0; q < nq; q++) {
    JsonObject *o = json_array_get_object_element(qs, q);
    gint64 id = json_object_get_int_member(o, "id");
    gint64 answered = json_object_get_int_member(o, "answered"), targets = json_object_get_int_member(o, "targets");
    JsonObject *tt = json_object_get_object_member(o, "time_to_ms");
    gint64 last = -1, half = (targets + 1) / 2;
    double t50 = -1;
    for (guint i = 1; i < rows->len; i++) {
      char **r = g_ptr_array_index(rows, i);
      if (g_ascii_strtoll(r[0], NULL, 10) != id)
        continue;
      gint64 n = g_ascii_strtoll(r[2], NULL, 10);
      CU_ASSERT(n > last); /* rises */
      CU_ASSERT_EQUAL(g_ascii_strtoll(r[3], NULL, 10), targets);
      CU_ASSERT_DOUBLE_EQUAL(g_ascii_strtod(r[4], NULL), (double) n / targets, 1e-6);
      if (t50 < 0 && n >= half)
        t50 = g_ascii_strtod(r[1], NULL) * 1e3;
      last = n;
    }
    CU_ASSERT_EQUAL(last, answered);
    if (!json_object_get_null_member(tt, "p50"))
      CU_ASSERT_DOUBLE_EQUAL(t50, json_object_get_double_member(tt, "p50"), 0.0005 + 1e-9);
    checked++;
  }
  CU_ASSERT(checked >= 2);
  g_ptr_array_unref(rows);
  json_node_unref(root);
}

static void test_csv_question_counts(void)
{
  char *dir = run("question_counts.lua", "question_counts");
  CU_ASSERT_FATAL(dir != NULL);
  check_server_csv(dir);
  check_answers_csv(dir);
  g_free(dir);
}

static void test_csv_default(void)
{
  char *dir = run(NULL, "default");
  CU_ASSERT_FATAL(dir != NULL);
  check_server_csv(dir);
  check_answers_csv(dir);
  g_free(dir);
}

/* --- every key documented ---------------------------------------------------------- */

static gboolean is_dynamic(const char *path)
{
  for (const char *const *d = DYNAMIC; *d; d++)
    if (g_str_equal(*d, path))
      return TRUE;
  return FALSE;
}

/* Adds the collapsed path of every leaf (and empty container) under n. */
static void walk(JsonNode *n, const char *path, GHashTable *keys)
{
  if (JSON_NODE_HOLDS_OBJECT(n)) {
    JsonObject *o = json_node_get_object(n);
    GList *members = json_object_get_members(o);
    if (!members && *path)
      g_hash_table_add(keys, g_strdup(path));
    for (GList *m = members; m; m = m->next) {
      char *sub = is_dynamic(path) ? g_strdup_printf("%s.*", path)
                  : *path         ? g_strdup_printf("%s.%s", path, (const char *) m->data)
                                  : g_strdup(m->data);
      walk(json_object_get_member(o, m->data), sub, keys);
      g_free(sub);
    }
    g_list_free(members);
  } else if (JSON_NODE_HOLDS_ARRAY(n)) {
    JsonArray *a = json_node_get_array(n);
    if (json_array_get_length(a) == 0)
      g_hash_table_add(keys, g_strdup(path));
    char *sub = g_strdup_printf("%s[]", path);
    for (guint i = 0; i < json_array_get_length(a); i++)
      walk(json_array_get_element(a, i), sub, keys);
    g_free(sub);
  } else {
    g_hash_table_add(keys, g_strdup(path));
  }
}

/* The backquoted names in the document. */
static GHashTable *documented(void)
{
  GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char *text = NULL;
  if (!g_file_get_contents(DOC, &text, NULL, NULL))
    return names;
  for (char *p = strchr(text, '`'); p; p = strchr(p, '`')) {
    char *end = strchr(p + 1, '`');
    if (!end)
      break;
    g_hash_table_add(names, g_strndup(p + 1, end - p - 1));
    p = end + 1;
  }
  g_free(text);
  return names;
}

/* "run" and "warnings" are described by other work in their own sections
 * ("### run", "### warnings"); while such a section is still empty (no
 * backquoted name in it) its subtree is skipped, and the moment it is
 * written every key under it is checked. */
static gboolean section_empty(const char *key)
{
  if (!g_str_equal(key, "run") && !g_str_equal(key, "warnings"))
    return FALSE;
  char *text = NULL;
  if (!g_file_get_contents(DOC, &text, NULL, NULL))
    return FALSE;
  char *head = g_strdup_printf("\n### %s\n", key);
  const char *at = strstr(text, head);
  gboolean empty = FALSE;
  if (at) {
    at += strlen(head);
    const char *end = strstr(at, "\n#");
    empty = memchr(at, '`', end ? (gsize) (end - at) : strlen(at)) == NULL;
  }
  g_free(head);
  g_free(text);
  return empty;
}

static void test_every_key_documented(void)
{
  static const char *const scenarios[] = {
    NULL, "question_counts.lua", "zone_tunnel.lua", "direct_connect.lua", "satellites.lua",
    "distribution_complete_times.lua", "deploy_action.lua", "chain_one_subnet.lua",
  };
  GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(scenarios); i++) {
    char *name = g_strdup_printf("keys-%u", i);
    char *dir = run(scenarios[i], name);
    CU_ASSERT_FATAL(dir != NULL);
    JsonNode *root = load_json(dir);
    CU_ASSERT_FATAL(root != NULL);
    walk(root, "", keys);
    json_node_unref(root);
    g_free(dir);
    g_free(name);
  }
  GHashTable *doc = documented();
  GList *all = g_list_sort(g_hash_table_get_keys(keys), (GCompareFunc) strcmp);
  guint missing = 0, skipped = 0;
  for (GList *k = all; k; k = k->next) {
    char *top = g_strndup(k->data, strcspn(k->data, ".["));
    if (section_empty(top))
      skipped++;
    else if (!g_hash_table_contains(doc, k->data)) {
      fprintf(stderr, "results.json key not documented in docs/results.md: `%s`\n", (char *) k->data);
      missing++;
    }
    g_free(top);
  }
  if (skipped)
    fprintf(stderr, "%u keys under run/warnings not checked: docs/results.md does not describe them yet\n",
            skipped);
  CU_ASSERT(g_hash_table_size(keys) > 80); /* the walk saw the whole tree */
  CU_ASSERT_EQUAL(missing, 0);
  g_list_free(all);
  g_hash_table_unref(doc);
  g_hash_table_unref(keys);
}

static int setup(void)
{
  scratch = g_dir_make_tmp("chainsim-outputs-XXXXXX", NULL);
  return scratch ? 0 : 1;
}

static int teardown(void)
{
  cs_test_remove_tree(scratch);
  g_free(scratch);
  return 0;
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "server.csv and answers.csv against results.json (question_counts)", test_csv_question_counts },
    { "server.csv and answers.csv against results.json (built-in)", test_csv_default },
    { "every results.json key is documented", test_every_key_documented },
    CU_TEST_INFO_NULL,
  };
  CU_SuiteInfo suites[] = {
    { "outputs", setup, teardown, NULL, NULL, tests },
    CU_SUITE_INFO_NULL,
  };
  return cs_test_main_suites(argc, argv, suites);
}
