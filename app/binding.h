/* binding.h — the Lua API of chainsim scenarios (docs/scenarios.md).
 *
 * A CsLua is one scenario run: it installs the global `chainsim` table in a
 * sandbox (sandbox.h), and owns what the script builds through it: the world
 * (models/world.h) created by chainsim.new, the scenario's book-keeping about
 * sites, subnets, firewall rules and partitions, the expectations, and the
 * Lua functions scheduled with sim:at.  The command line (cli.c) creates one,
 * runs the scenario in the sandbox, then reads the results (results.h).
 *
 * The binding is split by domain: lua_world.c (chainsim.new, topology, nodes,
 * servers, zone and module servers, the internet and external clients,
 * sensors, targets), lua_events.c (firewall, crash/restart, fail/repair,
 * partition/heal, at, ask, deploy, throttle, transfer, run, expect),
 * lua_dc.c (Direct Connect sessions, test connections, satellites, client
 * certificates), lua_figures.c (sim:plot and the figures of a run),
 * lua_results.c (metrics, results.json, timeseries.csv).  Every call checks all of its
 * arguments before it changes anything, and every error a user can cause is
 * a Lua error naming the scenario file and line.
 *
 * Lifetime: free the sandbox (which closes the Lua state) before the CsLua;
 * Lua objects hold a plain pointer to it. */
#pragma once
#include <glib.h>
#include <lua.h>
#include <stdio.h>
#include "sandbox.h"
#include "warnings.h"
#include "world.h"

typedef struct CsLua CsLua;

typedef struct {
  guint64 seed;            /* the command line's --seed */
  gboolean seed_given;     /* TRUE: it wins over chainsim.new{seed} */
  const char *scenario;    /* name reported in results.json run.scenario */
  const char *scenario_sha256; /* hex SHA-256 of its text (run.scenario_sha256), or NULL */
  const char *const *set_keys;   /* --set KEY=VALUE pairs, n_set of each */
  const char *const *set_values;
  guint n_set;
  gboolean progress;       /* show a progress line on stderr during sim:run */
  const char *out_dir;     /* folder for figures (exists; the run's staging folder, outset.h);
                            * NULL: sim:plot draws nothing */
  FILE *trace;             /* --trace: one CSV row per delivered message; NULL: none */
  SimTime max_run;         /* > 0: sim:run simulates at most this long (the fuzzer) */
  guint64 max_memory;      /* --max-memory: the model's estimated state, bytes; 0: no cap */
} CsLuaOptions;

/* Installs `chainsim` in the sandbox's state.  Copies what it needs from opts. */
CsLua *cs_lua_new(CsSandbox *sb, const CsLuaOptions *opts);
void cs_lua_free(CsLua *ctx);

/* The world built by chainsim.new, or NULL when the scenario made none. */
CsWorld *cs_lua_world(CsLua *ctx);
/* TRUE once sim:run has run the simulation to its end. */
gboolean cs_lua_ran(CsLua *ctx);
/* The seed in effect (command line, else chainsim.new, else 1). */
guint64 cs_lua_seed(CsLua *ctx);
const char *cs_lua_scenario(CsLua *ctx);
/* Simulated seconds covered by sim:run. */
SimTime cs_lua_duration(CsLua *ctx);
/* Wall seconds spent inside the simulation loop. */
double cs_lua_run_wall_seconds(CsLua *ctx);

/* Expectations recorded by sim:expect, in order. */
guint cs_lua_expectation_count(CsLua *ctx);
void cs_lua_expectation(CsLua *ctx, guint i, const char **text, const char **where, gboolean *ok);

/* Figures: every figure sim:plot asked for is in the output folder already
 * (drawn when asked, or when sim:run ended); when defaults is TRUE this
 * draws topology.svg, chains.png and bandwidth.png of the world as the run
 * left it, except those the scenario plotted itself.  Call once, after the
 * results are written.  FALSE with err when a file could not be written. */
gboolean cs_lua_write_figures(CsLua *ctx, gboolean defaults, GError **err);

/* The --set pairs, sorted by key (results.json run.params). */
guint cs_lua_param_count(CsLua *ctx);
void cs_lua_param(CsLua *ctx, guint i, const char **key, const char **value);
/* NULL when the scenario read every --set key from chainsim.params (a
 * lookup or pairs()); else the error to report: the keys it never read and
 * those it did.  Free with g_free. */
char *cs_lua_params_unread(CsLua *ctx);
/* The run's warnings (warnings.h): printed to stderr as they arise. */
const CsWarnings *cs_lua_warnings(CsLua *ctx);

/* Names the scenario gave (for results): sensor names by world sensor id. */
const char *cs_lua_sensor_name(CsLua *ctx, guint32 sensor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsLua, cs_lua_free)
