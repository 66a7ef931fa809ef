/* hist.c — log-linear histogram.  See hist.h. */
#include "hist.h"
#include <math.h>

int cs_hist_bucket(SimTime v)
{
  if (v < CS_HIST_SUB)
    return v < 0 ? 0 : (int) v;
  int e = 63 - __builtin_clzll((unsigned long long) v); /* >= CS_HIST_SUB_BITS */
  int shift = e - CS_HIST_SUB_BITS;
  int mant = (int) ((guint64) v >> shift) - CS_HIST_SUB; /* 0 .. CS_HIST_SUB - 1 */
  return CS_HIST_SUB + shift * CS_HIST_SUB + mant;
}

void cs_hist_bucket_range(int b, SimTime *lo, SimTime *hi)
{
  if (b < CS_HIST_SUB) {
    *lo = *hi = b;
    return;
  }
  int shift = (b - CS_HIST_SUB) / CS_HIST_SUB;
  guint64 mant = (guint64) (CS_HIST_SUB + (b - CS_HIST_SUB) % CS_HIST_SUB);
  *lo = (SimTime) (mant << shift);
  *hi = (SimTime) (((mant + 1) << shift) - 1);
}

void cs_hist_add(CsHist *h, SimTime v)
{
  if (v < 0)
    v = 0;
  h->count[cs_hist_bucket(v)]++;
  if (h->n == 0 || v < h->min)
    h->min = v;
  if (h->n == 0 || v > h->max)
    h->max = v;
  h->n++;
}

SimTime cs_hist_quantile(const CsHist *h, double p)
{
  if (h->n == 0)
    return -1;
  double r = ceil(p * (double) h->n);
  guint64 want = r < 1 ? 1 : r >= (double) h->n ? h->n : (guint64) r;
  if (want == 1)
    return h->min;
  if (want == h->n)
    return h->max;
  guint64 seen = 0;
  for (int b = 0; b < CS_HIST_BUCKETS; b++) {
    seen += h->count[b];
    if (seen >= want) {
      SimTime lo, hi;
      cs_hist_bucket_range(b, &lo, &hi);
      SimTime mid = lo + (hi - lo + 1) / 2;
      return CLAMP(mid, h->min, h->max);
    }
  }
  return h->max;
}
