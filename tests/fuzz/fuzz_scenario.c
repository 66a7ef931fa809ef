/* fuzz_scenario.c — libFuzzer target: the scenario loader and the Lua API.
 *
 * The input is a scenario's text.  It runs as the command line runs one
 * (sandbox, binding, the built-in library modules), under small limits:
 * 2e6 Lua instructions, 64 MiB of Lua memory, 0.5 s of CPU for the scenario's
 * code, and at most 30 simulated seconds in sim:run.  After a run the results
 * tree is built as for results.json.  A finding is anything that is not a
 * clean run or a clean refusal:
 *   - a crash, a sanitizer report, a hang (libFuzzer's -timeout);
 *   - a GLib warning or critical (the command line would exit 3);
 *   - a refusal whose message does not name "fuzz.lua:LINE: " (the one-line
 *     rule for bad scenarios; a memory error counts its noted line) or holds
 *     a control character.
 * Nothing calls exit(): every error path of app/ returns. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binding.h"
#include "embedded.h"
#include "results.h"
#include "sandbox.h"

#define CHUNK "fuzz.lua"
#define INPUT_MAX (64 * 1024)

static void fatal_log(const char *domain, GLogLevelFlags level, const char *message,
                      gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) {
    fprintf(stderr, "fuzz_scenario: GLib %s: %s\n", domain ? domain : "", message);
    abort();
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  g_log_set_default_handler(fatal_log, NULL);
  return 0;
}

/* "fuzz.lua:LINE: " somewhere at the start of msg (a message may be about a
 * module's line, "builtin:topo.lua:3: ", which counts too). */
static gboolean names_line(const char *msg)
{
  for (const char *c = msg; *c; c++) {
    if (c[0] != ':' || !g_ascii_isdigit(c[1]))
      continue;
    const char *d = c + 1;
    while (g_ascii_isdigit(*d))
      d++;
    if (d[0] == ':' && d[1] == ' ')
      return g_str_has_prefix(msg, CHUNK ":") || g_str_has_prefix(msg, "builtin:");
  }
  return FALSE;
}

static void check_refusal(CsSandbox *sb, const GError *e)
{
  const char *msg = e->message;
  char *line = NULL;
  if (e->code == CS_SANDBOX_ERROR_MEMORY && *cs_sandbox_memory_where(sb))
    msg = line = g_strdup_printf("%s: %s", cs_sandbox_memory_where(sb), e->message);
  for (const char *c = msg; *c; c++)
    if ((unsigned char) *c < 0x20 || *c == 0x7f) {
      fprintf(stderr, "fuzz_scenario: control character in the message: %s\n", msg);
      abort();
    }
  if (!names_line(msg)) {
    fprintf(stderr, "fuzz_scenario: refusal without file:line: %s\n", msg);
    abort();
  }
  g_free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > INPUT_MAX)
    return 0;
  char *text = g_strndup((const char *) data, size); /* up to a NUL, as from a file */
  CsSandbox *sb = cs_sandbox_new(1);
  if (sb == NULL)
    abort();
  cs_sandbox_set_output(sb, NULL);
  cs_sandbox_set_instruction_limit(sb, 2000000);
  cs_sandbox_set_memory_limit(sb, (gsize) 64 << 20);
  cs_sandbox_set_cpu_limit(sb, 0.5);
  for (guint i = 0; i < cs_embedded_count; i++)
    if (cs_embedded_files[i].module)
      cs_sandbox_add_embedded(sb, cs_embedded_files[i].module, cs_embedded_files[i].source);
  CsLuaOptions lo = {
    .seed = 1,
    .scenario = CHUNK,
    .max_run = sim_time_from_s(10),
    /* About 2,500 endpoints at most (the model's estimate, app/budget.h):
     * larger worlds are refused at the call that crosses it, with its line,
     * so one input stays well inside the 10 s timeout under ASan (the
     * 3,000-endpoint branch study took 25 s for 30 simulated seconds). */
    .max_memory = (guint64) 3 << 20,
  };
  CsLua *ctx = cs_lua_new(sb, &lo);
  if (ctx == NULL)
    abort();
  GError *e = NULL;
  if (!cs_sandbox_run_string(sb, CHUNK, text, &e)) {
    check_refusal(sb, e);
    g_error_free(e);
  } else if (cs_lua_world(ctx) != NULL) {
    JsonNode *results = cs_results_build(ctx);
    char *json = cs_results_to_json(results);
    g_free(json);
    json_node_unref(results);
  }
  cs_sandbox_free(sb);
  cs_lua_free(ctx);
  g_free(text);
  return 0;
}
