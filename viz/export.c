/* export.c — the topology snapshot as text: a Mermaid flowchart in the
 * reference architecture's shape and a Graphviz digraph of the same scene.
 *
 * The reference draws an internal trusted network holding the core server
 * cluster (the Tanium Server process and the Zone Server Hub process on a
 * local loopback), the database (SQL TCP 1433) and the module server (HTTPS
 * TCP 443); a DMZ holding the zone server, whose tunnel the hub opens (Tunnel
 * Init, TCP 17472); a LAN subnet whose chain runs backward leader → peers →
 * forward leader (TCP 17472), questions pushed to the backward leader,
 * aggregated answers back from the forward leader, failover / registration
 * from the backward leader; the internet, whose external clients keep one
 * multiplexed connection to the zone server (telemetry + Direct Connect, TCP
 * 17472); and Direct Connect to a peer.  Both exports build that scene from
 * the snapshot: one subgraph per site (role in the title), the cluster inside
 * the core site, one subgraph per LAN subnet with three nodes (backward
 * leaders, peer clients, forward leaders) whatever its size, one node per
 * subnet of external clients.  Direct Connect: endpoints reach the module
 * server on TCP 17475 (one edge per site, to its first subnet), external
 * ones the zone proxy on TCP 17486, which the module server reaches on TCP
 * 17487.  A tunnel that is down is a dashed edge marked DOWN.
 *
 * Size: the snapshot folds alike branch sites (model.c), a site lists at
 * most MAX_SUBNETS subnets, and only the first DETAIL_SUBNETS subnets get
 * the three-node chain (the rest one node with one leader edge), so the
 * Mermaid text stays under Mermaid's default limit of 500 edges at any
 * number of endpoints.  Identifiers are generated (g<index>_<name>,
 * srv<index>), labels are quoted and escaped for each language. */
#include "viz-private.h"
#include <string.h>

#define MAX_SUBNETS 8
#define DETAIL_SUBNETS 32

/* --- the scene ---------------------------------------------------------------------- */

typedef enum { N_SERVER, N_PROCESS, N_SUBCOMPONENT, N_DB, N_ZONE, N_CLIENT, N_NOTE } NodeKind;
typedef enum { SG_SITE, SG_CLUSTER, SG_SUBNET } GraphKind;
typedef enum {
  SEC_SERVERS, SEC_WAN, SEC_CHAINS, SEC_ZONE, SEC_DC, SEC_COUNT,
} Section;

static const char *const section_names[SEC_COUNT] = {
  "servers", "WAN links", "chains: questions pushed to backward leaders, aggregated answers from forward leaders",
  "zone servers: the hub's tunnel, external clients", "Direct Connect",
};

typedef enum {
  E_LOOPBACK,   /* a -- "label" --> b, inside the cluster */
  E_BOTH,       /* a <-->|label| b */
  E_FLOW,       /* a -- "label" --> b */
  E_CHAIN,      /* a -->|label| b */
  E_DASHED,     /* a -.->|label| b */
  E_DASHED_UNDIRECTED, /* a -.-|label| b */
  E_THICK_BOTH, /* a <==>|label| b */
  E_WAN,        /* sites: a <-->|label| b; DOT draws parent → child between clusters */
  E_WAN_OTHER,  /* sites, outside the tree: a -.-|label| b */
  E_TUNNEL,     /* a -- "label" --> b (up) */
  E_TUNNEL_DOWN,/* a -.->|label| b */
} EdgeKind;

typedef struct {
  char *id, *label;
  NodeKind kind;
  gint parent;  /* subgraph, -1 at the top */
} SNode;

typedef struct {
  char *id, *title;
  GraphKind kind;
  VizSiteRole role;
  gint parent;
} SGraph;

typedef struct {
  char *a, *b, *label;
  EdgeKind kind;
  Section sec;
  gboolean down;   /* WAN link down */
  gboolean up;     /* a sits below b (a client to its server): DOT draws b → a
                    * with the arrow turned back, so ranks run top down */
} SEdge;

typedef struct {
  gboolean graph;  /* a subgraph, else a node */
  guint index;
} SItem;

typedef struct {
  const VizTopo *t;
  GArray *nodes;   /* SNode */
  GArray *graphs;  /* SGraph */
  GArray *edges;   /* SEdge */
  GArray *items;   /* SItem: nodes and subgraphs in creation order */
} Scene;

static void scene_node(Scene *sc, gint parent, NodeKind kind, char *id, char *label)
{
  SNode n = { id, label, kind, parent };
  g_array_append_val(sc->nodes, n);
  SItem it = { FALSE, sc->nodes->len - 1 };
  g_array_append_val(sc->items, it);
}

static gint scene_graph(Scene *sc, gint parent, GraphKind kind, VizSiteRole role, char *id, char *title)
{
  SGraph g = { id, title, kind, role, parent };
  g_array_append_val(sc->graphs, g);
  SItem it = { TRUE, sc->graphs->len - 1 };
  g_array_append_val(sc->items, it);
  return (gint) sc->graphs->len - 1;
}

static void scene_edge(Scene *sc, Section sec, EdgeKind kind, const char *a, const char *b, char *label)
{
  SEdge e = { g_strdup(a), g_strdup(b), label, kind, sec, FALSE, FALSE };
  g_array_append_val(sc->edges, e);
}

/* The same, from below (a client towards its server). */
static void scene_edge_up(Scene *sc, Section sec, EdgeKind kind, const char *a, const char *b, char *label)
{
  scene_edge(sc, sec, kind, a, b, label);
  g_array_index(sc->edges, SEdge, sc->edges->len - 1).up = TRUE;
}

static void scene_free(Scene *sc)
{
  for (guint i = 0; i < sc->nodes->len; i++) {
    g_free(g_array_index(sc->nodes, SNode, i).id);
    g_free(g_array_index(sc->nodes, SNode, i).label);
  }
  for (guint i = 0; i < sc->graphs->len; i++) {
    g_free(g_array_index(sc->graphs, SGraph, i).id);
    g_free(g_array_index(sc->graphs, SGraph, i).title);
  }
  for (guint i = 0; i < sc->edges->len; i++) {
    SEdge *e = &g_array_index(sc->edges, SEdge, i);
    g_free(e->a);
    g_free(e->b);
    g_free(e->label);
  }
  g_array_free(sc->nodes, TRUE);
  g_array_free(sc->graphs, TRUE);
  g_array_free(sc->edges, TRUE);
  g_array_free(sc->items, TRUE);
}

/* --- labels ------------------------------------------------------------------------ */

static const char *role_title(VizSiteRole r)
{
  switch (r) {
  case VIZ_SITE_CORE: return "Internal Trusted Network";
  case VIZ_SITE_DMZ: return "DMZ Network";
  case VIZ_SITE_INTERNET: return "Internet / Roaming";
  default: return NULL;
  }
}

static char *site_title(const VizGroup *g)
{
  char *name = g->nsites == 1 ? g_strdup(g->name) : g_strdup_printf("%s (%s)", g->name, g->detail);
  const char *role = role_title(g->role);
  if (!role)
    return name;
  char *r = g_strdup_printf("%s · %s", name, role);
  g_free(name);
  return r;
}

static char *uplink_label(const VizGroup *g)
{
  char *a = viz_fmt_bps(g->bps_min), *b = viz_fmt_bps(g->bps_max);
  char *la = viz_fmt_time(g->lat_min), *lb = viz_fmt_time(g->lat_max);
  GString *s = g_string_new(NULL);
  if (g->nsites > 1)
    g_string_append_printf(s, "%s links · ", viz_n(g->nsites));
  g_string_append(s, a);
  if (g->bps_max > g->bps_min)
    g_string_append_printf(s, " – %s", b);
  g_string_append_printf(s, " · %s", la);
  if (g->lat_max > g->lat_min)
    g_string_append_printf(s, " – %s", lb);
  if (g->links_down)
    g_string_append(s, g->nsites > 1 ? " · some DOWN" : " · DOWN");
  g_free(a);
  g_free(b);
  g_free(la);
  g_free(lb);
  return g_string_free(s, FALSE);
}

/* "Backward Leader 10.23.0.1" for one, "Backward Leaders × 2" for more. */
static char *leader_label(const char *what, guint32 n, guint32 addr, guint32 reflected)
{
  GString *s = g_string_new(NULL);
  if (n == 1 && addr) {
    char a[16];
    g_string_append_printf(s, "%s %s", what, sim_addr_format(addr, a));
  } else {
    g_string_append_printf(s, "%ss × %s", what, viz_n(n));
  }
  if (reflected)
    g_string_append_printf(s, " · %s reflected", viz_n(reflected));
  return g_string_free(s, FALSE);
}

/* The chain stats of a subnet or a folded group. */
typedef struct {
  const char *what;     /* "10.23.0.0/24", "800 subnets" */
  guint64 clients;      /* internal agents */
  guint32 chains, bl, fl, blfl, unchained, down, refl_f, refl_b;
  guint32 bl_addr, fl_addr;
} Chains;

static Chains chains_of_subnet(const VizSubnet *v)
{
  Chains c = { v->cidr, v->clients - v->external, v->chains, v->bl, v->fl, v->blfl, v->unchained, v->down,
               v->refl_f, v->refl_b, v->bl_addr, v->fl_addr };
  return c;
}

static char *chains_title(const Chains *c)
{
  GString *s = g_string_new(NULL);
  char *n = viz_fmt_count(c->clients);
  g_string_append_printf(s, "LAN Subnet %s · %s client%s · %s chain%s", c->what, n, c->clients == 1 ? "" : "s",
                         viz_n(c->chains), c->chains == 1 ? "" : "s");
  if (c->down)
    g_string_append_printf(s, " · %s down", viz_n(c->down));
  if (c->unchained)
    g_string_append_printf(s, " · %s not in a chain", viz_n(c->unchained));
  g_free(n);
  return g_string_free(s, FALSE);
}

/* Internal clients in a chain between its leaders. */
static guint64 peers_of(const Chains *c)
{
  guint64 leaders = (guint64) c->bl + c->fl - c->blfl, out = leaders + c->down + c->unchained;
  return c->clients > out ? c->clients - out : 0;
}

/* --- building the scene -------------------------------------------------------------- */

static char *srv_id(guint32 i) { return g_strdup_printf("srv%u", i); }

/* A subnet (or folded group) as the reference's LAN subnet: a subgraph with
 * backward leaders → peer clients → forward leaders, the core server's
 * pushes and the answers, the backward leaders' failover / registration.
 * Returns the id of the node Direct Connect reaches (g_free). */
static char *add_chain_subnet(Scene *sc, gint parent, const char *id, const Chains *c, const char *core)
{
  gint sg = scene_graph(sc, parent, SG_SUBNET, VIZ_SITE_BRANCH, g_strdup(id), chains_title(c));
  char *bl = g_strdup_printf("%s_bl", id), *p = g_strdup_printf("%s_p", id), *fl = g_strdup_printf("%s_fl", id);
  guint64 peers = peers_of(c);
  if (c->bl)
    scene_node(sc, sg, N_CLIENT, g_strdup(bl), leader_label("Backward Leader", c->bl, c->bl_addr, c->refl_b));
  if (peers)
    scene_node(sc, sg, N_CLIENT, g_strdup(p), g_strdup_printf("Peer Clients × %s", viz_n(peers)));
  if (c->fl)
    scene_node(sc, sg, N_CLIENT, g_strdup(fl), leader_label("Forward Leader", c->fl, c->fl_addr, c->refl_f));
  if (!c->bl && !peers && !c->fl)
    scene_node(sc, sg, N_NOTE, g_strdup(p), g_strdup(c->clients ? "no chain yet" : "no clients"));
  /* Along the chain. */
  if (c->bl && peers)
    scene_edge(sc, SEC_CHAINS, E_CHAIN, bl, p, g_strdup("TCP 17472"));
  if (peers && c->fl)
    scene_edge(sc, SEC_CHAINS, E_CHAIN, p, fl, g_strdup("TCP 17472"));
  if (c->bl && !peers && c->fl && c->bl + c->fl > 2 * c->blfl)
    scene_edge(sc, SEC_CHAINS, E_CHAIN, bl, fl, g_strdup("TCP 17472"));
  if (core && c->bl) {
    scene_edge(sc, SEC_CHAINS, E_FLOW, core, bl, g_strdup("Push Questions (TCP 17472)"));
    scene_edge_up(sc, SEC_CHAINS, E_DASHED, bl, core, g_strdup("Failover / Registration (TCP 17472)"));
  }
  if (core && c->fl)
    scene_edge_up(sc, SEC_CHAINS, E_FLOW, fl, core, g_strdup("Aggregated Answers (TCP 17472)"));
  char *target = g_strdup(peers ? p : c->bl ? bl : c->fl ? fl : p);
  g_free(bl);
  g_free(p);
  g_free(fl);
  return target;
}

/* One node for a subnet: external clients, an isolated subnet, hosts only,
 * or a LAN subnet past the detail budget.  Returns the node id (g_free)
 * when Direct Connect to the module server applies to it. */
static char *add_plain_subnet(Scene *sc, gint parent, const char *id, const VizSubnet *v, const char *core)
{
  const VizTopo *t = sc->t;
  char *n = viz_fmt_count(v->clients);
  if (v->external) {
    scene_node(sc, parent, N_CLIENT, g_strdup(id), g_strdup_printf("External Clients × %s\n%s", n, v->cidr));
    guint32 z = v->zone == VIZ_NONE ? VIZ_NONE : viz_topo_server(t, VIZ_SRV_ZONE, v->zone);
    if (z != VIZ_NONE) {
      char *zid = srv_id(z);
      scene_edge_up(sc, SEC_ZONE, E_THICK_BOTH, id, zid, g_strdup("Multiplexed: Telemetry + Direct Connect (TCP 17472)"));
      if (viz_topo_has_dc(t))
        scene_edge_up(sc, SEC_DC, E_DASHED, id, zid, g_strdup("Direct Connect proxy (TCP 17486)"));
      g_free(zid);
    }
    g_free(n);
    return NULL;
  }
  char *target = NULL;
  if (v->clients == 0) {
    scene_node(sc, parent, N_CLIENT, g_strdup(id),
               g_strdup_printf("%s\n%u host%s", v->cidr, v->hosts, v->hosts == 1 ? "" : "s"));
  } else if (v->mode == CS_SUBNET_ISOLATED) {
    scene_node(sc, parent, N_CLIENT, g_strdup(id),
               g_strdup_printf("Isolated Subnet %s\n%s clients · no peering", v->cidr, n));
    if (core)
      scene_edge(sc, SEC_CHAINS, E_BOTH, core, id, g_strdup("Registration, questions, answers: each client (TCP 17472)"));
    target = g_strdup(id);
  } else {
    scene_node(sc, parent, N_CLIENT, g_strdup(id),
               g_strdup_printf("%s\n%s clients · %s chain%s%s", v->cidr, n, viz_n(v->chains), v->chains == 1 ? "" : "s",
                               v->refl_f + v->refl_b ? " · reflected" : ""));
    guint64 conns = (guint64) v->bl + v->fl;
    if (core && conns) {
      char *nc = viz_fmt_count(conns);
      scene_edge(sc, SEC_CHAINS, E_DASHED, core, id,
                 g_strdup_printf("Push questions, aggregated answers (TCP 17472) · %s leader conns", nc));
      g_free(nc);
    }
    target = g_strdup(id);
  }
  g_free(n);
  return target;
}

static void build_scene(Scene *sc, const VizTopo *t)
{
  memset(sc, 0, sizeof *sc);
  sc->t = t;
  sc->nodes = g_array_new(FALSE, FALSE, sizeof(SNode));
  sc->graphs = g_array_new(FALSE, FALSE, sizeof(SGraph));
  sc->edges = g_array_new(FALSE, FALSE, sizeof(SEdge));
  sc->items = g_array_new(FALSE, FALSE, sizeof(SItem));
  guint32 core = viz_topo_server(t, VIZ_SRV_CORE, VIZ_NONE), module = viz_topo_server(t, VIZ_SRV_MODULE, VIZ_NONE);
  char *core_id = core == VIZ_NONE ? NULL : srv_id(core);
  char *module_id = module == VIZ_NONE ? NULL : srv_id(module);
  guint detailed = 0;
  for (guint gi = 0; gi < t->groups->len; gi++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    gint sg = scene_graph(sc, -1, SG_SITE, g->role, g_strdup(g->id), site_title(g));
    gboolean any = FALSE;
    /* Servers: the core server cluster, the database, module servers, zone servers. */
    gboolean db = FALSE;
    for (guint k = 0; k < t->servers->len; k++) {
      const VizServer *v = &g_array_index(t->servers, VizServer, k);
      if (v->group != gi)
        continue;
      any = TRUE;
      char *id = srv_id(k);
      if (v->kind == VIZ_SRV_CORE) {
        gint cl = scene_graph(sc, sg, SG_CLUSTER, g->role, g_strdup_printf("srv%u_cluster", k),
                              g_strdup_printf("Tanium Core Server %s", v->name));
        char *zsh = g_strdup_printf("srv%u_zsh", k);
        scene_node(sc, cl, N_PROCESS, g_strdup(id), g_strdup_printf("%s: Tanium Server Process", v->name));
        scene_node(sc, cl, N_SUBCOMPONENT, g_strdup(zsh), g_strdup("Zone Server Hub Process"));
        scene_edge(sc, SEC_SERVERS, E_LOOPBACK, id, zsh, g_strdup("Local Loopback"));
        char *dbid = g_strdup_printf("%s_db", g->id);
        if (!db) {
          scene_node(sc, sg, N_DB, g_strdup(dbid), g_strdup("Database"));
          db = TRUE;
        }
        scene_edge(sc, SEC_SERVERS, E_BOTH, id, dbid, g_strdup("SQL TCP 1433"));
        g_free(dbid);
        g_free(zsh);
      } else if (v->kind == VIZ_SRV_MODULE) {
        scene_node(sc, sg, N_SERVER, g_strdup(id), g_strdup_printf("Module Server %s", v->name));
        if (v->hub != VIZ_NONE) {
          char *cid = srv_id(v->hub);
          scene_edge(sc, SEC_SERVERS, E_BOTH, cid, id, g_strdup("HTTPS TCP 443"));
          g_free(cid);
        }
      } else {
        scene_node(sc, sg, N_ZONE, g_strdup(id), g_strdup_printf("Zone Server %s", v->name));
        if (v->hub != VIZ_NONE) {
          char *hid = g_strdup_printf("srv%u_zsh", v->hub);
          if (v->up)
            scene_edge(sc, SEC_ZONE, E_TUNNEL, hid, id, g_strdup("Tunnel Init (TCP 17472)"));
          else
            scene_edge(sc, SEC_ZONE, E_TUNNEL_DOWN, hid, id, g_strdup("Tunnel Init (TCP 17472) · DOWN"));
          g_free(hid);
        }
        if (module_id)
          scene_edge(sc, SEC_DC, E_DASHED, module_id, id, g_strdup("Direct Connect proxy (TCP 17487)"));
      }
      g_free(id);
    }
    /* Subnets. */
    char *dc_target = NULL;
    if (g->nsites > 1) {
      Chains c = { NULL, g->clients, g->chains, g->bl, g->fl, g->blfl, g->unchained, g->down, g->refl_f, g->refl_b, 0, 0 };
      char *what = g_strdup_printf("%s subnets", viz_n(g->nsubnets));
      c.what = what;
      char *id = g_strdup_printf("%s_sn", g->id);
      if (detailed < DETAIL_SUBNETS) {
        dc_target = add_chain_subnet(sc, sg, id, &c, core_id);
        detailed++;
      } else {
        char *nc = viz_fmt_count(g->clients);
        scene_node(sc, sg, N_CLIENT, g_strdup(id), g_strdup_printf("%s\n%s clients · %s chains", what, nc, viz_n(g->chains)));
        g_free(nc);
        dc_target = g_strdup(id);
      }
      any = TRUE;
      g_free(id);
      g_free(what);
    }
    for (guint k = 0; k < g->subnets->len && k < MAX_SUBNETS; k++) {
      const VizSubnet *v = &g_array_index(g->subnets, VizSubnet, k);
      char *id = g_strdup_printf("%s_sn%u", g->id, k);
      char *target;
      if (!v->external && v->clients && v->mode != CS_SUBNET_ISOLATED && detailed < DETAIL_SUBNETS) {
        Chains c = chains_of_subnet(v);
        target = add_chain_subnet(sc, sg, id, &c, core_id);
        detailed++;
      } else {
        target = add_plain_subnet(sc, sg, id, v, core_id);
      }
      if (!dc_target)
        dc_target = target;
      else
        g_free(target);
      any = TRUE;
      g_free(id);
    }
    if (g->subnets->len > MAX_SUBNETS) {
      guint64 rest = 0;
      for (guint k = MAX_SUBNETS; k < g->subnets->len; k++)
        rest += g_array_index(g->subnets, VizSubnet, k).clients;
      char *n = viz_fmt_count(rest);
      scene_node(sc, sg, N_NOTE, g_strdup_printf("%s_more", g->id),
                 g_strdup_printf("+ %s more subnets\n%s clients", viz_n(g->subnets->len - MAX_SUBNETS), n));
      g_free(n);
    }
    if (!any) /* an empty subgraph confuses some Mermaid versions */
      scene_node(sc, sg, N_NOTE, g_strdup_printf("%s_empty", g->id), g_strdup("no clients"));
    /* Direct Connect: endpoints to the module server, one edge per site. */
    if (module_id && dc_target)
      scene_edge(sc, SEC_DC, E_DASHED_UNDIRECTED, module_id, dc_target, g_strdup("Direct Connect (TCP 17475)"));
    g_free(dc_target);
    if (g->parent != VIZ_NONE) {
      scene_edge(sc, SEC_WAN, E_WAN, g->id, g_array_index(t->groups, VizGroup, g->parent).id, uplink_label(g));
      g_array_index(sc->edges, SEdge, sc->edges->len - 1).down = g->links_down > 0;
    }
  }
  for (guint i = 0; i < t->links->len; i++) {
    const VizLink *k = &g_array_index(t->links, VizLink, i);
    char *bw = viz_fmt_bps(k->bps), *lat = viz_fmt_time(k->lat);
    char *label = k->count > 1 ? g_strdup_printf("%u × %s · %s%s", k->count, bw, lat, k->up ? "" : " · DOWN")
                               : g_strdup_printf("%s · %s%s", bw, lat, k->up ? "" : " · DOWN");
    scene_edge(sc, SEC_WAN, E_WAN_OTHER, g_array_index(t->groups, VizGroup, k->a).id,
               g_array_index(t->groups, VizGroup, k->b).id, label);
    g_array_index(sc->edges, SEdge, sc->edges->len - 1).down = !k->up;
    g_free(bw);
    g_free(lat);
  }
  g_free(core_id);
  g_free(module_id);
}

/* --- Mermaid ---------------------------------------------------------------------- */

/* Mermaid labels go in double quotes; a quote is written #quot;. */
static void mm_quoted(GString *s, const char *text)
{
  g_string_append_c(s, '"');
  for (const char *p = text; *p; p++) {
    if (*p == '"')
      g_string_append(s, "#quot;");
    else if (*p == '\n')
      g_string_append(s, "<br/>");
    else
      g_string_append_c(s, *p);
  }
  g_string_append_c(s, '"');
}

/* Subgraphs are styled with `style`, which every Mermaid version accepts. */
static const char *mm_site_style(VizSiteRole r)
{
  switch (r) {
  case VIZ_SITE_CORE: return "fill:#eef1f4,stroke:#2d3e50,stroke-width:2px,color:#000";
  case VIZ_SITE_DMZ: return "fill:#fff3e0,stroke:#ef6c00,stroke-width:2px,stroke-dasharray: 5 5,color:#000";
  case VIZ_SITE_INTERNET: return "fill:#f3e5f5,stroke:#6a1b9a,stroke-width:2px,stroke-dasharray: 5 5,color:#000";
  default: return "fill:#f7fbff,stroke:#0277bd,stroke-width:1px,color:#000";
  }
}

static void mm_node(GString *s, const char *indent, const SNode *n)
{
  static const char *const cls[] = { "server", "server", "subcomponent", "server", "dmz", "client", "note" };
  if (n->kind == N_DB) {
    g_string_append_printf(s, "%s%s[(Database)]:::server\n", indent, n->id);
    return;
  }
  g_string_append_printf(s, "%s%s(", indent, n->id);
  mm_quoted(s, n->label);
  g_string_append_printf(s, "):::%s\n", cls[n->kind]);
}

/* Writes a scene in one text format: the top-level groups (each writes its
 * nested groups and nodes), then the edges section by section, each
 * non-empty section under a comment made from `heading` (a printf format
 * taking the section's name). */
typedef void (*GraphWriter)(GString *s, const Scene *sc, gint gi, int depth);
typedef void (*EdgeWriter)(GString *s, const SEdge *e);

static void scene_emit(GString *s, const Scene *sc, GraphWriter graph, EdgeWriter edge, const char *heading)
{
  for (guint i = 0; i < sc->items->len; i++) {
    const SItem *it = &g_array_index(sc->items, SItem, i);
    if (it->graph && g_array_index(sc->graphs, SGraph, it->index).parent < 0)
      graph(s, sc, (gint) it->index, 0);
  }
  for (int sec = 0; sec < SEC_COUNT; sec++) {
    gboolean head = FALSE;
    for (guint i = 0; i < sc->edges->len; i++) {
      const SEdge *e = &g_array_index(sc->edges, SEdge, i);
      if (e->sec != (Section) sec)
        continue;
      if (!head) {
        g_string_append_printf(s, heading, section_names[sec]);
        head = TRUE;
      }
      edge(s, e);
    }
  }
}

static void mm_graph(GString *s, const Scene *sc, gint gi, int depth)
{
  const SGraph *g = &g_array_index(sc->graphs, SGraph, gi);
  char *indent = g_strnfill(4 * (depth + 1), ' '), *inner = g_strnfill(4 * (depth + 2), ' ');
  g_string_append_printf(s, "%ssubgraph %s [", indent, g->id);
  mm_quoted(s, g->title);
  g_string_append_printf(s, "]\n%sdirection %s\n", inner, g->kind == SG_SUBNET ? "LR" : "TB");
  for (guint i = 0; i < sc->items->len; i++) {
    const SItem *it = &g_array_index(sc->items, SItem, i);
    if (it->graph && g_array_index(sc->graphs, SGraph, it->index).parent == gi)
      mm_graph(s, sc, (gint) it->index, depth + 1);
    else if (!it->graph && g_array_index(sc->nodes, SNode, it->index).parent == gi)
      mm_node(s, inner, &g_array_index(sc->nodes, SNode, it->index));
  }
  g_string_append_printf(s, "%send\n", indent);
  if (g->kind == SG_SITE)
    g_string_append_printf(s, "%sstyle %s %s\n", indent, g->id, mm_site_style(g->role));
  g_free(indent);
  g_free(inner);
}

static void mm_edge(GString *s, const SEdge *e)
{
  const char *arrow = NULL;
  gboolean inline_label = FALSE;
  switch (e->kind) {
  case E_LOOPBACK:
  case E_FLOW:
  case E_TUNNEL: inline_label = TRUE; break;
  case E_BOTH:
  case E_WAN: arrow = "<-->"; break;
  case E_CHAIN: arrow = "-->"; break;
  case E_DASHED:
  case E_TUNNEL_DOWN: arrow = "-.->"; break;
  case E_DASHED_UNDIRECTED:
  case E_WAN_OTHER: arrow = "-.-"; break;
  case E_THICK_BOTH: arrow = "<==>"; break;
  }
  g_string_append_printf(s, "    %s ", e->a);
  if (inline_label) {
    g_string_append(s, "-- ");
    mm_quoted(s, e->label);
    g_string_append(s, " -->");
  } else {
    g_string_append(s, arrow);
    g_string_append_c(s, '|');
    mm_quoted(s, e->label);
    g_string_append_c(s, '|');
  }
  g_string_append_printf(s, " %s\n", e->b);
}

char *viz_topo_mermaid(const VizTopo *t)
{
  Scene sc;
  build_scene(&sc, t);
  GString *s = g_string_new("flowchart TD\n");
  char *ep = viz_fmt_count(t->clients), *at = viz_fmt_time(t->now);
  g_string_append_printf(s, "    %%%% chainsim topology: %s endpoints in %s sites, state at t = %s\n", ep, viz_n(t->sites), at);
  g_free(ep);
  g_free(at);
  g_string_append(s,
    "    classDef server fill:#2d3e50,stroke:#fff,stroke-width:2px,color:#fff;\n"
    "    classDef client fill:#e1f5fe,stroke:#0277bd,stroke-width:2px,color:#000;\n"
    "    classDef dmz fill:#fff3e0,stroke:#ef6c00,stroke-width:2px,stroke-dasharray: 5 5,color:#000;\n"
    "    classDef subcomponent fill:#37474f,stroke:#fff,stroke-width:1px,color:#ddd,font-size:10px;\n"
    "    classDef note fill:#fff,stroke:#90a4ae,stroke-width:1px,stroke-dasharray: 3 3,color:#555;\n\n");
  scene_emit(s, &sc, mm_graph, mm_edge, "\n    %%%% --- %s ---\n");
  g_string_append(s, "\n    linkStyle default stroke-width:2px,fill:none,stroke:#333\n");
  scene_free(&sc);
  return g_string_free(s, FALSE);
}

/* --- DOT ---------------------------------------------------------------------------- */

static void dot_quoted(GString *s, const char *text)
{
  g_string_append_c(s, '"');
  for (const char *p = text; *p; p++) {
    if (*p == '"' || *p == '\\')
      g_string_append_c(s, '\\');
    if (*p == '\n')
      g_string_append(s, "\\n");
    else
      g_string_append_c(s, *p);
  }
  g_string_append_c(s, '"');
}

static const char *dot_site_style(VizSiteRole r)
{
  switch (r) {
  case VIZ_SITE_CORE: return "style=\"rounded,filled\"; fillcolor=\"#eef1f4\"; color=\"#2d3e50\";";
  case VIZ_SITE_DMZ: return "style=\"rounded,filled,dashed\"; fillcolor=\"#fff3e0\"; color=\"#ef6c00\";";
  case VIZ_SITE_INTERNET: return "style=\"rounded,filled,dashed\"; fillcolor=\"#f3e5f5\"; color=\"#6a1b9a\";";
  default: return "style=\"rounded,filled\"; fillcolor=\"#f7fbff\"; color=\"#0277bd\";";
  }
}

static const char *dot_node_attrs(NodeKind k)
{
  switch (k) {
  case N_SERVER: return "fillcolor=\"#2d3e50\", color=\"#ffffff\", fontcolor=\"#ffffff\"";
  case N_PROCESS: return "fillcolor=\"#455a64\", color=\"#ffffff\", fontcolor=\"#ffffff\"";
  case N_SUBCOMPONENT: return "fillcolor=\"#37474f\", color=\"#ffffff\", fontcolor=\"#dddddd\", fontsize=9";
  case N_DB: return "shape=cylinder, style=filled, fillcolor=\"#2d3e50\", fontcolor=\"#ffffff\"";
  case N_ZONE: return "fillcolor=\"#fff3e0\", color=\"#ef6c00\", style=\"rounded,filled,dashed\"";
  case N_NOTE: return "style=\"rounded,dashed\", color=\"#90a4ae\", fontcolor=\"#555555\"";
  default: return NULL;
  }
}

static void dot_graph(GString *s, const Scene *sc, gint gi, int depth)
{
  const SGraph *g = &g_array_index(sc->graphs, SGraph, gi);
  char *indent = g_strnfill(2 * (depth + 1), ' '), *inner = g_strnfill(2 * (depth + 2), ' ');
  g_string_append_printf(s, "%ssubgraph cluster_%s {\n%slabel=", indent, g->id, inner);
  dot_quoted(s, g->title);
  if (g->kind == SG_SITE) {
    g_string_append_printf(s, "; %s\n", dot_site_style(g->role));
    /* An anchor for the site's WAN links (edges between clusters). */
    g_string_append_printf(s, "%s%s [shape=point, width=0.06, label=\"\"];\n", inner, g->id);
  } else if (g->kind == SG_CLUSTER) {
    g_string_append(s, "; style=\"rounded,filled\"; fillcolor=\"#2d3e50\"; fontcolor=\"#ffffff\"; color=\"#1b2631\";\n");
  } else {
    g_string_append(s, "; style=\"rounded,filled\"; fillcolor=\"#ffffff\"; color=\"#0277bd\";\n");
  }
  for (guint i = 0; i < sc->items->len; i++) {
    const SItem *it = &g_array_index(sc->items, SItem, i);
    if (it->graph && g_array_index(sc->graphs, SGraph, it->index).parent == gi) {
      dot_graph(s, sc, (gint) it->index, depth + 1);
    } else if (!it->graph && g_array_index(sc->nodes, SNode, it->index).parent == gi) {
      const SNode *n = &g_array_index(sc->nodes, SNode, it->index);
      const char *attrs = dot_node_attrs(n->kind);
      g_string_append_printf(s, "%s%s [label=", inner, n->id);
      dot_quoted(s, n->label);
      g_string_append_printf(s, "%s%s];\n", attrs ? ", " : "", attrs ? attrs : "");
    }
  }
  g_string_append_printf(s, "%s}\n", indent);
  g_free(indent);
  g_free(inner);
}

static void dot_edge(GString *s, const SEdge *e)
{
  const char *a = e->a, *b = e->b;
  GString *attrs = g_string_new(NULL);
  switch (e->kind) {
  case E_LOOPBACK: g_string_append(attrs, "fontcolor=\"#90a4ae\", color=\"#ffffff\""); break;
  case E_BOTH: g_string_append(attrs, "dir=both"); break;
  case E_FLOW:
  case E_CHAIN: break;
  case E_DASHED: g_string_append(attrs, "style=dashed"); break;
  case E_DASHED_UNDIRECTED: g_string_append(attrs, "style=dashed, dir=none"); break;
  case E_THICK_BOTH: g_string_append(attrs, "dir=both, penwidth=2.5"); break;
  case E_TUNNEL: g_string_append(attrs, "color=\"#ef6c00\", penwidth=1.8"); break;
  case E_TUNNEL_DOWN: g_string_append(attrs, "color=\"#c62828\", style=dashed"); break;
  case E_WAN:
    /* Parent above child: the edge runs parent → child. */
    a = e->b;
    b = e->a;
    g_string_append_printf(attrs, "dir=both, ltail=cluster_%s, lhead=cluster_%s%s", a, b,
                           e->down ? ", color=\"#c62828\", style=dashed" : "");
    break;
  case E_WAN_OTHER:
    g_string_append_printf(attrs, "dir=both, style=dotted, constraint=false, ltail=cluster_%s, lhead=cluster_%s%s", a,
                           b, e->down ? ", color=\"#c62828\"" : "");
    break;
  }
  if (e->up) {
    a = e->b;
    b = e->a;
    if (e->kind != E_THICK_BOTH)
      g_string_append(attrs, attrs->len ? ", dir=back" : "dir=back");
  }
  g_string_append_printf(s, "  %s -> %s [label=", a, b);
  dot_quoted(s, e->label);
  if (attrs->len)
    g_string_append_printf(s, ", %s", attrs->str);
  g_string_append(s, "];\n");
  g_string_free(attrs, TRUE);
}

char *viz_topo_dot(const VizTopo *t)
{
  Scene sc;
  build_scene(&sc, t);
  GString *s = g_string_new("digraph chainsim {\n");
  char *ep = viz_fmt_count(t->clients), *at = viz_fmt_time(t->now);
  char *title = g_strdup_printf("chainsim topology: %s endpoints in %s sites, state at t = %s", ep, viz_n(t->sites), at);
  g_string_append(s, "  graph [rankdir=TB, compound=true, fontname=\"DejaVu Sans\", labelloc=t, label=");
  dot_quoted(s, title);
  g_string_append(s, "];\n"
                     "  node [fontname=\"DejaVu Sans\", fontsize=10, shape=box, style=\"rounded,filled\", "
                     "fillcolor=\"#e1f5fe\", color=\"#0277bd\"];\n"
                     "  edge [fontname=\"DejaVu Sans\", fontsize=9, color=\"#455a64\"];\n");
  g_free(title);
  g_free(ep);
  g_free(at);
  scene_emit(s, &sc, dot_graph, dot_edge, "  // %s\n");
  g_string_append(s, "}\n");
  scene_free(&sc);
  return g_string_free(s, FALSE);
}

char *cs_viz_mermaid(CsWorld *w)
{
  g_return_val_if_fail(w != NULL, NULL);
  VizTopo *t = viz_topo_new(w, 0);
  char *r = viz_topo_mermaid(t);
  viz_topo_free(t);
  return r;
}

char *cs_viz_dot(CsWorld *w)
{
  g_return_val_if_fail(w != NULL, NULL);
  VizTopo *t = viz_topo_new(w, 0);
  char *r = viz_topo_dot(t);
  viz_topo_free(t);
  return r;
}
