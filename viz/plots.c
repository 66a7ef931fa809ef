/* plots.c — time series: WAN and LAN bandwidth stacked by traffic class,
 * question answer curves, and core server load.
 *
 * One panel renderer serves them all: a title, axes with round ticks and
 * units (bps/Kbps/Mbps/Gbps for rates; s, min or h for time, chosen by the
 * span), and a plot area the caller fills.  Statistics buckets are summed
 * into at most one bin per two units of plot width, so a day of one-second
 * buckets costs the same to draw as a minute.  Rates are bits per second
 * averaged over each bin (bytes × 8 / bin width); stacked areas are steps,
 * one level per bin, because a bucket's bytes are all we know of it. */
#include "viz-private.h"
#include <math.h>
#include <string.h>

#define MARGIN 24.0
#define DEFAULT_W 1000.0
#define PANEL_H 190.0
#define PANEL_GAP 26.0
#define MIN_TICK_W 34.0 /* room for y tick labels */

typedef struct {
  VizRect area;      /* the plot area */
  double xmax, ymax; /* data ranges (x in seconds, y in data units) */
  double xmin_log;   /* > 0: logarithmic time axis from here */
} Axes;

static double ax_x(const Axes *a, double x)
{
  if (a->xmin_log > 0) {
    if (x <= a->xmin_log)
      return a->area.x;
    return a->area.x + a->area.w * log10(x / a->xmin_log) / log10(a->xmax / a->xmin_log);
  }
  return a->area.x + a->area.w * (x / a->xmax);
}
static double ax_y(const Axes *a, double y) { return a->area.y + a->area.h * (1 - y / a->ymax); }

/* Draws a panel's title, frame, grid and ticks; y values are divided by ydiv
 * for their labels, ending with yunit; time runs from 0 to xmax_s, or on a
 * log scale from xmin_log when that is positive.  Returns the mapping. */
static Axes panel(VizCanvas *c, VizRect p, const char *title, double xmax_s, double xmin_log, double ymax, double ydiv,
                  const char *yunit, gboolean percent, gboolean integer)
{
  cairo_t *cr = c->cr;
  Axes a;
  a.xmin_log = xmin_log > 0 && xmin_log < xmax_s ? xmin_log : 0;
  if (!(xmax_s > 0))
    xmax_s = 1;
  if (!(ymax > 0))
    ymax = ydiv;
  double ystep = viz_nice_step(ymax / ydiv, 4) * ydiv;
  if (integer)
    ystep = MAX(ydiv, round(ystep / ydiv) * ydiv);
  ymax = ceil(ymax / ystep - 1e-9) * ystep;
  double tdiv;
  const char *tunit;
  viz_time_unit(xmax_s, &tdiv, &tunit);
  double xstep = viz_nice_step(xmax_s / tdiv, 8) * tdiv;
  /* Widest y tick label decides the left edge of the plot area. */
  viz_font(c, 9, FALSE);
  double lw = 0;
  for (double v = 0; v <= ymax + ystep / 2; v += ystep) {
    char *t = percent ? g_strdup_printf("%.0f %%", v / ydiv) : viz_fmt_tick(v / ydiv, ystep / ydiv);
    lw = MAX(lw, viz_text_width(c, t));
    g_free(t);
  }
  /* A common minimum keeps the panels of one figure aligned. */
  lw = MAX(lw, MIN_TICK_W);
  a.area = (VizRect){ p.x + lw + 10, p.y + 34, p.w - lw - 20, p.h - 34 - 30 };
  a.xmax = xmax_s;
  a.ymax = ymax;
  viz_font(c, 11, TRUE);
  viz_rgb(cr, 0x102030);
  char *tfit = viz_text_fit(c, title, p.w);
  viz_text(c, p.x, p.y, VIZ_LEFT, VIZ_TOP, tfit);
  g_free(tfit);
  viz_font(c, 9, FALSE);
  viz_rgb(cr, 0x546e7a);
  if (yunit)
    viz_text(c, a.area.x, a.area.y - 5, VIZ_LEFT, VIZ_BOTTOM, yunit);
  cairo_rectangle(cr, a.area.x, a.area.y, a.area.w, a.area.h);
  viz_rgb(cr, 0xfafbfc);
  cairo_fill(cr);
  cairo_set_line_width(cr, 0.6);
  for (double v = 0; v <= ymax + ystep / 2; v += ystep) {
    double y = ax_y(&a, v);
    viz_rgb(cr, 0xdde3e8);
    cairo_move_to(cr, a.area.x, y);
    cairo_line_to(cr, a.area.x + a.area.w, y);
    cairo_stroke(cr);
    char *t = percent ? g_strdup_printf("%.0f %%", v / ydiv) : viz_fmt_tick(v / ydiv, ystep / ydiv);
    viz_rgb(cr, 0x37474f);
    viz_text(c, a.area.x - 5, y, VIZ_RIGHT, VIZ_MIDDLE, t);
    g_free(t);
  }
  /* Time ticks: skip labels that would touch their neighbour.  Log axes
   * tick at 1, 2 and 5 times each power of ten. */
  double last_right = -1e9;
  GArray *ticks = g_array_new(FALSE, FALSE, sizeof(double));
  if (a.xmin_log > 0) {
    for (double dec = pow(10, floor(log10(a.xmin_log))); dec <= xmax_s; dec *= 10)
      for (int m = 0; m < 3; m++) {
        double v = dec * (m == 0 ? 1 : m == 1 ? 2 : 5);
        if (v >= a.xmin_log * 0.999 && v <= xmax_s * 1.001)
          g_array_append_val(ticks, v);
      }
  } else {
    for (double v = 0; v <= xmax_s + xstep / 1000; v += xstep)
      g_array_append_val(ticks, v);
  }
  for (guint i = 0; i < ticks->len; i++) {
    double v = g_array_index(ticks, double, i);
    double x = ax_x(&a, v);
    viz_rgb(cr, 0xdde3e8);
    cairo_move_to(cr, x, a.area.y);
    cairo_line_to(cr, x, a.area.y + a.area.h);
    cairo_stroke(cr);
    char *t = a.xmin_log > 0 ? viz_fmt_time(sim_time_from_s(v)) : viz_fmt_tick(v / tdiv, xstep / tdiv);
    /* Low enough to clear the y axis' bottom label at the corner. */
    VizRect r = viz_text_box(c, x, a.area.y + a.area.h + 7, VIZ_CENTER, VIZ_TOP, t);
    if (r.x > last_right + 6 && r.x + r.w <= p.x + p.w) {
      viz_rgb(cr, 0x37474f);
      viz_text(c, x, a.area.y + a.area.h + 7, VIZ_CENTER, VIZ_TOP, t);
      last_right = r.x + r.w;
    }
    g_free(t);
  }
  g_array_free(ticks, TRUE);
  char *xl = a.xmin_log > 0 ? g_strdup("time (log scale)") : g_strdup_printf("time (%s)", tunit);
  viz_rgb(cr, 0x546e7a);
  viz_text(c, a.area.x + a.area.w, a.area.y + a.area.h + 19, VIZ_RIGHT, VIZ_TOP, xl);
  g_free(xl);
  viz_rgb(cr, 0x90a4ae);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, a.area.x, a.area.y, a.area.w, a.area.h);
  cairo_stroke(cr);
  return a;
}

void viz_figure_title(VizCanvas *c, double w, const char *title, const char *sub)
{
  viz_font(c, 16, TRUE);
  viz_rgb(c->cr, 0x102030);
  char *t = viz_text_fit(c, title, w - 2 * MARGIN);
  viz_text(c, MARGIN, MARGIN, VIZ_LEFT, VIZ_TOP, t);
  g_free(t);
  viz_font(c, 10, FALSE);
  viz_rgb(c->cr, 0x37474f);
  t = viz_text_fit(c, sub, w - 2 * MARGIN);
  viz_text(c, MARGIN, MARGIN + 22, VIZ_LEFT, VIZ_TOP, t);
  g_free(t);
}

static void no_data(VizCanvas *c, const Axes *a, const char *text)
{
  viz_font(c, 10, FALSE);
  viz_rgb(c->cr, 0x78909c);
  viz_text(c, a->area.x + a->area.w / 2, a->area.y + a->area.h / 2, VIZ_CENTER, VIZ_MIDDLE, text);
}

/* --- bandwidth ------------------------------------------------------------------- */

/* One panel's series: bits/s per class per bin. */
typedef struct {
  char *title;
  double cap_bps;        /* link capacity, 0 for the LAN panel */
  double *rate;          /* [bin * CS_CLS_COUNT + cls] */
  double peak;           /* largest stacked bin */
  guint64 total;         /* bytes */
} Series;

typedef struct {
  guint32 dlink;
  guint64 total;
} Ranked;

static gint cmp_ranked(gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  if (x->total != y->total)
    return x->total > y->total ? -1 : 1;
  return x->dlink < y->dlink ? -1 : x->dlink > y->dlink;
}

static char *fmt_bytes(guint64 b)
{
  static const char *units[] = { "B", "KB", "MB", "GB", "TB" };
  double v = (double) b;
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    u++;
  }
  return u == 0 ? g_strdup_printf("%" G_GUINT64_FORMAT " B", b) : g_strdup_printf("%.3g %s", v, units[u]);
}

/* Adds bucket b's bytes into bin b / per, per class. */
static void add_bucket(Series *s, const SimBucket *bk, guint bin)
{
  if (!bk)
    return;
  for (int k = 0; k < CS_CLS_COUNT; k++)
    s->rate[bin * CS_CLS_COUNT + k] += (double) bk->bytes[k];
}

static void finish_series(Series *s, guint nbins, double bin_s, guint64 *class_bytes)
{
  for (guint i = 0; i < nbins; i++) {
    double sum = 0;
    for (int k = 0; k < CS_CLS_COUNT; k++) {
      double bytes = s->rate[i * CS_CLS_COUNT + k];
      class_bytes[k] += (guint64) bytes;
      s->total += (guint64) bytes;
      s->rate[i * CS_CLS_COUNT + k] = bytes * 8 / bin_s;
      sum += s->rate[i * CS_CLS_COUNT + k];
    }
    s->peak = MAX(s->peak, sum);
  }
}

static void stacked(VizCanvas *c, const Axes *a, const Series *s, guint nbins, double bin_s, double span_s)
{
  cairo_t *cr = c->cr;
  double *base = g_new0(double, MAX(nbins, 1));
  for (int k = 0; k < CS_CLS_COUNT; k++) {
    gboolean any = FALSE;
    for (guint i = 0; i < nbins && !any; i++)
      any = s->rate[i * CS_CLS_COUNT + k] > 0;
    if (!any)
      continue;
    /* Upper edge left to right, lower edge back. */
    for (guint i = 0; i < nbins; i++) {
      double x0 = ax_x(a, MIN(i * bin_s, span_s)), x1 = ax_x(a, MIN((i + 1) * bin_s, span_s));
      double y = ax_y(a, base[i] + s->rate[i * CS_CLS_COUNT + k]);
      if (i == 0)
        cairo_move_to(cr, x0, y);
      else
        cairo_line_to(cr, x0, y);
      cairo_line_to(cr, x1, y);
    }
    for (guint i = nbins; i-- > 0;) {
      double x0 = ax_x(a, MIN(i * bin_s, span_s)), x1 = ax_x(a, MIN((i + 1) * bin_s, span_s));
      double y = ax_y(a, base[i]);
      cairo_line_to(cr, x1, y);
      cairo_line_to(cr, x0, y);
    }
    cairo_close_path(cr);
    viz_rgba(cr, viz_class_colour((SimClass) k), 0.85);
    cairo_fill(cr);
    for (guint i = 0; i < nbins; i++)
      base[i] += s->rate[i * CS_CLS_COUNT + k];
  }
  g_free(base);
}

gboolean cs_viz_bandwidth(CsWorld *w, const char *path, guint top_k, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  if (!viz_check_figure_format(path, err))
    return FALSE;
  Sim *sim = cs_world_sim(w);
  if (top_k == 0)
    top_k = 4;
  double width = o && o->width > 0 ? MAX(o->width, 480) : DEFAULT_W;
  double bucket_s = sim_time_to_s(sim_params(sim)->bucket);
  guint nb = sim_stats_buckets(sim);
  double span_s = MAX(sim_time_to_s(sim_now(sim)), nb * bucket_s);
  if (!(span_s > 0))
    span_s = bucket_s;
  /* Bins: at most one per two units of plot width. */
  guint per = MAX(1, (guint) ceil(nb / ((width - 2 * MARGIN - 60) / 2)));
  guint nbins = nb ? (nb + per - 1) / per : 0;
  double bin_s = per * bucket_s;

  GArray *ranked = g_array_new(FALSE, FALSE, sizeof(Ranked));
  guint nwan = 0;
  for (guint32 l = 0; l < sim_link_count(sim); l++) {
    if (sim_link_kind(sim, l) != SIM_LINK_WAN)
      continue;
    nwan++;
    for (guint32 d = 0; d < 2; d++) {
      Ranked r = { l * 2 + d, sim_stats_dlink_total(sim, l * 2 + d) };
      g_array_append_val(ranked, r);
    }
  }
  g_array_sort(ranked, cmp_ranked);
  guint npanels_wan = MIN(top_k, ranked->len);
  guint npanels = npanels_wan + 1;
  Series *ser = g_new0(Series, npanels);
  guint64 class_bytes[CS_CLS_COUNT] = { 0 };
  for (guint p = 0; p < npanels; p++) {
    Series *s = &ser[p];
    s->rate = g_new0(double, MAX(nbins, 1) * CS_CLS_COUNT);
    if (p < npanels_wan) {
      guint32 dl = g_array_index(ranked, Ranked, p).dlink, l = dl / 2;
      for (guint b = 0; b < nb; b++)
        add_bucket(s, sim_stats_wan(sim, dl, b), b / per);
      guint32 from = dl & 1 ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l);
      guint32 to = dl & 1 ? sim_link_site_a(sim, l) : sim_link_site_b(sim, l);
      s->cap_bps = sim_link_bps(sim, l);
      char *bw = viz_fmt_bps(s->cap_bps), *lat = viz_fmt_time(sim_link_latency(sim, l));
      s->title = g_strdup_printf("WAN %s → %s · %s · %s%s", sim_site_name(sim, from), sim_site_name(sim, to), bw, lat,
                                 sim_link_is_up(sim, l) ? "" : " · DOWN now");
      g_free(bw);
      g_free(lat);
    } else {
      for (guint32 sn = 0; sn < sim_subnet_count(sim); sn++)
        for (guint b = 0; b < nb; b++)
          add_bucket(s, sim_stats_subnet(sim, sn, FALSE, b), b / per);
      s->title = g_strdup_printf("LAN · hosts' access links, bytes sent by hosts (%s subnets)", viz_n(sim_subnet_count(sim)));
    }
    finish_series(s, nbins, bin_s, class_bytes);
    char *tot = fmt_bytes(s->total);
    char *t = g_strdup_printf("%s · %s in all", s->title, tot);
    g_free(s->title);
    s->title = t;
    g_free(tot);
  }

  /* Legend: the classes that carried bytes. */
  VizCanvas *m = viz_measure_new(o);
  viz_font(m, 9.5, FALSE);
  double lx = MARGIN, ly = MARGIN + 46;
  double legend_x[CS_CLS_COUNT], legend_y[CS_CLS_COUNT];
  for (int k = 0; k < CS_CLS_COUNT; k++) {
    legend_x[k] = -1;
    if (!class_bytes[k])
      continue;
    double iw = 16 + viz_text_width(m, sim_class_name(sim, k)) + 18;
    if (lx + iw > width - MARGIN && lx > MARGIN) {
      lx = MARGIN;
      ly += 16;
    }
    legend_x[k] = lx;
    legend_y[k] = ly;
    lx += iw;
  }
  viz_canvas_free(m);
  double top = ly + 26;
  double height = top + npanels * (PANEL_H + PANEL_GAP) - PANEL_GAP + MARGIN;
  const char *title = o && o->title ? o->title : "Bandwidth by traffic class";
  VizCanvas *c = viz_canvas_new(path, width, height, title, o, err);
  gboolean ok = FALSE;
  if (c) {
    char *at = viz_fmt_time(sim_now(sim)), *bk = viz_fmt_time(sim_params(sim)->bucket);
    char *sub = g_strdup_printf("%u busiest of %s directed WAN links, then the LAN · bucket %s%s · up to t = %s",
                                npanels_wan, viz_n((guint64) nwan * 2), bk, per > 1 ? " (summed for display)" : "", at);
    viz_figure_title(c, width, title, sub);
    g_free(sub);
    g_free(at);
    g_free(bk);
    gboolean any_class = FALSE;
    for (int k = 0; k < CS_CLS_COUNT; k++) {
      if (legend_x[k] < 0)
        continue;
      any_class = TRUE;
      cairo_rectangle(c->cr, legend_x[k], legend_y[k] + 1, 11, 11);
      viz_rgba(c->cr, viz_class_colour((SimClass) k), 0.85);
      cairo_fill(c->cr);
      viz_font(c, 9.5, FALSE);
      viz_rgb(c->cr, 0x263238);
      viz_text(c, legend_x[k] + 16, legend_y[k] + 6.5, VIZ_LEFT, VIZ_MIDDLE, sim_class_name(sim, k));
    }
    if (!any_class) {
      viz_font(c, 9.5, FALSE);
      viz_rgb(c->cr, 0x78909c);
      viz_text(c, MARGIN, MARGIN + 46 + 6.5, VIZ_LEFT, VIZ_MIDDLE, "no traffic recorded yet");
    }
    for (guint p = 0; p < npanels; p++) {
      Series *s = &ser[p];
      VizRect pr = { MARGIN, top + p * (PANEL_H + PANEL_GAP), width - 2 * MARGIN, PANEL_H };
      /* Show the capacity when traffic comes within a quarter of it. */
      gboolean cap = s->cap_bps > 0 && s->peak >= 0.25 * s->cap_bps;
      double ymax = MAX(s->peak, cap ? s->cap_bps : 0) * 1.04;
      double div;
      const char *unit;
      viz_rate_unit(ymax, &div, &unit);
      char *t = s->title;
      if (s->cap_bps > 0 && !cap && s->peak > 0) {
        t = g_strdup_printf("%s · peak %.2g %% of capacity", s->title, 100 * s->peak / s->cap_bps);
      }
      Axes a = panel(c, pr, t, span_s, 0, ymax > 0 ? ymax : 1000, div, unit, FALSE, FALSE);
      if (t != s->title)
        g_free(t);
      if (s->total == 0)
        no_data(c, &a, "no traffic");
      else
        stacked(c, &a, s, nbins, bin_s, span_s);
      if (cap) {
        double y = ax_y(&a, s->cap_bps);
        double d[] = { 6, 4 };
        cairo_set_dash(c->cr, d, 2, 0);
        viz_rgb(c->cr, 0xc62828);
        cairo_set_line_width(c->cr, 1.2);
        cairo_move_to(c->cr, a.area.x, y);
        cairo_line_to(c->cr, a.area.x + a.area.w, y);
        cairo_stroke(c->cr);
        cairo_set_dash(c->cr, NULL, 0, 0);
        char *bw = viz_fmt_bps(s->cap_bps);
        char *l = g_strdup_printf("capacity %s", bw);
        viz_font(c, 9, FALSE);
        viz_text(c, a.area.x + a.area.w - 4, y - 3, VIZ_RIGHT, VIZ_BOTTOM, l);
        g_free(l);
        g_free(bw);
      }
    }
    ok = viz_canvas_commit(c, err);
  }
  for (guint p = 0; p < npanels; p++) {
    g_free(ser[p].rate);
    g_free(ser[p].title);
  }
  g_free(ser);
  g_array_free(ranked, TRUE);
  return ok;
}

/* --- answers ------------------------------------------------------------------------ */

gboolean cs_viz_answers(CsWorld *w, const char *path, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  if (!viz_check_figure_format(path, err))
    return FALSE;
  Sim *sim = cs_world_sim(w);
  double width = o && o->width > 0 ? MAX(o->width, 480) : DEFAULT_W;
  guint nq = cs_world_question_count(w);
  /* The time axis covers the slowest question's last answer.  When most
   * answers come far sooner than the last (a chain answers in a fraction of
   * a second, a straggler at its next registration a minute later) the axis
   * is logarithmic, from the decade of the first answer. */
  double xmax = 0, first = G_MAXDOUBLE, half = G_MAXDOUBLE;
  for (guint q = 0; q < nq; q++) {
    const SimTime *ts;
    const guint32 *ns;
    guint n = cs_question_curve(w, q, &ts, &ns);
    if (n) {
      xmax = MAX(xmax, sim_time_to_s(ts[n - 1]));
      first = MIN(first, MAX(sim_time_to_s(ts[0]), 1e-3));
    }
    SimTime t50 = cs_question_time_to(w, q, 0.5);
    if (t50 > 0)
      half = MIN(half, sim_time_to_s(t50));
  }
  double xmin_log = 0;
  if (xmax > 0 && half < G_MAXDOUBLE && xmax / half > 30)
    xmin_log = pow(10, floor(log10(first)));
  xmax = xmax > 0 ? xmax * (xmin_log > 0 ? 1.5 : 1.12) : 10;
  double top = MARGIN + 50, plot_h = 340;
  double legend_top = top + plot_h + 14;
  double height = legend_top + MAX(nq, 1) * 15 + MARGIN;
  const char *title = o && o->title ? o->title : "Question answer times";
  VizCanvas *c = viz_canvas_new(path, width, height, title, o, err);
  if (!c)
    return FALSE;
  char *at = viz_fmt_time(sim_now(sim));
  char *sub = g_strdup_printf("fraction of each question's targets answered against time since it was asked · %u "
                              "question%s · up to t = %s",
                              nq, nq == 1 ? "" : "s", at);
  viz_figure_title(c, width, title, sub);
  g_free(sub);
  g_free(at);
  VizRect pr = { MARGIN, top, width - 2 * MARGIN, plot_h };
  Axes a = panel(c, pr, "Answered (% of targets)", xmax, xmin_log, 1.0, 0.01, NULL, TRUE, FALSE);
  cairo_t *cr = c->cr;
  /* 99 % guide. */
  double d[] = { 4, 3 };
  cairo_set_dash(cr, d, 2, 0);
  viz_rgb(cr, 0x90a4ae);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, a.area.x, ax_y(&a, 0.99));
  cairo_line_to(cr, a.area.x + a.area.w, ax_y(&a, 0.99));
  cairo_stroke(cr);
  cairo_set_dash(cr, NULL, 0, 0);
  if (nq == 0)
    no_data(c, &a, "no questions asked");
  for (guint q = 0; q < nq; q++) {
    const SimTime *ts;
    const guint32 *ns;
    guint n = cs_question_curve(w, q, &ts, &ns);
    guint32 targets = cs_question_targets(w, q);
    guint32 col = viz_series_colour(q);
    if (n && targets) {
      cairo_move_to(cr, ax_x(&a, 0), ax_y(&a, 0));
      double prev = 0;
      /* Steps; points closer than half a unit collapse into one. */
      double last_x = ax_x(&a, 0);
      for (guint i = 0; i < n; i++) {
        double x = ax_x(&a, sim_time_to_s(ts[i])), f = (double) ns[i] / targets;
        if (x - last_x >= 0.5 || i + 1 == n) {
          cairo_line_to(cr, x, ax_y(&a, prev));
          cairo_line_to(cr, x, ax_y(&a, f));
          last_x = x;
        }
        prev = f;
      }
      cairo_line_to(cr, a.area.x + a.area.w, ax_y(&a, prev));
      viz_rgb(cr, col);
      cairo_set_line_width(cr, 1.8);
      cairo_stroke(cr);
    }
    /* Legend line. */
    double ly = legend_top + q * 15;
    cairo_move_to(cr, MARGIN, ly + 6);
    cairo_line_to(cr, MARGIN + 18, ly + 6);
    viz_rgb(cr, col);
    cairo_set_line_width(cr, 2.5);
    cairo_stroke(cr);
    guint32 sensor = cs_question_sensor(w, q);
    const char *sname = sensor < cs_world_sensor_count(w) ? cs_world_sensor_name(w, sensor) : NULL;
    char *nt = viz_fmt_count(targets), *na = viz_fmt_count(cs_question_answered(w, q));
    char *asked = viz_fmt_time(cs_question_asked_at(w, q));
    SimTime t99 = cs_question_time_to(w, q, 0.99), t50 = cs_question_time_to(w, q, 0.5);
    char *s99 = t99 >= 0 ? viz_fmt_time(t99) : NULL, *s50 = t50 >= 0 ? viz_fmt_time(t50) : NULL;
    char *p50 = s50 ? g_strdup_printf("50 %% in %s", s50) : g_strdup("50 % not reached");
    char *p99 = s99 ? g_strdup_printf("99 %% in %s", s99) : g_strdup("99 % not reached");
    char *label = sname ? g_strdup_printf("Q%u (%s) · asked at %s · %s of %s answered · %s · %s", q + 1, sname, asked, na,
                                          nt, p50, p99)
                        : g_strdup_printf("Q%u (sensor #%u) · asked at %s · %s of %s answered · %s · %s", q + 1, sensor,
                                          asked, na, nt, p50, p99);
    g_free(p50);
    g_free(p99);
    viz_font(c, 9.5, FALSE);
    viz_rgb(cr, 0x263238);
    char *fit = viz_text_fit(c, label, width - 2 * MARGIN - 26);
    viz_text(c, MARGIN + 26, ly + 6, VIZ_LEFT, VIZ_MIDDLE, fit);
    g_free(fit);
    g_free(label);
    g_free(s99);
    g_free(s50);
    g_free(asked);
    g_free(nt);
    g_free(na);
  }
  return viz_canvas_commit(c, err);
}

/* --- server load ------------------------------------------------------------------- */

gboolean cs_viz_server_load(CsWorld *w, const char *path, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  if (!viz_check_figure_format(path, err))
    return FALSE;
  Sim *sim = cs_world_sim(w);
  double width = o && o->width > 0 ? MAX(o->width, 480) : DEFAULT_W;
  const CsServerLoad *load;
  guint nb = cs_world_server_load(w, &load);
  double bucket_s = sim_time_to_s(sim_params(sim)->bucket);
  double span_s = MAX(sim_time_to_s(sim_now(sim)), nb * bucket_s);
  if (!(span_s > 0))
    span_s = bucket_s;
  guint per = MAX(1, (guint) ceil(nb / ((width - 2 * MARGIN - 60) / 2)));
  guint nbins = nb ? (nb + per - 1) / per : 0;
  double bin_s = per * bucket_s;
  double *rate = g_new0(double, MAX(nbins, 1)), *qlen = g_new0(double, MAX(nbins, 1));
  double rmax = 0, qmax = 0;
  for (guint b = 0; b < nb; b++) {
    rate[b / per] += load[b].registrations;
    qlen[b / per] = MAX(qlen[b / per], load[b].queue_peak);
  }
  for (guint i = 0; i < nbins; i++) {
    rate[i] /= bin_s;
    rmax = MAX(rmax, rate[i]);
    qmax = MAX(qmax, qlen[i]);
  }
  CsServerSummary sum;
  cs_world_server_summary(w, &sum);
  double top = MARGIN + 50;
  double height = top + 2 * (PANEL_H + PANEL_GAP) - PANEL_GAP + MARGIN;
  const char *title = o && o->title ? o->title : "Core server load";
  VizCanvas *c = viz_canvas_new(path, width, height, title, o, err);
  gboolean ok = FALSE;
  if (c) {
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < cs_world_server_count(w) && i < 4; i++) {
      const char *n = cs_world_node_name(w, cs_world_server_node(w, i));
      g_string_append_printf(names, "%s%s", i ? ", " : "", n ? n : "?");
    }
    if (cs_world_server_count(w) > 4)
      g_string_append(names, ", …");
    char *nr = viz_fmt_count(sum.registrations), *at = viz_fmt_time(sim_now(sim));
    char *sub = g_strdup_printf("%s · %s registrations, mean %.1f/s, peak %.1f/s · queue peak %u · response p50 %.3g ms, "
                                "p99 %.3g ms · up to t = %s",
                                names->len ? names->str : "no server", nr, sum.per_second_mean, sum.per_second_peak,
                                sum.queue_peak, sum.response_ms_p50, sum.response_ms_p99, at);
    viz_figure_title(c, width, title, sub);
    g_free(sub);
    g_free(nr);
    g_free(at);
    g_string_free(names, TRUE);
    for (int p = 0; p < 2; p++) {
      VizRect pr = { MARGIN, top + p * (PANEL_H + PANEL_GAP), width - 2 * MARGIN, PANEL_H };
      double *v = p == 0 ? rate : qlen;
      double vmax = p == 0 ? rmax : qmax;
      Axes a = panel(c, pr, p == 0 ? "Registrations completed per second" : "Work queue length (per bucket)",
                     span_s, 0, vmax > 0 ? vmax * 1.04 : 1, 1, p == 0 ? "per s" : "jobs", FALSE, p == 1);
      if (nbins == 0 || vmax <= 0) {
        no_data(c, &a, p == 0 ? "no registrations yet" : "the queue stayed empty");
        continue;
      }
      cairo_t *cr = c->cr;
      cairo_move_to(cr, ax_x(&a, 0), ax_y(&a, 0));
      for (guint i = 0; i < nbins; i++) {
        cairo_line_to(cr, ax_x(&a, MIN(i * bin_s, span_s)), ax_y(&a, v[i]));
        cairo_line_to(cr, ax_x(&a, MIN((i + 1) * bin_s, span_s)), ax_y(&a, v[i]));
      }
      cairo_line_to(cr, ax_x(&a, MIN(nbins * bin_s, span_s)), ax_y(&a, 0));
      cairo_close_path(cr);
      guint32 col = p == 0 ? 0x1f77b4 : 0xd62728;
      viz_rgba(cr, col, 0.35);
      cairo_fill_preserve(cr);
      viz_rgb(cr, col);
      cairo_set_line_width(cr, 1.2);
      cairo_stroke(cr);
    }
    ok = viz_canvas_commit(c, err);
  }
  g_free(rate);
  g_free(qlen);
  return ok;
}
