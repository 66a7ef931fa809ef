/* lua_results.c — the results tree, its JSON text, timeseries.csv and
 * sim:metrics().  See results.h. */
#include "results.h"
#include "binding-private.h"
#include "outfile.h"
#include "stats.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Decimal places kept in figures (see results.h). */
#define MS_SCALE 1e3
#define UTIL_SCALE 1e6

static double round_to(double v, double scale)
{
  return round(v * scale) / scale;
}

static void member_int(JsonBuilder *b, const char *key, gint64 v)
{
  json_builder_set_member_name(b, key);
  json_builder_add_int_value(b, v);
}

static void member_double(JsonBuilder *b, const char *key, double v, double scale)
{
  json_builder_set_member_name(b, key);
  if (isfinite(v))
    json_builder_add_double_value(b, round_to(v, scale));
  else
    json_builder_add_null_value(b);
}

static void member_string(JsonBuilder *b, const char *key, const char *v)
{
  json_builder_set_member_name(b, key);
  json_builder_add_string_value(b, v);
}

/* A figure read from a histogram (hist.h: within 0.39 %), to 3 significant
 * figures, the most its precision supports; null when NAN (no sample). */
static void member_sig3(JsonBuilder *b, const char *key, double v)
{
  json_builder_set_member_name(b, key);
  if (!isfinite(v)) {
    json_builder_add_null_value(b);
    return;
  }
  if (v == 0) {
    json_builder_add_double_value(b, 0);
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%.3g", v);
  json_builder_add_double_value(b, g_ascii_strtod(buf, NULL));
}

/* p50 and p99 of a histogram figure, as an object named key. */
static void member_p50_p99(JsonBuilder *b, const char *key, double p50, double p99)
{
  json_builder_set_member_name(b, key);
  json_builder_begin_object(b);
  member_sig3(b, "p50", p50);
  member_sig3(b, "p99", p99);
  json_builder_end_object(b);
}

/* A time in ms, or null when t < 0 (not reached). */
static void member_ms(JsonBuilder *b, const char *key, SimTime t)
{
  json_builder_set_member_name(b, key);
  if (t < 0)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, round_to(sim_time_to_ms(t), MS_SCALE));
}

/* { p50, p90, p99 }: the times (ms) until 50, 90 and 99 % of the targets
 * were reached, exact to the simulated sample, null when not reached. */
static void member_fractions(JsonBuilder *b, const char *key,
                             SimTime (*time_to)(const CsWorld *, guint32, double), const CsWorld *w,
                             guint32 id)
{
  json_builder_set_member_name(b, key);
  json_builder_begin_object(b);
  member_ms(b, "p50", time_to(w, id, 0.5));
  member_ms(b, "p90", time_to(w, id, 0.9));
  member_ms(b, "p99", time_to(w, id, 0.99));
  json_builder_end_object(b);
}

/* bytes_total, then bytes_by_class with every registered class in order. */
static void by_class(JsonBuilder *b, guint64 (*total)(const Sim *, SimClass), const Sim *sim)
{
  guint64 sum = 0;
  for (SimClass c = 0; c < sim_class_count(sim); c++)
    sum += total(sim, c);
  member_int(b, "bytes_total", (gint64) sum);
  json_builder_set_member_name(b, "bytes_by_class");
  json_builder_begin_object(b);
  for (SimClass c = 0; c < sim_class_count(sim); c++)
    member_int(b, sim_class_name(sim, c), (gint64) total(sim, c));
  json_builder_end_object(b);
}

static void result_row(const char *value, guint64 count, gpointer data)
{
  member_int(data, value, (gint64) count);
}

static void build_run(JsonBuilder *b, CsLua *ctx)
{
  Sim *sim = ctx->sim;
  char fp[24];
  g_snprintf(fp, sizeof fp, "%016" G_GINT64_MODIFIER "x", sim_fingerprint(sim));
  json_builder_set_member_name(b, "run");
  json_builder_begin_object(b);
  member_string(b, "version", CHAINSIM_VERSION);
  member_int(b, "schema", CS_RESULTS_SCHEMA);
  member_int(b, "seed", (gint64) ctx->seed);
  member_string(b, "scenario", ctx->scenario);
  json_builder_set_member_name(b, "scenario_sha256");
  if (ctx->scenario_sha256)
    json_builder_add_string_value(b, ctx->scenario_sha256);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "params");
  json_builder_begin_object(b);
  for (guint i = 0; i < cs_lua_param_count(ctx); i++) {
    const char *k, *v;
    cs_lua_param(ctx, i, &k, &v);
    member_string(b, k, v);
  }
  json_builder_end_object(b);
  member_double(b, "sim_seconds", sim_time_to_s(sim_now(sim)), 1e9);
  member_int(b, "events", (gint64) sim_events_dispatched(sim));
  member_string(b, "fingerprint", fp);
  member_double(b, "bucket_seconds", sim_time_to_s(sim_params(sim)->bucket), 1e9);
  json_builder_end_object(b);
}

static void build_topology(JsonBuilder *b, CsLua *ctx)
{
  Sim *sim = ctx->sim;
  guint32 subnets = 0, wan_links = 0;
  for (guint32 s = 0; s < sim_subnet_count(sim); s++)
    if (!cs_lua_subnet_info(ctx, s)->infra)
      subnets++;
  for (guint32 l = 0; l < sim_link_count(sim); l++)
    if (sim_link_kind(sim, l) == SIM_LINK_WAN)
      wan_links++;
  guint32 clients = cs_world_client_count(ctx->world);
  guint32 servers = cs_world_server_count(ctx->world);
  guint32 zones = cs_world_zone_count(ctx->world);
  guint32 modules = cs_world_module_count(ctx->world);
  guint32 external = 0;
  for (guint32 c = 0; c < clients; c++)
    if (cs_client_is_external(ctx->world, c))
      external++;
  json_builder_set_member_name(b, "topology");
  json_builder_begin_object(b);
  member_int(b, "sites", sim_site_count(sim));
  member_int(b, "subnets", subnets);
  member_int(b, "endpoints", clients);
  member_int(b, "external_clients", external);
  member_int(b, "zone_servers", zones);
  member_int(b, "servers", servers);
  member_int(b, "module_servers", modules);
  member_int(b, "hosts", (gint64) sim_node_count(sim) - clients - servers - zones - modules);
  member_int(b, "wan_links", wan_links);
  member_int(b, "firewall_rules", sim_fw_rule_count(sim));
  json_builder_end_object(b);
}

static void build_chains(JsonBuilder *b, CsLua *ctx)
{
  CsChainSummary c;
  cs_world_chains(ctx->world, &c);
  json_builder_set_member_name(b, "chains");
  json_builder_begin_object(b);
  member_int(b, "count", c.chains);
  json_builder_set_member_name(b, "length");
  json_builder_begin_object(b);
  member_int(b, "min", c.len_min);
  member_int(b, "median", c.len_median);
  member_int(b, "max", c.len_max);
  json_builder_end_object(b);
  member_int(b, "backward_leaders", c.backward_leaders);
  member_int(b, "forward_leaders", c.forward_leaders);
  json_builder_set_member_name(b, "reflections");
  json_builder_begin_object(b);
  member_int(b, "forward", c.reflections_forward);
  member_int(b, "backward", c.reflections_backward);
  json_builder_end_object(b);
  json_builder_end_object(b);
}

static void build_server(JsonBuilder *b, CsLua *ctx)
{
  CsServerSummary s;
  cs_world_server_summary(ctx->world, &s);
  json_builder_set_member_name(b, "registration");
  json_builder_begin_object(b);
  member_int(b, "count", (gint64) s.registrations);
  member_int(b, "initial", (gint64) s.initial);
  json_builder_set_member_name(b, "per_second");
  json_builder_begin_object(b);
  member_double(b, "mean", s.per_second_mean, MS_SCALE);
  member_double(b, "peak", s.per_second_peak, MS_SCALE);
  json_builder_end_object(b);
  member_p50_p99(b, "latency_ms", s.latency_ms_p50, s.latency_ms_p99);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "server");
  json_builder_begin_object(b);
  member_int(b, "connections_peak", s.connections_peak);
  json_builder_set_member_name(b, "connections");
  json_builder_begin_object(b);
  member_int(b, "peak", s.connections_peak);
  member_int(b, "persistent_peak", s.persistent_peak);
  member_int(b, "persistent_end", s.persistent_end);
  member_int(b, "registration_peak", s.registration_peak);
  json_builder_end_object(b);
  member_int(b, "queue_peak", s.queue_peak);
  member_p50_p99(b, "queue_ms", s.queue_ms_p50, s.queue_ms_p99);
  member_p50_p99(b, "service_ms", s.service_ms_p50, s.service_ms_p99);
  member_p50_p99(b, "response_ms", s.response_ms_p50, s.response_ms_p99);
  member_int(b, "wan_connections_peak", s.wan_connections_peak);
  json_builder_end_object(b);

  CsDatabaseSummary d;
  if (cs_world_database_summary(ctx->world, &d)) {
    json_builder_set_member_name(b, "database");
    json_builder_begin_object(b);
    member_int(b, "writes", (gint64) d.writes);
    member_int(b, "queue_peak", d.queue_peak);
    json_builder_set_member_name(b, "write_ms");
    json_builder_begin_object(b);
    member_double(b, "p50", d.write_ms_p50, MS_SCALE);
    member_double(b, "p99", d.write_ms_p99, MS_SCALE);
    json_builder_end_object(b);
    member_int(b, "held_peak", d.held_peak);
    json_builder_end_object(b);
  }
}

static void build_traffic(JsonBuilder *b, CsLua *ctx)
{
  Sim *sim = ctx->sim;
  double bucket_s = sim_time_to_s(sim_params(sim)->bucket);
  double run_s = sim_time_to_s(sim_now(sim));
  json_builder_set_member_name(b, "wan");
  json_builder_begin_object(b);
  by_class(b, sim_stats_wan_total, sim);
  json_builder_set_member_name(b, "links");
  json_builder_begin_array(b);
  for (guint32 l = 0; l < sim_link_count(sim); l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN)
      continue;
    double bps = sim_link_bps(sim, l);
    for (guint32 dir = 0; dir < 2; dir++) {
      guint32 d = l * 2 + dir;
      const char *a = sim_site_name(sim, dir ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l));
      const char *z = sim_site_name(sim, dir ? sim_link_site_a(sim, l) : sim_link_site_b(sim, l));
      char *name = g_strdup_printf("%s->%s", a, z);
      guint64 bytes = sim_stats_dlink_total(sim, d);
      guint64 peak = sim_stats_dlink_peak(sim, d);
      json_builder_begin_object(b);
      member_string(b, "name", name);
      member_int(b, "bytes", (gint64) bytes);
      member_double(b, "peak_utilization",
                    bps > 0 && bucket_s > 0 ? (double) peak * 8 / (bps * bucket_s) : 0, UTIL_SCALE);
      member_double(b, "mean_utilization",
                    bps > 0 && run_s > 0 ? (double) bytes * 8 / (bps * run_s) : 0, UTIL_SCALE);
      json_builder_end_object(b);
      g_free(name);
    }
  }
  json_builder_end_array(b);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "lan");
  json_builder_begin_object(b);
  by_class(b, sim_stats_lan_total, sim);
  json_builder_end_object(b);
}

static void build_questions(JsonBuilder *b, CsLua *ctx)
{
  CsWorld *w = ctx->world;
  json_builder_set_member_name(b, "questions");
  json_builder_begin_array(b);
  for (guint32 q = 0; q < cs_world_question_count(w); q++) {
    const char *sensor = cs_lua_sensor_name(ctx, cs_question_sensor(w, q));
    json_builder_begin_object(b);
    member_int(b, "id", q + 1);
    member_string(b, "sensor", sensor ? sensor : "");
    member_double(b, "asked_at", sim_time_to_s(cs_question_asked_at(w, q)), MS_SCALE);
    member_int(b, "targets", cs_question_targets(w, q));
    member_int(b, "answered", cs_question_answered(w, q));
    member_fractions(b, "time_to_ms", cs_question_time_to, w, q);
    json_builder_set_member_name(b, "result");
    json_builder_begin_object(b);
    cs_question_result(w, q, result_row, b);
    json_builder_end_object(b);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

static void build_distributions(JsonBuilder *b, CsLua *ctx)
{
  CsWorld *w = ctx->world;
  json_builder_set_member_name(b, "distributions");
  json_builder_begin_array(b);
  for (guint i = 0; i < ctx->actions->len; i++) {
    guint32 a = g_array_index(ctx->actions, guint32, i);
    json_builder_begin_object(b);
    member_int(b, "id", i + 1);
    member_int(b, "size", (gint64) cs_action_size(w, a));
    member_double(b, "deployed_at", sim_time_to_s(cs_action_deployed_at(w, a)), MS_SCALE);
    member_int(b, "targets", cs_action_targets(w, a));
    member_int(b, "completed", cs_action_completed(w, a));
    member_int(b, "endpoints_complete", cs_action_endpoints_complete(w, a));
    /* time_to_ms is reported_ms under its old name (baselines read it). */
    static const char *const reported[] = { "time_to_ms", "reported_ms" };
    for (int k = 0; k < 2; k++)
      member_fractions(b, reported[k], cs_action_time_to, w, a);
    member_fractions(b, "complete_ms", cs_action_complete_time_to, w, a);
    member_int(b, "bytes_from_server", (gint64) cs_action_bytes_from_server(w, a));
    member_int(b, "bytes_from_peers", (gint64) cs_action_bytes_from_peers(w, a));
    member_int(b, "wan_bytes", (gint64) cs_action_wan_bytes(w, a));
    member_int(b, "bytes_from_caches", (gint64) cs_action_bytes_from_caches(w, a));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

/* Every Direct Connect session a scenario call made, by id: what made it
 * (session, test, satellite), the endpoint's address, the state, the set-up
 * time (null if it never opened) and the failure reason (null if none). */
static void build_direct_connect(JsonBuilder *b, CsLua *ctx)
{
  CsWorld *w = ctx->world;
  json_builder_set_member_name(b, "direct_connect");
  json_builder_begin_array(b);
  for (guint32 s = 0; s < cs_world_dc_count(w); s++) {
    char a[16];
    guint32 c = cs_dc_client(w, s);
    const char *reason = cs_dc_reason(w, s);
    json_builder_begin_object(b);
    member_int(b, "id", s + 1);
    member_string(b, "endpoint",
                  sim_addr_format(sim_node_addr(ctx->sim, cs_world_client_node(w, c)), a));
    member_string(b, "status", cs_dc_state_name(cs_dc_state(w, s)));
    member_ms(b, "setup_ms", cs_dc_setup_time(w, s));
    json_builder_set_member_name(b, "reason");
    if (reason && *reason)
      json_builder_add_string_value(b, reason);
    else
      json_builder_add_null_value(b);
    member_string(b, "kind", cs_lua_dc_kind(ctx, s));
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

/* The run's warnings in the order they arose (warnings.h). */
static void build_warnings(JsonBuilder *b, CsLua *ctx)
{
  const CsWarnings *w = ctx->warnings;
  json_builder_set_member_name(b, "warnings");
  json_builder_begin_array(b);
  for (guint i = 0; i < cs_warnings_count(w); i++) {
    CsWarnKind kind;
    const char *where, *message;
    guint64 count;
    cs_warnings_get(w, i, &kind, &where, &message, &count);
    json_builder_begin_object(b);
    member_string(b, "kind", cs_warn_kind_name(kind));
    json_builder_set_member_name(b, "where");
    if (where)
      json_builder_add_string_value(b, where);
    else
      json_builder_add_null_value(b);
    member_string(b, "message", message);
    member_int(b, "count", (gint64) count);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

static void build_expectations(JsonBuilder *b, CsLua *ctx)
{
  json_builder_set_member_name(b, "expectations");
  json_builder_begin_array(b);
  for (guint i = 0; i < ctx->expects->len; i++) {
    const CsLuaExpect *e = &g_array_index(ctx->expects, CsLuaExpect, i);
    json_builder_begin_object(b);
    member_string(b, "text", e->text);
    json_builder_set_member_name(b, "ok");
    json_builder_add_boolean_value(b, e->ok);
    member_string(b, "where", e->where);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
}

JsonNode *cs_results_build(CsLua *ctx)
{
  g_return_val_if_fail(ctx != NULL && ctx->world != NULL, NULL);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  build_run(b, ctx);
  build_topology(b, ctx);
  build_chains(b, ctx);
  build_server(b, ctx); /* registration and server */
  build_traffic(b, ctx); /* wan and lan */
  build_questions(b, ctx);
  build_distributions(b, ctx);
  build_direct_connect(b, ctx);
  build_expectations(b, ctx);
  build_warnings(b, ctx);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  g_object_unref(b);
  return root;
}

/* ---- JSON text ---------------------------------------------------------------- */

static void put_string(GString *out, const char *s)
{
  g_string_append_c(out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    switch (*p) {
    case '"': g_string_append(out, "\\\""); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case '\n': g_string_append(out, "\\n"); break;
    case '\r': g_string_append(out, "\\r"); break;
    case '\t': g_string_append(out, "\\t"); break;
    default:
      if (*p < 0x20)
        g_string_append_printf(out, "\\u%04x", *p);
      else
        g_string_append_c(out, (char) *p);
    }
  }
  g_string_append_c(out, '"');
}

void cs_results_put_double(GString *out, double v)
{
  if (!isfinite(v)) {
    g_string_append(out, "null");
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int prec = 15; prec <= 17; prec++) {
    char fmt[8];
    g_snprintf(fmt, sizeof fmt, "%%.%dg", prec);
    g_ascii_formatd(buf, sizeof buf, fmt, v);
    if (g_ascii_strtod(buf, NULL) == v)
      break;
  }
  g_string_append(out, buf);
  if (strpbrk(buf, ".eE") == NULL)
    g_string_append(out, ".0");
}

static void put_indent(GString *out, int depth)
{
  g_string_append_c(out, '\n');
  for (int i = 0; i < depth; i++)
    g_string_append(out, "  ");
}

static void put_node(GString *out, JsonNode *n, int depth)
{
  switch (json_node_get_node_type(n)) {
  case JSON_NODE_NULL:
    g_string_append(out, "null");
    return;
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type(n)) {
    case G_TYPE_INT64:
      g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(n));
      return;
    case G_TYPE_DOUBLE:
      cs_results_put_double(out, json_node_get_double(n));
      return;
    case G_TYPE_BOOLEAN:
      g_string_append(out, json_node_get_boolean(n) ? "true" : "false");
      return;
    case G_TYPE_STRING:
      put_string(out, json_node_get_string(n));
      return;
    default:
      g_string_append(out, "null");
      return;
    }
  case JSON_NODE_ARRAY: {
    JsonArray *a = json_node_get_array(n);
    guint len = json_array_get_length(a);
    if (len == 0) {
      g_string_append(out, "[]");
      return;
    }
    g_string_append_c(out, '[');
    for (guint i = 0; i < len; i++) {
      put_indent(out, depth + 1);
      put_node(out, json_array_get_element(a, i), depth + 1);
      if (i + 1 < len)
        g_string_append_c(out, ',');
    }
    put_indent(out, depth);
    g_string_append_c(out, ']');
    return;
  }
  case JSON_NODE_OBJECT: {
    JsonObject *o = json_node_get_object(n);
    GList *members = json_object_get_members(o); /* insertion order */
    if (members == NULL) {
      g_string_append(out, "{}");
      return;
    }
    g_string_append_c(out, '{');
    for (GList *m = members; m; m = m->next) {
      put_indent(out, depth + 1);
      put_string(out, m->data);
      g_string_append(out, ": ");
      put_node(out, json_object_get_member(o, m->data), depth + 1);
      if (m->next)
        g_string_append_c(out, ',');
    }
    g_list_free(members);
    put_indent(out, depth);
    g_string_append_c(out, '}');
    return;
  }
  }
}

char *cs_results_to_json(JsonNode *root)
{
  GString *out = g_string_new(NULL);
  put_node(out, root, 0);
  g_string_append_c(out, '\n');
  return g_string_free(out, FALSE);
}

/* ---- timeseries.csv ------------------------------------------------------------- */

static void put_rows(FILE *f, const Sim *sim, const char *time_s, const char *link, const char *dir,
                     const SimBucket *bk)
{
  if (bk == NULL)
    return;
  for (SimClass c = 0; c < sim_class_count(sim); c++)
    if (bk->bytes[c] > 0)
      fprintf(f, "%s,%s,%s,%s,%" G_GUINT64_FORMAT "\n", time_s, link, dir,
              sim_class_name(sim, c), bk->bytes[c]);
}

static gboolean write_timeseries(CsLua *ctx, const char *path, GError **err)
{
  Sim *sim = ctx->sim;
  CsOutfile *out = cs_outfile_open(path, err);
  if (out == NULL)
    return FALSE;
  FILE *f = cs_outfile_stream(out);
  fputs("time_s,link,direction,class,bytes\n", f);
  /* Names first: the loops below run buckets × links. */
  guint32 nlinks = sim_link_count(sim), nsub = sim_subnet_count(sim);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (guint32 l = 0; l < nlinks; l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN) {
      g_ptr_array_add(names, NULL);
      g_ptr_array_add(names, NULL);
      g_ptr_array_add(names, NULL);
      continue;
    }
    const char *a = sim_site_name(sim, sim_link_site_a(sim, l));
    const char *z = sim_site_name(sim, sim_link_site_b(sim, l));
    g_ptr_array_add(names, g_strdup_printf("%s<->%s", a, z));
    g_ptr_array_add(names, g_strdup_printf("%s->%s", a, z));
    g_ptr_array_add(names, g_strdup_printf("%s->%s", z, a));
  }
  GPtrArray *cidrs = g_ptr_array_new_with_free_func(g_free);
  for (guint32 s = 0; s < nsub; s++) {
    char a[16];
    g_ptr_array_add(cidrs, g_strdup_printf("%s/%u", sim_addr_format(sim_subnet_base(sim, s), a),
                                           sim_subnet_prefix(sim, s)));
  }
  double bucket_s = sim_time_to_s(sim_params(sim)->bucket);
  guint32 nb = sim_stats_buckets(sim);
  for (guint32 b = 0; b < nb; b++) {
    char t[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(t, sizeof t, "%.9g", (double) b * bucket_s);
    for (guint32 l = 0; l < nlinks; l++) {
      if (g_ptr_array_index(names, l * 3) == NULL)
        continue;
      for (guint32 d = 0; d < 2; d++)
        put_rows(f, sim, t, g_ptr_array_index(names, l * 3), g_ptr_array_index(names, l * 3 + 1 + d),
                 sim_stats_wan(sim, l * 2 + d, b));
    }
    for (guint32 s = 0; s < nsub; s++) {
      put_rows(f, sim, t, g_ptr_array_index(cidrs, s), "up", sim_stats_subnet(sim, s, FALSE, b));
      put_rows(f, sim, t, g_ptr_array_index(cidrs, s), "down", sim_stats_subnet(sim, s, TRUE, b));
    }
  }
  g_ptr_array_free(names, TRUE);
  g_ptr_array_free(cidrs, TRUE);
  return cs_outfile_commit(out, err);
}

gboolean cs_results_write(CsLua *ctx, const char *dir, GError **err)
{
  JsonNode *root = cs_results_build(ctx);
  char *text = cs_results_to_json(root);
  json_node_unref(root);
  char *path = g_build_filename(dir, "results.json", NULL);
  gboolean ok = cs_outfile_write(path, text, strlen(text), err);
  g_free(path);
  g_free(text);
  if (!ok)
    return FALSE;
  static const struct {
    const char *name;
    gboolean (*write)(CsLua *, const char *, GError **);
  } csv[] = {
    { "timeseries.csv", write_timeseries },
    { "server.csv", cs_results_write_server_csv },
    { "answers.csv", cs_results_write_answers_csv },
  };
  for (guint i = 0; ok && i < G_N_ELEMENTS(csv); i++) {
    path = g_build_filename(dir, csv[i].name, NULL);
    ok = csv[i].write(ctx, path, err);
    g_free(path);
  }
  return ok;
}

/* ---- sim:metrics() ------------------------------------------------------------------ */

static void push_node(lua_State *L, JsonNode *n)
{
  luaL_checkstack(L, 4, "metrics");
  switch (json_node_get_node_type(n)) {
  case JSON_NODE_NULL:
    lua_pushnil(L);
    return;
  case JSON_NODE_VALUE:
    switch (json_node_get_value_type(n)) {
    case G_TYPE_INT64: lua_pushinteger(L, json_node_get_int(n)); return;
    case G_TYPE_DOUBLE: lua_pushnumber(L, json_node_get_double(n)); return;
    case G_TYPE_BOOLEAN: lua_pushboolean(L, json_node_get_boolean(n)); return;
    case G_TYPE_STRING: lua_pushstring(L, json_node_get_string(n)); return;
    default: lua_pushnil(L); return;
    }
  case JSON_NODE_ARRAY: {
    JsonArray *a = json_node_get_array(n);
    guint len = json_array_get_length(a);
    lua_createtable(L, (int) len, 0);
    for (guint i = 0; i < len; i++) {
      push_node(L, json_array_get_element(a, i));
      lua_rawseti(L, -2, (lua_Integer) i + 1);
    }
    return;
  }
  case JSON_NODE_OBJECT: {
    JsonObject *o = json_node_get_object(n);
    GList *members = json_object_get_members(o);
    lua_createtable(L, 0, (int) g_list_length(members));
    for (GList *m = members; m; m = m->next) {
      push_node(L, json_object_get_member(o, m->data));
      lua_setfield(L, -2, m->data);
    }
    g_list_free(members);
    return;
  }
  }
}

/* The tree lives in a userdata while it is converted, so an error (out of
 * memory) half-way frees it. */
static int tree_gc(lua_State *L)
{
  JsonNode **p = lua_touserdata(L, 1);
  if (*p) {
    json_node_unref(*p);
    *p = NULL;
  }
  return 0;
}

#define TREE_MT "chainsim.results_tree"

void cs_lua_push_metrics(lua_State *L, CsLua *ctx)
{
  JsonNode **p = lua_newuserdatauv(L, sizeof(JsonNode *), 0);
  *p = NULL;
  if (luaL_newmetatable(L, TREE_MT)) {
    lua_pushcfunction(L, tree_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  *p = cs_results_build(ctx);
  push_node(L, *p);
  lua_remove(L, -2); /* the userdata; its __gc frees the tree */
}

static int sim_metrics(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  cs_lua_push_metrics(L, ctx);
  return 1;
}

void cs_lua_results_methods(lua_State *L, int methods)
{
  static const luaL_Reg m[] = {
    { "metrics", sim_metrics },
    { NULL, NULL },
  };
  lua_pushvalue(L, methods);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}
