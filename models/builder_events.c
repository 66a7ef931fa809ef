/* builder_events.c — sensors, questions, deploys and the Direct Connect
 * certificate marks (builder.h). */
#include "builder-private.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Shares of a sensor must add up to 1 within this (they are typed decimals). */
#define SHARE_SUM_SLACK 1e-6

/* ---- sensors ---------------------------------------------------------------------------- */

static guint32 define_sensor(CsBuilder *b, const char *name)
{
  guint32 sensor = cs_world_sensor(b->world, name);
  while (b->sensor_names->len <= sensor)
    g_ptr_array_add(b->sensor_names, NULL);
  if (g_ptr_array_index(b->sensor_names, sensor) == NULL)
    g_ptr_array_index(b->sensor_names, sensor) = g_strdup(name);
  return sensor;
}

const char *cs_builder_sensor_name(const CsBuilder *b, guint32 sensor)
{
  return sensor < b->sensor_names->len ? g_ptr_array_index(b->sensor_names, sensor) : NULL;
}

static gboolean check_sensor(const CsBuilder *b, const char *name, const guint32 *clients, guint n,
                             GError **error)
{
  if (name == NULL || name[0] == '\0') {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NAME,
                        "sensor 'name': expected a non-empty sensor name");
    return FALSE;
  }
  guint32 nc = cs_world_client_count(b->world);
  for (guint i = 0; i < n; i++)
    if (clients[i] >= nc) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "sensor '%s': no client %u", name,
                  clients[i]);
      return FALSE;
    }
  return TRUE;
}

gboolean cs_build_sensor_values(CsBuilder *b, const char *name, const guint32 *clients, guint n,
                                const char *const *values, GError **error)
{
  if (!check_sensor(b, name, clients, n, error))
    return FALSE;
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    g_hash_table_add(seen, (gpointer) values[i]);
  guint distinct = g_hash_table_size(seen);
  g_hash_table_destroy(seen);
  if (distinct > CS_BUILD_SENSOR_VALUES_MAX) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_LIMIT, "sensor '%s': more than %d distinct "
                "values (the models keep at most that many per sensor)", name,
                CS_BUILD_SENSOR_VALUES_MAX);
    return FALSE;
  }
  guint32 sensor = define_sensor(b, name);
  for (guint i = 0; i < n; i++)
    cs_world_sensor_set(b->world, sensor, clients[i], values[i]);
  return TRUE;
}

typedef struct {
  const char *value;
  double share;
  guint64 count;
  double remainder;
} Share;

static int share_by_name(const void *a, const void *b)
{
  return strcmp(((const Share *) a)->value, ((const Share *) b)->value);
}

/* Largest remainder: most remainder first, ties by value name. */
static int share_by_remainder(const void *a, const void *b)
{
  const Share *x = a, *y = b;
  if (x->remainder != y->remainder)
    return x->remainder > y->remainder ? -1 : 1;
  return strcmp(x->value, y->value);
}

gboolean cs_build_sensor_shares(CsBuilder *b, const char *name, const guint32 *clients, guint n,
                                const char *const *values, const double *shares, guint k,
                                GError **error)
{
  if (!check_sensor(b, name, clients, n, error))
    return FALSE;
  if (k == 0) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                "sensor '%s': expected at least one value = share", name);
    return FALSE;
  }
  if (k > CS_BUILD_SENSOR_VALUES_MAX) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_LIMIT, "sensor '%s': more than %d distinct "
                "values (the models keep at most that many per sensor)", name,
                CS_BUILD_SENSOR_VALUES_MAX);
    return FALSE;
  }
  Share *s = g_new(Share, k);
  double sum = 0;
  for (guint i = 0; i < k; i++) {
    if (!isfinite(shares[i]) || shares[i] < 0) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "sensor '%s' '%s': expected a share "
                  "between 0 and 1", name, values[i]);
      g_free(s);
      return FALSE;
    }
    s[i] = (Share) { .value = values[i], .share = shares[i] };
  }
  /* Summed in value order, as the shares are given to clients. */
  qsort(s, k, sizeof(Share), share_by_name);
  for (guint i = 0; i < k; i++)
    sum += s[i].share;
  if (fabs(sum - 1.0) > SHARE_SUM_SLACK) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%.9g", sum);
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                "sensor '%s': the shares must add up to 1, got %s", name, buf);
    g_free(s);
    return FALSE;
  }
  guint64 given = 0;
  for (guint i = 0; i < k; i++) {
    double quota = s[i].share / sum * (double) n;
    s[i].count = (guint64) floor(quota);
    s[i].remainder = quota - floor(quota);
    given += s[i].count;
  }
  if (given < n) {
    qsort(s, k, sizeof(Share), share_by_remainder);
    for (guint i = 0; given < n; i = (i + 1) % k, given++)
      s[i].count++;
    qsort(s, k, sizeof(Share), share_by_name);
  }
  guint32 sensor = define_sensor(b, name);
  guint c = 0;
  for (guint i = 0; i < k; i++)
    for (guint64 j = 0; j < s[i].count && c < n; j++)
      cs_world_sensor_set(b->world, sensor, clients[c++], s[i].value);
  g_free(s);
  return TRUE;
}

/* ---- questions and actions ------------------------------------------------------------- */

static gboolean check_targets(const CsBuilder *b, const char *what, const CsTarget *t, guint n,
                              GError **error)
{
  for (guint i = 0; i < n; i++) {
    guint32 limit = t[i].kind == CS_TARGET_CLIENT   ? cs_world_client_count(b->world)
                    : t[i].kind == CS_TARGET_SUBNET ? sim_subnet_count(b->sim)
                    : t[i].kind == CS_TARGET_SITE   ? sim_site_count(b->sim)
                                                    : G_MAXUINT32;
    if (t[i].id >= limit && t[i].kind != CS_TARGET_ALL) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s 'targets': target %u names no "
                  "client, subnet or site", what, i + 1);
      return FALSE;
    }
  }
  return TRUE;
}

gint32 cs_build_ask(CsBuilder *b, SimTime at, const char *sensor, CsQuestionMode mode,
                    const CsTarget *targets, guint ntargets, GError **error)
{
  gint32 sid = sensor ? cs_world_sensor_find(b->world, sensor) : -1;
  if (sid < 0) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NO_SENSOR, "ask 'sensor': no sensor named "
                "\"%s\" (define it first)", sensor ? sensor : "");
    return -1;
  }
  if (at < sim_now(b->sim)) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "ask 'at': in the past");
    return -1;
  }
  if (!check_targets(b, "ask", targets, ntargets, error))
    return -1;
  GError *e = NULL;
  gint32 q = cs_world_ask(b->world, at, (guint32) sid, mode, targets, ntargets, &e);
  if (q < 0)
    cs_builder_take_error(error, e, "ask");
  return q;
}

gboolean cs_build_package_check(const CsBuilder *b, const CsPackage *pkg, GError **error)
{
  if (pkg->size > CS_PACKAGE_SIZE_MAX || pkg->run_time < 0 || pkg->run_time > 24 * 3600 * SIM_S) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "package: expected a size of "
                        "at most 64GiB and a run_time of 0 to 24 h");
    return FALSE;
  }
  if (pkg->name) {
    size_t len = strlen(pkg->name);
    if (len == 0 || len > CS_PACKAGE_NAME_MAX) {
      g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NAME,
                          "package 'name': expected a non-empty file name (at most 255 bytes)");
      return FALSE;
    }
    if (pkg->size == 0) {
      g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "package 'name': a package "
                          "without files (size 0) has no file to name; give it a size");
      return FALSE;
    }
  }
  guint32 shard = cs_world_params(b->world)->shard_size;
  guint64 nshards = (pkg->size + shard - 1) / shard;
  if (nshards > CS_PACKAGE_SHARDS_MAX) {
    char size[32], ssize[32];
    g_snprintf(size, sizeof size, "%" G_GUINT64_FORMAT, pkg->size);
    g_snprintf(ssize, sizeof ssize, "%u", shard);
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_LIMIT, "package 'size': %s bytes in shards of "
                "%s bytes is %d shards, more than %d (a client scans its map of them per message); "
                "use a larger shard_size", size, ssize, (int) nshards, CS_PACKAGE_SHARDS_MAX);
    return FALSE;
  }
  return TRUE;
}

gint32 cs_build_deploy(CsBuilder *b, SimTime at, const CsPackage *pkg, const CsTarget *targets,
                       guint ntargets, GError **error)
{
  if (!cs_build_package_check(b, pkg, error) || !check_targets(b, "deploy", targets, ntargets, error))
    return -1;
  if (at < sim_now(b->sim)) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "deploy 'at': in the past");
    return -1;
  }
  GError *e = NULL;
  gint32 a = cs_world_deploy(b->world, at, pkg, targets, ntargets, &e);
  if (a < 0)
    cs_builder_take_error(error, e, "deploy");
  return a;
}

/* ---- faults and background traffic ------------------------------------------------------ */

typedef struct {
  CsBuilder *b;
  CsBuildFault fault;
  guint32 id;
} Fault;

static void fault_now(CsBuilder *b, CsBuildFault fault, guint32 id)
{
  switch (fault) {
  case CS_BUILD_FAULT_CRASH: sim_node_crash(b->sim, id); break;
  case CS_BUILD_FAULT_RESTART: sim_node_restart(b->sim, id); break;
  case CS_BUILD_FAULT_LINK_DOWN: sim_wan_set_up(b->sim, id, FALSE); break;
  case CS_BUILD_FAULT_LINK_UP: sim_wan_set_up(b->sim, id, TRUE); break;
  }
}

static void fault_fire(Sim *sim, gpointer data, guint64 arg)
{
  Fault *f = data;
  fault_now(f->b, f->fault, f->id);
}

static gboolean check_at(const CsBuilder *b, const char *what, SimTime at, GError **error)
{
  if (at < sim_now(b->sim)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s 'at': in the past", what);
    return FALSE;
  }
  return TRUE;
}

gboolean cs_build_fault(CsBuilder *b, SimTime at, CsBuildFault fault, guint32 id, GError **error)
{
  static const char *const what[] = { "crash", "restart", "fail", "repair" };
  if ((guint) fault > CS_BUILD_FAULT_LINK_UP) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "fault: no fault kind %d", (int) fault);
    return FALSE;
  }
  if (!check_at(b, what[fault], at, error))
    return FALSE;
  gboolean link = fault == CS_BUILD_FAULT_LINK_DOWN || fault == CS_BUILD_FAULT_LINK_UP;
  if (link ? id >= sim_link_count(b->sim) || sim_link_kind(b->sim, id) != SIM_LINK_WAN
           : id >= sim_node_count(b->sim)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s: expected %s", what[fault],
                link ? "a WAN link" : "a node");
    return FALSE;
  }
  if (link && at <= sim_now(b->sim)) {
    fault_now(b, fault, id);
    return TRUE;
  }
  Fault *f = g_new(Fault, 1);
  *f = (Fault) { b, fault, id };
  g_ptr_array_add(b->faults, f);
  sim_call_at(b->sim, at, fault_fire, f, 0);
  return TRUE;
}

static gboolean check_traffic(const CsBuilder *b, const char *what, SimTime at, SimNodeId from,
                              SimNodeId to, SimClass cls, GError **error)
{
  if (!check_at(b, what, at, error))
    return FALSE;
  guint32 n = sim_node_count(b->sim);
  if (from >= n || to >= n) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s: 'from' and 'to' must be nodes", what);
    return FALSE;
  }
  if (from == to) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s: 'from' and 'to' are the same node", what);
    return FALSE;
  }
  if ((guint) cls >= CS_CLS_COUNT) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s 'class': no traffic class %d", what,
                (int) cls);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_size(const char *what, const char *key, guint64 size, GError **error)
{
  if (size == 0) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s '%s': expected a size > 0", what, key);
    return FALSE;
  }
  return TRUE;
}

guint32 cs_build_transfer(CsBuilder *b, SimTime at, SimNodeId from, SimNodeId to, guint64 bytes,
                          SimClass cls, GError **error)
{
  if (!check_traffic(b, "transfer", at, from, to, cls, error) ||
      !check_size("transfer", "size", bytes, error))
    return G_MAXUINT32;
  return sim_transfer(b->sim, from, to, bytes, cls, at);
}

guint32 cs_build_exchange(CsBuilder *b, SimTime at, SimNodeId from, SimNodeId to, guint64 request,
                          guint64 response, SimClass cls, GError **error)
{
  if (!check_traffic(b, "exchange", at, from, to, cls, error) ||
      !check_size("exchange", "request", request, error) ||
      !check_size("exchange", "response", response, error))
    return G_MAXUINT32;
  return sim_exchange(b->sim, from, to, request, response, cls, at);
}

/* ---- Direct Connect certificates ----------------------------------------------------------- */

void cs_build_no_client_cert(CsBuilder *b, guint32 client)
{
  g_array_append_val(b->no_cert, client);
}

void cs_builder_seal(CsBuilder *b)
{
  if (b->no_cert->len == 0 || b->sealed)
    return;
  /* The world sizes its marks by the clients that exist at its first call:
   * every mark goes in at once, when the last client has been made. */
  b->sealed = TRUE;
  for (guint i = 0; i < b->no_cert->len; i++)
    cs_world_client_without_cert(b->world, g_array_index(b->no_cert, guint32, i));
}
