/* hist.h — a fixed-size log-scale histogram for latency percentiles.
 *
 * 4 sub-buckets per power of two from 1 µs to ~days: 200 counters, no
 * allocation per sample, percentiles accurate to about 19 %.  Used for
 * registration latency and server service time at any scale. */
#pragma once
#include <glib.h>
#include "simtime.h"

#define CS_HIST_BUCKETS 200

typedef struct {
  guint64 n;                       /* samples */
  guint64 count[CS_HIST_BUCKETS];  /* per bucket */
  SimTime max;                     /* largest sample */
} CsHist;

void cs_hist_add(CsHist *h, SimTime v);
/* The p-quantile (0..1) in nanoseconds, 0 when empty: the bucket's midpoint. */
SimTime cs_hist_quantile(const CsHist *h, double p);
