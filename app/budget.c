/* budget.c — the model's memory, estimated before it is allocated.  See
 * budget.h. */
#include "budget.h"
#include "units.h"
#include <lauxlib.h>
#include <string.h>
#include <unistd.h>

guint64 cs_budget_default_limit(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0)
    return 0;
  return (guint64) pages / 5 * 4 * (guint64) page;
}

void cs_budget_init(CsBudget *b, guint64 limit)
{
  *b = (CsBudget){ .limit = limit, .per_client = CS_BUDGET_CLIENT_BYTES };
}

void cs_budget_format(guint64 bytes, char *buf, gsize size)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  guint u = 0;
  while (v >= 999.5 && u + 1 < G_N_ELEMENTS(units)) {
    v /= 1000;
    u++;
  }
  if (u == 0)
    g_snprintf(buf, size, "%" G_GUINT64_FORMAT " B", bytes);
  else
    g_snprintf(buf, size, v < 9.995 ? "%.2f %s" : v < 99.95 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* a * b + c, saturating at G_MAXUINT64. */
static guint64 mul_add(guint64 a, guint64 b, guint64 c)
{
  if (b != 0 && a > G_MAXUINT64 / b)
    return G_MAXUINT64;
  guint64 p = a * b;
  return p > G_MAXUINT64 - c ? G_MAXUINT64 : p + c;
}

static void charge(lua_State *L, CsBudget *b, const char *what, guint64 total)
{
  if (b->limit != 0 && total > b->limit) {
    char est[32], lim[CS_UNITS_FORMAT_MAX], msg[320];
    cs_budget_format(total, est, sizeof est);
    /* The limit as given ("50MB", "8GiB"); the default 80 % of the
     * memory rounded ("20.2 GB") rather than "19746992KiB". */
    cs_units_format_size(b->limit, lim, sizeof lim);
    if (strlen(lim) > 8)
      cs_budget_format(b->limit, lim, sizeof lim);
    /* lua_pushfstring knows no 64-bit formats: the message is made here. */
    g_snprintf(msg, sizeof msg,
               "%s: the model would need about %s of memory, more than --max-memory %s "
               "(%" G_GUINT64_FORMAT " endpoints at about %" G_GUINT64_FORMAT " bytes each, "
               "plus the rest); make the scenario smaller or raise --max-memory",
               what, est, lim, b->clients, b->per_client);
    luaL_error(L, "%s", msg);
  }
  b->used = total;
}

void cs_budget_add(lua_State *L, CsBudget *b, const char *what, guint64 bytes)
{
  charge(L, b, what, mul_add(bytes, 1, b->used));
}

void cs_budget_add_clients(lua_State *L, CsBudget *b, const char *what, guint64 n)
{
  b->clients += n; /* the message counts them */
  charge(L, b, what, mul_add(n, b->per_client, b->used));
}

void cs_budget_add_per_client(lua_State *L, CsBudget *b, const char *what, guint64 bytes)
{
  b->per_client = mul_add(bytes, 1, b->per_client);
  charge(L, b, what, mul_add(b->clients, bytes, b->used));
}
