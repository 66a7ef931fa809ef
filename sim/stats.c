/* stats.c — traffic statistics per directed WAN link and per subnet.
 * See stats.h. */
#include "sim-private.h"
#include <math.h>
#include <string.h>

void sim_stats_init(Sim *sim)
{
  sim->subnet_series = g_array_new(FALSE, TRUE, sizeof(guint32));
}

void sim_stats_clear(Sim *sim)
{
  for (guint32 b = 0; b < sim->nrows; b++)
    g_free(sim->rows[b].b);
  g_free(sim->rows);
  sim->rows = NULL;
  sim->nrows = 0;
  g_array_free(sim->subnet_series, TRUE);
}

/* The series (index + 1) a directed link's traffic goes to, numbered on
 * first use; an access link remembers its subnet's in its own record. */
static guint32 series_for(Sim *sim, guint32 dl)
{
  SimLink *l = sim_link_rec(sim, dl >> 1);
  guint32 *ref = &l->stats[dl & 1];
  if (*ref)
    return *ref;
  if (l->kind != SIM_LINK_WAN) {
    guint32 idx = l->b * 2 + (dl & 1); /* access link: b is the subnet */
    if (sim->subnet_series->len <= idx)
      g_array_set_size(sim->subnet_series, idx + 1);
    guint32 *sub = &g_array_index(sim->subnet_series, guint32, idx);
    if (*sub == 0)
      *sub = ++sim->nseries;
    return *ref = *sub;
  }
  return *ref = ++sim->nseries;
}

static SimBucket *bucket_at(Sim *sim, guint32 series, guint32 b)
{
  guint32 s = series - 1;
  if (b >= sim->nrows) {
    guint32 n = MAX(b + 1, sim->nrows + sim->nrows / 4 + 16);
    sim->rows = g_renew(SimStatsRow, sim->rows, n);
    memset(sim->rows + sim->nrows, 0, (n - sim->nrows) * sizeof *sim->rows);
    sim->nrows = n;
  }
  if (sim->nbuckets <= b)
    sim->nbuckets = b + 1;
  SimStatsRow *r = &sim->rows[b];
  if (s >= r->len) {
    /* Room for every series numbered so far: a row grows again only when a
     * link or subnet carries its first traffic. */
    guint32 n = MAX(s + 1, sim->nseries);
    r->b = g_renew(SimBucket, r->b, n);
    memset(r->b + r->len, 0, (n - r->len) * sizeof *r->b);
    r->len = n;
  }
  return &r->b[s];
}

void sim_stats_link(Sim *sim, guint32 dl, SimClass cls, double bytes, guint32 msgs, SimTime t0, SimTime t1)
{
  guint32 s = series_for(sim, dl);
  SimTime w = sim->p.bucket;
  guint32 b0 = (guint32) (t0 / w);
  if (t1 <= t0 || (guint32) ((t1 - 1) / w) == b0) {
    SimBucket *b = bucket_at(sim, s, b0);
    b->bytes[cls] += (guint64) llround(bytes);
    b->msgs[cls] += msgs;
    return;
  }
  /* Spread over the buckets [t0, t1) covers, carrying the rounding along. */
  double per_ns = bytes / (double) (t1 - t0), carried = 0;
  guint64 given = 0;
  guint32 b1 = (guint32) ((t1 - 1) / w);
  for (guint32 b = b0; b <= b1; b++) {
    SimTime lo = MAX(t0, (SimTime) b * w), hi = MIN(t1, (SimTime) (b + 1) * w);
    carried += per_ns * (double) (hi - lo);
    guint64 upto = (guint64) llround(carried);
    SimBucket *bk = bucket_at(sim, s, b);
    bk->bytes[cls] += upto - given;
    given = upto;
  }
  bucket_at(sim, s, b1)->msgs[cls] += msgs;
}

void sim_stats_total(Sim *sim, gboolean wan, SimClass cls, double bytes)
{
  (wan ? sim->wan_total : sim->lan_total)[cls] += (guint64) llround(bytes);
}

guint32 sim_stats_buckets(const Sim *sim) { return sim->nbuckets; }

static const SimBucket *series_bucket(const Sim *sim, guint32 ref, guint32 b)
{
  if (ref == 0 || b >= sim->nrows || ref - 1 >= sim->rows[b].len)
    return NULL;
  return &sim->rows[b].b[ref - 1];
}

const SimBucket *sim_stats_wan(const Sim *sim, guint32 dl, guint32 b)
{
  return series_bucket(sim, sim_link_rec(sim, dl >> 1)->stats[dl & 1], b);
}

const SimBucket *sim_stats_subnet(const Sim *sim, guint32 subnet, gboolean down, guint32 b)
{
  guint32 idx = subnet * 2 + (down ? 1 : 0);
  if (idx >= sim->subnet_series->len)
    return NULL;
  return series_bucket(sim, g_array_index(sim->subnet_series, guint32, idx), b);
}

guint64 sim_stats_wan_total(const Sim *sim, SimClass cls) { return sim->wan_total[cls]; }
guint64 sim_stats_lan_total(const Sim *sim, SimClass cls) { return sim->lan_total[cls]; }

guint64 sim_stats_dlink_total(const Sim *sim, guint32 dl)
{
  guint64 sum = 0;
  for (guint32 b = 0; b < sim->nbuckets; b++) {
    const SimBucket *bk = sim_stats_wan(sim, dl, b);
    if (!bk)
      continue; /* an idle stretch */
    for (int c = 0; c < SIM_CLS_COUNT; c++)
      sum += bk->bytes[c];
  }
  return sum;
}

guint64 sim_stats_dlink_peak(const Sim *sim, guint32 dl)
{
  guint64 peak = 0;
  for (guint32 b = 0; b < sim->nbuckets; b++) {
    const SimBucket *bk = sim_stats_wan(sim, dl, b);
    if (!bk)
      continue; /* an idle stretch */
    guint64 sum = 0;
    for (int c = 0; c < SIM_CLS_COUNT; c++)
      sum += bk->bytes[c];
    peak = MAX(peak, sum);
  }
  return peak;
}
