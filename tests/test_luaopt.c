/* test_luaopt.c — option tables checked against a spec: messages with
 * file:line, deterministic first error, types, units, bounds, getters. */
#include <CUnit/Basic.h>
#include <glib.h>
#include <lauxlib.h>
#include <string.h>
#include "luaopt.h"
#include "sandbox.h"
#include "testutil.h"

/* ---- API functions the scenarios below call ----------------------------- */

static const CsOptField site_fields[] = {
  { .key = "name", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "wan", .type = CS_OPT_TABLE },
  { .key = NULL },
};

static const CsOptField subnet_fields[] = {
  { .key = "cidr", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "clients", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 0 },
  { .key = "isolated", .type = CS_OPT_BOOLEAN },
  { .key = "access", .type = CS_OPT_TABLE },
  { .key = "sensor", .type = CS_OPT_FUNCTION },
  { .key = NULL },
};

static const CsOptField wan_fields[] = {
  { .key = "to", .type = CS_OPT_ANY, .required = TRUE },
  { .key = "bandwidth", .type = CS_OPT_RATE, .required = TRUE },
  { .key = "latency", .type = CS_OPT_DURATION },
  { .key = "loss", .type = CS_OPT_NUMBER, .has_min = TRUE, .min = 0, .has_max = TRUE, .max = 1 },
  { .key = NULL },
};

static const char *const actions[] = { "allow", "drop", "reject", NULL };

static const CsOptField misc_fields[] = {
  { .key = "workers", .type = CS_OPT_INTEGER },
  { .key = "ratio", .type = CS_OPT_NUMBER },
  { .key = "slots", .type = CS_OPT_INTEGER, .has_max = TRUE, .max = 64 },
  { .key = "port", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 65535 },
  { .key = "size", .type = CS_OPT_SIZE },
  { .key = "bandwidth", .type = CS_OPT_RATE },
  { .key = "at", .type = CS_OPT_DURATION },
  { .key = "window", .type = CS_OPT_DURATION, CS_OPT_RANGE(CS_OPT_MS, CS_OPT_MIN) },
  { .key = "chunk", .type = CS_OPT_SIZE, CS_OPT_RANGE(4 * CS_OPT_KIB, 64 * CS_OPT_MIB) },
  { .key = "uplink", .type = CS_OPT_RATE, CS_OPT_RANGE(CS_OPT_KBPS, 10e9) },
  { .key = "action", .type = CS_OPT_STRING, .choices = actions },
  { .key = "tls", .type = CS_OPT_BOOLEAN },
  { .key = "name", .type = CS_OPT_STRING },
  { .key = NULL },
};

static const CsOptField no_fields[] = { { .key = NULL } };

/* What the functions read, for the C side of the tests to check. */
static struct {
  char name[32];
  lua_Integer clients;
  gboolean isolated;
  guint64 size;
  double rate;
  gint64 at;
  double ratio;
  char action[32];
  int stack_before, stack_after; /* cs_opt_check leaves the stack as it found it */
} got;

static int l_site(lua_State *L)
{
  got.stack_before = lua_gettop(L);
  cs_opt_check(L, 1, "site", site_fields);
  got.stack_after = lua_gettop(L);
  g_strlcpy(got.name, cs_opt_get_string(L, 1, "name", NULL), sizeof got.name);
  if (cs_opt_push(L, 1, "wan") == LUA_TTABLE)
    cs_opt_check(L, -1, "wan", wan_fields);
  lua_pop(L, 1);
  return 0;
}

static int l_subnet(lua_State *L)
{
  cs_opt_check(L, 1, "subnet", subnet_fields);
  got.clients = cs_opt_get_int(L, 1, "clients", 0);
  got.isolated = cs_opt_get_bool(L, 1, "isolated", FALSE);
  return 0;
}

static int l_misc(lua_State *L)
{
  cs_opt_check(L, 1, "misc", misc_fields);
  got.size = cs_opt_get_size(L, 1, "size", 11);
  got.rate = cs_opt_get_rate(L, 1, "bandwidth", 22.5);
  got.at = cs_opt_get_duration(L, 1, "at", 33);
  got.ratio = cs_opt_get_number(L, 1, "ratio", 0.25);
  /* Copied: the strings live only as long as the table. */
  g_strlcpy(got.action, cs_opt_get_string(L, 1, "action", "allow"), sizeof got.action);
  g_strlcpy(got.name, cs_opt_get_string(L, 1, "name", "dflt"), sizeof got.name);
  got.isolated = cs_opt_get_bool(L, 1, "tls", TRUE);
  got.clients = cs_opt_get_int(L, 1, "workers", -1);
  return 0;
}

static int l_none(lua_State *L)
{
  cs_opt_check(L, 1, "run", no_fields);
  return 0;
}

/* link(a, b): refuses a b that is not a site, the way a binding would. */
static int l_link(lua_State *L)
{
  if (!lua_istable(L, 2))
    cs_opt_error(L, "link", "b", "a site", 2);
  lua_Integer n = luaL_checkinteger(L, 1);
  if (n < 0)
    cs_opt_error_value(L, "link", "a", "a count >= 0", 1);
  return 0;
}

/* repr(v): the message form of v, with and without its type. */
static int l_repr(lua_State *L)
{
  luaL_checkany(L, 1);
  cs_opt_push_repr(L, 1, FALSE);
  cs_opt_push_repr(L, 1, TRUE);
  return 2;
}

static CsSandbox *new_sandbox(void)
{
  CsSandbox *sb = cs_sandbox_new(1);
  lua_State *L = cs_sandbox_lua(sb);
  lua_register(L, "site", l_site);
  lua_register(L, "subnet", l_subnet);
  lua_register(L, "misc", l_misc);
  lua_register(L, "run", l_none);
  lua_register(L, "link", l_link);
  lua_register(L, "repr", l_repr);
  luaL_newmetatable(L, "chainsim.site");
  lua_pop(L, 1);
  memset(&got, 0, sizeof got);
  return sb;
}

/* ---- helpers ------------------------------------------------------------ */

static void expect_ok(CsSandbox *sb, const char *text)
{
  GError *err = NULL;
  gboolean ok = cs_sandbox_run_string(sb, "t.lua", text, &err);
  if (!ok)
    fprintf(stderr, "\nunexpected error: %s\n", err->message);
  CU_ASSERT_TRUE(ok);
  g_clear_error(&err);
  CU_ASSERT_EQUAL(lua_gettop(cs_sandbox_lua(sb)), 0);
}

static void expect_error(CsSandbox *sb, const char *text, const char *want)
{
  GError *err = NULL;
  CU_ASSERT_FALSE_FATAL(cs_sandbox_run_string(sb, "t.lua", text, &err));
  CU_ASSERT_TRUE(g_error_matches(err, CS_SANDBOX_ERROR, CS_SANDBOX_ERROR_RUNTIME));
  if (strcmp(err->message, want) != 0)
    fprintf(stderr, "\ngot  <%s>\nwant <%s>\n", err->message, want);
  CU_ASSERT_STRING_EQUAL(err->message, want);
  g_error_free(err);
  CU_ASSERT_EQUAL(lua_gettop(cs_sandbox_lua(sb)), 0);
}

/* ---- tests -------------------------------------------------------------- */

static void test_unknown_key(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "site{ nmae = 'x' }",
               "t.lua:1: site: unknown option 'nmae' (expected one of: name, wan)");
  expect_error(sb, "local a = 1\n\nsite{ name = 'x', wan = { to = 1, bandwidth = '1Gbps', "
                   "latncy = '1ms' } }",
               "t.lua:3: wan: unknown option 'latncy' (expected one of: bandwidth, latency, "
               "loss, to)");
  expect_error(sb, "run{ x = 1 }", "t.lua:1: run: unknown option 'x' (expected no options)");
  expect_error(sb, "site{ ['we\\'ird\\n'] = 1 }",
               "t.lua:1: site: unknown option \"we'ird\\n\" (expected one of: name, wan)");
  expect_error(sb, "site{ ['name\\0x'] = 1 }",
               "t.lua:1: site: unknown option \"name\\x00x\" (expected one of: name, wan)");
  cs_sandbox_free(sb);
}

static void test_position_from_nested_calls(void)
{
  CsSandbox *sb = new_sandbox();
  /* The error points at the line of the call, inside a function. */
  expect_error(sb, "local function make(n)\n"
                   "  return subnet{ cidr = n, clients = -1 }\n"
                   "end\n"
                   "make('10.0.0.0/24')\n",
               "t.lua:2: subnet 'clients': expected an integer >= 0, got -1");
  cs_sandbox_free(sb);
}

static void test_first_error_is_sorted(void)
{
  CsSandbox *sb = new_sandbox();
  /* Many tables with the same bad keys built in different orders: the
   * alphabetically first bad key is always the one reported. */
  expect_ok(sb, "keys = { 'zeta', 'alpha2', 'mid', 'beta', 'omega', 'alpha1', 'kappa' }\n");
  for (int round = 0; round < 20; round++) {
    char *text = g_strdup_printf(
      "local t = {}\n"
      "for i = 1, #keys do local k = keys[(i * %d + %d) %% #keys + 1]; t[k] = i end\n"
      "for i = 1, %d do t['pad' .. i] = i; t['pad' .. i] = nil end\n"
      "site(t)\n",
      round % 6 + 1, round, round * 7); /* multipliers prime to 7: every key */
    expect_error(sb, text, "t.lua:4: site: unknown option 'alpha1' (expected one of: name, wan)");
    g_free(text);
  }
  /* Bad types are reported in key order too, before missing keys. */
  expect_error(sb, "subnet{ isolated = 3, clients = 'ten' }",
               "t.lua:1: subnet 'clients': expected an integer >= 0, got string \"ten\"");
  expect_error(sb, "subnet{ zz = 1, clients = 'ten', aa = 2 }",
               "t.lua:1: subnet: unknown option 'aa' (expected one of: access, cidr, clients, "
               "isolated, sensor)");
  expect_error(sb, "subnet{ isolated = true, clients = 3, zz = 1 }",
               "t.lua:1: subnet: unknown option 'zz' (expected one of: access, cidr, clients, "
               "isolated, sensor)");
  cs_sandbox_free(sb);
}

static void test_required(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "site{}", "t.lua:1: site: missing required option 'name'");
  expect_error(sb, "site()", "t.lua:1: site: missing required option 'name'");
  expect_error(sb, "site(nil)", "t.lua:1: site: missing required option 'name'");
  expect_error(sb, "site{ name = 'x', wan = {} }",
               "t.lua:1: wan: missing required option 'bandwidth'");
  expect_error(sb, "site{ name = 'x', wan = { bandwidth = '1Gbps' } }",
               "t.lua:1: wan: missing required option 'to'");
  expect_ok(sb, "run() run{} run(nil)");
  cs_sandbox_free(sb);
}

static void test_types(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "misc{ workers = 'ten' }",
               "t.lua:1: misc 'workers': expected an integer, got string \"ten\"");
  expect_error(sb, "misc{ workers = 2.5 }",
               "t.lua:1: misc 'workers': expected an integer, got number 2.5");
  expect_error(sb, "misc{ workers = 2^63 }",
               "t.lua:1: misc 'workers': expected an integer, got number 9.2233720368548e+18");
  expect_error(sb, "misc{ ratio = '0.5' }",
               "t.lua:1: misc 'ratio': expected a number, got string \"0.5\"");
  expect_error(sb, "misc{ ratio = 1/0 }",
               "t.lua:1: misc 'ratio': expected a finite number, got inf");
  expect_error(sb, "misc{ tls = 1 }", "t.lua:1: misc 'tls': expected true or false, got number 1");
  expect_error(sb, "misc{ name = 17 }", "t.lua:1: misc 'name': expected a string, got number 17");
  expect_error(sb, "misc{ name = {} }", "t.lua:1: misc 'name': expected a string, got table");
  expect_error(sb, "misc{ name = print }",
               "t.lua:1: misc 'name': expected a string, got function");
  expect_error(sb, "site{ name = 'x', wan = 'dc' }",
               "t.lua:1: site 'wan': expected a table, got string \"dc\"");
  expect_error(sb, "subnet{ cidr = 'c', sensor = 'x' }",
               "t.lua:1: subnet 'sensor': expected a function, got string \"x\"");
  expect_error(sb, "site('x')", "t.lua:1: site: expected a table of options, got string \"x\"");
  expect_error(sb, "site{ 'x' }",
               "t.lua:1: site: expected options as name = value pairs, got a value at [1]");
  expect_error(sb, "site{ name = 'n', [3] = 1, [2] = 2, [-1.5] = 3 }",
               "t.lua:1: site: expected options as name = value pairs, got a value at [-1.5]");
  expect_error(sb, "site{ [true] = 1 }", "t.lua:1: site: option names must be strings, got a boolean key");
  expect_error(sb, "misc{ action = 'deny' }",
               "t.lua:1: misc 'action': expected one of \"allow\", \"drop\", \"reject\", got \"deny\"");
  expect_error(sb, "misc{ action = 3 }", "t.lua:1: misc 'action': expected a string, got number 3");

  /* Integral floats are integers. */
  expect_ok(sb, "subnet{ cidr = 'c', clients = 2.0 }");
  CU_ASSERT_EQUAL(got.clients, 2);
  expect_ok(sb, "subnet{ cidr = 'c', clients = 1e3, isolated = true, sensor = print, access = {} }");
  CU_ASSERT_EQUAL(got.clients, 1000);
  CU_ASSERT_TRUE(got.isolated);
  cs_sandbox_free(sb);
}

static void test_bounds(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "subnet{ cidr = 'c', clients = -3 }",
               "t.lua:1: subnet 'clients': expected an integer >= 0, got -3");
  expect_error(sb, "misc{ slots = 65 }", "t.lua:1: misc 'slots': expected an integer <= 64, got 65");
  expect_error(sb, "misc{ port = 0 }",
               "t.lua:1: misc 'port': expected an integer between 1 and 65535, got 0");
  expect_error(sb, "misc{ port = 65536.0 }",
               "t.lua:1: misc 'port': expected an integer between 1 and 65535, got 65536.0");
  expect_error(sb, "site{ name = 'x', wan = { to = 1, bandwidth = '1Gbps', loss = 1.5 } }",
               "t.lua:1: wan 'loss': expected a number between 0 and 1, got 1.5");
  expect_error(sb, "site{ name = 'x', wan = { to = 1, bandwidth = '1Gbps', loss = -0.01 } }",
               "t.lua:1: wan 'loss': expected a number between 0 and 1, got -0.01");
  expect_ok(sb, "subnet{ cidr = 'c', clients = 0 } misc{ port = 1, slots = 64 } misc{ port = 65535 }"
                "site{ name = 'x', wan = { to = 1, bandwidth = '1Gbps', loss = 0 } }"
                "site{ name = 'x', wan = { to = 1, bandwidth = '1Gbps', loss = 1 } }");
  cs_sandbox_free(sb);
}

static void test_units(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "site{ name = 'b', wan = { to = 1, bandwidth = '20Mbs' } }",
               "t.lua:1: wan 'bandwidth': expected a rate like \"20Mbps\", got \"20Mbs\"");
  expect_error(sb, "misc{ size = '2 GBB' }",
               "t.lua:1: misc 'size': expected a size like \"512KiB\" or \"2GB\", got \"2 GBB\"");
  expect_error(sb, "misc{ size = {} }",
               "t.lua:1: misc 'size': expected a size like \"512KiB\" or \"2GB\", got table");
  expect_error(sb, "misc{ size = -1 }",
               "t.lua:1: misc 'size': expected a size like \"512KiB\" or \"2GB\", got -1");
  expect_error(sb, "misc{ size = '2GB\\0junk' }",
               "t.lua:1: misc 'size': expected a size like \"512KiB\" or \"2GB\", got "
               "\"2GB\\x00junk\"");
  expect_error(sb, "misc{ at = '10 min' }",
               "t.lua:1: misc 'at': expected a duration like \"1.5s\" or \"10m\", got \"10 min\"");
  expect_error(sb, "misc{ at = true }",
               "t.lua:1: misc 'at': expected a duration like \"1.5s\" or \"10m\", got boolean true");
  expect_error(sb, "misc{ bandwidth = 'fast' }",
               "t.lua:1: misc 'bandwidth': expected a rate like \"20Mbps\", got \"fast\"");
  cs_sandbox_free(sb);
}

/* Sizes, rates and durations: the type's ceiling when the field has no
 * bound of its own, else the field's bounds, compared exactly. */
static void test_quantity_bounds(void)
{
  CsSandbox *sb = new_sandbox();
  expect_ok(sb, "misc{ size = '1TB', bandwidth = '1000Gbps', at = '8760h' }"
                "misc{ size = 0, at = 0 }"
                "misc{ window = '1ms', chunk = '4KiB', uplink = '1kbps' }"
                "misc{ window = 60, chunk = '64MiB', uplink = '10Gbps' }");
  expect_error(sb, "misc{ size = '1000000000001B' }",
               "t.lua:1: misc 'size': expected a size of at most 1TB, got \"1000000000001B\"");
  expect_error(sb, "misc{ bandwidth = '1000.5Gbps' }",
               "t.lua:1: misc 'bandwidth': expected a rate of at most 1000Gbps, got \"1000.5Gbps\"");
  /* One nanosecond past a year: beyond a double's precision there. */
  expect_error(sb, "misc{ at = '31536000000000001ns' }",
               "t.lua:1: misc 'at': expected a duration of at most 8760h, got "
               "\"31536000000000001ns\"");
  expect_error(sb, "misc{ at = 1e9 }",
               "t.lua:1: misc 'at': expected a duration of at most 8760h, got 1000000000.0");
  expect_error(sb, "misc{ window = '999999ns' }",
               "t.lua:1: misc 'window': expected a duration between 1ms and 1m, got \"999999ns\"");
  expect_error(sb, "misc{ window = 60.000000001 }",
               "t.lua:1: misc 'window': expected a duration between 1ms and 1m, got 60.000000001");
  expect_error(sb, "misc{ chunk = 4095 }",
               "t.lua:1: misc 'chunk': expected a size between 4KiB and 64MiB, got 4095");
  expect_error(sb, "misc{ uplink = 999.9 }",
               "t.lua:1: misc 'uplink': expected a rate between 1kbps and 10Gbps, got 999.9");
  cs_sandbox_free(sb);
}

static void test_getters(void)
{
  CsSandbox *sb = new_sandbox();
  expect_ok(sb, "misc{ size = '2GB', bandwidth = '1Gbps', at = '0.1ms', ratio = 0.75, "
                "action = 'drop', name = 'n1', tls = false, workers = 8 }");
  CU_ASSERT_EQUAL(got.size, 2000000000ULL);
  CU_ASSERT_DOUBLE_EQUAL(got.rate, 1e9, 0);
  CU_ASSERT_EQUAL(got.at, 100000);
  CU_ASSERT_DOUBLE_EQUAL(got.ratio, 0.75, 0);
  CU_ASSERT_STRING_EQUAL(got.action, "drop");
  CU_ASSERT_STRING_EQUAL(got.name, "n1");
  CU_ASSERT_FALSE(got.isolated);
  CU_ASSERT_EQUAL(got.clients, 8);

  expect_ok(sb, "misc{ size = 1024, bandwidth = 5e6, at = 2 }");
  CU_ASSERT_EQUAL(got.size, 1024);
  CU_ASSERT_DOUBLE_EQUAL(got.rate, 5e6, 0);
  CU_ASSERT_EQUAL(got.at, 2000000000LL);

  expect_ok(sb, "misc{ size = 1e9, at = 0.5 }");
  CU_ASSERT_EQUAL(got.size, 1000000000ULL);
  CU_ASSERT_EQUAL(got.at, 500000000LL);

  /* Defaults for absent keys and for an absent table. */
  expect_ok(sb, "misc{}");
  CU_ASSERT_EQUAL(got.size, 11);
  CU_ASSERT_DOUBLE_EQUAL(got.rate, 22.5, 0);
  CU_ASSERT_EQUAL(got.at, 33);
  CU_ASSERT_DOUBLE_EQUAL(got.ratio, 0.25, 0);
  CU_ASSERT_STRING_EQUAL(got.action, "allow");
  CU_ASSERT_STRING_EQUAL(got.name, "dflt");
  CU_ASSERT_TRUE(got.isolated);
  CU_ASSERT_EQUAL(got.clients, -1);
  expect_ok(sb, "misc()");
  CU_ASSERT_EQUAL(got.size, 11);
  CU_ASSERT_STRING_EQUAL(got.name, "dflt");

  /* The check reads raw fields: an __index metamethod adds no option. */
  expect_ok(sb, "site(setmetatable({ name = 's' }, { __index = function() return 1 end }))");
  CU_ASSERT_STRING_EQUAL(got.name, "s");
  CU_ASSERT_EQUAL(got.stack_before, got.stack_after);
  cs_sandbox_free(sb);
}

static void test_error_helpers(void)
{
  CsSandbox *sb = new_sandbox();
  expect_error(sb, "link(1, 'dc')", "t.lua:1: link 'b': expected a site, got string \"dc\"");
  expect_error(sb, "link(1)", "t.lua:1: link 'b': expected a site, got nil");
  expect_error(sb, "link(-2, {})", "t.lua:1: link 'a': expected a count >= 0, got -2");
  expect_ok(sb, "local a, b = repr('ten') assert(a == '\"ten\"' and b == 'string \"ten\"', b)\n"
                "a, b = repr(-3) assert(a == '-3' and b == 'number -3', b)\n"
                "a, b = repr(2.5) assert(a == '2.5' and b == 'number 2.5', b)\n"
                "a, b = repr(nil) assert(a == 'nil' and b == 'nil', b)\n"
                "a, b = repr(false) assert(a == 'false' and b == 'boolean false', b)\n"
                "a, b = repr({}) assert(a == 'table' and b == 'table', b)\n"
                "a, b = repr(setmetatable({}, { __name = 'chainsim.site' }))\n"
                "assert(a == 'chainsim.site' and b == 'chainsim.site', b)\n"
                "a = repr(setmetatable({}, { __name = 5 })) assert(a == 'table', a)\n"
                "a = repr(('x'):rep(100))\n"
                "assert(a == '\"' .. ('x'):rep(45) .. '...\"', a)\n"
                "a = repr('tab\\tquote\"') assert(a == '\"tab\\\\tquote\\\\\"\"', a)\n");
  cs_sandbox_free(sb);
}

/* ---- main --------------------------------------------------------------- */

static CU_TestInfo luaopt_tests[] = {
  { "unknown keys", test_unknown_key },
  { "position of the calling line", test_position_from_nested_calls },
  { "first error in key order", test_first_error_is_sorted },
  { "bounds on sizes, rates and durations", test_quantity_bounds },
  { "required keys", test_required },
  { "types", test_types },
  { "bounds", test_bounds },
  { "units", test_units },
  { "getters", test_getters },
  { "error helpers and repr", test_error_helpers },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "luaopt", .pTests = luaopt_tests },
  CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
  return cs_test_main_suites(argc, argv, suites);
}
