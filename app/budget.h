/* budget.h — the model's memory, estimated before it is allocated.
 *
 * The Lua allocator's cap bounds what a scenario's own code holds; this
 * bounds what the API calls make the model allocate (clients, shard maps,
 * statistics rows).  Each call that makes the model grow charges its
 * estimate here first; a charge that takes the total past the limit
 * (--max-memory, by default 80 % of physical memory) raises a Lua error
 * naming the call, the estimate and the limit, so the scenario ends with
 * exit 2 and file:line before the model allocates anything for that call.
 * The estimate only ever refuses a scenario: it changes no result.
 *
 * Per-item costs are measured, rounded up (docs/scenarios.md, "Bounds on
 * values"): about 1 KiB per endpoint for its records, connections and
 * peers over a run; a distributed file's shard map twice per endpoint
 * (cache and pending bits); 2 bytes per endpoint per sensor; one statistics
 * row per time bucket; a site, subnet or server with its records. */
#pragma once
#include <glib.h>
#include <lua.h>

#define CS_BUDGET_CLIENT_BYTES 1024
#define CS_BUDGET_SENSOR_BYTES 2
#define CS_BUDGET_BUCKET_BYTES 64
/* A site, subnet or server-like node with its links and records. */
#define CS_BUDGET_RECORD_BYTES 512
/* Smallest --max-memory accepted. */
#define CS_BUDGET_MIN (1024 * 1024)

typedef struct {
  guint64 limit;       /* bytes; 0: no limit */
  guint64 used;        /* estimated bytes charged so far */
  guint64 clients;     /* endpoints charged so far */
  guint64 per_client;  /* bytes each endpoint costs now (grows with files and sensors) */
} CsBudget;

/* 80 % of the machine's physical memory (sysconf), or 0 when unknown. */
guint64 cs_budget_default_limit(void);

void cs_budget_init(CsBudget *b, guint64 limit);

/* n more endpoints. */
void cs_budget_add_clients(lua_State *L, CsBudget *b, const char *what, guint64 n);
/* Per-endpoint state every endpoint, present and future, gets: bytes each. */
void cs_budget_add_per_client(lua_State *L, CsBudget *b, const char *what, guint64 bytes);
/* A one-off amount. */
void cs_budget_add(lua_State *L, CsBudget *b, const char *what, guint64 bytes);

/* bytes as "205 MB", "1.5 GB" (decimal units, 3 significant digits). */
void cs_budget_format(guint64 bytes, char *buf, gsize size);
