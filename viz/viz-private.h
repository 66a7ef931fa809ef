/* viz-private.h — what the figure files share: the canvas (a Cairo surface
 * chosen by extension, written to a temporary name and renamed), text with a
 * real font and a record of every label's box, number and unit formatting,
 * colours, and the topology snapshot that the topology figure and the text
 * exports both draw from.
 *
 * Coordinates are figure units: pixels for PNG at scale 1, points for SVG
 * and PDF.  Text metrics are unhinted on every surface, so a layout computed
 * once is the same in every format. */
#pragma once
#include <cairo.h>
#include <stdio.h>
#include "viz.h"
#include "outfile.h"
#include "net.h"
#include "stats.h"

#define VIZ_NONE G_MAXUINT32
#define VIZ_FONT_DEFAULT "DejaVu Sans"

/* --- geometry, colour ------------------------------------------------------- */
typedef struct {
  double x, y, w, h; /* left, top, width, height */
} VizRect;

typedef enum { VIZ_LEFT, VIZ_CENTER, VIZ_RIGHT } VizAlign;
/* Vertical anchor of a text line: its baseline, the top of the font's ascent,
 * the middle of ascent + descent, or the bottom of the descent. */
typedef enum { VIZ_BASELINE, VIZ_TOP, VIZ_MIDDLE, VIZ_BOTTOM } VizVAlign;

static inline gboolean viz_rect_overlap(VizRect a, VizRect b, double slack)
{
  return a.x + a.w - slack > b.x && b.x + b.w - slack > a.x && a.y + a.h - slack > b.y && b.y + b.h - slack > a.y;
}

/* Sets the source colour from 0xRRGGBB (and an alpha). */
void viz_rgb(cairo_t *cr, guint32 rgb);
void viz_rgba(cairo_t *cr, guint32 rgb, double alpha);
void viz_round_rect(cairo_t *cr, double x, double y, double w, double h, double r);
/* A filled arrow head at (x1, y1) pointing away from (x0, y0). */
void viz_arrow_head(cairo_t *cr, double x0, double y0, double x1, double y1, double size);
/* A colour per traffic class, distinct and print-safe. */
guint32 viz_class_colour(SimClass cls);
/* A colour per series index (questions). */
guint32 viz_series_colour(guint i);

/* --- canvas ------------------------------------------------------------------- */
typedef struct {
  CsVizFormat fmt;        /* PNG, SVG, PDF; NONE for a measuring canvas */
  double w, h;            /* size in figure units */
  double scale;           /* PNG pixels per unit */
  cairo_surface_t *surface;
  cairo_t *cr;
  char *path;             /* destination */
  CsOutfile *out;         /* the file being written (outfile.h), or NULL */
  FILE *fp;               /* its stream */
  gboolean write_failed;  /* a stream write failed */
  char *font;             /* family */
  GArray *boxes;          /* VizRect of every text drawn (label placement) */
  CsVizLabels *log;       /* caller's record, or NULL */
  guint64 measures;       /* text measurements so far (viz_text_width) */
} VizCanvas;

/* A canvas that only measures text (a 1x1 image surface); for layout. */
VizCanvas *viz_measure_new(const CsVizOptions *o);
/* Whether path names a figure format (.png, .svg, .pdf); FALSE with
 * CS_VIZ_ERROR_FORMAT "unsupported figure format: 'PATH' ..." otherwise. */
gboolean viz_check_figure_format(const char *path, GError **err);
/* Opens the figure file for path's format (a temporary name next to it) with
 * a white background.  FALSE on an unsupported extension or a file error. */
VizCanvas *viz_canvas_new(const char *path, double w, double h, const char *title,
                          const CsVizOptions *o, GError **err);
/* Finishes the surface, checks Cairo's status, syncs and renames the
 * temporary over path.  Frees c in every case; on failure nothing is left. */
gboolean viz_canvas_commit(VizCanvas *c, GError **err);
/* Drops the temporary (if any) and frees c.  NULL is ignored. */
void viz_canvas_free(VizCanvas *c);

/* --- text ------------------------------------------------------------------- */
void viz_font(VizCanvas *c, double size, gboolean bold);
double viz_text_width(VizCanvas *c, const char *s);
/* The box a line of text would take at (x, y) with these anchors. */
VizRect viz_text_box(VizCanvas *c, double x, double y, VizAlign a, VizVAlign v, const char *s);
/* Draws a line of text in the current colour and records its box. */
VizRect viz_text(VizCanvas *c, double x, double y, VizAlign a, VizVAlign v, const char *s);
/* Whether r touches no text drawn so far. */
gboolean viz_text_free(VizCanvas *c, VizRect r);
/* s, or s shortened with "…" to fit within maxw (newly allocated): the
 * longest prefix of whole characters that fits with "…" after it.  At most
 * 2 + 2 log2(characters) measurements, each of at most s (a few when the
 * text is a little too long): an over-long title costs O(n log n), not one
 * measurement per character dropped. */
char *viz_text_fit(VizCanvas *c, const char *s, double maxw);
/* A named destination (PDF) "kind:name" at (x, y); ignored by PNG and SVG. */
void viz_dest(VizCanvas *c, const char *kind, const char *name, double x, double y);
/* Height of one line at the current font (ascent + descent). */
double viz_line_height(VizCanvas *c);

/* --- numbers ------------------------------------------------------------------- */
/* 1234567 → "1,234,567". */
char *viz_fmt_count(guint64 n);
/* The same in one of eight per-thread buffers: for up to eight numbers in
 * one printf (not to be kept). */
const char *viz_n(guint64 n);
/* Bits per second → "20 Mbps", "1.5 Gbps". */
char *viz_fmt_bps(double bps);
/* A duration → "30 ms", "1.5 s", "2 min". */
char *viz_fmt_time(SimTime t);
/* The unit for a rate axis whose largest value is max (bits/s): the divisor
 * and the name ("Kbps"...). */
void viz_rate_unit(double max, double *div, const char **name);
/* A round tick step (1, 2, 2.5, 5 × 10^k) giving about n ticks over range. */
double viz_nice_step(double range, int n);
/* A tick value as text with as few decimals as the step needs. */
char *viz_fmt_tick(double v, double step);

/* --- time-series plot helpers (plots.c) -------------------------------------- */
/* A figure's title and, below it, its subtitle, at the top left margin
 * (both shortened to fit the width w). */
void viz_figure_title(VizCanvas *c, double w, const char *title, const char *sub);
/* The time axis unit for a span in seconds: divisor and name ("s", "min", "h"). */
void viz_time_unit(double span_s, double *div, const char **name);

/* --- topology snapshot (model.c) ------------------------------------------------ */
typedef enum {
  VIZ_SITE_CORE,     /* holds a core server */
  VIZ_SITE_DMZ,      /* holds zone servers (and no core server) */
  VIZ_SITE_BRANCH,   /* everything else with subnets */
  VIZ_SITE_INTERNET, /* holds external clients (and no server) */
} VizSiteRole;

typedef enum { VIZ_SRV_CORE, VIZ_SRV_ZONE, VIZ_SRV_MODULE } VizServerKind;

typedef struct {
  guint32 subnet;          /* sim subnet id */
  char cidr[20];           /* "10.17.0.0/24" */
  CsSubnetMode mode;       /* normal, separated or isolated (no peering) */
  guint32 clients;         /* agents, external ones included */
  guint32 external;        /* of them, external (roaming) clients */
  guint32 zone;            /* external clients: the world's zone index they reach, VIZ_NONE */
  guint32 hosts;           /* plain hosts and servers */
  guint32 chains;          /* chains headed in this subnet (isolated subnets: none) */
  guint32 bl, fl;          /* backward / forward leaders (internal clients only) */
  guint32 blfl;            /* of them, both at once (one-client chains) */
  guint32 unchained;       /* internal clients up but in no chain (not yet joined, isolated) */
  guint32 bl_addr, fl_addr;/* the first backward / forward leader's address (0: none) */
  guint32 refl_f, refl_b;  /* reflections */
  guint32 down;            /* clients crashed or stopped */
} VizSubnet;

typedef struct {
  VizServerKind kind;
  char *name;
  guint32 group;           /* index in VizTopo.groups */
  guint32 hub;             /* zone server: the core server (index in servers) whose hub keeps
                            * its tunnel; module server: the core server it talks to (443) */
  guint32 zone;            /* zone server: the world's zone index, else VIZ_NONE */
  gboolean up;             /* zone server: the hub tunnel is up; others: TRUE */
} VizServer;

/* A site, or a group of alike branch sites drawn as one box. */
typedef struct {
  char *name;              /* site name, or "412 sites" for a group */
  char *detail;            /* group: "branch-4 … branch-415", else NULL */
  char *id;                /* identifier for Mermaid/DOT */
  VizSiteRole role;
  guint32 nsites;          /* sites in the group (1: a real site) */
  guint32 site;            /* the (first) sim site */
  GArray *subnets;         /* VizSubnet: every client subnet (groups: empty) */
  guint32 nsubnets;        /* client subnets (groups: summed) */
  guint64 clients;         /* internal agents, summed */
  guint64 ext_clients;     /* external clients in its subnets (internet) */
  guint32 chains, bl, fl, refl_f, refl_b, down; /* summed over the subnets */
  guint32 blfl, unchained; /* summed over the subnets */
  guint32 parent;          /* group it hangs from in the WAN tree, VIZ_NONE for roots */
  guint32 layer;           /* WAN hops from a core site */
  double bps_min, bps_max; /* uplink bandwidth (to parent) */
  SimTime lat_min, lat_max;/* uplink latency */
  guint32 links_down;      /* uplinks down */
} VizGroup;

/* A WAN link not in the tree (between groups), or several alike ones. */
typedef struct {
  guint32 a, b;            /* groups */
  double bps;
  SimTime lat;
  gboolean up;
  guint32 count;           /* links folded together */
} VizLink;

typedef struct {
  GArray *groups;          /* VizGroup, layer by layer, siblings together */
  GArray *servers;         /* VizServer */
  GArray *links;           /* VizLink: non-tree links */
  guint64 clients;         /* all agents */
  guint32 sites;           /* all sites */
  guint32 folded;          /* sites folded into groups */
  guint32 *site_group;     /* per sim site: its group */
  SimTime now;             /* simulated time of the snapshot */
} VizTopo;

/* Per-subnet books for every sim subnet (one pass over the clients; external
 * clients counted apart, with the zone server nearest over the WAN); counts
 * core, zone and module servers per subnet into server_count when not NULL.
 * g_free the result. */
VizSubnet *viz_subnets_read(CsWorld *w, guint32 *server_count);
/* Reads the world: sites (role by what they hold), subnets with chain
 * figures, core, module and zone servers (tunnel state), WAN links;
 * folds alike branch sites when there are more than max_sites (0: 24). */
VizTopo *viz_topo_new(CsWorld *w, guint max_sites);
void viz_topo_free(VizTopo *t);
/* The server of kind `kind` that stands for the world's zone `zone` (zone
 * servers) or the first one of that kind (zone = VIZ_NONE); VIZ_NONE if none. */
guint32 viz_topo_server(const VizTopo *t, VizServerKind kind, guint32 zone);
/* Whether a module server is in the world: Direct Connect applies (17475 to
 * the module server; 17486/17487 at zone proxies). */
gboolean viz_topo_has_dc(const VizTopo *t);
/* The group showing sim site `site`, or VIZ_NONE. */
guint32 viz_topo_group_of_site(const VizTopo *t, guint32 site);

/* Draws a snapshot (topology.c) to path. */
gboolean viz_topology_draw(VizTopo *t, const char *path, const CsVizOptions *o, GError **err);
/* Text exports of a snapshot (export.c). */
char *viz_topo_mermaid(const VizTopo *t);
char *viz_topo_dot(const VizTopo *t);
/* Writes text to path whole or not at all. */
gboolean viz_write_text(const char *path, const char *text, GError **err);
