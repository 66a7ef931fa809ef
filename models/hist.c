/* hist.c — log-scale histogram.  See hist.h. */
#include "hist.h"
#include <math.h>

static int bucket_of(SimTime v)
{
  if (v < SIM_US)
    return 0;
  double x = log2((double) v / (double) SIM_US) * 4.0;
  int b = 1 + (int) x;
  return b >= CS_HIST_BUCKETS ? CS_HIST_BUCKETS - 1 : b;
}

static SimTime bucket_mid(int b)
{
  if (b == 0)
    return SIM_US / 2;
  double lo = exp2((b - 1) / 4.0), hi = exp2(b / 4.0);
  return (SimTime) (sqrt(lo * hi) * (double) SIM_US);
}

void cs_hist_add(CsHist *h, SimTime v)
{
  h->count[bucket_of(v)]++;
  h->n++;
  if (v > h->max)
    h->max = v;
}

SimTime cs_hist_quantile(const CsHist *h, double p)
{
  if (h->n == 0)
    return 0;
  guint64 want = (guint64) ceil(p * (double) h->n);
  if (want == 0)
    want = 1;
  guint64 seen = 0;
  for (int b = 0; b < CS_HIST_BUCKETS; b++) {
    seen += h->count[b];
    if (seen >= want)
      return MIN(bucket_mid(b), h->max);
  }
  return h->max;
}
