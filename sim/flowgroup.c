/* flowgroup.c — many bulk flows held to one link's even share, rated as a group.
 *
 * Max-min fair sharing re-rates every flow of a connected component whenever
 * one joins or leaves.  When a component is n flows that all cross one
 * directed link B and every one of them gets B's even share (no other link
 * and no cap holds any of them lower), a join or a leave changes all n rates
 * to B's capacity over n ± 1 and nothing else.  Such flows (at least
 * group_min of them) form a group, rated in virtual time: v is the payload
 * bytes each member has moved since the group formed, advancing at the common
 * rate; a member whose message has r bytes left when it joins at v is through
 * when v reaches fin = v + r.  Members wait in a heap by fin, and only the
 * first has its completion in the kernel's flow queue.  A join or a leave is
 * then O(log n) instead of O(n).
 *
 * The rates are the ones the exact recompute gives, so the group holds only
 * while its premise does:
 *   - every flow on a member's links is a member (a link with another flow
 *     would make the component larger than the group);
 *   - no member has a rate cap (loss, a sender's throttle);
 *   - no other member link's even share is below B's: `floor` is a lower
 *     bound of those shares, lowered as members join and kept as they leave.
 * A flow that would break the premise dissolves the group (its members become
 * plain flows at the group's rate) and the exact recompute takes over; it may
 * form the group again.
 *
 * Statistics: members' bytes are accounted at every bucket boundary (one
 * event per bucket per group) and when they leave or change message, so each
 * bucket gets exactly the bytes moved in it even though the rate changed
 * many times.  Results differ from re-rating every flow only by rounding: the
 * virtual time sums the rate over changes where each flow used to sum its own
 * bytes. */
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

static double link_payload_rate(Sim *sim, guint32 dl) { return sim_link_rec(sim, dl >> 1)->payload_rate; }

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
  SimTime at = sim->now + (SimTime) ceil(left / g->rate);
  sim_iheap_set(&sim->flowq, first, at, sim_evq_next_seq(&sim->q));
  g->top = first;
}

static void schedule_tick(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  SimTime w = sim->p.bucket;
  guint32 slot = sim_ev_alloc(sim, (sim->now / w + 1) * w, SIM_EV_FLOW_TICK, SIM_NODE_NONE);
  sim_ev(sim, slot)->u32 = gi;
  g->tick = (SimTimerId) sim_ev(sim, slot)->gen << 32 | slot;
}

static void group_free(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
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
    sim_flow_account(sim, f, MIN(g->v - f->vs, f->remaining), NULL, NULL);
  f->vs = g->v;
}

/* Members become plain flows at the group's rate, each with its completion
 * in the flow queue; the caller's recompute re-rates them. */
static void dissolve(Sim *sim, guint32 gi)
{
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim->groups_dissolved++;
  advance(sim, g);
  for (guint32 i = 0; i < g->n; i++) {
    guint32 fi = g->heap[i];
    SimFlow *f = sim_flow_rec(sim, fi);
    sim_group_accrue(sim, f);
    f->group = 0;
    f->rate = g->rate;
    sim_flow_schedule_done(sim, fi);
  }
  group_free(sim, gi);
}

/* --- joining and leaving ------------------------------------------------------------ */

gboolean sim_group_join(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 found[SIM_MAX_HOPS];
  int nfound = 0;
  gboolean plain = FALSE, crosses = FALSE;
  for (int h = 0; h < f->nhops; h++) {
    guint32 dl = f->hops[h].dl;
    guint32 head = sim_link_rec(sim, dl >> 1)->flows[dl & 1];
    if (!head)
      continue;
    guint32 gi = sim_flow_rec(sim, head >> 4)->group;
    if (!gi) {
      plain = TRUE;
      continue;
    }
    int k = 0;
    while (k < nfound && found[k] != gi)
      k++;
    if (k == nfound)
      found[nfound++] = gi;
  }
  if (nfound == 0)
    return FALSE;
  SimFlowGroup *g = sim_group_rec(sim, found[0]);
  gboolean fits = nfound == 1 && !plain && f->cap == 0;
  double share = link_payload_rate(sim, g->dl) / (double) (g->n + 1), floor = g->floor;
  for (int h = 0; fits && h < f->nhops; h++) {
    guint32 dl = f->hops[h].dl;
    if (dl == g->dl) {
      crosses = TRUE;
      continue;
    }
    const SimLink *l = sim_link_rec(sim, dl >> 1);
    floor = MIN(floor, l->payload_rate / (double) (l->nflows[dl & 1] + 1));
  }
  if (!fits || !crosses || floor < share) {
    for (int k = 0; k < nfound; k++)
      dissolve(sim, found[k]);
    return FALSE;
  }
  advance(sim, g);
  sim_flow_link(sim, fi);
  g->n++;
  g->rate = share;
  g->floor = floor;
  f->group = found[0];
  f->rate = share;
  f->since = sim->now;
  f->vs = g->v;
  f->fin = g->v + f->remaining;
  heap_push(sim, g, fi);
  retime(sim, g);
  return TRUE;
}

gboolean sim_group_leave(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 gi = f->group;
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim_group_accrue(sim, f);
  sim_flow_unlink(sim, fi);
  g->n--;
  heap_remove(sim, g, f->gpos);
  if (g->top == fi) {
    sim_iheap_remove(&sim->flowq, fi);
    g->top = 0;
  }
  f->group = 0;
  f->rate = g->rate;
  if (g->n == 0) {
    group_free(sim, gi);
    return FALSE;
  }
  double share = link_payload_rate(sim, g->dl) / (double) g->n;
  if (share > g->floor) {
    dissolve(sim, gi); /* another link may hold some members lower now */
    return TRUE;
  }
  g->rate = share;
  retime(sim, g);
  return FALSE;
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

void sim_group_form(Sim *sim, guint32 dl, const guint32 *flows, guint32 n, double share)
{
  guint32 gi = sim_pool_alloc(&sim->groups);
  SimFlowGroup *g = sim_group_rec(sim, gi);
  sim->groups_formed++;
  g->dl = dl;
  g->rate = share;
  g->at = sim->now;
  g->floor = INFINITY;
  g->heap_cap = n;
  g->heap = g_new(guint32, n);
  for (guint32 k = 0; k < n; k++) {
    guint32 fi = flows[k];
    SimFlow *f = sim_flow_rec(sim, fi);
    for (int h = 0; h < f->nhops; h++) {
      guint32 hdl = f->hops[h].dl;
      if (hdl == dl)
        continue;
      const SimLink *l = sim_link_rec(sim, hdl >> 1);
      g->floor = MIN(g->floor, l->payload_rate / (double) l->nflows[hdl & 1]);
    }
    sim_flow_accrue(sim, f);
    sim_iheap_remove(&sim->flowq, fi);
    f->group = gi;
    f->rate = share;
    f->vs = 0;
    f->fin = MAX(f->remaining, 0.0);
    g->n++;
    heap_push(sim, g, fi);
  }
  retime(sim, g);
  schedule_tick(sim, gi);
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
  guint32 head = sim_link_rec(sim, dl >> 1)->flows[dl & 1];
  if (!head)
    return 0;
  guint32 gi = sim_flow_rec(sim, head >> 4)->group;
  return gi && sim_group_rec(sim, gi)->dl == dl ? sim_group_rec(sim, gi)->n : 0;
}

void sim_flow_group_counts(const Sim *sim, guint64 *formed, guint64 *dissolved)
{
  *formed = sim->groups_formed;
  *dissolved = sim->groups_dissolved;
}
