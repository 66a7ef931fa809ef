/* net.c — addresses, sites, subnets, hosts, links and routing.  See net.h. */
#include "sim-private.h"
#include <stdio.h>
#include <string.h>

void sim_net_init(Sim *sim)
{
  sim->sites = g_array_new(FALSE, TRUE, sizeof(SimSite));
  sim->subnets = g_array_new(FALSE, TRUE, sizeof(SimSubnet));
  sim->subnet_index = g_array_new(FALSE, FALSE, sizeof(guint32));
  sim_vec_init(&sim->links, sizeof(SimLink));
  sim->wan_links = g_array_new(FALSE, FALSE, sizeof(guint32));
}

void sim_net_clear(Sim *sim)
{
  sim_route_invalidate(sim); /* reads sim->sites: before they are freed */
  for (guint i = 0; i < sim->sites->len; i++)
    g_free(g_array_index(sim->sites, SimSite, i).name);
  g_array_free(sim->sites, TRUE);
  g_array_free(sim->subnets, TRUE);
  g_array_free(sim->subnet_index, TRUE);
  sim_vec_clear(&sim->links);
  g_array_free(sim->wan_links, TRUE);
  g_free(sim->route_prev);
  g_free(sim->adj_start);
  g_free(sim->adj);
}

/* --- addresses ---------------------------------------------------------------- */

gboolean sim_addr_parse(const char *s, guint32 *addr)
{
  guint32 a = 0;
  for (int part = 0; part < 4; part++) {
    if (!g_ascii_isdigit(*s))
      return FALSE;
    guint v = 0;
    int digits = 0;
    while (g_ascii_isdigit(*s)) {
      v = v * 10 + (guint) (*s++ - '0');
      if (++digits > 3 || v > 255)
        return FALSE;
    }
    a = a << 8 | v;
    if (part < 3 && *s++ != '.')
      return FALSE;
  }
  if (*s)
    return FALSE;
  *addr = a;
  return TRUE;
}

gboolean sim_cidr_parse(const char *s, guint32 *base, guint8 *prefix)
{
  const char *slash = strchr(s, '/');
  if (!slash || slash - s > 15)
    return FALSE;
  char buf[16];
  memcpy(buf, s, (gsize) (slash - s));
  buf[slash - s] = 0;
  guint32 a;
  if (!sim_addr_parse(buf, &a))
    return FALSE;
  const char *p = slash + 1;
  if (!g_ascii_isdigit(*p))
    return FALSE;
  guint n = 0;
  int digits = 0;
  while (g_ascii_isdigit(*p)) {
    n = n * 10 + (guint) (*p++ - '0');
    if (++digits > 2)
      return FALSE;
  }
  if (*p || n > 32)
    return FALSE;
  if (a & ~sim_prefix_mask((guint8) n))
    return FALSE;
  *base = a;
  *prefix = (guint8) n;
  return TRUE;
}

char *sim_addr_format(guint32 a, char *buf)
{
  snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

/* --- sites and subnets -------------------------------------------------------- */

guint32 sim_site_add(Sim *sim, const char *name)
{
  SimSite s = { g_strdup(name) };
  g_array_append_val(sim->sites, s);
  sim_route_invalidate(sim);
  return sim->sites->len - 1;
}

guint32 sim_site_count(const Sim *sim) { return sim->sites->len; }
const char *sim_site_name(const Sim *sim, guint32 site) { return g_array_index(sim->sites, SimSite, site).name; }

static SimSubnet *subnet_rec(const Sim *sim, guint32 s) { return &g_array_index(sim->subnets, SimSubnet, s); }

G_DEFINE_QUARK(sim-net-error-quark, sim_net_error)

guint32 sim_subnet_add(Sim *sim, guint32 site, guint32 base, guint8 prefix,
                       double access_bps, SimTime access_latency, GError **error)
{
  g_return_val_if_fail(site < sim->sites->len, SIM_NONE);
  guint32 last = base | ~sim_prefix_mask(prefix);
  for (guint i = 0; i < sim->subnets->len; i++) {
    SimSubnet *o = subnet_rec(sim, i);
    guint32 olast = o->base | ~sim_prefix_mask(o->prefix);
    if (base <= olast && o->base <= last) {
      char a[16], b[16];
      g_set_error(error, SIM_NET_ERROR, SIM_NET_ERROR_OVERLAP,
                  "subnet %s/%u overlaps subnet %s/%u", sim_addr_format(base, a), prefix,
                  sim_addr_format(o->base, b), o->prefix);
      return SIM_NONE;
    }
  }
  SimSubnet s = { .base = base, .prefix = prefix, .site = site, .access_bps = access_bps,
                  .access_lat = access_latency, .access_buffer = SIM_BUFFER_DEFAULT,
                  .next_host = 1 };
  g_array_append_val(sim->subnets, s);
  guint32 id = sim->subnets->len - 1;
  /* Keep the index sorted by base address (insertion; subnets are few). */
  guint pos = sim->subnet_index->len;
  while (pos > 0 && subnet_rec(sim, g_array_index(sim->subnet_index, guint32, pos - 1))->base > base)
    pos--;
  g_array_insert_val(sim->subnet_index, pos, id);
  return id;
}

guint32 sim_subnet_count(const Sim *sim) { return sim->subnets->len; }
guint32 sim_subnet_site(const Sim *sim, guint32 s) { return subnet_rec(sim, s)->site; }
guint32 sim_subnet_base(const Sim *sim, guint32 s) { return subnet_rec(sim, s)->base; }
guint8 sim_subnet_prefix(const Sim *sim, guint32 s) { return subnet_rec(sim, s)->prefix; }
guint32 sim_subnet_host_count(const Sim *sim, guint32 s) { return subnet_rec(sim, s)->hosts; }

guint32 sim_subnet_of_addr(Sim *sim, guint32 addr)
{
  /* Binary search for the last subnet whose base <= addr. */
  guint lo = 0, hi = sim->subnet_index->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (subnet_rec(sim, g_array_index(sim->subnet_index, guint32, mid))->base <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0)
    return SIM_NONE;
  guint32 id = g_array_index(sim->subnet_index, guint32, lo - 1);
  SimSubnet *s = subnet_rec(sim, id);
  return (addr & sim_prefix_mask(s->prefix)) == s->base ? id : SIM_NONE;
}

guint32 sim_node_site(const Sim *sim, SimNodeId n)
{
  return subnet_rec(sim, sim_node_rec(sim, n)->subnet)->site;
}

static guint32 link_add(Sim *sim, SimLinkKind kind, double bps, SimTime lat, double loss,
                        guint32 a, guint32 b, guint32 framing)
{
  SimLink l;
  memset(&l, 0, sizeof l);
  l.kind = (guint8) kind;
  l.bps = bps;
  l.lat = lat;
  l.loss = loss;
  l.a = a;
  l.b = b;
  l.up = 1;
  l.framing = framing;
  l.buffer = SIM_BUFFER_DEFAULT;
  l.payload_rate = bps / 8e9 * (double) sim->p.mss / (double) (sim->p.mss + framing);
  return sim_vec_push(&sim->links, &l);
}

SimNodeId sim_node_add(Sim *sim, guint16 kind, guint32 subnet, guint32 addr,
                       guint32 local, GError **error)
{
  g_return_val_if_fail(subnet < sim->subnets->len && kind < sim->nkinds, SIM_NODE_NONE);
  SimSubnet *s = subnet_rec(sim, subnet);
  guint32 size = s->prefix >= 31 ? 0 : (guint32) ((1ull << (32 - s->prefix)) - 2);
  char a[16];
  if (addr == 0) {
    /* Next free address, skipping any taken explicitly.  Automatic addresses
     * never collide with each other, so the (sorting) lookup is only needed
     * in a subnet that has explicitly placed hosts. */
    for (;;) {
      if (s->next_host > size) {
        g_set_error(error, SIM_NET_ERROR, SIM_NET_ERROR_FULL,
                    "subnet %s/%u is full (%u hosts)", sim_addr_format(s->base, a), s->prefix, size);
        return SIM_NODE_NONE;
      }
      addr = s->base + s->next_host++;
      if (s->placed == 0 || sim_node_by_addr(sim, addr) == SIM_NODE_NONE)
        break;
    }
  } else {
    s->placed++;
    guint32 off = addr - s->base;
    if ((addr & sim_prefix_mask(s->prefix)) != s->base || off == 0 || off > size) {
      g_set_error(error, SIM_NET_ERROR, SIM_NET_ERROR_NOT_IN_SUBNET,
                  "address %s is not a host address of subnet %s/%u", sim_addr_format(addr, a),
                  sim_addr_format(s->base, (char[16]){ 0 }), s->prefix);
      return SIM_NODE_NONE;
    }
    if (sim_node_by_addr(sim, addr) != SIM_NODE_NONE) {
      g_set_error(error, SIM_NET_ERROR, SIM_NET_ERROR_TAKEN, "address %s is already taken",
                  sim_addr_format(addr, a));
      return SIM_NODE_NONE;
    }
  }
  SimNodeId id = sim->nodes.len;
  SimNode n;
  memset(&n, 0, sizeof n);
  n.addr = addr;
  n.subnet = subnet;
  n.local = local;
  n.kind = kind;
  n.link = link_add(sim, SIM_LINK_ACCESS, s->access_bps, s->access_lat, 0.0, id, subnet,
                    SIM_FRAMING_ETHERNET);
  sim_link_rec(sim, n.link)->buffer = s->access_buffer;
  sim_rng_init(&n.rng, sim->p.seed, id, 0);
  sim_rng_init(&n.netrng, sim->p.seed, id, 1);
  sim_vec_push(&sim->nodes, &n);
  if (id == sim->run_cap) {
    sim->run_cap = sim->run_cap ? sim->run_cap * 2 : 1024;
    sim->run = g_renew(SimNodeRun, sim->run, sim->run_cap);
  }
  sim->run[id] = (SimNodeRun) { 0 };
  s->hosts++;
  guint64 key = (guint64) addr << 32 | id;
  if (sim->addr_index->len > 0 && g_array_index(sim->addr_index, guint64, sim->addr_index->len - 1) > key)
    sim->addr_sorted = FALSE;
  g_array_append_val(sim->addr_index, key);
  return id;
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

SimNodeId sim_node_by_addr(Sim *sim, guint32 addr)
{
  if (!sim->addr_sorted) {
    g_array_sort(sim->addr_index, cmp_u64);
    sim->addr_sorted = TRUE;
  }
  guint lo = 0, hi = sim->addr_index->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    guint32 a = (guint32) (g_array_index(sim->addr_index, guint64, mid) >> 32);
    if (a < addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < sim->addr_index->len) {
    guint64 k = g_array_index(sim->addr_index, guint64, lo);
    if ((guint32) (k >> 32) == addr)
      return (SimNodeId) (k & 0xffffffffu);
  }
  return SIM_NODE_NONE;
}

void sim_node_set_access(Sim *sim, SimNodeId node, double bps, SimTime latency)
{
  SimLink *l = sim_link_rec(sim, sim_node_rec(sim, node)->link);
  l->bps = bps;
  l->lat = latency;
  l->payload_rate = bps / 8e9 * (double) sim->p.mss / (double) (sim->p.mss + l->framing);
}

/* --- links ---------------------------------------------------------------------- */

guint32 sim_wan_add(Sim *sim, guint32 site_a, guint32 site_b, double bps, SimTime latency, double loss)
{
  g_return_val_if_fail(site_a < sim->sites->len && site_b < sim->sites->len && site_a != site_b, SIM_NONE);
  guint32 id = link_add(sim, SIM_LINK_WAN, bps, latency, loss, site_a, site_b, SIM_FRAMING_PPP);
  g_array_append_val(sim->wan_links, id);
  sim->adj_sites = 0; /* the graph changed: rebuild the adjacency */
  sim_route_invalidate(sim);
  return id;
}

guint32 sim_link_count(const Sim *sim) { return sim->links.len; }
SimLinkKind sim_link_kind(const Sim *sim, guint32 l) { return (SimLinkKind) sim_link_rec(sim, l)->kind; }
guint32 sim_link_site_a(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->a; }
guint32 sim_link_site_b(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->b; }
double sim_link_bps(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->bps; }
SimTime sim_link_latency(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->lat; }
double sim_link_loss(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->loss; }
gboolean sim_link_is_up(const Sim *sim, guint32 l) { return sim_link_rec(sim, l)->up; }
guint32 sim_node_access_link(const Sim *sim, SimNodeId n) { return sim_node_rec(sim, n)->link; }
guint32 sim_dlink_flows(const Sim *sim, guint32 dl) { return sim_link_rec(sim, dl >> 1)->nflows[dl & 1]; }

void sim_link_set_buffer(Sim *sim, guint32 link, guint32 packets)
{
  g_return_if_fail(packets > 0);
  sim_link_rec(sim, link)->buffer = packets;
}

guint32 sim_link_buffer(const Sim *sim, guint32 link) { return sim_link_rec(sim, link)->buffer; }

void sim_subnet_set_access_buffer(Sim *sim, guint32 subnet, guint32 packets)
{
  g_return_if_fail(packets > 0);
  subnet_rec(sim, subnet)->access_buffer = packets;
}

void sim_link_set_framing(Sim *sim, guint32 link, guint32 bytes)
{
  SimLink *l = sim_link_rec(sim, link);
  l->framing = bytes;
  l->payload_rate = l->bps / 8e9 * (double) sim->p.mss / (double) (sim->p.mss + bytes);
}

void sim_wan_set_up(Sim *sim, guint32 link, gboolean up)
{
  SimLink *l = sim_link_rec(sim, link);
  g_return_if_fail(l->kind == SIM_LINK_WAN);
  if (l->up == (up ? 1 : 0))
    return;
  l->up = up ? 1 : 0;
  sim_route_invalidate(sim);
  sim_conn_reroute(sim);
}

/* --- routing ------------------------------------------------------------------- */

void sim_route_invalidate(Sim *sim)
{
  if (sim->route_prev) {
    for (guint32 i = 0; i < sim->route_sites; i++) {
      g_free(sim->route_prev[i]);
      sim->route_prev[i] = NULL;
    }
  }
  if (sim->route_sites != sim->sites->len) {
    g_free(sim->route_prev);
    sim->route_sites = sim->sites->len;
    sim->route_prev = g_new0(guint32 *, MAX(sim->route_sites, 1));
  }
}

typedef struct {
  SimTime dist;
  guint32 site;
} HeapItem;

static gboolean heap_less(const HeapItem *a, const HeapItem *b)
{
  return a->dist < b->dist || (a->dist == b->dist && a->site < b->site);
}

static void heap_push(GArray *h, HeapItem it)
{
  g_array_append_val(h, it);
  HeapItem *d = (HeapItem *) h->data;
  for (guint i = h->len - 1; i > 0;) {
    guint p = (i - 1) / 2;
    if (!heap_less(&d[i], &d[p]))
      break;
    HeapItem t = d[i];
    d[i] = d[p];
    d[p] = t;
    i = p;
  }
}

static HeapItem heap_pop(GArray *h)
{
  HeapItem *d = (HeapItem *) h->data;
  HeapItem top = d[0];
  d[0] = d[h->len - 1];
  g_array_set_size(h, h->len - 1);
  for (guint i = 0;;) {
    guint l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->len && heap_less(&d[l], &d[m]))
      m = l;
    if (r < h->len && heap_less(&d[r], &d[m]))
      m = r;
    if (m == i)
      break;
    HeapItem t = d[i];
    d[i] = d[m];
    d[m] = t;
    i = m;
  }
  return top;
}

/* Adjacency of the WAN graph, built once per topology change: for each site,
 * the directed links leaving it (in link order, so ties break the same way
 * every run). */
static void adjacency_build(Sim *sim)
{
  guint32 n = sim->sites->len;
  g_free(sim->adj_start);
  g_free(sim->adj);
  sim->adj_start = g_new0(guint32, n + 1);
  sim->adj = g_new(guint32, MAX(2 * sim->wan_links->len, 1));
  for (guint i = 0; i < sim->wan_links->len; i++) {
    SimLink *l = sim_link_rec(sim, g_array_index(sim->wan_links, guint32, i));
    sim->adj_start[l->a + 1]++;
    sim->adj_start[l->b + 1]++;
  }
  for (guint32 v = 0; v < n; v++)
    sim->adj_start[v + 1] += sim->adj_start[v];
  guint32 *fill = g_memdup2(sim->adj_start, sizeof(guint32) * (n + 1));
  for (guint i = 0; i < sim->wan_links->len; i++) {
    guint32 lid = g_array_index(sim->wan_links, guint32, i);
    SimLink *l = sim_link_rec(sim, lid);
    sim->adj[fill[l->a]++] = lid * 2;     /* a → b */
    sim->adj[fill[l->b]++] = lid * 2 + 1; /* b → a */
  }
  g_free(fill);
  sim->adj_sites = n;
}

/* Dijkstra from `src` over the WAN links that are up, by latency (plus one
 * nanosecond per hop, so fewer hops win ties).  O(E log V) per source site;
 * computed on demand and kept until the topology changes. */
static guint32 *routes_from(Sim *sim, guint32 src)
{
  if (sim->route_sites != sim->sites->len)
    sim_route_invalidate(sim);
  if (sim->route_prev[src])
    return sim->route_prev[src];
  if (!sim->adj || sim->adj_sites != sim->sites->len)
    adjacency_build(sim);
  guint32 n = sim->sites->len;
  guint32 *prev = g_new(guint32, n);
  SimTime *dist = g_new(SimTime, n);
  for (guint32 i = 0; i < n; i++) {
    prev[i] = SIM_NONE;
    dist[i] = SIM_TIME_NEVER;
  }
  GArray *heap = g_array_new(FALSE, FALSE, sizeof(HeapItem));
  dist[src] = 0;
  heap_push(heap, (HeapItem){ 0, src });
  while (heap->len) {
    HeapItem it = heap_pop(heap);
    if (it.dist != dist[it.site])
      continue; /* stale entry */
    for (guint32 k = sim->adj_start[it.site]; k < sim->adj_start[it.site + 1]; k++) {
      guint32 dl = sim->adj[k];
      SimLink *l = sim_link_rec(sim, dl >> 1);
      if (!l->up)
        continue;
      guint32 v = (dl & 1) ? l->a : l->b;
      SimTime d = sim_time_add(sim_time_add(it.dist, l->lat), 1);
      if (d < dist[v]) {
        dist[v] = d;
        prev[v] = dl;
        heap_push(heap, (HeapItem){ d, v });
      }
    }
  }
  g_array_free(heap, TRUE);
  g_free(dist);
  sim->route_prev[src] = prev;
  return prev;
}

int sim_route(Sim *sim, guint32 a, guint32 b, guint32 *links, int max)
{
  if (a == b)
    return 0;
  guint32 *prev = routes_from(sim, a);
  if (prev[b] == SIM_NONE)
    return -1;
  /* Walk back from b, then reverse. */
  int n = 0;
  guint32 at = b;
  while (at != a) {
    guint32 dl = prev[at];
    if (n >= max)
      return -1;
    links[n++] = dl;
    SimLink *l = sim_link_rec(sim, dl >> 1);
    at = (dl & 1) ? l->b : l->a;
  }
  for (int i = 0; i < n / 2; i++) {
    guint32 t = links[i];
    links[i] = links[n - 1 - i];
    links[n - 1 - i] = t;
  }
  return n;
}

int sim_path(Sim *sim, SimNodeId a, SimNodeId b, guint32 *dl, int max)
{
  if (max < 2)
    return -1;
  SimNode *na = sim_node_rec(sim, a), *nb = sim_node_rec(sim, b);
  int n = 0;
  dl[n++] = na->link * 2; /* up: host → switch */
  int w = sim_route(sim, subnet_rec(sim, na->subnet)->site, subnet_rec(sim, nb->subnet)->site,
                    dl + n, max - 2);
  if (w < 0)
    return -1;
  n += w;
  dl[n++] = nb->link * 2 + 1; /* down: switch → host */
  return n;
}

SimTime sim_path_delay(Sim *sim, SimNodeId a, SimNodeId b, guint32 payload)
{
  guint32 dl[SIM_MAX_HOPS];
  int n = sim_path(sim, a, b, dl, SIM_MAX_HOPS);
  if (n < 0)
    return -1;
  double t = 0;
  for (int i = 0; i < n; i++) {
    SimLink *l = sim_link_rec(sim, dl[i] >> 1);
    t += (double) l->lat + (double) (payload + l->framing) * 8e9 / l->bps;
  }
  return (SimTime) (t + 0.5);
}
