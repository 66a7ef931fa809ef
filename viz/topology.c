/* topology.c — the network as the reference architecture draws it: sites as
 * groups, the core server with its zone hub inside and the database beside
 * it (SQL TCP 1433), module and zone servers where the snapshot has them,
 * subnets as boxes with their clients and chains, WAN links labelled with
 * bandwidth, latency, port and the leader connections that cross them.
 *
 * Layout: the WAN tree from model.c, one layer of sites per band, the core
 * layer centred on top, deeper layers left-aligned in rows of equal columns
 * (so the gutters between columns line up and a link from a parent further
 * up can run down a gutter without crossing a box).  Each parent's children
 * in a row hang from one horizontal bus in the gap above the row; a link's
 * label sits beside its own vertical drop, below the bus, where no other
 * line runs.  Children that wrap to further rows are reached by a trunk in
 * the left margin.  Sizes are fixed per box, so the figure grows with the
 * number of groups, never with the number of endpoints.
 *
 * The zone hub's tunnel runs from the hub inside the core server's cluster
 * to each zone server: out of the core box on its left, along a lane just
 * under the core row (above every bus), down the gutter beside the zone
 * server's box and into the zone server (solid orange when up, dashed red
 * when down).  It crosses lines, not text: uplink labels stay inside their
 * box's column, and the label of a link outside the tree that sits in a
 * gutter is drawn after it, on white. */
#include "viz-private.h"
#include <math.h>
#include <string.h>

#define MARGIN 28.0
#define TRUNK_W 18.0       /* left gutter for trunks to wrapped rows */
#define COL_W 236.0        /* branch, DMZ, internet and group boxes */
#define GAP_X 30.0
#define GAP_Y 84.0         /* between rows: bus, link labels */
#define PAD 10.0
#define SUB_W (COL_W - 2 * PAD)
#define SUB_H 34.0
#define SUB_GAP 6.0
#define MAX_COLS 5
#define MAX_SUB_BRANCH 4   /* subnet boxes per branch site before "+ n more" */
#define MAX_SUB_CORE 6
#define CORE_SUB_COLS 3
#define CLUSTER_W 184.0    /* core server with its zone hub */
#define CLUSTER_H 108.0
#define ARROW_W 100.0      /* room for a port label above an arrow */
#define DB_W 74.0
#define MS_W 150.0
#define ZS_H 38.0          /* zone and module server pills (two lines) */
#define ZS_DC_H 50.0       /* a zone server with its Direct Connect proxy line */
#define MS_H 34.0
#define EXT_H 46.0         /* a subnet of external clients (three lines) */
#define TUNNEL_C 0xef6c00  /* the zone hub tunnel */
#define DOWN_C 0xc62828

/* Style per role: fill, stroke, dashed. */
typedef struct {
  guint32 fill, stroke;
  gboolean dashed;
  const char *tag;
} RoleStyle;

static RoleStyle role_style(VizSiteRole r)
{
  switch (r) {
  case VIZ_SITE_CORE: return (RoleStyle){ 0xeef1f4, 0x2d3e50, FALSE, "datacenter" };
  case VIZ_SITE_DMZ: return (RoleStyle){ 0xfff3e0, 0xef6c00, TRUE, "DMZ" };
  case VIZ_SITE_INTERNET: return (RoleStyle){ 0xf3e5f5, 0x6a1b9a, TRUE, "internet" };
  default: return (RoleStyle){ 0xf7fbff, 0x0277bd, FALSE, "branch" };
  }
}

typedef struct {
  VizRect box;
  double link_x;        /* where the uplink enters the box top */
  guint row;
  guint64 leader_conns; /* leader connections over the uplink (its subtree's) */
  guint64 ext_conns;    /* external clients' connections over the uplink */
  guint nservers;       /* servers drawn in this box */
  gboolean has_db;      /* core site: the database */
  guint shown;          /* subnet boxes drawn */
  guint sub_cols;
  double servers_h;     /* height of the server area */
  double header_h;
  double subnets_h;     /* height of the subnet boxes drawn */
} GBox;

typedef struct {
  double top, h;        /* the row's band */
  double x0;            /* left edge of its first box */
  guint layer;
} Row;

typedef struct {
  VizTopo *t;
  VizCanvas *m;         /* measuring canvas */
  GBox *gb;
  GArray *rows;         /* Row */
  double w, h;          /* canvas */
  double content_w;
  double title_h;
  char **legend;        /* wrapped legend lines */
  VizRect *srv;         /* per server as drawn: the hub process (core) or the pill */
} Layout;

/* --- text helpers --------------------------------------------------------------- */

static char *summary_line(const VizGroup *g)
{
  char *cl = viz_fmt_count(g->clients);
  GString *s = g_string_new(NULL);
  if (g->nsubnets && (g->clients || !g->ext_clients))
    g_string_append_printf(s, "%s subnet%s · %s client%s", viz_n(g->nsubnets), g->nsubnets == 1 ? "" : "s", cl,
                           g->clients == 1 ? "" : "s");
  else if (g->nsubnets)
    g_string_append_printf(s, "%s subnet%s", viz_n(g->nsubnets), g->nsubnets == 1 ? "" : "s");
  else if (g->clients)
    g_string_append_printf(s, "%s client%s", cl, g->clients == 1 ? "" : "s");
  else if (!g->ext_clients)
    g_string_append(s, g->role == VIZ_SITE_CORE ? "servers only" : "no clients");
  if (g->ext_clients) {
    char *e = viz_fmt_count(g->ext_clients);
    g_string_append_printf(s, "%s%s external client%s", s->len ? " · " : "", e, g->ext_clients == 1 ? "" : "s");
    g_free(e);
  }
  g_free(cl);
  return g_string_free(s, FALSE);
}

static char *chain_line(guint32 clients, guint32 chains, guint32 refl, guint32 down, guint32 hosts,
                        gboolean isolated)
{
  GString *s = g_string_new(NULL);
  if (clients == 0) {
    g_string_append_printf(s, "%u host%s, no agents", hosts, hosts == 1 ? "" : "s");
    return g_string_free(s, FALSE);
  }
  if (isolated)
    g_string_append(s, "isolated · no peering");
  else if (chains == 0)
    g_string_append(s, "no chain");
  else {
    char *n = viz_fmt_count(chains);
    g_string_append_printf(s, "%s chain%s", n, chains == 1 ? "" : "s");
    g_free(n);
  }
  if (refl) {
    char *n = viz_fmt_count(refl);
    g_string_append_printf(s, " · %s reflected", n);
    g_free(n);
  }
  if (down) {
    char *n = viz_fmt_count(down);
    g_string_append_printf(s, " · %s down", n);
    g_free(n);
  }
  return g_string_free(s, FALSE);
}

static char *range_bps(double lo, double hi)
{
  char *a = viz_fmt_bps(lo);
  if (hi <= lo)
    return a;
  char *b = viz_fmt_bps(hi);
  char *r = g_strdup_printf("%s – %s", a, b);
  g_free(a);
  g_free(b);
  return r;
}

static char *range_time(SimTime lo, SimTime hi)
{
  char *a = viz_fmt_time(lo);
  if (hi <= lo)
    return a;
  char *b = viz_fmt_time(hi);
  char *r = g_strdup_printf("%s – %s", a, b);
  g_free(a);
  g_free(b);
  return r;
}

/* Words of s in lines no wider than maxw (NULL-terminated, g_strfreev). */
static char **wrap(VizCanvas *c, const char *s, double maxw)
{
  GPtrArray *lines = g_ptr_array_new();
  char **words = g_strsplit(s, " ", -1);
  GString *cur = g_string_new(NULL);
  for (char **wd = words; *wd; wd++) {
    if (!**wd)
      continue;
    GString *try = g_string_new(cur->str);
    if (try->len)
      g_string_append_c(try, ' ');
    g_string_append(try, *wd);
    if (cur->len && viz_text_width(c, try->str) > maxw) {
      g_ptr_array_add(lines, g_string_free(cur, FALSE));
      cur = g_string_new(*wd);
      g_string_free(try, TRUE);
    } else {
      g_string_free(cur, TRUE);
      cur = try;
    }
  }
  if (cur->len)
    g_ptr_array_add(lines, g_string_free(cur, FALSE));
  else
    g_string_free(cur, TRUE);
  g_strfreev(words);
  g_ptr_array_add(lines, NULL);
  return (char **) g_ptr_array_free(lines, FALSE);
}

/* --- layout ------------------------------------------------------------------------ */

static guint servers_in(const VizTopo *t, guint32 gi, VizServerKind kind)
{
  guint n = 0;
  for (guint i = 0; i < t->servers->len; i++) {
    const VizServer *s = &g_array_index(t->servers, VizServer, i);
    n += s->group == gi && s->kind == kind;
  }
  return n;
}

static double subnet_h(const VizSubnet *v)
{
  return v->external ? EXT_H : SUB_H;
}

static double zone_h(const VizTopo *t)
{
  return viz_topo_has_dc(t) ? ZS_DC_H : ZS_H;
}

/* Height of the subnet boxes k = 0 .. shown - 1 in rows of cols, each row
 * as tall as its tallest box, SUB_GAP after each row. */
static double subnets_height(const VizGroup *g, guint shown, guint cols)
{
  double h = 0;
  for (guint r = 0; r * cols < shown; r++) {
    double rh = 0;
    for (guint k = r * cols; k < MIN(shown, (r + 1) * cols); k++)
      rh = MAX(rh, subnet_h(&g_array_index(g->subnets, VizSubnet, k)));
    h += rh + SUB_GAP;
  }
  return h;
}

static void size_group(Layout *L, guint32 gi)
{
  const VizGroup *g = &g_array_index(L->t->groups, VizGroup, gi);
  GBox *b = &L->gb[gi];
  b->header_h = g->nsites > 1 ? 52 : 40;
  guint ncore = servers_in(L->t, gi, VIZ_SRV_CORE);
  guint nzone = servers_in(L->t, gi, VIZ_SRV_ZONE);
  guint nmod = servers_in(L->t, gi, VIZ_SRV_MODULE);
  double w = COL_W, sh = 0;
  if (ncore) {
    b->has_db = TRUE;
    /* Clusters, then the database and the module servers in a column to
     * their right, each wired to the last cluster. */
    double sw = PAD + ncore * (CLUSTER_W + 12) - 12 + ARROW_W + (nmod ? MAX(DB_W, MS_W) : DB_W) + PAD;
    w = MAX(w, sw);
    sh = MAX(CLUSTER_H, 62 + nmod * (MS_H + 8)) + 12;
  } else if (nmod) {
    sh = nmod * (ZS_H + 6) + 6;
  }
  if (nzone)
    sh += nzone * (zone_h(L->t) + 6) + 6;
  b->servers_h = sh;
  guint max_sub = ncore ? MAX_SUB_CORE : MAX_SUB_BRANCH;
  b->shown = g->nsites > 1 ? 0 : MIN(g->subnets->len, max_sub);
  b->sub_cols = ncore ? MAX(1, MIN(b->shown, CORE_SUB_COLS)) : 1;
  if (ncore)
    w = MAX(w, 2 * PAD + b->sub_cols * SUB_W + (b->sub_cols - 1) * 8);
  guint sub_rows = b->shown ? (b->shown + b->sub_cols - 1) / b->sub_cols : 0;
  b->subnets_h = subnets_height(g, b->shown, b->sub_cols);
  double h = b->header_h + sh + b->subnets_h;
  if (g->nsites > 1)
    h += SUB_H + SUB_GAP;
  if (g->subnets->len > b->shown && g->nsites == 1)
    h += 16;
  h += PAD - (sub_rows || g->nsites > 1 ? SUB_GAP : 0);
  b->box.w = w;
  b->box.h = MAX(h, 56);
}

static void layout(Layout *L, const CsVizOptions *o)
{
  VizTopo *t = L->t;
  guint n = t->groups->len;
  L->gb = g_new0(GBox, MAX(n, 1));
  for (guint i = 0; i < n; i++)
    size_group(L, i);
  /* Leader connections crossing each uplink: the subtree's leaders.  Groups
   * come layer by layer, so children follow parents. */
  for (guint i = 0; i < n; i++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, i);
    L->gb[i].leader_conns = (guint64) g->bl + g->fl;
    L->gb[i].ext_conns = g->ext_clients;
  }
  for (guint i = n; i-- > 0;) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, i);
    if (g->parent != VIZ_NONE) {
      L->gb[g->parent].leader_conns += L->gb[i].leader_conns;
      L->gb[g->parent].ext_conns += L->gb[i].ext_conns;
    }
  }
  guint max_layer_n = 0;
  double layer0_w = 0;
  for (guint i = 0; i < n;) {
    guint layer = g_array_index(t->groups, VizGroup, i).layer, k = i;
    while (k < n && g_array_index(t->groups, VizGroup, k).layer == layer)
      k++;
    if (layer == 0) {
      for (guint j = i; j < k; j++)
        layer0_w += L->gb[j].box.w + (j > i ? GAP_X : 0);
    } else {
      max_layer_n = MAX(max_layer_n, k - i);
    }
    i = k;
  }
  guint cols = MAX(1, MIN(max_layer_n, MAX_COLS));
  if (o && o->width > 0)
    cols = (guint) MAX(1.0, floor((o->width - 2 * MARGIN - TRUNK_W + GAP_X) / (COL_W + GAP_X)));
  L->content_w = MAX(layer0_w, cols * COL_W + (cols - 1) * GAP_X);
  L->w = o && o->width > 0 ? MAX(o->width, L->content_w + 2 * MARGIN + TRUNK_W) : L->content_w + 2 * MARGIN + TRUNK_W;
  L->w = MAX(L->w, 640);
  double x0 = MARGIN + TRUNK_W;
  double y = MARGIN + L->title_h;
  L->rows = g_array_new(FALSE, FALSE, sizeof(Row));
  for (guint i = 0; i < n;) {
    guint layer = g_array_index(t->groups, VizGroup, i).layer, k = i;
    while (k < n && g_array_index(t->groups, VizGroup, k).layer == layer)
      k++;
    if (layer == 0) {
      /* The core band, centred. */
      Row r = { y, 0, x0 + (L->content_w - layer0_w) / 2, 0 };
      double x = r.x0;
      for (guint j = i; j < k; j++) {
        L->gb[j].box.x = x;
        L->gb[j].box.y = y;
        L->gb[j].row = L->rows->len;
        x += L->gb[j].box.w + GAP_X;
        r.h = MAX(r.h, L->gb[j].box.h);
      }
      g_array_append_val(L->rows, r);
      y += r.h + GAP_Y;
    } else {
      for (guint j = i; j < k; j += cols) {
        Row r = { y, 0, x0, layer };
        /* Children of one parent in a left-aligned band start under it. */
        guint len = MIN(cols, k - j), shift = 0;
        guint32 p = g_array_index(t->groups, VizGroup, j).parent;
        gboolean one_parent = p != VIZ_NONE && g_array_index(t->groups, VizGroup, p).layer > 0;
        for (guint c = 1; c < len && one_parent; c++)
          one_parent = g_array_index(t->groups, VizGroup, j + c).parent == p;
        if (one_parent) {
          guint pcol = (guint) floor((L->gb[p].box.x - x0) / (COL_W + GAP_X) + 0.5);
          shift = MIN(pcol, cols - len);
        }
        for (guint c = 0; c < len; c++) {
          GBox *b = &L->gb[j + c];
          b->box.x = x0 + (c + shift) * (COL_W + GAP_X);
          b->box.y = y;
          b->row = L->rows->len;
          r.h = MAX(r.h, b->box.h);
        }
        g_array_append_val(L->rows, r);
        y += r.h + GAP_Y;
      }
    }
    i = k;
  }
  for (guint i = 0; i < n; i++)
    L->gb[i].link_x = L->gb[i].box.x + 22;
  /* The legend below the last row. */
  viz_font(L->m, 10, FALSE);
  gboolean zones = viz_topo_server(t, VIZ_SRV_ZONE, VIZ_NONE) != VIZ_NONE;
  GString *legend = g_string_new(
    "Ports: TCP 17472 — clients to the core server (registration; questions pushed to backward leaders, "
    "aggregated answers from forward leaders), peers along each chain, zone hub tunnel to zone servers, "
    "external clients to zone servers (telemetry + Direct Connect) · SQL TCP 1433 — core server to database");
  if (viz_topo_has_dc(t)) {
    g_string_append(legend, " · HTTPS TCP 443 — core server to module server · TCP 17475 — Direct Connect, "
                            "endpoints to the module server");
    if (zones)
      g_string_append(legend, " · TCP 17486 / 17487 — Direct Connect through a zone proxy (endpoints / module "
                              "server)");
  }
  g_string_append(legend, ".  Lines: solid — WAN link up; dashed red — down; dotted — links outside the tree");
  if (zones)
    g_string_append(legend, "; orange — zone hub tunnel (dashed red: down)");
  g_string_append(legend, ".");
  L->legend = wrap(L->m, legend->str, L->w - 2 * MARGIN);
  g_string_free(legend, TRUE);
  y = y - GAP_Y + 26;
  L->h = y + g_strv_length(L->legend) * 14 + MARGIN;
}

/* --- drawing ---------------------------------------------------------------------- */

static void frame(VizCanvas *c, VizRect r, RoleStyle st, gboolean stacked)
{
  cairo_t *cr = c->cr;
  if (stacked) {
    for (int k = 2; k >= 1; k--) {
      viz_round_rect(cr, r.x + 4 * k, r.y - 4 * k, r.w, r.h, 8);
      viz_rgb(cr, 0xffffff);
      cairo_fill_preserve(cr);
      viz_rgba(cr, st.stroke, 0.5);
      cairo_set_line_width(cr, 1);
      cairo_stroke(cr);
    }
  }
  viz_round_rect(cr, r.x, r.y, r.w, r.h, 8);
  viz_rgb(cr, st.fill);
  cairo_fill_preserve(cr);
  viz_rgb(cr, st.stroke);
  cairo_set_line_width(cr, 1.6);
  if (st.dashed) {
    double d[] = { 5, 4 };
    cairo_set_dash(cr, d, 2, 0);
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
}

static void pill(VizCanvas *c, double x, double y, double w, double h, guint32 fill, guint32 stroke,
                 guint32 ink, const char *text, double size, gboolean bold)
{
  viz_round_rect(c->cr, x, y, w, h, 6);
  viz_rgb(c->cr, fill);
  cairo_fill_preserve(c->cr);
  viz_rgb(c->cr, stroke);
  cairo_set_line_width(c->cr, 1);
  cairo_stroke(c->cr);
  viz_rgb(c->cr, ink);
  viz_font(c, size, bold);
  char *fit = viz_text_fit(c, text, w - 8);
  viz_text(c, x + w / 2, y + h / 2, VIZ_CENTER, VIZ_MIDDLE, fit);
  g_free(fit);
}

/* A horizontal double arrow from x0 to x1 at y with a port label above. */
static void port_arrow(VizCanvas *c, double x0, double x1, double y, const char *label, gboolean both)
{
  cairo_t *cr = c->cr;
  viz_rgb(cr, 0x333333);
  cairo_set_line_width(cr, 1.4);
  cairo_move_to(cr, x0 + (both ? 6 : 0), y);
  cairo_line_to(cr, x1 - 6, y);
  cairo_stroke(cr);
  viz_arrow_head(cr, x0, y, x1, y, 8);
  if (both)
    viz_arrow_head(cr, x1, y, x0, y, 8);
  viz_font(c, 9, FALSE);
  viz_rgb(cr, 0x333333);
  viz_text(c, (x0 + x1) / 2, y - 4, VIZ_CENTER, VIZ_BOTTOM, label);
}

static void database(VizCanvas *c, double x, double y, double w, double h)
{
  cairo_t *cr = c->cr;
  double ry = 7;
  cairo_save(cr);
  cairo_move_to(cr, x, y + ry);
  cairo_line_to(cr, x, y + h - ry);
  cairo_save(cr);
  cairo_translate(cr, x + w / 2, y + h - ry);
  cairo_scale(cr, w / 2, ry);
  cairo_arc_negative(cr, 0, 0, 1, G_PI, 0);
  cairo_restore(cr);
  cairo_line_to(cr, x + w, y + ry);
  cairo_save(cr);
  cairo_translate(cr, x + w / 2, y + ry);
  cairo_scale(cr, w / 2, ry);
  cairo_arc_negative(cr, 0, 0, 1, 0, G_PI);
  cairo_restore(cr);
  cairo_close_path(cr);
  viz_rgb(cr, 0x2d3e50);
  cairo_fill(cr);
  cairo_save(cr);
  cairo_translate(cr, x + w / 2, y + ry);
  cairo_scale(cr, w / 2, ry);
  cairo_arc(cr, 0, 0, 1, 0, 2 * G_PI);
  cairo_restore(cr);
  viz_rgb(cr, 0x4a627a);
  cairo_fill_preserve(cr);
  viz_rgb(cr, 0xffffff);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  cairo_restore(cr);
  viz_rgb(cr, 0xffffff);
  viz_font(c, 10, TRUE);
  viz_text(c, x + w / 2, y + h / 2 + 4, VIZ_CENTER, VIZ_MIDDLE, "Database");
}

static void core_cluster(VizCanvas *c, const VizServer *s, double x, double y)
{
  cairo_t *cr = c->cr;
  viz_round_rect(cr, x, y, CLUSTER_W, CLUSTER_H, 8);
  viz_rgb(cr, 0x2d3e50);
  cairo_fill_preserve(cr);
  viz_rgb(cr, 0x1b2631);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  viz_dest(c, "server", s->name, x, y);
  viz_rgb(cr, 0xffffff);
  viz_font(c, 10.5, TRUE);
  char *title = g_strdup_printf("Core server %s", s->name);
  char *fit = viz_text_fit(c, title, CLUSTER_W - 12);
  viz_text(c, x + CLUSTER_W / 2, y + 7, VIZ_CENTER, VIZ_TOP, fit);
  g_free(fit);
  g_free(title);
  double px = x + 12, pw = CLUSTER_W - 24;
  pill(c, px, y + 27, pw, 22, 0x455a64, 0xffffff, 0xffffff, "Tanium Server process", 9.5, FALSE);
  pill(c, px, y + 77, pw, 22, 0x37474f, 0xb0bec5, 0xdddddd, "Zone Server Hub process", 9.5, FALSE);
  /* Local loopback between them, as in the reference. */
  double ax = px + 26;
  viz_rgb(cr, 0xffffff);
  cairo_set_line_width(cr, 1.2);
  cairo_move_to(cr, ax, y + 50);
  cairo_line_to(cr, ax, y + 71);
  cairo_stroke(cr);
  viz_arrow_head(cr, ax, y + 50, ax, y + 76, 6);
  viz_font(c, 8.5, FALSE);
  viz_rgb(cr, 0xcfd8dc);
  viz_text(c, ax + 8, y + 63, VIZ_LEFT, VIZ_MIDDLE, "local loopback");
}

/* A pill of two or three lines: a bold title, then small lines (each may
 * have its own colour; 0 = the default ink). */
static void pill_lines(VizCanvas *c, double x, double y, double w, double h, guint32 fill, guint32 stroke,
                       gboolean dashed, guint32 ink, const char *title, const char *l2, guint32 c2, const char *l3)
{
  cairo_t *cr = c->cr;
  viz_round_rect(cr, x, y, w, h, 6);
  viz_rgb(cr, fill);
  cairo_fill_preserve(cr);
  viz_rgb(cr, stroke);
  cairo_set_line_width(cr, dashed ? 1.4 : 1);
  if (dashed) {
    double d[] = { 5, 4 };
    cairo_set_dash(cr, d, 2, 0);
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  viz_rgb(cr, ink);
  viz_font(c, 10, TRUE);
  char *fit = viz_text_fit(c, title, w - 12);
  viz_text(c, x + 6, y + 5, VIZ_LEFT, VIZ_TOP, fit);
  g_free(fit);
  viz_font(c, 9, FALSE);
  if (l2) {
    viz_rgb(cr, c2 ? c2 : ink);
    fit = viz_text_fit(c, l2, w - 12);
    viz_text(c, x + 6, l3 ? y + 19 : y + h - 5, VIZ_LEFT, l3 ? VIZ_TOP : VIZ_BOTTOM, fit);
    g_free(fit);
  }
  if (l3) {
    viz_rgb(cr, ink);
    fit = viz_text_fit(c, l3, w - 12);
    viz_text(c, x + 6, y + h - 5, VIZ_LEFT, VIZ_BOTTOM, fit);
    g_free(fit);
  }
}

static void subnet_box(VizCanvas *c, const VizTopo *t, const VizSubnet *v, double x, double y, double w)
{
  cairo_t *cr = c->cr;
  double h = subnet_h(v);
  viz_round_rect(cr, x, y, w, h, 5);
  viz_rgb(cr, 0xe1f5fe);
  cairo_fill_preserve(cr);
  viz_rgb(cr, 0x0277bd);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  char *n = viz_fmt_count(v->clients);
  char *right = v->external ? g_strdup_printf("%s external", n)
                            : g_strdup_printf("%s client%s", n, v->clients == 1 ? "" : "s");
  viz_font(c, 9.5, FALSE);
  viz_rgb(cr, 0x000000);
  VizRect rr = viz_text(c, x + w - 6, y + 5, VIZ_RIGHT, VIZ_TOP, v->clients ? right : "");
  viz_font(c, 10, TRUE);
  char *cidr = viz_text_fit(c, v->cidr, w - 12 - (v->clients ? rr.w + 6 : 0));
  viz_text(c, x + 6, y + 5, VIZ_LEFT, VIZ_TOP, cidr);
  viz_font(c, 9, FALSE);
  if (v->external) {
    /* External clients: each its own leader at its zone server, on one
     * connection that carries telemetry and Direct Connect. */
    guint32 zi = v->zone == VIZ_NONE ? VIZ_NONE : viz_topo_server(t, VIZ_SRV_ZONE, v->zone);
    char *l2 = zi == VIZ_NONE ? g_strdup("⇄ zone server · TCP 17472")
                              : g_strdup_printf("⇄ zone server %s · TCP 17472",
                                                g_array_index(t->servers, VizServer, zi).name);
    viz_rgb(cr, 0x37474f);
    char *fit = viz_text_fit(c, l2, w - 12);
    viz_text(c, x + 6, y + 19, VIZ_LEFT, VIZ_TOP, fit);
    g_free(fit);
    char *l3 = v->down ? g_strdup_printf("telemetry + Direct Connect · %s down", viz_n(v->down))
                       : g_strdup("telemetry + Direct Connect");
    viz_rgb(cr, v->down ? 0xb23c17 : 0x37474f);
    fit = viz_text_fit(c, l3, w - 12);
    viz_text(c, x + 6, y + h - 5, VIZ_LEFT, VIZ_BOTTOM, fit);
    g_free(fit);
    g_free(l3);
    g_free(l2);
  } else {
    char *line = chain_line(v->clients, v->chains, v->refl_f + v->refl_b, v->down, v->hosts,
                            v->mode == CS_SUBNET_ISOLATED);
    viz_rgb(cr, v->refl_f + v->refl_b + v->down ? 0xb23c17 : 0x37474f);
    char *fit = viz_text_fit(c, line, w - 12);
    viz_text(c, x + 6, y + h - 5, VIZ_LEFT, VIZ_BOTTOM, fit);
    g_free(fit);
    g_free(line);
  }
  g_free(cidr);
  g_free(right);
  g_free(n);
}

static const char *server_name(const VizTopo *t, guint32 i)
{
  return i < t->servers->len ? g_array_index(t->servers, VizServer, i).name : "?";
}

static void draw_group(VizCanvas *c, Layout *L, guint32 gi)
{
  const VizTopo *t = L->t;
  const VizGroup *g = &g_array_index(t->groups, VizGroup, gi);
  GBox *b = &L->gb[gi];
  RoleStyle st = role_style(g->role);
  frame(c, b->box, st, g->nsites > 1);
  viz_dest(c, g->nsites > 1 ? "group" : "site", g->nsites > 1 ? g->detail : g->name, b->box.x, b->box.y);
  cairo_t *cr = c->cr;
  double x = b->box.x + PAD, y = b->box.y + 8, w = b->box.w - 2 * PAD;
  gboolean dc = viz_topo_has_dc(t);
  /* Header: name, role tag; summary. */
  viz_font(c, 9, FALSE);
  char *tag = g->nsites > 1 ? g_strdup_printf("%s group", st.tag) : g_strdup(st.tag);
  viz_rgba(cr, st.stroke, 0.9);
  VizRect tr = viz_text(c, x + w, y + 2, VIZ_RIGHT, VIZ_TOP, tag);
  viz_font(c, 12.5, TRUE);
  viz_rgb(cr, 0x102030);
  char *name = viz_text_fit(c, g->name, w - tr.w - 8);
  viz_text(c, x, y, VIZ_LEFT, VIZ_TOP, name);
  y += 18;
  if (g->detail) {
    viz_font(c, 9, FALSE);
    viz_rgb(cr, 0x455a64);
    char *d = viz_text_fit(c, g->detail, w);
    viz_text(c, x, y, VIZ_LEFT, VIZ_TOP, d);
    g_free(d);
    y += 12;
  }
  viz_font(c, 9.5, FALSE);
  viz_rgb(cr, 0x37474f);
  char *sum = summary_line(g);
  char *sfit = viz_text_fit(c, sum, w);
  viz_text(c, x, y, VIZ_LEFT, VIZ_TOP, sfit);
  y = b->box.y + b->header_h;
  g_free(sfit);
  g_free(sum);
  g_free(name);
  g_free(tag);

  /* Servers. */
  double sx = x, sy = y;
  double last_cluster_right = -1, cluster_mid = sy + 38;
  for (guint i = 0; i < t->servers->len; i++) {
    const VizServer *s = &g_array_index(t->servers, VizServer, i);
    if (s->group != gi || s->kind != VIZ_SRV_CORE)
      continue;
    core_cluster(c, s, sx, sy);
    /* The hub process pill (core_cluster). */
    L->srv[i] = (VizRect){ sx + 12, sy + 77, CLUSTER_W - 24, 22 };
    last_cluster_right = sx + CLUSTER_W;
    sx += CLUSTER_W + 12;
  }
  if (last_cluster_right > 0) {
    double dbx = last_cluster_right + ARROW_W;
    port_arrow(c, last_cluster_right, dbx, cluster_mid, "SQL TCP 1433", TRUE);
    database(c, dbx, sy + 12, DB_W, 54);
    double my = sy + 74;
    for (guint i = 0; i < t->servers->len; i++) {
      const VizServer *s = &g_array_index(t->servers, VizServer, i);
      if (s->group != gi || s->kind != VIZ_SRV_MODULE)
        continue;
      /* Wired to the core server, under the database. */
      port_arrow(c, last_cluster_right, dbx, my + MS_H / 2, "HTTPS TCP 443", TRUE);
      viz_dest(c, "server", s->name, dbx, my);
      char *label = g_strdup_printf("Module server %s", s->name);
      pill_lines(c, dbx, my, MS_W, MS_H, 0x2d3e50, 0x1b2631, FALSE, 0xffffff, label, "Direct Connect · TCP 17475",
                 0xcfd8dc, NULL);
      L->srv[i] = (VizRect){ dbx, my, MS_W, MS_H };
      g_free(label);
      my += MS_H + 8;
    }
    sy = MAX(sy + CLUSTER_H, my - 8) + 12;
  } else {
    for (guint i = 0; i < t->servers->len; i++) {
      const VizServer *s = &g_array_index(t->servers, VizServer, i);
      if (s->group != gi || s->kind != VIZ_SRV_MODULE)
        continue;
      /* Away from the core server: what joins them. */
      viz_dest(c, "server", s->name, x, sy);
      char *label = g_strdup_printf("Module server %s", s->name);
      char *l2 = g_strdup_printf("HTTPS TCP 443 ⇄ %s · Direct Connect TCP 17475", server_name(t, s->hub));
      pill_lines(c, x, sy, w, ZS_H, 0x2d3e50, 0x1b2631, FALSE, 0xffffff, label, l2, 0xcfd8dc, NULL);
      L->srv[i] = (VizRect){ x, sy, w, ZS_H };
      g_free(l2);
      g_free(label);
      sy += ZS_H + 6;
    }
  }
  double zh = zone_h(t);
  for (guint i = 0; i < t->servers->len; i++) {
    const VizServer *s = &g_array_index(t->servers, VizServer, i);
    if (s->group != gi || s->kind != VIZ_SRV_ZONE)
      continue;
    viz_dest(c, "server", s->name, x, sy);
    char *label = g_strdup_printf("Zone server %s", s->name);
    char *l2 = g_strdup_printf("hub tunnel from %s · TCP 17472%s", server_name(t, s->hub), s->up ? "" : " · DOWN");
    pill_lines(c, x, sy, w, zh, 0xffe0b2, 0xef6c00, TRUE, 0x000000, label, l2, s->up ? 0 : DOWN_C,
               dc ? "Direct Connect proxy · TCP 17486 / 17487" : NULL);
    L->srv[i] = (VizRect){ x, sy, w, zh };
    g_free(l2);
    g_free(label);
    sy += zh + 6;
  }
  y = b->box.y + b->header_h + b->servers_h;

  /* Subnets. */
  if (g->nsites > 1) {
    /* A folded group: one stacked summary box. */
    VizSubnet v;
    memset(&v, 0, sizeof v);
    char *ns = viz_fmt_count(g->nsubnets);
    g_snprintf(v.cidr, sizeof v.cidr, "%s subnets", ns);
    g_free(ns);
    v.clients = (guint32) MIN(g->clients, G_MAXUINT32);
    v.chains = g->chains;
    v.refl_f = g->refl_f;
    v.refl_b = g->refl_b;
    v.down = g->down;
    subnet_box(c, t, &v, x, y, w);
    y += SUB_H + SUB_GAP;
  }
  double subw = b->sub_cols > 1 ? (w - (b->sub_cols - 1) * 8) / b->sub_cols : w;
  for (guint r = 0; r * b->sub_cols < b->shown; r++) {
    double rh = 0;
    for (guint k = r * b->sub_cols; k < MIN(b->shown, (r + 1) * b->sub_cols); k++) {
      const VizSubnet *v = &g_array_index(g->subnets, VizSubnet, k);
      subnet_box(c, t, v, x + (k % b->sub_cols) * (subw + 8), y, subw);
      rh = MAX(rh, subnet_h(v));
    }
    y += rh + SUB_GAP;
  }
  if (g->nsites == 1 && g->subnets->len > b->shown) {
    guint64 rest = 0;
    for (guint k = b->shown; k < g->subnets->len; k++)
      rest += g_array_index(g->subnets, VizSubnet, k).clients;
    char *rn = viz_fmt_count(rest);
    char *more = g_strdup_printf("+ %s more subnets · %s clients", viz_n(g->subnets->len - b->shown), rn);
    viz_font(c, 9.5, FALSE);
    viz_rgb(cr, 0x37474f);
    viz_text(c, x, y + 1, VIZ_LEFT, VIZ_TOP, more);
    g_free(more);
    g_free(rn);
  }
}

static double bus_y(Layout *L, guint row, guint stagger)
{
  return g_array_index(L->rows, Row, row).top - GAP_Y + 14 + 6 * (stagger % 3);
}

static void link_label(VizCanvas *c, Layout *L, guint32 gi, double by)
{
  const VizGroup *g = &g_array_index(L->t->groups, VizGroup, gi);
  GBox *b = &L->gb[gi];
  char *bw = range_bps(g->bps_min, g->bps_max);
  char *lat = range_time(g->lat_min, g->lat_max);
  char *l1 = g->nsites > 1 ? g_strdup_printf("%s links · %s · %s", viz_n(g->nsites), bw, lat)
                           : g_strdup_printf("%s · %s", bw, lat);
  /* What crosses on 17472: the hub's tunnel to zone servers below, the
   * leaders' connections, the external clients' connections. */
  GString *s2 = g_string_new("TCP 17472");
  gboolean tunnel = FALSE;
  for (guint i = 0; i < L->t->servers->len && !tunnel; i++) {
    const VizServer *s = &g_array_index(L->t->servers, VizServer, i);
    for (guint32 up = s->kind == VIZ_SRV_ZONE ? s->group : VIZ_NONE; up != VIZ_NONE && !tunnel;
         up = g_array_index(L->t->groups, VizGroup, up).parent)
      tunnel = up == gi;
  }
  if (tunnel)
    g_string_append(s2, " · hub tunnel");
  if (b->leader_conns) {
    char *n = viz_fmt_count(b->leader_conns);
    g_string_append_printf(s2, " · %s leader conn%s", n, b->leader_conns == 1 ? "" : "s");
    g_free(n);
  }
  if (b->ext_conns) {
    char *n = viz_fmt_count(b->ext_conns);
    g_string_append_printf(s2, " · %s external", n);
    g_free(n);
  }
  char *l2 = g_string_free(s2, FALSE);
  double x = b->link_x + 7, maxw = b->box.x + b->box.w - x - 2;
  double y = by + 6;
  viz_font(c, 9.5, TRUE);
  viz_rgb(c->cr, g->links_down ? 0xc62828 : 0x263238);
  char *f1 = viz_text_fit(c, l1, maxw);
  VizRect r = viz_text(c, x, y, VIZ_LEFT, VIZ_TOP, f1);
  viz_font(c, 9, FALSE);
  viz_rgb(c->cr, 0x455a64);
  char *f2 = viz_text_fit(c, l2, maxw);
  r = viz_text(c, x, r.y + r.h + 1, VIZ_LEFT, VIZ_TOP, f2);
  if (g->links_down) {
    viz_rgb(c->cr, 0xc62828);
    viz_font(c, 9, TRUE);
    char *d = g->nsites > 1 ? g_strdup_printf("%s DOWN", viz_n(g->links_down)) : g_strdup("DOWN");
    viz_text(c, x, r.y + r.h + 1, VIZ_LEFT, VIZ_TOP, d);
    g_free(d);
  }
  g_free(f1);
  g_free(f2);
  g_free(l1);
  g_free(l2);
  g_free(bw);
  g_free(lat);
}

static void set_link_style(cairo_t *cr, gboolean down)
{
  cairo_set_line_width(cr, 1.8);
  if (down) {
    viz_rgb(cr, 0xc62828);
    double d[] = { 6, 4 };
    cairo_set_dash(cr, d, 2, 0);
  } else {
    viz_rgb(cr, 0x455a64);
    cairo_set_dash(cr, NULL, 0, 0);
  }
}

static void draw_links(VizCanvas *c, Layout *L)
{
  VizTopo *t = L->t;
  cairo_t *cr = c->cr;
  guint n = t->groups->len;
  /* For each parent: its children per row; a bus per (parent, row). */
  guint stagger = 0;
  for (guint p = 0; p < n; p++) {
    GBox *pb = &L->gb[p];
    guint first_row = G_MAXUINT, last_row = 0;
    for (guint i = 0; i < n; i++) {
      if (g_array_index(t->groups, VizGroup, i).parent != p)
        continue;
      first_row = MIN(first_row, L->gb[i].row);
      last_row = MAX(last_row, L->gb[i].row);
    }
    if (first_row == G_MAXUINT)
      continue;
    double px = pb->box.x + pb->box.w / 2, pbottom = pb->box.y + pb->box.h;
    double trunk_x = MARGIN + 4 + 5 * (stagger % 3);
    double by0 = bus_y(L, first_row, stagger);
    /* From the parent down to the first bus: straight when the parent's row
     * is just above, else along the gutter right of the parent. */
    cairo_set_line_width(cr, 1.8);
    viz_rgb(cr, 0x455a64);
    cairo_move_to(cr, px, pbottom);
    if (pb->row + 1 == first_row) {
      cairo_line_to(cr, px, by0);
    } else {
      Row *pr = &g_array_index(L->rows, Row, pb->row);
      double gx = pb->box.x + pb->box.w + GAP_X / 2, gy = pr->top + pr->h + 10;
      cairo_line_to(cr, px, gy);
      cairo_line_to(cr, gx, gy);
      cairo_line_to(cr, gx, by0);
      px = gx;
    }
    cairo_stroke(cr);
    for (guint row = first_row; row <= last_row; row++) {
      double by = bus_y(L, row, stagger);
      double lo = row == first_row ? px : trunk_x, hi = lo;
      if (row == first_row && last_row > first_row)
        lo = MIN(lo, trunk_x);
      for (guint i = 0; i < n; i++) {
        if (g_array_index(t->groups, VizGroup, i).parent != p || L->gb[i].row != row)
          continue;
        lo = MIN(lo, L->gb[i].link_x);
        hi = MAX(hi, L->gb[i].link_x);
      }
      cairo_set_dash(cr, NULL, 0, 0);
      viz_rgb(cr, 0x455a64);
      cairo_set_line_width(cr, 1.8);
      cairo_move_to(cr, lo, by);
      cairo_line_to(cr, hi, by);
      cairo_stroke(cr);
      if (row > first_row) {
        cairo_move_to(cr, trunk_x, bus_y(L, row - 1, stagger));
        cairo_line_to(cr, trunk_x, by);
        cairo_stroke(cr);
      }
      for (guint i = 0; i < n; i++) {
        const VizGroup *g = &g_array_index(t->groups, VizGroup, i);
        if (g->parent != p || L->gb[i].row != row)
          continue;
        GBox *b = &L->gb[i];
        set_link_style(cr, g->links_down == g->nsites);
        cairo_move_to(cr, b->link_x, by);
        cairo_line_to(cr, b->link_x, b->box.y - 7);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        viz_arrow_head(cr, b->link_x, by, b->link_x, b->box.y, 7);
        link_label(c, L, i, by);
      }
    }
    stagger++;
  }
  cairo_set_dash(cr, NULL, 0, 0);
}

/* Links outside the tree, drawn after the tunnels: their labels sit on a
 * white ground, over any line that runs down the same gutter. */
static void draw_other_links(VizCanvas *c, Layout *L)
{
  VizTopo *t = L->t;
  cairo_t *cr = c->cr;
  /* Links outside the tree, dotted: between two boxes of one row an arc
   * under the row; else a line from the upper box's bottom to the lower
   * box's top.  The label sits on a white ground at the middle, moved down
   * until it is clear of other text. */
  for (guint i = 0; i < t->links->len; i++) {
    const VizLink *k = &g_array_index(t->links, VizLink, i);
    GBox *ga = &L->gb[k->a], *gb = &L->gb[k->b];
    if (ga->row > gb->row || (ga->row == gb->row && ga->box.x > gb->box.x)) {
      GBox *tmp = ga;
      ga = gb;
      gb = tmp;
    }
    VizRect a = ga->box, b = gb->box;
    double mx, my;
    if (ga->row == gb->row) {
      double x0 = a.x + a.w * 0.75, x1 = b.x + b.w * 0.25, y0 = a.y + a.h, y1 = b.y + b.h;
      double ybot = MAX(y0, y1) + 12 + 4 * (i % 2);
      cairo_move_to(cr, x0, y0);
      cairo_curve_to(cr, x0, ybot, x1, ybot, x1, y1);
      mx = (x0 + x1) / 2;
      my = MAX(y0, y1) + 0.75 * (ybot - MAX(y0, y1)) + 2;
    } else {
      double x0 = a.x + a.w * 0.75, y0 = a.y + a.h, x1 = b.x + b.w * 0.75, y1 = b.y;
      cairo_move_to(cr, x0, y0);
      cairo_line_to(cr, x1, y1);
      mx = (x0 + x1) / 2;
      my = (y0 + y1) / 2;
    }
    cairo_set_line_width(cr, 1.6);
    viz_rgb(cr, k->up ? 0x607d8b : 0xc62828);
    double d[] = { 2, 3 };
    cairo_set_dash(cr, d, 2, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    char *bw = viz_fmt_bps(k->bps), *lat = viz_fmt_time(k->lat);
    char *label = k->count > 1 ? g_strdup_printf("%s × %s · %s%s", viz_n(k->count), bw, lat, k->up ? "" : " · DOWN")
                               : g_strdup_printf("%s · %s%s", bw, lat, k->up ? "" : " · DOWN");
    viz_font(c, 9, FALSE);
    VizRect r = viz_text_box(c, mx, my, VIZ_CENTER, VIZ_TOP, label);
    r.x = CLAMP(r.x, MARGIN, L->w - MARGIN - r.w);
    for (int tries = 0; tries < 12 && !viz_text_free(c, r); tries++)
      r.y += r.h + 2;
    cairo_rectangle(cr, r.x - 2, r.y, r.w + 4, r.h);
    viz_rgb(cr, 0xffffff);
    cairo_fill(cr);
    viz_rgb(cr, k->up ? 0x37474f : 0xc62828);
    viz_text(c, r.x, r.y, VIZ_LEFT, VIZ_TOP, label);
    g_free(label);
    g_free(bw);
    g_free(lat);
  }
}

/* The zone hub's tunnel to each zone server: down out of the hub process,
 * under the cluster, out of the core box on its left, along a lane under
 * the core row, down the gutter beside the zone server's box and into the
 * zone server.  Solid orange when up, dashed red when down. */
static void draw_tunnels(VizCanvas *c, Layout *L)
{
  VizTopo *t = L->t;
  cairo_t *cr = c->cr;
  guint *from_hub = g_new0(guint, MAX(t->servers->len, 1));
  guint j = 0;
  for (guint i = 0; i < t->servers->len; i++) {
    const VizServer *s = &g_array_index(t->servers, VizServer, i);
    if (s->kind != VIZ_SRV_ZONE || s->hub >= t->servers->len)
      continue;
    const VizServer *hub = &g_array_index(t->servers, VizServer, s->hub);
    VizRect H = L->srv[s->hub], Z = L->srv[i];
    if (hub->kind != VIZ_SRV_CORE || H.w <= 0 || Z.w <= 0)
      continue;
    GBox *hb = &L->gb[hub->group], *zb = &L->gb[s->group];
    guint k = from_hub[s->hub]++;
    double gx = hb->box.x - 8 - 4 * (j % 3);
    double zy = Z.y + Z.h / 2;
    cairo_new_path(cr);
    if (H.x < hb->box.x + PAD + 12 + 1) {
      /* The first cluster: straight out of the hub process's left side. */
      double hy = H.y + H.h / 2 + 3 * (k % 3) - 3;
      cairo_move_to(cr, H.x, hy);
      cairo_line_to(cr, gx, hy);
    } else {
      /* Further clusters: down out of the hub process, left under the
       * clusters (the gap above the subnet boxes). */
      double ex = H.x + H.w - 14 - 5 * (k % 4);
      double y1 = H.y + H.h + (CLUSTER_H - 99) + 4 + 3 * (k % 2);
      cairo_move_to(cr, ex, H.y + H.h);
      cairo_line_to(cr, ex, y1);
      cairo_line_to(cr, gx, y1);
    }
    double fx, tx; /* the last segment: from fx to tx at zy */
    if (s->group == hub->group) {
      fx = gx;
      tx = Z.x;
    } else {
      Row *hr = &g_array_index(L->rows, Row, hb->row);
      double lane = hr->top + hr->h + 5 + 4 * (j % 3);
      /* The gutter left of the zone server's box, or right of it in the
       * first column (the left margin holds the trunks) or where the core
       * box's own line comes down that gutter. */
      double drop = hb->box.x + hb->box.w / 2; /* the core box's own line down to its bus */
      gboolean left = zb->box.x > MARGIN + TRUNK_W + 1 && fabs(zb->box.x - 9 - drop) > 8;
      fx = left ? zb->box.x - 9 - 3 * (j % 2) : zb->box.x + zb->box.w + 9 + 3 * (j % 2);
      tx = left ? Z.x : Z.x + Z.w;
      cairo_line_to(cr, gx, lane);
      cairo_line_to(cr, fx, lane);
    }
    cairo_line_to(cr, fx, zy);
    cairo_line_to(cr, tx + (tx > fx ? -6 : 6), zy);
    cairo_set_line_width(cr, 1.8);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    viz_rgb(cr, s->up ? TUNNEL_C : DOWN_C);
    if (!s->up) {
      double d[] = { 6, 4 };
      cairo_set_dash(cr, d, 2, 0);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    viz_arrow_head(cr, fx, zy, tx, zy, 8);
    j++;
  }
  g_free(from_hub);
}

static void draw_title(VizCanvas *c, Layout *L, const char *title)
{
  VizTopo *t = L->t;
  cairo_t *cr = c->cr;
  viz_rgb(cr, 0x102030);
  viz_font(c, 17, TRUE);
  viz_text(c, MARGIN, MARGIN, VIZ_LEFT, VIZ_TOP, title);
  guint32 nsub = 0, chains = 0, bl = 0, fl = 0, refl = 0, down = 0;
  for (guint i = 0; i < t->groups->len; i++) {
    const VizGroup *g = &g_array_index(t->groups, VizGroup, i);
    nsub += g->nsubnets;
    chains += g->chains;
    bl += g->bl;
    fl += g->fl;
    refl += g->refl_f + g->refl_b;
    down += g->down;
  }
  guint ncore = 0, nzone = 0, nmod = 0;
  for (guint i = 0; i < t->servers->len; i++) {
    VizServerKind k = g_array_index(t->servers, VizServer, i).kind;
    ncore += k == VIZ_SRV_CORE;
    nzone += k == VIZ_SRV_ZONE;
    nmod += k == VIZ_SRV_MODULE;
  }
  char *ep = viz_fmt_count(t->clients), *ns = viz_fmt_count(t->sites), *nb = viz_fmt_count(nsub);
  char *at = viz_fmt_time(t->now);
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "%s endpoint%s · %s site%s · %s subnet%s · %u core server%s", ep,
                         t->clients == 1 ? "" : "s", ns, t->sites == 1 ? "" : "s", nb, nsub == 1 ? "" : "s", ncore,
                         ncore == 1 ? "" : "s");
  if (nzone)
    g_string_append_printf(s, " · %u zone server%s", nzone, nzone == 1 ? "" : "s");
  if (nmod)
    g_string_append_printf(s, " · %u module server%s", nmod, nmod == 1 ? "" : "s");
  g_string_append_printf(s, " · state at t = %s", at);
  viz_font(c, 10.5, FALSE);
  viz_rgb(cr, 0x37474f);
  viz_text(c, MARGIN, MARGIN + 24, VIZ_LEFT, VIZ_TOP, s->str);
  g_string_truncate(s, 0);
  char *nc = viz_fmt_count(chains), *nbl = viz_fmt_count(bl), *nfl = viz_fmt_count(fl), *nr = viz_fmt_count(refl);
  g_string_append_printf(s, "%s chain%s · %s backward and %s forward leaders · %s reflection%s", nc,
                         chains == 1 ? "" : "s", nbl, nfl, nr, refl == 1 ? "" : "s");
  if (down) {
    char *nd = viz_fmt_count(down);
    g_string_append_printf(s, " · %s client%s down", nd, down == 1 ? "" : "s");
    g_free(nd);
  }
  if (t->folded) {
    char *nf = viz_fmt_count(t->folded);
    g_string_append_printf(s, " · %s alike branch sites folded into groups", nf);
    g_free(nf);
  }
  char *fit = viz_text_fit(c, s->str, L->w - 2 * MARGIN);
  viz_text(c, MARGIN, MARGIN + 39, VIZ_LEFT, VIZ_TOP, fit);
  g_free(fit);
  g_string_free(s, TRUE);
  g_free(nc);
  g_free(nbl);
  g_free(nfl);
  g_free(nr);
  g_free(ep);
  g_free(ns);
  g_free(nb);
  g_free(at);
}

gboolean viz_topology_draw(VizTopo *t, const char *path, const CsVizOptions *o, GError **err)
{
  Layout L = { 0 };
  L.t = t;
  L.m = viz_measure_new(o);
  L.title_h = 62;
  L.srv = g_new0(VizRect, MAX(t->servers->len, 1));
  layout(&L, o);
  const char *title = o && o->title ? o->title : "Topology";
  VizCanvas *c = viz_canvas_new(path, L.w, L.h, title, o, err);
  gboolean ok = FALSE;
  if (c) {
    draw_title(c, &L, title);
    for (guint i = 0; i < t->groups->len; i++)
      draw_group(c, &L, i);
    draw_links(c, &L);
    draw_tunnels(c, &L);
    draw_other_links(c, &L);
    viz_font(c, 10, FALSE);
    viz_rgb(c->cr, 0x37474f);
    double y = L.h - MARGIN - g_strv_length(L.legend) * 14;
    for (char **l = L.legend; *l; l++, y += 14)
      viz_text(c, MARGIN, y, VIZ_LEFT, VIZ_TOP, *l);
    ok = viz_canvas_commit(c, err);
  }
  g_strfreev(L.legend);
  g_array_free(L.rows, TRUE);
  g_free(L.gb);
  g_free(L.srv);
  viz_canvas_free(L.m);
  return ok;
}

gboolean cs_viz_topology(CsWorld *w, const char *path, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  if (!viz_check_figure_format(path, err))
    return FALSE;
  VizTopo *t = viz_topo_new(w, o ? o->max_sites : 0);
  gboolean ok = viz_topology_draw(t, path, o, err);
  viz_topo_free(t);
  return ok;
}

gboolean cs_viz_diagram(CsWorld *w, const char *path, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  CsVizFormat f = cs_viz_format_of(path);
  if (f == CS_VIZ_FORMAT_MERMAID || f == CS_VIZ_FORMAT_DOT) {
    VizTopo *t = viz_topo_new(w, o ? o->max_sites : 0);
    char *text = f == CS_VIZ_FORMAT_MERMAID ? viz_topo_mermaid(t) : viz_topo_dot(t);
    gboolean ok = viz_write_text(path, text, err);
    g_free(text);
    viz_topo_free(t);
    return ok;
  }
  if (f == CS_VIZ_FORMAT_NONE) {
    g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT,
                "unsupported figure format: '%s' (expected .png, .svg, .pdf, .mmd or .dot)", path);
    return FALSE;
  }
  return cs_viz_topology(w, path, o, err);
}
