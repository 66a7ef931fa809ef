/* test_viz.c — figures and text exports (viz/).
 *
 * Each figure renders to PNG, SVG and PDF for a ~2,000-endpoint enterprise
 * (datacenter with the core server, a module server and an isolated VPN
 * subnet, headquarters, six branches, a DMZ with a zone server, external
 * clients on the internet, a firewall splitting one chain, a crashed client,
 * questions) and for 10^5 endpoints (400 branch sites of 250 clients): files
 * carry their format's signature and a non-trivial size; PNG plot areas are
 * not blank.  All of it is built with the models' own calls
 * (cs_world_add_zone_server, cs_world_add_module_server,
 * cs_world_add_external_clients), as a scenario would.
 *
 * A world shaped like the reference architecture (shared/reference: core
 * server cluster with its zone hub, database, module server; DMZ with a zone
 * server; a LAN subnet of four; roaming clients) must export to Mermaid with
 * the reference's subgraphs, nesting, edge kinds and edge labels, and draw
 * its hub tunnel solid while up and dashed (marked DOWN) once cut.
 *
 * Labels: Cairo's SVG surface draws text as glyph outlines (<symbol> paths
 * and one <use> per glyph), so an SVG holds no searchable text.  Figures
 * therefore report every label they draw with its box (CsVizOptions.labels);
 * the tests check the expected labels there, check that no two labels
 * overlap, and tie the SVG to them by counting its glyph uses (one per
 * character drawn).  PDFs carry named destinations (Cairo's CAIRO_TAG_DEST)
 * for sites, servers and leaders, which appear as plain strings.
 *
 * Mermaid and DOT must name every site and server; DOT must lay out with
 * `dot -Tsvg` (skipped with a message when Graphviz is absent).  A small
 * fixed world's PNGs must match the ones in tests/reference/ within a tolerance for
 * font rendering (fewer than 1 % of pixels off by more than 64 levels);
 * CHAINSIM_UPDATE_REFERENCE=1 rewrites them.  CHAINSIM_KEEP_FIGURES=1 keeps
 * the figures of a run (the folder is printed). */
#include "worldutil.h"
#include "viz.h"
#include "viz-private.h"
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

static char *outdir;

static char *out_path(const char *name)
{
  return g_build_filename(outdir, name, NULL);
}

/* --- worlds ------------------------------------------------------------------------ */

typedef struct {
  TestWorld t;
  guint32 branch3_subnet, branch3_site, hq_site, vpn_subnet, ext_subnet;
  guint32 first_branch3, first_ext;
  SimNodeId zs, ms;
  const char *sites[16];
  guint nsites;
} Enterprise;

static guint32 add_subnet(TestWorld *t, guint32 site, const char *cidr, guint32 clients)
{
  guint32 base;
  guint8 prefix;
  g_assert(sim_cidr_parse(cidr, &base, &prefix));
  guint32 s = sim_subnet_add(t->sim, site, base, prefix, 1e9, 100 * SIM_US, NULL);
  g_assert(s != SIM_NONE);
  g_assert(cs_world_add_clients(t->w, s, clients, NULL) != G_MAXUINT32);
  return s;
}

static void fw_block(Sim *sim, const char *a, const char *b)
{
  SimFwRule r = { 0 };
  guint8 p;
  sim_cidr_parse(a, &r.src, &p);
  r.src_mask = sim_prefix_mask(p);
  sim_cidr_parse(b, &r.dst, &p);
  r.dst_mask = sim_prefix_mask(p);
  r.port = CS_PORT_CLIENT;
  r.both = TRUE;
  r.action = SIM_FW_DROP;
  sim_fw_add(sim, &r);
}

/* The DMZ's zone server (hub: the core server) and the internet's subnet of
 * n external clients behind it, as tests/test_zone.c builds them. */
static SimNodeId add_zone(TestWorld *t, guint32 dmz, const char *name)
{
  SimNodeId zs = cs_world_add_zone_server(t->w, name, cs_world_infra_subnet(t->w, dmz, NULL), 0, t->server, NULL);
  g_assert(zs != SIM_NODE_NONE);
  return zs;
}

static guint32 add_external(TestWorld *t, guint32 site, const char *cidr, guint32 n, SimNodeId zs, guint32 *first)
{
  guint32 base;
  guint8 prefix;
  g_assert(sim_cidr_parse(cidr, &base, &prefix));
  guint32 s = sim_subnet_add(t->sim, site, base, prefix, 50e6, 5 * SIM_MS, NULL);
  g_assert(s != SIM_NONE);
  guint32 f = cs_world_add_external_clients(t->w, s, n, zs, NULL);
  g_assert(f != G_MAXUINT32);
  if (first)
    *first = f;
  return s;
}

static SimNodeId add_module(TestWorld *t, const char *name)
{
  SimNodeId ms = cs_world_add_module_server(t->w, name, cs_world_infra_subnet(t->w, t->dc, NULL), 0, t->server, TRUE,
                                            NULL);
  g_assert(ms != SIM_NODE_NONE);
  return ms;
}

/* 2,100 endpoints: the default scenario's shape built in C. */
static Enterprise *enterprise(void)
{
  static Enterprise *e;
  if (e)
    return e;
  e = g_new0(Enterprise, 1);
  TestWorld *t = &e->t;
  tw_init(t, NULL, 7);
  Sim *sim = t->sim;
  e->sites[e->nsites++] = "datacenter";
  e->vpn_subnet = add_subnet(t, t->dc, "10.200.0.0/22", 300);
  cs_world_subnet_mode(t->w, e->vpn_subnet, CS_SUBNET_ISOLATED);
  add_subnet(t, t->dc, "10.1.0.0/24", 100);
  e->ms = add_module(t, "ms1");
  guint32 dmz = sim_site_add(sim, "dmz");
  sim_wan_add(sim, dmz, t->dc, 10e9, 1 * SIM_MS, 0);
  e->zs = add_zone(t, dmz, "zs1");
  e->sites[e->nsites++] = "dmz";
  e->hq_site = sim_site_add(sim, "headquarters");
  sim_wan_add(sim, e->hq_site, t->dc, 1e9, 5 * SIM_MS, 0);
  e->sites[e->nsites++] = "headquarters";
  add_subnet(t, e->hq_site, "10.10.0.0/24", 250);
  add_subnet(t, e->hq_site, "10.10.1.0/24", 250);
  add_subnet(t, e->hq_site, "10.10.2.0/24", 200);
  static const char *names[] = { "branch-1", "branch-2", "branch-3", "branch-4", "branch-5", "branch-6" };
  static const double bw[] = { 20e6, 20e6, 50e6, 10e6, 20e6, 100e6 };
  for (int i = 0; i < 6; i++) {
    char cidr[32];
    g_snprintf(cidr, sizeof cidr, "10.%d.0.0/24", i + 21);
    guint32 first;
    guint32 s = tw_branch(t, names[i], cidr, 150, bw[i], (20 + 5 * i) * SIM_MS, &first);
    e->sites[e->nsites++] = names[i];
    if (i == 2) {
      e->branch3_subnet = s;
      e->branch3_site = sim_subnet_site(sim, s);
      e->first_branch3 = first;
    }
  }
  guint32 inet = sim_site_add(sim, "internet");
  sim_wan_add(sim, inet, dmz, 1e9, 40 * SIM_MS, 0);
  e->ext_subnet = add_external(t, inet, "198.18.0.0/24", 100, e->zs, &e->first_ext);
  /* A site-to-site link outside the tree (no route uses it: longer). */
  sim_wan_add(sim, sim_subnet_site(sim, e->branch3_subnet) - 2, sim_subnet_site(sim, e->branch3_subnet) - 1, 100e6,
              20 * SIM_MS, 0);
  e->sites[e->nsites++] = "internet";
  /* A firewall splits branch-3's chain at .128: .127 reflects forward,
   * .128 backward (no candidate on the far side is reachable). */
  fw_block(sim, "10.23.0.0/25", "10.23.0.128/25");
  guint32 os = cs_world_sensor(t->w, "Operating System");
  for (guint32 k = 0; k < cs_world_client_count(t->w); k++)
    cs_world_sensor_set(t->w, os, k, k % 10 < 7 ? "Windows 11" : "Ubuntu 24.04");
  CsTarget all = { CS_TARGET_ALL, 0 };
  CsTarget b3 = { CS_TARGET_SITE, e->branch3_site };
  cs_world_ask(t->w, 290 * SIM_S, os, CS_Q_COUNT, &all, 1, NULL);
  cs_world_ask(t->w, 330 * SIM_S, os, CS_Q_COUNT, &b3, 1, NULL);
  sim_run_until(sim, 280 * SIM_S);
  /* One client of branch-2 crashes mid-chain (VPN 300, datacenter 100,
   * headquarters 700, branch-1 150, then branch-2's 41st). */
  sim_node_crash(sim, cs_world_client_node(t->w, 300 + 100 + 700 + 150 + 40));
  sim_run_until(sim, 340 * SIM_S);
  /* branch-6's WAN link fails. */
  guint32 b6 = sim_subnet_site(sim, e->branch3_subnet) + 3;
  for (guint32 l = 0; l < sim_link_count(sim); l++)
    if (sim_link_kind(sim, l) == SIM_LINK_WAN && sim_link_site_a(sim, l) == b6)
      sim_wan_set_up(sim, l, FALSE);
  sim_run_until(sim, 360 * SIM_S);
  g_assert_cmpuint(cs_world_client_count(t->w), ==, 2100);
  g_assert(cs_zone_tunnel_up(t->w, 0));
  return e;
}

/* 10^5 endpoints: 400 branch sites of 250 clients.  Addresses above the
 * server's 100.64.0.0/10 keep the kernel's address index appended in order
 * (see the report: sim_node_add re-sorts it on every out-of-order add). */
static TestWorld *big_world(double *build_s)
{
  static TestWorld *t;
  static double secs;
  if (t) {
    *build_s = secs;
    return t;
  }
  GTimer *timer = g_timer_new();
  t = g_new0(TestWorld, 1);
  tw_init(t, NULL, 3);
  for (guint i = 0; i < 400; i++) {
    char name[32], cidr[32];
    g_snprintf(name, sizeof name, "branch-%u", i + 1);
    g_snprintf(cidr, sizeof cidr, "172.%u.%u.0/24", 16 + i / 256, i % 256);
    tw_branch(t, name, cidr, 250, 20e6, 30 * SIM_MS, NULL);
  }
  guint32 os = cs_world_sensor(t->w, "Operating System");
  for (guint32 k = 0; k < cs_world_client_count(t->w); k++)
    cs_world_sensor_set(t->w, os, k, "Windows 11");
  /* One site's worth of targets: a question to all 10^5 costs the models
   * about 110 events per client (18 s here), more than this test needs. */
  CsTarget one = { CS_TARGET_SITE, 1 };
  cs_world_ask(t->w, 90 * SIM_S, os, CS_Q_COUNT, &one, 1, NULL);
  sim_run_until(t->sim, 2 * SIM_MIN);
  secs = g_timer_elapsed(timer, NULL);
  g_timer_destroy(timer);
  *build_s = secs;
  return t;
}

/* --- file checks ---------------------------------------------------------------------- */

static gboolean has_prefix_bytes(const char *data, gsize len, const char *p, gsize plen)
{
  return len >= plen && memcmp(data, p, plen) == 0;
}

static guint count_substr(const char *hay, const char *needle)
{
  guint n = 0;
  gsize nl = strlen(needle);
  for (const char *p = strstr(hay, needle); p; p = strstr(p + nl, needle))
    n++;
  return n;
}

static gboolean contains(const char *data, gsize len, const char *needle)
{
  gsize n = strlen(needle);
  for (gsize i = 0; i + n <= len; i++)
    if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

static guint label_chars(const CsVizLabels *l)
{
  guint n = 0;
  for (guint i = 0; i < cs_viz_labels_count(l); i++)
    n += (guint) g_utf8_strlen(cs_viz_labels_get(l, i)->text, -1);
  return n;
}

/* Fraction of non-white pixels inside the central part of a PNG. */
static double ink_fraction(const char *png)
{
  cairo_surface_t *s = cairo_image_surface_create_from_png(png);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return -1;
  }
  int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  int stride = cairo_image_surface_get_stride(s);
  const unsigned char *d = cairo_image_surface_get_data(s);
  guint64 ink = 0, all = 0;
  for (int y = h / 5; y < h * 4 / 5; y++)
    for (int x = w / 5; x < w * 4 / 5; x++) {
      guint32 px = *(const guint32 *) (d + y * stride + x * 4);
      all++;
      ink += (px & 0xffffff) != 0xffffff;
    }
  cairo_surface_destroy(s);
  return all ? (double) ink / all : 0;
}

typedef gboolean (*FigureFn)(CsWorld *w, const char *path, const CsVizOptions *o, GError **err, gpointer data);

static gboolean fig_topology(CsWorld *w, const char *p, const CsVizOptions *o, GError **e, gpointer d)
{
  return cs_viz_topology(w, p, o, e);
}
static gboolean fig_chains(CsWorld *w, const char *p, const CsVizOptions *o, GError **e, gpointer d)
{
  return cs_viz_chains(w, p, d, o, e);
}
static gboolean fig_bandwidth(CsWorld *w, const char *p, const CsVizOptions *o, GError **e, gpointer d)
{
  return cs_viz_bandwidth(w, p, 4, o, e);
}
static gboolean fig_answers(CsWorld *w, const char *p, const CsVizOptions *o, GError **e, gpointer d)
{
  return cs_viz_answers(w, p, o, e);
}
static gboolean fig_load(CsWorld *w, const char *p, const CsVizOptions *o, GError **e, gpointer d)
{
  return cs_viz_server_load(w, p, o, e);
}

static const struct {
  const char *name;
  FigureFn fn;
} figures[] = {
  { "topology", fig_topology }, { "chains", fig_chains }, { "bandwidth", fig_bandwidth },
  { "answers", fig_answers },   { "load", fig_load },
};

/* Renders one figure in the three formats and checks the files.  Returns the
 * labels of the PNG rendering (the same layout as the others). */
static CsVizLabels *render_all(CsWorld *w, const char *prefix, guint fi, gpointer data, const char **pdf_dests,
                               guint ndests)
{
  static const char *ext[] = { "png", "svg", "pdf" };
  CsVizLabels *labels = NULL;
  guint chars = 0;
  for (int k = 0; k < 3; k++) {
    char *name = g_strdup_printf("%s-%s.%s", prefix, figures[fi].name, ext[k]);
    char *path = out_path(name);
    CsVizOptions o;
    cs_viz_options_default(&o);
    CsVizLabels *l = cs_viz_labels_new();
    o.labels = l;
    GError *err = NULL;
    gboolean ok = figures[fi].fn(w, path, &o, &err, data);
    if (!ok)
      fprintf(stderr, "%s: %s\n", name, err ? err->message : "?");
    CU_ASSERT_FATAL(ok);
    char *buf = NULL;
    gsize len = 0;
    CU_ASSERT_FATAL(g_file_get_contents(path, &buf, &len, NULL));
    CU_ASSERT(len > 3000);
    CU_ASSERT(cs_viz_labels_count(l) > 5);
    if (k == 0) {
      CU_ASSERT(has_prefix_bytes(buf, len, "\x89PNG\r\n\x1a\n", 8));
      double ink = ink_fraction(path);
      if (ink < 0.01)
        fprintf(stderr, "%s: ink %.4f\n", name, ink);
      CU_ASSERT(ink >= 0.01);
      labels = l;
      chars = label_chars(l);
      l = NULL;
    } else if (k == 1) {
      CU_ASSERT(has_prefix_bytes(buf, len, "<?xml", 5));
      CU_ASSERT(strstr(buf, "<svg") != NULL);
      CU_ASSERT(g_str_has_suffix(g_strchomp(buf), "</svg>"));
      /* One glyph use per character of every label: the SVG holds exactly
       * the text the figure reports. */
      guint uses = count_substr(buf, "<use xlink:href=\"#glyph");
      if (uses != chars)
        fprintf(stderr, "%s: %u glyph uses, %u label characters\n", name, uses, chars);
      CU_ASSERT_EQUAL(uses, chars);
      /* Same layout in every format. */
      CU_ASSERT_EQUAL(cs_viz_labels_count(l), cs_viz_labels_count(labels));
    } else {
      CU_ASSERT(has_prefix_bytes(buf, len, "%PDF-", 5));
      CU_ASSERT(contains(buf, len, "%%EOF"));
      for (guint i = 0; i < ndests; i++) {
        char *needle = g_strdup_printf("(%s)", pdf_dests[i]);
        if (!contains(buf, len, needle))
          fprintf(stderr, "%s: no destination %s\n", name, needle);
        CU_ASSERT(contains(buf, len, needle));
        g_free(needle);
      }
    }
    cs_viz_labels_free(l);
    g_free(buf);
    g_free(path);
    g_free(name);
  }
  return labels;
}

static void assert_no_overlap(const CsVizLabels *l, const char *what)
{
  guint a, b;
  gboolean over = cs_viz_labels_overlap(l, 0.5, &a, &b);
  if (over) {
    const CsVizLabel *x = cs_viz_labels_get(l, a), *y = cs_viz_labels_get(l, b);
    fprintf(stderr, "%s: '%s' (%.1f,%.1f %.1fx%.1f) overlaps '%s' (%.1f,%.1f %.1fx%.1f)\n", what, x->text, x->x, x->y,
            x->w, x->h, y->text, y->x, y->y, y->w, y->h);
  }
  CU_ASSERT_FALSE(over);
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_format_by_extension(void)
{
  CU_ASSERT_EQUAL(cs_viz_format_of("a/b.png"), CS_VIZ_FORMAT_PNG);
  CU_ASSERT_EQUAL(cs_viz_format_of("B.SVG"), CS_VIZ_FORMAT_SVG);
  CU_ASSERT_EQUAL(cs_viz_format_of("x.pdf"), CS_VIZ_FORMAT_PDF);
  CU_ASSERT_EQUAL(cs_viz_format_of("t.mmd"), CS_VIZ_FORMAT_MERMAID);
  CU_ASSERT_EQUAL(cs_viz_format_of("t.gv"), CS_VIZ_FORMAT_DOT);
  CU_ASSERT_EQUAL(cs_viz_format_of("t.gif"), CS_VIZ_FORMAT_NONE);
  CU_ASSERT_EQUAL(cs_viz_format_of("dir.png/noext"), CS_VIZ_FORMAT_NONE);
  CU_ASSERT_EQUAL(cs_viz_format_of(".png"), CS_VIZ_FORMAT_NONE);
  Enterprise *e = enterprise();
  char *path = out_path("figure.gif");
  GError *err = NULL;
  CU_ASSERT_FALSE(cs_viz_topology(e->t.w, path, NULL, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT));
  CU_ASSERT(err && strstr(err->message, "unsupported figure format") != NULL);
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_viz_bandwidth(e->t.w, path, 3, NULL, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT));
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_viz_diagram(e->t.w, path, NULL, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT));
  g_clear_error(&err);
  CU_ASSERT_FALSE(g_file_test(path, G_FILE_TEST_EXISTS));
  g_free(path);
}

static guint dir_entries(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  guint n = 0;
  while (g_dir_read_name(d))
    n++;
  g_dir_close(d);
  return n;
}

/* A figure that cannot be drawn or written leaves the destination as it was
 * and no temporary behind. */
static void test_whole_or_nothing(void)
{
  Enterprise *e = enterprise();
  char *dir = out_path("atomic");
  g_mkdir(dir, 0755);
  char *path = g_build_filename(dir, "topology.png", NULL);
  CU_ASSERT(g_file_set_contents(path, "old", 3, NULL));
  CsVizOptions o;
  cs_viz_options_default(&o);
  o.width = 40000; /* beyond Cairo's image surface limit */
  GError *err = NULL;
  CU_ASSERT_FALSE(cs_viz_topology(e->t.w, path, &o, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_CAIRO));
  g_clear_error(&err);
  char *buf = NULL;
  CU_ASSERT(g_file_get_contents(path, &buf, NULL, NULL) && strcmp(buf, "old") == 0);
  g_free(buf);
  CU_ASSERT_EQUAL(dir_entries(dir), 1);
  /* A folder that does not exist. */
  char *missing = g_build_filename(dir, "no-such-dir", "chains.svg", NULL);
  CU_ASSERT_FALSE(cs_viz_chains(e->t.w, missing, NULL, NULL, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_WRITE));
  CU_ASSERT(err && strstr(err->message, "no-such-dir") != NULL);
  g_clear_error(&err);
  /* And a success replaces the old file whole. */
  CU_ASSERT(cs_viz_topology(e->t.w, path, NULL, NULL));
  CU_ASSERT(g_file_get_contents(path, &buf, NULL, NULL) && memcmp(buf, "\x89PNG", 4) == 0);
  g_free(buf);
  CU_ASSERT_EQUAL(dir_entries(dir), 1);
  g_free(missing);
  g_free(path);
  g_free(dir);
}

static void test_enterprise_figures(void)
{
  Enterprise *e = enterprise();
  const char *topo_dests[] = { "site:datacenter", "site:dmz",   "site:headquarters", "site:branch-1", "site:branch-6",
                               "site:internet",   "server:ts1", "server:zs1",        "server:ms1" };
  const char *chain_dests[] = { "leader:10.23.0.1", "leader:10.23.0.128", "subnet:10.23.0.0/24" };
  for (guint fi = 0; fi < G_N_ELEMENTS(figures); fi++) {
    CsTarget scope = { CS_TARGET_ALL, 0 };
    const char **dests = fi == 0 ? topo_dests : fi == 1 ? chain_dests : NULL;
    guint nd = fi == 0 ? G_N_ELEMENTS(topo_dests) : fi == 1 ? G_N_ELEMENTS(chain_dests) : 0;
    CsVizLabels *l = render_all(e->t.w, "enterprise", fi, &scope, dests, nd);
    switch (fi) {
    case 0:
      for (guint i = 0; i < e->nsites; i++) {
        if (!cs_viz_labels_has(l, e->sites[i], TRUE))
          fprintf(stderr, "topology: no label %s\n", e->sites[i]);
        CU_ASSERT(cs_viz_labels_has(l, e->sites[i], TRUE));
      }
      CU_ASSERT(cs_viz_labels_has(l, "Core server ts1", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Zone Server Hub process", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Database", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "SQL TCP 1433", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "10.23.0.0/24", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "150 clients", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "20 Mbps · 20 ms", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "TCP 17472 ·", FALSE));
      CU_ASSERT(cs_viz_labels_has(l, "2 chains · 2 reflected", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "DOWN", TRUE));             /* branch-6's link */
      CU_ASSERT(cs_viz_labels_has(l, "100 Mbps · 20 ms", TRUE)); /* branch-1 ↔ branch-2 */
      /* The models' servers and roaming clients. */
      CU_ASSERT(cs_viz_labels_has(l, "Zone server zs1", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "hub tunnel from ts1 · TCP 17472", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Direct Connect proxy · TCP 17486 / 17487", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Module server ms1", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "HTTPS TCP 443", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Direct Connect · TCP 17475", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "198.18.0.0/24", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "100 external", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "⇄ zone server zs1 · TCP 17472", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "telemetry + Direct Connect", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "1 subnet · 100 external clients", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "TCP 17472 · hub tunnel", FALSE)); /* datacenter → dmz */
      CU_ASSERT(cs_viz_labels_has(l, "isolated · no peering", TRUE));   /* the VPN pool */
      CU_ASSERT_FALSE(cs_viz_labels_has(l, "External clients ×", FALSE));
      break;
    case 1:
      CU_ASSERT(cs_viz_labels_has(l, "BL", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "FL", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "BL*", TRUE)); /* reflected at the firewall */
      CU_ASSERT(cs_viz_labels_has(l, "FL*", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "branch-3 · 10.23.0.0/24", TRUE));
      /* No peering in the VPN pool and among roaming clients. */
      CU_ASSERT(cs_viz_labels_has(l, "datacenter · 10.200.0.0/22 · isolated", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "internet · 198.18.0.0/24 · isolated · external clients", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "core server ts1 — questions and actions to each client (TCP 17472)", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "zone server zs1, over the hub tunnel from core server ts1", FALSE));
      CU_ASSERT(cs_viz_labels_has(l, "each its own leader at zone server zs1", FALSE));
      break;
    case 2:
      CU_ASSERT(cs_viz_labels_has(l, "Mbps", TRUE) || cs_viz_labels_has(l, "Kbps", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "registration", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "time (s)", TRUE) || cs_viz_labels_has(l, "time (min)", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "LAN · hosts", FALSE));
      break;
    case 3:
      /* Numbered from 1, as results.json's questions[].id. */
      CU_ASSERT_FALSE(cs_viz_labels_has(l, "Q0 (", FALSE));
      CU_ASSERT(cs_viz_labels_has(l, "Q1 (Operating System) · asked at", FALSE));
      CU_ASSERT(cs_viz_labels_has(l, "Q2 (Operating System) · asked at", FALSE));
      CU_ASSERT_FALSE(cs_viz_labels_has(l, "sensor #", FALSE));
      CU_ASSERT(cs_viz_labels_has(l, "100 %", TRUE));
      break;
    default:
      CU_ASSERT(cs_viz_labels_has(l, "Registrations completed per second", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "Work queue length (per bucket)", TRUE));
      break;
    }
    cs_viz_labels_free(l);
  }
}

/* No two labels overlap in the enterprise's figures (the default scenario's
 * shape), nor in the chains of one subnet or site. */
static void test_labels_do_not_overlap(void)
{
  Enterprise *e = enterprise();
  CsTarget scopes[] = { { CS_TARGET_ALL, 0 }, { CS_TARGET_SITE, e->hq_site }, { CS_TARGET_SUBNET, e->branch3_subnet } };
  for (guint fi = 0; fi < G_N_ELEMENTS(figures); fi++) {
    for (guint si = 0; si < (fi == 1 ? G_N_ELEMENTS(scopes) : 1); si++) {
      char *path = out_path("overlap.png");
      CsVizOptions o;
      cs_viz_options_default(&o);
      g_autoptr(CsVizLabels) l = cs_viz_labels_new();
      o.labels = l;
      CU_ASSERT_FATAL(figures[fi].fn(e->t.w, path, &o, NULL, &scopes[si]));
      assert_no_overlap(l, figures[fi].name);
      /* Every label inside the canvas. */
      cairo_surface_t *s = cairo_image_surface_create_from_png(path);
      double W = cairo_image_surface_get_width(s), H = cairo_image_surface_get_height(s);
      cairo_surface_destroy(s);
      for (guint i = 0; i < cs_viz_labels_count(l); i++) {
        const CsVizLabel *x = cs_viz_labels_get(l, i);
        gboolean inside = x->x >= 0 && x->y >= 0 && x->x + x->w <= W + 0.5 && x->y + x->h <= H + 0.5;
        if (!inside)
          fprintf(stderr, "%s: '%s' outside the canvas\n", figures[fi].name, x->text);
        CU_ASSERT(inside);
      }
      g_free(path);
    }
  }
}

static void test_chain_scopes(void)
{
  Enterprise *e = enterprise();
  CsWorld *w = e->t.w;
  char *path = out_path("enterprise-chains-branch3.png");
  CsVizOptions o;
  cs_viz_options_default(&o);
  g_autoptr(CsVizLabels) l = cs_viz_labels_new();
  o.labels = l;
  CsTarget sub = { CS_TARGET_SUBNET, e->branch3_subnet };
  CU_ASSERT_FATAL(cs_viz_chains(w, path, &sub, &o, NULL));
  /* Two chains split at the firewall: each end a leader; the two that face
   * the firewall reflected. */
  guint bl = 0, fl = 0, blr = 0, flr = 0;
  for (guint i = 0; i < cs_viz_labels_count(l); i++) {
    const char *t = cs_viz_labels_get(l, i)->text;
    bl += strcmp(t, "BL") == 0;
    fl += strcmp(t, "FL") == 0;
    blr += strcmp(t, "BL*") == 0;
    flr += strcmp(t, "FL*") == 0;
  }
  CU_ASSERT_EQUAL(bl, 1);
  CU_ASSERT_EQUAL(fl, 1);
  CU_ASSERT_EQUAL(blr, 1);
  CU_ASSERT_EQUAL(flr, 1);
  CU_ASSERT(cs_viz_labels_has(l, ".1", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, ".150", TRUE));
  cs_viz_labels_clear(l);
  /* A client's subnet; a site. */
  CsTarget cl = { CS_TARGET_CLIENT, e->first_branch3 + 5 };
  CU_ASSERT(cs_viz_chains(w, path, &cl, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "Chains — subnet 10.23.0.0/24 in branch-3", TRUE));
  cs_viz_labels_clear(l);
  CsTarget site = { CS_TARGET_SITE, e->hq_site };
  CU_ASSERT(cs_viz_chains(w, path, &site, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "headquarters · 10.10.0.0/24", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "headquarters · 10.10.2.0/24", TRUE));
  /* Long chains fold: 250 clients in rows; a small budget collapses runs. */
  cs_viz_labels_clear(l);
  o.max_clients = 40;
  CU_ASSERT(cs_viz_chains(w, path, &site, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "… ", FALSE));
  assert_no_overlap(l, "chains, collapsed");
  /* A subnet without agents (the server's) draws an empty block. */
  CsTarget infra = { CS_TARGET_SUBNET, sim_node_subnet(e->t.sim, e->t.server) };
  CU_ASSERT(cs_viz_chains(w, path, &infra, NULL, NULL));
  GError *err = NULL;
  CsTarget bad = { CS_TARGET_SITE, 999 };
  CU_ASSERT_FALSE(cs_viz_chains(w, path, &bad, NULL, &err));
  CU_ASSERT(g_error_matches(err, CS_VIZ_ERROR, CS_VIZ_ERROR_SCOPE));
  g_clear_error(&err);
  g_free(path);
}

static void test_bandwidth_top_k(void)
{
  Enterprise *e = enterprise();
  for (guint k = 1; k <= 3; k++) {
    char *path = out_path("bandwidth-k.svg");
    CsVizOptions o;
    cs_viz_options_default(&o);
    g_autoptr(CsVizLabels) l = cs_viz_labels_new();
    o.labels = l;
    CU_ASSERT_FATAL(cs_viz_bandwidth(e->t.w, path, k, &o, NULL));
    guint panels = 0;
    for (guint i = 0; i < cs_viz_labels_count(l); i++)
      panels += g_str_has_prefix(cs_viz_labels_get(l, i)->text, "WAN ");
    CU_ASSERT_EQUAL(panels, k);
    g_free(path);
  }
}

/* --- text exports ------------------------------------------------------------------------ */

/* A light structural parse of a Mermaid flowchart: subgraph/end balance,
 * every edge endpoint declared as a node or subgraph. */
static gboolean mermaid_parses(const char *text, GString *why)
{
  char **lines = g_strsplit(text, "\n", -1);
  GHashTable *ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *ends = g_ptr_array_new_with_free_func(g_free);
  int depth = 0;
  gboolean ok = g_str_has_prefix(text, "flowchart TD\n");
  if (!ok)
    g_string_append(why, "no flowchart header; ");
  GRegex *node = g_regex_new("^([A-Za-z_][A-Za-z0-9_]*)(\\(\"[^\"]*\"\\)|\\[\\(Database\\)\\])(:::[a-z]+)?$", 0, 0, NULL);
  GRegex *edge = g_regex_new(
    "^([A-Za-z_][A-Za-z0-9_]*) (-->|<-->|-\\.->|-\\.-|<==>|-- \"[^\"]*\" -->)(\\|\"[^\"]*\"\\|)? ([A-Za-z_][A-Za-z0-9_]*)$",
    0, 0, NULL);
  for (char **l = lines + 1; *l && ok; l++) {
    char *s = g_strstrip(g_strdup(*l));
    GMatchInfo *mi = NULL;
    if (!*s || g_str_has_prefix(s, "%%") || g_str_has_prefix(s, "classDef ") || g_str_has_prefix(s, "class ") ||
        g_str_has_prefix(s, "direction ") || g_str_has_prefix(s, "linkStyle ") || g_str_has_prefix(s, "style ")) {
    } else if (g_str_has_prefix(s, "subgraph ")) {
      char **parts = g_strsplit(s + 9, " ", 2);
      g_hash_table_add(ids, g_strdup(parts[0]));
      if (!parts[1] || !g_str_has_prefix(parts[1], "[\"") || !g_str_has_suffix(parts[1], "\"]")) {
        g_string_append_printf(why, "bad subgraph: %s; ", s);
        ok = FALSE;
      }
      g_strfreev(parts);
      depth++;
    } else if (strcmp(s, "end") == 0) {
      ok = --depth >= 0;
    } else if (g_regex_match(node, s, 0, &mi)) {
      g_hash_table_add(ids, g_match_info_fetch(mi, 1));
    } else {
      g_match_info_free(mi);
      mi = NULL;
      if (g_regex_match(edge, s, 0, &mi)) {
        g_ptr_array_add(ends, g_match_info_fetch(mi, 1));
        g_ptr_array_add(ends, g_match_info_fetch(mi, 4));
      } else {
        g_string_append_printf(why, "cannot parse: %s; ", s);
        ok = FALSE;
      }
    }
    g_match_info_free(mi);
    g_free(s);
  }
  if (depth != 0) {
    g_string_append(why, "unbalanced subgraphs; ");
    ok = FALSE;
  }
  for (guint i = 0; i < ends->len && ok; i++)
    if (!g_hash_table_contains(ids, g_ptr_array_index(ends, i))) {
      g_string_append_printf(why, "undeclared %s; ", (char *) g_ptr_array_index(ends, i));
      ok = FALSE;
    }
  g_regex_unref(node);
  g_regex_unref(edge);
  g_ptr_array_unref(ends);
  g_hash_table_destroy(ids);
  g_strfreev(lines);
  return ok;
}

/* dot -Tsvg on the text: TRUE if it lays out (exit 0); skips without dot. */
static gboolean dot_renders(const char *text, const char *name, gboolean *skipped)
{
  char *dot = g_find_program_in_path("dot");
  *skipped = dot == NULL;
  if (!dot) {
    fprintf(stderr, "SKIP: graphviz 'dot' not found in PATH; DOT layout not checked\n");
    return TRUE;
  }
  char *in = out_path(name);
  char *svg = g_strdup_printf("%s.svg", in);
  CU_ASSERT_FATAL(g_file_set_contents(in, text, -1, NULL));
  char *argv[] = { dot, "-Tsvg", in, "-o", svg, NULL };
  int status = 0;
  char *err = NULL;
  gboolean ran = g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, NULL);
  gboolean ok = ran && g_spawn_check_wait_status(status, NULL);
  if (!ok || (err && *err))
    fprintf(stderr, "dot on %s: %s\n", name, err ? err : "");
  gsize len = 0;
  char *out = NULL;
  ok = ok && g_file_get_contents(svg, &out, &len, NULL) && strstr(out, "<svg") != NULL;
  g_free(out);
  g_free(err);
  g_free(svg);
  g_free(in);
  g_free(dot);
  return ok;
}

static void check_exports(CsWorld *w, const char *prefix, const char **sites, guint nsites)
{
  char *mm = cs_viz_mermaid(w), *dot = cs_viz_dot(w);
  GString *why = g_string_new(NULL);
  gboolean parses = mermaid_parses(mm, why);
  if (!parses)
    fprintf(stderr, "%s mermaid: %s\n", prefix, why->str);
  CU_ASSERT(parses);
  g_string_free(why, TRUE);
  /* Site subgraphs are titled by the site's name (and its role). */
  for (guint i = 0; i < nsites; i++) {
    char *q = g_strdup_printf("[\"%s", sites[i]), *d = g_strdup_printf("label=\"%s", sites[i]);
    if (!strstr(mm, q) || !strstr(dot, d))
      fprintf(stderr, "%s: no site %s in the exports\n", prefix, sites[i]);
    CU_ASSERT(strstr(mm, q) != NULL);
    CU_ASSERT(strstr(dot, d) != NULL);
    g_free(q);
    g_free(d);
  }
  for (guint i = 0; i < cs_world_server_count(w); i++) {
    const char *n = cs_world_node_name(w, cs_world_server_node(w, i));
    char *q = g_strdup_printf("Tanium Core Server %s", n);
    CU_ASSERT(strstr(mm, q) != NULL);
    CU_ASSERT(strstr(dot, q) != NULL);
    g_free(q);
  }
  for (guint i = 0; i < cs_world_zone_count(w); i++) {
    char *q = g_strdup_printf("Zone Server %s", cs_world_node_name(w, cs_world_zone_node(w, i)));
    CU_ASSERT(strstr(mm, q) != NULL);
    CU_ASSERT(strstr(dot, q) != NULL);
    g_free(q);
  }
  for (guint i = 0; i < cs_world_module_count(w); i++) {
    char *q = g_strdup_printf("Module Server %s", cs_world_node_name(w, cs_world_module_node(w, i)));
    CU_ASSERT(strstr(mm, q) != NULL);
    CU_ASSERT(strstr(dot, q) != NULL);
    g_free(q);
  }
  /* Ports on the edges where the models put them. */
  const char *always[] = { "SQL TCP 1433", "Local Loopback", "Push Questions (TCP 17472)", "Aggregated Answers (TCP 17472)",
                           "Failover / Registration (TCP 17472)" };
  for (guint i = 0; i < G_N_ELEMENTS(always); i++) {
    CU_ASSERT(strstr(mm, always[i]) != NULL);
    CU_ASSERT(strstr(dot, always[i]) != NULL);
  }
  const char *zone[] = { "Tunnel Init (TCP 17472)", "Multiplexed: Telemetry + Direct Connect (TCP 17472)" };
  const char *module[] = { "HTTPS TCP 443", "Direct Connect (TCP 17475)" };
  const char *proxy[] = { "Direct Connect proxy (TCP 17486)", "Direct Connect proxy (TCP 17487)" };
  for (guint i = 0; i < 2; i++) {
    gboolean z = cs_world_zone_count(w) > 0, m = cs_world_module_count(w) > 0;
    CU_ASSERT((strstr(mm, zone[i]) != NULL) == z);
    CU_ASSERT((strstr(dot, zone[i]) != NULL) == z);
    CU_ASSERT((strstr(mm, module[i]) != NULL) == m);
    CU_ASSERT((strstr(dot, module[i]) != NULL) == m);
    CU_ASSERT((strstr(mm, proxy[i]) != NULL) == (z && m));
    CU_ASSERT((strstr(dot, proxy[i]) != NULL) == (z && m));
  }
  /* Mermaid refuses more than 500 edges by default. */
  guint edges = count_substr(mm, "-->") + count_substr(mm, "-.-") + count_substr(mm, "<==>");
  if (edges > 500)
    fprintf(stderr, "%s mermaid: %u edges\n", prefix, edges);
  CU_ASSERT(edges <= 500);
  /* Mermaid decodes "#<digits>;" as a character entity outside classDef
   * lines (a linkStyle colour "#333;" breaks the parse): none may appear. */
  GRegex *entity = g_regex_new("^(?!\\s*classDef ).*#[0-9]+;", G_REGEX_MULTILINE, 0, NULL);
  CU_ASSERT_FALSE(g_regex_match(entity, mm, 0, NULL));
  g_regex_unref(entity);
  CU_ASSERT(strstr(mm, "classDef server fill:#2d3e50") != NULL);
  CU_ASSERT(g_str_has_prefix(dot, "digraph chainsim {"));
  gboolean skipped;
  char *name = g_strdup_printf("%s.dot", prefix);
  CU_ASSERT(dot_renders(dot, name, &skipped));
  g_free(name);
  /* The diagram entry point: figures by extension too. */
  char *svg = g_strdup_printf("%s/%s-diagram.svg", outdir, prefix);
  CU_ASSERT(cs_viz_diagram(w, svg, NULL, NULL));
  CU_ASSERT(g_file_test(svg, G_FILE_TEST_EXISTS));
  g_free(svg);
  char *gv = g_strdup_printf("%s/%s-diagram.gv", outdir, prefix);
  CU_ASSERT(cs_viz_diagram(w, gv, NULL, NULL));
  char *gvtext = NULL;
  CU_ASSERT(g_file_get_contents(gv, &gvtext, NULL, NULL) && strcmp(gvtext, dot) == 0);
  g_free(gvtext);
  g_free(gv);
  /* And the same Mermaid text. */
  char *mmd = g_strdup_printf("%s/%s.mmd", outdir, prefix);
  CU_ASSERT(cs_viz_diagram(w, mmd, NULL, NULL));
  char *back = NULL;
  CU_ASSERT(g_file_get_contents(mmd, &back, NULL, NULL) && strcmp(back, mm) == 0);
  g_free(back);
  g_free(mmd);
  g_free(mm);
  g_free(dot);
}

static void test_exports(void)
{
  Enterprise *e = enterprise();
  check_exports(e->t.w, "enterprise", e->sites, e->nsites);
  double secs;
  TestWorld *big = big_world(&secs);
  /* Folded: the 400 branches are one group named by its first and last. */
  const char *sites[] = { "datacenter", "400 sites (branch-1 … branch-400)" };
  check_exports(big->w, "big", sites, G_N_ELEMENTS(sites));
}

/* --- 10^5 endpoints ------------------------------------------------------------------- */

static void test_big_figures(void)
{
  double build_s;
  TestWorld *t = big_world(&build_s);
  CU_ASSERT_EQUAL(cs_world_client_count(t->w), 100000);
  CsChainSummary cs;
  cs_world_chains(t->w, &cs);
  CU_ASSERT(cs.chains >= 400);
  GTimer *timer = g_timer_new();
  const char *dests[] = { "site:datacenter", "server:ts1", "group:branch-1 … branch-400" };
  for (guint fi = 0; fi < G_N_ELEMENTS(figures); fi++) {
    CsTarget scope = { CS_TARGET_ALL, 0 };
    CsVizLabels *l = render_all(t->w, "big", fi, &scope, fi == 0 ? dests : NULL, fi == 0 ? G_N_ELEMENTS(dests) : 0);
    if (fi == 0) {
      CU_ASSERT(cs_viz_labels_has(l, "400 sites", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "branch-1 … branch-400", TRUE));
      CU_ASSERT(cs_viz_labels_has(l, "100,000 clients", FALSE));
    } else if (fi == 1) {
      CU_ASSERT(cs_viz_labels_has(l, "more subnets not drawn", FALSE));
    }
    assert_no_overlap(l, figures[fi].name);
    cs_viz_labels_free(l);
  }
  double draw_s = g_timer_elapsed(timer, NULL);
  g_timer_destroy(timer);
  fprintf(stderr, "10^5 endpoints: build and 2 simulated minutes %.2f s; 15 figures %.2f s\n", build_s, draw_s);
  /* No time bound here: on a loaded machine wall time says nothing (the
   * figures' cost is a benchmark's business, not a test's). */
}

/* Alike branch sites fold by (parent, bandwidth, latency); with a tighter
 * budget, all of a parent's branch sites fold into one group with ranges. */
static void test_folding(void)
{
  TestWorld t;
  tw_init(&t, NULL, 5);
  static const double bw[] = { 10e6, 20e6, 50e6, 100e6 };
  for (guint i = 0; i < 40; i++) {
    char name[32], cidr[32];
    g_snprintf(name, sizeof name, "shop-%02u", i + 1);
    g_snprintf(cidr, sizeof cidr, "10.%u.0.0/24", i + 1);
    tw_branch(&t, name, cidr, 10, bw[i % 4], 30 * SIM_MS, NULL);
  }
  sim_run_until(t.sim, 10 * SIM_S);
  char *path = out_path("fold-4.png");
  CsVizOptions o;
  cs_viz_options_default(&o);
  g_autoptr(CsVizLabels) l = cs_viz_labels_new();
  o.labels = l;
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "10 sites", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "10 links · 10 Mbps · 30 ms", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "10 links · 100 Mbps · 30 ms", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "shop-01, shop-05, … shop-37", TRUE));
  assert_no_overlap(l, "folded topology");
  cs_viz_labels_clear(l);
  o.max_sites = 3;
  g_free(path);
  path = out_path("fold-1.png");
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "40 sites", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "40 links · 10 Mbps – 100 Mbps · 30 ms", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "400 clients", FALSE));
  assert_no_overlap(l, "folded topology, one group");
  /* Below the budget nothing folds. */
  cs_viz_labels_clear(l);
  o.max_sites = 64;
  g_free(path);
  path = out_path("fold-none.png");
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "shop-40", TRUE));
  assert_no_overlap(l, "forty sites");
  g_free(path);
  tw_free(&t);
}

/* --- the reference architecture ---------------------------------------------------------- */

/* A Mermaid flowchart read back: nodes (label, enclosing subgraph),
 * subgraphs (title, enclosing subgraph), edges (ends, arrow, label; "--"
 * for the `a -- "label" --> b` form). */
typedef struct {
  GHashTable *label;   /* id → label (nodes and subgraphs) */
  GHashTable *parent;  /* id → enclosing subgraph id */
  GPtrArray *edges;    /* 4 strings per edge: a, arrow, label, b */
} Mm;

static void mm_read(Mm *m, const char *text)
{
  m->label = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  m->parent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  m->edges = g_ptr_array_new_with_free_func(g_free);
  GRegex *sub = g_regex_new("^subgraph (\\w+) \\[\"(.*)\"\\]$", 0, 0, NULL);
  GRegex *node = g_regex_new("^(\\w+)(?:\\(\"(.*)\"\\)|\\[\\((Database)\\)\\])(?::::\\w+)?$", 0, 0, NULL);
  GRegex *pipe = g_regex_new("^(\\w+) (-->|<-->|-\\.->|-\\.-|<==>)\\|\"(.*)\"\\| (\\w+)$", 0, 0, NULL);
  GRegex *flow = g_regex_new("^(\\w+) (--) \"(.*)\" --> (\\w+)$", 0, 0, NULL);
  GPtrArray *stack = g_ptr_array_new_with_free_func(g_free);
  char **lines = g_strsplit(text, "\n", -1);
  for (char **l = lines; *l; l++) {
    char *t = g_strstrip(g_strdup(*l));
    GMatchInfo *ms = NULL, *mn = NULL, *me = NULL, *mf = NULL;
    const char *up = stack->len ? g_ptr_array_index(stack, stack->len - 1) : "";
    if (g_regex_match(sub, t, 0, &ms)) {
      char *id = g_match_info_fetch(ms, 1);
      g_hash_table_insert(m->label, g_strdup(id), g_match_info_fetch(ms, 2));
      g_hash_table_insert(m->parent, g_strdup(id), g_strdup(up));
      g_ptr_array_add(stack, id);
    } else if (strcmp(t, "end") == 0 && stack->len) {
      g_ptr_array_remove_index(stack, stack->len - 1);
    } else if (g_regex_match(node, t, 0, &mn)) {
      char *id = g_match_info_fetch(mn, 1), *label = g_match_info_fetch(mn, 2);
      if (!*label) {
        g_free(label);
        label = g_match_info_fetch(mn, 3);
      }
      g_hash_table_insert(m->label, g_strdup(id), label);
      g_hash_table_insert(m->parent, id, g_strdup(up));
    } else if (g_regex_match(pipe, t, 0, &me) || g_regex_match(flow, t, 0, &mf)) {
      GMatchInfo *mi = mf ? mf : me;
      for (int k = 1; k <= 4; k++)
        g_ptr_array_add(m->edges, g_match_info_fetch(mi, k));
    }
    g_match_info_free(ms);
    g_match_info_free(mn);
    g_match_info_free(me);
    g_match_info_free(mf);
    g_free(t);
  }
  g_strfreev(lines);
  g_ptr_array_unref(stack);
  g_regex_unref(sub);
  g_regex_unref(node);
  g_regex_unref(pipe);
  g_regex_unref(flow);
}

static void mm_clear(Mm *m)
{
  g_hash_table_destroy(m->label);
  g_hash_table_destroy(m->parent);
  g_ptr_array_unref(m->edges);
}

static gboolean mm_label_is(const Mm *m, const char *id, const char *prefix)
{
  const char *l = g_hash_table_lookup(m->label, id);
  return l && g_str_has_prefix(l, prefix);
}

/* The node whose label starts with prefix (NULL if none). */
static const char *mm_node_id(const Mm *m, const char *prefix)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, m->label);
  while (g_hash_table_iter_next(&it, &k, &v))
    if (g_str_has_prefix(v, prefix))
      return k;
  return NULL;
}

/* Whether the node labelled `prefix…` sits (at any depth) in a subgraph
 * whose title contains `title`. */
static gboolean mm_inside(const Mm *m, const char *prefix, const char *title)
{
  const char *id = mm_node_id(m, prefix);
  for (const char *p = id ? g_hash_table_lookup(m->parent, id) : NULL; p && *p; p = g_hash_table_lookup(m->parent, p)) {
    const char *t = g_hash_table_lookup(m->label, p);
    if (t && strstr(t, title))
      return TRUE;
  }
  if (id == NULL)
    fprintf(stderr, "mermaid: no node '%s'\n", prefix);
  return FALSE;
}

static gboolean mm_has_edge(const Mm *m, const char *from, const char *arrow, const char *label, const char *to)
{
  for (guint i = 0; i + 3 < m->edges->len; i += 4) {
    char **e = (char **) m->edges->pdata + i;
    if (strcmp(e[1], arrow) == 0 && strcmp(e[2], label) == 0 && mm_label_is(m, e[0], from) && mm_label_is(m, e[3], to))
      return TRUE;
  }
  fprintf(stderr, "mermaid: no edge %s %s|%s| %s\n", from, arrow, label, to);
  return FALSE;
}

/* The reference's shape: datacenter (core server, module server), a DMZ
 * with a zone server, a LAN of four (backward leader, two peers, forward
 * leader), three roaming clients on the internet. */
static void reference_world(TestWorld *t, SimNodeId *zs)
{
  tw_init(t, NULL, 31);
  add_module(t, "ms1");
  guint32 dmz = sim_site_add(t->sim, "dmz");
  sim_wan_add(t->sim, dmz, t->dc, 1e9, SIM_MS, 0);
  *zs = add_zone(t, dmz, "zs1");
  tw_branch(t, "corporate", "10.50.0.0/24", 4, 100e6, 5 * SIM_MS, NULL);
  guint32 inet = sim_site_add(t->sim, "internet");
  sim_wan_add(t->sim, inet, dmz, 1e9, 40 * SIM_MS, 0);
  add_external(t, inet, "198.18.0.0/24", 3, *zs, NULL);
  sim_run_until(t->sim, 3 * SIM_MIN);
}

static void test_reference_architecture(void)
{
  TestWorld t;
  SimNodeId zs;
  reference_world(&t, &zs);
  CU_ASSERT_FATAL(cs_zone_tunnel_up(t.w, 0));
  char *mm = cs_viz_mermaid(t.w);
  char *path = out_path("reference.mmd");
  g_file_set_contents(path, mm, -1, NULL);
  g_free(path);
  GString *why = g_string_new(NULL);
  CU_ASSERT(mermaid_parses(mm, why));
  if (why->len)
    fprintf(stderr, "reference mermaid: %s\n", why->str);
  g_string_free(why, TRUE);
  Mm m;
  mm_read(&m, mm);
  /* The reference's subgraphs and what each holds. */
  CU_ASSERT(mm_inside(&m, "ts1: Tanium Server Process", "Tanium Core Server ts1"));
  CU_ASSERT(mm_inside(&m, "ts1: Tanium Server Process", "Internal Trusted Network"));
  CU_ASSERT(mm_inside(&m, "Zone Server Hub Process", "Tanium Core Server ts1"));
  CU_ASSERT(mm_inside(&m, "Database", "Internal Trusted Network"));
  CU_ASSERT(mm_inside(&m, "Module Server ms1", "Internal Trusted Network"));
  CU_ASSERT_FALSE(mm_inside(&m, "Module Server ms1", "Tanium Core Server"));
  CU_ASSERT(mm_inside(&m, "Zone Server zs1", "DMZ Network"));
  CU_ASSERT(mm_inside(&m, "Backward Leader 10.50.0.1", "LAN Subnet 10.50.0.0/24"));
  CU_ASSERT(mm_inside(&m, "Peer Clients × 2", "LAN Subnet 10.50.0.0/24"));
  CU_ASSERT(mm_inside(&m, "Forward Leader 10.50.0.4", "LAN Subnet 10.50.0.0/24"));
  CU_ASSERT(mm_inside(&m, "External Clients × 3", "Internet / Roaming"));
  /* Its edges: kind and label. */
  const char *ts = "ts1: Tanium Server Process";
  CU_ASSERT(mm_has_edge(&m, ts, "--", "Local Loopback", "Zone Server Hub Process"));
  CU_ASSERT(mm_has_edge(&m, ts, "<-->", "SQL TCP 1433", "Database"));
  CU_ASSERT(mm_has_edge(&m, ts, "<-->", "HTTPS TCP 443", "Module Server ms1"));
  CU_ASSERT(mm_has_edge(&m, "Backward Leader", "-->", "TCP 17472", "Peer Clients"));
  CU_ASSERT(mm_has_edge(&m, "Peer Clients", "-->", "TCP 17472", "Forward Leader"));
  CU_ASSERT(mm_has_edge(&m, ts, "--", "Push Questions (TCP 17472)", "Backward Leader"));
  CU_ASSERT(mm_has_edge(&m, "Forward Leader", "--", "Aggregated Answers (TCP 17472)", ts));
  CU_ASSERT(mm_has_edge(&m, "Backward Leader", "-.->", "Failover / Registration (TCP 17472)", ts));
  CU_ASSERT(mm_has_edge(&m, "Zone Server Hub Process", "--", "Tunnel Init (TCP 17472)", "Zone Server zs1"));
  CU_ASSERT(mm_has_edge(&m, "External Clients", "<==>", "Multiplexed: Telemetry + Direct Connect (TCP 17472)",
                        "Zone Server zs1"));
  /* Direct Connect as the models do it: 17475 to the module server, 17486
   * and 17487 at the zone proxy. */
  CU_ASSERT(mm_has_edge(&m, "Module Server ms1", "-.-", "Direct Connect (TCP 17475)", "Peer Clients"));
  CU_ASSERT(mm_has_edge(&m, "External Clients", "-.->", "Direct Connect proxy (TCP 17486)", "Zone Server zs1"));
  CU_ASSERT(mm_has_edge(&m, "Module Server ms1", "-.->", "Direct Connect proxy (TCP 17487)", "Zone Server zs1"));
  mm_clear(&m);
  char *dot = cs_viz_dot(t.w);
  gboolean skipped;
  CU_ASSERT(dot_renders(dot, "reference.dot", &skipped));
  const char *labels[] = { "Zone Server zs1", "Module Server ms1", "Tunnel Init (TCP 17472)", "HTTPS TCP 443",
                           "Direct Connect (TCP 17475)", "Direct Connect proxy (TCP 17486)",
                           "Direct Connect proxy (TCP 17487)", "Multiplexed: Telemetry + Direct Connect (TCP 17472)" };
  for (guint i = 0; i < G_N_ELEMENTS(labels); i++)
    CU_ASSERT(strstr(dot, labels[i]) != NULL);
  CU_ASSERT(strstr(dot, "srv0_zsh -> srv2 [label=\"Tunnel Init (TCP 17472)\", color=\"#ef6c00\"") != NULL);
  g_free(dot);
  g_free(mm);

  /* The figure: servers, their ports, the tunnel. */
  path = out_path("reference-topology.png");
  CsVizOptions o;
  cs_viz_options_default(&o);
  g_autoptr(CsVizLabels) l = cs_viz_labels_new();
  o.labels = l;
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  const char *figure[] = { "Zone server zs1", "Module server ms1", "17486", "17487", "17475", "443", "tunnel" };
  for (guint i = 0; i < G_N_ELEMENTS(figure); i++) {
    if (!cs_viz_labels_has(l, figure[i], FALSE))
      fprintf(stderr, "reference topology: no label with %s\n", figure[i]);
    CU_ASSERT(cs_viz_labels_has(l, figure[i], FALSE));
  }
  CU_ASSERT(cs_viz_labels_has(l, "hub tunnel from ts1 · TCP 17472", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "3 external", TRUE));
  assert_no_overlap(l, "reference topology");
  g_free(path);

  /* Cut the tunnel: the hub's connection is dropped both ways; the zone
   * server notices within a keepalive. */
  SimFwRule r = { 0 };
  r.src = sim_node_addr(t.sim, t.server);
  r.src_mask = 0xffffffffu;
  r.dst = sim_node_addr(t.sim, zs);
  r.dst_mask = 0xffffffffu;
  r.both = TRUE;
  r.action = SIM_FW_DROP;
  sim_fw_add(t.sim, &r);
  sim_run_until(t.sim, 4 * SIM_MIN);
  CU_ASSERT_FATAL(!cs_zone_tunnel_up(t.w, 0));
  mm = cs_viz_mermaid(t.w);
  mm_read(&m, mm);
  CU_ASSERT(mm_has_edge(&m, "Zone Server Hub Process", "-.->", "Tunnel Init (TCP 17472) · DOWN", "Zone Server zs1"));
  CU_ASSERT(strstr(mm, "-- \"Tunnel Init") == NULL);
  mm_clear(&m);
  dot = cs_viz_dot(t.w);
  CU_ASSERT(strstr(dot, "srv0_zsh -> srv2 [label=\"Tunnel Init (TCP 17472) · DOWN\", color=\"#c62828\", style=dashed") !=
            NULL);
  path = out_path("reference-topology-down.png");
  cs_viz_labels_clear(l);
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "hub tunnel from ts1 · TCP 17472 · DOWN", TRUE));
  assert_no_overlap(l, "reference topology, tunnel down");
  g_free(path);
  g_free(dot);
  g_free(mm);
  tw_free(&t);
}

/* Other shapes: a zone server beside the core server in the datacenter,
 * roaming clients hanging from the datacenter itself, a second core site
 * with its own zone server in a DMZ; no module server (no Direct Connect
 * ports then). */
static void test_other_zone_shapes(void)
{
  TestWorld t;
  tw_init(&t, NULL, 41);
  SimNodeId zin = add_zone(&t, t.dc, "zs-dc");
  tw_branch(&t, "branch", "10.60.0.0/24", 30, 50e6, 20 * SIM_MS, NULL);
  guint32 roam = sim_site_add(t.sim, "roaming");
  sim_wan_add(t.sim, roam, t.dc, 1e9, 30 * SIM_MS, 0);
  add_external(&t, roam, "198.18.1.0/24", 7, zin, NULL);
  guint32 dc2 = sim_site_add(t.sim, "datacenter-2");
  cs_world_add_server(t.w, "ts2", cs_world_infra_subnet(t.w, dc2, NULL), 0, NULL, NULL);
  guint32 dmz2 = sim_site_add(t.sim, "dmz-2");
  sim_wan_add(t.sim, dmz2, dc2, 1e9, SIM_MS, 0);
  cs_world_add_zone_server(t.w, "zs-2", cs_world_infra_subnet(t.w, dmz2, NULL), 0,
                           cs_world_server_node(t.w, 1), NULL);
  sim_run_until(t.sim, 2 * SIM_MIN);
  char *path = out_path("other-zones-topology.png");
  CsVizOptions o;
  cs_viz_options_default(&o);
  g_autoptr(CsVizLabels) l = cs_viz_labels_new();
  o.labels = l;
  CU_ASSERT_FATAL(cs_viz_topology(t.w, path, &o, NULL));
  CU_ASSERT(cs_viz_labels_has(l, "Zone server zs-dc", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "Zone server zs-2", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "hub tunnel from ts1 · TCP 17472", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "hub tunnel from ts2 · TCP 17472", TRUE));
  CU_ASSERT(cs_viz_labels_has(l, "⇄ zone server zs-dc · TCP 17472", TRUE));
  CU_ASSERT_FALSE(cs_viz_labels_has(l, "17475", FALSE));
  CU_ASSERT_FALSE(cs_viz_labels_has(l, "17486", FALSE));
  assert_no_overlap(l, "other zone shapes");
  g_free(path);
  check_exports(t.w, "other-zones", NULL, 0);
  char *mm = cs_viz_mermaid(t.w);
  char *mmd = out_path("other-zones.mmd");
  g_file_set_contents(mmd, mm, -1, NULL);
  g_free(mmd);
  Mm m;
  mm_read(&m, mm);
  CU_ASSERT(mm_inside(&m, "Zone Server zs-dc", "Internal Trusted Network"));
  CU_ASSERT(mm_inside(&m, "Zone Server zs-2", "DMZ Network"));
  CU_ASSERT(mm_inside(&m, "External Clients × 7", "Internet / Roaming"));
  CU_ASSERT(mm_has_edge(&m, "Zone Server Hub Process", "--", "Tunnel Init (TCP 17472)", "Zone Server zs-dc"));
  CU_ASSERT(mm_has_edge(&m, "External Clients × 7", "<==>", "Multiplexed: Telemetry + Direct Connect (TCP 17472)",
                        "Zone Server zs-dc"));
  mm_clear(&m);
  g_free(mm);
  tw_free(&t);
}

/* --- reference images ------------------------------------------------------------------ */

/* Fraction of pixels whose colour differs by more than `levels` in a channel;
 * -1 when the sizes differ or a file cannot be read. */
static double pixel_diff(const char *a, const char *b, int levels)
{
  cairo_surface_t *x = cairo_image_surface_create_from_png(a), *y = cairo_image_surface_create_from_png(b);
  double r = -1;
  if (cairo_surface_status(x) == CAIRO_STATUS_SUCCESS && cairo_surface_status(y) == CAIRO_STATUS_SUCCESS &&
      cairo_image_surface_get_width(x) == cairo_image_surface_get_width(y) &&
      cairo_image_surface_get_height(x) == cairo_image_surface_get_height(y)) {
    int w = cairo_image_surface_get_width(x), h = cairo_image_surface_get_height(x);
    int sx = cairo_image_surface_get_stride(x), sy = cairo_image_surface_get_stride(y);
    const unsigned char *dx = cairo_image_surface_get_data(x), *dy = cairo_image_surface_get_data(y);
    guint64 off = 0;
    for (int j = 0; j < h; j++)
      for (int i = 0; i < w; i++)
        for (int ch = 0; ch < 4; ch++)
          if (abs(dx[j * sx + i * 4 + ch] - dy[j * sy + i * 4 + ch]) > levels) {
            off++;
            break;
          }
    r = (double) off / ((double) w * h);
  }
  cairo_surface_destroy(x);
  cairo_surface_destroy(y);
  return r;
}

static void test_reference_images(void)
{
  /* A small fixed world: two branches, one split by a firewall, a module
   * server, a DMZ's zone server with roaming clients behind it, a question. */
  TestWorld t;
  tw_init(&t, NULL, 21);
  guint32 first;
  guint32 b1 = tw_branch(&t, "branch-a", "10.0.1.0/24", 60, 20e6, 30 * SIM_MS, &first);
  tw_branch(&t, "branch-b", "10.0.2.0/24", 40, 10e6, 45 * SIM_MS, NULL);
  fw_block(t.sim, "10.0.1.0/27", "10.0.1.32/27");
  add_module(&t, "ms1");
  guint32 dmz = sim_site_add(t.sim, "dmz");
  sim_wan_add(t.sim, dmz, t.dc, 1e9, SIM_MS, 0);
  SimNodeId zs = add_zone(&t, dmz, "zs1");
  guint32 inet = sim_site_add(t.sim, "internet");
  sim_wan_add(t.sim, inet, dmz, 1e9, 40 * SIM_MS, 0);
  add_external(&t, inet, "198.18.0.0/24", 20, zs, NULL);
  guint32 os = cs_world_sensor(t.w, "OS");
  for (guint32 k = 0; k < cs_world_client_count(t.w); k++)
    cs_world_sensor_set(t.w, os, k, "Linux");
  CsTarget all = { CS_TARGET_ALL, 0 };
  cs_world_ask(t.w, 100 * SIM_S, os, CS_Q_COUNT, &all, 1, NULL);
  sim_run_until(t.sim, 150 * SIM_S);
  CsTarget scope = { CS_TARGET_SUBNET, b1 };
  gboolean update = g_strcmp0(g_getenv("CHAINSIM_UPDATE_REFERENCE"), "1") == 0;
  char *refdir = g_build_filename(CHAINSIM_SOURCE_DIR, "tests", "reference", NULL);
  if (update)
    g_mkdir_with_parents(refdir, 0755);
  for (guint fi = 0; fi < G_N_ELEMENTS(figures); fi++) {
    char *name = g_strdup_printf("small-%s.png", figures[fi].name);
    char *path = out_path(name);
    char *ref = g_build_filename(refdir, name, NULL);
    CsVizOptions o;
    cs_viz_options_default(&o);
    o.width = fi == 0 ? 0 : 760;
    CU_ASSERT_FATAL(figures[fi].fn(t.w, path, &o, NULL, &scope));
    if (update) {
      char *data = NULL;
      gsize len = 0;
      CU_ASSERT_FATAL(g_file_get_contents(path, &data, &len, NULL));
      CU_ASSERT(g_file_set_contents(ref, data, (gssize) len, NULL));
      fprintf(stderr, "reference written: %s\n", ref);
      g_free(data);
    } else if (!g_file_test(ref, G_FILE_TEST_EXISTS)) {
      fprintf(stderr, "missing reference %s: run with CHAINSIM_UPDATE_REFERENCE=1 to create it\n", ref);
      CU_FAIL("missing reference image");
    } else {
      double d = pixel_diff(path, ref, 64);
      if (d < 0 || d >= 0.01)
        fprintf(stderr,
                "%s differs from %s: %.3f %% of pixels (negative: the sizes differ); a layout change, or the "
                "models changed what this world does: look at both, and if the new one is right, rerun with "
                "CHAINSIM_UPDATE_REFERENCE=1\n",
                path, ref, 100 * d);
      CU_ASSERT(d >= 0 && d < 0.01);
    }
    g_free(ref);
    g_free(path);
    g_free(name);
  }
  g_free(refdir);
  tw_free(&t);
}

static void rm_rf(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *n;
  while ((n = g_dir_read_name(d))) {
    char *p = g_build_filename(dir, n, NULL);
    if (g_file_test(p, G_FILE_TEST_IS_DIR))
      rm_rf(p);
    else
      g_unlink(p);
    g_free(p);
  }
  g_dir_close(d);
  g_rmdir(dir);
}


/* The old fit: drop one character at a time (one measurement each). */
static char *fit_by_dropping(VizCanvas *c, const char *s, double maxw)
{
  if (viz_text_width(c, s) <= maxw)
    return g_strdup(s);
  for (glong keep = g_utf8_strlen(s, -1) - 1; keep > 0; keep--) {
    const char *end = g_utf8_offset_to_pointer(s, keep);
    char *t = g_strdup_printf("%.*s…", (int) (end - s), s);
    if (viz_text_width(c, t) <= maxw)
      return t;
    g_free(t);
  }
  return g_strdup("…");
}

/* Fitting text to a width takes a logarithmic number of measurements (a
 * 100,000-character sim:plot title took minutes when it was one per
 * character dropped), gives what dropping one at a time gave, and takes no
 * more measurements than that did on short labels. */
static void test_text_fit_measurements(void)
{
  CsVizOptions o;
  cs_viz_options_default(&o);
  VizCanvas *c = viz_measure_new(&o);
  viz_font(c, 13, TRUE);
  GString *big = g_string_new(NULL);
  for (int i = 0; i < 100000; i++)
    g_string_append(big, i % 7 == 0 ? " " : i % 11 == 0 ? "é" : "x");
  guint64 before = c->measures;
  char *fit = viz_text_fit(c, big->str, 300);
  CU_ASSERT(c->measures - before <= 2 + 2 * 17); /* log2(100000) < 17 */
  CU_ASSERT(g_str_has_suffix(fit, "…"));
  CU_ASSERT(viz_text_width(c, fit) <= 300);
  g_free(fit);

  const char *samples[] = { "Registrations per second at the core server",
                            "ü日本語 chains of a very long branch-office name", "x", "" };
  const double widths[] = { 0, 5, 20, 60, 120, 250, 1000 };
  for (guint i = 0; i < G_N_ELEMENTS(samples); i++)
    for (guint k = 0; k < G_N_ELEMENTS(widths); k++) {
      guint64 m0 = c->measures;
      char *want = fit_by_dropping(c, samples[i], widths[k]);
      guint64 m1 = c->measures;
      char *got = viz_text_fit(c, samples[i], widths[k]);
      CU_ASSERT_STRING_EQUAL(got, want);
      CU_ASSERT(c->measures - m1 <= MAX(m1 - m0, 2 + 2 * 6)); /* never many more than before */
      g_free(want);
      g_free(got);
    }
  g_string_free(big, TRUE);
  viz_canvas_free(c);
}

int main(int argc, char **argv)
{
  outdir = g_dir_make_tmp("chainsim-viz-XXXXXX", NULL);
  g_assert(outdir);
  CU_TestInfo tests[] = {
    { "format by extension; anything else is an error", test_format_by_extension },
    { "fitting text takes O(log n) measurements", test_text_fit_measurements },
    { "a failed figure leaves the old file and no temporary", test_whole_or_nothing },
    { "2,100 endpoints: every figure in PNG, SVG and PDF", test_enterprise_figures },
    { "2,100 endpoints: no two labels overlap", test_labels_do_not_overlap },
    { "chains of a subnet, a client's subnet, a site; collapsed runs", test_chain_scopes },
    { "bandwidth panels for the k busiest links", test_bandwidth_top_k },
    { "Mermaid and DOT name every site and server; dot lays it out", test_exports },
    { "10^5 endpoints: every figure, aggregated, quickly", test_big_figures },
    { "alike branch sites fold into groups beyond max_sites", test_folding },
    { "the reference architecture: Mermaid subgraphs and edges, the hub tunnel up and down", test_reference_architecture },
    { "a zone server beside the core server, a second core site, no module server", test_other_zone_shapes },
    { "a small world's PNGs match the reference images", test_reference_images },
    CU_TEST_INFO_NULL,
  };
  int rc = cs_test_main(argc, argv, "viz", tests);
  /* Cairo's font caches, so a leak checker sees only our own. */
  cairo_debug_reset_static_data();
  if (g_strcmp0(g_getenv("CHAINSIM_KEEP_FIGURES"), "1") == 0)
    fprintf(stderr, "figures kept in %s\n", outdir);
  else
    rm_rf(outdir);
  g_free(outdir);
  return rc;
}
