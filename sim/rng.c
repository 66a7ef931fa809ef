/* rng.c — xoroshiro128++ streams seeded by splitmix64.  See rng.h. */
#include "rng.h"
#include <math.h>

guint64 sim_mix64(guint64 x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void sim_rng_init(SimRng *r, guint64 seed, guint64 stream, guint64 purpose)
{
  /* Fold the three inputs through independent splitmix rounds so that nearby
   * (seed, node) pairs give unrelated states. */
  guint64 k = sim_mix64(seed ^ 0x243f6a8885a308d3ULL);
  k = sim_mix64(k ^ stream);
  k = sim_mix64(k ^ (purpose * 0x13198a2e03707344ULL));
  r->s[0] = sim_mix64(k);
  r->s[1] = sim_mix64(k + 0x9e3779b97f4a7c15ULL);
  if (r->s[0] == 0 && r->s[1] == 0)
    r->s[1] = 1;
}

static inline guint64 rotl(guint64 x, int k) { return (x << k) | (x >> (64 - k)); }

guint64 sim_rng_next(SimRng *r)
{
  guint64 s0 = r->s[0], s1 = r->s[1];
  guint64 result = rotl(s0 + s1, 17) + s0;
  s1 ^= s0;
  r->s[0] = rotl(s0, 49) ^ s1 ^ (s1 << 21);
  r->s[1] = rotl(s1, 28);
  return result;
}

double sim_rng_uniform(SimRng *r)
{
  return (double) (sim_rng_next(r) >> 11) * 0x1.0p-53;
}

guint64 sim_rng_below(SimRng *r, guint64 n)
{
  g_return_val_if_fail(n > 0, 0);
  /* Rejection sampling on the top of the range keeps it unbiased. */
  guint64 limit = G_MAXUINT64 - (G_MAXUINT64 % n) - 1;
  guint64 x;
  do
    x = sim_rng_next(r);
  while (x > limit);
  return x % n;
}

gint64 sim_rng_range(SimRng *r, gint64 lo, gint64 hi)
{
  g_return_val_if_fail(hi >= lo, lo);
  /* In unsigned arithmetic: hi - lo overflows gint64 (undefined behaviour)
   * when the range is wider than G_MAXINT64, and the full range holds 2^64
   * values, one more than sim_rng_below can be asked for.  Narrower ranges
   * draw exactly as before. */
  guint64 span = (guint64) hi - (guint64) lo;
  guint64 x = span == G_MAXUINT64 ? sim_rng_next(r) : sim_rng_below(r, span + 1);
  return (gint64) ((guint64) lo + x);
}

double sim_rng_exp(SimRng *r, double mean)
{
  double u = sim_rng_uniform(r);
  return -mean * log1p(-u);
}
