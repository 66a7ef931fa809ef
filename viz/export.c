/* export.c — the topology snapshot as text: a Mermaid flowchart in the
 * reference architecture's style (its class definitions, the core server
 * cluster with the zone hub inside, the database on SQL TCP 1433, ports on
 * the arrows) and a Graphviz digraph with one cluster per site.
 *
 * Both read the same snapshot as the figure (model.c), so alike branch sites
 * are folded the same way and a site lists at most MAX_SUBNETS subnets: the
 * text stays a size the tools can lay out at 10^6 endpoints.  Identifiers are
 * generated (g<index>_<name>, srv<index>), labels are quoted and escaped for
 * each language. */
#include "viz-private.h"
#include <string.h>

#define MAX_SUBNETS 8

/* --- label text ------------------------------------------------------------------ */

static char *subnet_label(const VizSubnet *v, const char *nl)
{
  char *n = viz_fmt_count(v->clients);
  char *r;
  if (v->clients == 0)
    r = g_strdup_printf("%s%s%u hosts", v->cidr, nl, v->hosts);
  else
    r = g_strdup_printf("%s%s%s clients · %s chain%s%s", v->cidr, nl, n, viz_n(v->chains), v->chains == 1 ? "" : "s",
                        v->refl_f + v->refl_b ? " · reflected" : "");
  g_free(n);
  return r;
}

static char *group_title(const VizGroup *g)
{
  if (g->nsites == 1)
    return g_strdup(g->name);
  return g_strdup_printf("%s (%s)", g->name, g->detail);
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

static char *more_label(const VizGroup *g, const char *nl)
{
  guint64 rest = 0;
  for (guint k = MAX_SUBNETS; k < g->subnets->len; k++)
    rest += g_array_index(g->subnets, VizSubnet, k).clients;
  char *n = viz_fmt_count(rest);
  char *r = g_strdup_printf("+ %s more subnets%s%s clients", viz_n(g->subnets->len - MAX_SUBNETS), nl, n);
  g_free(n);
  return r;
}

static char *folded_label(const VizGroup *g, const char *nl)
{
  char *ns = viz_fmt_count(g->nsubnets), *nc = viz_fmt_count(g->clients), *ch = viz_fmt_count(g->chains);
  char *r = g_strdup_printf("%s subnets%s%s clients · %s chains", ns, nl, nc, ch);
  g_free(ns);
  g_free(nc);
  g_free(ch);
  return r;
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

static void mm_node(GString *s, const char *indent, const char *id, const char *open, const char *label,
                    const char *close, const char *cls)
{
  g_string_append_printf(s, "%s%s%s", indent, id, open);
  mm_quoted(s, label);
  g_string_append_printf(s, "%s:::%s\n", close, cls);
}

static void mm_edge(GString *s, const char *a, const char *arrow, const char *label, const char *b)
{
  g_string_append_printf(s, "    %s %s", a, arrow);
  if (label) {
    g_string_append_c(s, '|');
    mm_quoted(s, label);
    g_string_append_c(s, '|');
  }
  g_string_append_printf(s, " %s\n", b);
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

char *viz_topo_mermaid(const VizTopo *t)
{
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
  GString *edges = g_string_new(NULL);
  for (guint gi = 0; gi < t->groups->len; gi++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    char *title = group_title(g);
    g_string_append_printf(s, "    subgraph %s [", g->id);
    mm_quoted(s, title);
    g_string_append(s, "]\n        direction TB\n");
    g_free(title);
    gboolean db = FALSE;
    for (guint k = 0; k < t->servers->len; k++) {
      const VizServer *v = &g_array_index(t->servers, VizServer, k);
      if (v->group != gi)
        continue;
      char id[32], label[512];
      if (v->kind == VIZ_SRV_CORE) {
        g_string_append_printf(s, "        subgraph srv%u_cluster [", k);
        g_snprintf(label, sizeof label, "Tanium Core Server %s", v->name);
        mm_quoted(s, label);
        g_string_append(s, "]\n            direction TB\n");
        g_snprintf(id, sizeof id, "srv%u", k);
        g_snprintf(label, sizeof label, "%s: Tanium Server process", v->name);
        mm_node(s, "            ", id, "(", label, ")", "server");
        g_snprintf(id, sizeof id, "srv%u_zsh", k);
        mm_node(s, "            ", id, "(", "Zone Server Hub process", ")", "subcomponent");
        g_string_append_printf(s, "            srv%u -- \"Local Loopback\" --> srv%u_zsh\n        end\n", k, k);
        if (!db) {
          g_string_append_printf(s, "        %s_db[(Database)]:::server\n", g->id);
          db = TRUE;
        }
        g_snprintf(id, sizeof id, "srv%u", k);
        char *dbid = g_strdup_printf("%s_db", g->id);
        mm_edge(edges, id, "<-->", "SQL TCP 1433", dbid);
        g_free(dbid);
      } else if (v->kind == VIZ_SRV_MODULE) {
        g_snprintf(id, sizeof id, "srv%u", k);
        g_snprintf(label, sizeof label, "Module Server %s", v->name);
        mm_node(s, "        ", id, "(", label, ")", "server");
        for (guint j = 0; j < t->servers->len; j++)
          if (g_array_index(t->servers, VizServer, j).kind == VIZ_SRV_CORE) {
            char cid[32];
            g_snprintf(cid, sizeof cid, "srv%u", j);
            mm_edge(edges, cid, "<-->", "HTTPS TCP 443", id);
            break;
          }
      } else {
        g_snprintf(id, sizeof id, "srv%u", k);
        g_snprintf(label, sizeof label, "Zone Server %s", v->name);
        mm_node(s, "        ", id, "(", label, ")", "dmz");
        if (v->hub < t->servers->len) {
          char hid[32];
          g_snprintf(hid, sizeof hid, "srv%u_zsh", v->hub);
          g_string_append_printf(edges, "    %s -- \"Tunnel Init (TCP 17472)\" --> %s\n", hid, id);
        }
      }
    }
    if (g->ext_clients) {
      char *n = viz_fmt_count(g->ext_clients);
      char *label = g_strdup_printf("External clients × %s", n);
      char *id = g_strdup_printf("%s_ext", g->id);
      mm_node(s, "        ", id, "(", label, ")", "client");
      for (guint k = 0; k < t->servers->len; k++)
        if (g_array_index(t->servers, VizServer, k).kind == VIZ_SRV_ZONE) {
          char zid[32];
          g_snprintf(zid, sizeof zid, "srv%u", k);
          mm_edge(edges, id, "<==>", "Multiplexed: Telemetry + Direct Connect (TCP 17472)", zid);
          break;
        }
      g_free(id);
      g_free(label);
      g_free(n);
    }
    if (g->nsites > 1) {
      char *label = folded_label(g, "\n");
      char *id = g_strdup_printf("%s_sn", g->id);
      mm_node(s, "        ", id, "(", label, ")", "client");
      g_free(id);
      g_free(label);
    }
    for (guint k = 0; k < g->subnets->len && k < MAX_SUBNETS; k++) {
      char *label = subnet_label(&g_array_index(g->subnets, VizSubnet, k), "\n");
      char *id = g_strdup_printf("%s_sn%u", g->id, k);
      mm_node(s, "        ", id, "(", label, ")", "client");
      g_free(id);
      g_free(label);
    }
    if (g->subnets->len > MAX_SUBNETS) {
      char *label = more_label(g, "\n");
      char *id = g_strdup_printf("%s_more", g->id);
      mm_node(s, "        ", id, "(", label, ")", "client");
      g_free(id);
      g_free(label);
    }
    if (g->nsites == 1 && g->subnets->len == 0 && !g->ext_clients && !db) {
      gboolean any = FALSE;
      for (guint k = 0; k < t->servers->len && !any; k++)
        any = g_array_index(t->servers, VizServer, k).group == gi;
      if (!any) {
        /* An empty subgraph confuses some Mermaid versions. */
        char *id = g_strdup_printf("%s_empty", g->id);
        mm_node(s, "        ", id, "(", "no clients", ")", "note");
        g_free(id);
      }
    }
    g_string_append(s, "    end\n");
    g_string_append_printf(s, "    style %s %s\n", g->id, mm_site_style(g->role));
    if (g->parent != VIZ_NONE) {
      char *label = uplink_label(g);
      mm_edge(edges, g->id, "<-->", label, g_array_index(t->groups, VizGroup, g->parent).id);
      g_free(label);
    }
  }
  for (guint i = 0; i < t->links->len; i++) {
    const VizLink *k = &g_array_index(t->links, VizLink, i);
    char *bw = viz_fmt_bps(k->bps), *lat = viz_fmt_time(k->lat);
    char *label = k->count > 1 ? g_strdup_printf("%u × %s · %s%s", k->count, bw, lat, k->up ? "" : " · DOWN")
                               : g_strdup_printf("%s · %s%s", bw, lat, k->up ? "" : " · DOWN");
    mm_edge(edges, g_array_index(t->groups, VizGroup, k->a).id, "-.-", label,
            g_array_index(t->groups, VizGroup, k->b).id);
    g_free(label);
    g_free(bw);
    g_free(lat);
  }
  /* Leaders to the core server, per subnet (or folded group): questions
   * pushed to backward leaders, answers back from forward leaders. */
  guint core = VIZ_NONE;
  for (guint k = 0; k < t->servers->len && core == VIZ_NONE; k++)
    if (g_array_index(t->servers, VizServer, k).kind == VIZ_SRV_CORE)
      core = k;
  for (guint gi = 0; gi < t->groups->len && core != VIZ_NONE; gi++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    char sid[32];
    g_snprintf(sid, sizeof sid, "srv%u", core);
    guint n = g->nsites > 1 ? 1 : MIN(g->subnets->len, MAX_SUBNETS);
    for (guint k = 0; k < n; k++) {
      guint64 conns = g->nsites > 1 ? (guint64) g->bl + g->fl
                                    : (guint64) g_array_index(g->subnets, VizSubnet, k).bl +
                                        g_array_index(g->subnets, VizSubnet, k).fl;
      if (!conns)
        continue;
      char *id = g->nsites > 1 ? g_strdup_printf("%s_sn", g->id) : g_strdup_printf("%s_sn%u", g->id, k);
      char *nc = viz_fmt_count(conns);
      char *label = g_strdup_printf("Push questions, aggregated answers (TCP 17472) · %s leader conns", nc);
      mm_edge(edges, sid, "-.->", label, id);
      g_free(label);
      g_free(nc);
      g_free(id);
    }
  }
  g_string_append_c(s, '\n');
  g_string_append(s, edges->str);
  g_string_append(s, "\n    linkStyle default stroke-width:2px,fill:none,stroke:#333\n");
  g_string_free(edges, TRUE);
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

static void dot_node(GString *s, const char *indent, const char *id, const char *label, const char *attrs)
{
  g_string_append_printf(s, "%s%s [label=", indent, id);
  dot_quoted(s, label);
  g_string_append_printf(s, "%s%s];\n", attrs ? ", " : "", attrs ? attrs : "");
}

static void dot_edge(GString *s, const char *a, const char *b, const char *label, const char *attrs)
{
  g_string_append_printf(s, "  %s -> %s [", a, b);
  if (label) {
    g_string_append(s, "label=");
    dot_quoted(s, label);
  }
  if (attrs)
    g_string_append_printf(s, "%s%s", label ? ", " : "", attrs);
  g_string_append(s, "];\n");
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

char *viz_topo_dot(const VizTopo *t)
{
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
  GString *edges = g_string_new(NULL);
  const char *server_attrs = "fillcolor=\"#2d3e50\", color=\"#ffffff\", fontcolor=\"#ffffff\"";
  for (guint gi = 0; gi < t->groups->len; gi++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
    char *gt = group_title(g);
    g_string_append_printf(s, "  subgraph cluster_%s {\n    label=", g->id);
    dot_quoted(s, gt);
    g_string_append_printf(s, "; %s\n", dot_site_style(g->role));
    g_free(gt);
    /* An anchor for the site's WAN links (edges between clusters). */
    g_string_append_printf(s, "    %s [shape=point, width=0.06, label=\"\"];\n", g->id);
    gboolean db = FALSE;
    for (guint k = 0; k < t->servers->len; k++) {
      const VizServer *v = &g_array_index(t->servers, VizServer, k);
      if (v->group != gi)
        continue;
      char id[32], label[512];
      g_snprintf(id, sizeof id, "srv%u", k);
      if (v->kind == VIZ_SRV_CORE) {
        g_string_append_printf(s, "    subgraph cluster_srv%u {\n      label=", k);
        g_snprintf(label, sizeof label, "Tanium Core Server %s", v->name);
        dot_quoted(s, label);
        g_string_append(s, "; style=\"rounded,filled\"; fillcolor=\"#2d3e50\"; fontcolor=\"#ffffff\"; color=\"#1b2631\";\n");
        g_snprintf(label, sizeof label, "%s: Tanium Server process", v->name);
        dot_node(s, "      ", id, label, "fillcolor=\"#455a64\", color=\"#ffffff\", fontcolor=\"#ffffff\"");
        char zid[40];
        g_snprintf(zid, sizeof zid, "srv%u_zsh", k);
        dot_node(s, "      ", zid, "Zone Server Hub process",
                 "fillcolor=\"#37474f\", color=\"#ffffff\", fontcolor=\"#dddddd\", fontsize=9");
        g_string_append_printf(s, "      srv%u -> srv%u_zsh [label=\"local loopback\", fontcolor=\"#ffffff\", color=\"#ffffff\"];\n    }\n", k, k);
        char *dbid = g_strdup_printf("%s_db", g->id);
        if (!db) {
          dot_node(s, "    ", dbid, "Database", "shape=cylinder, style=filled, fillcolor=\"#2d3e50\", fontcolor=\"#ffffff\"");
          db = TRUE;
        }
        dot_edge(edges, id, dbid, "SQL TCP 1433", "dir=both");
        g_free(dbid);
      } else if (v->kind == VIZ_SRV_MODULE) {
        g_snprintf(label, sizeof label, "Module Server %s", v->name);
        dot_node(s, "    ", id, label, server_attrs);
        for (guint j = 0; j < t->servers->len; j++)
          if (g_array_index(t->servers, VizServer, j).kind == VIZ_SRV_CORE) {
            char cid[32];
            g_snprintf(cid, sizeof cid, "srv%u", j);
            dot_edge(edges, cid, id, "HTTPS TCP 443", "dir=both");
            break;
          }
      } else {
        g_snprintf(label, sizeof label, "Zone Server %s", v->name);
        dot_node(s, "    ", id, label, "fillcolor=\"#fff3e0\", color=\"#ef6c00\", style=\"rounded,filled,dashed\"");
        if (v->hub < t->servers->len) {
          char hid[32];
          g_snprintf(hid, sizeof hid, "srv%u_zsh", v->hub);
          dot_edge(edges, hid, id, "Tunnel Init (TCP 17472)", NULL);
        }
      }
    }
    if (g->ext_clients) {
      char *n = viz_fmt_count(g->ext_clients);
      char *label = g_strdup_printf("External clients × %s", n);
      char *id = g_strdup_printf("%s_ext", g->id);
      dot_node(s, "    ", id, label, NULL);
      for (guint k = 0; k < t->servers->len; k++)
        if (g_array_index(t->servers, VizServer, k).kind == VIZ_SRV_ZONE) {
          char zid[32];
          g_snprintf(zid, sizeof zid, "srv%u", k);
          dot_edge(edges, id, zid, "Multiplexed: Telemetry + Direct Connect (TCP 17472)", "dir=both, penwidth=2.5");
          break;
        }
      g_free(id);
      g_free(label);
      g_free(n);
    }
    if (g->nsites > 1) {
      char *label = folded_label(g, "\n");
      char *id = g_strdup_printf("%s_sn", g->id);
      dot_node(s, "    ", id, label, NULL);
      g_free(id);
      g_free(label);
    }
    for (guint k = 0; k < g->subnets->len && k < MAX_SUBNETS; k++) {
      char *label = subnet_label(&g_array_index(g->subnets, VizSubnet, k), "\n");
      char *id = g_strdup_printf("%s_sn%u", g->id, k);
      dot_node(s, "    ", id, label, NULL);
      g_free(id);
      g_free(label);
    }
    if (g->subnets->len > MAX_SUBNETS) {
      char *label = more_label(g, "\n");
      char *id = g_strdup_printf("%s_more", g->id);
      dot_node(s, "    ", id, label, "style=\"rounded,dashed\"");
      g_free(id);
      g_free(label);
    }
    g_string_append(s, "  }\n");
    if (g->parent != VIZ_NONE) {
      const VizGroup *p = &g_array_index(t->groups, VizGroup, g->parent);
      char *label = uplink_label(g);
      char *attrs = g_strdup_printf("dir=both, ltail=cluster_%s, lhead=cluster_%s%s", p->id, g->id,
                                    g->links_down ? ", color=\"#c62828\", style=dashed" : "");
      dot_edge(edges, p->id, g->id, label, attrs);
      g_free(attrs);
      g_free(label);
    }
  }
  for (guint i = 0; i < t->links->len; i++) {
    const VizLink *k = &g_array_index(t->links, VizLink, i);
    const VizGroup *a = &g_array_index(t->groups, VizGroup, k->a), *b = &g_array_index(t->groups, VizGroup, k->b);
    char *bw = viz_fmt_bps(k->bps), *lat = viz_fmt_time(k->lat);
    char *label = g_strdup_printf("%u × %s · %s%s", k->count, bw, lat, k->up ? "" : " · DOWN");
    char *attrs = g_strdup_printf("dir=both, style=dotted, constraint=false, ltail=cluster_%s, lhead=cluster_%s", a->id,
                                  b->id);
    dot_edge(edges, a->id, b->id, label, attrs);
    g_free(attrs);
    g_free(label);
    g_free(bw);
    g_free(lat);
  }
  g_string_append(s, edges->str);
  g_string_append(s, "}\n");
  g_string_free(edges, TRUE);
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
