/* study_stats.c — sample statistics and Student's t.  See study_stats.h. */
#include "study_stats.h"
#include <math.h>

/* The continued fraction of the incomplete beta function I_x(a, b), by the
 * modified Lentz method; converges fast for x < (a + 1) / (a + b + 2). */
static double beta_fraction(double a, double b, double x)
{
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (fabs(d) < tiny)
    d = tiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 1000; m++) {
    /* Even step. */
    double num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    c = 1 + num / c;
    d = fabs(d) < tiny ? 1 / tiny : 1 / d;
    if (fabs(c) < tiny)
      c = tiny;
    f *= d * c;
    /* Odd step. */
    num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    d = fabs(d) < tiny ? 1 / tiny : 1 / d;
    if (fabs(c) < tiny)
      c = tiny;
    double delta = d * c;
    f *= delta;
    if (fabs(delta - 1) < 1e-16)
      break;
  }
  return f;
}

/* The regularized incomplete beta function I_x(a, b), 0 <= x <= 1. */
static double inc_beta(double a, double b, double x)
{
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  double ln_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
  if (x < (a + 1) / (a + b + 2))
    return exp(ln_front) * beta_fraction(a, b, x) / a;
  return 1 - exp(ln_front) * beta_fraction(b, a, 1 - x) / b;
}

double cs_study_t_cdf(double t, guint df)
{
  double v = df;
  /* P(|T| > |t|) = I_{v/(v+t²)}(v/2, 1/2). */
  double tail = 0.5 * inc_beta(v / 2, 0.5, v / (v + t * t));
  return t >= 0 ? 1 - tail : tail;
}

double cs_study_t_quantile(double p, guint df)
{
  g_return_val_if_fail(p > 0 && p < 1 && df >= 1, NAN);
  if (p == 0.5)
    return 0;
  if (p < 0.5)
    return -cs_study_t_quantile(1 - p, df);
  /* Bracket, then bisect until the interval stops shrinking. */
  double lo = 0, hi = 1;
  while (cs_study_t_cdf(hi, df) < p && hi < 1e300)
    hi *= 2;
  for (int i = 0; i < 2000; i++) {
    double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi)
      break;
    if (cs_study_t_cdf(mid, df) < p)
      lo = mid;
    else
      hi = mid;
  }
  return lo + (hi - lo) / 2;
}

void cs_study_stats(const double *x, guint n, CsStudyStats *s)
{
  s->n = n;
  s->mean = s->sd = s->ci_low = s->ci_high = s->min = s->max = NAN;
  if (n == 0)
    return;
  double sum = 0;
  s->min = s->max = x[0];
  for (guint i = 0; i < n; i++) {
    sum += x[i];
    s->min = MIN(s->min, x[i]);
    s->max = MAX(s->max, x[i]);
  }
  s->mean = sum / n;
  if (s->min == s->max) { /* exactly, whatever the rounding of the sum */
    s->mean = s->min;
    if (n >= 2)
      s->sd = 0, s->ci_low = s->ci_high = s->min;
    return;
  }
  if (n < 2)
    return;
  double ss = 0;
  for (guint i = 0; i < n; i++)
    ss += (x[i] - s->mean) * (x[i] - s->mean);
  s->sd = sqrt(ss / (n - 1));
  double half = cs_study_t_quantile(0.975, n - 1) * s->sd / sqrt(n);
  s->ci_low = s->mean - half;
  s->ci_high = s->mean + half;
}
