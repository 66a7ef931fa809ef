/* flowcomp.c — the component a flow change touches.
 *
 * When a flow starts or ends, or a link's capacity for flows moves, the
 * max-min rates can change for every flow connected to the changed links
 * through shared links, and for no other.  This finds that component —
 * breadth first over links → flows listed on them → their other links — and
 * lays it out as plain arrays for the solver (maxmin.h): each flow's links,
 * each link's flows, each link's flow group.  A group's members are counted
 * on their links (SimLink.nflows) but stand for themselves only through the
 * group, so they are not taken in as flows. */
#include "sim-private.h"
#include <string.h>

void sim_comp_init(SimComponent *c) { memset(c, 0, sizeof *c); }

void sim_comp_clear(SimComponent *c)
{
  SimBuf *all[] = { &c->links, &c->flows, &c->groups, &c->hop_off, &c->hops, &c->link_off,
                    &c->link_flows, &c->link_group, &c->info, &c->res, &c->cnt, &c->cap,
                    &c->rate, &c->lvl, &c->group_n, &c->group_rate, &c->bottleneck };
  for (guint i = 0; i < G_N_ELEMENTS(all); i++)
    g_free(all[i]->data);
  memset(c, 0, sizeof *c);
}

/* Takes directed link dl into the component (once); its component index. */
static inline guint32 take_link(Sim *sim, SimComponent *c, guint32 dl, guint32 mark)
{
  SimLink *l = sim_link_rec(sim, dl >> 1);
  int d = dl & 1;
  if (l->mark[d] != mark) {
    l->mark[d] = mark;
    l->slot[d] = c->links.len;
    SIM_BUF_PUSH(&c->links, guint32, dl);
  }
  return l->slot[d];
}

gboolean sim_comp_find(Sim *sim, const guint32 *seed, int nseed)
{
  SimComponent *c = &sim->comp;
  guint32 mark = ++sim->recompute_mark;
  c->links.len = 0;
  c->flows.len = 0;
  c->groups.len = 0;
  c->hop_off.len = 0;
  c->hops.len = 0;
  c->link_off.len = 0;
  c->link_flows.len = 0;
  c->link_group.len = 0;
  c->cap.len = 0;
  c->group_n.len = 0;
  for (int i = 0; i < nseed; i++)
    take_link(sim, c, seed[i], mark);
  for (guint i = 0; i < c->links.len; i++) {
    guint32 dl = SIM_BUF_AT(&c->links, guint32, i);
    SimLink *l = sim_link_rec(sim, dl >> 1);
    guint32 gi = l->group[dl & 1], gslot = 0;
    if (gi && sim_group_rec(sim, gi)->mark != mark) {
      SimFlowGroup *g = sim_group_rec(sim, gi);
      g->mark = mark;
      SIM_BUF_PUSH(&c->groups, guint32, gi);
      SIM_BUF_PUSH(&c->group_n, guint32, g->n);
      gslot = c->groups.len;
    }
    SIM_BUF_PUSH(&c->link_group, guint32, gslot);
    SIM_BUF_PUSH(&c->link_off, guint32, c->link_flows.len);
    for (guint32 ref = l->flows[dl & 1]; ref; ref = sim_hop_of(sim, ref)->next) {
      guint32 fi = ref >> 4;
      SimFlow *f = sim_flow_rec(sim, fi);
      if (f->group)
        continue; /* a member is on its own links' lists: its group counts it */
      if (f->mark != mark) {
        f->mark = mark;
        f->cidx = c->flows.len;
        f->lvl = G_MAXUINT32;
        SIM_BUF_PUSH(&c->flows, guint32, fi);
        SIM_BUF_PUSH(&c->hop_off, guint32, c->hops.len);
        SIM_BUF_PUSH(&c->cap, double, f->cap);
        for (int h = 0; h < f->nhops; h++) {
          guint32 s = take_link(sim, c, f->hops[h].dl, mark);
          SIM_BUF_PUSH(&c->hops, guint32, s);
        }
      }
      SIM_BUF_PUSH(&c->link_flows, guint32, f->cidx);
    }
  }
  SIM_BUF_PUSH(&c->hop_off, guint32, c->hops.len);
  SIM_BUF_PUSH(&c->link_off, guint32, c->link_flows.len);
  if (c->flows.len == 0 && c->groups.len == 0)
    return FALSE;
  guint32 nl = c->links.len, nf = c->flows.len;
  SIM_BUF_SIZE(&c->info, SimLinkInfo, nl);
  SIM_BUF_SIZE(&c->res, double, nl);
  SIM_BUF_SIZE(&c->cnt, guint32, nl);
  SIM_BUF_SIZE(&c->bottleneck, guint8, nl);
  SIM_BUF_SIZE(&c->rate, double, nf);
  SIM_BUF_SIZE(&c->lvl, guint32, nf);
  SIM_BUF_SIZE(&c->group_rate, double, c->groups.len);
  return TRUE;
}
