/* fuzz_baseline.c — libFuzzer target: reading a --baseline results.json
 * (app/baseline.c) and comparing it, with itself and with a fixed results
 * tree.  The input is the file's content; it is written to a temporary file
 * because cs_baseline_load reads a path, as the command line gives it.  A
 * finding is a crash, a sanitizer report, a hang, a GLib warning or
 * critical, or a refusal whose message does not name the file. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "baseline.h"

/* A results tree with every compared key, as the current run. */
static const char CURRENT[] =
  "{\"run\":{\"seed\":1},\"registration\":{\"count\":10,\"per_second\":{\"peak\":2.5},"
  "\"latency_ms\":{\"p50\":1.5,\"p99\":20}},\"server\":{\"connections_peak\":3,"
  "\"queue_peak\":0,\"service_ms\":{\"p99\":null}},\"wan\":{\"bytes_total\":1000},"
  "\"lan\":{\"bytes_total\":0},\"chains\":{\"count\":2,\"length\":{\"median\":5}},"
  "\"questions\":[{\"id\":1,\"answered\":9,\"time_to_ms\":{\"p50\":10,\"p90\":null}}],"
  "\"distributions\":[{\"id\":1,\"completed\":3,\"time_to_ms\":{\"p90\":100}}]}";

static char *path;
static JsonNode *current;
static FILE *sink;

static void fatal_log(const char *domain, GLogLevelFlags level, const char *message,
                      gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) {
    fprintf(stderr, "fuzz_baseline: GLib %s: %s\n", domain ? domain : "", message);
    abort();
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void remove_file(void)
{
  g_unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  g_log_set_default_handler(fatal_log, NULL);
  path = g_strdup_printf("%s/chainsim-fuzz-baseline-%ld.json", g_get_tmp_dir(), (long) getpid());
  atexit(remove_file);
  JsonParser *p = json_parser_new();
  if (!json_parser_load_from_data(p, CURRENT, -1, NULL))
    abort();
  current = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  sink = fopen("/dev/null", "w");
  return sink ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  GError *e = NULL;
  JsonNode *old = cs_baseline_load(path, &e);
  if (old == NULL) {
    if (e == NULL || strstr(e->message, path) == NULL) {
      fprintf(stderr, "fuzz_baseline: refusal without the file name: %s\n",
              e ? e->message : "(no error)");
      abort();
    }
    g_error_free(e);
    return 0;
  }
  cs_baseline_compare(old, current, 0.05, path, sink);
  cs_baseline_compare(current, old, 0, path, sink);
  cs_baseline_compare(old, old, 0.05, path, sink);
  json_node_unref(old);
  return 0;
}
