/* rng.h — small per-node random streams.
 *
 * xoroshiro128++ (16 bytes of state, 64-bit outputs).  A stream is seeded from
 * (master seed, node id, purpose) through splitmix64, so every node draws from
 * its own reproducible sequence, independent of the order in which other nodes
 * draw.  No global generator exists anywhere in the kernel. */
#pragma once
#include <glib.h>

typedef struct {
  guint64 s[2]; /* generator state; never both zero */
} SimRng;

void sim_rng_init(SimRng *r, guint64 seed, guint64 stream, guint64 purpose);
guint64 sim_rng_next(SimRng *r);
/* Uniform double in [0, 1). */
double sim_rng_uniform(SimRng *r);
/* Uniform integer in [0, n), unbiased (n > 0). */
guint64 sim_rng_below(SimRng *r, guint64 n);
/* Uniform integer in [lo, hi] inclusive. */
gint64 sim_rng_range(SimRng *r, gint64 lo, gint64 hi);
/* Exponential with the given mean. */
double sim_rng_exp(SimRng *r, double mean);
/* splitmix64 step: also a good 64-bit mixing function for hashes. */
guint64 sim_mix64(guint64 x);
