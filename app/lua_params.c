/* lua_params.c — chainsim.params: the --set KEY=VALUE pairs of the command
 * line, and which of their keys the scenario read.  See binding.h.
 *
 * chainsim.params is an empty proxy table: its __index looks keys up in a
 * table of the values and notes every key asked for, given or not (so an
 * error can list the keys a scenario reads); pairs() on it walks the values
 * and notes them all as read (a scenario that walks its parameters takes
 * each in); assignments go to the values.  A scenario, or a library it
 * requires, sees the same table.  next() and rawget() see the empty proxy. */
#include "binding-private.h"
#include "warnings.h"
#include <stdlib.h>
#include <string.h>

/* Read keys an error lists at most (a scenario may read thousands). */
#define READ_LIST_MAX 20

/* Upvalue 1 of every metamethod: the table of values. */

static void note_read(lua_State *L, const char *key)
{
  CsLua *ctx = cs_lua_ctx(L);
  if (!g_hash_table_contains(ctx->params_read, key))
    g_hash_table_add(ctx->params_read, g_strdup(key));
}

static int params_index(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TSTRING)
    note_read(L, lua_tostring(L, 2));
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int params_newindex(lua_State *L)
{
  lua_settop(L, 3);
  lua_rawset(L, lua_upvalueindex(1));
  return 0;
}

static int params_pairs(lua_State *L)
{
  lua_pushnil(L);
  while (lua_next(L, lua_upvalueindex(1))) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
      note_read(L, lua_tostring(L, -1));
  }
  lua_getglobal(L, "next");
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushnil(L);
  return 3;
}

static int params_len(lua_State *L)
{
  lua_pushinteger(L, (lua_Integer) lua_rawlen(L, lua_upvalueindex(1)));
  return 1;
}

typedef struct {
  const char *key, *value;
} Param;

static int compare_params(const void *a, const void *b)
{
  return strcmp(((const Param *) a)->key, ((const Param *) b)->key);
}

void cs_lua_params_init(CsLua *ctx, const CsLuaOptions *opts)
{
  ctx->param_keys = g_ptr_array_new_with_free_func(g_free);
  ctx->param_values = g_ptr_array_new_with_free_func(g_free);
  ctx->params_read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  Param *p = g_new(Param, opts->n_set + 1);
  for (guint i = 0; i < opts->n_set; i++)
    p[i] = (Param){ opts->set_keys[i], opts->set_values[i] };
  qsort(p, opts->n_set, sizeof(Param), compare_params);
  for (guint i = 0; i < opts->n_set; i++) {
    g_ptr_array_add(ctx->param_keys, g_strdup(p[i].key));
    g_ptr_array_add(ctx->param_values, g_strdup(p[i].value));
  }
  g_free(p);
}

void cs_lua_params_free(CsLua *ctx)
{
  g_ptr_array_free(ctx->param_keys, TRUE);
  g_ptr_array_free(ctx->param_values, TRUE);
  g_hash_table_destroy(ctx->params_read);
}

void cs_lua_params_push(lua_State *L, CsLua *ctx)
{
  lua_newtable(L); /* the proxy */
  lua_createtable(L, 0, (int) ctx->param_keys->len); /* the values */
  for (guint i = 0; i < ctx->param_keys->len; i++) {
    lua_pushstring(L, g_ptr_array_index(ctx->param_values, i));
    lua_setfield(L, -2, g_ptr_array_index(ctx->param_keys, i));
  }
  lua_createtable(L, 0, 5); /* its metatable */
  static const luaL_Reg mm[] = {
    { "__index", params_index }, { "__newindex", params_newindex },
    { "__pairs", params_pairs }, { "__len", params_len }, { NULL, NULL },
  };
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, mm, 1);
  lua_pushliteral(L, "chainsim.params");
  lua_setfield(L, -2, "__name");
  lua_remove(L, -2); /* the values live on as upvalues */
  lua_setmetatable(L, -2);
}

guint cs_lua_param_count(CsLua *ctx) { return ctx->param_keys->len; }

void cs_lua_param(CsLua *ctx, guint i, const char **key, const char **value)
{
  *key = g_ptr_array_index(ctx->param_keys, i);
  *value = g_ptr_array_index(ctx->param_values, i);
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *cs_lua_params_unread(CsLua *ctx)
{
  GString *unread = g_string_new(NULL);
  guint n = 0;
  for (guint i = 0; i < ctx->param_keys->len; i++) {
    const char *k = g_ptr_array_index(ctx->param_keys, i);
    if (g_hash_table_contains(ctx->params_read, k))
      continue;
    g_string_append_printf(unread, "%s%s", n++ ? ", " : "", k);
  }
  if (n == 0) {
    g_string_free(unread, TRUE);
    return NULL;
  }
  guint nread;
  gpointer *read = g_hash_table_get_keys_as_array(ctx->params_read, &nread);
  qsort(read, nread, sizeof(gpointer), compare_strings);
  GString *msg = g_string_new(NULL);
  g_string_printf(msg, "--set %s: the scenario never reads %s (", unread->str,
                  n == 1 ? "this parameter" : "these parameters");
  if (nread == 0) {
    g_string_append(msg, "it reads no chainsim.params at all)");
  } else {
    g_string_append(msg, "the parameters it reads: ");
    for (guint i = 0; i < nread && i < READ_LIST_MAX; i++) {
      char *k = cs_warn_escape(read[i]);
      g_string_append_printf(msg, "%s%s", i ? ", " : "", k);
      g_free(k);
    }
    if (nread > READ_LIST_MAX)
      g_string_append_printf(msg, " and %u more", nread - READ_LIST_MAX);
    g_string_append_c(msg, ')');
  }
  g_free(read);
  g_string_free(unread, TRUE);
  return g_string_free(msg, FALSE);
}
