/* sandbox.h — the Lua 5.4 state a scenario runs in.
 *
 * A scenario sees the base, table, string, math and utf8 libraries and
 * nothing else: no io, os, debug, package or coroutine; no dofile, loadfile
 * or string.dump; load() accepts text chunks only; setmetatable refuses
 * __gc (Lua runs finalizers with hooks off, out of the instruction limit's
 * reach) and xpcall skips the scenario's handler for the instruction-limit
 * error for the same reason.  math.random draws from a
 * xoroshiro128++ stream seeded from the scenario seed, so a seed gives the
 * same numbers on every machine; math.randomseed(x) reseeds it
 * deterministically and math.randomseed() returns it to the scenario seed.
 * require(name) takes names of letters, digits, '_' and '.', and looks for
 * NAME.lua (dots become '/') in the scenario's folder, then in the library
 * folder, then among modules embedded in the program; modules load as text
 * and are cached in the same table as the opened libraries (so require
 * "string" works as in plain Lua).  print() writes to stdout or to a stream
 * the caller chooses.
 *
 * Limits: an allocator refuses to grow the state past a memory limit
 * (default 1 GiB), a count hook stops a scenario after an instruction limit
 * (default 3e8 virtual-machine instructions, about 1 s of CPU, counted across every
 * call into the state), and a CPU-time limit (default 60 s of process CPU
 * time spent in the scenario's code, the simulation inside sim:run excluded
 * with cs_sandbox_cpu_pause) stops what runs in C out of the count hook's
 * reach — a backtracking pattern in string.find on a long string.  A
 * runaway scenario ends with "scenario exceeded the memory limit of 1024
 * MiB", "t.lua:3: scenario exceeded the instruction limit (infinite loop?)"
 * or "t.lua:3: scenario exceeded the CPU time limit of 60 s" instead of
 * hanging or swapping.  The hook costs one C call per 10000 instructions.
 * The limits only stop a run: they never change what a run computes.
 *
 * Errors a scenario causes come back as GError (domain CS_SANDBOX_ERROR)
 * whose message is what the user sees, one line: "scenario.lua:12:
 * message".  An error without a position (error(), error(nil), a table,
 * error("x", 0)) gets the line it was raised at; control characters in it
 * are escaped (escape.h).
 *
 * Determinism: the scenario's next, pairs, tostring, string.format and
 * table.sort are replaced (detlib.h) so that no address, clock or hash seed
 * reaches what a scenario computes.  Tables, functions and objects are
 * numbered in creation order by the allocator (cs_sandbox_object_id).
 *
 * Not a security boundary against hostile scripts: it keeps honest scenarios
 * deterministic and away from the file system, and stops runaway ones. */
#pragma once
#include <glib.h>
#include <stdio.h>
#include <lua.h>

#define CS_SANDBOX_ERROR (cs_sandbox_error_quark())
GQuark cs_sandbox_error_quark(void);

typedef enum {
  CS_SANDBOX_ERROR_FILE,         /* the scenario file could not be read */
  CS_SANDBOX_ERROR_SYNTAX,       /* the chunk does not compile */
  CS_SANDBOX_ERROR_RUNTIME,      /* the chunk raised an error */
  CS_SANDBOX_ERROR_MEMORY,       /* the memory limit was reached */
  CS_SANDBOX_ERROR_INSTRUCTIONS, /* the instruction limit was reached */
  CS_SANDBOX_ERROR_CPU,          /* the CPU time limit was reached */
} CsSandboxError;

#define CS_SANDBOX_DEFAULT_MEMORY_LIMIT ((gsize) 1 << 30)
#define CS_SANDBOX_DEFAULT_INSTRUCTION_LIMIT G_GUINT64_CONSTANT(300000000)
#define CS_SANDBOX_DEFAULT_CPU_SECONDS 60.0
#define CS_SANDBOX_MAX_CPU_SECONDS 1e7 /* a timer can hold it; ~4 months */

typedef struct CsSandbox CsSandbox;

/* A new state with the libraries above; math.random seeded from seed. */
CsSandbox *cs_sandbox_new(guint64 seed);
void cs_sandbox_free(CsSandbox *sb);
/* The sandbox that owns L (any thread of it), or NULL for a foreign state. */
CsSandbox *cs_sandbox_from_lua(lua_State *L);
lua_State *cs_sandbox_lua(CsSandbox *sb);

/* Reseeds math.random as if the sandbox had been created with seed. */
void cs_sandbox_set_seed(CsSandbox *sb, guint64 seed);
guint64 cs_sandbox_get_seed(CsSandbox *sb);
/* Bytes the state may hold; 0 = no limit.  A limit below the current use
 * makes the next allocation fail. */
void cs_sandbox_set_memory_limit(CsSandbox *sb, gsize bytes);
gsize cs_sandbox_get_memory_used(CsSandbox *sb);
/* "file.lua:LINE" of the Lua code running when the memory limit was hit
 * during the last run or pcall, or "" (the limit's message carries no line:
 * the caller may prefix this). */
const char *cs_sandbox_memory_where(CsSandbox *sb);
/* Instructions the state may run in total; 0 = no limit.  Setting a limit
 * above the instructions already run lets a stopped sandbox run again. */
void cs_sandbox_set_instruction_limit(CsSandbox *sb, guint64 instructions);
/* Instructions run so far (a multiple of the hook period, 10000). */
guint64 cs_sandbox_get_instructions(CsSandbox *sb);
/* CPU seconds the scenario's code may use in total; 0 = no limit.  Counted
 * while a run or pcall of the sandbox is under way, except between
 * cs_sandbox_cpu_pause and cs_sandbox_cpu_resume. */
void cs_sandbox_set_cpu_limit(CsSandbox *sb, double seconds);
/* Stops counting CPU time (sim:run around the simulation: the callbacks it
 * makes through cs_sandbox_pcall count again); returns what to give back
 * to cs_sandbox_cpu_resume. */
gboolean cs_sandbox_cpu_pause(CsSandbox *sb);
void cs_sandbox_cpu_resume(CsSandbox *sb, gboolean was_running);
/* The creation number (1, 2, ...) of the table, function or userdata at idx
 * in a sandbox state, or 0 for other values and C functions without
 * upvalues. */
guint64 cs_sandbox_object_id(lua_State *L, int idx);
/* "file.lua:LINE" of the last line of the chunk run last, or "" (for
 * messages about what a scenario did not do by its end). */
const char *cs_sandbox_chunk_end(CsSandbox *sb);
/* Folder searched first by require (cs_sandbox_run_file sets it to the
 * scenario's folder); NULL = none. */
void cs_sandbox_set_scenario_dir(CsSandbox *sb, const char *dir);
/* Folder searched second by require (scenarios/lib); NULL = none. */
void cs_sandbox_set_lib_dir(CsSandbox *sb, const char *dir);
/* A module compiled into the program, found by require when no file of that
 * name exists; name and source are copied. */
void cs_sandbox_add_embedded(CsSandbox *sb, const char *name, const char *source);
/* Where print() writes (default stdout); NULL silences it.  Not owned. */
void cs_sandbox_set_output(CsSandbox *sb, FILE *out);

/* Loads path as a text chunk named "@path" and runs it; the scenario folder
 * becomes path's folder unless one was set. */
gboolean cs_sandbox_run_file(CsSandbox *sb, const char *path, GError **err);
/* Runs text as a chunk; a chunkname without a leading '@' or '=' gets '@'
 * (so "t.lua" reports errors as "t.lua:3: ..."). */
gboolean cs_sandbox_run_string(CsSandbox *sb, const char *chunkname, const char *text,
                               GError **err);
/* Calls the function below nargs arguments on the stack like lua_pcall, with
 * the sandbox's error handling: on success nresults values are left on the
 * stack; on failure nothing is (function and arguments are popped).  For
 * binding callbacks such as the functions given to sim:at(). */
gboolean cs_sandbox_pcall(CsSandbox *sb, int nargs, int nresults, GError **err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsSandbox, cs_sandbox_free)
