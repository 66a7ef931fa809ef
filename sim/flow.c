/* flow.c — bulk transfers: slow start, then max-min fair sharing.
 *
 * A message larger than the connection's congestion window becomes a flow.
 * Slow start is analytic: one round trip per window, the window doubling,
 * until the window covers the bandwidth-delay product at the flow's fair
 * share (or the message is done).  Then the flow joins the links of its path
 * and its rate is the max-min fair share over them (progressive filling,
 * SimGrid's approach), recomputed for the connected component of flows and
 * links whenever a flow joins or leaves.  A flow costs one event to join and
 * one to finish, plus one reschedule each time a neighbour's change moves
 * its rate.  Lossy paths cap a flow's rate by the Mathis formula.  When a
 * recompute finds many flows (group_min) all held to one link's even share,
 * they are rated as a group in virtual time instead (flowgroup.c): the same
 * max-min rates, without re-rating every member at every change.
 *
 * Which flows and links a change touches is flowcomp.c's; the rates
 * themselves are maxmin.c's (plain arrays); this file holds slow start, the
 * accounting, and what a recompute does with the rates (reschedules,
 * standing queues, groups). */
#include "sim-private.h"
#include "maxmin.h"
#include <math.h>
#include <string.h>

void sim_flow_hop_list(Sim *sim, guint32 fi, int h, gboolean on)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  SimLink *l = sim_link_rec(sim, f->hops[h].dl >> 1);
  int d = f->hops[h].dl & 1;
  if (on) {
    f->hops[h].prev = 0;
    f->hops[h].next = l->flows[d];
    if (l->flows[d])
      sim_hop_of(sim, l->flows[d])->prev = SIM_HOP_REF(fi, h);
    l->flows[d] = SIM_HOP_REF(fi, h);
    return;
  }
  if (f->hops[h].prev)
    sim_hop_of(sim, f->hops[h].prev)->next = f->hops[h].next;
  else
    l->flows[d] = f->hops[h].next;
  if (f->hops[h].next)
    sim_hop_of(sim, f->hops[h].next)->prev = f->hops[h].prev;
}

/* A group member is counted on its group's link but not listed there. */
static guint32 unlisted_hop(Sim *sim, const SimFlow *f)
{
  return f->group ? sim_group_rec(sim, f->group)->dl : G_MAXUINT32;
}

static void flow_count(Sim *sim, guint32 fi, gboolean on)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 skip = unlisted_hop(sim, f);
  for (int h = 0; h < f->nhops; h++) {
    if (f->hops[h].dl != skip)
      sim_flow_hop_list(sim, fi, h, on);
    sim_link_rec(sim, f->hops[h].dl >> 1)->nflows[f->hops[h].dl & 1] += on ? 1u : (guint32) -1;
  }
  f->active = (guint8) on;
}

void sim_flow_link(Sim *sim, guint32 fi) { flow_count(sim, fi, TRUE); }
void sim_flow_unlink(Sim *sim, guint32 fi) { flow_count(sim, fi, FALSE); }

/* Counts a flow in (or out of) its hops' slow-start census: a flow starting
 * next to others still in slow start sees them as competitors. */
static void flow_starting(Sim *sim, SimFlow *f, gboolean on)
{
  if (f->starting == on)
    return;
  for (int h = 0; h < f->nhops; h++) {
    SimLink *l = sim_link_rec(sim, f->hops[h].dl >> 1);
    l->nstart[f->hops[h].dl & 1] += on ? 1u : (guint32) -1;
  }
  f->starting = (guint8) on;
}

void sim_flow_account(Sim *sim, SimFlow *f, double bytes, const SimLinkInfo *info, const guint32 *slots,
                      SimTime to)
{
  if (bytes > 0) {
    SimClass cls = (SimClass) f->cls;
    double wan = 0;
    for (int h = 0; h < f->nhops; h++) {
      guint32 dl = f->hops[h].dl;
      SimLinkInfo li;
      if (info) {
        li = info[slots[h]];
      } else {
        const SimLink *l = sim_link_rec(sim, dl >> 1);
        li = (SimLinkInfo) { l->framing, l->stats[dl & 1], l->kind == SIM_LINK_WAN };
      }
      double wire = bytes * (double) (sim->p.mss + li.framing) / (double) sim->p.mss;
      if (li.series)
        sim_stats_series(sim, li.series, cls, wire, 0, f->since, to);
      else
        sim_stats_link(sim, dl, cls, wire, 0, f->since, to); /* numbers the series */
      if (li.wan)
        wan += wire;
    }
    if (wan > 0)
      sim_stats_total(sim, TRUE, cls, wan);
    else if (f->src_site == f->dst_site)
      sim_stats_total(sim, FALSE, cls, bytes * (double) (sim->p.mss + SIM_FRAMING_ETHERNET) / (double) sim->p.mss);
    f->remaining -= bytes;
  }
  f->since = to;
}

/* Brings the flow's byte count and statistics up to `to` (now, or the end
 * of slow start) at its current rate (a group member: up to now at its
 * group's).  A recompute passes what it saw of the hops' links (info, by
 * component link, and slots, the flow's hops' component links), sparing the
 * link records. */
static void flow_accrue_seen(Sim *sim, SimFlow *f, const SimLinkInfo *info, const guint32 *slots, SimTime to)
{
  if (to <= f->since)
    return;
  if (f->group) {
    sim_group_accrue(sim, f);
    return;
  }
  double bytes = f->rate * (double) (to - f->since);
  sim_flow_account(sim, f, MIN(bytes, f->remaining), info, slots, to);
}

void sim_flow_accrue(Sim *sim, SimFlow *f) { flow_accrue_seen(sim, f, NULL, NULL, sim->now); }

void sim_stats_flush(Sim *sim)
{
  for (guint32 fi = 1; fi < sim->flows.next_fresh; fi++) {
    SimFlow *f = sim_flow_rec(sim, fi);
    if (f->active)
      sim_flow_accrue(sim, f);
  }
}

/* (Re)schedules the flow's completion: its entry in the flow queue moves (a
 * group member's place in its group's heap). */
void sim_flow_schedule_done(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  if (f->group) {
    sim_group_rekey(sim, fi);
    return;
  }
  double left = f->remaining > 0 ? f->remaining / f->rate : 0;
  SimTime at = sim->now + sim_time_ceil(left);
  sim_iheap_set(&sim->flowq, fi, at, sim_evq_next_seq(&sim->q));
}

/* Every hop of f but its link dl carries f alone. */
static gboolean alone_elsewhere(Sim *sim, const SimFlow *f, guint32 dl)
{
  for (int h = 0; h < f->nhops; h++) {
    guint32 o = f->hops[h].dl;
    if (o != dl && sim_link_rec(sim, o >> 1)->nflows[o & 1] != 1)
      return FALSE;
  }
  return TRUE;
}

/* After a recompute: flows frozen at one link's share, uncapped, alone on
 * their other links, join the link's group — formed when there are
 * group_min of them.  cnt is scratch (one counter per scratch link). */
static void form_groups(Sim *sim, const guint32 *links, guint32 nlinks, const guint32 *flows, guint32 nflows,
                        guint32 *cnt)
{
  memset(cnt, 0, nlinks * sizeof *cnt);
  for (guint k = 0; k < nflows; k++) {
    SimFlow *f = sim_flow_rec(sim, flows[k]);
    f->group_ok = f->lvl != G_MAXUINT32 && f->cap == 0 &&
                  alone_elsewhere(sim, f, links[f->lvl]);
    if (f->group_ok)
      cnt[f->lvl]++;
  }
  for (guint k = 0; k < nflows; k++) {
    guint32 fi = flows[k];
    SimFlow *f = sim_flow_rec(sim, fi);
    if (!f->group_ok)
      continue;
    guint32 dl = links[f->lvl];
    if (cnt[f->lvl] >= sim->p.group_min || sim_link_rec(sim, dl >> 1)->group[dl & 1])
      sim_group_adopt(sim, dl, fi);
  }
}

/* Max-min fair rates for every flow connected (through shared links) to the
 * seed links (flowcomp.c finds them, maxmin.c rates them); flows whose rate
 * changes are rescheduled, and links whose share held flows get a standing
 * queue.  A flow group in the component counts as its members on its link:
 * they all get that link's share (their other links carry them alone and
 * leave them at least the group's floor; if the share rises past it, the
 * group is dissolved and the computation starts over with its members as
 * plain flows). */
void sim_flow_recompute(Sim *sim, const guint32 *seed, int nseed)
{
  SimComponent *c = &sim->comp;
again:
  if (!sim_comp_find(sim, seed, nseed)) {
    for (guint i = 0; i < c->links.len; i++) {
      guint32 dl = SIM_BUF_AT(&c->links, guint32, i);
      sim_link_rec(sim, dl >> 1)->queued[dl & 1] = 0; /* no flow fills it */
    }
    return;
  }
  const guint32 nlinks = c->links.len, nflows = c->flows.len, ngroups = c->groups.len;
  const guint32 *links = c->links.data, *flows = c->flows.data, *groups = c->groups.data;
  double *res = c->res.data;
  guint32 *cnt = c->cnt.data;
  SimLinkInfo *info = c->info.data;
  for (guint i = 0; i < nlinks; i++) {
    guint32 dl = links[i];
    SimLink *l = sim_link_rec(sim, dl >> 1);
    res[i] = sim_load_bulk_rate(sim, l, dl); /* what small messages leave */
    cnt[i] = l->nflows[dl & 1];
    info[i] = (SimLinkInfo) { l->framing, l->stats[dl & 1], l->kind == SIM_LINK_WAN };
  }
  SimMaxmin mm = {
    .nlinks = nlinks, .res = res, .cnt = cnt, .link_off = c->link_off.data,
    .link_flows = c->link_flows.data, .link_group = c->link_group.data,
    .nflows = nflows, .hop_off = c->hop_off.data, .hops = c->hops.data, .cap = c->cap.data,
    .ngroups = ngroups, .group_n = c->group_n.data, .rate = c->rate.data, .lvl = c->lvl.data,
    .group_rate = c->group_rate.data, .bottleneck = c->bottleneck.data,
  };
  sim_maxmin_solve(&mm);
  for (guint k = 0; k < ngroups; k++) {
    guint32 gi = groups[k];
    if (mm.group_rate[k] < 0 || mm.group_rate[k] > sim_group_rec(sim, gi)->floor) {
      sim_group_dissolve(sim, gi);
      goto again;
    }
  }
  for (guint i = 0; i < nlinks; i++) {
    guint32 dl = links[i];
    sim_link_rec(sim, dl >> 1)->queued[dl & 1] = mm.bottleneck[i]; /* its flows fill it: a standing queue */
  }
  for (guint k = 0; k < nflows; k++) {
    guint32 fi = flows[k];
    SimFlow *f = sim_flow_rec(sim, fi);
    double r = mm.rate[k];
    if (r <= 0)
      r = 1e-12; /* a dead link: practically stalled */
    f->lvl = mm.lvl[k];
    if (r != f->rate || !sim_iheap_contains(&sim->flowq, fi)) {
      flow_accrue_seen(sim, f, info, mm.hops + mm.hop_off[k], sim->now);
      f->rate = r;
      sim_flow_schedule_done(sim, fi);
    }
  }
  for (guint k = 0; k < ngroups; k++)
    sim_group_set_rate(sim, groups[k], mm.group_rate[k]);
  if (sim->p.group_min > 0 && nflows > 0)
    form_groups(sim, links, nlinks, flows, nflows, cnt);
}

static void flow_seed(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  guint32 seed[SIM_MAX_HOPS];
  for (int h = 0; h < f->nhops; h++)
    seed[h] = f->hops[h].dl;
  sim_flow_recompute(sim, seed, f->nhops);
}

static void flow_activate(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  f->since = sim->now;
  f->rate = 0;
  if (sim_group_join(sim, fi))
    return;
  sim_flow_link(sim, fi);
  flow_seed(sim, fi);
}

static void flow_deactivate(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  if (!f->active)
    return;
  if (f->group) {
    sim_group_leave(sim, fi); /* and the group's share is computed again */
    return;
  }
  sim_flow_accrue(sim, f);
  sim_flow_unlink(sim, fi);
  flow_seed(sim, fi); /* the neighbours share what this flow leaves */
}

/* Fills the flow's path; FALSE when there is none. */
static gboolean flow_path(Sim *sim, SimFlow *f)
{
  SimConn *cn = sim_conn_rec(sim, f->conn);
  guint32 dl[SIM_MAX_HOPS];
  int n = sim_path(sim, cn->node[f->dir], cn->node[1 - f->dir], dl, SIM_MAX_HOPS);
  if (n < 0)
    return FALSE;
  f->nhops = (guint8) n;
  f->lat = 0;
  double loss_keep = 1.0;
  for (int h = 0; h < n; h++) {
    SimLink *l = sim_link_rec(sim, dl[h] >> 1);
    if (!l->up)
      return FALSE;
    f->hops[h].dl = dl[h];
    f->lat += l->lat;
    loss_keep *= 1.0 - l->loss;
  }
  double p = 1.0 - loss_keep;
  double rtt = MAX(2.0 * (double) f->lat, 1.0);
  /* Mathis et al.: throughput <= MSS / RTT * sqrt(3 / (2p)). */
  f->cap = p > 0 ? (double) sim->p.mss / rtt * sqrt(1.5 / p) : 0;
  /* A sender's throttle caps the payload rate too. */
  SimMsg *m = sim_msg_rec(sim, f->msg);
  if (m->max_bps > 0) {
    double cap = m->max_bps / 8e9;
    f->cap = f->cap > 0 ? MIN(f->cap, cap) : cap;
  }
  return TRUE;
}

/* Time from the last byte leaving the bottleneck to its arrival: propagation
 * plus one segment's store-and-forward on each hop. */
static SimTime flow_tail(Sim *sim, SimFlow *f)
{
  double t = (double) f->lat;
  for (int h = 0; h < f->nhops; h++) {
    SimLink *l = sim_link_rec(sim, f->hops[h].dl >> 1);
    t += (double) (sim->p.mss + l->framing) * 8e9 / l->bps;
  }
  return sim_time_ceil(t);
}

void sim_flow_start(Sim *sim, guint32 c, guint8 d, guint32 midx)
{
  SimConn *cn = sim_conn_rec(sim, c);
  SimMsg *m = sim_msg_rec(sim, midx);
  g_return_if_fail(m->cls < sim_class_count(sim)); /* accounted by series, unchecked */
  guint32 fi = sim_pool_alloc(&sim->flows);
  SimFlow *f = sim_flow_rec(sim, fi);
  f->conn = c;
  f->dir = d;
  f->msg = midx;
  f->cls = m->cls;
  f->remaining = (double) m->size;
  f->since = sim->now;
  f->src_site = sim_node_site(sim, cn->node[d]);
  f->dst_site = sim_node_site(sim, cn->node[1 - d]);
  cn->flow[d] = fi;
  if (!flow_path(sim, f)) {
    /* Lost: the route check breaks the connection. */
    cn->flow[d] = 0;
    sim_msg_release(sim, midx);
    sim_pool_free(&sim->flows, fi);
    return;
  }
  /* Slow start, analytically, at the share a new flow would get now. */
  double r0 = INFINITY;
  for (int h = 0; h < f->nhops; h++) {
    SimLink *l = sim_link_rec(sim, f->hops[h].dl >> 1);
    int hd = f->hops[h].dl & 1;
    r0 = MIN(r0, sim_load_bulk_rate(sim, l, f->hops[h].dl) / (double) (l->nflows[hd] + l->nstart[hd] + 1));
  }
  if (f->cap > 0)
    r0 = MIN(r0, f->cap);
  double rtt = 2.0 * (double) f->lat;
  double bdp = r0 * rtt;
  double mss = sim->p.mss;
  double cwnd = cn->cwnd[d];
  SimTime t = 0;
  while (cwnd * mss < bdp) {
    double window = cwnd * mss;
    if (window >= f->remaining) {
      /* Done within this round: the window's bytes at the fair rate. */
      cwnd = MIN(cwnd * 2, 1e6);
      break;
    }
    f->remaining -= window;
    t += (SimTime) rtt;
    cwnd = MIN(cwnd * 2, 1e6);
  }
  cn->cwnd[d] = (guint32) cwnd;
  double ss_bytes = (double) m->size - f->remaining;
  if (ss_bytes > 0 && t > 0) {
    /* The rounds' windows take their share of each link as small messages
     * do: the flows already there give way (linkload.c). */
    for (int h = 0; h < f->nhops; h++) {
      SimLink *l = sim_link_rec(sim, f->hops[h].dl >> 1);
      sim_load_once(sim, l, f->hops[h].dl, ss_bytes * (mss + l->framing) / mss);
    }
  }
  if (ss_bytes > 0) {
    /* Account the slow-start rounds' bytes, over [now, now + t), as if they
     * moved at an even rate. */
    f->rate = ss_bytes / MAX((double) t, 1.0);
    double save = f->remaining;
    f->remaining = ss_bytes;
    flow_accrue_seen(sim, f, NULL, NULL, sim->now + t);
    f->remaining = save;
    f->since = sim->now + t;
  }
  if (t == 0) {
    flow_activate(sim, fi);
  } else {
    flow_starting(sim, f, TRUE);
    guint32 slot = sim_ev_alloc(sim, sim->now + t, SIM_EV_FLOW_RATE, SIM_NODE_NONE, fi);
    f->done = (SimTimerId) sim_ev(sim, slot)->gen << 32 | slot;
  }
}

static void flow_free(Sim *sim, guint32 fi)
{
  sim_iheap_remove(&sim->flowq, fi);
  sim_pool_free(&sim->flows, fi);
}

/* A stream of bulk messages on one connection (shard chunks, say) is one
 * TCP stream: when a message's last byte is out and the next one waits in the
 * connection's queue, the next takes over the flow's place on its links at
 * the same rate.  Leaving and joining would recompute the fair shares of the
 * whole component twice for nothing (the rates come out the same). */
static gboolean flow_hand_over(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  SimConn *cn = sim_conn_rec(sim, f->conn);
  guint32 next = sim_conn_queue_head(sim, f->conn, f->dir);
  if (!f->active || !next)
    return FALSE;
  SimMsg *m = sim_msg_rec(sim, f->msg), *nm = sim_msg_rec(sim, next);
  if (nm->size <= (guint64) cn->cwnd[f->dir] * sim->p.mss || nm->max_bps != m->max_bps)
    return FALSE; /* a small message, or another cap: the usual way */
  sim_flow_accrue(sim, f);
  for (int h = 0; h < f->nhops; h++)
    sim_stats_link(sim, f->hops[h].dl, (SimClass) m->cls, 0, 1, sim->now, sim->now);
  guint32 finished = f->msg;
  sim_conn_queue_pop(sim, cn, f->dir);
  f->msg = next;
  f->cls = nm->cls;
  f->remaining = (double) nm->size;
  f->since = sim->now;
  sim_conn_deliver_at(sim, f->conn, finished, sim->now + flow_tail(sim, f));
  sim_flow_schedule_done(sim, fi);
  return TRUE;
}

void sim_flow_dispatch(Sim *sim, SimEvent *ev)
{
  if (ev->type == SIM_EV_FLOW_TICK) {
    sim_group_tick(sim, ev->u32);
    return;
  }
  if (ev->type == SIM_EV_LOAD_TICK) {
    sim_load_tick(sim, ev->u32);
    return;
  }
  guint32 fi = ev->u32;
  SimFlow *f = sim_flow_rec(sim, fi);
  if (ev->type == SIM_EV_FLOW_RATE) {
    f->done = 0;
    flow_starting(sim, f, FALSE);
    if (!flow_path(sim, f)) {
      SimConn *cn = sim_conn_rec(sim, f->conn);
      cn->flow[f->dir] = 0;
      sim_msg_release(sim, f->msg);
      flow_free(sim, fi);
      return;
    }
    flow_activate(sim, fi);
    return;
  }
  /* FLOW_DONE (the kernel took the flow off the flow queue) */
  if (flow_hand_over(sim, fi))
    return;
  flow_deactivate(sim, fi);
  f = sim_flow_rec(sim, fi);
  SimMsg *m = sim_msg_rec(sim, f->msg);
  for (int h = 0; h < f->nhops; h++)
    sim_stats_link(sim, f->hops[h].dl, (SimClass) m->cls, 0, 1, sim->now, sim->now);
  SimTime tail = flow_tail(sim, f);
  guint32 c = f->conn, midx = f->msg;
  int d = f->dir;
  flow_free(sim, fi);
  sim_conn_flow_done(sim, c, d, midx, tail);
}

void sim_flow_kill(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  if (f->done)
    sim_timer_cancel(sim, f->done);
  f->done = 0;
  flow_starting(sim, f, FALSE);
  if (f->active)
    flow_deactivate(sim, fi);
  f = sim_flow_rec(sim, fi);
  if (f->msg)
    sim_msg_release(sim, f->msg);
  flow_free(sim, fi);
}

void sim_flow_reroute(Sim *sim, guint32 fi)
{
  SimFlow *f = sim_flow_rec(sim, fi);
  if (!f->active)
    return; /* in slow start: it picks the path up when it joins */
  flow_deactivate(sim, fi);
  f = sim_flow_rec(sim, fi);
  sim_iheap_remove(&sim->flowq, fi); /* activation schedules it anew */
  if (!flow_path(sim, f))
    return; /* the connection breaks in the same reroute pass */
  flow_activate(sim, fi);
}
