/* curves.c — a metric against a swept parameter: one line per curve through
 * its means, the 95 % confidence interval as a shaded band and error bars
 * (chainsim study --plot).  The x axis is linear or logarithmic with a tick
 * at each swept value (labelled as the value was written); the y axis is
 * linear over the intervals, with round ticks.  See viz.h. */
#include "viz-private.h"
#include <math.h>

#define MARGIN 24.0
#define DEFAULT_W 800.0
#define PLOT_H 360.0

typedef struct {
  VizRect area;
  double x0, x1, y0, y1;
  gboolean xlog;
} Frame;

static double fx(const Frame *f, double x)
{
  double t = f->xlog ? (log(x) - log(f->x0)) / (log(f->x1) - log(f->x0)) : (x - f->x0) / (f->x1 - f->x0);
  return f->area.x + f->area.w * t;
}

static double fy(const Frame *f, double y) { return f->area.y + f->area.h * (1 - (y - f->y0) / (f->y1 - f->y0)); }

/* The data's x and y extents (intervals included); FALSE without a mean. */
static gboolean extents(const CsVizCurveAxes *ax, const CsVizCurve *cv, guint nc, double *x0, double *x1,
                        double *y0, double *y1)
{
  *x0 = *y0 = INFINITY;
  *x1 = *y1 = -INFINITY;
  for (guint i = 0; i < ax->nticks; i++) {
    *x0 = MIN(*x0, ax->tick_x[i]);
    *x1 = MAX(*x1, ax->tick_x[i]);
  }
  gboolean any = FALSE;
  for (guint c = 0; c < nc; c++)
    for (guint i = 0; i < cv[c].n; i++) {
      if (isnan(cv[c].mean[i]))
        continue;
      any = TRUE;
      *x0 = MIN(*x0, cv[c].x[i]);
      *x1 = MAX(*x1, cv[c].x[i]);
      *y0 = MIN(*y0, isnan(cv[c].lo[i]) ? cv[c].mean[i] : cv[c].lo[i]);
      *y1 = MAX(*y1, isnan(cv[c].hi[i]) ? cv[c].mean[i] : cv[c].hi[i]);
    }
  return any;
}

static void draw_axes(VizCanvas *c, Frame *f, const CsVizCurveAxes *ax, double ystep)
{
  cairo_t *cr = c->cr;
  cairo_rectangle(cr, f->area.x, f->area.y, f->area.w, f->area.h);
  viz_rgb(cr, 0xfafbfc);
  cairo_fill(cr);
  cairo_set_line_width(cr, 0.6);
  viz_font(c, 9, FALSE);
  for (double v = f->y0; v <= f->y1 + ystep / 1000; v += ystep) {
    double y = fy(f, v);
    viz_rgb(cr, 0xdde3e8);
    cairo_move_to(cr, f->area.x, y);
    cairo_line_to(cr, f->area.x + f->area.w, y);
    cairo_stroke(cr);
    char *t = viz_fmt_tick(v, ystep);
    viz_rgb(cr, 0x37474f);
    viz_text(c, f->area.x - 5, y, VIZ_RIGHT, VIZ_MIDDLE, t);
    g_free(t);
  }
  double last_right = -1e9;
  for (guint i = 0; i < ax->nticks; i++) {
    double x = fx(f, ax->tick_x[i]);
    viz_rgb(cr, 0xdde3e8);
    cairo_move_to(cr, x, f->area.y);
    cairo_line_to(cr, x, f->area.y + f->area.h);
    cairo_stroke(cr);
    VizRect r = viz_text_box(c, x, f->area.y + f->area.h + 7, VIZ_CENTER, VIZ_TOP, ax->tick_label[i]);
    if (r.x > last_right + 6) {
      viz_rgb(cr, 0x37474f);
      viz_text(c, x, f->area.y + f->area.h + 7, VIZ_CENTER, VIZ_TOP, ax->tick_label[i]);
      last_right = r.x + r.w;
    }
  }
  viz_rgb(cr, 0x546e7a);
  if (ax->xlabel) {
    char *xl = g_strdup_printf("%s%s", ax->xlabel, ax->xlog ? " (log scale)" : "");
    viz_text(c, f->area.x + f->area.w, f->area.y + f->area.h + 21, VIZ_RIGHT, VIZ_TOP, xl);
    g_free(xl);
  }
  if (ax->ylabel) {
    char *yl = viz_text_fit(c, ax->ylabel, f->area.w);
    viz_text(c, f->area.x, f->area.y - 5, VIZ_LEFT, VIZ_BOTTOM, yl);
    g_free(yl);
  }
  viz_rgb(cr, 0x90a4ae);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, f->area.x, f->area.y, f->area.w, f->area.h);
  cairo_stroke(cr);
}

static void draw_curve(VizCanvas *c, const Frame *f, const CsVizCurve *cv, guint32 colour)
{
  cairo_t *cr = c->cr;
  /* The band: upper edge left to right, lower edge back, over each run of
   * points with an interval. */
  for (guint i = 0; i < cv->n;) {
    guint j = i;
    while (j < cv->n && !isnan(cv->lo[j]) && !isnan(cv->hi[j]) && !isnan(cv->mean[j]))
      j++;
    if (j - i >= 2) {
      for (guint k = i; k < j; k++)
        (k == i ? cairo_move_to : cairo_line_to)(cr, fx(f, cv->x[k]), fy(f, cv->hi[k]));
      for (guint k = j; k-- > i;)
        cairo_line_to(cr, fx(f, cv->x[k]), fy(f, cv->lo[k]));
      cairo_close_path(cr);
      viz_rgba(cr, colour, 0.15);
      cairo_fill(cr);
    }
    i = j > i ? j : i + 1;
  }
  /* Error bars with caps. */
  cairo_set_line_width(cr, 1.2);
  viz_rgb(cr, colour);
  for (guint i = 0; i < cv->n; i++) {
    if (isnan(cv->mean[i]) || isnan(cv->lo[i]) || isnan(cv->hi[i]))
      continue;
    double x = fx(f, cv->x[i]), ylo = fy(f, cv->lo[i]), yhi = fy(f, cv->hi[i]);
    cairo_move_to(cr, x, ylo);
    cairo_line_to(cr, x, yhi);
    cairo_move_to(cr, x - 4, ylo);
    cairo_line_to(cr, x + 4, ylo);
    cairo_move_to(cr, x - 4, yhi);
    cairo_line_to(cr, x + 4, yhi);
    cairo_stroke(cr);
  }
  /* The line through the means, and a dot at each. */
  cairo_set_line_width(cr, 1.8);
  gboolean pen = FALSE;
  for (guint i = 0; i < cv->n; i++) {
    if (isnan(cv->mean[i])) {
      pen = FALSE;
      continue;
    }
    (pen ? cairo_line_to : cairo_move_to)(cr, fx(f, cv->x[i]), fy(f, cv->mean[i]));
    pen = TRUE;
  }
  cairo_stroke(cr);
  for (guint i = 0; i < cv->n; i++) {
    if (isnan(cv->mean[i]))
      continue;
    cairo_arc(cr, fx(f, cv->x[i]), fy(f, cv->mean[i]), 3, 0, 2 * G_PI);
    cairo_fill(cr);
  }
}

gboolean cs_viz_curves(const char *path, const CsVizCurveAxes *ax, const CsVizCurve *cv, guint nc,
                       const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(path != NULL && ax != NULL, FALSE);
  double width = o && o->width > 0 ? MAX(o->width, 420) : DEFAULT_W;
  Frame f = { .xlog = ax->xlog };
  double x0, x1, y0, y1;
  gboolean any = extents(ax, cv, nc, &x0, &x1, &y0, &y1);
  if (!any) {
    y0 = 0;
    y1 = 1;
  }
  if (!(x1 > x0)) { /* one point: centre it */
    x0 = ax->xlog ? x0 / 2 : x0 - 1;
    x1 = ax->xlog ? x1 * 2 : x1 + 1;
  }
  /* Room at the sides for the end points' error bars. */
  if (ax->xlog) {
    double pad = pow(x1 / x0, 0.05);
    f.x0 = x0 / pad;
    f.x1 = x1 * pad;
  } else {
    f.x0 = x0 - 0.05 * (x1 - x0);
    f.x1 = x1 + 0.05 * (x1 - x0);
  }
  if (!(y1 > y0)) {
    double d = y0 != 0 ? fabs(y0) * 0.1 : 1;
    y0 -= d;
    y1 += d;
  }
  double ystep = viz_nice_step(y1 - y0, 5);
  f.y0 = floor(y0 / ystep) * ystep;
  f.y1 = ceil(y1 / ystep) * ystep;
  if (f.y1 - f.y0 < ystep / 2)
    f.y1 = f.y0 + ystep;

  /* Layout: the y tick labels' width decides the left edge; the legend
   * wraps below the plot. */
  VizCanvas *m = viz_measure_new(o);
  viz_font(m, 9, FALSE);
  double lw = 34;
  for (double v = f.y0; v <= f.y1 + ystep / 1000; v += ystep) {
    char *t = viz_fmt_tick(v, ystep);
    lw = MAX(lw, viz_text_width(m, t));
    g_free(t);
  }
  viz_font(m, 9.5, FALSE);
  double top = MARGIN + 60;
  double legend_top = top + PLOT_H + 46;
  double lx = MARGIN, ly = legend_top;
  double *legend_x = g_new(double, MAX(nc, 1)), *legend_y = g_new(double, MAX(nc, 1));
  for (guint i = 0; i < nc; i++) {
    legend_x[i] = -1;
    if (!cv[i].label)
      continue;
    double iw = 26 + viz_text_width(m, cv[i].label) + 18;
    if (lx + iw > width - MARGIN && lx > MARGIN) {
      lx = MARGIN;
      ly += 16;
    }
    legend_x[i] = lx;
    legend_y[i] = ly;
    lx += iw;
  }
  viz_canvas_free(m);
  double height = (lx > MARGIN ? ly + 16 : legend_top) + MARGIN;
  f.area = (VizRect){ MARGIN + lw + 10, top, width - 2 * MARGIN - lw - 20, PLOT_H };

  VizCanvas *c = viz_canvas_new(path, width, height, ax->title, o, err);
  if (!c) {
    g_free(legend_x);
    g_free(legend_y);
    return FALSE;
  }
  viz_figure_title(c, width, ax->title ? ax->title : "", ax->subtitle ? ax->subtitle : "");
  draw_axes(c, &f, ax, ystep);
  cairo_save(c->cr);
  cairo_rectangle(c->cr, f.area.x, f.area.y, f.area.w, f.area.h);
  cairo_clip(c->cr);
  for (guint i = 0; i < nc; i++)
    draw_curve(c, &f, &cv[i], viz_series_colour(i));
  cairo_restore(c->cr);
  if (!any) {
    viz_font(c, 10, FALSE);
    viz_rgb(c->cr, 0x78909c);
    viz_text(c, f.area.x + f.area.w / 2, f.area.y + f.area.h / 2, VIZ_CENTER, VIZ_MIDDLE, "no values");
  }
  for (guint i = 0; i < nc; i++) {
    if (legend_x[i] < 0)
      continue;
    guint32 col = viz_series_colour(i);
    viz_rgba(c->cr, col, 0.15);
    cairo_rectangle(c->cr, legend_x[i], legend_y[i], 20, 12);
    cairo_fill(c->cr);
    viz_rgb(c->cr, col);
    cairo_set_line_width(c->cr, 1.8);
    cairo_move_to(c->cr, legend_x[i], legend_y[i] + 6);
    cairo_line_to(c->cr, legend_x[i] + 20, legend_y[i] + 6);
    cairo_stroke(c->cr);
    viz_font(c, 9.5, FALSE);
    viz_rgb(c->cr, 0x263238);
    viz_text(c, legend_x[i] + 26, legend_y[i] + 6, VIZ_LEFT, VIZ_MIDDLE, cv[i].label);
  }
  g_free(legend_x);
  g_free(legend_y);
  return viz_canvas_commit(c, err);
}
