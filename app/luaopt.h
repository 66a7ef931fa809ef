/* luaopt.h — checking the option tables of the Lua API.
 *
 * Every API call that takes a table (sim:site{ name = "x", wan = {...} })
 * describes its options once, as an array of CsOptField ended by an entry
 * with key NULL, and calls cs_opt_check before reading or allocating
 * anything.  The check raises a Lua error naming the scenario file and line,
 * the call, the key and the expected form:
 *
 *   t.lua:3: site: unknown option 'nmae' (expected one of: name, wan)
 *   t.lua:4: subnet 'clients': expected an integer >= 0, got -3
 *   t.lua:5: wan 'bandwidth': expected a rate like "20Mbps", got "20Mbs"
 *
 * Keys are examined in strcmp order, never in pairs() order (which varies
 * from run to run), so the same bad table always gives the same first error;
 * unknown and ill-typed keys are reported before missing required ones.
 * Option keys must be strings.  A nil or absent table counts as empty.
 *
 * The getters read options that passed the check (raw access, no
 * metamethods); an absent option gives the caller's default.  Errors are
 * raised with luaL_error-style long jumps: call these before acquiring
 * anything that would need freeing. */
#pragma once
#include <glib.h>
#include <lua.h>

typedef enum {
  CS_OPT_STRING,   /* a Lua string (numbers are not coerced) */
  CS_OPT_INTEGER,  /* an integer, or a float with an integral value */
  CS_OPT_NUMBER,   /* any finite number */
  CS_OPT_BOOLEAN,  /* true or false */
  CS_OPT_SIZE,     /* bytes: "2GB", "512KiB" or a number of bytes (units.h) */
  CS_OPT_RATE,     /* bits/s: "20Mbps" or a number of bits per second */
  CS_OPT_DURATION, /* ns: "1.5s", "10m" or a number of seconds */
  CS_OPT_TABLE,    /* a table (check its contents with another cs_opt_check) */
  CS_OPT_FUNCTION, /* a function */
  CS_OPT_ANY,      /* any value; the caller checks it */
} CsOptType;

/* Bounds on quantities (docs/scenarios.md, "Bounds on values").  Every
 * size, rate and duration the API accepts is at most these unless its field
 * sets a lower max: one year of simulated time keeps any sum of a few
 * hundred durations far below the 2^63 ns the kernel's clock holds. */
#define CS_OPT_DURATION_CEIL (8760.0 * 3600e9) /* 8760h, in ns */
#define CS_OPT_SIZE_CEIL 1e12                  /* 1TB, in bytes */
#define CS_OPT_RATE_CEIL 1e12                  /* 1000Gbps, in bits/s */

/* Units for the bounds of SIZE, RATE and DURATION fields. */
#define CS_OPT_NS 1.0
#define CS_OPT_MS 1e6
#define CS_OPT_S 1e9
#define CS_OPT_MIN 60e9
#define CS_OPT_HOUR 3600e9
#define CS_OPT_KIB 1024.0
#define CS_OPT_MIB (1024.0 * 1024.0)
#define CS_OPT_GIB (1024.0 * 1024.0 * 1024.0)
#define CS_OPT_KBPS 1e3

/* A field's bounds, for initialisers: { .key = "x", .type = ..., CS_OPT_RANGE(lo, hi) }. */
#define CS_OPT_RANGE(lo, hi) .has_min = TRUE, .min = (lo), .has_max = TRUE, .max = (hi)

typedef struct {
  const char *key;       /* option name; NULL ends the array */
  CsOptType type;        /* accepted values */
  gboolean required;     /* a missing key is an error */
  gboolean has_min;      /* INTEGER, NUMBER, SIZE, RATE, DURATION: the value must be >= min */
  gboolean has_max;      /* the value must be <= max (quantities: at most their CEIL anyway) */
  double min;            /* lower bound when has_min (bytes, bits/s or ns for quantities) */
  double max;            /* upper bound when has_max */
  const char *const *choices; /* STRING: allowed values, NULL-terminated, or NULL */
} CsOptField;

/* Checks the options table at idx against fields; raises on the first
 * problem.  what names the call in messages ("site", "wan"). */
void cs_opt_check(lua_State *L, int idx, const char *what, const CsOptField *fields);

/* TRUE when the table at idx has a value for key. */
gboolean cs_opt_has(lua_State *L, int idx, const char *key);
/* Pushes the value of key (nil if absent) and returns its Lua type. */
int cs_opt_push(lua_State *L, int idx, const char *key);

/* Getters for checked options; def when absent.  The string stays valid
 * while the table holds it. */
const char *cs_opt_get_string(lua_State *L, int idx, const char *key, const char *def);
lua_Integer cs_opt_get_int(lua_State *L, int idx, const char *key, lua_Integer def);
double cs_opt_get_number(lua_State *L, int idx, const char *key, double def);
gboolean cs_opt_get_bool(lua_State *L, int idx, const char *key, gboolean def);
guint64 cs_opt_get_size(lua_State *L, int idx, const char *key, guint64 def);
double cs_opt_get_rate(lua_State *L, int idx, const char *key, double def);
gint64 cs_opt_get_duration(lua_State *L, int idx, const char *key, gint64 def);

/* The duration at idx (a string with a unit or a number of seconds) for
 * an argument that is not in an option table, e.g. sim:at(time, f):
 * raises unless it parses and is at most CS_OPT_DURATION_CEIL. */
gint64 cs_opt_check_duration(lua_State *L, int idx, const char *what, const char *key);

/* Raises "file:line: what 'key': expected X, got <type> <value>" about the
 * value at value_idx, e.g. expected "a site" → `got string "dc"`. */
G_GNUC_NORETURN void cs_opt_error(lua_State *L, const char *what, const char *key,
                                  const char *expected, int value_idx);
/* The same without the type, for a value of the right type but out of range
 * or malformed: `expected a.b.c.d/n, got "10.0.0/24"`. */
G_GNUC_NORETURN void cs_opt_error_value(lua_State *L, const char *what, const char *key,
                                        const char *expected, int value_idx);

/* Pushes a short readable form of the value at idx: strings quoted and
 * escaped ("ten"), numbers as Lua prints them, true/false, nil, and the type
 * (or a userdata's __name) for everything else.  With_type prefixes the type
 * name to strings, numbers and booleans (string "ten"). */
void cs_opt_push_repr(lua_State *L, int idx, gboolean with_type);
