/* viz.h — pictures of a world: topology, chains, bandwidth, answer times and
 * server load with Cairo; the topology as Mermaid and Graphviz DOT text.
 *
 * Every figure reads the world as it is now (the caller runs the simulation
 * to the time it wants to show, then draws) and writes one file whose format
 * is chosen by the extension: .png (Cairo image surface), .svg, .pdf (Cairo's
 * vector surfaces).  Anything else fails with CS_VIZ_ERROR_FORMAT
 * ("unsupported figure format").  Files are written whole or not at all: to
 * a hidden temporary name in the destination's folder, renamed over the
 * destination only when Cairo reports success.
 *
 * Scale: nothing is drawn per endpoint beyond a fixed budget.  The topology
 * draws sites one by one up to `max_sites`, then folds alike branch sites
 * (same parent, bandwidth and latency) into one group box; the chain figure
 * draws up to `max_subnets` subnet blocks and collapses long runs of
 * unremarkable chain members into one "… n clients …" segment.  A figure of
 * a 10^6-endpoint world costs one pass over the clients plus the drawing.
 *
 * Text uses Cairo's toy API with a real font ("DejaVu Sans" by default) and
 * unhinted metrics, so a figure has the same layout in every format.  PDF
 * figures carry a named destination per site, server and chain leader
 * ("site:branch-3", "server:ts1", "leader:10.0.3.1"), so a viewer can jump
 * to them.  Cairo's SVG surface draws text as glyph outlines, so an SVG has
 * no searchable text; `CsVizOptions.labels` hands the caller every text
 * drawn, with its box (tests check labels and overlaps through it).
 *
 * Zone servers (with the state of their hub tunnel), module servers and
 * external clients are read from the models (model.c); world.h does not say
 * which core server's hub serves a zone server, which core server a module
 * server talks to, nor which zone server an external client uses, so the
 * figures take the one nearest over the WAN (exact with one of each). */
#pragma once
#include <glib.h>
#include "world.h"

#define CS_VIZ_ERROR (cs_viz_error_quark())
GQuark cs_viz_error_quark(void);

typedef enum {
  CS_VIZ_ERROR_FORMAT,  /* unsupported figure format (by extension) */
  CS_VIZ_ERROR_WRITE,   /* the file could not be written */
  CS_VIZ_ERROR_CAIRO,   /* Cairo failed (out of memory, surface too large) */
  CS_VIZ_ERROR_SCOPE,   /* chains: no such site, subnet or client */
} CsVizError;

typedef enum {
  CS_VIZ_FORMAT_NONE = 0, /* unknown extension */
  CS_VIZ_FORMAT_PNG,
  CS_VIZ_FORMAT_SVG,
  CS_VIZ_FORMAT_PDF,
  CS_VIZ_FORMAT_MERMAID,  /* .mmd, .mermaid (text: topology only) */
  CS_VIZ_FORMAT_DOT,      /* .dot, .gv (text: topology only) */
} CsVizFormat;

/* The format named by a path's extension (case-insensitive). */
CsVizFormat cs_viz_format_of(const char *path);

/* --- labels drawn (optional output) ----------------------------------------- */
typedef struct {
  const char *text;       /* as drawn (UTF-8) */
  double x, y, w, h;      /* box in figure units (left, top, width, height) */
} CsVizLabel;

typedef struct CsVizLabels CsVizLabels;
CsVizLabels *cs_viz_labels_new(void);
void cs_viz_labels_free(CsVizLabels *l);
/* Forgets what was recorded (reuse for the next figure). */
void cs_viz_labels_clear(CsVizLabels *l);
guint cs_viz_labels_count(const CsVizLabels *l);
const CsVizLabel *cs_viz_labels_get(const CsVizLabels *l, guint i);
/* Whether some label equals `text` exactly (or contains it, if !exact). */
gboolean cs_viz_labels_has(const CsVizLabels *l, const char *text, gboolean exact);
/* The first pair of labels whose boxes overlap by more than `slack` units in
 * both directions; FALSE when no two overlap. */
gboolean cs_viz_labels_overlap(const CsVizLabels *l, double slack, guint *a, guint *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsVizLabels, cs_viz_labels_free)

/* --- options ------------------------------------------------------------------ */
typedef struct {
  double width;           /* canvas width (PNG pixels at scale 1, SVG/PDF points); 0: the figure's own */
  double scale;           /* PNG only: pixels per unit (2 for high-DPI screens); 0: 1 */
  const char *title;      /* NULL: the figure's own title */
  const char *font;       /* font family; NULL: "DejaVu Sans" */
  guint max_sites;        /* topology: sites drawn one by one before alike ones fold into groups; 0: 24 */
  guint max_subnets;      /* chains: subnet blocks drawn; 0: 12 */
  guint max_clients;      /* chains: client glyphs per subnet before long plain runs collapse; 0: 400 */
  CsVizLabels *labels;    /* out, optional: receives every text drawn, with its box */
} CsVizOptions;

/* Fills o with the defaults (all zero: each figure's own choice). */
void cs_viz_options_default(CsVizOptions *o);

/* --- figures (o may be NULL) ------------------------------------------------------- */
/* Sites as groups, the core server with its zone hub, the database, zone and
 * module servers, subnets with client counts and chain figures (isolated
 * ones marked), external clients per subnet, WAN links with bandwidth,
 * latency, state and the ports that cross them, the zone hub's tunnel to
 * each zone server (dashed when down), the Direct Connect ports (17475 at
 * the module server, 17486/17487 at zone proxies) where a module server is. */
gboolean cs_viz_topology(CsWorld *w, const char *path, const CsVizOptions *o, GError **err);

/* The chains of a site, a subnet or a client's subnet (scope NULL or
 * CS_TARGET_ALL: the subnets with the most chains first): clients in address
 * order folded into rows, backward and forward leaders with their server
 * connections, reflections, breaks and down clients. */
gboolean cs_viz_chains(CsWorld *w, const char *path, const CsTarget *scope, const CsVizOptions *o,
                       GError **err);

/* WAN bytes/s over time stacked by traffic class, one panel per directed WAN
 * link for the top_k busiest (0: 4), then one for the LAN (hosts' access
 * links, bytes sent by hosts). */
gboolean cs_viz_bandwidth(CsWorld *w, const char *path, guint top_k, const CsVizOptions *o, GError **err);

/* Fraction of targets answered against time since the ask, one line per question
 * (the legend names its sensor). */
gboolean cs_viz_answers(CsWorld *w, const char *path, const CsVizOptions *o, GError **err);

/* Registrations completed per second and the server work queue over time. */
gboolean cs_viz_server_load(CsWorld *w, const char *path, const CsVizOptions *o, GError **err);

/* --- curves with confidence intervals (curves.c) ----------------------------------- */
/* One line of a curves figure: means at x[i] with their interval [lo, hi]
 * (NaN: none, e.g. a single replication); a mean that is NaN is skipped. */
typedef struct {
  const char *label;       /* legend text; NULL: no legend */
  guint n;
  const double *x, *mean, *lo, *hi;
} CsVizCurve;

typedef struct {
  const char *title, *subtitle;
  const char *xlabel, *ylabel;
  gboolean xlog;           /* logarithmic x axis (every x must be > 0) */
  guint nticks;            /* x ticks: at tick_x, labelled tick_label (the swept values) */
  const double *tick_x;
  const char *const *tick_label;
} CsVizCurveAxes;

/* Lines through the means with the intervals as a shaded band and error bars,
 * one colour per curve, a legend below; the y axis spans the intervals.
 * PNG, SVG or PDF by the extension of path, written whole or not at all. */
gboolean cs_viz_curves(const char *path, const CsVizCurveAxes *ax, const CsVizCurve *curves, guint ncurves,
                       const CsVizOptions *o, GError **err);

/* --- text exports --------------------------------------------------------------------- */
/* The topology as a Mermaid flowchart in the reference architecture's shape
 * (its subgraphs, classes, edge kinds and labels: see export.c) and as a
 * Graphviz digraph of the same scene (clusters per site, subnet and core
 * server).  g_free the result. */
char *cs_viz_mermaid(CsWorld *w);
char *cs_viz_dot(CsWorld *w);

/* The topology in the format of path's extension: PNG, SVG, PDF, Mermaid
 * (.mmd, .mermaid) or DOT (.dot, .gv), written whole or not at all. */
gboolean cs_viz_diagram(CsWorld *w, const char *path, const CsVizOptions *o, GError **err);
