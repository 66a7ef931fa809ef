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

#define U32(a) g_array_new(FALSE, FALSE, sizeof(guint32))

void sim_comp_init(SimComponent *c)
{
  c->links = U32();
  c->flows = U32();
  c->groups = U32();
  c->hop_off = U32();
  c->hops = U32();
  c->link_off = U32();
  c->link_flows = U32();
  c->link_group = U32();
  c->info = g_array_new(FALSE, FALSE, sizeof(SimLinkInfo));
  c->res = g_array_new(FALSE, FALSE, sizeof(double));
  c->cnt = U32();
  c->cap = g_array_new(FALSE, FALSE, sizeof(double));
  c->rate = g_array_new(FALSE, FALSE, sizeof(double));
  c->lvl = U32();
  c->group_n = U32();
  c->group_rate = g_array_new(FALSE, FALSE, sizeof(double));
  c->bottleneck = g_array_new(FALSE, FALSE, sizeof(guint8));
}

void sim_comp_clear(SimComponent *c)
{
  GArray **all[] = { &c->links, &c->flows, &c->groups, &c->hop_off, &c->hops, &c->link_off,
                     &c->link_flows, &c->link_group, &c->info, &c->res, &c->cnt, &c->cap,
                     &c->rate, &c->lvl, &c->group_n, &c->group_rate, &c->bottleneck };
  for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
    g_array_free(*all[i], TRUE);
    *all[i] = NULL;
  }
}

/* Takes directed link dl into the component (once); its component index. */
static inline guint32 take_link(Sim *sim, SimComponent *c, guint32 dl, guint32 mark)
{
  SimLink *l = sim_link_rec(sim, dl >> 1);
  int d = dl & 1;
  if (l->mark[d] != mark) {
    l->mark[d] = mark;
    l->slot[d] = c->links->len;
    g_array_append_val(c->links, dl);
  }
  return l->slot[d];
}

gboolean sim_comp_find(Sim *sim, const guint32 *seed, int nseed)
{
  SimComponent *c = &sim->comp;
  guint32 mark = ++sim->recompute_mark;
  g_array_set_size(c->links, 0);
  g_array_set_size(c->flows, 0);
  g_array_set_size(c->groups, 0);
  g_array_set_size(c->hop_off, 0);
  g_array_set_size(c->hops, 0);
  g_array_set_size(c->link_off, 0);
  g_array_set_size(c->link_flows, 0);
  g_array_set_size(c->link_group, 0);
  g_array_set_size(c->cap, 0);
  g_array_set_size(c->group_n, 0);
  for (int i = 0; i < nseed; i++)
    take_link(sim, c, seed[i], mark);
  for (guint i = 0; i < c->links->len; i++) {
    guint32 dl = g_array_index(c->links, guint32, i);
    SimLink *l = sim_link_rec(sim, dl >> 1);
    guint32 gi = l->group[dl & 1], gslot = 0;
    if (gi && sim_group_rec(sim, gi)->mark != mark) {
      SimFlowGroup *g = sim_group_rec(sim, gi);
      g->mark = mark;
      g_array_append_val(c->groups, gi);
      g_array_append_val(c->group_n, g->n);
      gslot = c->groups->len;
    }
    g_array_append_val(c->link_group, gslot);
    g_array_append_val(c->link_off, c->link_flows->len);
    for (guint32 ref = l->flows[dl & 1]; ref; ref = sim_hop_of(sim, ref)->next) {
      guint32 fi = ref >> 4;
      SimFlow *f = sim_flow_rec(sim, fi);
      if (f->group)
        continue; /* a member is on its own links' lists: its group counts it */
      if (f->mark != mark) {
        f->mark = mark;
        f->cidx = c->flows->len;
        f->lvl = G_MAXUINT32;
        g_array_append_val(c->flows, fi);
        g_array_append_val(c->hop_off, c->hops->len);
        g_array_append_val(c->cap, f->cap);
        for (int h = 0; h < f->nhops; h++) {
          guint32 s = take_link(sim, c, f->hops[h].dl, mark);
          g_array_append_val(c->hops, s);
        }
      }
      g_array_append_val(c->link_flows, f->cidx);
    }
  }
  g_array_append_val(c->hop_off, c->hops->len);
  g_array_append_val(c->link_off, c->link_flows->len);
  if (c->flows->len == 0 && c->groups->len == 0)
    return FALSE;
  g_array_set_size(c->info, c->links->len);
  g_array_set_size(c->res, c->links->len);
  g_array_set_size(c->cnt, c->links->len);
  g_array_set_size(c->bottleneck, c->links->len);
  g_array_set_size(c->rate, c->flows->len);
  g_array_set_size(c->lvl, c->flows->len);
  g_array_set_size(c->group_rate, c->groups->len);
  return TRUE;
}
