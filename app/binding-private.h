/* binding-private.h — what the lua_*.c files of the binding share: the run's
 * state, the Lua object types and their check helpers, and the parsers for
 * the values several calls accept (targets, firewall groups, times).
 *
 * Lua objects are small userdata holding the CsLua pointer and an index
 * (site, subnet, node, question...); the world owns everything they refer to,
 * so no object needs a __gc.  Sites, subnets and nodes are cached so that the
 * same entity is always the same Lua value (usable as a table key, == works). */
#pragma once
#include <lauxlib.h>
#include "binding.h"
#include "firewall.h"
#include "luaopt.h"
#include "warnings.h"
#include "budget.h"
#include "builder.h"

/* Metatable names, shown in messages ("expected a site, got chainsim.node"). */
#define CS_LUA_SIM "chainsim.sim"
#define CS_LUA_SITE "chainsim.site"
#define CS_LUA_SUBNET "chainsim.subnet"
#define CS_LUA_NODE "chainsim.node"
#define CS_LUA_LINK "chainsim.link"
#define CS_LUA_QUESTION "chainsim.question"
#define CS_LUA_ACTION "chainsim.action"
#define CS_LUA_TRANSFER "chainsim.transfer"
#define CS_LUA_RULE "chainsim.rule"
#define CS_LUA_PARTITION "chainsim.partition"
#define CS_LUA_SESSION "chainsim.session"
#define CS_LUA_SATELLITE "chainsim.satellite"

/* Where the run is. */
typedef enum {
  CS_PHASE_BUILD,   /* before sim:run */
  CS_PHASE_RUNNING, /* inside sim:run (functions given to sim:at) */
  CS_PHASE_DONE,    /* after sim:run */
} CsPhase;


/* What made a Direct Connect session (results.json direct_connect.kind). */
typedef enum {
  CS_DC_KIND_SESSION,   /* sim:direct_connect */
  CS_DC_KIND_TEST,      /* sim:test_connection */
  CS_DC_KIND_SATELLITE, /* sim:satellite (the session that carries its workload) */
} CsLuaDcKind;

/* A figure asked for with sim:plot (lua_figures.c). */
typedef struct CsLuaFigure CsLuaFigure;

typedef struct {
  char *text;     /* the expectation's description */
  char *where;    /* "file.lua:12" */
  gboolean ok;
} CsLuaExpect;

struct CsLua {
  CsSandbox *sb;           /* not owned */
  lua_State *L;            /* the sandbox's state */
  CsBuilder *builder;      /* made by chainsim.new; owns the world */
  CsWorld *world;          /* the builder's world */
  Sim *sim;                /* the world's kernel */
  CsPhase phase;
  guint64 seed;            /* in effect */
  gboolean seed_given;     /* from the command line */
  char *scenario;          /* name for results */
  gboolean progress;       /* progress line during sim:run */
  SimTime duration;        /* sim:run's duration */
  double run_wall;         /* wall seconds inside the simulation loop */
  gint64 progress_last;    /* wall clock of the last progress line (µs) */
  gint64 progress_start;   /* wall clock at the start of sim:run (µs) */
  GPtrArray *scheduled;    /* data of scheduled C actions, freed at the end */
  GArray *expects;         /* CsLuaExpect */
  char *deferred;          /* error raised by a scheduled Lua function */
  int sites_ref;           /* registry: site id → userdata */
  int subnets_ref;         /* registry: subnet id → userdata */
  int nodes_ref;           /* registry: node id → userdata (weak values) */
  GArray *actions;         /* world action ids of sim:deploy; Lua id i is index i - 1 */
  GArray *dc_kinds;        /* guint8 CsLuaDcKind by world Direct Connect session id */
  GArray *satellites;      /* world satellite ids made by sim:satellite, in order */
  char *out_dir;           /* folder of figures; NULL: sim:plot only checks its options */
  FILE *trace;             /* --trace stream (owned by the command line), or NULL */
  SimTime max_run;         /* > 0: cap on sim:run's duration (fuzzing only) */
  GPtrArray *figures;      /* CsLuaFigure *, in the order sim:plot asked for them */
  char *scenario_sha256;   /* hex SHA-256 of the scenario's text, or NULL */
  GPtrArray *param_keys;   /* char *: --set keys, sorted (lua_params.c) */
  GPtrArray *param_values; /* char *: their values, as given */
  GHashTable *params_read; /* keys the scenario looked up in chainsim.params → TRUE */
  CsWarnings *warnings;    /* the run's warnings (warnings.h) */
  GArray *pending_at;      /* CsLuaPendingAt: times given before sim:run, checked by it */
  GStringChunk *wheres;    /* their "file.lua:12" strings, each kept once */
  GArray *transfer_at;     /* SimTime: start of each sim:transfer, by transfer id */
  CsBudget budget;         /* the model's memory, estimated before it grows */
  guint32 shard_size;      /* chainsim.new's shard_size (for the budget) */
};

/* A time given to a call before the run's end was known. */
typedef struct {
  SimTime at;
  const char *where;       /* "file.lua:12" (in ctx->wheres) */
  const char *what;        /* "ask", "deploy", "at"... (static) */
} CsLuaPendingAt;

/* Every object: the run and an index. */
typedef struct {
  CsLua *ctx;
  guint32 id;
} CsLuaObj;

/* luaL_checkudata that, for a method's self, also explains the usual slip:
 * sim.site{...} (a dot) instead of sim:site{...}. */
void *cs_lua_check_udata(lua_State *L, int idx, const char *mt);
#define cs_lua_check_sim(L, i) ((CsLuaObj *) cs_lua_check_udata((L), (i), CS_LUA_SIM))
#define cs_lua_check_site(L, i) ((CsLuaObj *) cs_lua_check_udata((L), (i), CS_LUA_SITE))
#define cs_lua_check_subnet(L, i) ((CsLuaObj *) cs_lua_check_udata((L), (i), CS_LUA_SUBNET))
#define cs_lua_check_node(L, i) ((CsLuaObj *) cs_lua_check_udata((L), (i), CS_LUA_NODE))
#define cs_lua_check_link(L, i) ((CsLuaObj *) cs_lua_check_udata((L), (i), CS_LUA_LINK))
#define cs_lua_test(L, i, mt) ((CsLuaObj *) luaL_testudata((L), (i), (mt)))

/* The node at idx when it has one of the roles in mask;
 * raises "what 'key': expected <expected>, got <role> <name>" otherwise
 * (mask: 1 << CsBuildRole).
 * Use for option values at the top of the stack or any index. */
SimNodeId cs_lua_check_role(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                            guint mask, const char *expected);
/* The module server of an optional `module` option: the given one, else the
 * only one; raises when there is none or several. */
SimNodeId cs_lua_opt_module(lua_State *L, CsLua *ctx, int opts, const char *what);
/* Raises unless clients may be added now (see cs_lua_apply_no_cert). */
void cs_lua_check_can_add_clients(lua_State *L, CsLua *ctx, const char *what);
/* Client indices of a node, subnet (or external-client group), site, "all"
 * or a list of them at idx, in the order given; pushes a userdata that owns
 * the array and returns it with its length. */
guint32 *cs_lua_clients_of(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                           guint *n);

/* The run behind an object method's self; raises unless chainsim.new ran. */
CsLua *cs_lua_ctx(lua_State *L);
/* Raises "what: not implemented yet: feature". */
G_GNUC_NORETURN void cs_lua_not_implemented(lua_State *L, const char *what, const char *feature);
/* Raises unless the topology and schedule may still change. */
void cs_lua_check_mutable(lua_State *L, CsLua *ctx, const char *what);
/* Raises "file:line: what: message" with message from a GError (freed). */
G_GNUC_NORETURN void cs_lua_raise_gerror(lua_State *L, const char *what, GError *e);
/* Raises "file:line: message" with a builder's error (freed): its message
 * names the call and the option already. */
G_GNUC_NORETURN void cs_lua_raise_build(lua_State *L, GError *e);

/* Creates a userdata object with metatable mt; pushes it. */
CsLuaObj *cs_lua_push_obj(lua_State *L, CsLua *ctx, const char *mt, guint32 id);
/* Push the cached object for a site / subnet / node. */
void cs_lua_push_site(lua_State *L, CsLua *ctx, guint32 site);
void cs_lua_push_subnet(lua_State *L, CsLua *ctx, guint32 subnet);
void cs_lua_push_node(lua_State *L, CsLua *ctx, SimNodeId node);
/* __eq of objects that are not cached: the same kind and index. */
int cs_lua_obj_eq(lua_State *L);
/* Registers a metatable with methods and __index = methods, __name = name. */
void cs_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                      const luaL_Reg *metamethods);

/* The builder's record of a subnet (zeros for one it did not make). */
const CsBuildSubnetInfo *cs_lua_subnet_info(CsLua *ctx, guint32 subnet);
/* "10.17.0.42" or the node's name, into buf (>= 64 bytes). */
const char *cs_lua_node_label(CsLua *ctx, SimNodeId node, char *buf, gsize size);
/* "client", "server", "zone_server", "module_server" or "host". */
const char *cs_lua_node_role(CsLua *ctx, SimNodeId node);

/* A time option: `at` of a table (absent: now).  Raises when it lies before
 * the current simulated time. */
SimTime cs_lua_get_at(lua_State *L, CsLua *ctx, int opts, const char *what);
/* Notes that `what` was scheduled at `at` by the caller of the running C
 * function: a warning when that is after the run's end (checked at once
 * during the run, by sim:run for times given before it). */
void cs_lua_note_at(lua_State *L, CsLua *ctx, SimTime at, const char *what);
/* "file.lua:12" of the Lua code calling the running C function; free with
 * g_free. */
char *cs_lua_where(lua_State *L);
/* Notes that the caller read `what`, a figure that needs the simulation to
 * have reached `needed`: a not_measured warning when it has not (or before
 * sim:run). */
void cs_lua_check_measured(lua_State *L, CsLua *ctx, SimTime needed, const char *what);

/* chainsim.params (lua_params.c): copies the --set pairs (sorted by key);
 * pushes the proxy table; frees them. */
void cs_lua_params_init(CsLua *ctx, const CsLuaOptions *opts);
void cs_lua_params_push(lua_State *L, CsLua *ctx);
void cs_lua_params_free(CsLua *ctx);

/* A duration argument (string or seconds) at idx. */
SimTime cs_lua_check_duration(lua_State *L, int idx, const char *what, const char *name);

/* targets: "all", a node (client), subnet, site or a list of them.  Validates
 * the value at idx (absent = "all") and returns how many CsTarget it makes;
 * fills out (when not NULL) with at most that many.  Raises on bad input. */
guint cs_lua_targets(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                     CsTarget *out);
/* A firewall / partition side: CIDR string, node, subnet, site or a list of
 * them.  Same protocol as cs_lua_targets. */
guint cs_lua_group(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                   CsBuildGroupItem *out);

/* The methods each file adds to the sim object's method table (on top). */
void cs_lua_world_methods(lua_State *L, int methods);
void cs_lua_events_methods(lua_State *L, int methods);
void cs_lua_results_methods(lua_State *L, int methods);
/* Registers the classes each file owns. */
void cs_lua_dc_methods(lua_State *L, int methods);
void cs_lua_figures_methods(lua_State *L, int methods);
void cs_lua_world_classes(lua_State *L);
void cs_lua_events_classes(lua_State *L);
void cs_lua_dc_classes(lua_State *L);

/* Figures (lua_figures.c): draws those sim:plot asked for before sim:run
 * (called by sim:run at its end; an error names the plot's line); frees
 * them all. */
void cs_lua_figures_after_run(lua_State *L, CsLua *ctx);
void cs_lua_figures_free(CsLua *ctx);

/* "session", "test" or "satellite": what made a Direct Connect session. */
const char *cs_lua_dc_kind(CsLua *ctx, guint32 session);

/* A fraction argument in (0, 1] at idx. */
double cs_lua_check_fraction(lua_State *L, int idx, const char *what);
/* Pushes seconds, or nil when t < 0. */
void cs_lua_push_time_or_nil(lua_State *L, SimTime t);

/* Pushes the results table (the same keys as results.json). */
void cs_lua_push_metrics(lua_State *L, CsLua *ctx);
