/* lua_events.c — what happens over simulated time: firewall rules, crashes
 * and restarts, WAN link failures, partitions, functions run at a time,
 * questions, actions, background transfers; then sim:run and sim:expect.
 * See binding.h.
 *
 * Times are absolute simulated times (`at`, absent = now).  Firewall rules
 * given for time 0 before sim:run go in when the run starts, before any
 * client does (a site then means all the subnets it has by then); rules and
 * link state changes due now during the run apply at once; everything else
 * due now is queued for the current instant (after events already queued for
 * it), so a crash "at 0" happens after the node's start.  Functions given to sim:at run
 * inside the event loop; an error in one stops the run and is raised from
 * sim:run with the function's own file and line. */
#include "binding-private.h"
#include "units.h"
#include "stats.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Dispatched events between two looks at the wall clock for the progress
 * line: cheap, and frequent enough at any event rate. */
#define PROGRESS_EVERY 65536
/* Least wall time between two progress lines (µs). */
#define PROGRESS_PERIOD_US 250000

/* A Lua function given to sim:at (rules, partitions and throttles are the
 * builder's to schedule). */
typedef struct {
  CsLua *ctx;
  int ref;          /* registry reference of the function */
} Sched;

/* The error the builder found while applying a rule, as the run's error. */
static void take_deferred(CsLua *ctx)
{
  const GError *e = cs_builder_deferred(ctx->builder);
  if (ctx->deferred == NULL && e != NULL)
    ctx->deferred = g_strdup(e->message);
}

static void sched_fire(Sim *sim, gpointer data, guint64 arg)
{
  Sched *s = data;
  CsLua *ctx = s->ctx;
  lua_State *L = ctx->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->ref);
  luaL_unref(L, LUA_REGISTRYINDEX, s->ref);
  s->ref = LUA_NOREF;
  if (ctx->deferred || cs_builder_deferred(ctx->builder)) { /* the run is stopping after an error */
    lua_pop(L, 1);
    return;
  }
  GError *e = NULL;
  if (!cs_sandbox_pcall(ctx->sb, 0, 0, &e)) {
    const char *where = cs_sandbox_memory_where(ctx->sb);
    if (e->code == CS_SANDBOX_ERROR_MEMORY && *where)
      ctx->deferred = g_strdup_printf("%s: %s", where, e->message);
    else
      ctx->deferred = g_strdup(e->message);
    g_error_free(e);
    sim_stop(sim);
  }
}

/* Queues the function at registry reference ref for `at` (after events
 * already queued for that instant). */
static void schedule_lua(CsLua *ctx, SimTime at, int ref)
{
  Sched *s = g_new0(Sched, 1);
  s->ctx = ctx;
  s->ref = ref;
  g_ptr_array_add(ctx->scheduled, s);
  sim_call_at(ctx->sim, at, sched_fire, s, 0);
}

/* Raises the builder's error e as the Lua error at the caller's line. */
static int raise_build(lua_State *L, GError *e)
{
  lua_pushfstring(L, "%s", e->message);
  g_error_free(e);
  luaL_where(L, 1);
  lua_insert(L, -2);
  lua_concat(L, 2);
  return lua_error(L);
}

/* ---- warnings ------------------------------------------------------------------------ */

char *cs_lua_where(lua_State *L)
{
  luaL_where(L, 1);
  size_t len;
  const char *w = lua_tolstring(L, -1, &len);
  char *where = g_strndup(w, len >= 2 ? len - 2 : len); /* without ": " */
  lua_pop(L, 1);
  return where;
}

static void warn_after_end(CsLua *ctx, const char *where, const char *what, SimTime at)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], e[G_ASCII_DTOSTR_BUF_SIZE];
  if (strcmp(what, "at") == 0)
    cs_warnings_add(ctx->warnings, CS_WARN_AFTER_END, where,
                    "sim:at(%ss, fn) is after the run's end at %ss: fn never runs", cs_warn_seconds(a, at),
                    cs_warn_seconds(e, ctx->duration));
  else
    cs_warnings_add(ctx->warnings, CS_WARN_AFTER_END, where,
                    "%s at %ss is after the run's end at %ss: it never happens", what,
                    cs_warn_seconds(a, at), cs_warn_seconds(e, ctx->duration));
}

void cs_lua_note_at(lua_State *L, CsLua *ctx, SimTime at, const char *what)
{
  if (ctx->phase == CS_PHASE_RUNNING) {
    if (at > ctx->duration) {
      char *where = cs_lua_where(L);
      warn_after_end(ctx, where, what, at);
      g_free(where);
    }
    return;
  }
  char *where = cs_lua_where(L);
  CsLuaPendingAt p = { .at = at, .where = g_string_chunk_insert_const(ctx->wheres, where),
                       .what = what };
  g_free(where);
  g_array_append_val(ctx->pending_at, p);
}

/* At the start of sim:run: the times given before it. */
static void check_pending_at(CsLua *ctx)
{
  for (guint i = 0; i < ctx->pending_at->len; i++) {
    CsLuaPendingAt *p = &g_array_index(ctx->pending_at, CsLuaPendingAt, i);
    if (p->at > ctx->duration)
      warn_after_end(ctx, p->where, p->what, p->at);
  }
  g_array_set_size(ctx->pending_at, 0);
}

void cs_lua_check_measured(lua_State *L, CsLua *ctx, SimTime needed, const char *what)
{
  SimTime now = sim_now(ctx->sim);
  if (ctx->phase != CS_PHASE_BUILD && needed <= now)
    return;
  char *where = cs_lua_where(L);
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  if (ctx->phase == CS_PHASE_BUILD)
    cs_warnings_add(ctx->warnings, CS_WARN_NOT_MEASURED, where,
                    "%s is read before sim:run: it is not measured yet", what);
  else
    cs_warnings_add(ctx->warnings, CS_WARN_NOT_MEASURED, where,
                    "%s needs the simulation up to %ss but it has only reached %ss: "
                    "the figure is not measured yet", what, cs_warn_seconds(a, needed), cs_warn_seconds(b, now));
  g_free(where);
}

/* ---- firewall ---------------------------------------------------------------------- */

static const char *const FW_ACTIONS[] = { "allow", "drop", "reject", NULL };

static const CsOptField FIREWALL_FIELDS[] = {
  { .key = "action", .type = CS_OPT_STRING, .required = TRUE, .choices = FW_ACTIONS },
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "both", .type = CS_OPT_BOOLEAN },
  { .key = "from", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "port", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE,
    .max = 65535 },
  { .key = "to", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* Reads the group at key of opts into a userdata on the stack (validated
 * first, so that a raise frees it); fills g. */
static void read_group(lua_State *L, CsLua *ctx, int opts, const char *what, const char *key,
                       CsBuildGroup *g)
{
  cs_opt_push(L, opts, key);
  guint n = cs_lua_group(L, ctx, -1, what, key, NULL);
  CsBuildGroupItem *items = lua_newuserdatauv(L, n * sizeof(CsBuildGroupItem), 0);
  memset(items, 0, n * sizeof(CsBuildGroupItem));
  cs_lua_group(L, ctx, -2, what, key, items); /* cannot raise: checked */
  lua_remove(L, -2);
  *g = (CsBuildGroup) { items, n };
}

typedef struct {
  CsLua *ctx;
  CsBuildRule *rule; /* owned by the builder */
} RuleObj;

/* Both sides of a rule, validated before either is read; leaves two
 * userdata on the stack. */
static void read_sides(lua_State *L, CsLua *ctx, int opts, const char *what, const char *from_key,
                       const char *to_key, CsBuildGroup *from, CsBuildGroup *to)
{
  cs_opt_push(L, opts, from_key);
  cs_lua_group(L, ctx, -1, what, from_key, NULL);
  cs_opt_push(L, opts, to_key);
  cs_lua_group(L, ctx, -1, what, to_key, NULL);
  lua_pop(L, 2);
  read_group(L, ctx, opts, what, from_key, from);
  read_group(L, ctx, opts, what, to_key, to);
}

static int sim_firewall(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "firewall", FIREWALL_FIELDS);
  cs_lua_check_mutable(L, ctx, "firewall");
  SimTime at = cs_lua_get_at(L, ctx, 2, "firewall");
  const char *action = cs_opt_get_string(L, 2, "action", "drop");
  CsBuildFirewall fw = {
    .port = (guint16) cs_opt_get_int(L, 2, "port", 0),
    .both = cs_opt_get_bool(L, 2, "both", FALSE),
    .action = strcmp(action, "allow") == 0    ? SIM_FW_ALLOW
              : strcmp(action, "reject") == 0 ? SIM_FW_REJECT
                                              : SIM_FW_DROP,
  };
  RuleObj *o = lua_newuserdatauv(L, sizeof(RuleObj), 0);
  memset(o, 0, sizeof *o);
  luaL_setmetatable(L, CS_LUA_RULE);
  read_sides(L, ctx, 2, "firewall", "from", "to", &fw.from, &fw.to);
  char *where = cs_lua_where(L);
  fw.where = where;
  GError *e = NULL;
  o->ctx = ctx;
  o->rule = cs_build_firewall(ctx->builder, at, &fw, &e);
  g_free(where);
  if (o->rule == NULL)
    return raise_build(L, e);
  lua_pop(L, 2); /* the sides */
  return 1;
}

static const CsOptField AT_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { NULL },
};

/* rule:remove{ at } and p:heal{ at } */
static int remove_obj(lua_State *L, RuleObj *o, const char *what)
{
  lua_settop(L, 2);
  cs_opt_check(L, 2, what, AT_FIELDS);
  CsLua *ctx = o->ctx;
  cs_lua_check_mutable(L, ctx, what);
  SimTime at = cs_lua_get_at(L, ctx, 2, what);
  GError *e = NULL;
  if (!cs_build_rule_remove(ctx->builder, o->rule, at, &e))
    return raise_build(L, e);
  return 0;
}

static int rule_remove(lua_State *L)
{
  return remove_obj(L, luaL_checkudata(L, 1, CS_LUA_RULE), "remove");
}

static int rule_is_active(lua_State *L)
{
  RuleObj *o = luaL_testudata(L, 1, CS_LUA_PARTITION);
  if (o == NULL)
    o = luaL_checkudata(L, 1, CS_LUA_RULE);
  lua_pushboolean(L, cs_builder_rule_active(o->ctx->builder, o->rule));
  return 1;
}

/* ---- partitions -------------------------------------------------------------------------- */

static const CsOptField PARTITION_FIELDS[] = {
  { .key = "a", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "b", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

static int sim_partition(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "partition", PARTITION_FIELDS);
  cs_lua_check_mutable(L, ctx, "partition");
  SimTime at = cs_lua_get_at(L, ctx, 2, "partition");
  RuleObj *o = lua_newuserdatauv(L, sizeof(RuleObj), 0);
  memset(o, 0, sizeof *o);
  luaL_setmetatable(L, CS_LUA_PARTITION);
  CsBuildGroup a, b;
  read_sides(L, ctx, 2, "partition", "a", "b", &a, &b);
  char *where = cs_lua_where(L);
  GError *e = NULL;
  o->ctx = ctx;
  o->rule = cs_build_partition(ctx->builder, at, &a, &b, where, &e);
  g_free(where);
  if (o->rule == NULL)
    return raise_build(L, e);
  lua_pop(L, 2); /* the sides */
  return 1;
}

/* sim:heal{ at, a, b } — ends the partition between a and b (either order). */
static int sim_heal(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "heal", PARTITION_FIELDS);
  cs_lua_check_mutable(L, ctx, "heal");
  SimTime at = cs_lua_get_at(L, ctx, 2, "heal");
  CsBuildGroup a, b;
  read_group(L, ctx, 2, "heal", "a", &a);
  read_group(L, ctx, 2, "heal", "b", &b);
  GError *e = NULL;
  if (cs_build_heal(ctx->builder, at, &a, &b, &e) == NULL) {
    if (e->code == CS_BUILD_ERROR_NOT_FOUND)
      return luaL_error(L, "%s (call sim:partition{a = ..., b = ...} first)", e->message);
    return raise_build(L, e);
  }
  return 0;
}

static int partition_heal(lua_State *L)
{
  return remove_obj(L, luaL_checkudata(L, 1, CS_LUA_PARTITION), "heal");
}

/* ---- nodes and links over time ----------------------------------------------------------- */

static const CsOptField NODE_AT_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "node", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* sim:crash(node) / sim:crash{ at, node }; the same for restart. */
static int node_event(lua_State *L, const char *what, CsBuildFault fault)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  SimTime at;
  CsLuaObj *node;
  if (lua_type(L, 2) == LUA_TTABLE) {
    cs_opt_check(L, 2, what, NODE_AT_FIELDS);
    cs_lua_check_mutable(L, ctx, what);
    at = cs_lua_get_at(L, ctx, 2, what);
    cs_opt_push(L, 2, "node");
    node = cs_lua_test(L, -1, CS_LUA_NODE);
    if (node == NULL)
      cs_opt_error(L, what, "node", "a node", -1);
  } else {
    node = cs_lua_test(L, 2, CS_LUA_NODE);
    if (node == NULL)
      cs_opt_error(L, what, "node", "a node, or a table { at = ..., node = ... }", 2);
    cs_lua_check_mutable(L, ctx, what);
    at = sim_now(ctx->sim);
  }
  GError *e = NULL;
  if (!cs_build_fault(ctx->builder, at, fault, node->id, &e))
    cs_lua_raise_build(L, e);
  return 0;
}

static int sim_crash(lua_State *L) { return node_event(L, "crash", CS_BUILD_FAULT_CRASH); }
static int sim_restart(lua_State *L) { return node_event(L, "restart", CS_BUILD_FAULT_RESTART); }

static const CsOptField LINK_AT_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "link", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* sim:fail{ at, link = site | link } / sim:repair{...}. */
static int link_event(lua_State *L, const char *what, CsBuildFault fault)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, what, LINK_AT_FIELDS);
  cs_lua_check_mutable(L, ctx, what);
  SimTime at = cs_lua_get_at(L, ctx, 2, what);
  cs_opt_push(L, 2, "link");
  guint32 link;
  CsLuaObj *o;
  if ((o = cs_lua_test(L, -1, CS_LUA_LINK))) {
    link = o->id;
  } else if ((o = cs_lua_test(L, -1, CS_LUA_SITE))) {
    link = cs_builder_site_uplink(ctx->builder, o->id);
    if (link == SIM_NONE)
      return luaL_error(L, "%s 'link': site '%s' has no WAN link of its own (give the site "
                        "whose `wan` option made the link, or a link from sim:wan{})", what,
                        sim_site_name(ctx->sim, o->id));
  } else {
    cs_opt_error(L, what, "link", "a site (its WAN link) or a link", -1);
  }
  GError *e = NULL;
  if (!cs_build_fault(ctx->builder, at, fault, link, &e))
    cs_lua_raise_build(L, e);
  return 0;
}

static int sim_fail(lua_State *L) { return link_event(L, "fail", CS_BUILD_FAULT_LINK_DOWN); }
static int sim_repair(lua_State *L) { return link_event(L, "repair", CS_BUILD_FAULT_LINK_UP); }

static const CsOptField LEAVE_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "node", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* sim:leave{ at, node } — a client leaves gracefully. */
static int sim_leave(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "leave", LEAVE_FIELDS);
  cs_lua_check_mutable(L, ctx, "leave");
  SimTime at = cs_lua_get_at(L, ctx, 2, "leave");
  cs_opt_push(L, 2, "node");
  CsLuaObj *n = cs_lua_test(L, -1, CS_LUA_NODE);
  guint32 c = n ? cs_world_node_client(ctx->world, n->id) : G_MAXUINT32;
  if (c == G_MAXUINT32)
    cs_opt_error(L, "leave", "node", "a client", -1);
  cs_world_leave(ctx->world, c, at);
  return 0;
}

/* sim:at(t, fn) — runs fn() at simulated time t. */
static int sim_at(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 3);
  SimTime at = cs_opt_check_duration(L, 2, "at", "time");
  if (lua_type(L, 3) != LUA_TFUNCTION)
    cs_opt_error(L, "at", "fn", "a function", 3);
  cs_lua_check_mutable(L, ctx, "at");
  if (at < sim_now(ctx->sim))
    return luaL_error(L, "at: %fs is in the past (the simulated time is now %fs)",
                      sim_time_to_s(at), sim_time_to_s(sim_now(ctx->sim)));
  cs_lua_note_at(L, ctx, at, "at");
  lua_pushvalue(L, 3);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  schedule_lua(ctx, at, ref);
  return 0;
}

/* ---- questions --------------------------------------------------------------------------- */

static const char *const Q_MODES[] = { "count", "collect", NULL };

static const CsOptField ASK_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "mode", .type = CS_OPT_STRING, .choices = Q_MODES },
  { .key = "sensor", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "targets", .type = CS_OPT_ANY },
  { NULL },
};

/* Reads targets at key of opts into a Lua-owned array (pushed). */
static CsTarget *read_targets(lua_State *L, CsLua *ctx, int opts, const char *what, guint *n)
{
  cs_opt_push(L, opts, "targets");
  int t = lua_gettop(L);
  *n = cs_lua_targets(L, ctx, t, what, "targets", NULL);
  CsTarget *v = lua_newuserdatauv(L, *n * sizeof(CsTarget), 0);
  memset(v, 0, *n * sizeof(CsTarget));
  cs_lua_targets(L, ctx, t, what, "targets", v);
  lua_remove(L, t);
  return v;
}

static int sim_ask(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "ask", ASK_FIELDS);
  cs_lua_check_mutable(L, ctx, "ask");
  SimTime at = cs_lua_get_at(L, ctx, 2, "ask");
  const char *sensor = cs_opt_get_string(L, 2, "sensor", NULL);
  if (cs_world_sensor_find(ctx->world, sensor) < 0)
    return luaL_error(L, "ask 'sensor': no sensor named \"%s\" (define it first with "
                      "site:sensor(name, values) or subnet:sensor(name, values))", sensor);
  const char *mode = cs_opt_get_string(L, 2, "mode", "count");
  guint n;
  CsTarget *targets = read_targets(L, ctx, 2, "ask", &n);
  GError *e = NULL;
  gint32 q = cs_build_ask(ctx->builder, at, sensor,
                          strcmp(mode, "collect") == 0 ? CS_Q_COLLECT : CS_Q_COUNT, targets, n, &e);
  if (q < 0)
    cs_lua_raise_build(L, e);
  cs_lua_push_obj(L, ctx, CS_LUA_QUESTION, (guint32) q);
  return 1;
}

#define check_question(L) ((CsLuaObj *) luaL_checkudata((L), 1, CS_LUA_QUESTION))

/* A figure of question q about the `within` after it was asked. */
static void question_read(lua_State *L, CsLuaObj *q, SimTime within, const char *method)
{
  char what[128];
  g_snprintf(what, sizeof what, "question %u's %s", q->id + 1, method);
  cs_lua_check_measured(L, q->ctx, cs_question_asked_at(q->ctx->world, q->id) + within, what);
}

/* q:answered_fraction([t]) — fraction of targets answered within t of the
 * ask (at any time when t is absent). */
static int q_answered_fraction(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  CsWorld *w = q->ctx->world;
  guint32 targets = cs_question_targets(w, q->id);
  guint32 answered;
  if (lua_isnoneornil(L, 2)) {
    question_read(L, q, 0, "answered_fraction()");
    answered = cs_question_answered(w, q->id);
  } else {
    SimTime within = cs_lua_check_duration(L, 2, "answered_fraction", "within");
    char t[G_ASCII_DTOSTR_BUF_SIZE], what[64];
    g_snprintf(what, sizeof what, "answered_fraction(%ss)", cs_warn_seconds(t, within));
    question_read(L, q, within, what);
    answered = cs_question_answered_by(w, q->id, within);
  }
  lua_pushnumber(L, targets ? (double) answered / (double) targets : 0.0);
  return 1;
}

static void push_result_row(const char *value, guint64 count, gpointer data)
{
  lua_State *L = data;
  lua_pushinteger(L, (lua_Integer) count);
  lua_setfield(L, -2, value);
}

static int q_result(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  question_read(L, q, 0, "result()");
  lua_newtable(L);
  cs_question_result(q->ctx->world, q->id, push_result_row, L);
  return 1;
}

double cs_lua_check_fraction(lua_State *L, int idx, const char *what)
{
  double f = luaL_checknumber(L, idx);
  if (!(f > 0 && f <= 1))
    cs_opt_error_value(L, what, "fraction", "a number in (0, 1]", idx);
  return f;
}

void cs_lua_push_time_or_nil(lua_State *L, SimTime t)
{
  if (t < 0)
    lua_pushnil(L);
  else
    lua_pushnumber(L, sim_time_to_s(t));
}

static int q_time_to(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  double f = cs_lua_check_fraction(L, 2, "time_to");
  question_read(L, q, 0, "time_to()");
  cs_lua_push_time_or_nil(L, cs_question_time_to(q->ctx->world, q->id, f));
  return 1;
}

static int q_answered(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  question_read(L, q, 0, "answered()");
  lua_pushinteger(L, cs_question_answered(q->ctx->world, q->id));
  return 1;
}

static int q_targets(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  lua_pushinteger(L, cs_question_targets(q->ctx->world, q->id));
  return 1;
}

static int q_id(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer) check_question(L)->id + 1);
  return 1;
}

static int q_asked_at(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  lua_pushnumber(L, sim_time_to_s(cs_question_asked_at(q->ctx->world, q->id)));
  return 1;
}

static int q_tostring(lua_State *L)
{
  CsLuaObj *q = check_question(L);
  const char *s = cs_lua_sensor_name(q->ctx, cs_question_sensor(q->ctx->world, q->id));
  lua_pushfstring(L, "question %d (%s)", (int) q->id + 1, s ? s : "?");
  return 1;
}

/* ---- actions -------------------------------------------------------------------------------- */

/* The package limits are the builder's (CS_PACKAGE_*, builder.h); they are
 * checked here first for the Lua wording of the errors. */
static const CsOptField PACKAGE_FIELDS[] = {
  { .key = "name", .type = CS_OPT_STRING },
  { .key = "run_time", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, 24 * CS_OPT_HOUR) },
  { .key = "size", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, CS_PACKAGE_SIZE_MAX) },
  { NULL },
};

static const CsOptField DEPLOY_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "package", .type = CS_OPT_TABLE, .required = TRUE },
  { .key = "targets", .type = CS_OPT_ANY },
  { NULL },
};

/* A client's cache entry of a file, besides its shard maps (bytes). */
#define DEPLOY_CLIENT_BYTES 32

/* sim:deploy{ at, package = { size, run_time, name }, targets } — an action;
 * with size > 0 its file is cut into shards and distributed along the
 * chains.  A later package with the same name and size is the same file
 * (shards the chains cached serve it); without a name every deploy is a file
 * of its own. */
static int sim_deploy(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "deploy", DEPLOY_FIELDS);
  cs_opt_push(L, 2, "package");
  cs_opt_check(L, 3, "package", PACKAGE_FIELDS);
  CsPackage pkg = {
    .size = cs_opt_get_size(L, 3, "size", 0),
    .run_time = cs_opt_get_duration(L, 3, "run_time", 0),
    .name = NULL,
  };
  if (cs_opt_has(L, 3, "name")) {
    size_t len;
    cs_opt_push(L, 3, "name");
    pkg.name = lua_tolstring(L, -1, &len); /* held by the package table */
    if (len == 0 || len > CS_PACKAGE_NAME_MAX || strlen(pkg.name) != len)
      cs_opt_error_value(L, "package", "name", "a non-empty file name (at most 255 bytes)", -1);
    lua_pop(L, 1);
    if (pkg.size == 0)
      return luaL_error(L, "package 'name': a package without files (size 0) has no file to "
                        "name; give it a size");
  }
  guint64 nshards = (pkg.size + ctx->shard_size - 1) / ctx->shard_size;
  if (nshards > CS_PACKAGE_SHARDS_MAX) {
    char size[CS_UNITS_FORMAT_MAX], shard[CS_UNITS_FORMAT_MAX];
    cs_units_format_size(pkg.size, size, sizeof size);
    cs_units_format_size(ctx->shard_size, shard, sizeof shard);
    return luaL_error(L, "package 'size': %s in shards of %s is %d shards, more than %d (a "
                      "client scans its map of them per message); give chainsim.new a larger "
                      "shard_size", size, shard, (int) nshards, CS_PACKAGE_SHARDS_MAX);
  }
  cs_lua_check_mutable(L, ctx, "deploy");
  SimTime at = cs_lua_get_at(L, ctx, 2, "deploy");
  guint n;
  CsTarget *targets = read_targets(L, ctx, 2, "deploy", &n);
  GError *e = NULL;
  guint32 files = cs_world_file_count(ctx->world);
  gint32 a = cs_build_deploy(ctx->builder, at, &pkg, targets, n, &e);
  if (a < 0)
    cs_lua_raise_build(L, e);
  if (cs_world_file_count(ctx->world) > files) {
    /* A new file: every endpoint may come to hold a map of its shards in
     * its cache and one of those pending, allocated during the run. */
    cs_budget_add_per_client(L, &ctx->budget, "deploy", 2 * ((nshards + 7) / 8) + DEPLOY_CLIENT_BYTES);
  }
  guint32 wa = (guint32) a;
  g_array_append_val(ctx->actions, wa);
  cs_lua_push_obj(L, ctx, CS_LUA_ACTION, ctx->actions->len - 1);
  return 1;
}

/* An action object's world action id (its own id is the scenario's
 * numbering: Direct Connect makes actions of its own in between). */
static guint32 check_action_id(lua_State *L, CsLua **ctx)
{
  CsLuaObj *a = luaL_checkudata(L, 1, CS_LUA_ACTION);
  *ctx = a->ctx;
  return g_array_index(a->ctx->actions, guint32, a->id);
}

/* The world action id of a deploy whose figure `method` is read. */
static guint32 action_read(lua_State *L, CsLua **ctx, const char *method)
{
  guint32 a = check_action_id(L, ctx);
  char what[128];
  g_snprintf(what, sizeof what, "deploy %u's %s",
             ((CsLuaObj *) lua_touserdata(L, 1))->id + 1, method);
  cs_lua_check_measured(L, *ctx, cs_action_deployed_at((*ctx)->world, a), what);
  return a;
}

static int a_completed_fraction(lua_State *L)
{
  CsLua *ctx;
  guint32 a = action_read(L, &ctx, "completed_fraction()");
  guint32 targets = cs_action_targets(ctx->world, a);
  lua_pushnumber(L, targets ? (double) cs_action_completed(ctx->world, a) / targets : 0.0);
  return 1;
}

static int a_completed(lua_State *L)
{
  CsLua *ctx;
  guint32 a = action_read(L, &ctx, "completed()");
  lua_pushinteger(L, cs_action_completed(ctx->world, a));
  return 1;
}

static int a_targets(lua_State *L)
{
  CsLua *ctx;
  guint32 a = check_action_id(L, &ctx);
  lua_pushinteger(L, cs_action_targets(ctx->world, a));
  return 1;
}

static int a_time_to(lua_State *L)
{
  CsLua *ctx;
  guint32 a = action_read(L, &ctx, "time_to()");
  double f = cs_lua_check_fraction(L, 2, "time_to");
  cs_lua_push_time_or_nil(L, cs_action_time_to(ctx->world, a, f));
  return 1;
}

/* Byte counters of the action's file (0 without one); the size is known
 * from the start, the counters are measured. */
static int a_bytes(lua_State *L, guint64 (*fn)(const CsWorld *, guint32), const char *method)
{
  CsLua *ctx;
  guint32 a = method ? action_read(L, &ctx, method) : check_action_id(L, &ctx);
  lua_pushinteger(L, (lua_Integer) fn(ctx->world, a));
  return 1;
}

static int a_bytes_from_server(lua_State *L)
{
  return a_bytes(L, cs_action_bytes_from_server, "bytes_from_server()");
}
static int a_bytes_from_peers(lua_State *L)
{
  return a_bytes(L, cs_action_bytes_from_peers, "bytes_from_peers()");
}
static int a_bytes_from_caches(lua_State *L)
{
  return a_bytes(L, cs_action_bytes_from_caches, "bytes_from_caches()");
}
static int a_wan_bytes(lua_State *L) { return a_bytes(L, cs_action_wan_bytes, "wan_bytes()"); }
static int a_size(lua_State *L) { return a_bytes(L, cs_action_size, NULL); }

static int a_id(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer) ((CsLuaObj *) luaL_checkudata(L, 1, CS_LUA_ACTION))->id + 1);
  return 1;
}

static int a_tostring(lua_State *L)
{
  lua_pushfstring(L, "action %d",
                  (int) ((CsLuaObj *) luaL_checkudata(L, 1, CS_LUA_ACTION))->id + 1);
  return 1;
}

/* ---- throttles ------------------------------------------------------------------------------ */

static const CsOptField THROTTLE_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "bandwidth", .type = CS_OPT_RATE, CS_OPT_RANGE(CS_OPT_KBPS, CS_OPT_RATE_CEIL) },
  { .key = "concurrent", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 1000000 },
  { .key = "subnet", .type = CS_OPT_ANY },
  { NULL },
};

/* The subnets and sites named by a throttle's `subnet` value at v (a
 * subnet, an external-client group, a site or a list of them); fills out
 * when not NULL; raises on anything else. */
static guint throttle_items(lua_State *L, int v, CsBuildGroupItem *out)
{
  const char *expected = "a subnet, an external-client group, a site or a list of them";
  gboolean list = lua_type(L, v) == LUA_TTABLE;
  guint nitems = 1;
  if (list) {
    nitems = (guint) lua_rawlen(L, v);
    lua_Unsigned count = 0;
    lua_pushnil(L);
    while (lua_next(L, v)) {
      lua_pop(L, 1);
      count++;
    }
    if (count != nitems || nitems == 0)
      cs_opt_error_value(L, "throttle", "subnet", expected, v);
  }
  for (guint i = 0; i < nitems; i++) {
    if (list)
      lua_rawgeti(L, v, (lua_Integer) i + 1);
    else
      lua_pushvalue(L, v);
    CsLuaObj *o;
    CsBuildGroupKind kind = CS_BUILD_GROUP_SUBNET;
    if ((o = cs_lua_test(L, -1, CS_LUA_SUBNET)) == NULL) {
      if ((o = cs_lua_test(L, -1, CS_LUA_SITE)) == NULL)
        cs_opt_error(L, "throttle", "subnet", expected, -1);
      kind = CS_BUILD_GROUP_SITE;
    }
    if (out)
      out[i] = (CsBuildGroupItem) { .kind = kind, .id = o->id };
    lua_pop(L, 1);
  }
  return nitems;
}

/* sim:throttle{ at, subnet, bandwidth, concurrent } — caps the shard traffic
 * servers and zone servers send to the clients of `subnet` (a subnet, an
 * external-client group, a site: each of its subnets, or a list of them),
 * or to all clients when there is no subnet: bytes/s and concurrent
 * transfers.  A later throttle for the same subnets replaces it; an option
 * left out means no cap of that kind. */
static int sim_throttle(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "throttle", THROTTLE_FIELDS);
  cs_lua_check_mutable(L, ctx, "throttle");
  SimTime at = cs_lua_get_at(L, ctx, 2, "throttle");
  double bps = cs_opt_get_rate(L, 2, "bandwidth", 0);
  guint32 concurrent = (guint32) cs_opt_get_int(L, 2, "concurrent", 0);
  CsBuildGroup to = { NULL, 0 };
  if (cs_opt_push(L, 2, "subnet") != LUA_TNIL) {
    int v = lua_gettop(L);
    to.n = throttle_items(L, v, NULL);
    CsBuildGroupItem *items = lua_newuserdatauv(L, to.n * sizeof(CsBuildGroupItem), 0);
    throttle_items(L, v, items); /* cannot raise: checked */
    to.items = items;
  }
  GError *e = NULL;
  if (!cs_build_throttle(ctx->builder, at, to.items ? &to : NULL, bps, concurrent, &e))
    return raise_build(L, e);
  return 0;
}

/* ---- transfers -------------------------------------------------------------------------------- */

static const CsOptField TRANSFER_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "class", .type = CS_OPT_STRING, .choices = cs_class_names },
  { .key = "from", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "size", .type = CS_OPT_SIZE, .required = TRUE, CS_OPT_RANGE(1, CS_OPT_SIZE_CEIL) },
  { .key = "to", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

static SimNodeId opt_node(lua_State *L, int opts, const char *what, const char *key)
{
  cs_opt_push(L, opts, key);
  CsLuaObj *n = cs_lua_test(L, -1, CS_LUA_NODE);
  if (n == NULL)
    cs_opt_error(L, what, key, "a node", -1);
  lua_pop(L, 1);
  return n->id;
}

static const CsOptField EXCHANGE_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "class", .type = CS_OPT_STRING, .choices = cs_class_names },
  { .key = "from", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "request", .type = CS_OPT_SIZE, .required = TRUE },
  { .key = "response", .type = CS_OPT_SIZE, .required = TRUE },
  { .key = "to", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* What a transfer and an exchange share: at, from, to (two nodes) and class. */
typedef struct {
  SimTime at;
  SimNodeId from, to;
  SimClass cls;
} TrafficOpts;

static TrafficOpts traffic_opts(lua_State *L, CsLua *ctx, const char *what, const CsOptField *fields)
{
  lua_settop(L, 2);
  cs_opt_check(L, 2, what, fields);
  cs_lua_check_mutable(L, ctx, what);
  TrafficOpts o = { .at = cs_lua_get_at(L, ctx, 2, what), .cls = CS_CLS_BULK };
  o.from = opt_node(L, 2, what, "from");
  o.to = opt_node(L, 2, what, "to");
  const char *cls = cs_opt_get_string(L, 2, "class", "bulk");
  for (int i = 0; i < CS_CLS_COUNT; i++)
    if (strcmp(cls, cs_class_names[i]) == 0)
      o.cls = (SimClass) i;
  return o;
}

/* Remembers when transfer (or exchange) t starts and pushes its object. */
static int push_traffic(lua_State *L, CsLua *ctx, guint32 t, SimTime at)
{
  if (t >= ctx->transfer_at->len)
    g_array_set_size(ctx->transfer_at, t + 1);
  g_array_index(ctx->transfer_at, SimTime, t) = at;
  cs_lua_push_obj(L, ctx, CS_LUA_TRANSFER, t);
  return 1;
}

static int sim_transfer_m(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  TrafficOpts o = traffic_opts(L, ctx, "transfer", TRANSFER_FIELDS);
  guint64 size = cs_opt_get_size(L, 2, "size", 0);
  GError *e = NULL;
  guint32 t = cs_build_transfer(ctx->builder, o.at, o.from, o.to, size, o.cls, &e);
  if (t == G_MAXUINT32)
    cs_lua_raise_build(L, e);
  return push_traffic(L, ctx, t, o.at);
}

/* sim:exchange{ at, from, to, request, response, class } — a request and
 * its response on a new connection; x:finished_at() is when the response's
 * last byte is back. */
static int sim_exchange_m(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  TrafficOpts o = traffic_opts(L, ctx, "exchange", EXCHANGE_FIELDS);
  guint64 request = cs_opt_get_size(L, 2, "request", 0);
  guint64 response = cs_opt_get_size(L, 2, "response", 0);
  GError *e = NULL;
  guint32 t = cs_build_exchange(ctx->builder, o.at, o.from, o.to, request, response, o.cls, &e);
  if (t == G_MAXUINT32)
    cs_lua_raise_build(L, e);
  return push_traffic(L, ctx, t, o.at);
}

static int t_finished_at(lua_State *L)
{
  CsLuaObj *t = luaL_checkudata(L, 1, CS_LUA_TRANSFER);
  char what[64];
  g_snprintf(what, sizeof what, "transfer %u's finished_at()", t->id + 1);
  cs_lua_check_measured(L, t->ctx, g_array_index(t->ctx->transfer_at, SimTime, t->id), what);
  cs_lua_push_time_or_nil(L, sim_transfer_finished_at(t->ctx->sim, t->id));
  return 1;
}

/* ---- run and expect --------------------------------------------------------------------------------- */

static void progress(Sim *sim, gpointer data)
{
  CsLua *ctx = data;
  gint64 now = g_get_monotonic_time();
  if (now - ctx->progress_last < PROGRESS_PERIOD_US)
    return;
  ctx->progress_last = now;
  double wall = (double) (now - ctx->progress_start) / 1e6;
  double simt = sim_time_to_s(sim_now(sim)), total = sim_time_to_s(ctx->duration);
  double evs = wall > 0 ? (double) sim_events_dispatched(sim) / wall : 0;
  double eta = simt > 0 ? (total - simt) * wall / simt : 0;
  fprintf(stderr, "\rchainsim: %.1f / %.0f s simulated, %.2f M events/s, ETA %.0f s   ", simt,
          total, evs / 1e6, eta);
  fflush(stderr);
}

static const CsOptField RUN_FIELDS[] = {
  { .key = "duration", .type = CS_OPT_DURATION, .required = TRUE,
    CS_OPT_RANGE(CS_OPT_NS, CS_OPT_DURATION_CEIL) },
  { NULL },
};

static int sim_run(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "run", RUN_FIELDS);
  if (ctx->phase == CS_PHASE_RUNNING)
    return luaL_error(L, "run: cannot run the simulation from a function given to sim:at");
  if (ctx->phase == CS_PHASE_DONE)
    return luaL_error(L, "run: the simulation has already run (one sim:run per scenario)");
  SimTime duration = cs_opt_get_duration(L, 2, "duration", 0);
  cs_budget_add(L, &ctx->budget, "run",
                (guint64) (duration / sim_params(ctx->sim)->bucket + 1) * CS_BUDGET_BUCKET_BYTES);

  if (ctx->max_run > 0 && duration > ctx->max_run)
    duration = ctx->max_run;
  ctx->phase = CS_PHASE_RUNNING;
  ctx->duration = duration;
  check_pending_at(ctx);
  cs_builder_seal(ctx->builder);
  cs_builder_start(ctx->builder, NULL);
  take_deferred(ctx);
  if (ctx->deferred) {
    ctx->phase = CS_PHASE_DONE;
    lua_pushstring(L, ctx->deferred);
    return lua_error(L);
  }
  ctx->progress_start = ctx->progress_last = g_get_monotonic_time();
  if (ctx->progress)
    sim_set_progress(ctx->sim, PROGRESS_EVERY, progress, ctx);
  /* The simulation is not the scenario's code: its CPU time is not the
   * scenario's to limit (functions given to sim:at count again). */
  gboolean cpu_counting = cs_sandbox_cpu_pause(ctx->sb);
  sim_run_until(ctx->sim, duration);
  cs_sandbox_cpu_resume(ctx->sb, cpu_counting);
  sim_stats_flush(ctx->sim); /* the bytes of transfers still under way count too */
  take_deferred(ctx);
  if (ctx->deferred == NULL)
    cs_warnings_check_links(ctx->warnings, ctx->sim);
  sim_set_progress(ctx->sim, 0, NULL, NULL);
  ctx->run_wall = (double) (g_get_monotonic_time() - ctx->progress_start) / 1e6;
  if (ctx->progress) {
    fprintf(stderr, "\r%*s\r", 72, "");
    fflush(stderr);
  }
  ctx->phase = CS_PHASE_DONE;
  if (ctx->deferred) {
    lua_pushstring(L, ctx->deferred);
    return lua_error(L);
  }
  cs_lua_figures_after_run(L, ctx);
  return 0;
}

/* sim:expect(cond, text) — records whether cond held; returns it. */
static int sim_expect(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  if (lua_isnone(L, 2))
    return luaL_error(L, "expect: expected a condition and a description, "
                      "sim:expect(q:answered_fraction(\"15s\") >= 0.99, \"text\")");
  if (lua_type(L, 3) != LUA_TSTRING)
    cs_opt_error(L, "expect", "text", "a string describing the expectation", 3);
  gboolean ok = lua_toboolean(L, 2);
  luaL_where(L, 1);
  size_t len;
  const char *where = lua_tolstring(L, -1, &len);
  CsLuaExpect e = {
    .text = g_strdup(lua_tostring(L, 3)),
    .where = g_strndup(where, len >= 2 ? len - 2 : len), /* without ": " */
    .ok = ok,
  };
  g_array_append_val(ctx->expects, e);
  lua_pushboolean(L, ok);
  return 1;
}

/* ---- registration ------------------------------------------------------------------------------------- */

void cs_lua_events_methods(lua_State *L, int methods)
{
  static const luaL_Reg m[] = {
    { "firewall", sim_firewall },
    { "partition", sim_partition },
    { "heal", sim_heal },
    { "crash", sim_crash },
    { "restart", sim_restart },
    { "fail", sim_fail },
    { "repair", sim_repair },
    { "leave", sim_leave },
    { "at", sim_at },
    { "ask", sim_ask },
    { "deploy", sim_deploy },
    { "throttle", sim_throttle },
    { "transfer", sim_transfer_m },
    { "exchange", sim_exchange_m },
    { "run", sim_run },
    { "expect", sim_expect },
    { NULL, NULL },
  };
  lua_pushvalue(L, methods);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}

void cs_lua_events_classes(lua_State *L)
{
  static const luaL_Reg rule_m[] = {
    { "remove", rule_remove },
    { "is_active", rule_is_active },
    { NULL, NULL },
  };
  static const luaL_Reg partition_m[] = {
    { "heal", partition_heal },
    { "is_active", rule_is_active },
    { NULL, NULL },
  };
  static const luaL_Reg question_m[] = {
    { "answered_fraction", q_answered_fraction },
    { "result", q_result },
    { "time_to", q_time_to },
    { "answered", q_answered },
    { "targets", q_targets },
    { "id", q_id },
    { "asked_at", q_asked_at },
    { NULL, NULL },
  };
  static const luaL_Reg question_mm[] = {
    { "__tostring", q_tostring }, { "__eq", cs_lua_obj_eq }, { NULL, NULL },
  };
  static const luaL_Reg action_m[] = {
    { "completed_fraction", a_completed_fraction },
    { "completed", a_completed },
    { "targets", a_targets },
    { "time_to", a_time_to },
    { "bytes_from_server", a_bytes_from_server },
    { "bytes_from_peers", a_bytes_from_peers },
    { "bytes_from_caches", a_bytes_from_caches },
    { "wan_bytes", a_wan_bytes },
    { "size", a_size },
    { "id", a_id },
    { NULL, NULL },
  };
  static const luaL_Reg action_mm[] = {
    { "__tostring", a_tostring }, { "__eq", cs_lua_obj_eq }, { NULL, NULL },
  };
  static const luaL_Reg transfer_m[] = {
    { "finished_at", t_finished_at },
    { NULL, NULL },
  };
  cs_lua_new_class(L, CS_LUA_RULE, rule_m, NULL);
  cs_lua_new_class(L, CS_LUA_PARTITION, partition_m, NULL);
  cs_lua_new_class(L, CS_LUA_QUESTION, question_m, question_mm);
  cs_lua_new_class(L, CS_LUA_ACTION, action_m, action_mm);
  static const luaL_Reg transfer_mm[] = { { "__eq", cs_lua_obj_eq }, { NULL, NULL } };
  cs_lua_new_class(L, CS_LUA_TRANSFER, transfer_m, transfer_mm);
}
