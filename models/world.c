/* world.c — the simulated enterprise: node creation, sensors, questions and
 * actions as the operator sees them, and the books kept for results.
 * See world.h. */
#include "world-private.h"
#include "bits.h"
#include <string.h>

G_DEFINE_QUARK(cs-world-error-quark, cs_world_error)

void cs_world_params_default(CsWorldParams *p)
{
  memset(p, 0, sizeof *p);
  sim_params_default(&p->sim);
  p->peering = TRUE;
  p->tls = TRUE;
  p->tls_peers = TRUE;
  p->tls_resume = FALSE;
  p->tls_resume_lifetime = 5 * SIM_MIN;
  p->reg_timeout = 60 * SIM_S;
  p->reg_min = 30 * SIM_S;
  p->reg_max = 90 * SIM_S;
  p->init_min = 2 * SIM_HOUR;
  p->init_max = 6 * SIM_HOUR;
  p->startup = 30 * SIM_S;
  p->peers_per_side = 10;
  p->neighbourhood_prefix = 24;
  p->batch_window = 50 * SIM_MS;
  p->answer_hold = 2 * SIM_S;
  p->sensor_min = 10 * SIM_MS;
  p->sensor_max = 100 * SIM_MS;
  p->live_timeout = 3 * 90 * SIM_S;
  p->reg_bytes = 600;
  p->reg_resp_bytes = 900;
  p->question_bytes = 500;
  p->answer_bytes = 120;
  p->answer_row_bytes = 12;
  p->action_bytes = 800;
  p->init_bytes = 1500;
  p->init_resp_bytes = 16000;
  p->shard_size = 512 * 1024;
  p->cache_size = 100 * 1000 * 1000;
  p->shards_per_message = 8;
  p->direct_shards_per_message = 64;
  p->pin_every = 10;
  p->download_retry = 60 * SIM_S;
  p->download_retry_max = SIM_HOUR;
}

void cs_server_params_default(CsServerParams *p)
{
  p->workers = 8;
  p->svc_registration = 400 * SIM_US;
  p->svc_initial = 2 * SIM_MS;
  p->svc_answer = 200 * SIM_US;
  p->svc_leader = 1 * SIM_MS;
}

static void host_start(Sim *sim, SimNodeId node, gpointer k) {}
static const SimNodeKind host_kind = { .name = "host", .start = host_start };

CsWorld *cs_world_new(const CsWorldParams *params)
{
  CsWorld *w = g_new0(CsWorld, 1);
  if (params)
    w->p = *params;
  else
    cs_world_params_default(&w->p);
  w->sim = sim_new(&w->p.sim);
  cs_classes_register(w->sim);
  w->kind_client = sim_kind_register(w->sim, &cs_client_kind, w);
  w->kind_server = sim_kind_register(w->sim, &cs_server_kind, w);
  w->kind_host = sim_kind_register(w->sim, &host_kind, w);
  w->kind_zone = sim_kind_register(w->sim, &cs_zone_kind, w);
  w->zone = cs_zones_new(w);
  w->kind_module = sim_kind_register(w->sim, &cs_module_kind, w);
  w->module = cs_modules_new(w);
  w->kind_db = sim_kind_register(w->sim, &cs_db_kind, w);
  w->database = cs_databases_new(w);
  sim_vec_init(&w->clients, sizeof(CsClient));
  w->client = cs_clients_new(w);
  w->server = cs_servers_new(w);
  w->node_client = g_array_new(FALSE, TRUE, sizeof(guint32));
  w->names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  w->subnet_mode = g_array_new(FALSE, TRUE, sizeof(guint8));
  w->infra_subnet = g_array_new(FALSE, TRUE, sizeof(guint32));
  w->neighs = g_array_new(FALSE, TRUE, sizeof(CsNeigh));
  w->sensors = g_ptr_array_new();
  w->questions = g_array_new(FALSE, TRUE, sizeof(CsQuestion));
  w->actions = g_array_new(FALSE, TRUE, sizeof(CsAction));
  w->shards = cs_shards_new(w);
  return w;
}

static void sensor_free(CsSensor *s)
{
  g_free(s->name);
  g_ptr_array_free(s->values, TRUE);
  g_hash_table_destroy(s->index);
  g_free(s->of_client);
  g_free(s);
}

static void neighs_free(GArray *neighs)
{
  for (guint i = 0; i < neighs->len; i++)
    g_free(g_array_index(neighs, CsNeigh, i).members);
  g_array_free(neighs, TRUE);
}

static void rollout_clear(CsRollout *r);

void cs_world_free(CsWorld *w)
{
  if (!w)
    return;
  sim_free(w->sim); /* first: pending messages release their blobs */
  for (guint i = 0; i < w->clients.len; i++) {
    CsClient *c = cs_client_rec(w, i);
    cs_batch_free(c->batch);
    cs_shards_client_reset(c);
  }
  cs_shards_free(w);
  cs_modules_free(w);
  cs_databases_free(w);
  cs_zones_free(w);
  sim_vec_clear(&w->clients);
  cs_servers_free(w);
  cs_clients_free(w);
  g_array_free(w->node_client, TRUE);
  g_hash_table_destroy(w->names);
  g_array_free(w->subnet_mode, TRUE);
  g_array_free(w->infra_subnet, TRUE);
  neighs_free(w->neighs);
  for (guint i = 0; i < w->sensors->len; i++)
    sensor_free(g_ptr_array_index(w->sensors, i));
  g_ptr_array_free(w->sensors, TRUE);
  for (guint i = 0; i < w->questions->len; i++) {
    CsQuestion *q = &g_array_index(w->questions, CsQuestion, i);
    rollout_clear(&q->r);
    g_free(q->counts);
    g_array_free(q->curve_n, TRUE);
  }
  g_array_free(w->questions, TRUE);
  for (guint i = 0; i < w->actions->len; i++) {
    CsAction *a = &g_array_index(w->actions, CsAction, i);
    rollout_clear(&a->r);
    g_array_free(a->complete_t, TRUE);
    g_free(a->complete_seen);
  }
  g_array_free(w->actions, TRUE);
  g_free(w);
}

Sim *cs_world_sim(CsWorld *w) { return w->sim; }
const CsWorldParams *cs_world_params(const CsWorld *w) { return &w->p; }
CsClient *cs_client_rec(const CsWorld *w, guint32 c) { return sim_vec_at(&w->clients, c); }

/* --- batches ----------------------------------------------------------------------- */

CsBatch *cs_batch_new(void)
{
  CsBatch *b = g_new0(CsBatch, 1);
  b->cap = 4;
  b->e = g_new(CsEntry, b->cap);
  return b;
}

void cs_batch_free(gpointer p)
{
  CsBatch *b = p;
  if (!b)
    return;
  g_free(b->e);
  g_free(b);
}

void cs_reg_req_free(gpointer p)
{
  CsRegReq *r = p;
  if (!r)
    return;
  cs_batch_free(r->batch);
  g_free(r);
}

void cs_batch_add(CsBatch *b, const CsEntry *e)
{
  if (e->kind != CS_E_ROW) {
    for (guint32 i = 0; i < b->len; i++) {
      CsEntry *x = &b->e[i];
      if (x->kind == e->kind && x->id == e->id && x->value == e->value) {
        x->count += e->count;
        return;
      }
    }
  }
  if (b->len == b->cap) {
    b->cap *= 2;
    b->e = g_renew(CsEntry, b->e, b->cap);
  }
  b->e[b->len++] = *e;
}

void cs_batch_merge(CsBatch *into, const CsBatch *from)
{
  for (guint32 i = 0; i < from->len; i++)
    cs_batch_add(into, &from->e[i]);
}

/* --- nodes --------------------------------------------------------------------------- */

void cs_world_subnet_mode(CsWorld *w, guint32 subnet, CsSubnetMode mode)
{
  if (w->subnet_mode->len <= subnet)
    g_array_set_size(w->subnet_mode, subnet + 1);
  g_array_index(w->subnet_mode, guint8, subnet) = (guint8) mode;
  w->neigh_built = FALSE;
}

static CsSubnetMode subnet_mode(const CsWorld *w, guint32 subnet)
{
  return subnet < w->subnet_mode->len ? (CsSubnetMode) g_array_index(w->subnet_mode, guint8, subnet) : CS_SUBNET_NORMAL;
}

CsSubnetMode cs_world_subnet_mode_of(const CsWorld *w, guint32 subnet) { return subnet_mode(w, subnet); }

guint32 cs_world_infra_subnet(CsWorld *w, guint32 site, GError **error)
{
  if (w->infra_subnet->len <= site)
    g_array_set_size(w->infra_subnet, site + 1);
  guint32 *ref = &g_array_index(w->infra_subnet, guint32, site);
  if (*ref)
    return *ref - 1;
  /* 100.64.0.0/10: shared address space, unlikely to clash with a scenario's. */
  for (guint32 k = site; k < (1u << 14); k += 1) {
    guint32 base = 0x64400000u + (k << 8);
    GError *e = NULL;
    guint32 s = sim_subnet_add(w->sim, site, base, 24, 10e9, 50 * SIM_US, &e);
    if (s != SIM_NONE) {
      *ref = s + 1;
      return s;
    }
    g_assert(g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_OVERLAP)); /* the only failure */
    g_clear_error(&e);
  }
  g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_NO_INFRA_SUBNET, "no free infrastructure subnet for site %s", sim_site_name(w->sim, site));
  return SIM_NONE;
}

static void note_node(CsWorld *w, SimNodeId node, guint32 client)
{
  guint old = w->node_client->len;
  if (old <= node) {
    g_array_set_size(w->node_client, node + 1);
    for (guint i = old; i < node; i++)
      g_array_index(w->node_client, guint32, i) = CS_NONE;
  }
  g_array_index(w->node_client, guint32, node) = client;
}

void cs_world_note_node(CsWorld *w, SimNodeId node, const char *name)
{
  note_node(w, node, CS_NONE);
  g_hash_table_insert(w->names, GUINT_TO_POINTER(node), g_strdup(name));
}

SimNodeId cs_world_add_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                              const CsServerParams *params, GError **error)
{
  SimNodeId node = sim_node_add(w->sim, w->kind_server, subnet, addr, cs_world_server_count(w), error);
  if (node == SIM_NODE_NONE)
    return node;
  cs_server_append(w, node, name, params);
  note_node(w, node, CS_NONE);
  g_hash_table_insert(w->names, GUINT_TO_POINTER(node), g_strdup(name));
  sim_node_start_at(w->sim, node, 0);
  return node;
}

guint32 cs_world_add_clients(CsWorld *w, guint32 subnet, guint32 count, GError **error)
{
  guint32 first = w->clients.len;
  for (guint32 i = 0; i < count; i++) {
    guint32 idx = w->clients.len;
    SimNodeId node = sim_node_add(w->sim, w->kind_client, subnet, 0, idx, error);
    if (node == SIM_NODE_NONE)
      return CS_NONE;
    CsClient c;
    memset(&c, 0, sizeof c);
    c.node = node;
    c.neigh = CS_NONE;
    c.cur_peer[0] = c.cur_peer[1] = CS_NONE;
    c.failed_closest[0] = c.failed_closest[1] = CS_NONE;
    c.dl_action = CS_NONE;
    c.zone = CS_NONE;
    sim_vec_push(&w->clients, &c);
    note_node(w, node, idx);
    sim_node_start_at(w->sim, node, 0);
  }
  cs_servers_clients_added(w, first);
  w->neigh_built = FALSE;
  return first;
}

SimNodeId cs_world_add_zone_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                                   SimNodeId hub, GError **error)
{
  guint32 hub_index = cs_world_server_of_node(w, hub);
  if (hub_index == CS_NONE) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ROLE, "zone server %s: its hub must be a core server", name);
    return SIM_NODE_NONE;
  }
  SimNodeId node = sim_node_add(w->sim, w->kind_zone, subnet, addr, cs_world_zone_count(w), error);
  if (node == SIM_NODE_NONE)
    return node;
  cs_zone_append(w, node, name, hub_index);
  note_node(w, node, CS_NONE);
  g_hash_table_insert(w->names, GUINT_TO_POINTER(node), g_strdup(name));
  sim_node_start_at(w->sim, node, 0);
  return node;
}

guint32 cs_world_add_external_clients(CsWorld *w, guint32 subnet, guint32 count, SimNodeId zone_node,
                                      GError **error)
{
  if (sim_node_kind(w->sim, zone_node) != w->kind_zone) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ROLE, "external clients need a zone server");
    return CS_NONE;
  }
  cs_world_subnet_mode(w, subnet, CS_SUBNET_ISOLATED); /* roaming clients never peer */
  guint32 first = cs_world_add_clients(w, subnet, count, error);
  if (first == CS_NONE)
    return first;
  for (guint32 i = first; i < first + count; i++)
    cs_client_rec(w, i)->zone = sim_node_local(w->sim, zone_node);
  return first;
}

gboolean cs_client_is_external(const CsWorld *w, guint32 client) { return cs_client_rec(w, client)->zone != CS_NONE; }

SimNodeId cs_world_add_host(CsWorld *w, const char *name, guint32 subnet, guint32 addr, GError **error)
{
  SimNodeId node = sim_node_add(w->sim, w->kind_host, subnet, addr, 0, error);
  if (node == SIM_NODE_NONE)
    return node;
  note_node(w, node, CS_NONE);
  if (name)
    g_hash_table_insert(w->names, GUINT_TO_POINTER(node), g_strdup(name));
  sim_node_start_at(w->sim, node, 0);
  return node;
}

guint32 cs_world_client_count(const CsWorld *w) { return w->clients.len; }
SimNodeId cs_world_client_node(const CsWorld *w, guint32 c) { return cs_client_rec(w, c)->node; }

guint32 cs_world_node_client(const CsWorld *w, SimNodeId node)
{
  return node < w->node_client->len ? g_array_index(w->node_client, guint32, node) : CS_NONE;
}

guint32 cs_world_server_of_node(const CsWorld *w, SimNodeId node)
{
  return sim_node_kind(w->sim, node) == w->kind_server ? sim_node_local(w->sim, node) : CS_NONE;
}

const char *cs_world_node_name(const CsWorld *w, SimNodeId node)
{
  return g_hash_table_lookup(w->names, GUINT_TO_POINTER(node));
}

static void leave_cb(Sim *sim, gpointer data, guint64 arg) { cs_client_leave(data, (guint32) arg); }

void cs_world_leave(CsWorld *w, guint32 client, SimTime at)
{
  sim_call_at(w->sim, at, leave_cb, w, client);
}

/* --- neighbourhoods -------------------------------------------------------------------- */

/* Sorts n ids with cmp, stable (equal ids keep their order): GLib's
 * g_sort_array, or before GLib 2.82 (Debian 12 has 2.74) its forerunner
 * g_qsort_with_data, a stable merge sort too. */
static void sort_ids(guint32 *ids, guint n, GCompareDataFunc cmp, gpointer data)
{
#if GLIB_CHECK_VERSION(2, 82, 0)
  g_sort_array(ids, n, sizeof(guint32), cmp, data);
#else
  g_qsort_with_data(ids, (gint) n, sizeof(guint32), cmp, data);
#endif
}

static gint cmp_by_addr(gconstpointer a, gconstpointer b, gpointer data)
{
  CsWorld *w = data;
  guint32 x = sim_node_addr(w->sim, cs_client_rec(w, *(const guint32 *) a)->node);
  guint32 y = sim_node_addr(w->sim, cs_client_rec(w, *(const guint32 *) b)->node);
  return x < y ? -1 : x > y;
}

guint32 cs_neigh_peer(const CsWorld *w, const CsClient *c, int side, guint16 d)
{
  const CsNeigh *n = &g_array_index(w->neighs, CsNeigh, c->neigh);
  return n->members[side == CS_BACK ? c->npos - d : c->npos + d];
}

gboolean cs_neigh_distance(const CsWorld *w, const CsClient *c, int side, guint32 peer, guint16 *d)
{
  if (c->neigh == CS_NONE || peer >= w->clients.len)
    return FALSE;
  const CsClient *p = cs_client_rec(w, peer);
  if (p->neigh != c->neigh)
    return FALSE;
  gint64 diff = side == CS_BACK ? (gint64) c->npos - p->npos : (gint64) p->npos - c->npos;
  if (diff <= 0 || diff > G_MAXUINT16)
    return FALSE;
  *d = (guint16) diff;
  return TRUE;
}

/* A client's place before a rebuild. */
typedef struct {
  guint32 neigh, npos;
} NeighPlace;

/* The peer lists name peers by distance (cs_neigh_peer): before a rebuild
 * moves every position, note where each client with a list stood and keep
 * the old member lists; NULL when no client holds a list (the first build). */
static NeighPlace *lists_save(CsWorld *w, GArray **old)
{
  NeighPlace *at = NULL;
  for (guint32 i = 0; i < w->clients.len; i++) {
    const CsClient *c = cs_client_rec(w, i);
    if (c->ncand[CS_BACK] + c->ncand[CS_FWD] == 0)
      continue;
    if (!at)
      at = g_new0(NeighPlace, w->clients.len);
    at[i] = (NeighPlace) { c->neigh, c->npos };
  }
  *old = w->neighs;
  w->neighs = g_array_new(FALSE, TRUE, sizeof(CsNeigh));
  return at;
}

/* ... and after it, turn each list's old distances into the same peers' new
 * ones.  Adding clients keeps every neighbourhood's members together and in
 * order, so a peer is still on the same side, only farther; one that a
 * 16-bit distance can no longer name (65,536 clients added between them)
 * leaves the list. */
static void lists_move(CsWorld *w, NeighPlace *at, GArray *old)
{
  for (guint32 i = 0; at && i < w->clients.len; i++) {
    CsClient *c = cs_client_rec(w, i);
    for (int side = 0; side < 2; side++) {
      guint kept = 0;
      for (guint k = 0; k < c->ncand[side]; k++) {
        const CsNeigh *n = &g_array_index(old, CsNeigh, at[i].neigh);
        guint32 d = c->cand[side][k];
        guint32 peer = n->members[side == CS_BACK ? at[i].npos - d : at[i].npos + d];
        guint16 nd;
        if (cs_neigh_distance(w, c, side, peer, &nd))
          c->cand[side][kept++] = nd;
      }
      c->ncand[side] = (guint8) kept;
    }
  }
  g_free(at);
  neighs_free(old);
}

void cs_world_build_neighbourhoods(CsWorld *w)
{
  GArray *old;
  NeighPlace *at = lists_save(w, &old);
  GHashTable *index = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  guint32 mask = sim_prefix_mask(w->p.neighbourhood_prefix);
  for (guint32 i = 0; i < w->clients.len; i++) {
    CsClient *c = cs_client_rec(w, i);
    guint32 subnet = sim_node_subnet(w->sim, c->node);
    CsSubnetMode mode = subnet_mode(w, subnet);
    c->neigh = CS_NONE;
    if (mode == CS_SUBNET_ISOLATED)
      continue;
    /* Separated subnets are their own neighbourhood; others group by mask. */
    gint64 key = mode == CS_SUBNET_SEPARATED ? (G_GINT64_CONSTANT(1) << 40) | subnet
                                             : (gint64) (sim_node_addr(w->sim, c->node) & mask);
    gpointer found = g_hash_table_lookup(index, &key);
    guint32 n;
    if (found) {
      n = GPOINTER_TO_UINT(found) - 1;
    } else {
      CsNeigh nb = { 0 };
      g_array_append_val(w->neighs, nb);
      n = w->neighs->len - 1;
      g_hash_table_insert(index, g_memdup2(&key, sizeof key), GUINT_TO_POINTER(n + 1));
    }
    CsNeigh *nb = &g_array_index(w->neighs, CsNeigh, n);
    if (nb->n == nb->cap) {
      nb->cap = nb->cap ? nb->cap * 2 : 16;
      nb->members = g_renew(guint32, nb->members, nb->cap);
    }
    nb->members[nb->n++] = i;
    c->neigh = n;
  }
  g_hash_table_destroy(index);
  for (guint n = 0; n < w->neighs->len; n++) {
    CsNeigh *nb = &g_array_index(w->neighs, CsNeigh, n);
    sort_ids(nb->members, nb->n, cmp_by_addr, w);
    for (guint32 k = 0; k < nb->n; k++)
      cs_client_rec(w, nb->members[k])->npos = k;
  }
  lists_move(w, at, old);
  w->neigh_built = TRUE;
  w->neigh_builds++;
}

/* --- sensors --------------------------------------------------------------------------- */

#define NO_VALUE "[no value]"

gint32 cs_world_sensor_find(const CsWorld *w, const char *name)
{
  for (guint i = 0; i < w->sensors->len; i++)
    if (strcmp(((CsSensor *) g_ptr_array_index(w->sensors, i))->name, name) == 0)
      return (gint32) i;
  return -1;
}

guint32 cs_world_sensor_count(const CsWorld *w) { return w->sensors->len; }
const char *cs_world_sensor_name(const CsWorld *w, guint32 s) { return ((CsSensor *) g_ptr_array_index(w->sensors, s))->name; }

guint32 cs_world_sensor(CsWorld *w, const char *name)
{
  gint32 found = cs_world_sensor_find(w, name);
  if (found >= 0)
    return (guint32) found;
  CsSensor *s = g_new0(CsSensor, 1);
  s->name = g_strdup(name);
  s->values = g_ptr_array_new_with_free_func(g_free);
  s->index = g_hash_table_new(g_str_hash, g_str_equal);
  g_ptr_array_add(s->values, g_strdup(NO_VALUE));
  g_hash_table_insert(s->index, g_ptr_array_index(s->values, 0), GUINT_TO_POINTER(1));
  g_ptr_array_add(w->sensors, s);
  return w->sensors->len - 1;
}

guint32 cs_world_sensor_value_count(const CsWorld *w, guint32 sensor)
{
  return ((CsSensor *) g_ptr_array_index(w->sensors, sensor))->values->len - 1;
}

gboolean cs_world_sensor_set(CsWorld *w, guint32 sensor, guint32 client, const char *value)
{
  CsSensor *s = g_ptr_array_index(w->sensors, sensor);
  if (s->nclients <= client) {
    guint32 n = MAX(w->clients.len, client + 1);
    s->of_client = g_renew(guint16, s->of_client, n);
    memset(s->of_client + s->nclients, 0, sizeof(guint16) * (n - s->nclients));
    s->nclients = n;
  }
  gpointer id = g_hash_table_lookup(s->index, value);
  if (!id) {
    if (s->values->len >= CS_SENSOR_MAX_VALUES)
      return FALSE;
    g_ptr_array_add(s->values, g_strdup(value));
    id = GUINT_TO_POINTER(s->values->len);
    g_hash_table_insert(s->index, g_ptr_array_index(s->values, s->values->len - 1), id);
  }
  s->of_client[client] = (guint16) (GPOINTER_TO_UINT(id) - 1);
  return TRUE;
}

const char *cs_world_sensor_get(const CsWorld *w, guint32 sensor, guint32 client)
{
  CsSensor *s = g_ptr_array_index(w->sensors, sensor);
  guint16 v = client < s->nclients ? s->of_client[client] : 0;
  return g_ptr_array_index(s->values, v);
}

/* --- targets ---------------------------------------------------------------------------- */

/* Marks the targeted clients: one pass over the clients whatever the number
 * of targets (a site or subnet target marks its id, then each client checks
 * its own site and subnet).  Returns NULL when everyone is targeted. */
static guint8 *targets_bitmap(const CsWorld *w, const CsTarget *t, guint n, guint32 *count)
{
  guint32 nc = w->clients.len;
  gboolean all = n == 0;
  for (guint i = 0; i < n; i++)
    all |= t[i].kind == CS_TARGET_ALL;
  if (all) {
    *count = nc;
    return NULL;
  }
  guint8 *site_on = g_malloc0(MAX(sim_site_count(w->sim), 1));
  guint8 *subnet_on = g_malloc0(MAX(sim_subnet_count(w->sim), 1));
  guint8 *bits = g_malloc0(MAX(nc, 1));
  for (guint i = 0; i < n; i++) {
    if (t[i].kind == CS_TARGET_SITE && t[i].id < sim_site_count(w->sim))
      site_on[t[i].id] = 1;
    else if (t[i].kind == CS_TARGET_SUBNET && t[i].id < sim_subnet_count(w->sim))
      subnet_on[t[i].id] = 1;
    else if (t[i].kind == CS_TARGET_CLIENT && t[i].id < nc)
      bits[t[i].id] = 1;
  }
  *count = 0;
  for (guint32 c = 0; c < nc; c++) {
    guint32 subnet = sim_node_subnet(w->sim, cs_client_rec(w, c)->node);
    if (subnet_on[subnet] || site_on[sim_subnet_site(w->sim, subnet)])
      bits[c] = 1;
    *count += bits[c];
  }
  g_free(site_on);
  g_free(subnet_on);
  return bits;
}

static guint32 count_targets(const CsWorld *w, const CsTarget *t, guint n)
{
  guint32 count;
  g_free(targets_bitmap(w, t, n, &count));
  return count;
}

/* --- rollouts: what questions and actions share ------------------------------------------ */

static void rollout_init(CsRollout *r, SimTime at, const CsTarget *targets, guint ntargets)
{
  r->at = at;
  r->targets = g_memdup2(targets, sizeof(CsTarget) * ntargets);
  r->ntargets = ntargets;
  r->curve_t = g_array_new(FALSE, FALSE, sizeof(SimTime));
}

/* It starts now: its targets are the clients they cover now. */
static void rollout_start(CsWorld *w, CsRollout *r)
{
  r->live = TRUE;
  r->at = sim_now(w->sim);
  r->is_target = targets_bitmap(w, r->targets, r->ntargets, &r->ntarget_clients);
}

static guint32 rollout_target_count(const CsWorld *w, const CsRollout *r)
{
  return r->live ? r->ntarget_clients : count_targets(w, r->targets, r->ntargets);
}

static void rollout_clear(CsRollout *r)
{
  g_free(r->targets);
  g_free(r->is_target);
  g_array_free(r->curve_t, TRUE);
}

/* --- questions --------------------------------------------------------------------------- */

static void ask_cb(Sim *sim, gpointer data, guint64 q)
{
  CsWorld *w = data;
  CsQuestion *qq = &g_array_index(w->questions, CsQuestion, q);
  rollout_start(w, &qq->r);
  cs_server_push_question(w, (guint32) q);
}

gint32 cs_world_ask(CsWorld *w, SimTime at, guint32 sensor, CsQuestionMode mode,
                    const CsTarget *targets, guint ntargets, GError **error)
{
  if (w->questions->len >= CS_MAX_QUESTIONS) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_QUESTIONS, "at most %d questions per run", CS_MAX_QUESTIONS);
    return -1;
  }
  CsQuestion q;
  memset(&q, 0, sizeof q);
  q.sensor = sensor;
  q.mode = mode;
  rollout_init(&q.r, at, targets, ntargets);
  q.curve_n = g_array_new(FALSE, FALSE, sizeof(guint32));
  g_array_append_val(w->questions, q);
  guint32 id = w->questions->len - 1;
  sim_call_at(w->sim, at, ask_cb, w, id);
  return (gint32) id;
}

guint32 cs_world_question_count(const CsWorld *w) { return w->questions->len; }
static CsQuestion *qrec(const CsWorld *w, guint32 q) { return &g_array_index(w->questions, CsQuestion, q); }
SimTime cs_question_asked_at(const CsWorld *w, guint32 q) { return qrec(w, q)->r.at; }
guint32 cs_question_answered(const CsWorld *w, guint32 q) { return qrec(w, q)->answered; }
guint32 cs_question_sensor(const CsWorld *w, guint32 q) { return qrec(w, q)->sensor; }

guint32 cs_question_targets(const CsWorld *w, guint32 q)
{
  CsQuestion *qq = qrec(w, q);
  return rollout_target_count(w, &qq->r);
}

guint32 cs_question_answered_by(const CsWorld *w, guint32 q, SimTime within)
{
  CsQuestion *qq = qrec(w, q);
  guint32 n = 0;
  for (guint i = 0; i < qq->r.curve_t->len && g_array_index(qq->r.curve_t, SimTime, i) <= within; i++)
    n = g_array_index(qq->curve_n, guint32, i);
  return n;
}

static SimTime curve_time_to(GArray *ts, GArray *ns, guint32 targets, double fraction)
{
  if (targets == 0)
    return -1;
  guint64 want = (guint64) (fraction * targets + 0.999999);
  for (guint i = 0; i < ts->len; i++) {
    guint32 n = ns ? g_array_index(ns, guint32, i) : i + 1;
    if (n >= want)
      return g_array_index(ts, SimTime, i);
  }
  return -1;
}

SimTime cs_question_time_to(const CsWorld *w, guint32 q, double fraction)
{
  CsQuestion *qq = qrec(w, q);
  return curve_time_to(qq->r.curve_t, qq->curve_n, cs_question_targets(w, q), fraction);
}

static gint cmp_by_value(gconstpointer a, gconstpointer b, gpointer values)
{
  return strcmp(g_ptr_array_index((GPtrArray *) values, *(const guint32 *) a),
                g_ptr_array_index((GPtrArray *) values, *(const guint32 *) b));
}

void cs_question_result(const CsWorld *w, guint32 q, void (*fn)(const char *, guint64, gpointer), gpointer data)
{
  CsQuestion *qq = qrec(w, q);
  CsSensor *s = g_ptr_array_index(w->sensors, qq->sensor);
  /* Value order: sort the value ids by their strings. */
  guint n = MIN(qq->nvalues, s->values->len);
  guint32 *order = g_new(guint32, MAX(n, 1));
  guint k = 0;
  for (guint v = 0; v < n; v++)
    if (qq->counts[v])
      order[k++] = v;
  sort_ids(order, k, cmp_by_value, s->values);
  for (guint i = 0; i < k; i++)
    fn(g_ptr_array_index(s->values, order[i]), qq->counts[order[i]], data);
  g_free(order);
}

guint cs_question_curve(const CsWorld *w, guint32 q, const SimTime **times, const guint32 **counts)
{
  CsQuestion *qq = qrec(w, q);
  *times = (const SimTime *) qq->r.curve_t->data;
  *counts = (const guint32 *) qq->curve_n->data;
  return qq->r.curve_t->len;
}

/* --- actions ------------------------------------------------------------------------------- */

static CsAction *arec(const CsWorld *w, guint32 a) { return &g_array_index(w->actions, CsAction, a); }

static void deploy_cb(Sim *sim, gpointer data, guint64 a)
{
  CsWorld *w = data;
  CsAction *aa = &g_array_index(w->actions, CsAction, a);
  rollout_start(w, &aa->r);
  aa->complete_nbits = w->clients.len;
  aa->complete_seen = g_new0(guint8, MAX(cs_bits_bytes(aa->complete_nbits), 1));
  if (aa->file != CS_NONE) {
    /* This distribution's bytes are what the file's books gain from now. */
    const CsFile *f = cs_file_rec(w, aa->file);
    aa->base = f->bytes;
  }
  cs_server_push_action(w, (guint32) a);
}

gint32 cs_world_deploy(CsWorld *w, SimTime at, const CsPackage *pkg, const CsTarget *targets,
                       guint ntargets, GError **error)
{
  if (w->actions->len >= CS_MAX_ACTIONS) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ACTIONS, "at most %d actions per run", CS_MAX_ACTIONS);
    return -1;
  }
  CsAction a;
  memset(&a, 0, sizeof a);
  a.pkg = *pkg;
  a.dc_session = CS_NONE;
  a.file = cs_shards_file_for(w, pkg->name, pkg->size);
  a.pkg.name = NULL; /* the file keeps the name */
  rollout_init(&a.r, at, targets, ntargets);
  a.complete_t = g_array_new(FALSE, FALSE, sizeof(SimTime));
  g_array_append_val(w->actions, a);
  guint32 id = w->actions->len - 1;
  sim_call_at(w->sim, at, deploy_cb, w, id);
  return (gint32) id;
}

guint32 cs_world_action_count(const CsWorld *w) { return w->actions->len; }

void cs_world_cache_seed(CsWorld *w, guint32 client, guint32 action, guint32 first, guint32 count)
{
  CsAction *a = &g_array_index(w->actions, CsAction, action);
  g_return_if_fail(a->file != CS_NONE);
  CsShardData d = { 0 };
  const CsFile *f = cs_file_rec(w, a->file);
  d.set = cs_shard_set_new(a->file, f->nshards);
  for (guint32 i = first; i < first + count && i < f->nshards; i++)
    cs_bit_set(d.set->bits, i);
  cs_shards_on_data(w, cs_client_rec(w, client), &d);
  g_free(d.set);
}

guint64 cs_client_cache_bytes(const CsWorld *w, guint32 client) { return cs_client_rec(w, client)->cache_bytes; }

/* What an action's file moved since that action was deployed (zeros
 * without a file). */
static CsFileBytes action_bytes(const CsWorld *w, guint32 a)
{
  CsFileBytes d = { 0 };
  const CsAction *aa = arec(w, a);
  if (aa->file == CS_NONE)
    return d;
  const CsFileBytes *now = &cs_file_rec(w, aa->file)->bytes;
  d.server = now->server - aa->base.server;
  d.peers = now->peers - aa->base.peers;
  d.caches = now->caches - aa->base.caches;
  d.wan = now->wan - aa->base.wan;
  return d;
}

guint64 cs_action_bytes_from_server(const CsWorld *w, guint32 a) { return action_bytes(w, a).server; }
guint64 cs_action_bytes_from_peers(const CsWorld *w, guint32 a) { return action_bytes(w, a).peers; }
guint64 cs_action_bytes_from_caches(const CsWorld *w, guint32 a) { return action_bytes(w, a).caches; }
guint64 cs_action_wan_bytes(const CsWorld *w, guint32 a) { return action_bytes(w, a).wan; }

guint32 cs_action_completed(const CsWorld *w, guint32 a) { return arec(w, a)->completed; }
SimTime cs_action_deployed_at(const CsWorld *w, guint32 a) { return arec(w, a)->r.at; }
guint64 cs_action_size(const CsWorld *w, guint32 a) { return arec(w, a)->pkg.size; }

guint32 cs_action_targets(const CsWorld *w, guint32 a)
{
  CsAction *aa = arec(w, a);
  return rollout_target_count(w, &aa->r);
}

SimTime cs_action_time_to(const CsWorld *w, guint32 a, double fraction)
{
  CsAction *aa = arec(w, a);
  return curve_time_to(aa->r.curve_t, NULL, cs_action_targets(w, a), fraction);
}

SimTime cs_action_complete_time_to(const CsWorld *w, guint32 a, double fraction)
{
  CsAction *aa = arec(w, a);
  return curve_time_to(aa->complete_t, NULL, cs_action_targets(w, a), fraction);
}

guint32 cs_action_endpoints_complete(const CsWorld *w, guint32 a) { return arec(w, a)->complete_t->len; }

void cs_world_note_complete(CsWorld *w, guint32 client, guint32 a)
{
  CsAction *aa = arec(w, a);
  if (client >= aa->complete_nbits || cs_bit_get(aa->complete_seen, client))
    return;
  cs_bit_set(aa->complete_seen, client);
  SimTime t = sim_now(w->sim) - aa->r.at;
  g_array_append_val(aa->complete_t, t);
}

/* --- books ------------------------------------------------------------------------------------ */

void cs_world_take_batch(CsWorld *w, const CsBatch *b)
{
  SimTime now = sim_now(w->sim);
  for (guint32 i = 0; i < b->len; i++) {
    const CsEntry *e = &b->e[i];
    if (e->kind == CS_E_DONE)
      continue; /* a chain's completion mark: nothing to count */
    if (e->kind == CS_E_DC_FAILED) {
      cs_dc_failed(w, e->value, (CsDcReason) e->count); /* the status the endpoint reported */
      continue;
    }
    if (e->kind == CS_E_ACTION_DONE) {
      if (e->id >= w->actions->len)
        continue;
      CsAction *a = arec(w, e->id);
      for (guint32 k = 0; k < e->count; k++) {
        SimTime t = now - a->r.at;
        g_array_append_val(a->r.curve_t, t);
      }
      a->completed += e->count;
      continue;
    }
    if (e->id >= w->questions->len)
      continue;
    CsQuestion *q = qrec(w, e->id);
    guint32 add = e->kind == CS_E_COUNT ? e->count : 1;
    if (q->nvalues <= e->value) {
      guint32 n = e->value + 1;
      q->counts = g_renew(guint64, q->counts, n);
      memset(q->counts + q->nvalues, 0, sizeof(guint64) * (n - q->nvalues));
      q->nvalues = n;
    }
    q->counts[e->value] += add;
    q->answered += add;
    SimTime t = now - q->r.at;
    if (q->r.curve_t->len && g_array_index(q->r.curve_t, SimTime, q->r.curve_t->len - 1) == t) {
      g_array_index(q->curve_n, guint32, q->curve_n->len - 1) = q->answered;
    } else {
      g_array_append_val(q->r.curve_t, t);
      g_array_append_val(q->curve_n, q->answered);
    }
  }
}

const char *cs_msg_type_name(guint32 type)
{
  static const char *const names[] = {
    [CS_MSG_REG_REQ] = "registration", [CS_MSG_REG_RESP] = "registration_response",
    [CS_MSG_LEADER_HELLO] = "leader_hello", [CS_MSG_QUESTION] = "question", [CS_MSG_ACTION] = "action",
    [CS_MSG_ANSWER] = "answer", [CS_MSG_INTRO] = "introduction", [CS_MSG_SHARD_REQ] = "shard_request",
    [CS_MSG_SHARD_FETCH] = "shard_fetch", [CS_MSG_SHARDS] = "shards", [CS_MSG_HUB_HELLO] = "hub_hello",
    [CS_MSG_DC_OPEN] = "dc_open", [CS_MSG_DC_HELLO] = "dc_hello", [CS_MSG_DC_WORKLOAD] = "dc_workload",
    [CS_MSG_DC_RESULT] = "dc_result", [CS_MSG_MS_HELLO] = "ms_hello", [CS_MSG_MS_CTL_HELLO] = "ms_ctl_hello",
    [CS_MSG_DC_REFUSED] = "dc_refused", [CS_MSG_DB_WRITE] = "db_write", [CS_MSG_DB_DONE] = "db_done",
  };
  return type < G_N_ELEMENTS(names) && names[type] ? names[type] : "?";
}

/* --- observations -------------------------------------------------------------------------------- */

static gboolean chain_member(const CsWorld *w, const CsClient *c)
{
  return c->alive && cs_client_peers(w, c) && sim_node_is_up(w->sim, c->node);
}

guint32 cs_client_forward(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return chain_member(w, c) && c->cur_kind[CS_FWD] == CS_SIDE_PEER ? c->cur_peer[CS_FWD] : CS_NONE;
}

guint32 cs_client_backward(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return chain_member(w, c) && c->cur_kind[CS_BACK] == CS_SIDE_PEER ? c->cur_peer[CS_BACK] : CS_NONE;
}

guint cs_client_peer_list(const CsWorld *w, guint32 i, gboolean forward, guint32 *out, guint max)
{
  const CsClient *c = cs_client_rec(w, i);
  int side = forward ? CS_FWD : CS_BACK;
  guint n = MIN(c->ncand[side], max);
  for (guint k = 0; k < n; k++)
    out[k] = cs_neigh_peer(w, c, side, c->cand[side][k]);
  return n;
}

gboolean cs_client_is_forward_leader(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return c->alive && c->cur_kind[CS_FWD] == CS_SIDE_SERVER;
}

gboolean cs_client_is_backward_leader(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return c->alive && (c->cur_kind[CS_BACK] == CS_SIDE_SERVER || (!cs_client_peers(w, c) && c->cur_kind[CS_FWD] == CS_SIDE_SERVER));
}

gboolean cs_client_reflected_forward(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return cs_client_is_forward_leader(w, i) && c->reflected[CS_FWD];
}

gboolean cs_client_reflected_backward(const CsWorld *w, guint32 i)
{
  const CsClient *c = cs_client_rec(w, i);
  return c->alive && c->cur_kind[CS_BACK] == CS_SIDE_SERVER && c->reflected[CS_BACK];
}

guint32 cs_client_registrations(const CsWorld *w, guint32 i) { return cs_client_rec(w, i)->regs; }

static gint cmp_u32(gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

void cs_world_chains(const CsWorld *w, CsChainSummary *out)
{
  memset(out, 0, sizeof *out);
  guint32 n = w->clients.len;
  guint8 *has_in = g_new0(guint8, MAX(n, 1));
  guint8 *seen = g_new0(guint8, MAX(n, 1));
  for (guint32 i = 0; i < n; i++) {
    guint32 f = cs_client_forward(w, i);
    if (f != CS_NONE)
      has_in[f] = 1;
    out->forward_leaders += cs_client_is_forward_leader(w, i);
    out->backward_leaders += cs_client_is_backward_leader(w, i);
    out->reflections_forward += cs_client_reflected_forward(w, i);
    out->reflections_backward += cs_client_reflected_backward(w, i);
  }
  GArray *lens = g_array_new(FALSE, FALSE, sizeof(guint32));
  /* A chain starts at a member nobody points forward to, and follows the
   * forward links; members on a cycle (never in a settled chain) are skipped. */
  for (guint32 i = 0; i < n; i++) {
    if (has_in[i] || seen[i] || !chain_member(w, cs_client_rec(w, i)))
      continue;
    guint32 len = 0;
    for (guint32 at = i; at != CS_NONE && !seen[at]; at = cs_client_forward(w, at)) {
      seen[at] = 1;
      len++;
    }
    g_array_append_val(lens, len);
  }
  out->chains = lens->len;
  if (lens->len) {
    g_array_sort(lens, cmp_u32);
    out->len_min = g_array_index(lens, guint32, 0);
    out->len_max = g_array_index(lens, guint32, lens->len - 1);
    out->len_median = g_array_index(lens, guint32, lens->len / 2);
  }
  g_array_free(lens, TRUE);
  g_free(has_in);
  g_free(seen);
}

