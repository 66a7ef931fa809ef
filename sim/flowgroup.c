/* flowgroup.c — many bulk flows held to one link's share, rated as a group.
 *
 * Max-min fair sharing re-rates every flow of a connected component whenever
 * one joins or leaves.  At 10^5 endpoints one server link carries thousands
 * of downloads to clients that are alone on their own access links; every
 * join re-rated all of them.  Such flows — frozen at one directed link B's
 * share, uncapped, each alone on its other links — form a group (from
 * group_min of them on; a flow frozen there joins an existing group at once).
 * The group is rated in virtual time: v is the payload bytes each member has
 * moved since the group formed, advancing at the common rate; a member whose
 * message has r bytes left at v is through when v reaches fin = v + r.
 * Members wait in a heap by fin, and only the first has its completion in the
 * kernel's flow queue.
 *
 * Members are counted on B but not on its flow list, so the recompute meets
 * the group as one entry of n flows frozen together at B's share, and costs
 * what the other (plain) flows of the component cost.  The result is the
 * exact recompute's as long as the premise holds:
 *   - no member is capped (loss, a sender's throttle);
 *   - each member is alone on its other links: a flow arriving on one makes
 *     that member a plain flow again first;
 *   - those links leave each member at least `floor` (their capacity, the
 *     least of them kept as members come), and the group's share stays at or
 *     below it; when a recompute finds it above, the group is dissolved into
 *     plain flows and the recompute starts over.
 *
 * Statistics: members' bytes are accounted at every bucket boundary (one
 * event per bucket per group) and when they leave or change message, so each
 * bucket gets exactly the bytes moved in it even though the rate changed
 * many times in it.  Results differ from re-rating every flow only by
 * rounding: the virtual time sums the rate over changes where each flow used
 * to sum its own bytes. */
#include "sim-private.h"
#include <math.h>

/* --- the members' heap, by (fin, flow) ---------------------------------------------- */

static gboolean before(Sim *sim, guint32 a, guint32 b)
{
  double fa = sim_flow_rec(sim, a)->fin, fb = sim_flow_rec(sim, b)->fin;
  return fa < fb || (fa == fb && a < b);
}

static void heap_put(Sim *sim, SimFlowGroup *g, guint32 i, guint32 fi)
{
  g->heap[i] = fi;
  sim_flow_rec(sim, fi)->gpos = i;
}

static void sift_up(Sim *sim, SimFlowGroup *g, guint32 i, guint32 fi)
{
  while (i > 0) {
    guint32 up = (i - 1) / 2;
    if (!before(sim, fi, g->heap[up]))
      break;
    heap_put(sim, g, i, g->heap[up]);
    i = up;
  }
  heap_put(sim, g, i, fi);
}

static void sift_down(Sim *sim, SimFlowGroup *g, guint32 i, guint32 fi)
{
  for (;;) {
    guint32 c = 2 * i + 1;
    if (c >= g->n)
      break;
    if (c + 1 < g->n && before(sim, g->heap[c + 1], g->heap[c]))
      c++;
    if (!before(sim, g->heap[c], fi))
      break;
    heap_put(sim, g, i, g->heap[c]);
    i = c;
  }
  heap_put(sim, g, i, fi);
}

/* Adds fi as member n (the caller counts it in g->n first). */
static void heap_push(Sim *sim, SimFlowGroup *g, guint32 fi)
{
  if (g->n > g->heap_cap) {
    g->heap_cap = MAX(g->heap_cap * 2, g->n);
    g->heap = g_renew(guint32, g->heap, g->heap_cap);
  }
  sift_up(sim, g, g->n - 1, fi);
}

/* Removes the member at i (the caller uncounts it from g->n first). */
static void heap_remove(Sim *sim, SimFlowGroup *g, guint32 i)
{
  if (i == g->n)
    return;
  guint32 last = g->heap[g->n];
  if (i > 0 && before(sim, last, g->heap[(i - 1) / 2]))
    sift_up(sim, g, i, last);
  else
    sift_down(sim, g, i, last);
}

/* --- the group's clock ------------------------------------------------------------- */


static void advance(Sim *sim, SimFlowGroup *g)
{
  if (sim->now > g->at) {
    g->v += g->rate * (double) (sim->now - g->at);
    g->at = sim->now;
  }
}

/* Puts the first member's completion in the flow queue (the only one there). */
static void retime(Sim *sim, SimFlowGroup *g)
{
  guint32 first = g->heap[0];
  if (g->top && g->top != first)
    sim_iheap_remove(&sim->flowq, g->top);
  double left = MAX(sim_flow_rec(sim, first)->fin - g->v, 0.0);
  SimTime at = sim->now + sim_time_ceil(left / g->rate);
  sim_iheap_set(&sim->flowq, first, at, sim_evq_next_seq(&sim->q));
  g->top = first;
}

static void schedule_tick(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  SimTime w = sim->p.bucket;
  guint32 slot = sim_ev_alloc(sim, (sim->now / w + 1) * w, SIM_EV_FLOW_TICK, SIM_NODE_NONE, gi);
  g->tick = (SimTimerId) sim_ev(sim, slot)->gen << 32 | slot;
}

static void group_free(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim_link_rec(sim, g->dl >> 1)->group[g->dl & 1] = 0;
  if (g->tick)
    sim_timer_cancel(sim, g->tick);
  g_free(g->heap);
  g->heap = NULL;
  sim_pool_free(&sim->groups, gi);
}

void sim_group_accrue(Sim *sim, SimFlow *f)
{
  SimFlowGroup *g = sim_group_rec(sim, f->group);
  advance(sim, g);
  if (sim->now > f->since)
    sim_flow_account(sim, f, MIN(g->v - f->vs, f->remaining), NULL, NULL, sim->now);
  f->vs = g->v;
}

static int hop_on(const SimFlow *f, guint32 dl)
{
  for (int h = 0; h < f->nhops; h++)
    if (f->hops[h].dl == dl)
      return h;
  return -1;
}

/* The member at heap position i is no longer one: accounted, off the heap
 * and the flow queue.  The group is freed when it was the last. */
static void drop_member(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 gi = f->group;
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim_group_accrue(sim, f);
  g->n--;
  heap_remove(sim, g, f->gpos);
  if (g->top == fi) {
    sim_iheap_remove(&sim->flowq, fi);
    g->top = 0;
  }
  f->rate = g->rate;
  if (g->n == 0)
    group_free(sim, gi);
  else
    retime(sim, g);
}

/* A member becomes a plain flow at the group's rate, listed on the group's
 * link and with its completion in the flow queue. */
static void to_plain(Sim *sim, guint32 fi, guint32 dl)
{
  drop_member(sim, fi);
  SimFlow *f = sim_flow_rec(sim, fi);
  f->group = 0;
  sim_flow_hop_list(sim, fi, hop_on(f, dl), TRUE);
  sim_flow_schedule_done(sim, fi);
}

void sim_group_dissolve(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  guint32 dl = g->dl;
  sim->groups_dissolved++;
  while (sim_group_rec(sim, gi)->heap && sim_group_rec(sim, gi)->n > 0) {
    g = sim_group_rec(sim, gi);
    to_plain(sim, g->heap[g->n - 1], dl); /* the last: no sifting */
  }
}

void sim_group_set_rate(Sim *sim, guint32 gi, double rate)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  advance(sim, g);
  g->rate = rate;
  retime(sim, g);
}

static guint32 group_new(Sim *sim, guint32 dl, double rate)
{
  guint32 gi = sim_pool_alloc(&sim->groups);
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim->groups_formed++;
  g->dl = dl;
  g->rate = rate;
  g->at = sim->now;
  g->floor = INFINITY;
  sim_link_rec(sim, dl >> 1)->group[dl & 1] = gi;
  schedule_tick(sim, gi);
  return gi;
}

/* Makes a flow (counted on its links, listed on all but dl) member of gi. */
static void add_member(Sim *sim, guint32 gi, guint32 fi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  SimFlow *f = sim_flow_rec(sim, fi);
  advance(sim, g);
  for (int h = 0; h < f->nhops; h++)
    if (f->hops[h].dl != g->dl)
      g->floor = MIN(g->floor, sim_link_rec(sim, f->hops[h].dl >> 1)->payload_rate);
  f->group = gi;
  f->since = sim->now;
  f->vs = g->v;
  f->fin = g->v + MAX(f->remaining, 0.0);
  f->rate = g->rate;
  g->n++;
  heap_push(sim, g, fi);
}

void sim_group_adopt(Sim *sim, guint32 dl, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  SimLink *l = sim_link_rec(sim, dl >> 1);
  guint32 gi = l->group[dl & 1];
  if (!gi)
    gi = group_new(sim, dl, f->rate);
  sim_flow_accrue(sim, f);
  sim_iheap_remove(&sim->flowq, fi);
  sim_flow_hop_list(sim, fi, hop_on(f, dl), FALSE);
  add_member(sim, gi, fi);
  retime(sim, sim_group_rec(sim, gi));
}

gboolean sim_group_join(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 gi = 0;
  int bottlenecks = 0;
  gboolean alone = TRUE;
  for (int h = 0; h < f->nhops; h++) {
    guint32 dl = f->hops[h].dl;
    SimLink *l = sim_link_rec(sim, dl >> 1);
    if (l->group[dl & 1]) {
      gi = l->group[dl & 1];
      bottlenecks++;
      continue;
    }
    guint32 head = l->flows[dl & 1];
    if (!head)
      continue;
    alone = FALSE;
    guint32 other = head >> 4;
    SimFlow *o = sim_flow_rec(sim, other);
    if (o->group) /* a member alone here until now */
      to_plain(sim, other, sim_group_rec(sim, o->group)->dl);
  }
  if (!gi || bottlenecks != 1 || !alone || f->cap > 0)
    return FALSE;
  f->group = gi;
  sim_flow_link(sim, fi); /* listed on its own links, counted on the group's */
  f->group = 0;
  add_member(sim, gi, fi);
  guint32 dl = sim_group_rec(sim, gi)->dl;
  sim_flow_recompute(sim, &dl, 1); /* the group's share with one more */
  return TRUE;
}

void sim_group_leave(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 dl = sim_group_rec(sim, f->group)->dl;
  sim_flow_unlink(sim, fi); /* still a member: not listed on dl */
  drop_member(sim, fi);
  f->group = 0;
  sim_flow_recompute(sim, &dl, 1);
}

void sim_group_rekey(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  SimFlowGroup *g = sim_group_rec(sim, f->group);
  advance(sim, g);
  f->vs = g->v;
  f->fin = g->v + MAX(f->remaining, 0.0);
  guint32 i = f->gpos;
  if (i > 0 && before(sim, fi, g->heap[(i - 1) / 2]))
    sift_up(sim, g, i, fi);
  else
    sift_down(sim, g, i, fi);
  retime(sim, g);
}

void sim_group_tick(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  g->tick = 0;
  advance(sim, g);
  for (guint32 i = 0; i < g->n; i++)
    sim_group_accrue(sim, sim_flow_rec(sim, g->heap[i]));
  schedule_tick(sim, gi);
}

void sim_groups_clear(Sim *sim)
{
  for (guint32 gi = 1; gi < sim->groups.next_fresh; gi++)
    g_free(sim_group_rec(sim, gi)->heap);
  sim_pool_clear(&sim->groups);
}

guint32 sim_dlink_group(const Sim *sim, guint32 dl)
{
  guint32 gi = sim_link_rec(sim, dl >> 1)->group[dl & 1];
  return gi ? sim_group_rec(sim, gi)->n : 0;
}

void sim_flow_group_counts(const Sim *sim, guint64 *formed, guint64 *dissolved)
{
  *formed = sim->groups_formed;
  *dissolved = sim->groups_dissolved;
}
