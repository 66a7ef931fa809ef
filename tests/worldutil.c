/* worldutil.c — see worldutil.h. */
#include "worldutil.h"
#include <string.h>

void tw_init(TestWorld *t, const CsWorldParams *params, guint64 seed) { tw_init_server(t, params, seed, NULL); }

void tw_init_server(TestWorld *t, const CsWorldParams *params, guint64 seed, const CsServerParams *server)
{
  CsWorldParams p;
  if (params)
    p = *params;
  else
    cs_world_params_default(&p);
  p.sim.seed = seed;
  t->w = cs_world_new(&p);
  t->sim = cs_world_sim(t->w);
  t->dc = sim_site_add(t->sim, "datacenter");
  guint32 infra = cs_world_infra_subnet(t->w, t->dc, NULL);
  t->server = cs_world_add_server(t->w, "ts1", infra, 0, server, NULL);
}

guint32 tw_branch(TestWorld *t, const char *name, const char *cidr, guint32 clients,
                  double wan_bps, SimTime wan_lat, guint32 *first_client)
{
  guint32 site = sim_site_add(t->sim, name);
  sim_wan_add(t->sim, site, t->dc, wan_bps, wan_lat, 0.0);
  guint32 base;
  guint8 prefix;
  g_assert(sim_cidr_parse(cidr, &base, &prefix));
  guint32 subnet = sim_subnet_add(t->sim, site, base, prefix, 1e9, 100 * SIM_US, NULL);
  g_assert(subnet != SIM_NONE);
  guint32 first = cs_world_add_clients(t->w, subnet, clients, NULL);
  if (first_client)
    *first_client = first;
  return subnet;
}

static void count_fetch(Sim *sim, gpointer data, SimNodeId from, SimNodeId to, guint8 cls, guint64 size,
                        guint32 type, SimTime sent_at)
{
  TwFetchCount *fc = data;
  if (to == fc->server && strcmp(cs_msg_type_name(type), "shard_fetch") == 0)
    fc->fetches++;
}

void tw_count_fetches(TestWorld *t, TwFetchCount *fc)
{
  fc->server = t->server;
  fc->fetches = 0;
  sim_set_trace(t->sim, count_fetch, fc);
}

void tw_free(TestWorld *t)
{
  cs_world_free(t->w);
}
