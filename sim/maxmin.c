/* maxmin.c — max-min fair rates over plain arrays.  See maxmin.h. */
#include "maxmin.h"
#include <math.h>

/* Rates flow k at r and takes it off its links. */
static void rate_flow(SimMaxmin *mm, guint32 k, double r)
{
  mm->rate[k] = r;
  for (guint32 h = mm->hop_off[k]; h < mm->hop_off[k + 1]; h++) {
    guint32 s = mm->hops[h];
    mm->res[s] -= r;
    mm->cnt[s]--;
  }
}

void sim_maxmin_solve(SimMaxmin *mm)
{
  for (guint32 k = 0; k < mm->nflows; k++) {
    mm->rate[k] = -1;
    mm->lvl[k] = SIM_MAXMIN_NONE;
  }
  for (guint32 g = 0; g < mm->ngroups; g++)
    mm->group_rate[g] = -1;
  for (guint32 i = 0; i < mm->nlinks; i++)
    mm->bottleneck[i] = 0;
  guint32 unrated = mm->nflows, groups_left = mm->ngroups;
  while (unrated > 0 || groups_left > 0) {
    double share = INFINITY;
    guint32 best = SIM_MAXMIN_NONE;
    for (guint32 i = 0; i < mm->nlinks; i++) {
      if (mm->cnt[i] == 0)
        continue;
      double s = MAX(mm->res[i], 0.0) / mm->cnt[i];
      if (s < share) {
        share = s;
        best = i;
      }
    }
    /* Flows bound below the bottleneck share get their bound. */
    gboolean bound = FALSE;
    if (mm->cap)
      for (guint32 k = 0; k < mm->nflows; k++) {
        double c = mm->cap[k];
        if (mm->rate[k] < 0 && c > 0 && c < share) {
          rate_flow(mm, k, c);
          unrated--;
          bound = TRUE;
        }
      }
    if (bound)
      continue;
    if (best == SIM_MAXMIN_NONE)
      break;
    mm->bottleneck[best] = 1;
    gboolean any = FALSE;
    for (guint32 j = mm->link_off[best]; j < mm->link_off[best + 1]; j++) {
      guint32 k = mm->link_flows[j];
      if (mm->rate[k] >= 0)
        continue;
      rate_flow(mm, k, share);
      mm->lvl[k] = best;
      unrated--;
      any = TRUE;
    }
    guint32 g = mm->link_group ? mm->link_group[best] : 0;
    if (g && mm->group_rate[g - 1] < 0) {
      mm->group_rate[g - 1] = share;
      groups_left--;
      mm->res[best] -= share * mm->group_n[g - 1];
      mm->cnt[best] -= mm->group_n[g - 1];
      any = TRUE;
    }
    if (!any)
      mm->cnt[best] = 0; /* counted flows it does not list (a group's member): not ours to rate */
  }
}
