/* model.c — the topology snapshot: what the topology figure and the Mermaid
 * and DOT exports show, read from the world in one pass.
 *
 * Sites hang in a tree over the WAN links, breadth first from the sites that
 * hold a core server (layer 0); siblings stay together, in creation order,
 * the DMZ first, except that sites with sites of their own hanging from them
 * come last (the figure then draws their children straight below them).  Links outside the tree are kept apart.  When there are more
 * sites than max_sites, branch sites without servers that share a parent,
 * a bandwidth and a latency fold into one group (and, if that is still too
 * many, all such siblings of one parent fold together, with ranges): at 10^6
 * endpoints in thousands of offices the picture stays a handful of boxes.
 *
 * Per subnet: agents, chains headed there (a member nobody points forward
 * to), leaders, reflections and clients down.  The roles of sites are read
 * from what they hold; zone servers, the module server and external clients
 * are not in world.h yet, so today a site is a DMZ or the internet by its
 * name — the one place to change when the models arrive. */
#include "viz-private.h"
#include <string.h>

typedef struct {
  guint32 nsubnets;
  GArray *subnets;   /* VizSubnet of this site */
  gboolean core;     /* holds a core server */
  gboolean servers;  /* holds any server */
  VizSiteRole role;
  gint layer;
  guint32 parent;    /* site */
  guint32 uplink;    /* WAN link to parent */
  guint32 group;
  gboolean parent_of; /* some site hangs from it */
} SiteInfo;

static int role_rank(VizSiteRole r)
{
  switch (r) {
  case VIZ_SITE_CORE: return 0;
  case VIZ_SITE_DMZ: return 1;
  case VIZ_SITE_BRANCH: return 2;
  default: return 3;
  }
}

static gboolean name_has(const char *name, const char *word)
{
  char *low = g_ascii_strdown(name, -1);
  gboolean r = strstr(low, word) != NULL;
  g_free(low);
  return r;
}

static char *make_id(guint32 index, const char *name)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "g%u_", index);
  for (const char *p = name; *p; p++)
    g_string_append_c(s, g_ascii_isalnum(*p) ? *p : '_');
  return g_string_free(s, FALSE);
}

guint32 viz_topo_add_server(VizTopo *t, VizServerKind kind, const char *name, guint32 group, guint32 hub)
{
  VizServer s = { kind, g_strdup(name), group, hub };
  g_array_append_val(t->servers, s);
  if (group < t->groups->len) {
    VizGroup *g = &g_array_index(t->groups, VizGroup, group);
    if (kind == VIZ_SRV_ZONE && g->role == VIZ_SITE_BRANCH)
      g->role = VIZ_SITE_DMZ;
  }
  return t->servers->len - 1;
}

guint32 viz_topo_group_of_site(const VizTopo *t, guint32 site)
{
  return site < t->sites ? t->site_group[site] : VIZ_NONE;
}

VizSubnet *viz_subnets_read(CsWorld *w, guint32 *server_count)
{
  Sim *sim = cs_world_sim(w);
  guint32 ns = sim_subnet_count(sim), nc = cs_world_client_count(w);
  VizSubnet *sub = g_new0(VizSubnet, MAX(ns, 1));
  for (guint32 s = 0; s < ns; s++) {
    sub[s].subnet = s;
    char a[16];
    g_snprintf(sub[s].cidr, sizeof sub[s].cidr, "%s/%u", sim_addr_format(sim_subnet_base(sim, s), a),
               sim_subnet_prefix(sim, s));
  }
  guint8 *has_in = g_new0(guint8, MAX(nc, 1));
  for (guint32 i = 0; i < nc; i++) {
    guint32 f = cs_client_forward(w, i);
    if (f != G_MAXUINT32 && f < nc)
      has_in[f] = 1;
  }
  for (guint32 i = 0; i < nc; i++) {
    SimNodeId node = cs_world_client_node(w, i);
    VizSubnet *v = &sub[sim_node_subnet(sim, node)];
    v->clients++;
    if (!sim_node_is_up(sim, node)) {
      v->down++;
      continue;
    }
    gboolean fl = cs_client_is_forward_leader(w, i), bl = cs_client_is_backward_leader(w, i);
    v->fl += fl;
    v->bl += bl;
    v->refl_f += cs_client_reflected_forward(w, i);
    v->refl_b += cs_client_reflected_backward(w, i);
    if (!has_in[i] && (cs_client_forward(w, i) != G_MAXUINT32 || fl || bl))
      v->chains++;
  }
  g_free(has_in);
  for (guint32 s = 0; s < ns; s++)
    sub[s].hosts = sim_subnet_host_count(sim, s) - sub[s].clients;
  for (guint32 k = 0; server_count && k < cs_world_server_count(w); k++)
    server_count[sim_node_subnet(sim, cs_world_server_node(w, k))]++;
  return sub;
}

static void group_add_site(VizGroup *g, const SiteInfo *si, Sim *sim)
{
  for (guint i = 0; i < si->subnets->len; i++) {
    const VizSubnet *v = &g_array_index(si->subnets, VizSubnet, i);
    g->clients += v->clients;
    g->chains += v->chains;
    g->bl += v->bl;
    g->fl += v->fl;
    g->refl_f += v->refl_f;
    g->refl_b += v->refl_b;
    g->down += v->down;
  }
  g->nsubnets += si->nsubnets;
  if (si->uplink != VIZ_NONE) {
    double bps = sim_link_bps(sim, si->uplink);
    SimTime lat = sim_link_latency(sim, si->uplink);
    if (g->nsites == 0 || bps < g->bps_min)
      g->bps_min = bps;
    if (g->nsites == 0 || bps > g->bps_max)
      g->bps_max = bps;
    if (g->nsites == 0 || lat < g->lat_min)
      g->lat_min = lat;
    if (g->nsites == 0 || lat > g->lat_max)
      g->lat_max = lat;
    g->links_down += !sim_link_is_up(sim, si->uplink);
  }
  g->nsites++;
}

typedef struct {
  guint32 site;
  guint32 parent_group;
  gboolean parent_of;  /* has sites hanging from it: drawn last in its row, above them */
  int rank;
} Order;

static gint cmp_order(gconstpointer a, gconstpointer b)
{
  const Order *x = a, *y = b;
  if (x->parent_group != y->parent_group)
    return x->parent_group < y->parent_group ? -1 : 1;
  if (x->parent_of != y->parent_of)
    return x->parent_of ? 1 : -1;
  if (x->rank != y->rank)
    return x->rank - y->rank;
  return x->site < y->site ? -1 : x->site > y->site;
}

/* Builds the groups of one layer from its sites (sorted), folding when asked:
 * fold 0 none, 1 by (parent, bandwidth, latency), 2 by parent. */
static void build_layer(VizTopo *t, Sim *sim, SiteInfo *si, const Order *ord, guint n, guint layer, int fold)
{
  GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  /* Count members per key first: a key with one member stays a plain site. */
  char **kv = g_new0(char *, MAX(n, 1));
  GHashTable *counts = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++) {
    SiteInfo *s = &si[ord[i].site];
    if (fold == 0 || s->role != VIZ_SITE_BRANCH || s->servers || s->uplink == VIZ_NONE)
      continue;
    if (fold == 1)
      kv[i] = g_strdup_printf("%u/%.17g/%" G_GINT64_FORMAT, ord[i].parent_group, sim_link_bps(sim, s->uplink),
                              sim_link_latency(sim, s->uplink));
    else
      kv[i] = g_strdup_printf("%u", ord[i].parent_group);
    guint c = GPOINTER_TO_UINT(g_hash_table_lookup(counts, kv[i]));
    g_hash_table_insert(counts, kv[i], GUINT_TO_POINTER(c + 1));
  }
  GArray *last_name = g_array_new(FALSE, FALSE, sizeof(guint32)); /* per group: last member site */
  GArray *second = g_array_new(FALSE, FALSE, sizeof(guint32));    /* per group: second member site */
  for (guint i = 0; i < n; i++) {
    guint32 site = ord[i].site;
    SiteInfo *s = &si[site];
    gboolean fold_it = kv[i] && GPOINTER_TO_UINT(g_hash_table_lookup(counts, kv[i])) > 1;
    guint32 gi;
    gpointer found = fold_it ? g_hash_table_lookup(keys, kv[i]) : NULL;
    if (found) {
      gi = GPOINTER_TO_UINT(found) - 1;
    } else {
      VizGroup g;
      memset(&g, 0, sizeof g);
      g.role = s->role;
      g.site = site;
      g.parent = ord[i].parent_group;
      g.layer = layer;
      g.subnets = g_array_new(FALSE, FALSE, sizeof(VizSubnet));
      g_array_append_val(t->groups, g);
      gi = t->groups->len - 1;
      if (fold_it)
        g_hash_table_insert(keys, g_strdup(kv[i]), GUINT_TO_POINTER(gi + 1));
    }
    VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    group_add_site(g, s, sim);
    if (!fold_it)
      g_array_append_vals(g->subnets, s->subnets->data, s->subnets->len);
    if (last_name->len <= gi) {
      g_array_set_size(last_name, gi + 1);
      g_array_set_size(second, gi + 1);
    }
    g_array_index(last_name, guint32, gi) = site;
    if (g->nsites == 2)
      g_array_index(second, guint32, gi) = site;
    s->group = gi;
  }
  /* Names once the members are known. */
  for (guint gi = 0; gi < t->groups->len; gi++) {
    VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    if (g->layer != layer || g->name)
      continue;
    if (g->nsites == 1) {
      g->name = g_strdup(sim_site_name(sim, g->site));
    } else {
      char *count = viz_fmt_count(g->nsites);
      g->name = g_strdup_printf("%s sites", count);
      g_free(count);
      /* First … last when the members were created one after another;
       * else the second one too, so nobody reads a range that is not. */
      guint32 s2 = g_array_index(second, guint32, gi), last = g_array_index(last_name, guint32, gi);
      if (last - g->site + 1 == g->nsites || g->nsites == 2)
        g->detail = g_strdup_printf("%s … %s", sim_site_name(sim, g->site), sim_site_name(sim, last));
      else
        g->detail = g_strdup_printf("%s, %s, … %s", sim_site_name(sim, g->site), sim_site_name(sim, s2),
                                    sim_site_name(sim, last));
    }
    g->id = make_id(gi, g->nsites == 1 ? g->name : sim_site_name(sim, g->site));
  }
  g_array_free(last_name, TRUE);
  g_array_free(second, TRUE);
  g_hash_table_destroy(counts);
  for (guint i = 0; i < n; i++)
    g_free(kv[i]);
  g_free(kv);
  g_hash_table_destroy(keys);
}

static void build_groups(VizTopo *t, Sim *sim, SiteInfo *si, guint32 nsites, gint max_layer, int fold)
{
  for (gint layer = 0; layer <= max_layer; layer++) {
    GArray *ord = g_array_new(FALSE, FALSE, sizeof(Order));
    for (guint32 s = 0; s < nsites; s++) {
      if (si[s].layer != layer)
        continue;
      Order o = { s, si[s].parent == VIZ_NONE ? VIZ_NONE : si[si[s].parent].group, si[s].parent_of,
                  role_rank(si[s].role) };
      g_array_append_val(ord, o);
    }
    g_array_sort(ord, cmp_order);
    build_layer(t, sim, si, (const Order *) ord->data, ord->len, (guint) layer, layer == 0 ? 0 : fold);
    g_array_free(ord, TRUE);
  }
}

static void topo_clear_groups(VizTopo *t)
{
  for (guint i = 0; i < t->groups->len; i++) {
    VizGroup *g = &g_array_index(t->groups, VizGroup, i);
    g_free(g->name);
    g_free(g->detail);
    g_free(g->id);
    g_array_free(g->subnets, TRUE);
  }
  g_array_set_size(t->groups, 0);
}

VizTopo *viz_topo_new(CsWorld *w, guint max_sites)
{
  if (max_sites == 0)
    max_sites = 24;
  Sim *sim = cs_world_sim(w);
  VizTopo *t = g_new0(VizTopo, 1);
  t->groups = g_array_new(FALSE, FALSE, sizeof(VizGroup));
  t->servers = g_array_new(FALSE, FALSE, sizeof(VizServer));
  t->links = g_array_new(FALSE, FALSE, sizeof(VizLink));
  t->clients = cs_world_client_count(w);
  t->now = sim_now(sim);
  guint32 nsites = sim_site_count(sim), nsub = sim_subnet_count(sim);
  t->sites = nsites;

  guint32 *srv_in_subnet = g_new0(guint32, MAX(nsub, 1));
  VizSubnet *sub = viz_subnets_read(w, srv_in_subnet);
  SiteInfo *si = g_new0(SiteInfo, MAX(nsites, 1));
  for (guint32 s = 0; s < nsites; s++) {
    si[s].subnets = g_array_new(FALSE, FALSE, sizeof(VizSubnet));
    si[s].layer = -1;
    si[s].parent = si[s].uplink = si[s].group = VIZ_NONE;
  }
  for (guint32 k = 0; k < nsub; k++) {
    SiteInfo *s = &si[sim_subnet_site(sim, k)];
    /* Server subnets are drawn as their servers; plain hosts next to a
     * server are not worth a box of their own. */
    if (srv_in_subnet[k] || (sub[k].clients == 0 && sub[k].hosts == 0))
      continue;
    g_array_append_val(s->subnets, sub[k]);
    s->nsubnets++;
  }
  for (guint32 k = 0; k < cs_world_server_count(w); k++) {
    guint32 site = sim_node_site(sim, cs_world_server_node(w, k));
    si[site].core = si[site].servers = TRUE;
  }
  for (guint32 s = 0; s < nsites; s++) {
    const char *name = sim_site_name(sim, s);
    si[s].role = si[s].core ? VIZ_SITE_CORE
               : name_has(name, "dmz") ? VIZ_SITE_DMZ
               : name_has(name, "internet") ? VIZ_SITE_INTERNET
               : VIZ_SITE_BRANCH;
  }

  /* WAN adjacency in link order, then breadth first from the core sites. */
  GPtrArray *adj = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
  for (guint32 s = 0; s < nsites; s++)
    g_ptr_array_add(adj, g_array_new(FALSE, FALSE, sizeof(guint32)));
  guint32 nlinks = sim_link_count(sim);
  for (guint32 l = 0; l < nlinks; l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN)
      continue;
    g_array_append_val(g_ptr_array_index(adj, sim_link_site_a(sim, l)), l);
    g_array_append_val(g_ptr_array_index(adj, sim_link_site_b(sim, l)), l);
  }
  guint32 *queue = g_new(guint32, MAX(nsites, 1));
  guint qh = 0, qt = 0;
  gint max_layer = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (guint32 s0 = 0; s0 < nsites; s0++) {
      /* Pass 0 roots the core sites; pass 1 whatever the WAN does not reach. */
      if (si[s0].layer >= 0 || (pass == 0 && !si[s0].core))
        continue;
      si[s0].layer = 0;
      queue[qt++] = s0;
      while (qh < qt) {
        guint32 s = queue[qh++];
        GArray *a = g_ptr_array_index(adj, s);
        for (guint i = 0; i < a->len; i++) {
          guint32 l = g_array_index(a, guint32, i);
          guint32 o = sim_link_site_a(sim, l) == s ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l);
          if (si[o].layer >= 0)
            continue;
          si[o].layer = si[s].layer + 1;
          si[o].parent = s;
          si[o].uplink = l;
          max_layer = MAX(max_layer, si[o].layer);
          queue[qt++] = o;
        }
      }
    }
  }
  g_free(queue);
  for (guint32 s = 0; s < nsites; s++)
    if (si[s].parent != VIZ_NONE)
      si[si[s].parent].parent_of = TRUE;

  build_groups(t, sim, si, nsites, max_layer, 0);
  if (t->groups->len > max_sites) {
    topo_clear_groups(t);
    build_groups(t, sim, si, nsites, max_layer, 1);
  }
  if (t->groups->len > max_sites) {
    topo_clear_groups(t);
    build_groups(t, sim, si, nsites, max_layer, 2);
  }
  t->folded = 0;
  for (guint i = 0; i < t->groups->len; i++) {
    VizGroup *g = &g_array_index(t->groups, VizGroup, i);
    t->folded += g->nsites > 1 ? g->nsites : 0;
  }

  /* Servers in world order. */
  for (guint32 k = 0; k < cs_world_server_count(w); k++) {
    SimNodeId node = cs_world_server_node(w, k);
    const char *name = cs_world_node_name(w, node);
    viz_topo_add_server(t, VIZ_SRV_CORE, name ? name : "server", si[sim_node_site(sim, node)].group, VIZ_NONE);
  }

  /* Links outside the tree, folded per pair of groups. */
  for (guint32 l = 0; l < nlinks; l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN)
      continue;
    guint32 a = sim_link_site_a(sim, l), b = sim_link_site_b(sim, l);
    if (si[a].uplink == l || si[b].uplink == l)
      continue;
    guint32 ga = MIN(si[a].group, si[b].group), gb = MAX(si[a].group, si[b].group);
    if (ga == gb)
      continue;
    gboolean merged = FALSE;
    for (guint i = 0; i < t->links->len && !merged; i++) {
      VizLink *k = &g_array_index(t->links, VizLink, i);
      if (k->a == ga && k->b == gb) {
        k->count++;
        k->up = k->up && sim_link_is_up(sim, l);
        merged = TRUE;
      }
    }
    if (!merged) {
      VizLink k = { ga, gb, sim_link_bps(sim, l), sim_link_latency(sim, l), sim_link_is_up(sim, l), 1 };
      g_array_append_val(t->links, k);
    }
  }

  t->site_group = g_new(guint32, MAX(nsites, 1));
  for (guint32 s = 0; s < nsites; s++) {
    t->site_group[s] = si[s].group;
    g_array_free(si[s].subnets, TRUE);
  }
  g_ptr_array_unref(adj);
  g_free(si);
  g_free(sub);
  g_free(srv_in_subnet);
  return t;
}

void viz_topo_free(VizTopo *t)
{
  if (!t)
    return;
  topo_clear_groups(t);
  g_array_free(t->groups, TRUE);
  for (guint i = 0; i < t->servers->len; i++)
    g_free(g_array_index(t->servers, VizServer, i).name);
  g_array_free(t->servers, TRUE);
  g_array_free(t->links, TRUE);
  g_free(t->site_group);
  g_free(t);
}
