/* surface.c — the canvas every figure draws on, and the small helpers they
 * share: the format by extension, a Cairo surface writing into a temporary
 * file next to the destination (outfile.h: renamed over it only when Cairo
 * and the file system both report success), text with a real font whose boxes are
 * recorded (for label placement and for the caller's CsVizLabels), named PDF
 * destinations, colours, and number and unit formatting.
 *
 * Text metrics are unhinted and glyphs unhinted on every surface: a layout
 * computed with the measuring canvas is the same in PNG, SVG and PDF, and
 * PNGs differ less from machine to machine (reference-image tests). */
#include "viz-private.h"
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* LeakSanitizer (CHAINSIM_SANITIZE builds) calls this hook if a program
 * defines it: fontconfig loses a pattern on Cairo's first text, even in a
 * three-line Cairo program, so every program that draws a figure would fail
 * its leak check.  Defined here, next to the text drawing, for all of them. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

GQuark cs_viz_error_quark(void) { return g_quark_from_static_string("cs-viz-error"); }

void cs_viz_options_default(CsVizOptions *o)
{
  memset(o, 0, sizeof *o);
}

CsVizFormat cs_viz_format_of(const char *path)
{
  if (!path)
    return CS_VIZ_FORMAT_NONE;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base)
    return CS_VIZ_FORMAT_NONE;
  static const struct {
    const char *ext;
    CsVizFormat fmt;
  } table[] = {
    { ".png", CS_VIZ_FORMAT_PNG }, { ".svg", CS_VIZ_FORMAT_SVG },         { ".pdf", CS_VIZ_FORMAT_PDF },
    { ".mmd", CS_VIZ_FORMAT_MERMAID }, { ".mermaid", CS_VIZ_FORMAT_MERMAID }, { ".dot", CS_VIZ_FORMAT_DOT },
    { ".gv", CS_VIZ_FORMAT_DOT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    if (g_ascii_strcasecmp(dot, table[i].ext) == 0)
      return table[i].fmt;
  return CS_VIZ_FORMAT_NONE;
}

/* --- labels ------------------------------------------------------------------- */

struct CsVizLabels {
  GArray *items; /* CsVizLabel, text owned */
};

CsVizLabels *cs_viz_labels_new(void)
{
  CsVizLabels *l = g_new0(CsVizLabels, 1);
  l->items = g_array_new(FALSE, FALSE, sizeof(CsVizLabel));
  return l;
}

void cs_viz_labels_clear(CsVizLabels *l)
{
  for (guint i = 0; i < l->items->len; i++)
    g_free((char *) g_array_index(l->items, CsVizLabel, i).text);
  g_array_set_size(l->items, 0);
}

void cs_viz_labels_free(CsVizLabels *l)
{
  if (!l)
    return;
  cs_viz_labels_clear(l);
  g_array_free(l->items, TRUE);
  g_free(l);
}

guint cs_viz_labels_count(const CsVizLabels *l) { return l->items->len; }

const CsVizLabel *cs_viz_labels_get(const CsVizLabels *l, guint i)
{
  g_return_val_if_fail(i < l->items->len, NULL);
  return &g_array_index(l->items, CsVizLabel, i);
}

gboolean cs_viz_labels_has(const CsVizLabels *l, const char *text, gboolean exact)
{
  for (guint i = 0; i < l->items->len; i++) {
    const char *t = g_array_index(l->items, CsVizLabel, i).text;
    if (exact ? strcmp(t, text) == 0 : strstr(t, text) != NULL)
      return TRUE;
  }
  return FALSE;
}

static gint cmp_label_x(gconstpointer a, gconstpointer b, gpointer data)
{
  const CsVizLabel *items = data;
  double x = items[*(const guint *) a].x, y = items[*(const guint *) b].x;
  return x < y ? -1 : x > y;
}

gboolean cs_viz_labels_overlap(const CsVizLabels *l, double slack, guint *a, guint *b)
{
  /* Sweep by left edge: only boxes that start before the current one ends
   * can overlap it. */
  guint n = l->items->len;
  const CsVizLabel *it = (const CsVizLabel *) l->items->data;
  guint *order = g_new(guint, MAX(n, 1));
  for (guint i = 0; i < n; i++)
    order[i] = i;
  g_qsort_with_data(order, (gint) n, sizeof(guint), cmp_label_x, (gpointer) it);
  gboolean found = FALSE;
  for (guint i = 0; i < n && !found; i++) {
    const CsVizLabel *p = &it[order[i]];
    VizRect rp = { p->x, p->y, p->w, p->h };
    for (guint j = i + 1; j < n && it[order[j]].x < p->x + p->w; j++) {
      const CsVizLabel *q = &it[order[j]];
      VizRect rq = { q->x, q->y, q->w, q->h };
      if (viz_rect_overlap(rp, rq, slack)) {
        if (a)
          *a = MIN(order[i], order[j]);
        if (b)
          *b = MAX(order[i], order[j]);
        found = TRUE;
        break;
      }
    }
  }
  g_free(order);
  return found;
}

/* --- colour and shapes ------------------------------------------------------------ */

void viz_rgba(cairo_t *cr, guint32 rgb, double alpha)
{
  cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0, alpha);
}

void viz_rgb(cairo_t *cr, guint32 rgb) { viz_rgba(cr, rgb, 1.0); }

void viz_round_rect(cairo_t *cr, double x, double y, double w, double h, double r)
{
  r = MIN(r, MIN(w, h) / 2);
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc(cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc(cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path(cr);
}

void viz_arrow_head(cairo_t *cr, double x0, double y0, double x1, double y1, double size)
{
  double a = atan2(y1 - y0, x1 - x0);
  cairo_move_to(cr, x1, y1);
  cairo_line_to(cr, x1 - size * cos(a - 0.4), y1 - size * sin(a - 0.4));
  cairo_line_to(cr, x1 - size * cos(a + 0.4), y1 - size * sin(a + 0.4));
  cairo_close_path(cr);
  cairo_fill(cr);
}

guint32 viz_class_colour(SimClass cls)
{
  /* Tableau 10: distinct for the colour-blind in most pairs, and in print. */
  static const guint32 c[CS_CLS_COUNT] = {
    [CS_CLS_REGISTRATION] = 0x1f77b4, [CS_CLS_QUESTION] = 0xff7f0e, [CS_CLS_ANSWER] = 0x2ca02c,
    [CS_CLS_ACTION] = 0xd62728,       [CS_CLS_SHARD] = 0x9467bd,    [CS_CLS_PEER] = 0x8c564b,
    [CS_CLS_DIRECT] = 0xe377c2,       [CS_CLS_TUNNEL] = 0x7f7f7f,   [CS_CLS_BULK] = 0xbcbd22,
  };
  return cls < CS_CLS_COUNT ? c[cls] : 0x333333;
}

guint32 viz_series_colour(guint i)
{
  static const guint32 c[] = { 0x1f77b4, 0xd62728, 0x2ca02c, 0xff7f0e, 0x9467bd,
                               0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x7f7f7f };
  return c[i % G_N_ELEMENTS(c)];
}

/* --- canvas --------------------------------------------------------------------- */

static void canvas_setup(VizCanvas *c, const CsVizOptions *o)
{
  c->font = g_strdup(o && o->font ? o->font : VIZ_FONT_DEFAULT);
  c->boxes = g_array_new(FALSE, FALSE, sizeof(VizRect));
  c->log = o ? o->labels : NULL;
  cairo_font_options_t *fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(c->cr, fo);
  cairo_font_options_destroy(fo);
  cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
  viz_font(c, 11, FALSE);
}

VizCanvas *viz_measure_new(const CsVizOptions *o)
{
  VizCanvas *c = g_new0(VizCanvas, 1);
  c->fmt = CS_VIZ_FORMAT_NONE;
  c->w = c->h = 1;
  c->scale = 1;
  c->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  c->cr = cairo_create(c->surface);
  canvas_setup(c, o);
  c->log = NULL;
  return c;
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int length)
{
  VizCanvas *c = closure;
  if (fwrite(data, 1, length, c->fp) != length) {
    c->write_failed = TRUE;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

/* Re-labels an output-file error as a figure write error (same message). */
static gboolean write_error(GError *e, GError **err)
{
  g_set_error_literal(err, CS_VIZ_ERROR, CS_VIZ_ERROR_WRITE, e->message);
  g_error_free(e);
  return FALSE;
}

gboolean viz_check_figure_format(const char *path, GError **err)
{
  CsVizFormat f = cs_viz_format_of(path);
  if (f == CS_VIZ_FORMAT_PNG || f == CS_VIZ_FORMAT_SVG || f == CS_VIZ_FORMAT_PDF)
    return TRUE;
  g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_FORMAT, "unsupported figure format: '%s' (expected .png, .svg or .pdf)",
              path ? path : "(null)");
  return FALSE;
}

VizCanvas *viz_canvas_new(const char *path, double w, double h, const char *title,
                          const CsVizOptions *o, GError **err)
{
  if (!viz_check_figure_format(path, err))
    return NULL;
  CsVizFormat fmt = cs_viz_format_of(path);
  VizCanvas *c = g_new0(VizCanvas, 1);
  c->fmt = fmt;
  c->w = ceil(w);
  c->h = ceil(h);
  c->scale = o && o->scale > 0 ? o->scale : 1.0;
  c->path = g_strdup(path);
  GError *e = NULL;
  c->out = cs_outfile_open(path, &e);
  if (c->out == NULL) {
    write_error(e, err);
    viz_canvas_free(c);
    return NULL;
  }
  c->fp = cs_outfile_stream(c->out);
  switch (fmt) {
  case CS_VIZ_FORMAT_PNG:
    c->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int) ceil(c->w * c->scale),
                                            (int) ceil(c->h * c->scale));
    break;
  case CS_VIZ_FORMAT_SVG:
    c->surface = cairo_svg_surface_create_for_stream(write_stream, c, c->w, c->h);
    break;
  default:
    c->surface = cairo_pdf_surface_create_for_stream(write_stream, c, c->w, c->h);
    if (title)
      cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATOR, "chainsim " CHAINSIM_VERSION);
    break;
  }
  if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
    g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_CAIRO, "cannot draw '%s' (%.0f x %.0f): %s", path, c->w, c->h,
                cairo_status_to_string(cairo_surface_status(c->surface)));
    viz_canvas_free(c);
    return NULL;
  }
  c->cr = cairo_create(c->surface);
  if (fmt == CS_VIZ_FORMAT_PNG)
    cairo_scale(c->cr, c->scale, c->scale);
  canvas_setup(c, o);
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
  return c;
}

void viz_canvas_free(VizCanvas *c)
{
  if (!c)
    return;
  if (c->cr)
    cairo_destroy(c->cr);
  if (c->surface) {
    /* Finishing writes nothing more once the stream is closed below; finish
     * before closing so Cairo never writes to a closed stream. */
    cairo_surface_finish(c->surface);
    cairo_surface_destroy(c->surface);
  }
  cs_outfile_abort(c->out);
  if (c->boxes)
    g_array_free(c->boxes, TRUE);
  g_free(c->path);
  g_free(c->font);
  g_free(c);
}

gboolean viz_canvas_commit(VizCanvas *c, GError **err)
{
  cairo_status_t st = cairo_status(c->cr);
  cairo_destroy(c->cr);
  c->cr = NULL;
  if (st == CAIRO_STATUS_SUCCESS) {
    if (c->fmt == CS_VIZ_FORMAT_PNG)
      st = cairo_surface_write_to_png_stream(c->surface, write_stream, c);
    cairo_surface_finish(c->surface);
    if (st == CAIRO_STATUS_SUCCESS)
      st = cairo_surface_status(c->surface);
  }
  cairo_surface_destroy(c->surface);
  c->surface = NULL;
  if (st != CAIRO_STATUS_SUCCESS || c->write_failed) {
    if (c->write_failed || st == CAIRO_STATUS_WRITE_ERROR)
      g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_WRITE, "cannot write '%s': %s", c->path, g_strerror(errno));
    else
      g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_CAIRO, "cannot draw '%s': %s", c->path, cairo_status_to_string(st));
    viz_canvas_free(c);
    return FALSE;
  }
  CsOutfile *out = c->out;
  c->out = NULL;
  c->fp = NULL;
  viz_canvas_free(c);
  GError *e = NULL;
  return cs_outfile_commit(out, &e) || write_error(e, err);
}

gboolean viz_write_text(const char *path, const char *text, GError **err)
{
  GError *e = NULL;
  return cs_outfile_write(path, text, strlen(text), &e) || write_error(e, err);
}

/* --- text --------------------------------------------------------------------------- */

void viz_font(VizCanvas *c, double size, gboolean bold)
{
  cairo_select_font_face(c->cr, c->font, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(c->cr, size);
}

double viz_text_width(VizCanvas *c, const char *s)
{
  c->measures++;
  cairo_text_extents_t te;
  cairo_text_extents(c->cr, s, &te);
  return te.x_advance;
}

double viz_line_height(VizCanvas *c)
{
  cairo_font_extents_t fe;
  cairo_font_extents(c->cr, &fe);
  return fe.ascent + fe.descent;
}

VizRect viz_text_box(VizCanvas *c, double x, double y, VizAlign a, VizVAlign v, const char *s)
{
  cairo_font_extents_t fe;
  cairo_font_extents(c->cr, &fe);
  double w = viz_text_width(c, s), h = fe.ascent + fe.descent;
  VizRect r = { x, y, w, h };
  if (a == VIZ_CENTER)
    r.x = x - w / 2;
  else if (a == VIZ_RIGHT)
    r.x = x - w;
  switch (v) {
  case VIZ_BASELINE: r.y = y - fe.ascent; break;
  case VIZ_TOP: r.y = y; break;
  case VIZ_MIDDLE: r.y = y - h / 2; break;
  case VIZ_BOTTOM: r.y = y - h; break;
  }
  return r;
}

VizRect viz_text(VizCanvas *c, double x, double y, VizAlign a, VizVAlign v, const char *s)
{
  VizRect r = viz_text_box(c, x, y, a, v, s);
  if (!*s)
    return r;
  cairo_font_extents_t fe;
  cairo_font_extents(c->cr, &fe);
  cairo_move_to(c->cr, r.x, r.y + fe.ascent);
  cairo_show_text(c->cr, s);
  cairo_new_path(c->cr);
  g_array_append_val(c->boxes, r);
  if (c->log) {
    CsVizLabel l = { g_strdup(s), r.x, r.y, r.w, r.h };
    g_array_append_val(c->log->items, l);
  }
  return r;
}

gboolean viz_text_free(VizCanvas *c, VizRect r)
{
  for (guint i = 0; i < c->boxes->len; i++)
    if (viz_rect_overlap(r, g_array_index(c->boxes, VizRect, i), 0.5))
      return FALSE;
  return TRUE;
}

/* Whether the first keep characters of s and "…" fit within maxw (keeping
 * none always does: "…" is the last resort); t is scratch space. */
static gboolean prefix_fits(VizCanvas *c, GString *t, const char *s, glong keep, double maxw)
{
  if (keep == 0)
    return TRUE;
  g_string_truncate(t, 0);
  g_string_append_len(t, s, g_utf8_offset_to_pointer(s, keep) - s);
  g_string_append(t, "…");
  return viz_text_width(c, t->str) <= maxw;
}

char *viz_text_fit(VizCanvas *c, const char *s, double maxw)
{
  double full = viz_text_width(c, s);
  if (full <= maxw)
    return g_strdup(s);
  /* The most characters to keep, in [0, n - 1]: a longer prefix is never
   * narrower.  Start from the proportional guess, gallop away from it in
   * doubling steps, then bisect: a label a little too long takes a few
   * measurements, a 100,000-character title O(log n). */
  glong n = g_utf8_strlen(s, -1);
  GString *t = g_string_new(NULL);
  glong lo = 0, hi = n - 1; /* keeping lo fits; the answer is in [lo, hi] */
  glong guess = (glong) CLAMP((double) n * MAX(maxw, 0) / full, 0, (double) hi);
  if (prefix_fits(c, t, s, guess, maxw)) {
    lo = guess;
    for (glong step = 1; lo < hi; step *= 2) {
      glong p = MIN(lo + step, hi);
      if (!prefix_fits(c, t, s, p, maxw)) {
        hi = p - 1;
        break;
      }
      lo = p;
    }
  } else {
    hi = guess - 1;
    for (glong step = 1; lo < hi; step *= 2) {
      glong p = hi + 1 - step;
      if (p <= lo)
        break;
      if (prefix_fits(c, t, s, p, maxw)) {
        lo = p;
        break;
      }
      hi = p - 1;
    }
  }
  while (lo < hi) {
    glong mid = lo + (hi - lo + 1) / 2;
    if (prefix_fits(c, t, s, mid, maxw))
      lo = mid;
    else
      hi = mid - 1;
  }
  g_string_truncate(t, 0);
  g_string_append_len(t, s, g_utf8_offset_to_pointer(s, lo) - s);
  g_string_append(t, "…");
  return g_string_free(t, FALSE);
}

void viz_dest(VizCanvas *c, const char *kind, const char *name, double x, double y)
{
  if (c->fmt != CS_VIZ_FORMAT_PDF)
    return;
  /* Cairo's attribute strings are single-quoted with backslash escapes. */
  GString *a = g_string_new("name='");
  g_string_append(a, kind);
  g_string_append_c(a, ':');
  for (const char *p = name; *p; p++) {
    if (*p == '\'' || *p == '\\')
      g_string_append_c(a, '\\');
    g_string_append_c(a, *p);
  }
  char num[2][G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf(a, "' x=%s y=%s", g_ascii_dtostr(num[0], sizeof num[0], x),
                         g_ascii_dtostr(num[1], sizeof num[1], y));
  cairo_tag_begin(c->cr, CAIRO_TAG_DEST, a->str);
  cairo_tag_end(c->cr, CAIRO_TAG_DEST);
  g_string_free(a, TRUE);
}

/* --- numbers ---------------------------------------------------------------------------- */

char *viz_fmt_count(guint64 n)
{
  char digits[32];
  g_snprintf(digits, sizeof digits, "%" G_GUINT64_FORMAT, n);
  GString *s = g_string_new(NULL);
  gsize len = strlen(digits);
  for (gsize i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      g_string_append_c(s, ',');
    g_string_append_c(s, digits[i]);
  }
  return g_string_free(s, FALSE);
}

const char *viz_n(guint64 n)
{
  static _Thread_local char ring[8][32];
  static _Thread_local unsigned next;
  char *buf = ring[next++ % 8];
  char *s = viz_fmt_count(n);
  g_strlcpy(buf, s, sizeof ring[0]);
  g_free(s);
  return buf;
}

/* "%.3g" without an exponent for the values we print (below 10^4). */
static char *fmt_short(double v, const char *unit)
{
  if (fabs(v - round(v)) < 1e-9 || fabs(v) >= 100)
    return g_strdup_printf("%.0f %s", v, unit);
  return g_strdup_printf("%.3g %s", v, unit);
}

char *viz_fmt_bps(double bps)
{
  double div;
  const char *name;
  viz_rate_unit(bps, &div, &name);
  return fmt_short(bps / div, name);
}

char *viz_fmt_time(SimTime t)
{
  double v = (double) t;
  if (t < SIM_US)
    return fmt_short(v, "ns");
  if (t < SIM_MS)
    return fmt_short(v / SIM_US, "µs");
  if (t < SIM_S)
    return fmt_short(v / SIM_MS, "ms");
  if (t < 120 * SIM_S)
    return fmt_short(v / SIM_S, "s");
  if (t < 2 * SIM_HOUR)
    return fmt_short(v / SIM_MIN, "min");
  return fmt_short(v / SIM_HOUR, "h");
}

void viz_rate_unit(double max, double *div, const char **name)
{
  if (max >= 1e9) {
    *div = 1e9;
    *name = "Gbps";
  } else if (max >= 1e6) {
    *div = 1e6;
    *name = "Mbps";
  } else if (max >= 1e3) {
    *div = 1e3;
    *name = "Kbps";
  } else {
    *div = 1;
    *name = "bps";
  }
}

void viz_time_unit(double span_s, double *div, const char **name)
{
  if (span_s <= 600) {
    *div = 1;
    *name = "s";
  } else if (span_s <= 3 * 3600) {
    *div = 60;
    *name = "min";
  } else {
    *div = 3600;
    *name = "h";
  }
}

double viz_nice_step(double range, int n)
{
  if (!(range > 0) || n < 1)
    return 1;
  double raw = range / n;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * mag;
}

char *viz_fmt_tick(double v, double step)
{
  int d = 0;
  while (d < 6) {
    double s = step * pow(10, d);
    if (fabs(s - round(s)) < 1e-6 * MAX(1, fabs(s)))
      break;
    d++;
  }
  if (fabs(v) < step * 1e-9)
    v = 0;
  if (d == 0 && fabs(v) >= 10000) {
    char *n = viz_fmt_count((guint64) llround(fabs(v)));
    char *r = g_strdup_printf("%s%s", v < 0 ? "-" : "", n);
    g_free(n);
    return r;
  }
  return g_strdup_printf("%.*f", d, v);
}
