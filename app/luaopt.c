/* luaopt.c — option tables of the Lua API checked against a declared
 * spec.  See luaopt.h.
 *
 * Sorting needs the keys in a C array; it lives in a Lua userdata so an
 * error raised half-way leaves nothing to free. */
#include "luaopt.h"
#include "units.h"
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Longest string shown whole in a message (as cs_units_quote). */
#define QUOTE_MAX 48

/* Keys above this count are refused before sorting: no API call has more
 * than a few dozen options. */
#define KEYS_MAX 10000

typedef struct {
  const char *s; /* key, owned by the table being checked */
  size_t len;    /* its length (a Lua string may hold '\0') */
} Key;

static int key_cmp(const void *a, const void *b)
{
  const Key *x = a, *y = b;
  int c = strcmp(x->s, y->s);
  if (c != 0)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

static gboolean key_is(const char *s, size_t len, const char *key)
{
  return strlen(key) == len && memcmp(s, key, len) == 0;
}

/* Pushes s quoted and escaped, shortened past QUOTE_MAX bytes. */
static void push_quoted(lua_State *L, const char *s, size_t len)
{
  luaL_Buffer b;
  size_t cut = len;
  if (len > QUOTE_MAX) {
    cut = QUOTE_MAX - 3;
    while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
      cut--;
  }
  luaL_buffinit(L, &b);
  luaL_addchar(&b, '"');
  for (size_t i = 0; i < cut; i++) {
    unsigned char c = (unsigned char) s[i];
    char esc[8];
    switch (c) {
    case '"': luaL_addstring(&b, "\\\""); break;
    case '\\': luaL_addstring(&b, "\\\\"); break;
    case '\n': luaL_addstring(&b, "\\n"); break;
    case '\t': luaL_addstring(&b, "\\t"); break;
    case '\r': luaL_addstring(&b, "\\r"); break;
    default:
      if (c < 0x20 || c == 0x7f) {
        g_snprintf(esc, sizeof esc, "\\x%02x", c);
        luaL_addstring(&b, esc);
      } else {
        luaL_addchar(&b, (char) c);
      }
    }
  }
  if (cut < len)
    luaL_addstring(&b, "...");
  luaL_addchar(&b, '"');
  luaL_pushresult(&b);
}

/* Pushes a key as 'name', or quoted and escaped when it holds characters
 * that would garble the message. */
static void push_key(lua_State *L, const char *s, size_t len)
{
  gboolean plain = len > 0 && len <= QUOTE_MAX;
  for (size_t i = 0; plain && i < len; i++) {
    unsigned char c = (unsigned char) s[i];
    if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
      plain = FALSE;
  }
  if (plain)
    lua_pushfstring(L, "'%s'", s);
  else
    push_quoted(L, s, len);
}

void cs_opt_push_repr(lua_State *L, int idx, gboolean with_type)
{
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
  case LUA_TNONE:
  case LUA_TNIL:
    lua_pushliteral(L, "nil");
    return;
  case LUA_TBOOLEAN:
    lua_pushstring(L, with_type ? (lua_toboolean(L, idx) ? "boolean true" : "boolean false")
                                : (lua_toboolean(L, idx) ? "true" : "false"));
    return;
  case LUA_TNUMBER:
    lua_pushvalue(L, idx);
    lua_tostring(L, -1); /* converts the copy, as print() would show it */
    if (with_type) {
      lua_pushfstring(L, "number %s", lua_tostring(L, -1));
      lua_remove(L, -2);
    }
    return;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    push_quoted(L, s, len);
    if (with_type) {
      lua_pushfstring(L, "string %s", lua_tostring(L, -1));
      lua_remove(L, -2);
    }
    return;
  }
  default:
    /* Objects of the API carry a __name ("chainsim.site"); show it. */
    switch (luaL_getmetafield(L, idx, "__name")) {
    case LUA_TSTRING: return;
    case LUA_TNIL: break;          /* nothing was pushed */
    default: lua_pop(L, 1); break; /* a __name that is not a string */
    }
    lua_pushstring(L, luaL_typename(L, idx));
    return;
  }
}

/* Raises "where what 'key': expected X, got Y" with Y the value's repr. */
static G_GNUC_NORETURN void raise_expected(lua_State *L, const char *what, const char *key,
                                          const char *expected, int value_idx,
                                          gboolean with_type)
{
  value_idx = lua_absindex(L, value_idx);
  if (value_idx > lua_gettop(L)) /* an absent argument: nil, not what we push next */
    lua_pushnil(L);
  else
    lua_pushvalue(L, value_idx);
  value_idx = lua_gettop(L);
  luaL_where(L, 1);
  cs_opt_push_repr(L, value_idx, with_type);
  lua_pushfstring(L, "%s '%s': expected %s, got %s", what, key, expected, lua_tostring(L, -1));
  lua_remove(L, -2);
  lua_concat(L, 2);
  lua_error(L);
  g_assert_not_reached();
}

void cs_opt_error(lua_State *L, const char *what, const char *key, const char *expected,
                  int value_idx)
{
  raise_expected(L, what, key, expected, value_idx, TRUE);
}

void cs_opt_error_value(lua_State *L, const char *what, const char *key, const char *expected,
                        int value_idx)
{
  raise_expected(L, what, key, expected, value_idx, FALSE);
}

/* Raises "where what 'key': <units message>" and frees e. */
static G_GNUC_NORETURN void raise_units(lua_State *L, const char *what, const char *key,
                                       GError *e)
{
  luaL_where(L, 1);
  lua_pushfstring(L, "%s '%s': ", what, key);
  lua_pushstring(L, e->message);
  g_error_free(e);
  lua_concat(L, 3);
  lua_error(L);
  g_assert_not_reached();
}

/* A string value that can be handed to the C parsers: no '\0' inside. */
static const char *unit_string(lua_State *L, int vi, const char *what, const char *key,
                               const char *expected)
{
  size_t len;
  const char *s = lua_tolstring(L, vi, &len);
  if (strlen(s) != len)
    cs_opt_error_value(L, what, key, expected, vi);
  return s;
}

static guint64 value_to_size(lua_State *L, int vi, const char *what, const char *key)
{
  GError *e = NULL;
  guint64 v = 0;
  gboolean ok;
  switch (lua_type(L, vi)) {
  case LUA_TSTRING:
    ok = cs_units_parse_size(unit_string(L, vi, what, key, CS_UNITS_EXPECT_SIZE), &v, &e);
    break;
  case LUA_TNUMBER:
    if (lua_isinteger(L, vi))
      ok = cs_units_size_from_integer(lua_tointeger(L, vi), &v, &e);
    else
      ok = cs_units_size_from_number(lua_tonumber(L, vi), &v, &e);
    break;
  default:
    cs_opt_error(L, what, key, CS_UNITS_EXPECT_SIZE, vi);
  }
  if (!ok)
    raise_units(L, what, key, e);
  return v;
}

static double value_to_rate(lua_State *L, int vi, const char *what, const char *key)
{
  GError *e = NULL;
  double v = 0;
  gboolean ok;
  switch (lua_type(L, vi)) {
  case LUA_TSTRING:
    ok = cs_units_parse_rate(unit_string(L, vi, what, key, CS_UNITS_EXPECT_RATE), &v, &e);
    break;
  case LUA_TNUMBER:
    ok = cs_units_rate_from_number(lua_tonumber(L, vi), &v, &e);
    break;
  default:
    cs_opt_error(L, what, key, CS_UNITS_EXPECT_RATE, vi);
  }
  if (!ok)
    raise_units(L, what, key, e);
  return v;
}

static gint64 value_to_duration(lua_State *L, int vi, const char *what, const char *key)
{
  GError *e = NULL;
  gint64 v = 0;
  gboolean ok;
  switch (lua_type(L, vi)) {
  case LUA_TSTRING:
    ok = cs_units_parse_duration(unit_string(L, vi, what, key, CS_UNITS_EXPECT_DURATION), &v,
                                 &e);
    break;
  case LUA_TNUMBER:
    ok = cs_units_duration_from_seconds(lua_tonumber(L, vi), &v, &e);
    break;
  default:
    cs_opt_error(L, what, key, CS_UNITS_EXPECT_DURATION, vi);
  }
  if (!ok)
    raise_units(L, what, key, e);
  return v;
}

/* Writes a bound the way a user wrote it: 0, 64, 0.5. */
static void format_bound(char *buf, gsize size, double v)
{
  if (v == floor(v) && fabs(v) < 0x1p53)
    g_snprintf(buf, size, "%" G_GINT64_FORMAT, (gint64) v);
  else
    g_ascii_formatd(buf, size, "%.14g", v);
}

/* Pushes "an integer >= 0", "a number between 0 and 1", ... */
static void push_numeric_expected(lua_State *L, const CsOptField *f, const char *noun)
{
  char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
  format_bound(lo, sizeof lo, f->min);
  format_bound(hi, sizeof hi, f->max);
  if (f->has_min && f->has_max)
    lua_pushfstring(L, "%s between %s and %s", noun, lo, hi);
  else if (f->has_min)
    lua_pushfstring(L, "%s >= %s", noun, lo);
  else if (f->has_max)
    lua_pushfstring(L, "%s <= %s", noun, hi);
  else
    lua_pushstring(L, noun);
}

static gboolean in_bounds(const CsOptField *f, double v)
{
  return (!f->has_min || v >= f->min) && (!f->has_max || v <= f->max);
}

/* A quantity field's bounds, in its unit: [*lo, *hi]. */
static void quantity_bounds(const CsOptField *f, double ceil_, double *lo, double *hi)
{
  *lo = f->has_min ? f->min : 0;
  *hi = f->has_max ? MIN(f->max, ceil_) : ceil_;
}

/* Raises "what 'key': expected a <noun> between LO and HI, got <value>"
 * ("of at most HI" when LO is 0): lo and hi already formatted. */
static G_GNUC_NORETURN void raise_quantity_range(lua_State *L, int vi, const char *what,
                                                 const char *key, const char *noun,
                                                 gboolean has_lo, const char *lo,
                                                 const char *hi)
{
  if (has_lo)
    lua_pushfstring(L, "a %s between %s and %s", noun, lo, hi);
  else
    lua_pushfstring(L, "a %s of at most %s", noun, hi);
  cs_opt_error_value(L, what, key, lua_tostring(L, -1), vi);
}

static void check_duration_range(lua_State *L, int vi, const char *what, const char *key,
                                 gint64 v, double lo, double hi)
{
  /* The bounds are whole nanoseconds below 2^63: exact as integers. */
  if (v >= (gint64) lo && v <= (gint64) hi)
    return;
  char a[CS_UNITS_FORMAT_MAX], b[CS_UNITS_FORMAT_MAX];
  cs_units_format_duration((gint64) lo, a, sizeof a);
  cs_units_format_duration((gint64) hi, b, sizeof b);
  raise_quantity_range(L, vi, what, key, "duration", lo > 0, a, b);
}

static void check_quantity(lua_State *L, int vi, const char *what, const CsOptField *f)
{
  double lo, hi;
  char a[CS_UNITS_FORMAT_MAX], b[CS_UNITS_FORMAT_MAX];
  switch (f->type) {
  case CS_OPT_SIZE: {
    quantity_bounds(f, CS_OPT_SIZE_CEIL, &lo, &hi);
    guint64 v = value_to_size(L, vi, what, f->key);
    if (v >= (guint64) lo && v <= (guint64) hi)
      return;
    cs_units_format_size((guint64) lo, a, sizeof a);
    cs_units_format_size((guint64) hi, b, sizeof b);
    raise_quantity_range(L, vi, what, f->key, "size", lo > 0, a, b);
  }
  case CS_OPT_RATE: {
    quantity_bounds(f, CS_OPT_RATE_CEIL, &lo, &hi);
    double v = value_to_rate(L, vi, what, f->key);
    if (v >= lo && v <= hi)
      return;
    cs_units_format_rate(lo, a, sizeof a);
    cs_units_format_rate(hi, b, sizeof b);
    raise_quantity_range(L, vi, what, f->key, "rate", lo > 0, a, b);
  }
  case CS_OPT_DURATION:
    quantity_bounds(f, CS_OPT_DURATION_CEIL, &lo, &hi);
    check_duration_range(L, vi, what, f->key, value_to_duration(L, vi, what, f->key), lo, hi);
    return;
  default:
    g_return_if_reached();
  }
}

gint64 cs_opt_check_duration(lua_State *L, int idx, const char *what, const char *key)
{
  gint64 v = value_to_duration(L, idx, what, key);
  check_duration_range(L, idx, what, key, v, 0, CS_OPT_DURATION_CEIL);
  return v;
}

/* Raises unless the value at vi suits field f. */
static void check_value(lua_State *L, int vi, const char *what, const CsOptField *f)
{
  int t = lua_type(L, vi);
  switch (f->type) {
  case CS_OPT_STRING:
    if (t != LUA_TSTRING)
      cs_opt_error(L, what, f->key, "a string", vi);
    if (f->choices) {
      size_t len;
      const char *s = lua_tolstring(L, vi, &len);
      for (const char *const *c = f->choices; *c; c++)
        if (key_is(s, len, *c))
          return;
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      luaL_addstring(&b, "one of ");
      for (const char *const *c = f->choices; *c; c++) {
        if (c != f->choices)
          luaL_addstring(&b, ", ");
        luaL_addchar(&b, '"');
        luaL_addstring(&b, *c);
        luaL_addchar(&b, '"');
      }
      luaL_pushresult(&b);
      cs_opt_error_value(L, what, f->key, lua_tostring(L, -1), vi);
    }
    return;
  case CS_OPT_INTEGER: {
    int isint = 0;
    lua_Integer v = t == LUA_TNUMBER ? lua_tointegerx(L, vi, &isint) : 0;
    if (!isint) {
      push_numeric_expected(L, f, "an integer");
      cs_opt_error(L, what, f->key, lua_tostring(L, -1), vi);
    }
    if (!in_bounds(f, (double) v)) {
      push_numeric_expected(L, f, "an integer");
      cs_opt_error_value(L, what, f->key, lua_tostring(L, -1), vi);
    }
    return;
  }
  case CS_OPT_NUMBER:
    if (t != LUA_TNUMBER) {
      push_numeric_expected(L, f, "a number");
      cs_opt_error(L, what, f->key, lua_tostring(L, -1), vi);
    }
    if (!isfinite(lua_tonumber(L, vi)) || !in_bounds(f, lua_tonumber(L, vi))) {
      push_numeric_expected(L, f, isfinite(lua_tonumber(L, vi)) ? "a number" : "a finite number");
      cs_opt_error_value(L, what, f->key, lua_tostring(L, -1), vi);
    }
    return;
  case CS_OPT_BOOLEAN:
    if (t != LUA_TBOOLEAN)
      cs_opt_error(L, what, f->key, "true or false", vi);
    return;
  case CS_OPT_SIZE:
  case CS_OPT_RATE:
  case CS_OPT_DURATION:
    check_quantity(L, vi, what, f);
    return;
  case CS_OPT_TABLE:
    if (t != LUA_TTABLE)
      cs_opt_error(L, what, f->key, "a table", vi);
    return;
  case CS_OPT_FUNCTION:
    if (t != LUA_TFUNCTION)
      cs_opt_error(L, what, f->key, "a function", vi);
    return;
  case CS_OPT_ANY:
    return;
  }
  g_return_if_reached();
}

/* Pushes "name, wan" — the spec's keys in strcmp order. */
static void push_key_list(lua_State *L, const CsOptField *fields)
{
  luaL_Buffer b;
  const char *last = NULL;
  luaL_buffinit(L, &b);
  for (;;) {
    const char *next = NULL;
    for (const CsOptField *f = fields; f->key; f++)
      if ((last == NULL || strcmp(f->key, last) > 0) && (next == NULL || strcmp(f->key, next) < 0))
        next = f->key;
    if (next == NULL)
      break;
    if (last)
      luaL_addstring(&b, ", ");
    luaL_addstring(&b, next);
    last = next;
  }
  luaL_pushresult(&b);
}

/* Raises about the first required key (strcmp order) missing from the
 * table at idx, or from an absent table when idx is not a table. */
static void check_required(lua_State *L, int idx, const char *what, const CsOptField *fields)
{
  const char *last = NULL;
  for (;;) {
    const char *next = NULL;
    for (const CsOptField *f = fields; f->key; f++)
      if (f->required && (last == NULL || strcmp(f->key, last) > 0) &&
          (next == NULL || strcmp(f->key, next) < 0))
        next = f->key;
    if (next == NULL)
      return;
    if (!cs_opt_has(L, idx, next))
      luaL_error(L, "%s: missing required option '%s'", what, next);
    last = next;
  }
}

/* Raises when the table at idx has keys other than strings: positional
 * values are reported by their smallest index, other keys by type name, so
 * the message does not depend on traversal order. */
static void check_key_types(lua_State *L, int idx, const char *what, size_t *nstrings)
{
  int top = lua_gettop(L);
  int has_number = 0;
  const char *other = NULL; /* smallest type name of a non-string, non-number key */
  size_t n = 0;
  lua_pushnil(L); /* top + 1: smallest numeric key so far */
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
      n++;
    } else if (t == LUA_TNUMBER) {
      if (!has_number || lua_compare(L, -1, top + 1, LUA_OPLT)) {
        lua_pushvalue(L, -1);
        lua_replace(L, top + 1);
      }
      has_number = 1;
    } else if (other == NULL || strcmp(luaL_typename(L, -1), other) < 0) {
      other = luaL_typename(L, -1);
    }
  }
  if (has_number) {
    cs_opt_push_repr(L, top + 1, FALSE);
    luaL_error(L, "%s: expected options as name = value pairs, got a value at [%s]", what,
               lua_tostring(L, -1));
  }
  if (other)
    luaL_error(L, "%s: option names must be strings, got a %s key", what, other);
  lua_settop(L, top);
  *nstrings = n;
}

void cs_opt_check(lua_State *L, int idx, const char *what, const CsOptField *fields)
{
  g_return_if_fail(what != NULL && fields != NULL);
  idx = lua_absindex(L, idx);
  int t = lua_type(L, idx);
  if (t == LUA_TNONE || t == LUA_TNIL) {
    check_required(L, idx, what, fields);
    return;
  }
  if (t != LUA_TTABLE) {
    luaL_where(L, 1);
    cs_opt_push_repr(L, idx, TRUE);
    lua_pushfstring(L, "%s: expected a table of options, got %s", what, lua_tostring(L, -1));
    lua_remove(L, -2);
    lua_concat(L, 2);
    lua_error(L);
  }
  luaL_checkstack(L, 8, "option table");
  size_t n;
  check_key_types(L, idx, what, &n);
  if (n > KEYS_MAX)
    luaL_error(L, "%s: too many options (%d)", what, (int) n);

  Key *keys = lua_newuserdatauv(L, MAX(n, 1) * sizeof(Key), 0);
  int keys_idx = lua_gettop(L);
  size_t i = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (i < n) /* every key is a string: checked above */
      keys[i].s = lua_tolstring(L, -1, &keys[i].len);
    i++;
  }
  qsort(keys, n, sizeof(Key), key_cmp);

  for (i = 0; i < n; i++) {
    const CsOptField *f = fields;
    while (f->key && !key_is(keys[i].s, keys[i].len, f->key))
      f++;
    if (f->key == NULL) {
      luaL_where(L, 1);
      push_key(L, keys[i].s, keys[i].len);
      push_key_list(L, fields);
      lua_pushfstring(L, "%s: unknown option %s (expected %s%s)", what, lua_tostring(L, -2),
                      fields->key ? "one of: " : "no options", lua_tostring(L, -1));
      lua_replace(L, -3);
      lua_pop(L, 1);
      lua_concat(L, 2);
      lua_error(L);
    }
    lua_pushlstring(L, keys[i].s, keys[i].len);
    lua_rawget(L, idx);
    check_value(L, lua_gettop(L), what, f);
    lua_pop(L, 1);
  }
  lua_settop(L, keys_idx - 1);
  check_required(L, idx, what, fields);
}

gboolean cs_opt_has(lua_State *L, int idx, const char *key)
{
  int t = cs_opt_push(L, idx, key);
  lua_pop(L, 1);
  return t != LUA_TNIL;
}

int cs_opt_push(lua_State *L, int idx, const char *key)
{
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  lua_pushstring(L, key);
  return lua_rawget(L, idx);
}

/* Getters: "option" stands for the call's name, which they do not know;
 * a message from them means the option was not checked first. */
#define GETTER_WHAT "option"

const char *cs_opt_get_string(lua_State *L, int idx, const char *key, const char *def)
{
  int t = cs_opt_push(L, idx, key);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  if (t != LUA_TSTRING)
    cs_opt_error(L, GETTER_WHAT, key, "a string", -1);
  const char *s = lua_tostring(L, -1); /* the table keeps it alive */
  lua_pop(L, 1);
  return s;
}

lua_Integer cs_opt_get_int(lua_State *L, int idx, const char *key, lua_Integer def)
{
  int isint = 0;
  if (cs_opt_push(L, idx, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  lua_Integer v = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
  if (!isint)
    cs_opt_error(L, GETTER_WHAT, key, "an integer", -1);
  lua_pop(L, 1);
  return v;
}

double cs_opt_get_number(lua_State *L, int idx, const char *key, double def)
{
  int t = cs_opt_push(L, idx, key);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  if (t != LUA_TNUMBER)
    cs_opt_error(L, GETTER_WHAT, key, "a number", -1);
  double v = lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

gboolean cs_opt_get_bool(lua_State *L, int idx, const char *key, gboolean def)
{
  int t = cs_opt_push(L, idx, key);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  if (t != LUA_TBOOLEAN)
    cs_opt_error(L, GETTER_WHAT, key, "true or false", -1);
  gboolean v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

guint64 cs_opt_get_size(lua_State *L, int idx, const char *key, guint64 def)
{
  if (cs_opt_push(L, idx, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  guint64 v = value_to_size(L, lua_gettop(L), GETTER_WHAT, key);
  lua_pop(L, 1);
  return v;
}

double cs_opt_get_rate(lua_State *L, int idx, const char *key, double def)
{
  if (cs_opt_push(L, idx, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  double v = value_to_rate(L, lua_gettop(L), GETTER_WHAT, key);
  lua_pop(L, 1);
  return v;
}

gint64 cs_opt_get_duration(lua_State *L, int idx, const char *key, gint64 def)
{
  if (cs_opt_push(L, idx, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return def;
  }
  gint64 v = value_to_duration(L, lua_gettop(L), GETTER_WHAT, key);
  lua_pop(L, 1);
  return v;
}
