/* hist.h — a log-linear latency histogram with a bounded relative error.
 *
 * HdrHistogram-style: values below 128 ns each have their own bucket (exact);
 * above, every power of two is cut into 128 equal sub-buckets, so a bucket is
 * at most 1/128 of its lower edge wide.  A quantile is reported as its
 * bucket's midpoint, clamped to the smallest and largest sample seen: at most
 * 1/256 (0.39 %) from the exact nearest-rank sample, and exact when the
 * answer is the minimum or the maximum (a constant service time reads back
 * exactly).  Fixed size (CS_HIST_BUCKETS counters), nothing allocated per
 * sample or per node: the memory does not grow with endpoints or samples.
 *
 * Quantile definition (nearest rank): the p-quantile of n samples is the
 * ceil(p * n)-th smallest (the smallest for p * n <= 1). */
#pragma once
#include <glib.h>
#include "simtime.h"

#define CS_HIST_SUB_BITS 7                       /* 128 sub-buckets per octave */
#define CS_HIST_SUB (1 << CS_HIST_SUB_BITS)
/* Octaves 2^7 .. 2^62 ns, plus the exact range below 2^7. */
#define CS_HIST_BUCKETS (CS_HIST_SUB + (63 - CS_HIST_SUB_BITS) * CS_HIST_SUB)
/* The largest relative error of a quantile: half a bucket over its lower edge. */
#define CS_HIST_REL_ERROR (1.0 / (2 * CS_HIST_SUB))

typedef struct {
  guint64 n;                       /* samples */
  SimTime min, max;                /* smallest and largest sample (valid when n > 0) */
  guint64 count[CS_HIST_BUCKETS];  /* per bucket */
} CsHist;

/* Adds one sample (negative values count as 0). */
void cs_hist_add(CsHist *h, SimTime v);
/* The nearest-rank p-quantile (0 < p <= 1) in nanoseconds, -1 when empty. */
SimTime cs_hist_quantile(const CsHist *h, double p);
/* The bucket index of a value and a bucket's [lo, hi] value range (tests). */
int cs_hist_bucket(SimTime v);
void cs_hist_bucket_range(int b, SimTime *lo, SimTime *hi);
