/* study_stats.h — the statistics of a study point: mean, standard deviation,
 * a 95 % confidence interval of the mean (Student t), min, max, n.
 *
 * sd is the sample standard deviation (n - 1 in the denominator); the
 * interval is mean ± t(0.975, n - 1) · sd / √n, with the t quantile computed
 * here (the regularized incomplete beta function by its continued fraction,
 * inverted by bisection to full double precision), not read from a table.
 * With n = 1, sd and the interval are undefined (NaN); with n = 0 so is
 * everything.  Sums are taken in the order given, so the same values in the
 * same order give the same bits. */
#pragma once
#include <glib.h>

typedef struct {
  guint n;
  double mean, sd, ci_low, ci_high, min, max;
} CsStudyStats;

/* The p-quantile (0 < p < 1) of Student's t with df >= 1 degrees of freedom. */
double cs_study_t_quantile(double p, guint df);
/* P(T <= t) for Student's t with df degrees of freedom. */
double cs_study_t_cdf(double t, guint df);
/* Statistics of x[0..n). */
void cs_study_stats(const double *x, guint n, CsStudyStats *s);
