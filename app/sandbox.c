/* sandbox.c — the scenario's Lua state: chosen libraries, seeded
 * math.random, a confined require, memory, instruction and CPU-time limits,
 * creation numbers for objects (detlib.h orders and names them by it), and
 * errors turned into "file:line: message".  See sandbox.h.
 *
 * The sandbox is the allocator's user data, so any function that has the
 * lua_State (hook, library function, binding) finds it with lua_getallocf
 * without a registry lookup. */
#include "sandbox.h"
#include "detlib.h"
#include "escape.h"
#include <lauxlib.h>
#include <lualib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

G_DEFINE_QUARK(cs-sandbox-error-quark, cs_sandbox_error)

/* Instructions between two calls of the count hook: large enough that the
 * hook costs nothing measurable, small enough that a runaway loop is caught
 * within microseconds of crossing the limit. */
#define HOOK_PERIOD 10000

/* Registry keys. */
#define LOADING_KEY "chainsim.sandbox.loading"  /* module name → true while loading */
#define GUARD_MT_KEY "chainsim.sandbox.guard"   /* metatable clearing a loading mark */

/* Mixed into the seed so the scenario's math.random stream differs from the
 * streams the kernel derives from the same master seed. */
#define LUA_STREAM_SALT G_GUINT64_CONSTANT(0x6c75612e72616e64) /* "lua.rand" */

/* Longest module name require accepts. */
#define MODULE_NAME_MAX 200

#define INSTRUCTION_LIMIT_MESSAGE "scenario exceeded the instruction limit (infinite loop?)"
#define CPU_LIMIT_MESSAGE "scenario exceeded the CPU time limit"
#define MEMORY_MESSAGE "not enough memory" /* what Lua says when an allocation fails */

struct CsSandbox {
  lua_State *L;           /* the state; owned */
  gsize mem_used;         /* bytes currently allocated by L */
  gsize mem_limit;        /* refuse growth beyond this; 0 = unlimited */
  gboolean mem_refused;   /* an allocation was refused during the current call */
  char mem_where[128];    /* "t.lua:3" of the first refusal in the current call, or "" */
  guint64 next_id;        /* creation number of the last table, function or object */
  gsize udata_offset;     /* from an allocation to the memory of a userdata; 0 = unknown */
  void *last_object;      /* payload of the last object allocated */
  guint64 insn_limit;     /* instructions allowed in total; 0 = unlimited */
  guint64 insn_count;     /* instructions run so far (in hook periods) */
  int hook_period;        /* count currently given to lua_sethook */
  gboolean insn_exceeded; /* a limit was crossed; every hook call now raises */
  double cpu_limit;       /* CPU seconds the scenario may use; 0 = unlimited */
  double cpu_used;        /* CPU seconds used before the current stretch */
  double cpu_start;       /* process CPU clock when the current stretch began */
  gboolean cpu_running;   /* the scenario is running: its CPU time counts */
  gboolean cpu_timer_ok;  /* cpu_timer exists */
  timer_t cpu_timer;      /* fires when the budget is spent, then every grace period */
  volatile sig_atomic_t cpu_exceeded; /* the CPU limit was crossed */
  volatile sig_atomic_t in_alloc;     /* inside the allocator */
  lua_CFunction pattern_fns[4];       /* string.find, match, gsub and gmatch's iterator */
  char stop_msg[256];     /* "t.lua:3: scenario exceeded ..." once a limit stopped it */
  char err_where[160];    /* "t.lua:3" where the last error was raised, or "" */
  char chunk_end[160];    /* "t.lua:40": the last line of the last chunk run, or "" */
  guint64 seed;           /* scenario seed behind math.random */
  guint64 rng[2];         /* xoroshiro128++ state of math.random; never all zero */
  char *scenario_dir;     /* first folder searched by require, or NULL */
  char *lib_dir;          /* second folder searched by require, or NULL */
  GHashTable *embedded;   /* module name → source text, both owned */
  FILE *out;              /* print() destination, or NULL to drop */
  gboolean warn_on;       /* warn() messages are shown */
  gboolean warn_more;     /* the previous warn() piece is being continued */
};

/* ---- allocator ---------------------------------------------------------- */

/* Notes the innermost Lua line running when an allocation is refused, for
 * cs_sandbox_memory_where.  Safe here: lua_getstack and lua_getinfo "Sl"
 * read the call stack without allocating, and every VM operation that can
 * allocate has saved its pc (the error it may raise needs the line too). */
static void note_refusal(CsSandbox *sb)
{
  lua_Debug ar;
  if (sb->mem_refused || sb->L == NULL)
    return;
  sb->mem_where[0] = '\0';
  for (int level = 0; lua_getstack(sb->L, level, &ar); level++)
    if (lua_getinfo(sb->L, "Sl", &ar) && ar.currentline > 0) {
      g_snprintf(sb->mem_where, sizeof sb->mem_where, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
}

/* Every block carries a header in front of what Lua sees: the creation
 * number of the table, function or userdata it holds (0 for anything else),
 * so that pairs() and tostring() can order and name objects the same way on
 * every run (detlib.h) without addresses.  16 bytes keep Lua's alignment. */
typedef struct {
  guint64 id;
  guint64 pad;
} BlockHeader;
#define HEADER_SIZE sizeof(BlockHeader)

/* Lua passes the type of a new object as osize (without ptr): these are
 * the ones a scenario can use as keys or print. */
static gboolean is_numbered_type(size_t tag)
{
  if (tag >= 64)
    return FALSE;
  int t = (int) (tag & 0x0f); /* the basic type, whatever the variant bits */
  return t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TUSERDATA || t == LUA_TTHREAD;
}

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
  CsSandbox *sb = ud;
  size_t old = ptr ? osize + HEADER_SIZE : 0; /* without ptr, osize encodes an object type */
  char *block = ptr ? (char *) ptr - HEADER_SIZE : NULL;
  if (nsize == 0) {
    free(block);
    sb->mem_used -= old;
    return NULL;
  }
  if (nsize > G_MAXSIZE - HEADER_SIZE)
    return NULL;
  size_t want = nsize + HEADER_SIZE;
  if (sb->mem_limit && want > old &&
      (want > sb->mem_limit || sb->mem_used - old > sb->mem_limit - want)) {
    note_refusal(sb);
    sb->mem_refused = TRUE;
    return NULL; /* Lua collects garbage, retries, then raises LUA_ERRMEM */
  }
  sb->in_alloc = 1;
  char *p = realloc(block, want);
  sb->in_alloc = 0;
  if (p == NULL)
    return NULL;
  sb->mem_used = sb->mem_used - old + want;
  if (ptr == NULL) {
    BlockHeader *h = (BlockHeader *) p;
    h->id = is_numbered_type(osize) ? ++sb->next_id : 0;
    h->pad = 0;
    if (h->id)
      sb->last_object = p + HEADER_SIZE;
  }
  return p + HEADER_SIZE;
}

CsSandbox *cs_sandbox_from_lua(lua_State *L)
{
  void *ud = NULL;
  lua_Alloc f = lua_getallocf(L, &ud);
  return f == sandbox_alloc ? ud : NULL;
}

/* The sandbox of a state created here; library functions are only ever
 * installed in such states. */
static CsSandbox *sandbox_of(lua_State *L)
{
  CsSandbox *sb = cs_sandbox_from_lua(L);
  g_assert(sb != NULL);
  return sb;
}

guint64 cs_sandbox_object_id(lua_State *L, int idx)
{
  CsSandbox *sb = cs_sandbox_from_lua(L);
  const char *p = lua_topointer(L, idx);
  if (sb == NULL || p == NULL)
    return 0;
  switch (lua_type(L, idx)) {
  case LUA_TTABLE:
    break;
  case LUA_TFUNCTION:
    if (lua_iscfunction(L, idx)) { /* without upvalues: a pointer to code */
      if (lua_getupvalue(L, idx, 1) == NULL)
        return 0;
      lua_pop(L, 1);
    }
    break;
  case LUA_TUSERDATA:
    /* Only userdata without user values (all the binding makes) sit at a
     * known offset from their block. */
    if (sb->udata_offset == 0 || lua_getiuservalue(L, idx, 1) != LUA_TNONE) {
      lua_pop(L, 1);
      return 0;
    }
    lua_pop(L, 1);
    p -= sb->udata_offset;
    break;
  default:
    return 0; /* the main thread; light userdata cannot reach a scenario */
  }
  const BlockHeader *h = (const BlockHeader *) (p - HEADER_SIZE);
  return h->id;
}

/* ---- instruction limit -------------------------------------------------- */

static void install_hook(CsSandbox *sb);

/* "file.lua:LINE" of the innermost Lua function at or above level, into
 * buf ("" when there is none).  Reads the call stack only: no allocation. */
static void where_from(lua_State *L, int level, char *buf, gsize size)
{
  lua_Debug ar;
  buf[0] = '\0';
  for (; lua_getstack(L, level, &ar); level++)
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
      g_snprintf(buf, size, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
}

/* Marks the sandbox stopped by a limit and writes the message the user will
 * see into stop_msg. */
static void note_stop(CsSandbox *sb, const char *where)
{
  if (!sb->insn_exceeded) {
    /* From now on raise at every instruction, so a scenario that catches the
     * error with pcall unwinds at its next instruction instead of looping. */
    sb->insn_exceeded = TRUE;
    install_hook(sb);
  }
  if (sb->stop_msg[0])
    return;
  char what[96];
  if (sb->cpu_exceeded)
    g_snprintf(what, sizeof what, CPU_LIMIT_MESSAGE " of %g s", sb->cpu_limit);
  else
    g_strlcpy(what, INSTRUCTION_LIMIT_MESSAGE, sizeof what);
  g_snprintf(sb->stop_msg, sizeof sb->stop_msg, "%s%s%s", where, *where ? ": " : "", what);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
  CsSandbox *sb = sandbox_of(L);
  sb->insn_count += (guint64) sb->hook_period;
  if (!sb->cpu_exceeded && (sb->insn_limit == 0 || sb->insn_count < sb->insn_limit))
    return;
  char where[sizeof sb->stop_msg];
  where_from(L, 0, where, sizeof where); /* level 0 in a hook: the Lua function running */
  note_stop(sb, where);
  lua_pushstring(L, sb->stop_msg);
  lua_error(L);
}

static void install_hook(CsSandbox *sb)
{
  if (sb->insn_limit == 0 && !sb->insn_exceeded) {
    lua_sethook(sb->L, NULL, 0, 0);
    sb->hook_period = 0;
    return;
  }
  sb->hook_period = sb->insn_exceeded ? 1 : (int) MIN((guint64) HOOK_PERIOD, sb->insn_limit);
  lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, sb->hook_period);
}

void cs_sandbox_set_instruction_limit(CsSandbox *sb, guint64 instructions)
{
  g_return_if_fail(sb != NULL);
  sb->insn_limit = instructions;
  sb->insn_exceeded = sb->cpu_exceeded || (instructions != 0 && sb->insn_count >= instructions);
  if (!sb->insn_exceeded)
    sb->stop_msg[0] = '\0';
  install_hook(sb);
}

guint64 cs_sandbox_get_instructions(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, 0);
  return sb->insn_count;
}

/* ---- CPU time limit ------------------------------------------------------- */

/* The instruction limit cannot stop a C function of the string library that
 * runs for minutes (a backtracking pattern on a long string).  A POSIX timer
 * on the process CPU clock counts the CPU time the scenario's code uses
 * (sim:run pauses it around the simulation itself).  When the budget is
 * spent the signal handler sets the count hook to fire at the next
 * instruction, which raises the error like the instruction limit.  If no
 * instruction runs for a grace period and the function running is one of
 * the pattern functions, the handler raises the error itself: those hold no
 * resource and may raise errors anywhere (malformed pattern, too complex),
 * so unwinding them is what Lua does anyway.  The CPU clock, not the wall
 * clock, and only to stop: it never changes what a run computes. */

#define CPU_GRACE_SECONDS 0.25
/* A real-time signal of our own: SIGXCPU belongs to RLIMIT_CPU (bench/scale
 * stops a run with it) and SIGALRM/SIGPROF to other tools. */
#define CPU_SIGNAL (SIGRTMIN + 4)

static CsSandbox *volatile cpu_owner; /* the sandbox whose CPU time is being counted */

static double cpu_clock(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void cpu_arm(CsSandbox *sb, double seconds)
{
  struct itimerspec it = { { 0, 0 }, { 0, 0 } };
  if (seconds > 0) {
    it.it_value.tv_sec = (time_t) seconds;
    it.it_value.tv_nsec = (long) ((seconds - (double) it.it_value.tv_sec) * 1e9);
    if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec == 0)
      it.it_value.tv_nsec = 1;
  }
  timer_settime(sb->cpu_timer, 0, &it, NULL);
}

/* Is the innermost function one of the pattern functions? */
static gboolean in_pattern_function(CsSandbox *sb)
{
  lua_Debug ar;
  if (!lua_getstack(sb->L, 0, &ar) || !lua_getinfo(sb->L, "f", &ar))
    return FALSE;
  lua_CFunction f = lua_tocfunction(sb->L, -1);
  lua_pop(sb->L, 1);
  for (guint i = 0; i < G_N_ELEMENTS(sb->pattern_fns); i++)
    if (f != NULL && f == sb->pattern_fns[i])
      return TRUE;
  return FALSE;
}

static void cpu_signal(int sig, siginfo_t *si, void *uctx)
{
  CsSandbox *sb = cpu_owner;
  if (sb == NULL || si->si_value.sival_ptr != sb || !sb->cpu_running)
    return;
  if (!sb->cpu_exceeded) {
    sb->cpu_exceeded = 1;
    lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, 1);
    cpu_arm(sb, CPU_GRACE_SECONDS);
    return;
  }
  /* Not one instruction for a grace period: stuck in C. */
  if (!sb->in_alloc && in_pattern_function(sb)) {
    char where[sizeof sb->stop_msg];
    where_from(sb->L, 1, where, sizeof where);
    note_stop(sb, where);
    lua_pushboolean(sb->L, 0); /* the message is stop_msg; pushing allocates nothing */
    lua_error(sb->L);
  }
  cpu_arm(sb, CPU_GRACE_SECONDS);
}

void cs_sandbox_set_cpu_limit(CsSandbox *sb, double seconds)
{
  g_return_if_fail(sb != NULL && seconds >= 0);
  if (seconds > 0 && !sb->cpu_timer_ok) {
    static gsize installed;
    if (g_once_init_enter(&installed)) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_sigaction = cpu_signal;
      sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART; /* NODEFER: it may longjmp out */
      sigemptyset(&sa.sa_mask);
      sigaction(CPU_SIGNAL, &sa, NULL);
      g_once_init_leave(&installed, 1);
    }
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = CPU_SIGNAL;
    sev.sigev_value.sival_ptr = sb;
    sb->cpu_timer_ok = timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &sb->cpu_timer) == 0;
  }
  sb->cpu_limit = seconds;
}

/* Starts counting CPU time; FALSE when it was counting already (or there is
 * no limit). */
static gboolean cpu_begin(CsSandbox *sb)
{
  if (sb->cpu_limit <= 0 || sb->cpu_running || !sb->cpu_timer_ok)
    return FALSE;
  sb->cpu_start = cpu_clock();
  sb->cpu_running = TRUE;
  cpu_owner = sb;
  cpu_arm(sb, MAX(sb->cpu_limit - sb->cpu_used, 1e-9));
  return TRUE;
}

static void cpu_end(CsSandbox *sb)
{
  if (!sb->cpu_running)
    return;
  cpu_arm(sb, 0);
  sb->cpu_running = FALSE;
  cpu_owner = NULL;
  sb->cpu_used += cpu_clock() - sb->cpu_start;
}

gboolean cs_sandbox_cpu_pause(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, FALSE);
  gboolean was = sb->cpu_running;
  cpu_end(sb);
  return was;
}

void cs_sandbox_cpu_resume(CsSandbox *sb, gboolean was_running)
{
  g_return_if_fail(sb != NULL);
  if (was_running)
    cpu_begin(sb);
}

/* ---- math.random -------------------------------------------------------- */

static guint64 splitmix64(guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64 rotl(guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* xoroshiro128++ (Blackman and Vigna). */
static guint64 rng_next(CsSandbox *sb)
{
  guint64 s0 = sb->rng[0], s1 = sb->rng[1];
  guint64 result = rotl(s0 + s1, 17) + s0;
  s1 ^= s0;
  sb->rng[0] = rotl(s0, 49) ^ s1 ^ (s1 << 21);
  sb->rng[1] = rotl(s1, 28);
  return result;
}

static void rng_seed(CsSandbox *sb, guint64 a, guint64 b)
{
  guint64 x = a ^ LUA_STREAM_SALT;
  sb->rng[0] = splitmix64(&x);
  x ^= b;
  sb->rng[1] = splitmix64(&x);
  if (sb->rng[0] == 0 && sb->rng[1] == 0)
    sb->rng[1] = 1;
}

/* A uniform integer in [0, n], as Lua's own project(): mask to the smallest
 * 2^b - 1 covering n and draw again while above n. */
static guint64 rng_project(CsSandbox *sb, guint64 ran, guint64 n)
{
  if ((n & (n + 1)) == 0)
    return ran & n;
  guint64 lim = n;
  lim |= lim >> 1;
  lim |= lim >> 2;
  lim |= lim >> 4;
  lim |= lim >> 8;
  lim |= lim >> 16;
  lim |= lim >> 32;
  while ((ran &= lim) > n)
    ran = rng_next(sb);
  return ran;
}

/* math.random with the semantics of Lua 5.4's. */
static int lua_math_random(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  guint64 rv = rng_next(sb);
  lua_Integer low, up;
  switch (lua_gettop(L)) {
  case 0:
    lua_pushnumber(L, (lua_Number) (rv >> 11) * 0x1.0p-53);
    return 1;
  case 1:
    low = 1;
    up = luaL_checkinteger(L, 1);
    if (up == 0) { /* math.random(0): all 64 bits */
      lua_pushinteger(L, (lua_Integer) rv);
      return 1;
    }
    break;
  case 2:
    low = luaL_checkinteger(L, 1);
    up = luaL_checkinteger(L, 2);
    break;
  default:
    return luaL_error(L, "wrong number of arguments");
  }
  luaL_argcheck(L, low <= up, 1, "interval is empty");
  guint64 p = rng_project(sb, rv, (guint64) up - (guint64) low);
  lua_pushinteger(L, (lua_Integer) (p + (guint64) low));
  return 1;
}

/* math.randomseed([x [, y]]): without arguments, back to the scenario seed. */
static int lua_math_randomseed(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  if (lua_isnone(L, 1)) {
    rng_seed(sb, sb->seed, 0);
    return 0;
  }
  lua_Integer a = luaL_checkinteger(L, 1);
  lua_Integer b = luaL_optinteger(L, 2, 0);
  /* Fold the user's seed in once more so randomseed(seed) is not the
   * scenario's own stream. */
  guint64 x = (guint64) a;
  rng_seed(sb, splitmix64(&x), (guint64) b);
  return 0;
}

void cs_sandbox_set_seed(CsSandbox *sb, guint64 seed)
{
  g_return_if_fail(sb != NULL);
  sb->seed = seed;
  rng_seed(sb, seed, 0);
}

guint64 cs_sandbox_get_seed(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, 0);
  return sb->seed;
}

/* ---- print, warn, load -------------------------------------------------- */

static int lua_print(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = cs_det_tolstring(L, i, &len); /* may raise: print nothing yet */
    if (sb->out) {
      if (i > 1)
        fputc('\t', sb->out);
      fwrite(s, 1, len, sb->out);
    }
    lua_pop(L, 1);
  }
  if (sb->out) {
    fputc('\n', sb->out);
    fflush(sb->out);
  }
  return 0;
}

/* Warnings go to stderr, on unless the scenario says warn("@off"). */
static void sandbox_warn(void *ud, const char *msg, int tocont)
{
  CsSandbox *sb = ud;
  if (!sb->warn_more && !tocont && msg[0] == '@') {
    if (strcmp(msg, "@on") == 0)
      sb->warn_on = TRUE;
    else if (strcmp(msg, "@off") == 0)
      sb->warn_on = FALSE;
    return;
  }
  if (sb->warn_on) {
    if (!sb->warn_more)
      fputs("scenario warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont)
      fputc('\n', stderr);
  }
  sb->warn_more = tocont;
}

/* load(chunk [, chunkname [, mode [, env]]]) with text chunks only: the
 * original load (upvalue 1) is called with mode "t". */
static int lua_load_text(lua_State *L)
{
  int n = lua_gettop(L);
  const char *mode = luaL_optstring(L, 3, "t");
  if (strchr(mode, 't') == NULL) {
    luaL_pushfail(L);
    lua_pushliteral(L, "binary chunks are not allowed in scenarios");
    return 2;
  }
  lua_settop(L, 4);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_pushliteral(L, "t");
  if (n >= 4) /* load tells an absent env from a nil one */
    lua_pushvalue(L, 4);
  lua_call(L, n >= 4 ? 4 : 3, LUA_MULTRET);
  return lua_gettop(L) - 4;
}

/* ---- functions that could run Lua code with hooks off ------------------- */

/* Lua runs finalizers with hooks disabled, so a __gc metamethod could loop
 * past the instruction limit; scenarios have no use for them. */
static int lua_setmetatable_nogc(lua_State *L)
{
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed in scenarios");
    lua_pop(L, 1);
  }
  int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, 1);
  return 1;
}

/* xpcall's message handler (upvalue 1) wrapped: when the instruction limit
 * raised the error, Lua calls the handler with hooks disabled, so the
 * scenario's handler is skipped and the error passes through unchanged. */
static int xpcall_handler(lua_State *L)
{
  if (sandbox_of(L)->insn_exceeded)
    return 1;
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

/* xpcall(f, msgh, ...) with msgh wrapped as above. */
static int lua_xpcall_guarded(lua_State *L)
{
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, xpcall_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2); /* msgh, true, f, args... */
  if (lua_pcall(L, n - 2, LUA_MULTRET, 2) != LUA_OK) {
    lua_pushboolean(L, 0);
    lua_rotate(L, -2, 1);
    return 2;
  }
  return lua_gettop(L) - 2; /* true and the results */
}

/* ---- require ------------------------------------------------------------ */

static gboolean module_name_ok(const char *name, size_t len)
{
  if (len == 0 || len > MODULE_NAME_MAX || strlen(name) != len)
    return FALSE;
  if (name[0] == '.' || name[len - 1] == '.' || strstr(name, "..") != NULL)
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '.')
      return FALSE;
  return TRUE;
}

/* __close of a guard: the module (guard[1]) is no longer loading, whether
 * its chunk returned or raised. */
static int guard_close(lua_State *L)
{
  lua_getfield(L, LUA_REGISTRYINDEX, LOADING_KEY);
  lua_rawgeti(L, 1, 1);
  lua_pushnil(L);
  lua_rawset(L, -3);
  return 0;
}

/* require(name): see sandbox.h for the search order. */
static int lua_require(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  lua_settop(L, 1);
  if (!module_name_ok(name, len))
    return luaL_error(L, "require: refused module name '%s' (expected names of letters, "
                      "digits and '_' joined by '.', like \"lib.topology\")", name);
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); /* 2 */
  if (lua_getfield(L, 2, name) != LUA_TNIL && lua_toboolean(L, -1))
    return 1;
  lua_pop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, LOADING_KEY); /* 3 */
  if (lua_getfield(L, 3, name) != LUA_TNIL)
    return luaL_error(L, "require: module '%s' requires itself while loading (circular require)",
                      name);
  lua_pop(L, 1);

  /* Paths are built on the Lua stack so that no error can leak them. */
  luaL_gsub(L, name, ".", "/");                 /* 4: relative name */
  lua_pushfstring(L, "%s.lua", lua_tostring(L, 4)); /* 5: relative file */
  const char *dirs[2] = { sb->scenario_dir, sb->lib_dir };
  int tried = 0, found = 0;
  for (int i = 0; i < 2 && !found; i++) {
    if (dirs[i] == NULL)
      continue;
    lua_pushfstring(L, "%s/%s", dirs[i], lua_tostring(L, 5));
    tried++;
    if (g_file_test(lua_tostring(L, -1), G_FILE_TEST_IS_REGULAR))
      found = lua_gettop(L);
  }
  const char *source = found ? NULL : g_hash_table_lookup(sb->embedded, name);
  int status;
  if (found) {
    status = luaL_loadfilex(L, lua_tostring(L, found), "t");
  } else if (source) {
    lua_pushfstring(L, "builtin:%s", lua_tostring(L, 5));
    found = lua_gettop(L);
    lua_pushfstring(L, "@%s", lua_tostring(L, found));
    status = luaL_loadbufferx(L, source, strlen(source), lua_tostring(L, -1), "t");
    lua_remove(L, -2); /* the chunk name */
  } else {
    luaL_Buffer b;
    int first = 6;
    luaL_where(L, 1);
    lua_pushfstring(L, "module '%s' not found (looked for ", name);
    luaL_buffinit(L, &b);
    for (int i = 0; i < tried; i++) {
      lua_pushvalue(L, first + i);
      luaL_addvalue(&b);
      luaL_addstring(&b, i < tried - 1 ? ", " : " and ");
    }
    luaL_addstring(&b, "the built-in modules)");
    luaL_pushresult(&b);
    lua_concat(L, 3);
    return lua_error(L);
  }
  if (status != LUA_OK)
    return lua_error(L); /* the message names the file and line */

  /* Mark the module as loading until the chunk returns or raises. */
  lua_pushboolean(L, 1);
  lua_setfield(L, 3, name);
  lua_createtable(L, 1, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  luaL_setmetatable(L, GUARD_MT_KEY);
  lua_toclose(L, -1);
  int guard = lua_gettop(L);
  lua_pushvalue(L, guard - 1); /* the chunk */
  lua_pushvalue(L, 1);
  lua_pushvalue(L, found);
  lua_call(L, 2, 1);
  if (!lua_isnil(L, -1))
    lua_setfield(L, 2, name);
  else
    lua_pop(L, 1);
  lua_closeslot(L, guard);
  if (lua_getfield(L, 2, name) == LUA_TNIL) { /* the module returned nothing */
    lua_pushboolean(L, 1);
    lua_copy(L, -1, -2);
    lua_setfield(L, 2, name);
  }
  lua_pushvalue(L, found);
  return 2;
}

/* ---- state setup -------------------------------------------------------- */

static void remove_field(lua_State *L, const char *table, const char *field)
{
  lua_getglobal(L, table);
  lua_pushnil(L);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* The C functions of the string library that match patterns, for the CPU
 * limit (cpu_signal). */
static void note_pattern_functions(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  const char *names[] = { "find", "match", "gsub" };
  lua_getglobal(L, LUA_STRLIBNAME);
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    lua_getfield(L, -1, names[i]);
    sb->pattern_fns[i] = lua_tocfunction(L, -1);
    lua_pop(L, 1);
  }
  lua_getfield(L, -1, "gmatch");
  lua_pushliteral(L, "");
  lua_pushliteral(L, "");
  lua_call(L, 2, 1); /* the iterator: a C closure */
  sb->pattern_fns[3] = lua_tocfunction(L, -1);
  lua_pop(L, 2);
}

/* Where Lua puts the memory of a userdata without user values inside its
 * block, learnt from one (cs_sandbox_object_id). */
static void measure_udata_offset(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  char *mem = lua_newuserdatauv(L, 1, 0);
  char *block = sb->last_object;
  if (block != NULL && mem > block && mem - block < 256)
    sb->udata_offset = (gsize) (mem - block);
  lua_pop(L, 1);
}

/* Opens the libraries; run protected because any allocation may fail. */
static int open_libraries(lua_State *L)
{
  static const luaL_Reg libs[] = {
    { LUA_GNAME, luaopen_base },
    { LUA_TABLIBNAME, luaopen_table },
    { LUA_STRLIBNAME, luaopen_string },
    { LUA_MATHLIBNAME, luaopen_math },
    { LUA_UTF8LIBNAME, luaopen_utf8 },
    { NULL, NULL },
  };
  for (const luaL_Reg *lib = libs; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  lua_setglobal(L, "dofile");
  lua_pushnil(L);
  lua_setglobal(L, "loadfile");
  remove_field(L, LUA_STRLIBNAME, "dump"); /* its output is bytecode */

  lua_getglobal(L, "load");
  lua_pushcclosure(L, lua_load_text, 1);
  lua_setglobal(L, "load");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, lua_setmetatable_nogc, 1);
  lua_setglobal(L, "setmetatable");
  lua_register(L, "xpcall", lua_xpcall_guarded);
  lua_register(L, "print", lua_print);
  lua_register(L, "require", lua_require);

  lua_getglobal(L, LUA_MATHLIBNAME);
  lua_pushcfunction(L, lua_math_random);
  lua_setfield(L, -2, "random");
  lua_pushcfunction(L, lua_math_randomseed);
  lua_setfield(L, -2, "randomseed");
  lua_pop(L, 1);

  cs_det_open(L);
  note_pattern_functions(L);
  measure_udata_offset(L);

  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, LOADING_KEY);
  luaL_newmetatable(L, GUARD_MT_KEY);
  lua_pushcfunction(L, guard_close);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  return 0;
}

static int sandbox_panic(lua_State *L)
{
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "chainsim: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
  return 0; /* Lua aborts */
}

CsSandbox *cs_sandbox_new(guint64 seed)
{
  CsSandbox *sb = g_new0(CsSandbox, 1);
  sb->mem_limit = CS_SANDBOX_DEFAULT_MEMORY_LIMIT;
  sb->insn_limit = CS_SANDBOX_DEFAULT_INSTRUCTION_LIMIT;
  sb->embedded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  sb->out = stdout;
  sb->warn_on = TRUE;
  cs_sandbox_set_seed(sb, seed);
  sb->L = lua_newstate(sandbox_alloc, sb);
  if (sb->L == NULL) {
    cs_sandbox_free(sb);
    return NULL;
  }
  lua_atpanic(sb->L, sandbox_panic);
  lua_setwarnf(sb->L, sandbox_warn, sb);
  lua_pushcfunction(sb->L, open_libraries);
  if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
    cs_sandbox_free(sb);
    return NULL;
  }
  install_hook(sb);
  cs_sandbox_set_cpu_limit(sb, CS_SANDBOX_DEFAULT_CPU_SECONDS);
  return sb;
}

void cs_sandbox_free(CsSandbox *sb)
{
  if (sb == NULL)
    return;
  cpu_end(sb);
  if (sb->cpu_timer_ok)
    timer_delete(sb->cpu_timer);
  if (sb->L)
    lua_close(sb->L);
  g_hash_table_destroy(sb->embedded);
  g_free(sb->scenario_dir);
  g_free(sb->lib_dir);
  g_free(sb);
}

lua_State *cs_sandbox_lua(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, NULL);
  return sb->L;
}

void cs_sandbox_set_memory_limit(CsSandbox *sb, gsize bytes)
{
  g_return_if_fail(sb != NULL);
  sb->mem_limit = bytes;
}

gsize cs_sandbox_get_memory_used(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, 0);
  return sb->mem_used;
}

const char *cs_sandbox_memory_where(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, "");
  return sb->mem_where;
}

void cs_sandbox_set_scenario_dir(CsSandbox *sb, const char *dir)
{
  g_return_if_fail(sb != NULL);
  g_free(sb->scenario_dir);
  sb->scenario_dir = g_strdup(dir);
}

void cs_sandbox_set_lib_dir(CsSandbox *sb, const char *dir)
{
  g_return_if_fail(sb != NULL);
  g_free(sb->lib_dir);
  sb->lib_dir = g_strdup(dir);
}

void cs_sandbox_add_embedded(CsSandbox *sb, const char *name, const char *source)
{
  g_return_if_fail(sb != NULL && name != NULL && source != NULL);
  g_hash_table_replace(sb->embedded, g_strdup(name), g_strdup(source));
}

void cs_sandbox_set_output(CsSandbox *sb, FILE *out)
{
  g_return_if_fail(sb != NULL);
  sb->out = out;
}

/* ---- running ------------------------------------------------------------ */

/* Message handler: the error as the user should read it.  Lua already put
 * "chunk:line:" in front of errors raised by Lua code and luaL_error; the
 * line of the innermost Lua function is noted for the others (error(),
 * error(nil), error({}), error("x", 0)).  An error object's __tostring runs
 * protected: one that fails or recurses gives the plain description. */
static int message_handler(lua_State *L)
{
  CsSandbox *sb = sandbox_of(L);
  if (sb->insn_exceeded)
    return 1; /* a limit: the message is ready, and hooks may be off */
  where_from(L, 1, sb->err_where, sizeof sb->err_where);
  int t = lua_type(L, 1);
  if (t == LUA_TSTRING || t == LUA_TNUMBER) {
    lua_tostring(L, 1);
    return 1;
  }
  if (luaL_getmetafield(L, 1, "__tostring") != LUA_TNIL) {
    lua_pushvalue(L, 1);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    lua_pop(L, 1);
  }
  lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  return 1;
}

static gboolean ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Does msg start with "chunk:LINE: "? */
static gboolean has_position(const char *msg)
{
  for (const char *c = msg; *c && *c != '\n' && c - msg < 512; c++) {
    if (c[0] != ':' || !g_ascii_isdigit(c[1]))
      continue;
    const char *d = c + 1;
    while (g_ascii_isdigit(*d))
      d++;
    if (d[0] == ':' && d[1] == ' ')
      return TRUE;
  }
  return FALSE;
}

/* Sets err to msg, with the error's position in front when it has none, and
 * control characters escaped (one line). */
static void set_error(CsSandbox *sb, GError **err, int code, const char *msg)
{
  char *full = !has_position(msg) && sb->err_where[0]
                 ? g_strdup_printf("%s: %s", sb->err_where, msg)
                 : g_strdup(msg);
  char *safe = cs_escape_controls(full);
  g_set_error_literal(err, CS_SANDBOX_ERROR, code, safe);
  g_free(safe);
  g_free(full);
}

/* Turns a failed load or call (status, error object on top) into err and
 * pops the error object. */
static gboolean fail(CsSandbox *sb, int status, gboolean loading, GError **err)
{
  lua_State *L = sb->L;
  const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  if (sb->insn_exceeded) {
    set_error(sb, err, sb->cpu_exceeded ? CS_SANDBOX_ERROR_CPU : CS_SANDBOX_ERROR_INSTRUCTIONS,
              sb->stop_msg[0] ? sb->stop_msg : INSTRUCTION_LIMIT_MESSAGE);
  } else if (status == LUA_ERRMEM || (sb->mem_refused && (status == LUA_ERRERR ||
                                                            ends_with(msg, MEMORY_MESSAGE)))) {
    if (sb->mem_limit == 0)
      g_set_error_literal(err, CS_SANDBOX_ERROR, CS_SANDBOX_ERROR_MEMORY,
                          "scenario ran out of memory");
    else if (sb->mem_limit % (1 << 20) == 0)
      g_set_error(err, CS_SANDBOX_ERROR, CS_SANDBOX_ERROR_MEMORY,
                  "scenario exceeded the memory limit of %" G_GSIZE_FORMAT " MiB",
                  sb->mem_limit >> 20);
    else
      g_set_error(err, CS_SANDBOX_ERROR, CS_SANDBOX_ERROR_MEMORY,
                  "scenario exceeded the memory limit of %.2f MiB",
                  (double) sb->mem_limit / (1 << 20));
  } else {
    CsSandboxError code = CS_SANDBOX_ERROR_RUNTIME;
    if (loading)
      code = status == LUA_ERRFILE ? CS_SANDBOX_ERROR_FILE : CS_SANDBOX_ERROR_SYNTAX;
    set_error(sb, err, code, *msg ? msg : "(error object is not a string)");
  }
  lua_pop(L, 1);
  return FALSE;
}

gboolean cs_sandbox_pcall(CsSandbox *sb, int nargs, int nresults, GError **err)
{
  g_return_val_if_fail(sb != NULL, FALSE);
  lua_State *L = sb->L;
  int base = lua_gettop(L) - nargs; /* the function */
  lua_pushcfunction(L, message_handler);
  lua_insert(L, base);
  sb->mem_refused = FALSE;
  sb->mem_where[0] = '\0';
  sb->err_where[0] = '\0';
  gboolean counting = cpu_begin(sb);
  int status = lua_pcall(L, nargs, nresults, base);
  if (counting)
    cpu_end(sb);
  lua_remove(L, base);
  if (status != LUA_OK)
    return fail(sb, status, FALSE, err);
  return TRUE;
}

/* Notes "chunk:LINE" of the last line of the loaded chunk on top: its
 * final return sits on the last line of the file. */
static void note_chunk_end(CsSandbox *sb)
{
  lua_State *L = sb->L;
  lua_Debug ar;
  sb->chunk_end[0] = '\0';
  lua_pushvalue(L, -1);
  if (!lua_getinfo(L, ">SL", &ar))
    return;
  int last = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_isinteger(L, -1))
      last = MAX(last, (int) lua_tointeger(L, -1));
  }
  lua_pop(L, 1);
  if (last > 0)
    g_snprintf(sb->chunk_end, sizeof sb->chunk_end, "%s:%d", ar.short_src, last);
}

static gboolean run_loaded(CsSandbox *sb, int status, GError **err)
{
  if (status != LUA_OK)
    return fail(sb, status, TRUE, err);
  note_chunk_end(sb);
  return cs_sandbox_pcall(sb, 0, 0, err);
}

const char *cs_sandbox_chunk_end(CsSandbox *sb)
{
  g_return_val_if_fail(sb != NULL, "");
  return sb->chunk_end;
}

/* Hands a chunk to lua_load one line at a time, counting the lines. */
typedef struct {
  const char *text;
  size_t len, pos;
  int line;     /* lines handed out so far: where the parser is */
} LineReader;

static const char *read_line(lua_State *L, void *data, size_t *size)
{
  LineReader *r = data;
  if (r->pos >= r->len)
    return NULL;
  const char *start = r->text + r->pos;
  const char *nl = memchr(start, '\n', r->len - r->pos);
  *size = nl ? (size_t) (nl - start) + 1 : r->len - r->pos;
  r->pos += *size;
  r->line++;
  return start;
}

/* A load error without a position ("C stack overflow" from a chunk nested
 * too deeply: Lua raises it as a runtime error, with no line) gets the line the parser reached,
 * found by loading the text again a line at a time. */
static void note_load_line(CsSandbox *sb, int status, const char *name, const char *text,
                           size_t len)
{
  lua_State *L = sb->L;
  if (status == LUA_OK || status == LUA_ERRMEM || status == LUA_ERRFILE ||
      lua_type(L, -1) != LUA_TSTRING ||
      has_position(lua_tostring(L, -1)) || text == NULL)
    return;
  LineReader r = { .text = text, .len = len };
  char *chunk = g_strconcat("@", name, NULL);
  if (lua_load(L, read_line, &r, chunk, "t") != LUA_OK && r.line > 0)
    g_snprintf(sb->err_where, sizeof sb->err_where, "%s:%d", name, r.line);
  lua_pop(L, 1);
  g_free(chunk);
}

gboolean cs_sandbox_run_file(CsSandbox *sb, const char *path, GError **err)
{
  g_return_val_if_fail(sb != NULL && path != NULL, FALSE);
  if (sb->scenario_dir == NULL)
    sb->scenario_dir = g_path_get_dirname(path);
  sb->mem_refused = FALSE;
  sb->mem_where[0] = '\0';
  sb->err_where[0] = '\0';
  int status = luaL_loadfilex(sb->L, path, "t");
  if (status != LUA_OK && status != LUA_ERRFILE) {
    char *text = NULL;
    gsize len = 0;
    if (g_file_get_contents(path, &text, &len, NULL))
      note_load_line(sb, status, path, text, len);
    g_free(text);
  }
  return run_loaded(sb, status, err);
}

gboolean cs_sandbox_run_string(CsSandbox *sb, const char *chunkname, const char *text,
                               GError **err)
{
  g_return_val_if_fail(sb != NULL && chunkname != NULL && text != NULL, FALSE);
  char *name = chunkname[0] == '@' || chunkname[0] == '=' ? g_strdup(chunkname)
                                                          : g_strconcat("@", chunkname, NULL);
  sb->mem_refused = FALSE;
  sb->mem_where[0] = '\0';
  sb->err_where[0] = '\0';
  int status = luaL_loadbufferx(sb->L, text, strlen(text), name, "t");
  note_load_line(sb, status, name + 1, text, strlen(text));
  g_free(name);
  return run_loaded(sb, status, err);
}
