/* detlib.c — deterministic next, pairs, tostring, string.format and
 * table.sort for the sandbox.  See detlib.h.
 *
 * Key order: a key is turned into a Key record (its class and what orders
 * it within the class) and the records are sorted with one total order; keys
 * of a table are distinct, so no two records compare equal and the order
 * does not depend on the order lua_next produced them in. */
#define _GNU_SOURCE /* dladdr */
#include "detlib.h"
#include "sandbox.h"
#include <dlfcn.h>
#include <glib.h>
#include <limits.h>
#include <lauxlib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NEXT_CACHE_KEY "chainsim.det.next"   /* weak table: table → snapshot of next() */
#define BUILTIN_IDS_KEY "chainsim.det.builtin" /* built-in function → number for tostring */

typedef enum { CLASS_NUMBER, CLASS_STRING, CLASS_BOOLEAN, CLASS_OBJECT } KeyClass;

typedef struct {
  KeyClass cls;
  gboolean is_int;     /* numbers: integer (else float) */
  lua_Integer i;       /* integer value */
  lua_Number f;        /* float value */
  const char *s;       /* string bytes (kept alive by the key table) */
  guint64 prefix;      /* strings: the first 8 bytes, big-endian, zero-padded */
  size_t len;          /* string length */
  int b;               /* boolean */
  int type;            /* objects: Lua type */
  guint64 id;          /* objects: creation number; 0 for built-in functions */
  const char *lib;     /* built-in functions: file of the library holding them */
  uintptr_t off;       /* built-in functions: offset in that library */
  int slot;            /* index of the key in the key table */
} Key;

/* A C function without upvalues ("light") is no allocated object: it has
 * no creation number. */
static gboolean is_builtin(lua_State *L, int idx)
{
  return lua_type(L, idx) == LUA_TFUNCTION && cs_sandbox_object_id(L, idx) == 0;
}

static void make_key(lua_State *L, int idx, Key *k)
{
  memset(k, 0, sizeof *k);
  switch (lua_type(L, idx)) {
  case LUA_TNUMBER:
    k->cls = CLASS_NUMBER;
    k->is_int = lua_isinteger(L, idx);
    if (k->is_int)
      k->i = lua_tointeger(L, idx);
    else
      k->f = lua_tonumber(L, idx);
    break;
  case LUA_TSTRING:
    k->cls = CLASS_STRING;
    k->s = lua_tolstring(L, idx, &k->len);
    for (size_t i = 0; i < 8; i++)
      k->prefix = (k->prefix << 8) | (i < k->len ? (guchar) k->s[i] : 0);
    break;
  case LUA_TBOOLEAN:
    k->cls = CLASS_BOOLEAN;
    k->b = lua_toboolean(L, idx);
    break;
  default:
    k->cls = CLASS_OBJECT;
    k->type = lua_type(L, idx);
    k->id = cs_sandbox_object_id(L, idx);
    if (k->type == LUA_TFUNCTION && k->id == 0) {
      /* Functions of the program and its libraries: ordered by library
       * file and offset, which do not move between runs of one build. */
      Dl_info info;
      lua_CFunction f = lua_tocfunction(L, idx);
      void *p;
      memcpy(&p, &f, sizeof p < sizeof f ? sizeof p : sizeof f);
      if (dladdr(p, &info) && info.dli_fname) {
        k->lib = info.dli_fname;
        k->off = (uintptr_t) p - (uintptr_t) info.dli_fbase;
      } else {
        k->lib = "";
        k->off = (uintptr_t) p;
      }
    }
    break;
  }
}

/* Integer i against float f, exactly. */
static int cmp_int_float(lua_Integer i, lua_Number f)
{
  if (f >= 0x1p63)
    return -1;
  if (f < -0x1p63)
    return 1;
  lua_Number fl = floor(f);
  lua_Integer fi = (lua_Integer) fl;
  if (i != fi)
    return i < fi ? -1 : 1;
  return f > fl ? -1 : 0;
}

static int cmp_numbers(const Key *a, const Key *b)
{
  if (a->is_int && b->is_int)
    return a->i < b->i ? -1 : a->i > b->i;
  if (!a->is_int && !b->is_int)
    return a->f < b->f ? -1 : a->f > b->f;
  if (a->is_int)
    return cmp_int_float(a->i, b->f);
  return -cmp_int_float(b->i, a->f);
}

static int key_cmp(const void *pa, const void *pb)
{
  const Key *a = pa, *b = pb;
  if (a->cls != b->cls)
    return a->cls < b->cls ? -1 : 1;
  switch (a->cls) {
  case CLASS_NUMBER:
    return cmp_numbers(a, b);
  case CLASS_STRING: {
    if (a->prefix != b->prefix)
      return a->prefix < b->prefix ? -1 : 1;
    int c = memcmp(a->s, b->s, MIN(a->len, b->len));
    if (c != 0)
      return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
  }
  case CLASS_BOOLEAN:
    return a->b - b->b;
  case CLASS_OBJECT:
    if ((a->lib != NULL) != (b->lib != NULL))
      return a->lib ? -1 : 1; /* built-in functions first */
    if (a->lib) {
      int c = strcmp(a->lib, b->lib);
      if (c != 0)
        return c;
      return a->off < b->off ? -1 : a->off > b->off;
    }
    if (a->id != b->id)
      return a->id < b->id ? -1 : 1;
    return a->type - b->type;
  }
  return 0;
}

static int key_ptr_cmp(const void *pa, const void *pb)
{
  return key_cmp(*(const Key *const *) pa, *(const Key *const *) pb);
}

/* Pushes a new table holding the keys of the table at t in key order, and
 * returns their number. */
static lua_Integer push_snapshot(lua_State *L, int t)
{
  t = lua_absindex(L, t);
  lua_Integer n = 0;
  lua_newtable(L); /* the keys, in lua_next order */
  int raw = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, raw, ++n);
  }
  /* Records, and pointers to them to sort (cheaper to move). */
  size_t m = (size_t) MAX(n, 1);
  Key *keys = lua_newuserdatauv(L, m * (sizeof(Key) + sizeof(Key *)), 0);
  Key **order = (Key **) (keys + m);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, raw, i);
    make_key(L, -1, &keys[i - 1]);
    keys[i - 1].slot = (int) i;
    order[i - 1] = &keys[i - 1];
    lua_pop(L, 1); /* strings stay alive in raw */
  }
  qsort(order, (size_t) n, sizeof(Key *), key_ptr_cmp);
  lua_createtable(L, (int) n, 1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, raw, order[i - 1]->slot);
    lua_rawseti(L, -2, i);
  }
  lua_replace(L, raw);
  lua_pop(L, 1); /* the records */
  return n;
}

/* From position pos of snapshot s (of table t), pushes the next key still
 * present and its value and returns its position, or returns 0 at the end
 * (nothing pushed). */
static lua_Integer advance(lua_State *L, int t, int s, lua_Integer pos)
{
  for (;;) {
    if (lua_rawgeti(L, s, ++pos) == LUA_TNIL) {
      lua_pop(L, 1);
      return 0;
    }
    lua_pushvalue(L, -1);
    if (lua_rawget(L, t) != LUA_TNIL)
      return pos;
    lua_pop(L, 2); /* removed during the traversal */
  }
}

/* The iterator pairs() returns: upvalue 1 the snapshot, 2 the position. */
static int sorted_iter(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer pos = advance(L, 1, lua_upvalueindex(1), lua_tointeger(L, lua_upvalueindex(2)));
  if (pos == 0) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, pos);
  lua_replace(L, lua_upvalueindex(2));
  return 2;
}

static int det_pairs(lua_State *L)
{
  luaL_checkany(L, 1);
  if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    lua_call(L, 1, 3);
    return 3;
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  push_snapshot(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, sorted_iter, 2);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* Position of the key at k in snapshot s of n keys, or 0. */
static lua_Integer find_key(lua_State *L, int s, lua_Integer n, int k)
{
  Key want, have;
  make_key(L, k, &want);
  lua_Integer lo = 1, hi = n;
  while (lo <= hi) {
    lua_Integer mid = lo + (hi - lo) / 2;
    lua_rawgeti(L, s, mid);
    make_key(L, -1, &have);
    int c = key_cmp(&want, &have);
    lua_pop(L, 1); /* the snapshot keeps a string key alive */
    if (c == 0)
      return mid;
    if (c < 0)
      hi = mid - 1;
    else
      lo = mid + 1;
  }
  return 0;
}

/* next(t [, k]): the snapshot of the last traversal of t is kept (weakly)
 * with its position, so a loop over next costs what pairs() does. */
static int det_next(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  lua_getfield(L, LUA_REGISTRYINDEX, NEXT_CACHE_KEY); /* 3 */
  lua_Integer pos = 0;
  if (lua_isnil(L, 2)) {
    push_snapshot(L, 1); /* 4 */
  } else {
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 3) == LUA_TTABLE) { /* 4 */
      lua_rawgeti(L, 4, 0);
      pos = lua_tointeger(L, -1);
      lua_pop(L, 1);
      lua_rawgeti(L, 4, pos);
      gboolean same = pos > 0 && lua_rawequal(L, -1, 2);
      lua_pop(L, 1);
      if (!same)
        pos = find_key(L, 4, (lua_Integer) lua_rawlen(L, 4), 2);
    }
    if (pos == 0) { /* no snapshot, or the key came after it */
      lua_settop(L, 3);
      lua_Integer n = push_snapshot(L, 1);
      pos = find_key(L, 4, n, 2);
      if (pos == 0)
        return luaL_error(L, "invalid key to 'next'");
    }
  }
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 4);
  lua_rawset(L, 3);
  pos = advance(L, 1, 4, pos);
  if (pos == 0) {
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    lua_rawset(L, 3);
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, pos);
  lua_rawseti(L, 4, 0);
  return 2;
}

/* ---- tostring ------------------------------------------------------------- */

/* The number tostring shows for a built-in function: 1, 2, ... in the order
 * the scenario first printed them. */
static lua_Integer builtin_number(lua_State *L, int idx)
{
  idx = lua_absindex(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, BUILTIN_IDS_KEY);
  lua_pushvalue(L, idx);
  lua_Integer n;
  if (lua_rawget(L, -2) == LUA_TNUMBER) {
    n = lua_tointeger(L, -1);
  } else {
    lua_getfield(L, -2, "n");
    n = lua_tointeger(L, -1) + 1;
    lua_pushinteger(L, n);
    lua_setfield(L, -4, "n");
    lua_pushvalue(L, idx);
    lua_pushinteger(L, n);
    lua_rawset(L, -5);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return n;
}

const char *cs_det_tolstring(lua_State *L, int idx, size_t *len)
{
  idx = lua_absindex(L, idx);
  if (luaL_callmeta(L, idx, "__tostring")) {
    if (!lua_isstring(L, -1))
      luaL_error(L, "'__tostring' must return a string");
    return lua_tolstring(L, -1, len);
  }
  switch (lua_type(L, idx)) {
  case LUA_TNIL:
  case LUA_TBOOLEAN:
  case LUA_TNUMBER:
  case LUA_TSTRING:
    return luaL_tolstring(L, idx, len); /* no address in these */
  default:
    break;
  }
  const char *kind = luaL_typename(L, idx);
  int named = luaL_getmetafield(L, idx, "__name");
  if (named == LUA_TSTRING)
    kind = lua_tostring(L, -1);
  if (is_builtin(L, idx))
    lua_pushfstring(L, "%s: builtin: %I", kind, builtin_number(L, idx));
  else
    lua_pushfstring(L, "%s: %I", kind, (lua_Integer) cs_sandbox_object_id(L, idx));
  if (named != LUA_TNIL)
    lua_remove(L, -2);
  return lua_tolstring(L, -1, len);
}

static int det_tostring(lua_State *L)
{
  luaL_checkany(L, 1);
  cs_det_tolstring(L, 1, NULL);
  return 1;
}

/* string.format: %s of a value that is not a string or number goes through
 * cs_det_tolstring first; %p is refused.  Then Lua's own format (upvalue 1)
 * runs in this call's frame, so its errors name 'format' and the caller's
 * line. */
static int det_format(lua_State *L)
{
  size_t len;
  const char *f = luaL_checklstring(L, 1, &len);
  int arg = 1;
  for (size_t i = 0; i < len; i++) {
    if (f[i] != '%')
      continue;
    if (++i < len && f[i] == '%')
      continue;
    while (i < len && strchr("-+ #0123456789.", f[i]) != NULL)
      i++;
    if (i >= len)
      break; /* Lua's format reports the bad spec */
    arg++;
    if (f[i] == 'p')
      return luaL_error(L, "format: '%%p' shows an address, which changes from run to run "
                        "(not available in scenarios)");
    if (f[i] == 's' && arg <= lua_gettop(L) && lua_type(L, arg) != LUA_TSTRING &&
        lua_type(L, arg) != LUA_TNUMBER) {
      cs_det_tolstring(L, arg, NULL);
      lua_replace(L, arg);
    }
  }
  lua_CFunction format = lua_tocfunction(L, lua_upvalueindex(1));
  return format(L);
}

/* ---- table.sort --------------------------------------------------------- */

/* a < b for the values at a and b, by the comparator at index 2 or by <. */
static gboolean less(lua_State *L, int a, int b)
{
  if (lua_isnil(L, 2))
    return lua_compare(L, a, b, LUA_OPLT);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, a);
  lua_pushvalue(L, b);
  lua_call(L, 2, 1);
  gboolean r = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return r;
}

/* Merges src[lo..mid] and src[mid+1..hi] into dst[lo..hi], left first on
 * ties. */
static void merge(lua_State *L, int src, int dst, lua_Integer lo, lua_Integer mid,
                  lua_Integer hi)
{
  lua_Integer i = lo, j = mid + 1, o = lo;
  while (i <= mid && j <= hi) {
    lua_rawgeti(L, src, i); /* 5 */
    lua_rawgeti(L, src, j); /* 6 */
    if (less(L, 6, 5)) {
      lua_rawseti(L, dst, o++);
      j++;
    } else {
      lua_pop(L, 1);
      lua_rawseti(L, dst, o++);
      i++;
    }
    lua_pop(L, lua_gettop(L) - 4);
  }
  for (; i <= mid; i++) {
    lua_rawgeti(L, src, i);
    lua_rawseti(L, dst, o++);
  }
  for (; j <= hi; j++) {
    lua_rawgeti(L, src, j);
    lua_rawseti(L, dst, o++);
  }
}

static int det_sort(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = luaL_len(L, 1);
  if (!lua_isnoneornil(L, 2))
    luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  if (n < 2)
    return 0;
  luaL_argcheck(L, n < INT_MAX, 1, "array too big");
  lua_createtable(L, (int) n, 0); /* 3 */
  lua_createtable(L, (int) n, 0); /* 4 */
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    lua_rawseti(L, 3, i);
  }
  int src = 3, dst = 4;
  for (lua_Integer width = 1; width < n; width *= 2) {
    for (lua_Integer lo = 1; lo <= n; lo += 2 * width) {
      lua_Integer mid = MIN(lo + width - 1, n), hi = MIN(lo + 2 * width - 1, n);
      merge(L, src, dst, lo, mid, hi);
    }
    int t = src;
    src = dst;
    dst = t;
  }
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, src, i);
    lua_seti(L, 1, i);
  }
  return 0;
}

/* ---- installing ----------------------------------------------------------- */

void cs_det_open(lua_State *L)
{
  lua_newtable(L);
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, NEXT_CACHE_KEY);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, BUILTIN_IDS_KEY);

  lua_register(L, "next", det_next);
  lua_register(L, "pairs", det_pairs);
  lua_register(L, "tostring", det_tostring);
  lua_getglobal(L, "string");
  lua_getfield(L, -1, "format");
  lua_pushcclosure(L, det_format, 1);
  lua_setfield(L, -2, "format");
  lua_pop(L, 1);
  lua_getglobal(L, "table");
  lua_pushcfunction(L, det_sort);
  lua_setfield(L, -2, "sort");
  lua_pop(L, 1);
}
