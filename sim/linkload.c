/* linkload.c — small messages take their share of the links, and wait in
 * the standing queue of a link that bulk flows fill.
 *
 * Share.  A small message is delivered analytically (conn.c), so its bytes
 * never join the max-min computation as a flow.  Instead each directed link
 * keeps its small-message load per statistics bucket, and the max-min
 * computation (flow.c) shares among the bulk flows only what a reservation
 * leaves: capacity - rate.  A new bucket starts from the last one's
 * small-message rate (re-rating only when that moved by more than
 * LOAD_CHANGE of the old rate and LOAD_SLACK of the capacity).  Within the
 * bucket, at every small message, the bytes carried so far plus the rest of
 * the bucket at the expected rate (or at this bucket's own rate so far, when
 * higher: a burst is met before the bucket ends) are what the reservation
 * must cover; when it falls short by more than LOAD_SLACK / 8 of the
 * bucket's capacity, or covers more than 2 LOAD_SLACK too much, the rate for
 * the rest of the bucket is set to cover it exactly.  So the bulk flows give
 * way to what small messages carry in each bucket (the branch study of
 * tests/scenarios/branch_wan_share.lua peaks at 1.009 of capacity at
 * 10 Mbps), and a small message stays one event: only a change of the
 * reservation on a direction with bulk flows re-rates them, a few times per
 * bucket at most.  The reservation never takes more than LOAD_MAX of a link.
 * A bulk flow's analytic slow-start rounds count here too (flow.c).

 * Queue.  A direction where bulk flows are held to its share (the max-min
 * computation froze them there) is full: it holds a standing queue of its
 * buffer (in packets, full segments), which a small message crossing it
 * waits for — buffer x (mss + framing) at line rate.  ns-3's reference
 * (fq_codel above a 100-packet device queue) behaves so: fq_codel keeps its
 * own queue short, the device queue below it stays full.  The bulk flows'
 * own time is unchanged (their queue is part of the rate they get).
 *
 * Limits: the expected rate is the last bucket's (a burst is caught only by
 * the in-bucket correction); a reservation left over when small messages
 * stop is kept until the next one or the next re-rating; a group member's
 * own access link (flowgroup.c) is held to its capacity, not less the
 * reservation there. */
#include "sim-private.h"
#include <math.h>

#define LOAD_CHANGE 0.03 /* of the expected rate: a new bucket re-rates beyond it */
#define LOAD_SLACK 0.005 /* of the capacity: tolerated before re-rating */
#define LOAD_MAX 0.99    /* of the capacity: the most reserved for small messages */

/* Wire bytes per ns. */
static double line_rate(const SimLink *l) { return l->bps / 8e9; }

/* Brings a direction's load up to now: a new bucket starts from the last
 * one's rate.  TRUE when the reservation moved enough to re-rate.  Within a
 * bucket nothing is due: the reservation's integral runs on at the rate from
 * `at` (reserved_to() reads it), so a small message on a direction without
 * bulk flows costs two comparisons and an addition. */
static gboolean roll(Sim *sim, SimLink *l, int d)
{
  SimLinkLoad *ld = &l->load[d];
  SimTime w = sim->p.bucket;
  if ((guint64) (sim->now - ld->start) < (guint64) w) /* the same bucket */
    return FALSE;
  SimTime start = sim->now / w * w;
  double at = (double) (sim->now - start);
  double cap = line_rate(l);
  double est = start == ld->start + w ? MIN((ld->bytes - ld->once) / (double) w, LOAD_MAX * cap) : 0;
  double old = ld->rate;
  ld->start = start;
  ld->bytes = 0;
  ld->once = 0;
  ld->resv = (float) (old * at); /* the old rate held from the bucket's start */
  ld->at = (float) at;
  ld->est = (float) est;
  if (fabs(est - old) <= MAX(LOAD_CHANGE * old, LOAD_SLACK * cap))
    return FALSE;
  ld->rate = (float) est;
  return TRUE;
}

/* The bytes reserved in the bucket up to `at` ns into it. */
static double reserved_to(const SimLinkLoad *ld, double at) { return ld->resv + ld->rate * (at - ld->at); }

/* Sets the reservation's rate from `at` ns into the bucket on. */
static void set_rate(SimLinkLoad *ld, double at, double rate)
{
  ld->resv = (float) reserved_to(ld, at);
  ld->at = (float) at;
  ld->rate = (float) rate;
}

/* While bulk flows share a direction that reserves something, its
 * reservation is brought up to date at every bucket's end even if no small
 * message comes (one event per bucket): a reservation never outlives the
 * load it was made for by more than a bucket. */
static void arm(Sim *sim, SimLink *l, guint32 dl)
{
  int d = dl & 1;
  if (l->ticking[d] || l->nflows[d] == 0 || l->load[d].rate <= 0)
    return;
  l->ticking[d] = 1;
  SimTime w = sim->p.bucket;
  sim_ev_alloc(sim, (sim->now / w + 1) * w, SIM_EV_LOAD_TICK, SIM_NODE_NONE, dl);
}

void sim_load_add(Sim *sim, SimLink *l, guint32 dl, double wire, gboolean once)
{
  int d = dl & 1;
  SimLinkLoad *ld = &l->load[d];
  gboolean rerate = roll(sim, l, d);
  ld->bytes += (float) wire;
  if (once)
    ld->once += (float) wire;
  if (l->nflows[d] == 0)
    return; /* nothing to re-rate: a flow arriving takes the reservation as it is */
  double w = (double) sim->p.bucket, at = (double) (sim->now - ld->start), left = w - at, cap = line_rate(l);
  /* The rest of the bucket at the expected rate, or at this bucket's so far
   * when it runs higher (a burst is met before the bucket ends); the
   * reservation follows when it is short by more than LOAD_SLACK / 8 of the
   * bucket's capacity, or over by more than 2 LOAD_SLACK. */
  double ahead = at > 0.1 * w ? MAX(ld->est, (ld->bytes - ld->once) / at) : ld->est;
  double want = ahead + (ld->bytes - reserved_to(ld, at)) / MAX(left, 1.0);
  want = CLAMP(want, 0.0, LOAD_MAX * cap);
  double off = (want - ld->rate) * left / (cap * w); /* of the bucket's capacity */
  if (left > 0 && (off > LOAD_SLACK / 8 || off < -2 * LOAD_SLACK)) {
    set_rate(ld, at, want);
    rerate = TRUE;
  }
  if (rerate)
    sim_flow_recompute(sim, &dl, 1);
  arm(sim, l, dl);
}


void sim_load_tick(Sim *sim, guint32 dl)
{
  SimLink *l = sim_link_rec(sim, dl >> 1);
  l->ticking[dl & 1] = 0;
  if (roll(sim, l, dl & 1) && l->nflows[dl & 1] > 0)
    sim_flow_recompute(sim, &dl, 1);
  arm(sim, l, dl);
}

double sim_load_bulk_rate(Sim *sim, SimLink *l, guint32 dl)
{
  int d = dl & 1;
  roll(sim, l, d); /* inside a re-rating already */
  arm(sim, l, dl);
  return l->payload_rate * (1.0 - l->load[d].rate / line_rate(l));
}

