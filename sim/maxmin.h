/* maxmin.h — max-min fair rates over plain arrays.
 *
 * Progressive filling (SimGrid's lmm approach, without its weights): find
 * the link whose remaining capacity divided by its unrated flows is
 * smallest, give that share to every unrated flow crossing it, take their
 * rates off every link they cross, repeat.  A flow bound below the current
 * bottleneck share is rated at its bound first.  A group stands for n flows
 * on one link, all rated at that link's share when it is the bottleneck
 * (flowgroup.c).  No Sim and no GLib containers: the caller owns every array.
 *
 * Exactness: shares are computed as MAX(res, 0) / cnt in double precision in
 * the order above; a tie between links goes to the lower index; flows bound
 * in one round are taken off in index order.  A link whose capacity is 0 (or
 * negative: already spent) rates its flows at 0. */
#pragma once
#include <glib.h>

#define SIM_MAXMIN_NONE G_MAXUINT32

typedef struct {
  /* links */
  guint32 nlinks;
  double *res;               /* in: each link's capacity; out: what is left */
  guint32 *cnt;              /* in: flows on each link, a group's members included; out: unrated */
  const guint32 *link_off;   /* flows on link i: link_flows[link_off[i] .. link_off[i + 1]) */
  const guint32 *link_flows; /* flow indices */
  const guint32 *link_group; /* per link: its group's index + 1, 0 = none (NULL: no groups) */
  /* flows */
  guint32 nflows;
  const guint32 *hop_off;    /* links of flow k: hops[hop_off[k] .. hop_off[k + 1]) */
  const guint32 *hops;       /* link indices */
  const double *cap;         /* per flow: an upper bound on its rate, 0 = none (NULL: none) */
  /* groups */
  guint32 ngroups;
  const guint32 *group_n;    /* per group: its members */
  /* out */
  double *rate;              /* per flow: its rate, -1 if it got none (no link counts it) */
  guint32 *lvl;              /* per flow: the link whose share it got, SIM_MAXMIN_NONE if its bound */
  double *group_rate;        /* per group: its members' rate, -1 if its link was never the bottleneck */
  guint8 *bottleneck;        /* per link: 1 if flows or a group got its share */
} SimMaxmin;

/* Rates every flow and group of mm; fills the out arrays. */
void sim_maxmin_solve(SimMaxmin *mm);
