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
 * Per subnet: agents (external ones apart), chains headed there (a member
 * nobody points forward to; isolated subnets head none), leaders,
 * reflections and clients down.  The roles of sites are read from what they
 * hold: a core server makes the core site, a zone server a DMZ, external
 * clients the internet.  world.h does not say which core server's hub keeps
 * a zone server's tunnel, which core server a module server talks to, nor
 * which zone server an external client uses: the snapshot takes the one
 * nearest over the WAN (fewest hops; on a tie the first created) — exact
 * with one core server and one zone server, the usual shape. */
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

static char *make_id(guint32 index, const char *name)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "g%u_", index);
  for (const char *p = name; *p; p++)
    g_string_append_c(s, g_ascii_isalnum(*p) ? *p : '_');
  return g_string_free(s, FALSE);
}

static guint32 topo_add_server(VizTopo *t, VizServerKind kind, const char *name, guint32 group, guint32 hub,
                               guint32 zone, gboolean up)
{
  VizServer s = { kind, g_strdup(name), group, hub, zone, up };
  g_array_append_val(t->servers, s);
  return t->servers->len - 1;
}

guint32 viz_topo_server(const VizTopo *t, VizServerKind kind, guint32 zone)
{
  for (guint i = 0; i < t->servers->len; i++) {
    const VizServer *v = &g_array_index(t->servers, VizServer, i);
    if (v->kind == kind && (zone == VIZ_NONE || v->zone == zone))
      return i;
  }
  return VIZ_NONE;
}

gboolean viz_topo_has_dc(const VizTopo *t)
{
  return viz_topo_server(t, VIZ_SRV_MODULE, VIZ_NONE) != VIZ_NONE;
}

/* WAN links per site, in link order (g_ptr_array_unref the result). */
static GPtrArray *wan_adjacency(Sim *sim)
{
  guint32 nsites = sim_site_count(sim);
  GPtrArray *adj = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
  for (guint32 s = 0; s < nsites; s++)
    g_ptr_array_add(adj, g_array_new(FALSE, FALSE, sizeof(guint32)));
  for (guint32 l = 0; l < sim_link_count(sim); l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN)
      continue;
    g_array_append_val(g_ptr_array_index(adj, sim_link_site_a(sim, l)), l);
    g_array_append_val(g_ptr_array_index(adj, sim_link_site_b(sim, l)), l);
  }
  return adj;
}

/* Breadth first over the WAN from the sites queue[qh, qt): each WAN link of
 * a dequeued site s, in link order, offers its far site o to reach(s, o,
 * link, data), which returns TRUE when it takes o (o is then queued).
 * queue holds every site; returns the new tail. */
typedef gboolean (*VizReach)(guint32 s, guint32 o, guint32 link, gpointer data);
static guint wan_bfs(Sim *sim, GPtrArray *adj, guint32 *queue, guint qh, guint qt, VizReach reach,
                     gpointer data)
{
  while (qh < qt) {
    guint32 s = queue[qh++];
    GArray *a = g_ptr_array_index(adj, s);
    for (guint i = 0; i < a->len; i++) {
      guint32 l = g_array_index(a, guint32, i);
      guint32 o = sim_link_site_a(sim, l) == s ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l);
      if (reach(s, o, l, data))
        queue[qt++] = o;
    }
  }
  return qt;
}

static gboolean reach_nearest(guint32 s, guint32 o, guint32 link, gpointer data)
{
  guint32 *near = data;
  if (near[o] != VIZ_NONE)
    return FALSE;
  near[o] = near[s];
  return TRUE;
}

/* Per site: the value of the nearest source site over the WAN (fewest hops;
 * on a tie the smallest value), VIZ_NONE where no source is reachable.
 * source[s] is a site's own value or VIZ_NONE.  One breadth-first pass from
 * all sources at once, sources queued by value.  g_free the result. */
static guint32 *nearest_source(Sim *sim, GPtrArray *adj, const guint32 *source)
{
  guint32 nsites = sim_site_count(sim);
  guint32 *near = g_new(guint32, MAX(nsites, 1)), *queue = g_new(guint32, MAX(nsites, 1));
  guint qt = 0;
  for (guint32 s = 0; s < nsites; s++) {
    near[s] = source[s];
    if (source[s] != VIZ_NONE)
      queue[qt++] = s;
  }
  for (guint i = 1; i < qt; i++) /* insertion sort by value: few sources */
    for (guint j = i; j > 0 && source[queue[j - 1]] > source[queue[j]]; j--) {
      guint32 x = queue[j];
      queue[j] = queue[j - 1];
      queue[j - 1] = x;
    }
  wan_bfs(sim, adj, queue, 0, qt, reach_nearest, near);
  g_free(queue);
  return near;
}

/* Layering: o one below s in the tree, reached over link. */
static gboolean reach_layer(guint32 s, guint32 o, guint32 link, gpointer data)
{
  SiteInfo *si = data;
  if (si[o].layer >= 0)
    return FALSE;
  si[o].layer = si[s].layer + 1;
  si[o].parent = s;
  si[o].uplink = link;
  return TRUE;
}

/* Per site: the nearest zone (world zone index) and the nearest core
 * server (world server index). */
static void nearest_servers(CsWorld *w, GPtrArray *adj, guint32 **zone, guint32 **core)
{
  Sim *sim = cs_world_sim(w);
  guint32 nsites = sim_site_count(sim);
  guint32 *src = g_new(guint32, MAX(nsites, 1));
  for (guint32 s = 0; s < nsites; s++)
    src[s] = VIZ_NONE;
  for (guint32 z = cs_world_zone_count(w); z-- > 0;)
    src[sim_node_site(sim, cs_world_zone_node(w, z))] = z;
  *zone = nearest_source(sim, adj, src);
  for (guint32 s = 0; s < nsites; s++)
    src[s] = VIZ_NONE;
  for (guint32 k = cs_world_server_count(w); k-- > 0;)
    src[sim_node_site(sim, cs_world_server_node(w, k))] = k;
  *core = nearest_source(sim, adj, src);
  g_free(src);
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
    sub[s].mode = cs_world_subnet_mode_of(w, s);
    sub[s].zone = VIZ_NONE;
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
    if (cs_client_is_external(w, i)) {
      /* Each its own leader at its zone server: counted apart. */
      v->external++;
      v->down += !sim_node_is_up(sim, node);
      continue;
    }
    if (!sim_node_is_up(sim, node)) {
      v->down++;
      continue;
    }
    gboolean fl = cs_client_is_forward_leader(w, i), bl = cs_client_is_backward_leader(w, i);
    v->fl += fl;
    v->bl += bl;
    v->blfl += fl && bl;
    if (bl && !v->bl_addr)
      v->bl_addr = sim_node_addr(sim, node);
    if (fl && !v->fl_addr)
      v->fl_addr = sim_node_addr(sim, node);
    v->refl_f += cs_client_reflected_forward(w, i);
    v->refl_b += cs_client_reflected_backward(w, i);
    if (v->mode != CS_SUBNET_ISOLATED && !has_in[i] && (cs_client_forward(w, i) != G_MAXUINT32 || fl || bl))
      v->chains++;
    if (!fl && !bl && cs_client_forward(w, i) == G_MAXUINT32 && cs_client_backward(w, i) == G_MAXUINT32)
      v->unchained++;
  }
  g_free(has_in);
  gboolean any_external = FALSE;
  for (guint32 s = 0; s < ns; s++) {
    sub[s].hosts = sim_subnet_host_count(sim, s) - sub[s].clients;
    any_external = any_external || sub[s].external;
  }
  if (any_external && cs_world_zone_count(w)) {
    GPtrArray *adj = wan_adjacency(sim);
    guint32 *zone, *core;
    nearest_servers(w, adj, &zone, &core);
    for (guint32 s = 0; s < ns; s++)
      if (sub[s].external)
        sub[s].zone = zone[sim_subnet_site(sim, s)];
    g_free(zone);
    g_free(core);
    g_ptr_array_unref(adj);
  }
  if (server_count) {
    for (guint32 k = 0; k < cs_world_server_count(w); k++)
      server_count[sim_node_subnet(sim, cs_world_server_node(w, k))]++;
    for (guint32 z = 0; z < cs_world_zone_count(w); z++)
      server_count[sim_node_subnet(sim, cs_world_zone_node(w, z))]++;
    for (guint32 m = 0; m < cs_world_module_count(w); m++)
      server_count[sim_node_subnet(sim, cs_world_module_node(w, m))]++;
  }
  return sub;
}

static void group_add_site(VizGroup *g, const SiteInfo *si, Sim *sim)
{
  for (guint i = 0; i < si->subnets->len; i++) {
    const VizSubnet *v = &g_array_index(si->subnets, VizSubnet, i);
    g->clients += v->clients - v->external;
    g->ext_clients += v->external;
    g->chains += v->chains;
    g->bl += v->bl;
    g->fl += v->fl;
    g->refl_f += v->refl_f;
    g->refl_b += v->refl_b;
    g->down += v->down;
    g->blfl += v->blfl;
    g->unchained += v->unchained;
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
  /* Roles from what a site holds: a core server, a zone server, external
   * clients (and no server). */
  gboolean *zone_site = g_new0(gboolean, MAX(nsites, 1));
  guint64 *ext = g_new0(guint64, MAX(nsites, 1));
  for (guint32 k = 0; k < cs_world_server_count(w); k++) {
    guint32 site = sim_node_site(sim, cs_world_server_node(w, k));
    si[site].core = si[site].servers = TRUE;
  }
  for (guint32 z = 0; z < cs_world_zone_count(w); z++) {
    guint32 site = sim_node_site(sim, cs_world_zone_node(w, z));
    zone_site[site] = si[site].servers = TRUE;
  }
  for (guint32 m = 0; m < cs_world_module_count(w); m++)
    si[sim_node_site(sim, cs_world_module_node(w, m))].servers = TRUE;
  for (guint32 k = 0; k < nsub; k++)
    ext[sim_subnet_site(sim, k)] += sub[k].external;
  for (guint32 s = 0; s < nsites; s++)
    si[s].role = si[s].core ? VIZ_SITE_CORE
               : zone_site[s] ? VIZ_SITE_DMZ
               : ext[s] && !si[s].servers ? VIZ_SITE_INTERNET
               : VIZ_SITE_BRANCH;
  g_free(zone_site);
  g_free(ext);

  /* WAN adjacency in link order, then breadth first from the core sites. */
  GPtrArray *adj = wan_adjacency(sim);
  guint32 nlinks = sim_link_count(sim);
  guint32 *queue = g_new(guint32, MAX(nsites, 1));
  guint qt = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (guint32 s0 = 0; s0 < nsites; s0++) {
      /* Pass 0 roots the core sites; pass 1 whatever the WAN does not reach. */
      if (si[s0].layer >= 0 || (pass == 0 && !si[s0].core))
        continue;
      si[s0].layer = 0;
      queue[qt] = s0;
      qt = wan_bfs(sim, adj, queue, qt, qt + 1, reach_layer, si);
    }
  }
  g_free(queue);
  gint max_layer = 0;
  for (guint32 s = 0; s < nsites; s++) {
    max_layer = MAX(max_layer, si[s].layer);
    if (si[s].parent != VIZ_NONE)
      si[si[s].parent].parent_of = TRUE;
  }

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

  /* Servers: core servers in world order (server index = world index),
   * module servers, zone servers. */
  guint32 *near_zone, *near_core;
  nearest_servers(w, adj, &near_zone, &near_core);
  for (guint32 k = 0; k < cs_world_server_count(w); k++) {
    SimNodeId node = cs_world_server_node(w, k);
    const char *name = cs_world_node_name(w, node);
    topo_add_server(t, VIZ_SRV_CORE, name ? name : "server", si[sim_node_site(sim, node)].group, VIZ_NONE, VIZ_NONE,
                    TRUE);
  }
  for (guint32 m = 0; m < cs_world_module_count(w); m++) {
    SimNodeId node = cs_world_module_node(w, m);
    const char *name = cs_world_node_name(w, node);
    guint32 site = sim_node_site(sim, node);
    topo_add_server(t, VIZ_SRV_MODULE, name ? name : "module server", si[site].group, near_core[site], VIZ_NONE, TRUE);
  }
  for (guint32 z = 0; z < cs_world_zone_count(w); z++) {
    SimNodeId node = cs_world_zone_node(w, z);
    const char *name = cs_world_node_name(w, node);
    guint32 site = sim_node_site(sim, node);
    topo_add_server(t, VIZ_SRV_ZONE, name ? name : "zone server", si[site].group, near_core[site], z,
                    cs_zone_tunnel_up(w, z));
  }
  g_free(near_zone);
  g_free(near_core);

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
