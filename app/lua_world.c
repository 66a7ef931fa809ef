/* lua_world.c — chainsim.new and the topology half of the Lua API: sites,
 * WAN links, subnets, servers, hosts, clients, sensors, and the parsers of
 * targets and firewall groups the event calls share.  See binding.h.
 *
 * Every call validates its whole option table (luaopt.h) and every object it
 * is given, then makes one call of the builder (models/builder.h), which
 * owns the names, the subnets of each site, the address pools, the roles and
 * the defaults, and checks them before it creates anything: a bad call
 * leaves the network as it was.  Where a builder error points at Lua syntax
 * ("make one with site:server{...}") the binding words it itself.  Entities
 * live in the world; the Lua objects are handles to them. */
#include "binding-private.h"
#include "stats.h"
#include "units.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Registry key of the run (light userdata). */
#define CTX_KEY "chainsim.ctx"

/* Shards smaller than a page or larger than a big message make no sense for
 * the model (the shard count per file is kept in 32 bits). */
#define SHARD_SIZE_MIN 4096
#define SHARD_SIZE_MAX (64u * 1024 * 1024)
/* Links: from a 1kbps modem to 1000Gbps; one way latency at most 1 min (a
 * geostationary hop is 0.3 s), so that no route of fewer than 10^8 hops can
 * overflow the kernel's clock. */
#define LINK_BPS_MIN CS_OPT_KBPS
#define LINK_BPS_MAX CS_OPT_RATE_CEIL
#define LINK_LATENCY_MAX CS_OPT_MIN

/* Distinct values one sensor may take: the world numbers them in 16 bits,
 * value 0 meaning "no value". */
#define SENSOR_VALUES_MAX 65534

/* ---- shared helpers ------------------------------------------------------ */

CsLua *cs_lua_ctx(lua_State *L)
{
  lua_getfield(L, LUA_REGISTRYINDEX, CTX_KEY);
  CsLua *ctx = lua_touserdata(L, -1);
  lua_pop(L, 1);
  g_assert(ctx != NULL);
  return ctx;
}

void *cs_lua_check_udata(lua_State *L, int idx, const char *mt)
{
  void *p = luaL_testudata(L, idx, mt);
  if (p)
    return p;
  lua_Debug ar;
  if (idx == 1 && lua_type(L, 1) != LUA_TUSERDATA && lua_getstack(L, 0, &ar) &&
      lua_getinfo(L, "n", &ar) && ar.name && ar.namewhat && strcmp(ar.namewhat, "method") != 0)
    luaL_error(L, "%s: call it with a colon, as in x:%s{...} (with a dot the object is not "
               "passed)", ar.name, ar.name);
  return luaL_checkudata(L, idx, mt);
}

void cs_lua_not_implemented(lua_State *L, const char *what, const char *feature)
{
  luaL_error(L, "%s: not implemented yet: %s", what, feature);
  g_assert_not_reached();
}

void cs_lua_check_mutable(lua_State *L, CsLua *ctx, const char *what)
{
  if (ctx->phase == CS_PHASE_DONE)
    luaL_error(L, "%s: the simulation has already run; build the network and schedule "
               "events before sim:run", what);
}

void cs_lua_raise_build(lua_State *L, GError *e)
{
  luaL_where(L, 1);
  lua_pushstring(L, e->message);
  g_error_free(e);
  lua_concat(L, 2);
  lua_error(L);
  g_assert_not_reached();
}

void cs_lua_raise_gerror(lua_State *L, const char *what, GError *e)
{
  luaL_where(L, 1);
  lua_pushfstring(L, "%s: %s", what, e->message);
  g_error_free(e);
  lua_concat(L, 2);
  lua_error(L);
  g_assert_not_reached();
}

CsLuaObj *cs_lua_push_obj(lua_State *L, CsLua *ctx, const char *mt, guint32 id)
{
  CsLuaObj *o = lua_newuserdatauv(L, sizeof(CsLuaObj), 0);
  o->ctx = ctx;
  o->id = id;
  luaL_setmetatable(L, mt);
  return o;
}

/* Pushes the object cached under id in the registry table ref, making it
 * with metatable mt on first use. */
static void push_cached(lua_State *L, CsLua *ctx, int ref, const char *mt, guint32 id)
{
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  if (lua_rawgeti(L, -1, (lua_Integer) id + 1) == LUA_TNIL) {
    lua_pop(L, 1);
    cs_lua_push_obj(L, ctx, mt, id);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, (lua_Integer) id + 1);
  }
  lua_remove(L, -2);
}

void cs_lua_push_site(lua_State *L, CsLua *ctx, guint32 site)
{
  push_cached(L, ctx, ctx->sites_ref, CS_LUA_SITE, site);
}

void cs_lua_push_subnet(lua_State *L, CsLua *ctx, guint32 subnet)
{
  push_cached(L, ctx, ctx->subnets_ref, CS_LUA_SUBNET, subnet);
}

void cs_lua_push_node(lua_State *L, CsLua *ctx, SimNodeId node)
{
  push_cached(L, ctx, ctx->nodes_ref, CS_LUA_NODE, node);
}

int cs_lua_obj_eq(lua_State *L)
{
  const CsLuaObj *a = lua_touserdata(L, 1), *b = lua_touserdata(L, 2);
  lua_pushboolean(L, a && b && a->id == b->id);
  return 1;
}

void cs_lua_new_class(lua_State *L, const char *name, const luaL_Reg *methods,
                      const luaL_Reg *metamethods)
{
  luaL_newmetatable(L, name);
  if (metamethods)
    luaL_setfuncs(L, metamethods, 0);
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_newtable(L);
  if (methods)
    luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

const char *cs_lua_node_role(CsLua *ctx, SimNodeId node)
{
  return cs_build_role_name(cs_builder_role(ctx->builder, node));
}

SimNodeId cs_lua_check_role(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                            guint mask, const char *expected)
{
  CsLuaObj *n = cs_lua_test(L, idx, CS_LUA_NODE);
  if (n == NULL)
    cs_opt_error(L, what, key, expected, idx);
  CsBuildRole r = cs_builder_role(ctx->builder, n->id);
  if (!(mask & (1u << r))) {
    char buf[80];
    luaL_error(L, "%s '%s': expected %s, got %s %s", what, key, expected, cs_build_role_text(r),
               cs_lua_node_label(ctx, n->id, buf, sizeof buf));
  }
  return n->id;
}

SimNodeId cs_lua_opt_module(lua_State *L, CsLua *ctx, int opts, const char *what)
{
  if (cs_opt_push(L, opts, "module") != LUA_TNIL) {
    SimNodeId m = cs_lua_check_role(L, ctx, -1, what, "module", 1u << CS_BUILD_ROLE_MODULE_SERVER,
                                    "a module server (made with site:module_server{...})");
    lua_pop(L, 1);
    return m;
  }
  lua_pop(L, 1);
  guint32 n = cs_world_module_count(ctx->world);
  if (n == 1)
    return cs_world_module_node(ctx->world, 0);
  if (n == 0)
    luaL_error(L, "%s 'module': there is no module server (make one with "
               "site:module_server{ name = ... } first)", what);
  luaL_error(L, "%s 'module': required when there are several module servers (the scenario "
             "has %d)", what, (int) n);
  g_assert_not_reached();
}

void cs_lua_check_can_add_clients(lua_State *L, CsLua *ctx, const char *what)
{
  GError *e = NULL;
  if (!cs_build_clients_check(ctx->builder, what, &e))
    cs_lua_raise_build(L, e);
}

const char *cs_lua_node_label(CsLua *ctx, SimNodeId node, char *buf, gsize size)
{
  return cs_builder_node_label(ctx->builder, node, buf, size);
}

SimTime cs_lua_check_duration(lua_State *L, int idx, const char *what, const char *name)
{
  return cs_opt_check_duration(L, idx, what, name);
}

SimTime cs_lua_get_at(lua_State *L, CsLua *ctx, int opts, const char *what)
{
  SimTime now = sim_now(ctx->sim);
  if (!cs_opt_has(L, opts, "at"))
    return now;
  SimTime at = cs_opt_get_duration(L, opts, "at", 0);
  if (at < now) {
    char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(a, sizeof a, "%.9g", sim_time_to_s(at));
    g_ascii_formatd(b, sizeof b, "%.9g", sim_time_to_s(now));
    luaL_error(L, "%s 'at': %ss is in the past (the simulated time is now %ss)", what, a, b);
  }
  cs_lua_note_at(L, ctx, at, what);
  return at;
}

/* ---- names and addresses --------------------------------------------------- */

/* Checks the `name` option of a site or node (site: FALSE for a node): well
 * formed and not yet used.  Returns it (owned by the table). */
static const char *check_name(lua_State *L, CsLua *ctx, int opts, const char *what, gboolean site)
{
  cs_opt_push(L, opts, "name");
  size_t len;
  const char *name = lua_tolstring(L, -1, &len);
  if (strlen(name) != len || !cs_build_name_ok(name))
    cs_opt_error_value(L, what, "name", "a name of letters, digits, '-', '_' and '.' "
                       "(at most 64, starting with a letter or digit)", -1);
  GError *e = NULL;
  if (!cs_build_name_check(ctx->builder, what, site, name, &e))
    cs_lua_raise_build(L, e);
  lua_pop(L, 1);
  return name;
}

/* An address option "a.b.c.d" (0 when absent). */
static guint32 check_address(lua_State *L, int opts, const char *what)
{
  if (!cs_opt_has(L, opts, "address"))
    return 0;
  cs_opt_push(L, opts, "address");
  guint32 addr = 0;
  if (!sim_addr_parse(lua_tostring(L, -1), &addr) || addr == 0)
    cs_opt_error_value(L, what, "address", "an address a.b.c.d", -1);
  lua_pop(L, 1);
  return addr;
}

/* Parses a CIDR option value at idx; raises with a hint on host bits. */
static void check_cidr(lua_State *L, int idx, const char *what, const char *key, guint32 *base,
                       guint8 *prefix)
{
  const char *s = lua_tostring(L, idx);
  if (sim_cidr_parse(s, base, prefix))
    return;
  /* Well formed but with host bits set: say which network was meant. */
  const char *slash = strchr(s, '/');
  if (slash) {
    char *addr_part = g_strndup(s, (gsize) (slash - s));
    char *end = NULL;
    guint64 p = g_ascii_strtoull(slash + 1, &end, 10);
    guint32 a;
    gboolean ok = sim_addr_parse(addr_part, &a) && end != slash + 1 && *end == '\0' && p <= 32;
    g_free(addr_part);
    if (ok) {
      char net[16];
      sim_addr_format(a & sim_prefix_mask((guint8) p), net);
      lua_pushfstring(L, "a network address a.b.c.d/n with the host bits zero (%s/%d)", net,
                      (int) p);
      cs_opt_error_value(L, what, key, lua_tostring(L, -1), idx);
    }
  }
  cs_opt_error_value(L, what, key, "a.b.c.d/n", idx);
}

/* ---- chainsim.new ----------------------------------------------------------- */

/* {min=, max=} duration tables.  Registering more often than every 10 s,
 * or re-registering in full more often than every minute, makes a normal
 * scenario tens of times slower without modelling anything real. */
#define RANGE_FIELDS(lo, hi)                                                       \
  { .key = "max", .type = CS_OPT_DURATION, .required = TRUE, CS_OPT_RANGE(lo, hi) }, \
  { .key = "min", .type = CS_OPT_DURATION, .required = TRUE, CS_OPT_RANGE(lo, hi) }, \
  { NULL }
static const CsOptField REGISTRATION_FIELDS[] = { RANGE_FIELDS(10 * CS_OPT_S, 24 * CS_OPT_HOUR) };
static const CsOptField INITIAL_REGISTRATION_FIELDS[] = {
  RANGE_FIELDS(CS_OPT_MIN, 7 * 24 * CS_OPT_HOUR)
};
static const CsOptField SENSOR_TIME_FIELDS[] = { RANGE_FIELDS(0, CS_OPT_HOUR) };

/* Reads an optional {min=, max=} duration table. */
static void get_range(lua_State *L, int opts, const char *key, const CsOptField *fields,
                      SimTime *lo, SimTime *hi)
{
  if (cs_opt_push(L, opts, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  int t = lua_gettop(L);
  cs_opt_check(L, t, key, fields);
  SimTime a = cs_opt_get_duration(L, t, "min", 0), b = cs_opt_get_duration(L, t, "max", 0);
  if (a > b)
    luaL_error(L, "%s: 'min' must not exceed 'max'", key);
  lua_pop(L, 1);
  *lo = a;
  *hi = b;
}

/* Protocol messages: at most 16MiB each. */
#define MESSAGE_SIZE_MAX (16 * CS_OPT_MIB)
static const CsOptField SIZES_FIELDS[] = {
  { .key = "action", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "answer", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "answer_row", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "initial_registration", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "initial_registration_response", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "question", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "registration", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { .key = "registration_response", .type = CS_OPT_SIZE, CS_OPT_RANGE(0, MESSAGE_SIZE_MAX) },
  { NULL },
};

static guint32 get_size32(lua_State *L, int t, const char *what, const char *key, guint32 def)
{
  (void) what;
  return (guint32) cs_opt_get_size(L, t, key, def); /* checked: at most 16MiB */
}

static const char *const QUESTION_DELIVERY[] = { "push", "registration", NULL };
static const char *const WALK[] = { "express", "exact", NULL };

static const CsOptField NEW_FIELDS[] = {
  { .key = "batch_window", .type = CS_OPT_DURATION, CS_OPT_RANGE(CS_OPT_MS, CS_OPT_MIN) },
  { .key = "bucket", .type = CS_OPT_DURATION, CS_OPT_RANGE(10 * CS_OPT_MS, CS_OPT_HOUR) },
  { .key = "cache_size", .type = CS_OPT_SIZE },
  { .key = "connect_timeout", .type = CS_OPT_DURATION,
    CS_OPT_RANGE(100 * CS_OPT_MS, 10 * CS_OPT_MIN) },
  { .key = "download_retry", .type = CS_OPT_DURATION,
    CS_OPT_RANGE(10 * CS_OPT_S, 24 * CS_OPT_HOUR) },
  { .key = "download_retry_max", .type = CS_OPT_DURATION,
    CS_OPT_RANGE(10 * CS_OPT_S, 168 * CS_OPT_HOUR) },
  { .key = "flow_groups", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE,
    .max = G_MAXUINT32 },
  { .key = "initial_registration", .type = CS_OPT_TABLE },
  { .key = "keepalive", .type = CS_OPT_DURATION, CS_OPT_RANGE(CS_OPT_S, 24 * CS_OPT_HOUR) },
  { .key = "live_timeout", .type = CS_OPT_DURATION, CS_OPT_RANGE(CS_OPT_S, 24 * CS_OPT_HOUR) },
  { .key = "neighbourhood", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 8, .has_max = TRUE,
    .max = 32 },
  { .key = "peering", .type = CS_OPT_BOOLEAN },
  { .key = "peers_per_side", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1,
    .has_max = TRUE, .max = 64 },
  { .key = "question_delivery", .type = CS_OPT_STRING, .choices = QUESTION_DELIVERY },
  { .key = "registration", .type = CS_OPT_TABLE },
  { .key = "registration_timeout", .type = CS_OPT_DURATION },
  { .key = "seed", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0 },
  { .key = "sensor_time", .type = CS_OPT_TABLE },
  { .key = "shard_size", .type = CS_OPT_SIZE, CS_OPT_RANGE(SHARD_SIZE_MIN, SHARD_SIZE_MAX) },
  { .key = "sizes", .type = CS_OPT_TABLE },
  { .key = "startup", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, 24 * CS_OPT_HOUR) },
  { .key = "tls", .type = CS_OPT_ANY },
  { .key = "walk", .type = CS_OPT_STRING, .choices = WALK },
  { NULL },
};

static const CsOptField TLS_FIELDS[] = {
  { .key = "client_bytes", .type = CS_OPT_SIZE },
  { .key = "peers", .type = CS_OPT_BOOLEAN },
  { .key = "resume", .type = CS_OPT_BOOLEAN },
  { .key = "resume_lifetime", .type = CS_OPT_DURATION },
  { .key = "resumed_client_bytes", .type = CS_OPT_SIZE },
  { .key = "resumed_round_trips", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE,
    .max = 10 },
  { .key = "resumed_server_bytes", .type = CS_OPT_SIZE },
  { .key = "round_trips", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE, .max = 10 },
  { .key = "server", .type = CS_OPT_BOOLEAN },
  { .key = "server_bytes", .type = CS_OPT_SIZE },
  { NULL },
};

/* tls = true / false (every connection, full handshakes), or a table:
 * { server, peers, resume, resume_lifetime, round_trips, client_bytes,
 *   server_bytes, resumed_round_trips, resumed_client_bytes,
 *   resumed_server_bytes }. */
static void get_tls(lua_State *L, CsWorldParams *p)
{
  int type = cs_opt_push(L, 1, "tls");
  int t = lua_gettop(L);
  if (type == LUA_TBOOLEAN) {
    p->tls = p->tls_peers = lua_toboolean(L, t);
  } else if (type == LUA_TTABLE) {
    cs_opt_check(L, t, "tls", TLS_FIELDS);
    p->tls = cs_opt_get_bool(L, t, "server", p->tls);
    p->tls_peers = cs_opt_get_bool(L, t, "peers", p->tls_peers);
    p->tls_resume = cs_opt_get_bool(L, t, "resume", p->tls_resume);
    p->tls_resume_lifetime = cs_opt_get_duration(L, t, "resume_lifetime", p->tls_resume_lifetime);
    if (p->tls_resume_lifetime <= 0)
      luaL_error(L, "tls 'resume_lifetime': expected a duration > 0");
    SimParams *s = &p->sim;
    s->tls_rtts = (guint32) cs_opt_get_int(L, t, "round_trips", s->tls_rtts);
    s->tls_client_bytes = get_size32(L, t, "tls", "client_bytes", s->tls_client_bytes);
    s->tls_server_bytes = get_size32(L, t, "tls", "server_bytes", s->tls_server_bytes);
    s->tls_resumed_rtts = (guint32) cs_opt_get_int(L, t, "resumed_round_trips", s->tls_resumed_rtts);
    s->tls_resumed_client_bytes = get_size32(L, t, "tls", "resumed_client_bytes", s->tls_resumed_client_bytes);
    s->tls_resumed_server_bytes = get_size32(L, t, "tls", "resumed_server_bytes", s->tls_resumed_server_bytes);
  } else if (type != LUA_TNIL) {
    cs_opt_error(L, "chainsim.new", "tls", "a boolean or a table", t);
  }
  lua_pop(L, 1);
}

/* --trace: one row per delivered message. */
static void trace_row(Sim *sim, gpointer data, SimNodeId from, SimNodeId to, guint8 cls, guint64 size,
                      guint32 type, SimTime sent_at)
{
  CsLua *ctx = data;
  char a[16], b[16];
  fprintf(ctx->trace, "%.9f,%s,%s,%s,%" G_GUINT64_FORMAT ",%s,%.6f\n", sim_time_to_s(sim_now(sim)),
          sim_addr_format(sim_node_addr(sim, from), a), sim_addr_format(sim_node_addr(sim, to), b),
          sim_class_name(sim, cls), size, cs_msg_type_name(type), sim_time_to_ms(sim_now(sim) - sent_at));
}

static int chainsim_new(lua_State *L)
{
  CsLua *ctx = cs_lua_ctx(L);
  lua_settop(L, 1);
  cs_opt_check(L, 1, "chainsim.new", NEW_FIELDS);
  if (ctx->world)
    return luaL_error(L, "chainsim.new: a scenario makes one simulation (chainsim.new was "
                      "already called)");

  CsWorldParams p;
  cs_world_params_default(&p);
  guint64 seed = ctx->seed_given ? ctx->seed : (guint64) cs_opt_get_int(L, 1, "seed", 1);
  p.sim.seed = seed;
  p.sim.bucket = cs_opt_get_duration(L, 1, "bucket", p.sim.bucket);
  p.sim.connect_timeout = cs_opt_get_duration(L, 1, "connect_timeout", p.sim.connect_timeout);
  p.sim.keepalive_timeout = cs_opt_get_duration(L, 1, "keepalive", p.sim.keepalive_timeout);
  p.sim.group_min = (guint32) cs_opt_get_int(L, 1, "flow_groups", p.sim.group_min);
  p.peering = cs_opt_get_bool(L, 1, "peering", p.peering);
  get_tls(L, &p);
  p.reg_timeout = cs_opt_get_duration(L, 1, "registration_timeout", p.reg_timeout);
  if (p.reg_timeout <= 0)
    return luaL_error(L, "chainsim.new 'registration_timeout': expected a duration > 0");
  p.question_delivery = g_strcmp0(cs_opt_get_string(L, 1, "question_delivery", "push"), "registration") == 0
                            ? CS_QD_REGISTRATION : CS_QD_PUSH;
  p.walk = g_strcmp0(cs_opt_get_string(L, 1, "walk", "express"), "exact") == 0 ? CS_WALK_EXACT : CS_WALK_EXPRESS;
  p.batch_window = cs_opt_get_duration(L, 1, "batch_window", p.batch_window);
  p.live_timeout = cs_opt_get_duration(L, 1, "live_timeout", p.live_timeout);
  p.startup = cs_opt_get_duration(L, 1, "startup", p.startup);
  p.neighbourhood_prefix = (guint8) cs_opt_get_int(L, 1, "neighbourhood", p.neighbourhood_prefix);
  p.peers_per_side = (guint32) cs_opt_get_int(L, 1, "peers_per_side", p.peers_per_side);
  p.cache_size = cs_opt_get_size(L, 1, "cache_size", p.cache_size);
  p.shard_size = (guint32) cs_opt_get_size(L, 1, "shard_size", p.shard_size);
  ctx->shard_size = p.shard_size;
  p.download_retry = cs_opt_get_duration(L, 1, "download_retry", p.download_retry);
  p.download_retry_max = cs_opt_get_duration(L, 1, "download_retry_max", p.download_retry_max);
  if (p.download_retry_max < p.download_retry) {
    char lo[32], got[32];
    cs_units_format_duration(p.download_retry, lo, sizeof lo);
    cs_units_format_duration(p.download_retry_max, got, sizeof got);
    return luaL_error(L, "chainsim.new 'download_retry_max': expected at least download_retry (%s), got %s", lo, got);
  }
  get_range(L, 1, "registration", REGISTRATION_FIELDS, &p.reg_min, &p.reg_max);
  get_range(L, 1, "initial_registration", INITIAL_REGISTRATION_FIELDS, &p.init_min, &p.init_max);
  get_range(L, 1, "sensor_time", SENSOR_TIME_FIELDS, &p.sensor_min, &p.sensor_max);
  if (cs_opt_push(L, 1, "sizes") != LUA_TNIL) {
    int t = lua_gettop(L);
    cs_opt_check(L, t, "sizes", SIZES_FIELDS);
    p.reg_bytes = get_size32(L, t, "sizes", "registration", p.reg_bytes);
    p.reg_resp_bytes = get_size32(L, t, "sizes", "registration_response", p.reg_resp_bytes);
    p.question_bytes = get_size32(L, t, "sizes", "question", p.question_bytes);
    p.answer_bytes = get_size32(L, t, "sizes", "answer", p.answer_bytes);
    p.answer_row_bytes = get_size32(L, t, "sizes", "answer_row", p.answer_row_bytes);
    p.action_bytes = get_size32(L, t, "sizes", "action", p.action_bytes);
    p.init_bytes = get_size32(L, t, "sizes", "initial_registration", p.init_bytes);
    p.init_resp_bytes = get_size32(L, t, "sizes", "initial_registration_response", p.init_resp_bytes);
  }
  lua_pop(L, 1);

  ctx->seed = seed;
  cs_sandbox_set_seed(ctx->sb, seed);
  ctx->builder = cs_builder_new(&p);
  ctx->world = cs_builder_world(ctx->builder);
  ctx->sim = cs_builder_sim(ctx->builder);
  if (ctx->trace) {
    fputs("time_s,from,to,class,bytes,type,latency_ms\n", ctx->trace);
    sim_set_trace(ctx->sim, trace_row, ctx);
  }
  cs_lua_push_obj(L, ctx, CS_LUA_SIM, 0);
  return 1;
}

/* ---- sim: sites and links --------------------------------------------------- */

static const CsOptField WAN_FIELDS[] = {
  { .key = "bandwidth", .type = CS_OPT_RATE, .required = TRUE, CS_OPT_RANGE(LINK_BPS_MIN, LINK_BPS_MAX) },
  { .key = "buffer", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE, .max = 1000000 },
  { .key = "latency", .type = CS_OPT_DURATION, .required = TRUE, CS_OPT_RANGE(0, LINK_LATENCY_MAX) },
  { .key = "loss", .type = CS_OPT_NUMBER, .has_min = TRUE, .min = 0, .has_max = TRUE, .max = 0.5 },
  { .key = "to", .type = CS_OPT_ANY, .required = TRUE },
  { NULL },
};

/* Checks a WAN link's table at t (what: "wan"); returns the far site. */
static guint32 check_wan(lua_State *L, CsLua *ctx, int t, const char *what)
{
  cs_opt_check(L, t, what, WAN_FIELDS);
  cs_opt_push(L, t, "to");
  CsLuaObj *to = cs_lua_test(L, -1, CS_LUA_SITE);
  if (to == NULL)
    cs_opt_error(L, what, "to", "a site", -1);
  lua_pop(L, 1);
  return to->id;
}

/* The link options of a WAN table at t. */
static CsBuildLink wan_link(lua_State *L, int t)
{
  return (CsBuildLink) {
    .bps = cs_opt_get_rate(L, t, "bandwidth", 0),
    .latency = cs_opt_get_duration(L, t, "latency", 0),
    .loss = cs_opt_get_number(L, t, "loss", 0),
    .buffer = (guint32) cs_opt_get_int(L, t, "buffer", SIM_BUFFER_DEFAULT),
  };
}

static const CsOptField SITE_FIELDS[] = {
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "wan", .type = CS_OPT_TABLE },
  { NULL },
};

static int sim_site(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "site", SITE_FIELDS);
  cs_lua_check_mutable(L, ctx, "site");
  const char *name = check_name(L, ctx, 2, "site", TRUE);
  guint32 to = SIM_NONE;
  CsBuildLink wan = { 0 };
  if (cs_opt_push(L, 2, "wan") != LUA_TNIL) {
    to = check_wan(L, ctx, 3, "wan");
    wan = wan_link(L, 3);
  }
  cs_budget_add(L, &ctx->budget, "site", CS_BUDGET_RECORD_BYTES);

  GError *e = NULL;
  guint32 site = cs_build_site(ctx->builder, name, to, &wan, &e);
  if (site == SIM_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_site(L, ctx, site);
  return 1;
}

static const CsOptField LINK_FIELDS[] = {
  { .key = "a", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "b", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "bandwidth", .type = CS_OPT_RATE, .required = TRUE, CS_OPT_RANGE(LINK_BPS_MIN, LINK_BPS_MAX) },
  { .key = "buffer", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE, .max = 1000000 },
  { .key = "latency", .type = CS_OPT_DURATION, .required = TRUE, CS_OPT_RANGE(0, LINK_LATENCY_MAX) },
  { .key = "loss", .type = CS_OPT_NUMBER, .has_min = TRUE, .min = 0, .has_max = TRUE, .max = 0.5 },
  { NULL },
};

/* sim:wan{ a = site, b = site, bandwidth, latency, loss, buffer } — an extra WAN link
 * (a site's own `wan` option makes its first). */
static int sim_wan(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "wan", LINK_FIELDS);
  cs_lua_check_mutable(L, ctx, "wan");
  guint32 ends[2];
  const char *keys[2] = { "a", "b" };
  for (int i = 0; i < 2; i++) {
    cs_opt_push(L, 2, keys[i]);
    CsLuaObj *s = cs_lua_test(L, -1, CS_LUA_SITE);
    if (s == NULL)
      cs_opt_error(L, "wan", keys[i], "a site", -1);
    ends[i] = s->id;
    lua_pop(L, 1);
  }
  CsBuildLink wan = wan_link(L, 2);
  GError *e = NULL;
  guint32 link = cs_build_wan(ctx->builder, ends[0], ends[1], &wan, &e);
  if (link == SIM_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_obj(L, ctx, CS_LUA_LINK, link);
  return 1;
}

/* sim:internet{ to = dmz, bandwidth, latency, loss } — the site "internet"
 * with a WAN link to `to`; its external_clients{} method makes roaming
 * clients.  One per scenario. */
static int sim_internet(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "internet", WAN_FIELDS);
  cs_lua_check_mutable(L, ctx, "internet");
  GError *e = NULL;
  if (!cs_build_internet_check(ctx->builder, &e)) {
    int code = e->code;
    g_error_free(e);
    if (code == CS_BUILD_ERROR_EXISTS)
      luaL_error(L, "internet: the internet site already exists (one sim:internet per "
                 "scenario; call external_clients{} on it as often as needed)");
    luaL_error(L, "internet: a site named \"internet\" already exists (sim:internet makes "
               "the site of that name)");
  }
  guint32 to = check_wan(L, ctx, 2, "internet");
  CsBuildLink wan = wan_link(L, 2);
  guint32 site = cs_build_internet(ctx->builder, to, &wan, &e);
  if (site == SIM_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_site(L, ctx, site);
  return 1;
}

static int sim_now_m(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_pushnumber(L, sim_time_to_s(sim_now(ctx->sim)));
  return 1;
}

/* sim:node("10.17.0.42") — the node with that address, or nil. */
static int sim_node_m(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  const char *s = luaL_checkstring(L, 2);
  guint32 addr;
  if (!sim_addr_parse(s, &addr))
    cs_opt_error_value(L, "node", "address", "an address a.b.c.d", 2);
  SimNodeId n = sim_node_by_addr(ctx->sim, addr);
  if (n == SIM_NODE_NONE)
    lua_pushnil(L);
  else
    cs_lua_push_node(L, ctx, n);
  return 1;
}

static int sim_sites(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  guint32 n = sim_site_count(ctx->sim);
  lua_createtable(L, (int) n, 0);
  for (guint32 i = 0; i < n; i++) {
    cs_lua_push_site(L, ctx, i);
    lua_rawseti(L, -2, (lua_Integer) i + 1);
  }
  return 1;
}

static int sim_tostring(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_pushfstring(L, "chainsim simulation (seed %I)", (lua_Integer) ctx->seed);
  return 1;
}

/* ---- sites ------------------------------------------------------------------- */

static const CsOptField ACCESS_FIELDS[] = {
  { .key = "bandwidth", .type = CS_OPT_RATE, CS_OPT_RANGE(LINK_BPS_MIN, LINK_BPS_MAX) },
  { .key = "buffer", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE, .max = 1000000 },
  { .key = "latency", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, LINK_LATENCY_MAX) },
  { NULL },
};

/* An optional access = { bandwidth, latency, buffer } at opts over the
 * defaults in a; FALSE when absent. */
static gboolean get_access(lua_State *L, int opts, CsBuildAccess *a)
{
  if (cs_opt_push(L, opts, "access") == LUA_TNIL) {
    lua_pop(L, 1);
    return FALSE;
  }
  int t = lua_gettop(L);
  cs_opt_check(L, t, "access", ACCESS_FIELDS);
  a->bps = cs_opt_get_rate(L, t, "bandwidth", a->bps);
  a->latency = cs_opt_get_duration(L, t, "latency", a->latency);
  a->buffer = (guint32) cs_opt_get_int(L, t, "buffer", a->buffer);
  lua_pop(L, 1);
  return TRUE;
}

static const CsOptField SUBNET_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "cidr", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "clients", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE,
    .max = 16777214 },
  { .key = "isolated", .type = CS_OPT_BOOLEAN },
  { .key = "separated", .type = CS_OPT_BOOLEAN },
  { NULL },
};

static int site_subnet(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "subnet", SUBNET_FIELDS);
  cs_lua_check_mutable(L, ctx, "subnet");
  CsBuildSubnet sn = { 0 };
  cs_opt_push(L, 2, "cidr");
  check_cidr(L, 3, "subnet", "cidr", &sn.base, &sn.prefix);
  lua_pop(L, 1);
  sn.clients = (guint32) cs_opt_get_int(L, 2, "clients", 0);
  sn.isolated = cs_opt_get_bool(L, 2, "isolated", FALSE);
  sn.separated = cs_opt_get_bool(L, 2, "separated", FALSE);
  CsBuildAccess access;
  cs_build_access_default(&access);
  get_access(L, 2, &access);
  sn.access = &access;
  GError *e = NULL;
  if (!cs_build_subnet_check(ctx->builder, site->id, &sn, &e))
    cs_lua_raise_build(L, e);
  cs_budget_add(L, &ctx->budget, "subnet", CS_BUDGET_RECORD_BYTES);
  if (sn.clients > 0)
    cs_budget_add_clients(L, &ctx->budget, "subnet", sn.clients);
  guint32 subnet = cs_build_subnet(ctx->builder, site->id, &sn, &e);
  if (subnet == SIM_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_subnet(L, ctx, subnet);
  return 1;
}

static const CsOptField SERVICE_FIELDS[] = {
  { .key = "answer", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, CS_OPT_MIN) },
  { .key = "initial_registration", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, CS_OPT_MIN) },
  { .key = "leader", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, CS_OPT_MIN) },
  { .key = "registration", .type = CS_OPT_DURATION, CS_OPT_RANGE(0, CS_OPT_MIN) },
  { NULL },
};

static const CsOptField SERVER_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "address", .type = CS_OPT_STRING },
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "service", .type = CS_OPT_TABLE },
  { .key = "subnet", .type = CS_OPT_ANY },
  { .key = "workers", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 4096 },
  { NULL },
};

/* The optional `subnet` option of a server or host on a site: a subnet;
 * SIM_NONE when absent. */
static guint32 opt_subnet(lua_State *L, int opts, const char *what)
{
  if (cs_opt_push(L, opts, "subnet") == LUA_TNIL) {
    lua_pop(L, 1);
    return SIM_NONE;
  }
  CsLuaObj *s = cs_lua_test(L, -1, CS_LUA_SUBNET);
  if (s == NULL)
    cs_opt_error(L, what, "subnet", "a subnet", -1);
  lua_pop(L, 1);
  return s->id;
}

/* What every server-like node reads from its option table (after its own
 * fields are validated): name, address, subnet and access link. */
typedef struct {
  const char *what;    /* the call, for errors: "server", "host", ... */
  guint32 site;
  CsBuildNode node;
  CsBuildAccess access;
} NodeSpec;

/* Validates the options at index 2 and reads the common ones; `subnet` is
 * the node's subnet when the call fixes it (subnet:host), else SIM_NONE:
 * the `subnet` option when `fields` has one, else the site's infrastructure
 * subnet. */
static void node_spec_read(lua_State *L, CsLua *ctx, const char *what, const CsOptField *fields,
                           guint32 site, guint32 subnet, NodeSpec *n)
{
  lua_settop(L, 2);
  cs_opt_check(L, 2, what, fields);
  cs_lua_check_mutable(L, ctx, what);
  n->what = what;
  n->site = site;
  n->node.name = check_name(L, ctx, 2, what, FALSE);
  n->node.addr = check_address(L, 2, what);
  n->node.subnet = subnet != SIM_NONE ? subnet : opt_subnet(L, 2, what);
  n->node.access = NULL;
  GError *e = NULL;
  if (!cs_build_node_check(ctx->builder, what, site, &n->node, &e))
    cs_lua_raise_build(L, e);
  cs_build_access_default(&n->access);
  if (get_access(L, 2, &n->access))
    n->node.access = &n->access;
  cs_budget_add(L, &ctx->budget, what, CS_BUDGET_RECORD_BYTES);
}

/* Pushes the node the builder made, or raises its error. */
static int node_push(lua_State *L, CsLua *ctx, SimNodeId node, GError *e)
{
  if (node == SIM_NODE_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_node(L, ctx, node);
  return 1;
}

static int site_server(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  NodeSpec n;
  node_spec_read(L, ctx, "server", SERVER_FIELDS, site->id, SIM_NONE, &n);
  CsServerParams sp;
  cs_server_params_default(&sp);
  sp.workers = (guint32) cs_opt_get_int(L, 2, "workers", sp.workers);
  if (cs_opt_push(L, 2, "service") != LUA_TNIL) {
    int t = lua_gettop(L);
    cs_opt_check(L, t, "service", SERVICE_FIELDS);
    sp.svc_registration = cs_opt_get_duration(L, t, "registration", sp.svc_registration);
    sp.svc_answer = cs_opt_get_duration(L, t, "answer", sp.svc_answer);
    sp.svc_leader = cs_opt_get_duration(L, t, "leader", sp.svc_leader);
    sp.svc_initial = cs_opt_get_duration(L, t, "initial_registration", sp.svc_initial);
  }
  lua_pop(L, 1);
  GError *e = NULL;
  return node_push(L, ctx, cs_build_server(ctx->builder, site->id, &n.node, &sp, &e), e);
}

static const CsOptField HOST_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "address", .type = CS_OPT_STRING },
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { NULL },
};

/* A plain host in `subnet` (SIM_NONE: the site's infrastructure subnet). */
static int add_host(lua_State *L, CsLua *ctx, guint32 site, guint32 subnet)
{
  NodeSpec n;
  node_spec_read(L, ctx, "host", HOST_FIELDS, site, subnet, &n);
  GError *e = NULL;
  return node_push(L, ctx, cs_build_host(ctx->builder, site, &n.node, &e), e);
}

static int site_host(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  return add_host(L, site->ctx, site->id, SIM_NONE);
}

/* The core server option `key` of call `what` (at index 2): the one given,
 * else the builder's default; an error if there is none yet (`node` names
 * what is being made, for the message). */
static SimNodeId opt_core_server(lua_State *L, CsLua *ctx, guint32 site, const char *what,
                                 const char *key, const char *node)
{
  SimNodeId core;
  if (cs_opt_push(L, 2, key) != LUA_TNIL) {
    core = cs_lua_check_role(L, ctx, -1, what, key, 1u << CS_BUILD_ROLE_SERVER,
                             "a core server (made with site:server{...})");
  } else {
    core = cs_builder_default_core(ctx->builder, site);
    if (core == SIM_NODE_NONE)
      luaL_error(L, "%s: there is no core server yet (make one with site:server{ name = ... } "
                 "before %s)", what, node);
  }
  lua_pop(L, 1);
  return core;
}

static const CsOptField MODULE_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "address", .type = CS_OPT_STRING },
  { .key = "core", .type = CS_OPT_ANY },
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "retries", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0, .has_max = TRUE, .max = 100 },
  { .key = "server_cert", .type = CS_OPT_BOOLEAN },
  { .key = "subnet", .type = CS_OPT_ANY },
  { NULL },
};

/* site:module_server{ name, server_cert = true, core, subnet, address,
 * access, retries = 3 } — Direct Connect and satellite workloads; talks to
 * `core` (by default the site's core server, else the scenario's first) over
 * 443; a session waiting on one of its channels ends in error after
 * `retries` + 1 failed connects of it. */
static int site_module_server(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  NodeSpec n;
  node_spec_read(L, ctx, "module_server", MODULE_FIELDS, site->id, SIM_NONE, &n);
  SimNodeId core = opt_core_server(L, ctx, site->id, "module_server", "core", "the module server");
  gboolean cert = cs_opt_get_bool(L, 2, "server_cert", TRUE);
  guint32 retries = (guint32) cs_opt_get_int(L, 2, "retries", 3);
  GError *e = NULL;
  return node_push(L, ctx, cs_build_module_server(ctx->builder, site->id, &n.node, core, cert,
                                                  retries, &e), e);
}

static const CsOptField DATABASE_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "address", .type = CS_OPT_STRING },
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "server", .type = CS_OPT_ANY },
  { .key = "subnet", .type = CS_OPT_ANY },
  { .key = "workers", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE, .max = 4096 },
  { .key = "write_ms", .type = CS_OPT_DURATION },
  { NULL },
};

/* site:database{ name, server, workers = 4, write_ms = "2ms", subnet,
 * address, access } — the database of core server `server` (by default the
 * site's core server, else the scenario's first), reached on SQL 1433. */
static int site_database(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  NodeSpec n;
  node_spec_read(L, ctx, "database", DATABASE_FIELDS, site->id, SIM_NONE, &n);
  SimNodeId server = opt_core_server(L, ctx, site->id, "database", "server", "the database");
  guint32 workers = (guint32) cs_opt_get_int(L, 2, "workers", 4);
  SimTime write = cs_opt_get_duration(L, 2, "write_ms", 2 * SIM_MS);
  GError *e = NULL;
  return node_push(L, ctx, cs_build_database(ctx->builder, site->id, &n.node, server, workers,
                                             write, &e), e);
}

static const CsOptField ZONE_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "address", .type = CS_OPT_STRING },
  { .key = "hub", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "subnet", .type = CS_OPT_ANY },
  { NULL },
};

/* site:zone_server{ name, hub = ts, subnet, address, access } — a zone
 * server whose tunnel the zone hub of core server `hub` keeps up. */
static int site_zone_server(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  NodeSpec n;
  node_spec_read(L, ctx, "zone_server", ZONE_FIELDS, site->id, SIM_NONE, &n);
  cs_opt_push(L, 2, "hub");
  SimNodeId hub = cs_lua_check_role(L, ctx, -1, "zone_server", "hub", 1u << CS_BUILD_ROLE_SERVER,
                                    "a core server (made with site:server{...})");
  lua_pop(L, 1);
  GError *e = NULL;
  return node_push(L, ctx, cs_build_zone_server(ctx->builder, site->id, &n.node, hub, &e), e);
}

static const CsOptField EXTERNAL_FIELDS[] = {
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "cidr", .type = CS_OPT_STRING },
  { .key = "count", .type = CS_OPT_INTEGER, .required = TRUE, .has_min = TRUE, .min = 1,
    .has_max = TRUE, .max = 16777214 },
  { .key = "zone", .type = CS_OPT_ANY },
  { NULL },
};

/* The zone server of external clients on `site`: the `zone` option, else
 * the only one; the builder's errors in the binding's words. */
static SimNodeId external_zone(lua_State *L, CsLua *ctx, guint32 site)
{
  GError *e = NULL;
  /* Without a zone given, the builder checks the site, then finds the only zone server. */
  SimNodeId zone = cs_build_external_zone(ctx->builder, site, SIM_NODE_NONE, &e);
  int code = zone == SIM_NODE_NONE ? e->code : -1;
  if (code == CS_BUILD_ERROR_NO_INTERNET || code == CS_BUILD_ERROR_NOT_INTERNET) {
    g_error_free(e);
    if (code == CS_BUILD_ERROR_NO_INTERNET)
      luaL_error(L, "external_clients: there is no internet site yet (make it with "
                 "local inet = sim:internet{ to = dmz, bandwidth = ..., latency = ... }, "
                 "then call inet:external_clients{...})");
    luaL_error(L, "external_clients: call it on the internet site (what sim:internet "
               "returned), not on site '%s'", sim_site_name(ctx->sim, site));
  }
  if (cs_opt_push(L, 2, "zone") != LUA_TNIL) {
    g_clear_error(&e);
    zone = cs_lua_check_role(L, ctx, -1, "external_clients", "zone", 1u << CS_BUILD_ROLE_ZONE_SERVER,
                             "a zone server (made with site:zone_server{...})");
  } else if (code == CS_BUILD_ERROR_NO_ZONE) {
    g_error_free(e);
    luaL_error(L, "external_clients 'zone': there is no zone server yet (external "
               "clients reach the core through one: make it with "
               "dmz:zone_server{ name = ..., hub = ... })");
  } else if (e) {
    cs_lua_raise_build(L, e);
  }
  lua_pop(L, 1);
  return zone;
}

/* inet:external_clients{ count, zone = zs, access, cidr } — roaming clients
 * on the internet site that reach the core through zone server `zone` (by
 * default the only one) and never peer.  They get a subnet of their own:
 * `cidr`, or the next block of 198.18.0.0/15 that holds them.  Returns that
 * subnet: roam[i], #roam, roam:client(i), roam:clients(), roam:sensor(...),
 * usable as targets and in firewall rules like any subnet. */
static int site_external_clients(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  CsLua *ctx = site->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "external_clients", EXTERNAL_FIELDS);
  cs_lua_check_mutable(L, ctx, "external_clients");
  guint32 count = (guint32) cs_opt_get_int(L, 2, "count", 1);
  SimNodeId zone = external_zone(L, ctx, site->id);
  cs_budget_add_clients(L, &ctx->budget, "external_clients", count);
  guint32 base = 0;
  guint8 prefix = 0;
  GError *e = NULL;
  if (cs_opt_push(L, 2, "cidr") != LUA_TNIL) {
    check_cidr(L, -1, "external_clients", "cidr", &base, &prefix);
    if (!cs_build_external_check(ctx->builder, count, base, prefix, &e))
      cs_lua_raise_build(L, e);
  }
  lua_pop(L, 1);
  CsBuildAccess access;
  cs_build_access_external(&access);
  get_access(L, 2, &access);
  guint32 subnet = cs_build_external_clients(ctx->builder, site->id, count, zone, base, prefix,
                                             &access, &e);
  if (subnet == SIM_NONE)
    cs_lua_raise_build(L, e);
  cs_lua_push_subnet(L, ctx, subnet);
  return 1;
}

static int site_name(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  lua_pushstring(L, sim_site_name(site->ctx->sim, site->id));
  return 1;
}

const CsBuildSubnetInfo *cs_lua_subnet_info(CsLua *ctx, guint32 subnet)
{
  static const CsBuildSubnetInfo none = { .zone = SIM_NODE_NONE };
  const CsBuildSubnetInfo *info = cs_builder_subnet(ctx->builder, subnet);
  return info ? info : &none;
}

/* Pushes a userdata copy of the builder's array v (freed), so that a raise
 * frees it; returns the copy. */
static guint32 *push_ids(lua_State *L, guint32 *v, guint n)
{
  guint32 *u = lua_newuserdatauv(L, MAX(n, 1) * sizeof(guint32), 0);
  memcpy(u, v, n * sizeof(guint32));
  g_free(v);
  return u;
}

/* Pushes a userdata array of the site's client subnets in address order;
 * returns it and its length. */
static guint32 *site_client_subnets(lua_State *L, CsLua *ctx, guint32 site, guint *n)
{
  guint32 *v = cs_builder_site_client_subnets(ctx->builder, site, n);
  return push_ids(L, v, *n);
}

static int cs_lua_strcmp_ptr(const void *a, const void *b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int site_subnets(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  guint n;
  guint32 *v = site_client_subnets(L, site->ctx, site->id, &n);
  lua_createtable(L, (int) n, 0);
  for (guint i = 0; i < n; i++) {
    cs_lua_push_subnet(L, site->ctx, v[i]);
    lua_rawseti(L, -2, (lua_Integer) i + 1);
  }
  return 1;
}

/* Pushes a userdata array of client indices in address order for a site or
 * subnet object at idx; returns it and its length. */
static guint32 *group_clients(lua_State *L, CsLua *ctx, int idx, guint *n)
{
  CsLuaObj *o = cs_lua_test(L, idx, CS_LUA_SUBNET);
  if (o) {
    const CsBuildSubnetInfo *rec = cs_lua_subnet_info(ctx, o->id);
    guint32 *v = lua_newuserdatauv(L, MAX(rec->nclients, 1) * sizeof(guint32), 0);
    for (guint32 i = 0; i < rec->nclients; i++)
      v[i] = rec->first_client + i;
    *n = rec->nclients;
    return v;
  }
  o = cs_lua_check_site(L, idx);
  guint32 *v = cs_builder_site_clients(ctx->builder, o->id, n);
  return push_ids(L, v, *n);
}

static int push_client_list(lua_State *L, CsLua *ctx)
{
  guint n;
  guint32 *v = group_clients(L, ctx, 1, &n);
  lua_createtable(L, (int) n, 0);
  for (guint i = 0; i < n; i++) {
    cs_lua_push_node(L, ctx, cs_world_client_node(ctx->world, v[i]));
    lua_rawseti(L, -2, (lua_Integer) i + 1);
  }
  return 1;
}

static int site_clients(lua_State *L)
{
  return push_client_list(L, cs_lua_check_site(L, 1)->ctx);
}

static int site_link(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  guint32 link = cs_builder_site_uplink(site->ctx->builder, site->id);
  if (link == SIM_NONE)
    lua_pushnil(L);
  else
    cs_lua_push_obj(L, site->ctx, CS_LUA_LINK, link);
  return 1;
}

static int site_tostring(lua_State *L)
{
  CsLuaObj *site = cs_lua_check_site(L, 1);
  lua_pushfstring(L, "site %s", sim_site_name(site->ctx->sim, site->id));
  return 1;
}

/* ---- sensors -------------------------------------------------------------------- */

/* Charges a sensor not yet defined to the memory budget (its per-endpoint values). */
static void sensor_budget(lua_State *L, CsLua *ctx, const char *name)
{
  if (cs_world_sensor_find(ctx->world, name) < 0)
    cs_budget_add_per_client(L, &ctx->budget, "sensor", CS_BUDGET_SENSOR_BYTES);
}

/* site:sensor(name, values) / subnet:sensor(name, values). */
static int group_sensor(lua_State *L)
{
  CsLuaObj *self = lua_touserdata(L, 1);
  if (!cs_lua_test(L, 1, CS_LUA_SITE))
    cs_lua_check_subnet(L, 1);
  CsLua *ctx = self->ctx;
  lua_settop(L, 3);
  size_t len;
  const char *name = luaL_checklstring(L, 2, &len);
  if (len == 0 || strlen(name) != len)
    cs_opt_error_value(L, "sensor", "name", "a non-empty sensor name", 2);
  int vt = lua_type(L, 3);
  if (vt != LUA_TTABLE && vt != LUA_TFUNCTION)
    cs_opt_error(L, "sensor", "values", "a table of value = share, or a function (i, node) "
                 "-> value", 3);
  cs_lua_check_mutable(L, ctx, "sensor");

  guint n;
  guint32 *clients = group_clients(L, ctx, 1, &n); /* 4 */
  GError *e = NULL;
  if (vt == LUA_TFUNCTION) {
    /* Ask the function for every value first: it may raise. */
    const char **values = lua_newuserdatauv(L, MAX(n, 1) * sizeof(char *), 0); /* 5 */
    lua_createtable(L, (int) n, 0); /* 6: the value strings, held */
    lua_newtable(L);                /* 7: distinct values seen */
    guint distinct = 0;
    for (guint i = 0; i < n; i++) {
      lua_pushvalue(L, 3);
      lua_pushinteger(L, (lua_Integer) i + 1);
      cs_lua_push_node(L, ctx, cs_world_client_node(ctx->world, clients[i]));
      lua_call(L, 2, 1);
      int t = lua_type(L, -1);
      if (t != LUA_TSTRING && t != LUA_TNUMBER) {
        char a[16];
        cs_opt_push_repr(L, -1, TRUE);
        return luaL_error(L, "sensor '%s': the function returned %s for client %d (%s); "
                          "expected a string", name, lua_tostring(L, -1), (int) i + 1,
                          sim_addr_format(sim_node_addr(ctx->sim,
                                          cs_world_client_node(ctx->world, clients[i])), a));
      }
      lua_tostring(L, -1); /* numbers become their text */
      lua_pushvalue(L, -1);
      if (lua_rawget(L, 7) == LUA_TNIL) {
        if (++distinct > CS_BUILD_SENSOR_VALUES_MAX)
          return luaL_error(L, "sensor '%s': more than %d distinct values (the models keep "
                            "at most that many per sensor)", name, CS_BUILD_SENSOR_VALUES_MAX);
        lua_pushvalue(L, -2);
        lua_pushboolean(L, 1);
        lua_rawset(L, 7);
      }
      lua_pop(L, 1);
      values[i] = lua_tostring(L, -1);
      lua_rawseti(L, 6, (lua_Integer) i + 1);
    }
    sensor_budget(L, ctx, name);
    if (!cs_build_sensor_values(ctx->builder, name, clients, n, values, &e))
      cs_lua_raise_build(L, e);
    return 0;
  }

  /* Shares: values named by strings, shares numbers >= 0. */
  guint k = 0;
  lua_pushnil(L);
  while (lua_next(L, 3)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      return luaL_error(L, "sensor '%s': values must be named by strings (got a %s key)", name,
                        luaL_typename(L, -1));
    k++;
  }
  const char **values = lua_newuserdatauv(L, MAX(k, 1) * sizeof(char *), 0); /* 5 */
  double *shares = lua_newuserdatauv(L, MAX(k, 1) * sizeof(double), 0);     /* 6 */
  guint i = 0;
  lua_pushnil(L);
  while (lua_next(L, 3)) {
    lua_pop(L, 1);
    values[i++] = lua_tostring(L, -1);
  }
  /* Checked in value order, never pairs() order. */
  qsort(values, k, sizeof(char *), cs_lua_strcmp_ptr);
  for (i = 0; i < k; i++) {
    lua_pushstring(L, values[i]);
    lua_rawget(L, 3);
    double v = lua_tonumber(L, -1);
    if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(v) || v < 0) {
      lua_pushfstring(L, "sensor '%s'", name);
      cs_opt_error(L, lua_tostring(L, -1), values[i], "a share between 0 and 1", -2);
    }
    lua_pop(L, 1);
    shares[i] = v;
  }
  if (k > 0)
    sensor_budget(L, ctx, name);
  if (!cs_build_sensor_shares(ctx->builder, name, clients, n, values, shares, k, &e))
    cs_lua_raise_build(L, e);
  return 0;
}

/* ---- subnets ------------------------------------------------------------------------ */

static int subnet_client(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  const CsBuildSubnetInfo *rec = cs_lua_subnet_info(s->ctx, s->id);
  if (i < 1 || i > (lua_Integer) rec->nclients) {
    char a[16];
    return luaL_error(L, "client(%I): subnet %s/%d has %d clients (1 .. %d)", i,
                      sim_addr_format(sim_subnet_base(s->ctx->sim, s->id), a),
                      (int) sim_subnet_prefix(s->ctx->sim, s->id), (int) rec->nclients,
                      (int) rec->nclients);
  }
  cs_lua_push_node(L, s->ctx, cs_world_client_node(s->ctx->world,
                                                   rec->first_client + (guint32) i - 1));
  return 1;
}

static int subnet_clients(lua_State *L)
{
  return push_client_list(L, cs_lua_check_subnet(L, 1)->ctx);
}

static int subnet_count(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  lua_pushinteger(L, cs_lua_subnet_info(s->ctx, s->id)->nclients);
  return 1;
}

static int subnet_host(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  return add_host(L, s->ctx, sim_subnet_site(s->ctx->sim, s->id), s->id);
}

static int subnet_cidr(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  char a[16];
  lua_pushfstring(L, "%s/%d", sim_addr_format(sim_subnet_base(s->ctx->sim, s->id), a),
                  (int) sim_subnet_prefix(s->ctx->sim, s->id));
  return 1;
}

static int subnet_site(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  cs_lua_push_site(L, s->ctx, sim_subnet_site(s->ctx->sim, s->id));
  return 1;
}

static int subnet_tostring(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  subnet_cidr(L);
  lua_pushfstring(L, cs_lua_subnet_info(s->ctx, s->id)->external ? "external clients %s"
                                                                 : "subnet %s",
                  lua_tostring(L, -1));
  return 1;
}

/* subnet:zone() — the zone server external clients reach the core through;
 * nil for other subnets. */
static int subnet_zone(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  const CsBuildSubnetInfo *rec = cs_lua_subnet_info(s->ctx, s->id);
  if (rec->external)
    cs_lua_push_node(L, s->ctx, rec->zone);
  else
    lua_pushnil(L);
  return 1;
}

/* #subnet — its clients. */
static int subnet_len(lua_State *L)
{
  CsLuaObj *s = cs_lua_check_subnet(L, 1);
  lua_pushinteger(L, cs_lua_subnet_info(s->ctx, s->id)->nclients);
  return 1;
}

/* subnet[i] — the i-th client (1-based, address order), nil past the end
 * (so ipairs works); other keys are methods (upvalue 1). */
static int subnet_index(lua_State *L)
{
  CsLuaObj *s = lua_touserdata(L, 1);
  int isint = 0;
  lua_Integer i = lua_type(L, 2) == LUA_TNUMBER ? lua_tointegerx(L, 2, &isint) : 0;
  if (isint) {
    const CsBuildSubnetInfo *rec = cs_lua_subnet_info(s->ctx, s->id);
    if (i >= 1 && i <= (lua_Integer) rec->nclients)
      cs_lua_push_node(L, s->ctx, cs_world_client_node(s->ctx->world,
                                                       rec->first_client + (guint32) i - 1));
    else
      lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

/* ---- nodes ----------------------------------------------------------------------------- */

static int node_name(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  char buf[80];
  lua_pushstring(L, cs_lua_node_label(n->ctx, n->id, buf, sizeof buf));
  return 1;
}

static int node_address(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  char a[16];
  lua_pushstring(L, sim_addr_format(sim_node_addr(n->ctx->sim, n->id), a));
  return 1;
}

static int node_role(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  lua_pushstring(L, cs_lua_node_role(n->ctx, n->id));
  return 1;
}

static int node_subnet(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  cs_lua_push_subnet(L, n->ctx, sim_node_subnet(n->ctx->sim, n->id));
  return 1;
}

static int node_site(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  cs_lua_push_site(L, n->ctx, sim_node_site(n->ctx->sim, n->id));
  return 1;
}

static int node_is_up(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  lua_pushboolean(L, sim_node_is_up(n->ctx->sim, n->id));
  return 1;
}

/* The client index of a node method's self; raises for servers and hosts. */
static guint32 self_client(lua_State *L, const char *method)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  guint32 c = cs_world_node_client(n->ctx->world, n->id);
  if (c == G_MAXUINT32) {
    char buf[80];
    luaL_error(L, "%s: %s %s is not a client", method, cs_lua_node_role(n->ctx, n->id),
               cs_lua_node_label(n->ctx, n->id, buf, sizeof buf));
  }
  return c;
}

static int push_neighbour(lua_State *L, guint32 c)
{
  CsLuaObj *n = lua_touserdata(L, 1);
  if (c == G_MAXUINT32)
    lua_pushnil(L);
  else
    cs_lua_push_node(L, n->ctx, cs_world_client_node(n->ctx->world, c));
  return 1;
}

static int node_forward(lua_State *L)
{
  guint32 c = self_client(L, "forward");
  return push_neighbour(L, cs_client_forward(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, c));
}

static int node_backward(lua_State *L)
{
  guint32 c = self_client(L, "backward");
  return push_neighbour(L, cs_client_backward(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, c));
}

static int node_is_forward_leader(lua_State *L)
{
  guint32 c = self_client(L, "is_forward_leader");
  lua_pushboolean(L, cs_client_is_forward_leader(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, c));
  return 1;
}

static int node_is_backward_leader(lua_State *L)
{
  guint32 c = self_client(L, "is_backward_leader");
  lua_pushboolean(L, cs_client_is_backward_leader(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, c));
  return 1;
}

static int node_registrations(lua_State *L)
{
  guint32 c = self_client(L, "registrations");
  lua_pushinteger(L, cs_client_registrations(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, c));
  return 1;
}

static int node_sensor(lua_State *L)
{
  guint32 c = self_client(L, "sensor");
  CsLuaObj *n = lua_touserdata(L, 1);
  const char *name = luaL_checkstring(L, 2);
  gint32 s = cs_world_sensor_find(n->ctx->world, name);
  const char *v = s < 0 ? NULL : cs_world_sensor_get(n->ctx->world, (guint32) s, c);
  if (v)
    lua_pushstring(L, v);
  else
    lua_pushnil(L);
  return 1;
}

/* The zone index of a node method's self; raises for other nodes. */
static guint32 self_zone(lua_State *L, const char *method)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  for (guint32 z = 0; z < cs_world_zone_count(n->ctx->world); z++)
    if (cs_world_zone_node(n->ctx->world, z) == n->id)
      return z;
  char buf[80];
  luaL_error(L, "%s: %s %s is not a zone server", method, cs_lua_node_role(n->ctx, n->id),
             cs_lua_node_label(n->ctx, n->id, buf, sizeof buf));
  g_assert_not_reached();
}

/* zs:tunnel_up() — the hub's tunnel to this zone server is up now. */
static int node_tunnel_up(lua_State *L)
{
  guint32 z = self_zone(L, "tunnel_up");
  lua_pushboolean(L, cs_zone_tunnel_up(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, z));
  return 1;
}

/* zs:tunnel_drops() — times the tunnel went down so far. */
static int node_tunnel_drops(lua_State *L)
{
  guint32 z = self_zone(L, "tunnel_drops");
  lua_pushinteger(L, cs_zone_tunnel_drops(((CsLuaObj *) lua_touserdata(L, 1))->ctx->world, z));
  return 1;
}

/* ts:connections() — { open, persistent, persistent_peak }: connections open
 * at this core server now, the persistent ones among them (leaders of either
 * role, chains of one) and their peak so far. */
static int node_connections(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  guint32 s = cs_world_server_of_node(n->ctx->world, n->id);
  if (s == G_MAXUINT32) {
    char buf[80];
    return luaL_error(L, "connections: %s %s is not a core server", cs_lua_node_role(n->ctx, n->id),
                      cs_lua_node_label(n->ctx, n->id, buf, sizeof buf));
  }
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, cs_server_connections(n->ctx->world, s));
  lua_setfield(L, -2, "open");
  lua_pushinteger(L, cs_server_persistent_connections(n->ctx->world, s));
  lua_setfield(L, -2, "persistent");
  lua_pushinteger(L, cs_server_persistent_peak(n->ctx->world, s));
  lua_setfield(L, -2, "persistent_peak");
  return 1;
}

static int node_tostring(lua_State *L)
{
  CsLuaObj *n = cs_lua_check_node(L, 1);
  char buf[80], a[16];
  const char *name = cs_world_node_name(n->ctx->world, n->id);
  sim_addr_format(sim_node_addr(n->ctx->sim, n->id), a);
  if (name)
    lua_pushfstring(L, "%s %s (%s)", cs_lua_node_role(n->ctx, n->id), name, a);
  else
    lua_pushfstring(L, "%s %s", cs_lua_node_role(n->ctx, n->id),
                    cs_lua_node_label(n->ctx, n->id, buf, sizeof buf));
  return 1;
}

/* ---- links ------------------------------------------------------------------------------- */

static int link_name(lua_State *L)
{
  CsLuaObj *l = cs_lua_check_link(L, 1);
  lua_pushfstring(L, "%s<->%s", sim_site_name(l->ctx->sim, sim_link_site_a(l->ctx->sim, l->id)),
                  sim_site_name(l->ctx->sim, sim_link_site_b(l->ctx->sim, l->id)));
  return 1;
}

static int link_is_up(lua_State *L)
{
  CsLuaObj *l = cs_lua_check_link(L, 1);
  lua_pushboolean(L, sim_link_is_up(l->ctx->sim, l->id));
  return 1;
}

static int link_tostring(lua_State *L)
{
  link_name(L);
  lua_pushfstring(L, "link %s", lua_tostring(L, -1));
  return 1;
}

/* ---- targets and groups ---------------------------------------------------------------------- */

/* Checks one element of a targets value; fills t. */
static void one_target(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                       CsTarget *t)
{
  CsLuaObj *o;
  if ((o = cs_lua_test(L, idx, CS_LUA_NODE))) {
    guint32 c = cs_world_node_client(ctx->world, o->id);
    if (c == G_MAXUINT32)
      cs_opt_error(L, what, key, "clients, subnets or sites (servers and hosts have no agent)",
                   idx);
    t->kind = CS_TARGET_CLIENT;
    t->id = c;
  } else if ((o = cs_lua_test(L, idx, CS_LUA_SUBNET))) {
    t->kind = CS_TARGET_SUBNET;
    t->id = o->id;
  } else if ((o = cs_lua_test(L, idx, CS_LUA_SITE))) {
    t->kind = CS_TARGET_SITE;
    t->id = o->id;
  } else {
    cs_opt_error(L, what, key, "\"all\", a client, a subnet, a site or a list of them", idx);
  }
}

/* The length of a list at idx; raises when it has other keys or is empty. */
static guint list_length(lua_State *L, int idx, const char *what, const char *key,
                         const char *expected)
{
  lua_Unsigned n = lua_rawlen(L, idx);
  lua_Unsigned count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
  }
  if (count != n || n == 0)
    cs_opt_error_value(L, what, key, expected, idx);
  return (guint) n;
}

guint cs_lua_targets(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                     CsTarget *out)
{
  idx = lua_absindex(L, idx);
  CsTarget t = { .kind = CS_TARGET_ALL };
  switch (lua_type(L, idx)) {
  case LUA_TNONE:
  case LUA_TNIL:
    break;
  case LUA_TSTRING:
    if (strcmp(lua_tostring(L, idx), "all") != 0)
      cs_opt_error_value(L, what, key, "\"all\", a client, a subnet, a site or a list of them",
                         idx);
    break;
  case LUA_TTABLE: {
    guint n = list_length(L, idx, what, key, "a non-empty list of clients, subnets and sites");
    for (guint i = 0; i < n; i++) {
      lua_rawgeti(L, idx, (lua_Integer) i + 1);
      one_target(L, ctx, -1, what, key, out ? &out[i] : &t);
      lua_pop(L, 1);
    }
    return n;
  }
  default:
    one_target(L, ctx, idx, what, key, &t);
  }
  if (out)
    out[0] = t;
  return 1;
}

guint32 *cs_lua_clients_of(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                           guint *n)
{
  idx = lua_absindex(L, idx);
  guint nt = cs_lua_targets(L, ctx, idx, what, key, NULL);
  CsTarget *t = lua_newuserdatauv(L, nt * sizeof(CsTarget), 0);
  memset(t, 0, nt * sizeof(CsTarget));
  cs_lua_targets(L, ctx, idx, what, key, t);
  /* Count, then fill (sites in their subnets' address order). */
  guint total = 0;
  for (int pass = 0; pass < 2; pass++) {
    guint32 *out = NULL;
    if (pass == 1)
      out = lua_newuserdatauv(L, MAX(total, 1) * sizeof(guint32), 0);
    guint k = 0;
    for (guint i = 0; i < nt; i++) {
      switch (t[i].kind) {
      case CS_TARGET_ALL:
        for (guint32 c = 0; c < cs_world_client_count(ctx->world); c++, k++)
          if (out)
            out[k] = c;
        break;
      case CS_TARGET_CLIENT:
        if (out)
          out[k] = t[i].id;
        k++;
        break;
      case CS_TARGET_SUBNET: {
        const CsBuildSubnetInfo *rec = cs_lua_subnet_info(ctx, t[i].id);
        for (guint32 j = 0; j < rec->nclients; j++, k++)
          if (out)
            out[k] = rec->first_client + j;
        break;
      }
      case CS_TARGET_SITE: {
        guint ns;
        guint32 *subs = site_client_subnets(L, ctx, t[i].id, &ns);
        for (guint a = 0; a < ns; a++) {
          const CsBuildSubnetInfo *rec = cs_lua_subnet_info(ctx, subs[a]);
          for (guint32 j = 0; j < rec->nclients; j++, k++)
            if (out)
              out[k] = rec->first_client + j;
        }
        lua_pop(L, 1);
        break;
      }
      }
    }
    total = k;
    if (out) {
      lua_remove(L, -2); /* the targets */
      *n = total;
      return out;
    }
  }
  g_assert_not_reached();
}

static void one_group_item(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                           CsBuildGroupItem *g)
{
  CsLuaObj *o;
  const char *expected = "a CIDR \"a.b.c.d/n\", an address, a node, a subnet, a site or a "
                         "list of them";
  memset(g, 0, sizeof *g);
  if (lua_type(L, idx) == LUA_TSTRING) {
    const char *s = lua_tostring(L, idx);
    guint32 addr;
    g->kind = CS_BUILD_GROUP_CIDR;
    if (strchr(s, '/') == NULL && sim_addr_parse(s, &addr)) {
      g->base = addr;
      g->prefix = 32;
    } else {
      check_cidr(L, idx, what, key, &g->base, &g->prefix);
    }
  } else if ((o = cs_lua_test(L, idx, CS_LUA_NODE))) {
    g->kind = CS_BUILD_GROUP_NODE;
    g->id = o->id;
  } else if ((o = cs_lua_test(L, idx, CS_LUA_SUBNET))) {
    g->kind = CS_BUILD_GROUP_SUBNET;
    g->id = o->id;
  } else if ((o = cs_lua_test(L, idx, CS_LUA_SITE))) {
    g->kind = CS_BUILD_GROUP_SITE;
    g->id = o->id;
  } else {
    cs_opt_error(L, what, key, expected, idx);
  }
  (void) ctx;
}

guint cs_lua_group(lua_State *L, CsLua *ctx, int idx, const char *what, const char *key,
                   CsBuildGroupItem *out)
{
  idx = lua_absindex(L, idx);
  CsBuildGroupItem g;
  if (lua_type(L, idx) == LUA_TTABLE) {
    guint n = list_length(L, idx, what, key, "a non-empty list of CIDRs, nodes, subnets and "
                          "sites");
    for (guint i = 0; i < n; i++) {
      lua_rawgeti(L, idx, (lua_Integer) i + 1);
      one_group_item(L, ctx, -1, what, key, out ? &out[i] : &g);
      lua_pop(L, 1);
    }
    return n;
  }
  one_group_item(L, ctx, idx, what, key, out ? out : &g);
  return 1;
}

/* ---- registration ------------------------------------------------------------------------------ */

void cs_lua_world_methods(lua_State *L, int methods)
{
  static const luaL_Reg m[] = {
    { "site", sim_site },
    { "wan", sim_wan },
    { "internet", sim_internet },
    { "now", sim_now_m },
    { "node", sim_node_m },
    { "sites", sim_sites },
    { NULL, NULL },
  };
  lua_pushvalue(L, methods);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}

void cs_lua_world_classes(lua_State *L)
{
  static const luaL_Reg site_m[] = {
    { "subnet", site_subnet },
    { "server", site_server },
    { "host", site_host },
    { "module_server", site_module_server },
    { "database", site_database },
    { "zone_server", site_zone_server },
    { "external_clients", site_external_clients },
    { "sensor", group_sensor },
    { "name", site_name },
    { "subnets", site_subnets },
    { "clients", site_clients },
    { "link", site_link },
    { NULL, NULL },
  };
  static const luaL_Reg site_mm[] = { { "__tostring", site_tostring }, { NULL, NULL } };
  static const luaL_Reg subnet_m[] = {
    { "client", subnet_client },
    { "clients", subnet_clients },
    { "count", subnet_count },
    { "host", subnet_host },
    { "sensor", group_sensor },
    { "cidr", subnet_cidr },
    { "site", subnet_site },
    { "zone", subnet_zone },
    { NULL, NULL },
  };
  static const luaL_Reg subnet_mm[] = {
    { "__tostring", subnet_tostring }, { "__len", subnet_len }, { NULL, NULL },
  };
  static const luaL_Reg node_m[] = {
    { "name", node_name },
    { "address", node_address },
    { "role", node_role },
    { "subnet", node_subnet },
    { "site", node_site },
    { "is_up", node_is_up },
    { "forward", node_forward },
    { "backward", node_backward },
    { "is_forward_leader", node_is_forward_leader },
    { "is_backward_leader", node_is_backward_leader },
    { "registrations", node_registrations },
    { "sensor", node_sensor },
    { "tunnel_up", node_tunnel_up },
    { "tunnel_drops", node_tunnel_drops },
    { "connections", node_connections },
    { NULL, NULL },
  };
  static const luaL_Reg node_mm[] = { { "__tostring", node_tostring }, { NULL, NULL } };
  static const luaL_Reg link_m[] = {
    { "name", link_name },
    { "is_up", link_is_up },
    { NULL, NULL },
  };
  static const luaL_Reg link_mm[] = {
    { "__tostring", link_tostring }, { "__eq", cs_lua_obj_eq }, { NULL, NULL },
  };
  cs_lua_new_class(L, CS_LUA_SITE, site_m, site_mm);
  cs_lua_new_class(L, CS_LUA_SUBNET, subnet_m, subnet_mm);
  /* Subnets are also lists of their clients: __index looks numbers up. */
  luaL_getmetatable(L, CS_LUA_SUBNET);
  lua_getfield(L, -1, "__index");
  lua_pushcclosure(L, subnet_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  cs_lua_new_class(L, CS_LUA_NODE, node_m, node_mm);
  cs_lua_new_class(L, CS_LUA_LINK, link_m, link_mm);
}

/* ---- the run ------------------------------------------------------------------------------------- */

static int new_ref_table(lua_State *L, const char *mode)
{
  lua_newtable(L);
  if (mode) {
    lua_createtable(L, 0, 1);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Registers everything; run protected (any allocation may fail). */
static int install(lua_State *L)
{
  CsLua *ctx = lua_touserdata(L, 1);
  lua_pushlightuserdata(L, ctx);
  lua_setfield(L, LUA_REGISTRYINDEX, CTX_KEY);
  ctx->sites_ref = new_ref_table(L, NULL);
  ctx->subnets_ref = new_ref_table(L, NULL);
  ctx->nodes_ref = new_ref_table(L, "v");

  static const luaL_Reg sim_mm[] = { { "__tostring", sim_tostring }, { NULL, NULL } };
  cs_lua_new_class(L, CS_LUA_SIM, NULL, sim_mm);
  luaL_getmetatable(L, CS_LUA_SIM);
  lua_getfield(L, -1, "__index");
  int methods = lua_gettop(L);
  cs_lua_world_methods(L, methods);
  cs_lua_events_methods(L, methods);
  cs_lua_dc_methods(L, methods);
  cs_lua_figures_methods(L, methods);
  cs_lua_results_methods(L, methods);
  lua_pop(L, 2);
  cs_lua_world_classes(L);
  cs_lua_events_classes(L);
  cs_lua_dc_classes(L);

  lua_newtable(L); /* chainsim */
  lua_pushcfunction(L, chainsim_new);
  lua_setfield(L, -2, "new");
  lua_pushliteral(L, CHAINSIM_VERSION);
  lua_setfield(L, -2, "version");
  cs_lua_params_push(L, ctx);
  lua_setfield(L, -2, "params");
  /* What the models support so far, so a scenario can guard the rest. */
  static const struct { const char *name; gboolean on; } features[] = {
    { "database", TRUE }, { "direct_connect", TRUE }, { "figures", TRUE }, { "file_distribution", TRUE },
    { "internet", TRUE }, { "module_server", TRUE }, { "satellite", TRUE },
    { "throttle", TRUE }, { "zone_server", TRUE },
  };
  lua_newtable(L);
  for (guint i = 0; i < G_N_ELEMENTS(features); i++) {
    lua_pushboolean(L, features[i].on);
    lua_setfield(L, -2, features[i].name);
  }
  lua_setfield(L, -2, "features");
  lua_setglobal(L, "chainsim");
  return 0;
}

CsLua *cs_lua_new(CsSandbox *sb, const CsLuaOptions *opts)
{
  CsLua *ctx = g_new0(CsLua, 1);
  ctx->sb = sb;
  ctx->L = cs_sandbox_lua(sb);
  ctx->seed = opts->seed_given ? opts->seed : 1;
  ctx->seed_given = opts->seed_given;
  ctx->scenario = g_strdup(opts->scenario ? opts->scenario : "scenario");
  ctx->progress = opts->progress;
  ctx->scheduled = g_ptr_array_new_with_free_func(g_free);
  ctx->expects = g_array_new(FALSE, FALSE, sizeof(CsLuaExpect));
  ctx->actions = g_array_new(FALSE, FALSE, sizeof(guint32));
  ctx->dc_kinds = g_array_new(FALSE, TRUE, sizeof(guint8));
  ctx->satellites = g_array_new(FALSE, FALSE, sizeof(guint32));
  ctx->out_dir = g_strdup(opts->out_dir);
  ctx->trace = opts->trace;
  ctx->max_run = opts->max_run;
  ctx->figures = g_ptr_array_new();
  ctx->scenario_sha256 = g_strdup(opts->scenario_sha256);
  cs_lua_params_init(ctx, opts);
  ctx->warnings = cs_warnings_new(stderr);
  ctx->pending_at = g_array_new(FALSE, FALSE, sizeof(CsLuaPendingAt));
  ctx->wheres = g_string_chunk_new(1024);
  ctx->transfer_at = g_array_new(FALSE, TRUE, sizeof(SimTime));
  cs_budget_init(&ctx->budget, opts->max_memory);
  cs_sandbox_set_seed(sb, ctx->seed);
  lua_State *L = ctx->L;
  lua_pushcfunction(L, install);
  lua_pushlightuserdata(L, ctx);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    g_warning("cannot set up the Lua API: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    cs_lua_free(ctx);
    return NULL;
  }
  return ctx;
}

void cs_lua_free(CsLua *ctx)
{
  if (ctx == NULL)
    return;
  g_ptr_array_free(ctx->scheduled, TRUE);
  for (guint i = 0; i < ctx->expects->len; i++) {
    CsLuaExpect *e = &g_array_index(ctx->expects, CsLuaExpect, i);
    g_free(e->text);
    g_free(e->where);
  }
  g_array_free(ctx->expects, TRUE);
  cs_lua_figures_free(ctx);
  g_ptr_array_free(ctx->figures, TRUE);
  g_free(ctx->out_dir);
  g_array_free(ctx->actions, TRUE);
  g_array_free(ctx->dc_kinds, TRUE);
  g_array_free(ctx->satellites, TRUE);
  cs_builder_free(ctx->builder);
  g_free(ctx->deferred);
  g_free(ctx->scenario);
  g_free(ctx->scenario_sha256);
  cs_lua_params_free(ctx);
  cs_warnings_free(ctx->warnings);
  g_array_free(ctx->pending_at, TRUE);
  g_string_chunk_free(ctx->wheres);
  g_array_free(ctx->transfer_at, TRUE);
  g_free(ctx);
}

CsWorld *cs_lua_world(CsLua *ctx) { return ctx->world; }
gboolean cs_lua_ran(CsLua *ctx) { return ctx->phase == CS_PHASE_DONE; }
guint64 cs_lua_seed(CsLua *ctx) { return ctx->seed; }
const char *cs_lua_scenario(CsLua *ctx) { return ctx->scenario; }
const CsWarnings *cs_lua_warnings(CsLua *ctx) { return ctx->warnings; }
SimTime cs_lua_duration(CsLua *ctx) { return ctx->duration; }
double cs_lua_run_wall_seconds(CsLua *ctx) { return ctx->run_wall; }
guint cs_lua_expectation_count(CsLua *ctx) { return ctx->expects->len; }

void cs_lua_expectation(CsLua *ctx, guint i, const char **text, const char **where, gboolean *ok)
{
  const CsLuaExpect *e = &g_array_index(ctx->expects, CsLuaExpect, i);
  *text = e->text;
  *where = e->where;
  *ok = e->ok;
}

const char *cs_lua_sensor_name(CsLua *ctx, guint32 sensor)
{
  return cs_builder_sensor_name(ctx->builder, sensor);
}
