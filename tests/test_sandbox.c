/* test_sandbox.c — the scenario Lua state: libraries, load, require, seeded
 * math.random, memory and instruction limits, error messages. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include <string.h>
#include <time.h>
#include "sandbox.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

/* Runs code as chunk "t.lua"; NULL on success, else the error message
 * (g_free it).  *code gets the error code when not NULL. */
static char *run(CsSandbox *sb, const char *text, int *code)
{
  GError *err = NULL;
  if (cs_sandbox_run_string(sb, "t.lua", text, &err)) {
    CU_ASSERT_PTR_NULL(err);
    return NULL;
  }
  CU_ASSERT_PTR_NOT_NULL_FATAL(err);
  CU_ASSERT_EQUAL(err->domain, CS_SANDBOX_ERROR);
  if (code)
    *code = err->code;
  char *msg = g_strdup(err->message);
  g_error_free(err);
  return msg;
}

static void expect_ok(CsSandbox *sb, const char *text)
{
  int top = lua_gettop(cs_sandbox_lua(sb));
  char *msg = run(sb, text, NULL);
  if (msg)
    fprintf(stderr, "\nunexpected error: %s\n", msg);
  CU_ASSERT_PTR_NULL(msg);
  g_free(msg);
  CU_ASSERT_EQUAL(lua_gettop(cs_sandbox_lua(sb)), top); /* stack balanced */
}

/* Expects an error whose message is exactly want. */
static void expect_error(CsSandbox *sb, const char *text, int want_code, const char *want)
{
  int code = -1;
  int top = lua_gettop(cs_sandbox_lua(sb));
  char *msg = run(sb, text, &code);
  CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
  if (strcmp(msg, want) != 0)
    fprintf(stderr, "\ngot  <%s>\nwant <%s>\n", msg, want);
  CU_ASSERT_STRING_EQUAL(msg, want);
  CU_ASSERT_EQUAL(code, want_code);
  CU_ASSERT_EQUAL(lua_gettop(cs_sandbox_lua(sb)), top);
  g_free(msg);
}

/* Expects an error whose message contains part. */
static void expect_error_with(CsSandbox *sb, const char *text, int want_code, const char *part)
{
  int code = -1;
  char *msg = run(sb, text, &code);
  CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
  if (strstr(msg, part) == NULL)
    fprintf(stderr, "\ngot  <%s>\nwant something with <%s>\n", msg, part);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, part));
  CU_ASSERT_EQUAL(code, want_code);
  g_free(msg);
}

static char *global_string(CsSandbox *sb, const char *name)
{
  lua_State *L = cs_sandbox_lua(sb);
  lua_getglobal(L, name);
  char *s = g_strdup(lua_tostring(L, -1));
  lua_pop(L, 1);
  return s;
}

static char *tmpdir;

static void write_file(const char *rel, const char *text)
{
  char *path = g_build_filename(tmpdir, rel, NULL);
  char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  CU_ASSERT_TRUE(g_file_set_contents(path, text, -1, NULL));
  g_free(dir);
  g_free(path);
}

static int suite_init(void)
{
  tmpdir = g_dir_make_tmp("chainsim-sandbox-XXXXXX", NULL);
  return tmpdir ? 0 : 1;
}

static int suite_cleanup(void)
{
  cs_test_remove_tree(tmpdir);
  g_free(tmpdir);
  return 0;
}

/* ---- libraries ---------------------------------------------------------- */

static void test_libraries(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
  expect_ok(sb, "assert(io == nil and os == nil and debug == nil and package == nil)\n"
                "assert(coroutine == nil and dofile == nil and loadfile == nil)\n"
                "assert(string.dump == nil)\n"
                "assert(type(string.format) == 'function' and type(table.sort) == 'function')\n"
                "assert(type(math.floor) == 'function' and type(utf8.char) == 'function')\n"
                "assert(type(print) == 'function' and type(pcall) == 'function')\n"
                "assert(type(collectgarbage) == 'function' and type(require) == 'function')\n"
                "assert(require('string') == string and require('math') == math)\n"
                "assert(('x'):rep(3) == 'xxx')\n");
  expect_ok(sb, "local mt = { __index = function(t, k) return k .. '!' end }\n"
                "assert(setmetatable({}, mt).hi == 'hi!')\n"
                "local ok, e = xpcall(function(a) error('x' .. a) end, function(m) return 'H:' .. m end, 1)\n"
                "assert(not ok and e == 'H:t.lua:3: x1', e)\n"
                "local ok2, a, b = xpcall(function(x, y) return y, x end, print, 1, 2)\n"
                "assert(ok2 and a == 2 and b == 1)\n");
  expect_error(sb, "setmetatable({}, { __gc = function() end })", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: setmetatable: __gc metamethods are not allowed in scenarios");
  expect_error(sb, "xpcall(print)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #2 to 'xpcall' (function expected, got no value)");
  expect_error(sb, "local t = os.time()", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: attempt to index a nil value (global 'os')");
  expect_error(sb, "\nio.open('/etc/passwd')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:2: attempt to index a nil value (global 'io')");
  expect_error(sb, "dofile('x.lua')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: attempt to call a nil value (global 'dofile')");
  CU_ASSERT_PTR_EQUAL(cs_sandbox_from_lua(cs_sandbox_lua(sb)), sb);
  lua_State *plain = luaL_newstate();
  CU_ASSERT_PTR_NULL(cs_sandbox_from_lua(plain));
  lua_close(plain);
  cs_sandbox_free(sb);
}

/* Bytecode made by a plain Lua state, as an attacker-free scenario cannot. */
static void push_bytecode(CsSandbox *sb)
{
  lua_State *plain = luaL_newstate();
  luaL_openlibs(plain);
  CU_ASSERT_EQUAL(luaL_dostring(plain, "bc = string.dump(function() return 42 end)"), LUA_OK);
  lua_getglobal(plain, "bc");
  size_t len;
  const char *bc = lua_tolstring(plain, -1, &len);
  lua_pushlstring(cs_sandbox_lua(sb), bc, len);
  lua_setglobal(cs_sandbox_lua(sb), "bc");
  lua_close(plain);
}

static void test_load_text_only(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  push_bytecode(sb);
  expect_ok(sb, "assert(load('return 1 + 1')() == 2)\n"
                "assert(load('return x', 'chunk', 't', { x = 5 })() == 5)\n"
                "local f = load('return y', 'c', 't', nil)\n"
                "assert(pcall(f) == false)\n" /* env given as nil: no globals */
                "local parts = { 'return ', '7' }\n"
                "assert(load(function() return table.remove(parts, 1) end)() == 7)\n"
                "local f, e = load(bc)\n"
                "assert(f == nil and e:find('binary chunk'), e)\n"
                "f, e = load(bc, 'x', 'b')\n"
                "assert(f == nil and e == 'binary chunks are not allowed in scenarios', e)\n"
                "f, e = load(bc, 'x', 'bt')\n"
                "assert(f == nil and e:find('binary chunk'), e)\n"
                "f, e = load('return +', 'x')\n"
                "assert(f == nil and e:find('unexpected symbol'), e)\n");
  /* A binary scenario is refused too. */
  lua_State *L = cs_sandbox_lua(sb);
  lua_getglobal(L, "bc");
  size_t len;
  const char *bc = lua_tolstring(L, -1, &len);
  char *copy = g_strndup(bc, 4); /* "\x1bLua": enough to be recognised */
  lua_pop(L, 1);
  expect_error_with(sb, copy, CS_SANDBOX_ERROR_SYNTAX, "binary chunk");
  g_free(copy);
  cs_sandbox_free(sb);
}

/* ---- errors ------------------------------------------------------------- */

static void test_error_messages(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  expect_error(sb, "local a = 1\nlocal b = 2\nerror('boom')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:3: boom");
  /* Every error names a line, whatever the error object. */
  expect_error(sb, "error('no position', 0)", CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: no position");
  expect_error(sb, "local x = 1\nerror()", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:2: (error object is a nil value)");
  expect_error(sb, "error(nil)", CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: (error object is a nil value)");
  expect_error(sb, "error({})", CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: (error object is a table value)");
  expect_error(sb, "error(42)", CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: 42");
  expect_error(sb, "error(setmetatable({}, { __tostring = function() return 'custom' end }))",
               CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: custom");
  expect_error(sb, "local mt = {}\nmt.__tostring = function(e) return 'x' .. tostring(e) end\n"
                   "error(setmetatable({}, mt))",
               CS_SANDBOX_ERROR_RUNTIME, "t.lua:3: (error object is a table value)");
  expect_error(sb, "error(setmetatable({}, { __tostring = function() return {} end }))",
               CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: (error object is a table value)");
  expect_error(sb, "local function f()\n  error()\nend\npcall(print)\nf()", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:2: (error object is a nil value)");
  /* One line: control characters are escaped. */
  expect_error(sb, "error('two\\nlines\\tand\\1')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: two\\nlines\\tand\\001");
  expect_error(sb, "local x = \n x +", CS_SANDBOX_ERROR_SYNTAX,
               "t.lua:2: unexpected symbol near <eof>");
  /* Nested too deeply: Lua's parser gives no line; the line reached is
   * found. */
  char *open = g_strnfill(300, '{'), *close = g_strnfill(300, '}');
  char *deep = g_strdup_printf("local t =\n\n%s\n%s", open, close);
  expect_error(sb, deep, CS_SANDBOX_ERROR_SYNTAX, "t.lua:3: C stack overflow");
  g_free(deep);
  g_free(open);
  g_free(close);
  expect_error(sb, "local function f() local t = nil; return t.x end\nf()",
               CS_SANDBOX_ERROR_RUNTIME, "t.lua:1: attempt to index a nil value (local 't')");

  GError *err = NULL;
  CU_ASSERT_TRUE(cs_sandbox_run_string(sb, "=named", "x = 1", &err));
  CU_ASSERT_FALSE(cs_sandbox_run_string(sb, "@other.lua", "\nerror('e')", &err));
  CU_ASSERT_STRING_EQUAL(err->message, "other.lua:2: e");
  g_clear_error(&err);

  char *missing = g_build_filename(tmpdir, "no-such.lua", NULL);
  CU_ASSERT_FALSE(cs_sandbox_run_file(sb, missing, &err));
  CU_ASSERT_TRUE(g_error_matches(err, CS_SANDBOX_ERROR, CS_SANDBOX_ERROR_FILE));
  CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "no-such.lua") : NULL);
  g_clear_error(&err);
  g_free(missing);

  /* The state stays usable after errors. */
  expect_ok(sb, "assert(x == 1)");
  cs_sandbox_free(sb);
}

static void test_run_file(void)
{
  write_file("scen/main.lua", "local helper = require 'helper'\n"
                              "result = helper.twice(21)\n"
                              "if fail then error('asked to fail') end\n");
  write_file("scen/helper.lua", "return { twice = function(x) return 2 * x end }\n");
  char *path = g_build_filename(tmpdir, "scen", "main.lua", NULL);
  CsSandbox *sb = cs_sandbox_new(1);
  GError *err = NULL;
  CU_ASSERT_TRUE(cs_sandbox_run_file(sb, path, &err));
  CU_ASSERT_PTR_NULL(err);
  lua_State *L = cs_sandbox_lua(sb);
  lua_getglobal(L, "result");
  CU_ASSERT_EQUAL(lua_tointeger(L, -1), 42);
  lua_pop(L, 1);
  lua_pushboolean(L, 1);
  lua_setglobal(L, "fail");
  CU_ASSERT_FALSE(cs_sandbox_run_file(sb, path, &err));
  char *want = g_strdup_printf("%s:3: asked to fail", path);
  CU_ASSERT_STRING_EQUAL(err->message, want);
  g_free(want);
  g_clear_error(&err);
  cs_sandbox_free(sb);
  g_free(path);
}

static void test_pcall(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  lua_State *L = cs_sandbox_lua(sb);
  expect_ok(sb, "function add(a, b) return a + b end\n"
                "function bad(a) error('bad ' .. a) end");
  GError *err = NULL;
  lua_getglobal(L, "add");
  lua_pushinteger(L, 2);
  lua_pushinteger(L, 3);
  CU_ASSERT_TRUE(cs_sandbox_pcall(sb, 2, 1, &err));
  CU_ASSERT_EQUAL(lua_tointeger(L, -1), 5);
  lua_pop(L, 1);
  CU_ASSERT_EQUAL(lua_gettop(L), 0);
  lua_getglobal(L, "bad");
  lua_pushliteral(L, "news");
  CU_ASSERT_FALSE(cs_sandbox_pcall(sb, 1, 0, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "t.lua:2: bad news");
  CU_ASSERT_EQUAL(lua_gettop(L), 0);
  g_clear_error(&err);
  cs_sandbox_free(sb);
}

static void test_print(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  FILE *out = tmpfile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  cs_sandbox_set_output(sb, out);
  expect_ok(sb, "print(1, 'a', nil, true, 2.5)\nprint()");
  cs_sandbox_set_output(sb, NULL);
  expect_ok(sb, "print('dropped')");
  rewind(out);
  char buf[128] = "";
  size_t n = fread(buf, 1, sizeof buf - 1, out);
  buf[n] = '\0';
  CU_ASSERT_STRING_EQUAL(buf, "1\ta\tnil\ttrue\t2.5\n\n");
  fclose(out);
  cs_sandbox_free(sb);
}

/* ---- require ------------------------------------------------------------ */

static void test_require(void)
{
  write_file("req/scen/mod.lua", "return { v = 42, where = 'scenario' }\n");
  write_file("req/scen/sub/inner.lua", "local name, path = ...\nreturn { x = 1, name = name }\n");
  write_file("req/scen/noreturn.lua", "loaded_noreturn = (loaded_noreturn or 0) + 1\n");
  write_file("req/scen/syntax.lua", "return {\n");
  write_file("req/scen/raises.lua", "local x = 1\nerror('module failed')\n");
  write_file("req/scen/a.lua", "require 'b'\nreturn 'a'\n");
  write_file("req/scen/b.lua", "require 'a'\nreturn 'b'\n");
  write_file("req/lib/mod.lua", "return { v = 0, where = 'lib' }\n");
  write_file("req/lib/topo.lua", "return { where = 'lib' }\n");
  char *scen = g_build_filename(tmpdir, "req", "scen", NULL);
  char *lib = g_build_filename(tmpdir, "req", "lib", NULL);

  CsSandbox *sb = cs_sandbox_new(1);
  cs_sandbox_set_scenario_dir(sb, scen);
  cs_sandbox_set_lib_dir(sb, lib);
  cs_sandbox_add_embedded(sb, "emb", "return { where = 'builtin', args = { ... } }");
  cs_sandbox_add_embedded(sb, "topo", "return { where = 'builtin' }");
  expect_ok(sb, "local m = require 'mod'\n"
                "assert(m.v == 42 and m.where == 'scenario')\n"  /* scenario folder first */
                "assert(require('mod') == m)\n"                  /* cached */
                "local i = require 'sub.inner'\n"
                "assert(i.x == 1 and i.name == 'sub.inner')\n"
                "assert(require('topo').where == 'lib')\n"       /* lib before built-in */
                "local e, where = require 'emb'\n"
                "assert(e.where == 'builtin' and e.args[1] == 'emb')\n"
                "assert(where == 'builtin:emb.lua', where)\n"
                "assert(require('noreturn') == true and require('noreturn') == true)\n"
                "assert(loaded_noreturn == 1)\n");

  expect_error(sb, "require '../x'", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: require: refused module name '../x' (expected names of letters, "
               "digits and '_' joined by '.', like \"lib.topology\")");
  const char *refused[] = { "require 'a/b'", "require '/etc/passwd'", "require '.hidden'",
                            "require 'x.'", "require 'a..b'", "require ''", "require 'x y'",
                            "require 'mod\\0'", NULL };
  for (const char **r = refused; *r; r++)
    expect_error_with(sb, *r, CS_SANDBOX_ERROR_RUNTIME, "require: refused module name");

  char *want = g_strdup_printf("t.lua:1: module 'no.such' not found (looked for %s/no/such.lua, "
                               "%s/no/such.lua and the built-in modules)", scen, lib);
  expect_error(sb, "require 'no.such'", CS_SANDBOX_ERROR_RUNTIME, want);
  g_free(want);

  want = g_strdup_printf("%s/syntax.lua:2: unexpected symbol near <eof>", scen);
  expect_error_with(sb, "require 'syntax'", CS_SANDBOX_ERROR_RUNTIME, want);
  g_free(want);
  want = g_strdup_printf("%s/raises.lua:2: module failed", scen);
  expect_error(sb, "require 'raises'", CS_SANDBOX_ERROR_RUNTIME, want);
  g_free(want);

  /* A loop is named, and a failed load does not poison later attempts. */
  expect_error_with(sb, "require 'a'", CS_SANDBOX_ERROR_RUNTIME, "circular require");
  expect_ok(sb, "local ok, e = pcall(require, 'a')\n"
                "assert(not ok and e:find(\"module 'a' requires itself\"), e)\n"
                "ok, e = pcall(require, 'a')\n"
                "assert(not ok and e:find(\"module 'a' requires itself\"), e)\n");
  cs_sandbox_free(sb);

  /* Without folders only built-in modules exist. */
  sb = cs_sandbox_new(1);
  expect_error(sb, "require 'mod'", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: module 'mod' not found (looked for the built-in modules)");
  cs_sandbox_free(sb);
  g_free(scen);
  g_free(lib);
}

/* ---- limits ------------------------------------------------------------- */

static void test_instruction_limit(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  cs_sandbox_set_instruction_limit(sb, 1000000);
  expect_error(sb, "local x = 0\nwhile true do x = x + 1 end", CS_SANDBOX_ERROR_INSTRUCTIONS,
               "t.lua:2: scenario exceeded the instruction limit (infinite loop?)");
  /* Raising the limit lets the sandbox run again. */
  cs_sandbox_set_instruction_limit(sb, 0);
  expect_ok(sb, "for i = 1, 3000000 do end");
  cs_sandbox_free(sb);

  /* Catching the error with pcall does not escape the limit. */
  sb = cs_sandbox_new(1);
  cs_sandbox_set_instruction_limit(sb, 1000000);
  expect_error_with(sb, "while true do pcall(function() while true do end end) end",
                    CS_SANDBOX_ERROR_INSTRUCTIONS, "scenario exceeded the instruction limit");
  cs_sandbox_free(sb);

  sb = cs_sandbox_new(1);
  cs_sandbox_set_instruction_limit(sb, 1000000);
  expect_error_with(sb, "local function f() while true do end end\n"
                        "while true do xpcall(f, function(m) while true do end end) end",
                    CS_SANDBOX_ERROR_INSTRUCTIONS, "scenario exceeded the instruction limit");
  cs_sandbox_free(sb);

  /* The default limit leaves ordinary scenarios alone. */
  sb = cs_sandbox_new(1);
  expect_ok(sb, "local s = 0 for i = 1, 1000000 do s = s + i end assert(s == 500000500000)");
  cs_sandbox_free(sb);
}

static void test_memory_limit(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  cs_sandbox_set_memory_limit(sb, (gsize) 64 << 20);
  expect_error(sb, "local t = {} for i = 1, 1e9 do t[i] = i end", CS_SANDBOX_ERROR_MEMORY,
               "scenario exceeded the memory limit of 64 MiB");
  CU_ASSERT_STRING_EQUAL(cs_sandbox_memory_where(sb), "t.lua:1");
  expect_error(sb, "local a = 1\nlocal s = string.rep('x', 1e9)", CS_SANDBOX_ERROR_MEMORY,
               "scenario exceeded the memory limit of 64 MiB");
  CU_ASSERT_STRING_EQUAL(cs_sandbox_memory_where(sb), "t.lua:2"); /* the caller of string.rep */
  /* The garbage is collectable and the state still works. */
  expect_ok(sb, "collectgarbage() local t = {} for i = 1, 1000 do t[i] = i end");
  CU_ASSERT_TRUE(cs_sandbox_get_memory_used(sb) < ((gsize) 4 << 20));
  CU_ASSERT_STRING_EQUAL(cs_sandbox_memory_where(sb), ""); /* reset by the next run */
  cs_sandbox_set_memory_limit(sb, (gsize) 96 << 20);
  expect_error(sb, "local t = {} for i = 1, 1e9 do t[i] = i end", CS_SANDBOX_ERROR_MEMORY,
               "scenario exceeded the memory limit of 96 MiB");
  cs_sandbox_set_memory_limit(sb, (gsize) 64 << 20);
  /* A scenario may catch the error itself and go on. */
  expect_ok(sb, "local ok, e = pcall(string.rep, 'x', 1e9)\n"
                "assert(not ok and e == 'not enough memory', e)\n");
  cs_sandbox_free(sb);
}

/* ---- math.random -------------------------------------------------------- */

static const char *SEQUENCE =
  "local t = {}\n"
  "for i = 1, 10 do t[#t + 1] = string.format('%.17g', math.random()) end\n"
  "for i = 1, 10 do t[#t + 1] = math.random(1000000) end\n"
  "for i = 1, 10 do t[#t + 1] = math.random(-5, 5) end\n"
  "t[#t + 1] = math.random(0)\n"
  "seq = table.concat(t, ' ')\n";

static char *sequence(guint64 seed)
{
  CsSandbox *sb = cs_sandbox_new(seed);
  expect_ok(sb, SEQUENCE);
  char *s = global_string(sb, "seq");
  cs_sandbox_free(sb);
  return s;
}

static void test_random_deterministic(void)
{
  char *a = sequence(7), *b = sequence(7), *c = sequence(8);
  CU_ASSERT_STRING_EQUAL(a, b);
  CU_ASSERT_STRING_NOT_EQUAL(a, c);

  /* randomseed(x) repeats; randomseed() returns to the scenario seed;
   * set_seed is the same as creating the sandbox with that seed. */
  CsSandbox *sb = cs_sandbox_new(99);
  expect_ok(sb, "math.randomseed(42) local x = math.random(1 << 40)\n"
                "math.randomseed(42) assert(math.random(1 << 40) == x)\n"
                "math.randomseed(43) assert(math.random(1 << 40) ~= x)\n"
                "math.randomseed(42, 1) assert(math.random(1 << 40) ~= x)\n");
  expect_ok(sb, "math.randomseed()");
  cs_sandbox_set_seed(sb, 7);
  CU_ASSERT_EQUAL(cs_sandbox_get_seed(sb), 7);
  expect_ok(sb, SEQUENCE);
  char *d = global_string(sb, "seq");
  CU_ASSERT_STRING_EQUAL(a, d);
  expect_ok(sb, "math.randomseed()");
  expect_ok(sb, SEQUENCE);
  char *e = global_string(sb, "seq");
  CU_ASSERT_STRING_EQUAL(a, e);
  cs_sandbox_free(sb);
  g_free(a);
  g_free(b);
  g_free(c);
  g_free(d);
  g_free(e);
}

static void test_random_semantics(void)
{
  CsSandbox *sb = cs_sandbox_new(3);
  expect_ok(sb, "local seen = {}\n"
                "for i = 1, 10000 do\n"
                "  local r = math.random(1, 6)\n"
                "  assert(math.type(r) == 'integer' and r >= 1 and r <= 6)\n"
                "  seen[r] = (seen[r] or 0) + 1\n"
                "end\n"
                "for v = 1, 6 do assert(seen[v] > 1400 and seen[v] < 1950, seen[v]) end\n"
                "for i = 1, 1000 do\n"
                "  local f = math.random()\n"
                "  assert(math.type(f) == 'float' and f >= 0 and f < 1)\n"
                "  local m = math.random(3)\n"
                "  assert(m >= 1 and m <= 3)\n"
                "  assert(math.random(5, 5) == 5)\n"
                "  local w = math.random(math.mininteger, math.maxinteger)\n"
                "  assert(math.type(w) == 'integer')\n"
                "  local n = math.random(-10, -8)\n"
                "  assert(n >= -10 and n <= -8)\n"
                "end\n"
                "assert(math.type(math.random(0)) == 'integer')\n"
                "assert(math.random(2.0) <= 2)\n");
  expect_error(sb, "math.random(2, 1)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'random' (interval is empty)");
  expect_error(sb, "math.random(-3)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'random' (interval is empty)");
  expect_error(sb, "math.random(1, 2, 3)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: wrong number of arguments");
  expect_error(sb, "math.random(1.5)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'random' (number has no integer representation)");
  expect_error(sb, "math.random('x')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'random' (number expected, got string)");
  expect_error(sb, "math.randomseed('x')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'randomseed' (number expected, got string)");
  cs_sandbox_free(sb);
}

/* ---- determinism -------------------------------------------------------- */

static const char *ORDER =
  "local t = { zeta = 1, alpha = 2, [3] = 3, [-1.5] = 4, [10] = 5, mid = 6, [true] = 7,\n"
  "            [false] = 8, [''] = 9, ab = 10, [2^53] = 11 }\n"
  "local a, f = {}, function() end\n"
  "t[f] = 12\n"
  "t[a] = 13\n"
  "local out = {}\n"
  "for k, v in pairs(t) do out[#out + 1] = v end\n"
  "order = table.concat(out, ' ')\n"
  "out = {}\n"
  "local k, v = next(t)\n"
  "while k ~= nil do out[#out + 1] = v; k, v = next(t, k) end\n"
  "order_next = table.concat(out, ' ')\n"
  "names = tostring(a) .. ' ' .. tostring(f) .. ' ' .. tostring({}) .. ' ' ..\n"
  "        string.format('%s %5s', a, true)\n";

static void test_pairs_order(void)
{
  /* Numbers by value, strings byte-wise, false, true, then objects in
   * creation order (the table a was made before the function f). */
  const char *want = "4 3 5 11 9 10 2 6 1 8 7 13 12";
  CsSandbox *sb = cs_sandbox_new(1);
  expect_ok(sb, ORDER);
  char *order = global_string(sb, "order"), *order_next = global_string(sb, "order_next");
  char *names = global_string(sb, "names");
  CU_ASSERT_STRING_EQUAL(order, want);
  CU_ASSERT_STRING_EQUAL(order_next, want);
  CU_ASSERT_PTR_NULL(strstr(names, "0x"));
  cs_sandbox_free(sb);

  /* Another state (its string hash seeded differently by Lua): the same. */
  sb = cs_sandbox_new(2);
  expect_ok(sb, "local junk = {} for i = 1, 1000 do junk['k' .. i] = {} end");
  expect_ok(sb, ORDER);
  char *again = global_string(sb, "order"), *names2 = global_string(sb, "names");
  CU_ASSERT_STRING_EQUAL(again, want);
  /* Object numbers count from the start of the state: later here. */
  CU_ASSERT_STRING_NOT_EQUAL(names, names2);
  cs_sandbox_free(sb);
  sb = cs_sandbox_new(1);
  expect_ok(sb, ORDER);
  char *names3 = global_string(sb, "names");
  CU_ASSERT_STRING_EQUAL(names, names3);
  cs_sandbox_free(sb);
  g_free(order);
  g_free(order_next);
  g_free(names);
  g_free(again);
  g_free(names2);
  g_free(names3);

  sb = cs_sandbox_new(1);
  expect_ok(sb, "assert(tostring({}):match('^table: %d+$'))\n"
                "assert(tostring(print) == 'function: builtin: 1', tostring(print))\n"
                "assert(tostring(string.len) == 'function: builtin: 2')\n"
                "assert(tostring(print) == 'function: builtin: 1')\n"
                "local t1, t2 = {}, {}\n"
                "assert(tonumber(tostring(t2):match('%d+')) > tonumber(tostring(t1):match('%d+')))\n"
                "assert(tostring(setmetatable({}, { __name = 'Thing' })):match('^Thing: %d+$'))\n"
                "assert(tostring(setmetatable({}, { __tostring = function() return 'me' end })) == 'me')\n"
                /* removing keys during the loop is allowed; they are not visited */
                "local t = { a = 1, b = 2, c = 3, d = 4 }\n"
                "local seen = {}\n"
                "for k in pairs(t) do seen[#seen + 1] = k; t.c = nil end\n"
                "assert(table.concat(seen) == 'abd', table.concat(seen))\n"
                "assert(next({}) == nil)\n"
                "assert(next({ x = 1 }) == 'x')\n"
                "local p = setmetatable({}, { __pairs = function(t) return function(_, k)\n"
                "  if not k then return 1, 'one' end end, t, nil end })\n"
                "for k, v in pairs(p) do assert(k == 1 and v == 'one') end\n"
                "local ok, e = pcall(next, { a = 1 }, 'zz')\n"
                "assert(not ok and e:find(\"invalid key to 'next'\"), e)\n");
  expect_error(sb, "for k in pairs(nil) do end", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #1 to 'pairs' (table expected, got nil)");
  expect_error(sb, "local s = string.format('%p', {})", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: format: '%p' shows an address, which changes from run to run (not "
               "available in scenarios)");
  expect_error(sb, "local s = string.format('%d', 'x')", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #2 to 'format' (number expected, got string)");
  cs_sandbox_free(sb);

  /* print shows the same names. */
  sb = cs_sandbox_new(1);
  FILE *out = tmpfile();
  cs_sandbox_set_output(sb, out);
  expect_ok(sb, "local t = {} print(t, tostring(t) == select(1, tostring(t)))");
  rewind(out);
  char buf[128] = "";
  buf[fread(buf, 1, sizeof buf - 1, out)] = '\0';
  CU_ASSERT_TRUE(g_str_has_prefix(buf, "table: ") && strstr(buf, "0x") == NULL);
  fclose(out);
  cs_sandbox_free(sb);
}

static void test_object_ids(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  lua_State *L = cs_sandbox_lua(sb);
  lua_newtable(L);
  lua_pushcfunction(L, lua_gettop); /* no upvalues: no object */
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, lua_gettop, 1);
  lua_newuserdatauv(L, 8, 0);
  lua_newtable(L);
  lua_pushinteger(L, 7);
  guint64 t1 = cs_sandbox_object_id(L, 1), c = cs_sandbox_object_id(L, 3);
  guint64 u = cs_sandbox_object_id(L, 4), t2 = cs_sandbox_object_id(L, 5);
  CU_ASSERT_TRUE(t1 > 0);
  CU_ASSERT_EQUAL(cs_sandbox_object_id(L, 2), 0);
  CU_ASSERT_EQUAL(cs_sandbox_object_id(L, 6), 0); /* an integer */
  CU_ASSERT_EQUAL(c, t1 + 1);
  CU_ASSERT_EQUAL(u, t1 + 2);
  CU_ASSERT_EQUAL(t2, t1 + 3);
  lua_settop(L, 0);
  cs_sandbox_free(sb);
}

static void test_sort(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  /* Stable: records with equal keys keep their order (Lua's own sort picks
   * a clock-seeded pivot for such arrays). */
  expect_ok(sb, "local r = {}\n"
                "for i = 1, 1000 do r[i] = { k = (i * 7) % 5, i = i } end\n"
                "table.sort(r, function(a, b) return a.k < b.k end)\n"
                "for i = 2, 1000 do\n"
                "  assert(r[i - 1].k < r[i].k or (r[i - 1].k == r[i].k and r[i - 1].i < r[i].i))\n"
                "end\n"
                "local n = { 5, 3, 9, 1, 7, 3 } table.sort(n)\n"
                "assert(table.concat(n, ',') == '1,3,3,5,7,9')\n"
                "table.sort(n, function(a, b) return a > b end)\n"
                "assert(table.concat(n, ',') == '9,7,5,3,3,1')\n"
                "local s = { 'b', 'a', 'c' } table.sort(s) assert(table.concat(s) == 'abc')\n"
                "table.sort({}) table.sort({ 1 })\n"
                /* a comparator that is no order still ends */
                "local calls = 0\n"
                "local x = {} for i = 1, 500 do x[i] = i end\n"
                "table.sort(x, function() calls = calls + 1 return true end)\n"
                "assert(calls > 0 and calls < 10000, calls)\n");
  expect_error(sb, "table.sort({ 1, 'x' })", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: attempt to compare string with number");
  expect_error(sb, "table.sort({ 2, 1 }, 3)", CS_SANDBOX_ERROR_RUNTIME,
               "t.lua:1: bad argument #2 to 'sort' (function expected, got number)");
  cs_sandbox_free(sb);
}

/* A C function burning CPU out of the count hook's reach, like sim:run;
 * upvalue 1: pause the CPU limit around it. */
static int burn(lua_State *L)
{
  CsSandbox *sb = cs_sandbox_from_lua(L);
  gboolean pause = lua_toboolean(L, lua_upvalueindex(1));
  gboolean was = pause ? cs_sandbox_cpu_pause(sb) : FALSE;
  guint64 n = (guint64) luaL_checkinteger(L, 1);
  volatile guint64 x = 0;
  for (guint64 i = 0; i < n; i++)
    x += i;
  if (pause)
    cs_sandbox_cpu_resume(sb, was);
  return 0;
}

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Additions burn makes in one CPU second. */
static guint64 burn_per_second(void)
{
  double t0 = cpu_seconds();
  volatile guint64 x = 0;
  for (guint64 i = 0; i < 20000000; i++)
    x += i;
  return (guint64) (2e7 / MAX(cpu_seconds() - t0, 1e-3));
}

static void test_cpu_limit(void)
{
  /* A backtracking pattern on a long string runs in C for minutes: the CPU
   * limit ends it with the line of the call. */
  CsSandbox *sb = cs_sandbox_new(1);
  cs_sandbox_set_cpu_limit(sb, 0.5);
  gint64 t0 = g_get_monotonic_time();
  expect_error(sb, "local s = string.rep('a', 300000)\nlocal r = s:find('.-.-.-.-b')",
               CS_SANDBOX_ERROR_CPU, "t.lua:2: scenario exceeded the CPU time limit of 0.5 s");
  CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 30 * G_USEC_PER_SEC);
  cs_sandbox_free(sb);

  /* Caught by pcall, inside gmatch and gsub: still the end. */
  const char *hangs[] = {
    "local s = string.rep('a', 300000)\nlocal ok = pcall(string.match, s, '.-.-.-.-b')\nx = 1",
    "local s = string.rep('a', 300000)\nfor w in s:gmatch('.-.-.-.-b') do end",
    "local s = string.rep('a', 300000)\nlocal r = s:gsub('.-.-.-.-b', 'x')",
    NULL };
  for (const char **h = hangs; *h; h++) {
    sb = cs_sandbox_new(1);
    cs_sandbox_set_cpu_limit(sb, 0.3);
    expect_error_with(sb, *h, CS_SANDBOX_ERROR_CPU,
                      "t.lua:2: scenario exceeded the CPU time limit of 0.3 s");
    cs_sandbox_free(sb);
  }

  /* Lua code past the limit stops at its next instruction. */
  sb = cs_sandbox_new(1);
  cs_sandbox_set_instruction_limit(sb, 0);
  cs_sandbox_set_cpu_limit(sb, 0.3);
  expect_error(sb, "local n = 0\nwhile true do n = n + 1 end", CS_SANDBOX_ERROR_CPU,
               "t.lua:2: scenario exceeded the CPU time limit of 0.3 s");
  cs_sandbox_free(sb);

  /* Paused time (the simulation inside sim:run) does not count; the same
   * work unpaused does. */
  guint64 n = burn_per_second() * 6 / 10; /* about 0.6 s of work */
  sb = cs_sandbox_new(1);
  cs_sandbox_set_cpu_limit(sb, 0.3);
  lua_State *L = cs_sandbox_lua(sb);
  lua_pushboolean(L, 1);
  lua_pushcclosure(L, burn, 1);
  lua_setglobal(L, "burn_paused");
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, burn, 1);
  lua_setglobal(L, "burn");
  lua_pushinteger(L, (lua_Integer) n);
  lua_setglobal(L, "N");
  expect_ok(sb, "burn_paused(N)\nburn_paused(N)");
  cs_sandbox_set_instruction_limit(sb, 0);
  expect_error(sb, "local i = 0\nwhile true do burn(N // 10) i = i + 1 end", CS_SANDBOX_ERROR_CPU,
               "t.lua:2: scenario exceeded the CPU time limit of 0.3 s");
  cs_sandbox_free(sb);

  /* The default leaves ordinary work alone. */
  sb = cs_sandbox_new(1);
  expect_ok(sb, "local s = string.rep('ab', 100000) assert(select(2, s:gsub('a', '')) == 100000)");
  cs_sandbox_free(sb);
}

/* ---- main --------------------------------------------------------------- */

static CU_TestInfo sandbox_tests[] = {
  { "only the safe libraries", test_libraries },
  { "load takes text only", test_load_text_only },
  { "error messages", test_error_messages },
  { "run_file", test_run_file },
  { "pcall for callbacks", test_pcall },
  { "print routed", test_print },
  { "require", test_require },
  { "instruction limit", test_instruction_limit },
  { "memory limit", test_memory_limit },
  { "math.random is seeded", test_random_deterministic },
  { "math.random semantics", test_random_semantics },
  { "pairs, next and tostring are deterministic", test_pairs_order },
  { "objects numbered in creation order", test_object_ids },
  { "table.sort is stable and ends", test_sort },
  { "CPU time limit", test_cpu_limit },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "sandbox", .pInitFunc = suite_init, .pCleanupFunc = suite_cleanup,
    .pTests = sandbox_tests },
  CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
  return cs_test_main_suites(argc, argv, suites);
}
