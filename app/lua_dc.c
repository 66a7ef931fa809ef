/* lua_dc.c — Direct Connect in the Lua API: sessions (sim:direct_connect),
 * test connections (sim:test_connection), satellites (sim:satellite),
 * endpoints without the client certificate (sim:no_client_cert) and the
 * module server's list of active sessions (sim:active_sessions).  See
 * binding.h.
 *
 * The models do the protocol (models/module.c): the module server asks the
 * core server for an "open session" action, the endpoint connects directly
 * on 17475 or through its zone proxy on 17486.  Session objects read the
 * session's state as it stands whenever they are asked, so the same object
 * answers "creating" inside a sim:at function and "complete" after the run.
 * Every session any of these calls made appears in results.json under
 * direct_connect, with the call that made it as its kind. */
#include "binding-private.h"
#include <string.h>

/* The name of the sensor test connections look endpoints up by (the models
 * read the same one). */
#define COMPUTER_NAME_SENSOR "Computer Name"

static const char *const DC_KIND_NAMES[] = {
  [CS_DC_KIND_SESSION] = "session",
  [CS_DC_KIND_TEST] = "test",
  [CS_DC_KIND_SATELLITE] = "satellite",
};

static void note_kind(CsLua *ctx, guint32 sid, CsLuaDcKind kind)
{
  if (ctx->dc_kinds->len <= sid)
    g_array_set_size(ctx->dc_kinds, sid + 1);
  g_array_index(ctx->dc_kinds, guint8, sid) = (guint8) kind;
}

const char *cs_lua_dc_kind(CsLua *ctx, guint32 sid)
{
  CsLuaDcKind k = sid < ctx->dc_kinds->len ? (CsLuaDcKind) g_array_index(ctx->dc_kinds, guint8, sid)
                                           : CS_DC_KIND_SESSION;
  return DC_KIND_NAMES[k];
}

/* The client index of the endpoint option `key` of opts. */
static guint32 opt_endpoint(lua_State *L, CsLua *ctx, int opts, const char *what, const char *key)
{
  cs_opt_push(L, opts, key);
  SimNodeId n = cs_lua_check_role(L, ctx, -1, what, key, 1u << CS_BUILD_ROLE_CLIENT,
                                  "an endpoint (a client node, such as lan:client(1) or roam[1])");
  lua_pop(L, 1);
  return cs_world_node_client(ctx->world, n);
}

static void raise_world(lua_State *L, const char *what, GError *e)
{
  cs_lua_raise_gerror(L, what, e); /* the world sets an error on every refusal */
}

/* ---- sessions ------------------------------------------------------------------ */

static const CsOptField DC_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "endpoint", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "keep", .type = CS_OPT_DURATION, CS_OPT_RANGE(CS_OPT_NS, CS_OPT_DURATION_CEIL) },
  { .key = "module", .type = CS_OPT_ANY },
  { NULL },
};

/* sim:direct_connect{ at, endpoint, module, keep } — a session from module
 * server `module` (by default the only one) to `endpoint`; it stays open for
 * `keep` once open (absent: to the end of the run). */
static int sim_direct_connect(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "direct_connect", DC_FIELDS);
  cs_lua_check_mutable(L, ctx, "direct_connect");
  SimTime at = cs_lua_get_at(L, ctx, 2, "direct_connect");
  guint32 client = opt_endpoint(L, ctx, 2, "direct_connect", "endpoint");
  SimNodeId module = cs_lua_opt_module(L, ctx, 2, "direct_connect");
  SimTime keep = cs_opt_get_duration(L, 2, "keep", 0);
  GError *e = NULL;
  gint32 sid = cs_world_direct_connect(ctx->world, at, client, module, keep, &e);
  if (sid < 0)
    raise_world(L, "direct_connect", e);
  note_kind(ctx, (guint32) sid, CS_DC_KIND_SESSION);
  cs_lua_push_obj(L, ctx, CS_LUA_SESSION, (guint32) sid);
  return 1;
}

static const CsOptField TEST_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "module", .type = CS_OPT_ANY },
  { .key = "target", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* Checks that `target` names an endpoint the models will find: an address
 * of a client, or a value of the "Computer Name" sensor. */
static void check_test_target(lua_State *L, CsLua *ctx, const char *target)
{
  guint32 addr;
  if (sim_addr_parse(target, &addr)) {
    SimNodeId n = sim_node_by_addr(ctx->sim, addr);
    if (n == SIM_NODE_NONE)
      luaL_error(L, "test_connection 'target': no node has address %s", target);
    if (cs_world_node_client(ctx->world, n) == G_MAXUINT32) {
      char buf[80];
      luaL_error(L, "test_connection 'target': %s is %s %s, not an endpoint", target,
                 cs_lua_node_role(ctx, n), cs_lua_node_label(ctx, n, buf, sizeof buf));
    }
    return;
  }
  gint32 sensor = cs_world_sensor_find(ctx->world, COMPUTER_NAME_SENSOR);
  if (sensor < 0)
    luaL_error(L, "test_connection 'target': \"%s\" is no address, and no endpoint has a name "
               "(names come from the \"" COMPUTER_NAME_SENSOR "\" sensor, which the scenario "
               "does not define)", target);
  guint32 n = cs_world_client_count(ctx->world);
  for (guint32 c = 0; c < n; c++) {
    const char *v = cs_world_sensor_get(ctx->world, (guint32) sensor, c);
    if (v && strcmp(v, target) == 0)
      return;
  }
  luaL_error(L, "test_connection 'target': no endpoint has address or " COMPUTER_NAME_SENSOR
             " \"%s\"", target);
}

/* sim:test_connection{ at, target, module } — finds the endpoint by address
 * or Computer Name (or takes a client node) and tries a session without
 * keeping it: it ends "closed" once it opened. */
static int sim_test_connection(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "test_connection", TEST_FIELDS);
  cs_lua_check_mutable(L, ctx, "test_connection");
  SimTime at = cs_lua_get_at(L, ctx, 2, "test_connection");
  char addr[16];
  const char *target;
  cs_opt_push(L, 2, "target");
  if (lua_type(L, -1) == LUA_TSTRING) {
    size_t len;
    target = lua_tolstring(L, -1, &len);
    if (len == 0 || strlen(target) != len)
      cs_opt_error_value(L, "test_connection", "target",
                         "an address, a Computer Name or an endpoint", -1);
    check_test_target(L, ctx, target);
  } else {
    SimNodeId n = cs_lua_check_role(L, ctx, -1, "test_connection", "target",
                                    1u << CS_BUILD_ROLE_CLIENT,
                                    "an address, a Computer Name or an endpoint");
    target = sim_addr_format(sim_node_addr(ctx->sim, n), addr);
  }
  SimNodeId module = cs_lua_opt_module(L, ctx, 2, "test_connection");
  GError *e = NULL;
  gint32 sid = cs_world_dc_test(ctx->world, at, target, module, &e);
  if (sid < 0)
    raise_world(L, "test_connection", e);
  lua_pop(L, 1);
  note_kind(ctx, (guint32) sid, CS_DC_KIND_TEST);
  cs_lua_push_obj(L, ctx, CS_LUA_SESSION, (guint32) sid);
  return 1;
}

#define check_session(L) ((CsLuaObj *) luaL_checkudata((L), 1, CS_LUA_SESSION))

/* s:status() — "creating", "downloading", "running", "error", "succeeded",
 * "not succeeded", "complete" or "closed". */
static int s_status(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  lua_pushstring(L, cs_dc_state_name(cs_dc_state(s->ctx->world, s->id)));
  return 1;
}

/* s:reason() — why it failed, or nil. */
static int s_reason(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  const char *r = cs_dc_reason(s->ctx->world, s->id);
  if (r && *r)
    lua_pushstring(L, r);
  else
    lua_pushnil(L);
  return 1;
}

/* s:setup_time() — seconds from the request to the open session, or nil. */
static int s_setup_time(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  cs_lua_push_time_or_nil(L, cs_dc_setup_time(s->ctx->world, s->id));
  return 1;
}

static int s_endpoint(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  CsWorld *w = s->ctx->world;
  cs_lua_push_node(L, s->ctx, cs_world_client_node(w, cs_dc_client(w, s->id)));
  return 1;
}

/* s:duration(), s:since_last_message() — seconds; nil if it never opened. */
static int s_duration(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  if (cs_dc_setup_time(s->ctx->world, s->id) < 0)
    lua_pushnil(L);
  else
    lua_pushnumber(L, sim_time_to_s(cs_dc_duration(s->ctx->world, s->id)));
  return 1;
}

static int s_since_last_message(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  if (cs_dc_setup_time(s->ctx->world, s->id) < 0)
    lua_pushnil(L);
  else
    lua_pushnumber(L, sim_time_to_s(cs_dc_since_last_message(s->ctx->world, s->id)));
  return 1;
}

static int s_kind(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  lua_pushstring(L, cs_lua_dc_kind(s->ctx, s->id));
  return 1;
}

static int s_id(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer) check_session(L)->id + 1);
  return 1;
}

static int s_tostring(lua_State *L)
{
  CsLuaObj *s = check_session(L);
  char a[16];
  CsWorld *w = s->ctx->world;
  SimNodeId n = cs_world_client_node(w, cs_dc_client(w, s->id));
  lua_pushfstring(L, "direct connect %d to %s (%s)", (int) s->id + 1,
                  sim_addr_format(sim_node_addr(s->ctx->sim, n), a),
                  cs_dc_state_name(cs_dc_state(w, s->id)));
  return 1;
}

/* sim:active_sessions([ms]) — the module server's open sessions now, by id. */
static int sim_active_sessions(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  SimNodeId module;
  if (lua_isnil(L, 2)) {
    lua_newtable(L); /* 3: no options: the only module server */
    module = cs_lua_opt_module(L, ctx, 3, "active_sessions");
  } else {
    module = cs_lua_check_role(L, ctx, 2, "active_sessions", "module", 1u << CS_BUILD_ROLE_MODULE_SERVER,
                               "a module server (made with site:module_server{...})");
  }
  guint max = MAX(cs_world_dc_count(ctx->world), 1);
  guint32 *ids = lua_newuserdatauv(L, max * sizeof(guint32), 0);
  guint n = cs_world_dc_active(ctx->world, module, ids, max);
  lua_createtable(L, (int) n, 0);
  for (guint i = 0; i < n; i++) {
    cs_lua_push_obj(L, ctx, CS_LUA_SESSION, ids[i]);
    lua_rawseti(L, -2, (lua_Integer) i + 1);
  }
  return 1;
}

/* ---- satellites ------------------------------------------------------------------ */

static const CsOptField SATELLITE_FIELDS[] = {
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "module", .type = CS_OPT_ANY },
  { .key = "node", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "verified", .type = CS_OPT_BOOLEAN },
  { NULL },
};

typedef struct {
  CsLua *ctx;
  guint32 id;      /* world satellite id */
  guint32 session; /* the Direct Connect session that carries its workload */
} SatObj;

/* sim:satellite{ node, verified = false, at, module } — designates a
 * satellite; at `at` (default: now) the module server sends it a scan
 * workload over Direct Connect, but only if it is verified: an unverified
 * (possibly spoofed) one gets nothing. */
static int sim_satellite(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "satellite", SATELLITE_FIELDS);
  cs_lua_check_mutable(L, ctx, "satellite");
  SimTime at = cs_lua_get_at(L, ctx, 2, "satellite");
  guint32 client = opt_endpoint(L, ctx, 2, "satellite", "node");
  SimNodeId module = cs_lua_opt_module(L, ctx, 2, "satellite");
  gboolean verified = cs_opt_get_bool(L, 2, "verified", FALSE);
  SatObj *o = lua_newuserdatauv(L, sizeof(SatObj), 0);
  memset(o, 0, sizeof *o);
  luaL_setmetatable(L, CS_LUA_SATELLITE);
  GError *e = NULL;
  gint32 id = cs_world_satellite(ctx->world, at, client, module, verified, &e);
  if (id < 0)
    raise_world(L, "satellite", e);
  guint32 sid = cs_world_dc_count(ctx->world) - 1; /* the session it just made */
  note_kind(ctx, sid, CS_DC_KIND_SATELLITE);
  guint32 wid = (guint32) id;
  g_array_append_val(ctx->satellites, wid);
  o->ctx = ctx;
  o->id = wid;
  o->session = sid;
  return 1;
}

#define check_satellite(L) ((SatObj *) luaL_checkudata((L), 1, CS_LUA_SATELLITE))

/* sat:status() — "designated", "waiting", "scanning", "scanned", "refused"
 * (unverified: nothing sent) or "failed". */
static int sat_status(lua_State *L)
{
  SatObj *o = check_satellite(L);
  lua_pushstring(L, cs_satellite_status(o->ctx->world, o->id));
  return 1;
}

static int sat_node(lua_State *L)
{
  SatObj *o = check_satellite(L);
  CsWorld *w = o->ctx->world;
  cs_lua_push_node(L, o->ctx, cs_world_client_node(w, cs_dc_client(w, o->session)));
  return 1;
}

static int sat_session(lua_State *L)
{
  SatObj *o = check_satellite(L);
  cs_lua_push_obj(L, o->ctx, CS_LUA_SESSION, o->session);
  return 1;
}

static int sat_tostring(lua_State *L)
{
  SatObj *o = check_satellite(L);
  lua_pushfstring(L, "satellite %d (%s)", (int) o->id + 1,
                  cs_satellite_status(o->ctx->world, o->id));
  return 1;
}

/* ---- certificates ------------------------------------------------------------------ */

/* sim:no_client_cert(x) — the endpoints of x (a client, a subnet, an
 * external-client group, a site, "all" or a list of them) lack the Direct
 * Connect client certificate: their sessions end in error.  Before sim:run. */
static int sim_no_client_cert(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_lua_check_mutable(L, ctx, "no_client_cert");
  if (ctx->phase != CS_PHASE_BUILD)
    return luaL_error(L, "no_client_cert: call it before sim:run (certificates are deployed "
                      "when the run starts)");
  if (lua_isnil(L, 2))
    cs_opt_error(L, "no_client_cert", "endpoints",
                 "a client, a subnet, a site, \"all\" or a list of them", 2);
  guint n;
  guint32 *clients = cs_lua_clients_of(L, ctx, 2, "no_client_cert", "endpoints", &n);
  for (guint i = 0; i < n; i++)
    cs_build_no_client_cert(ctx->builder, clients[i]);
  return 0;
}

/* ---- registration ------------------------------------------------------------------- */

void cs_lua_dc_methods(lua_State *L, int methods)
{
  static const luaL_Reg m[] = {
    { "direct_connect", sim_direct_connect },
    { "test_connection", sim_test_connection },
    { "active_sessions", sim_active_sessions },
    { "satellite", sim_satellite },
    { "no_client_cert", sim_no_client_cert },
    { NULL, NULL },
  };
  lua_pushvalue(L, methods);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}

void cs_lua_dc_classes(lua_State *L)
{
  static const luaL_Reg session_m[] = {
    { "status", s_status },
    { "reason", s_reason },
    { "setup_time", s_setup_time },
    { "endpoint", s_endpoint },
    { "duration", s_duration },
    { "since_last_message", s_since_last_message },
    { "kind", s_kind },
    { "id", s_id },
    { NULL, NULL },
  };
  static const luaL_Reg session_mm[] = {
    { "__tostring", s_tostring }, { "__eq", cs_lua_obj_eq }, { NULL, NULL },
  };
  static const luaL_Reg satellite_m[] = {
    { "status", sat_status },
    { "node", sat_node },
    { "session", sat_session },
    { NULL, NULL },
  };
  static const luaL_Reg satellite_mm[] = { { "__tostring", sat_tostring }, { NULL, NULL } };
  cs_lua_new_class(L, CS_LUA_SESSION, session_m, session_mm);
  cs_lua_new_class(L, CS_LUA_SATELLITE, satellite_m, satellite_mm);
}
