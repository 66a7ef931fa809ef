/* builder_rules.c — firewall rules, partitions and heals, throttles, and
 * the start of the world's timeline (builder.h). */
#include "builder-private.h"
#include <math.h>
#include <string.h>

struct CsBuildRule {
  GArray *from, *to;        /* CsBuildGroupItem, as given */
  guint16 port;
  gboolean both;
  SimFwAction action;
  gboolean partition;       /* a partition (its drops go first) */
  SimTime added_at;         /* when it goes in */
  GArray *ids;              /* kernel rule ids once added */
  gboolean added, removed, remove_scheduled;
  char *where;              /* NULL or "file.lua:12" */
};

typedef enum { EV_ADD, EV_REMOVE, EV_THROTTLE } EvKind;

typedef struct {
  CsBuilder *b;
  EvKind kind;
  CsBuildRule *rule;        /* EV_ADD, EV_REMOVE */
  gboolean all;             /* EV_THROTTLE: every client */
  double bps;
  guint32 concurrent;
  guint32 nsubnets;
  guint32 subnets[];
} Ev;

static void rule_free(CsBuildRule *r)
{
  g_array_free(r->from, TRUE);
  g_array_free(r->to, TRUE);
  g_array_free(r->ids, TRUE);
  g_free(r->where);
  g_free(r);
}

void cs_builder_rules_free(CsBuilder *b)
{
  for (guint i = 0; i < b->rules->len; i++)
    rule_free(g_ptr_array_index(b->rules, i));
  g_ptr_array_free(b->rules, TRUE);
  g_ptr_array_free(b->start_rules, TRUE);
  g_ptr_array_free(b->scheduled, TRUE);
  g_clear_error(&b->deferred);
}

/* A time as Lua's string.format("%s") of a float writes it ("5.0", "0.25"),
 * so the binding's messages stay as they were. */
static const char *seconds(char *buf, gsize size, SimTime t)
{
  g_snprintf(buf, size, "%.14g", sim_time_to_s(t));
  if (buf[strspn(buf, "-0123456789")] == '\0')
    g_strlcat(buf, ".0", size);
  return buf;
}

/* ---- groups ---------------------------------------------------------------------------- */

static gboolean check_group(const CsBuilder *b, const char *what, const char *key,
                            const CsBuildGroup *g, GError **error)
{
  if (g == NULL || g->n == 0 || g->items == NULL) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s '%s': expected at least one "
                "CIDR, node, subnet or site", what, key);
    return FALSE;
  }
  for (guint i = 0; i < g->n; i++) {
    const CsBuildGroupItem *it = &g->items[i];
    guint32 limit;
    switch (it->kind) {
    case CS_BUILD_GROUP_CIDR:
      if (it->prefix > 32 || (it->prefix < 32 && (it->base & ~sim_prefix_mask(it->prefix)))) {
        g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ADDRESS, "%s '%s': item %u is not a "
                    "network (host bits set or prefix over 32)", what, key, i + 1);
        return FALSE;
      }
      continue;
    case CS_BUILD_GROUP_SUBNET: limit = sim_subnet_count(b->sim); break;
    case CS_BUILD_GROUP_SITE: limit = sim_site_count(b->sim); break;
    case CS_BUILD_GROUP_NODE: limit = sim_node_count(b->sim); break;
    default:
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s '%s': item %u has no kind %d",
                  what, key, i + 1, (int) it->kind);
      return FALSE;
    }
    if (it->id >= limit) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s '%s': item %u names no %s", what,
                  key, i + 1, it->kind == CS_BUILD_GROUP_SUBNET ? "subnet"
                              : it->kind == CS_BUILD_GROUP_SITE ? "site" : "node");
      return FALSE;
    }
  }
  return TRUE;
}

static GArray *copy_group(const CsBuildGroup *g)
{
  GArray *a = g_array_sized_new(FALSE, TRUE, sizeof(CsBuildGroupItem), g->n);
  /* Whole records (padding zeroed) so that heal can compare them bytewise. */
  for (guint i = 0; i < g->n; i++) {
    CsBuildGroupItem it;
    memset(&it, 0, sizeof it);
    it.kind = g->items[i].kind;
    it.id = g->items[i].id;
    it.base = g->items[i].base;
    it.prefix = g->items[i].prefix;
    g_array_append_val(a, it);
  }
  return a;
}

static void add_range(GArray *ranges, guint32 base, guint8 prefix)
{
  guint32 r[2] = { base, sim_prefix_mask(prefix) };
  g_array_append_vals(ranges, r, 2);
}

/* The group's (base, mask) pairs as of now. */
static void group_ranges(const CsBuilder *b, const GArray *items, GArray *ranges)
{
  for (guint i = 0; i < items->len; i++) {
    const CsBuildGroupItem *g = &g_array_index(items, CsBuildGroupItem, i);
    switch (g->kind) {
    case CS_BUILD_GROUP_CIDR:
      add_range(ranges, g->base, g->prefix);
      break;
    case CS_BUILD_GROUP_NODE:
      add_range(ranges, sim_node_addr(b->sim, g->id), 32);
      break;
    case CS_BUILD_GROUP_SUBNET:
      add_range(ranges, sim_subnet_base(b->sim, g->id), sim_subnet_prefix(b->sim, g->id));
      break;
    case CS_BUILD_GROUP_SITE: {
      guint ns;
      const guint32 *subs = cs_builder_site_subnets(b, g->id, &ns);
      for (guint j = 0; j < ns; j++)
        add_range(ranges, sim_subnet_base(b->sim, subs[j]), sim_subnet_prefix(b->sim, subs[j]));
      break;
    }
    }
  }
}

/* ---- applying rules ----------------------------------------------------------------------- */

static void defer(CsBuilder *b, GError *e)
{
  if (b->deferred == NULL)
    b->deferred = e;
  else
    g_error_free(e);
  if (b->started)
    sim_stop(b->sim);
}

static void rule_apply(CsBuilder *b, CsBuildRule *r)
{
  if (r->added)
    return;
  GArray *src = g_array_new(FALSE, FALSE, sizeof(guint32));
  GArray *dst = g_array_new(FALSE, FALSE, sizeof(guint32));
  group_ranges(b, r->from, src);
  group_ranges(b, r->to, dst);
  if (src->len == 0 || dst->len == 0)
    defer(b, g_error_new(CS_BUILD_ERROR, CS_BUILD_ERROR_EMPTY, "%s%s%s: '%s' covers no address "
                         "when the rule takes effect (a site without subnets?)",
                         r->where ? r->where : "", r->where ? ": " : "",
                         r->partition ? "partition" : "firewall",
                         src->len == 0 ? (r->partition ? "a" : "from") : (r->partition ? "b" : "to")));
  for (guint i = 0; i + 1 < src->len; i += 2)
    for (guint j = 0; j + 1 < dst->len; j += 2) {
      SimFwRule fr = {
        .src = g_array_index(src, guint32, i), .src_mask = g_array_index(src, guint32, i + 1),
        .dst = g_array_index(dst, guint32, j), .dst_mask = g_array_index(dst, guint32, j + 1),
        .port = r->port, .both = r->both, .action = r->action,
      };
      /* A partition cuts everything between its sides whatever other rules
       * say: its drops go first.  Firewall rules keep the order given. */
      guint32 id = r->partition ? sim_fw_insert(b->sim, &fr, 0) : sim_fw_add(b->sim, &fr);
      g_array_append_val(r->ids, id);
    }
  g_array_free(src, TRUE);
  g_array_free(dst, TRUE);
  r->added = TRUE;
}

static void rule_unapply(CsBuilder *b, CsBuildRule *r)
{
  g_ptr_array_remove(b->start_rules, r); /* removed before it went in */
  for (guint i = 0; i < r->ids->len; i++)
    sim_fw_remove(b->sim, g_array_index(r->ids, guint32, i));
  g_array_set_size(r->ids, 0);
  r->removed = TRUE;
}

static void throttle_apply(Ev *t)
{
  CsWorld *w = t->b->world;
  if (t->all)
    cs_world_throttle(w, TRUE, 0, t->bps, t->concurrent);
  for (guint32 i = 0; i < t->nsubnets; i++)
    cs_world_throttle(w, FALSE, t->subnets[i], t->bps, t->concurrent);
}

static void ev_run(Ev *e)
{
  switch (e->kind) {
  case EV_ADD: rule_apply(e->b, e->rule); break;
  case EV_REMOVE: rule_unapply(e->b, e->rule); break;
  case EV_THROTTLE: throttle_apply(e); break;
  }
}

static void ev_fire(Sim *sim, gpointer data, guint64 arg)
{
  ev_run(data);
}

/* Runs e now when due, else at `at` (e is kept until the builder goes). */
static void ev_schedule(CsBuilder *b, SimTime at, Ev *e)
{
  g_ptr_array_add(b->scheduled, e);
  if (at <= sim_now(b->sim))
    ev_run(e);
  else
    sim_call_at(b->sim, at, ev_fire, e, 0);
}

static void rule_schedule(CsBuilder *b, SimTime at, EvKind kind, CsBuildRule *r)
{
  if (kind == EV_ADD && !b->started && at <= sim_now(b->sim)) {
    g_ptr_array_add(b->start_rules, r);
    return;
  }
  Ev *e = g_new0(Ev, 1);
  *e = (Ev) { .b = b, .kind = kind, .rule = r };
  ev_schedule(b, at, e);
}

gboolean cs_builder_start(CsBuilder *b, GError **error)
{
  b->started = TRUE;
  for (guint i = 0; i < b->start_rules->len; i++)
    rule_apply(b, g_ptr_array_index(b->start_rules, i));
  g_ptr_array_set_size(b->start_rules, 0);
  if (b->deferred) {
    g_propagate_error(error, g_error_copy(b->deferred));
    return FALSE;
  }
  return TRUE;
}

const GError *cs_builder_deferred(const CsBuilder *b)
{
  return b->deferred;
}

/* ---- the calls ------------------------------------------------------------------------------ */

static gboolean check_at(const CsBuilder *b, const char *what, SimTime at, GError **error)
{
  if (at < sim_now(b->sim)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s 'at': in the past", what);
    return FALSE;
  }
  return TRUE;
}

static CsBuildRule *new_rule(CsBuilder *b, SimTime at, const CsBuildGroup *from,
                             const CsBuildGroup *to, const char *where)
{
  CsBuildRule *r = g_new0(CsBuildRule, 1);
  r->from = copy_group(from);
  r->to = copy_group(to);
  r->ids = g_array_new(FALSE, FALSE, sizeof(guint32));
  r->where = g_strdup(where);
  r->added_at = at;
  g_ptr_array_add(b->rules, r);
  return r;
}

CsBuildRule *cs_build_firewall(CsBuilder *b, SimTime at, const CsBuildFirewall *fw, GError **error)
{
  if (!check_at(b, "firewall", at, error) || !check_group(b, "firewall", "from", &fw->from, error) ||
      !check_group(b, "firewall", "to", &fw->to, error))
    return NULL;
  if ((guint) fw->action > SIM_FW_REJECT) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "firewall 'action': no action %d",
                (int) fw->action);
    return NULL;
  }
  CsBuildRule *r = new_rule(b, at, &fw->from, &fw->to, fw->where);
  r->port = fw->port;
  r->both = fw->both;
  r->action = fw->action;
  rule_schedule(b, at, EV_ADD, r);
  return r;
}

CsBuildRule *cs_build_partition(CsBuilder *b, SimTime at, const CsBuildGroup *a,
                                const CsBuildGroup *bg, const char *where, GError **error)
{
  if (!check_at(b, "partition", at, error) || !check_group(b, "partition", "a", a, error) ||
      !check_group(b, "partition", "b", bg, error))
    return NULL;
  CsBuildRule *r = new_rule(b, at, a, bg, where);
  r->partition = TRUE;
  r->both = TRUE;
  r->action = SIM_FW_DROP;
  rule_schedule(b, at, EV_ADD, r);
  return r;
}

gboolean cs_build_rule_remove(CsBuilder *b, CsBuildRule *r, SimTime at, GError **error)
{
  const char *what = r->partition ? "heal" : "remove";
  if (!check_at(b, what, at, error))
    return FALSE;
  if (r->remove_scheduled) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_REMOVED, r->partition
                ? "heal: this partition is already healed (or its healing is scheduled)"
                : "remove: this rule is already removed (or its removal is scheduled)");
    return FALSE;
  }
  if (at < r->added_at) {
    char s[G_ASCII_DTOSTR_BUF_SIZE];
    seconds(s, sizeof s, r->added_at);
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, r->partition
                ? "heal 'at': the partition only starts at %ss"
                : "remove 'at': the rule is only added at %ss", s);
    return FALSE;
  }
  r->remove_scheduled = TRUE;
  rule_schedule(b, at, EV_REMOVE, r);
  return TRUE;
}

static gboolean same_items(const GArray *x, const CsBuildGroup *y)
{
  if (x->len != y->n)
    return FALSE;
  for (guint i = 0; i < y->n; i++) {
    const CsBuildGroupItem *p = &g_array_index(x, CsBuildGroupItem, i), *q = &y->items[i];
    if (p->kind != q->kind || p->id != q->id || p->base != q->base || p->prefix != q->prefix)
      return FALSE;
  }
  return TRUE;
}

CsBuildRule *cs_build_heal(CsBuilder *b, SimTime at, const CsBuildGroup *a, const CsBuildGroup *bg,
                           GError **error)
{
  if (!check_at(b, "heal", at, error) || !check_group(b, "heal", "a", a, error) ||
      !check_group(b, "heal", "b", bg, error))
    return NULL;
  for (guint i = 0; i < b->rules->len; i++) {
    CsBuildRule *r = g_ptr_array_index(b->rules, i);
    if (!r->partition || r->remove_scheduled)
      continue;
    if ((same_items(r->from, a) && same_items(r->to, bg)) ||
        (same_items(r->from, bg) && same_items(r->to, a)))
      return cs_build_rule_remove(b, r, at, error) ? r : NULL;
  }
  g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NOT_FOUND,
                      "heal: no partition between these groups is in force or scheduled");
  return NULL;
}

gboolean cs_builder_rule_active(const CsBuilder *b, const CsBuildRule *r)
{
  (void) b;
  return r->added && !r->removed;
}

static gboolean is_infra(const CsBuilder *b, guint32 subnet)
{
  const CsBuildSubnetInfo *info = cs_builder_subnet(b, subnet);
  return info && info->infra;
}

gboolean cs_build_throttle(CsBuilder *b, SimTime at, const CsBuildGroup *to, double bps,
                           guint32 concurrent, GError **error)
{
  if (!check_at(b, "throttle", at, error))
    return FALSE;
  if (!isfinite(bps) || bps < 0) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "throttle 'bandwidth': expected a rate >= 0");
    return FALSE;
  }
  if (bps == 0 && concurrent == 0) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "throttle: expected 'bandwidth', 'concurrent' or both (what to cap)");
    return FALSE;
  }
  guint n = 0;
  if (to) {
    if (!check_group(b, "throttle", "subnet", to, error))
      return FALSE;
    for (guint i = 0; i < to->n; i++) {
      const CsBuildGroupItem *it = &to->items[i];
      if (it->kind == CS_BUILD_GROUP_SITE) {
        guint ns;
        const guint32 *subs = cs_builder_site_subnets(b, it->id, &ns);
        for (guint j = 0; j < ns; j++)
          n += !is_infra(b, subs[j]);
      } else if (it->kind == CS_BUILD_GROUP_SUBNET) {
        n++;
      } else {
        g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "throttle 'subnet': item %u is "
                    "not a subnet or a site", i + 1);
        return FALSE;
      }
    }
    if (n == 0) {
      g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_EMPTY,
                          "throttle 'subnet': the site has no subnets");
      return FALSE;
    }
  }
  Ev *t = g_malloc0(sizeof(Ev) + n * sizeof(guint32));
  t->b = b;
  t->kind = EV_THROTTLE;
  t->all = to == NULL;
  t->bps = bps;
  t->concurrent = concurrent;
  if (to)
    for (guint i = 0; i < to->n; i++) {
      const CsBuildGroupItem *it = &to->items[i];
      if (it->kind == CS_BUILD_GROUP_SUBNET) {
        t->subnets[t->nsubnets++] = it->id;
        continue;
      }
      guint ns;
      const guint32 *subs = cs_builder_site_subnets(b, it->id, &ns);
      for (guint j = 0; j < ns; j++)
        if (!is_infra(b, subs[j]))
          t->subnets[t->nsubnets++] = subs[j];
    }
  ev_schedule(b, at, t);
  return TRUE;
}
