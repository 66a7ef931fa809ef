/* builder_nodes.c — servers, hosts, zone servers, module servers and
 * databases, and the roles of nodes (builder.h). */
#include "builder-private.h"

static const char *const ROLE_NAMES[] = {
  [CS_BUILD_ROLE_CLIENT] = "client", [CS_BUILD_ROLE_SERVER] = "server",
  [CS_BUILD_ROLE_ZONE_SERVER] = "zone_server", [CS_BUILD_ROLE_MODULE_SERVER] = "module_server",
  [CS_BUILD_ROLE_HOST] = "host",
};
static const char *const ROLE_TEXT[] = {
  [CS_BUILD_ROLE_CLIENT] = "client", [CS_BUILD_ROLE_SERVER] = "core server",
  [CS_BUILD_ROLE_ZONE_SERVER] = "zone server", [CS_BUILD_ROLE_MODULE_SERVER] = "module server",
  [CS_BUILD_ROLE_HOST] = "host",
};

const char *cs_build_role_name(CsBuildRole r) { return ROLE_NAMES[r]; }
const char *cs_build_role_text(CsBuildRole r) { return ROLE_TEXT[r]; }

CsBuildRole cs_builder_role(const CsBuilder *b, SimNodeId node)
{
  const CsWorld *w = b->world;
  if (cs_world_node_client(w, node) != G_MAXUINT32)
    return CS_BUILD_ROLE_CLIENT;
  if (cs_world_server_of_node(w, node) != G_MAXUINT32)
    return CS_BUILD_ROLE_SERVER;
  for (guint32 z = 0; z < cs_world_zone_count(w); z++)
    if (cs_world_zone_node(w, z) == node)
      return CS_BUILD_ROLE_ZONE_SERVER;
  for (guint32 m = 0; m < cs_world_module_count(w); m++)
    if (cs_world_module_node(w, m) == node)
      return CS_BUILD_ROLE_MODULE_SERVER;
  return CS_BUILD_ROLE_HOST;
}

const char *cs_builder_node_label(const CsBuilder *b, SimNodeId node, char *buf, gsize size)
{
  const char *name = cs_world_node_name(b->world, node);
  if (name) {
    g_strlcpy(buf, name, size);
  } else {
    char a[16];
    g_strlcpy(buf, sim_addr_format(sim_node_addr(b->sim, node), a), size);
  }
  return buf;
}

gboolean cs_build_node_check(const CsBuilder *b, const char *what, guint32 site, const CsBuildNode *n,
                             GError **error)
{
  if (site >= sim_site_count(b->sim)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s: no site %u", what, site);
    return FALSE;
  }
  if (!cs_build_name_check(b, what, FALSE, n->name, error))
    return FALSE;
  if (n->subnet != SIM_NONE) {
    if (n->subnet >= sim_subnet_count(b->sim)) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s 'subnet': no subnet %u", what, n->subnet);
      return FALSE;
    }
    guint32 own = sim_subnet_site(b->sim, n->subnet);
    if (own != site) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s 'subnet': the subnet belongs to site "
                  "'%s', not '%s'", what, sim_site_name(b->sim, own), sim_site_name(b->sim, site));
      return FALSE;
    }
  }
  return cs_build_access_check(what, n->access, error);
}

/* The subnet a node goes in: the one given, else the site's infrastructure
 * subnet (made on first use). */
static guint32 node_subnet(CsBuilder *b, const char *what, guint32 site, const CsBuildNode *n,
                           GError **error)
{
  if (n->subnet != SIM_NONE)
    return n->subnet;
  GError *e = NULL;
  guint32 subnet = cs_world_infra_subnet(b->world, site, &e);
  if (e) {
    cs_builder_take_error(error, e, what);
    return SIM_NONE;
  }
  CsBuildSubnetRec *rec = cs_builder_subnet_rec(b, subnet);
  if (!rec->known) {
    rec->info.infra = TRUE;
    cs_builder_note_subnet(b, site, subnet);
  }
  return subnet;
}

/* After the world made the node (or failed with e): claims its name and
 * sets its access link. */
static SimNodeId node_finish(CsBuilder *b, const char *what, const CsBuildNode *n, SimNodeId node,
                             GError *e, GError **error)
{
  if (node == SIM_NODE_NONE || e) {
    if (e == NULL)
      e = g_error_new(CS_BUILD_ERROR, CS_BUILD_ERROR_ADDRESS, "cannot add %s", n->name);
    cs_builder_take_error(error, e, what);
    return SIM_NODE_NONE;
  }
  cs_builder_claim_name(b, FALSE, n->name);
  if (n->access) {
    sim_node_set_access(b->sim, node, n->access->bps, n->access->latency);
    sim_link_set_buffer(b->sim, sim_node_access_link(b->sim, node),
                        n->access->buffer ? n->access->buffer : SIM_BUFFER_DEFAULT);
  }
  return node;
}

SimNodeId cs_build_server(CsBuilder *b, guint32 site, const CsBuildNode *n,
                          const CsServerParams *params, GError **error)
{
  CsServerParams def;
  if (params == NULL) {
    cs_server_params_default(&def);
    params = &def;
  }
  if (!cs_build_node_check(b, "server", site, n, error))
    return SIM_NODE_NONE;
  if (params->workers < 1 || params->workers > 4096) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "server 'workers': expected 1 to 4096");
    return SIM_NODE_NONE;
  }
  guint32 subnet = node_subnet(b, "server", site, n, error);
  if (subnet == SIM_NONE)
    return SIM_NODE_NONE;
  GError *e = NULL;
  SimNodeId node = cs_world_add_server(b->world, n->name, subnet, n->addr, params, &e);
  return node_finish(b, "server", n, node, e, error);
}

SimNodeId cs_build_host(CsBuilder *b, guint32 site, const CsBuildNode *n, GError **error)
{
  if (!cs_build_node_check(b, "host", site, n, error))
    return SIM_NODE_NONE;
  guint32 subnet = node_subnet(b, "host", site, n, error);
  if (subnet == SIM_NONE)
    return SIM_NODE_NONE;
  GError *e = NULL;
  SimNodeId node = cs_world_add_host(b->world, n->name, subnet, n->addr, &e);
  return node_finish(b, "host", n, node, e, error);
}

SimNodeId cs_build_zone_server(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId hub,
                               GError **error)
{
  if (!cs_build_node_check(b, "zone_server", site, n, error))
    return SIM_NODE_NONE;
  if (hub == SIM_NODE_NONE || cs_builder_role(b, hub) != CS_BUILD_ROLE_SERVER) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE,
                        "zone_server 'hub': expected a core server");
    return SIM_NODE_NONE;
  }
  guint32 subnet = node_subnet(b, "zone_server", site, n, error);
  if (subnet == SIM_NONE)
    return SIM_NODE_NONE;
  GError *e = NULL;
  SimNodeId node = cs_world_add_zone_server(b->world, n->name, subnet, n->addr, hub, &e);
  return node_finish(b, "zone_server", n, node, e, error);
}

SimNodeId cs_builder_default_core(const CsBuilder *b, guint32 site)
{
  guint32 n = cs_world_server_count(b->world);
  for (guint32 i = 0; i < n; i++)
    if (sim_node_site(b->sim, cs_world_server_node(b->world, i)) == site)
      return cs_world_server_node(b->world, i);
  return n > 0 ? cs_world_server_node(b->world, 0) : SIM_NODE_NONE;
}

SimNodeId cs_build_core_of(const CsBuilder *b, const char *what, const char *key, guint32 site,
                           SimNodeId core, const char *node, GError **error)
{
  if (core != SIM_NODE_NONE) {
    if (cs_builder_role(b, core) != CS_BUILD_ROLE_SERVER) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s '%s': expected a core server",
                  what, key);
      return SIM_NODE_NONE;
    }
    return core;
  }
  core = cs_builder_default_core(b, site);
  if (core == SIM_NODE_NONE)
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NO_CORE, "%s: there is no core server yet "
                "(make one before %s)", what, node);
  return core;
}

SimNodeId cs_build_module_server(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId core,
                                 gboolean server_cert, guint32 retries, GError **error)
{
  if (!cs_build_node_check(b, "module_server", site, n, error))
    return SIM_NODE_NONE;
  core = cs_build_core_of(b, "module_server", "core", site, core, "the module server", error);
  if (core == SIM_NODE_NONE)
    return SIM_NODE_NONE;
  if (retries > 100) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "module_server 'retries': expected 0 to 100");
    return SIM_NODE_NONE;
  }
  guint32 subnet = node_subnet(b, "module_server", site, n, error);
  if (subnet == SIM_NONE)
    return SIM_NODE_NONE;
  GError *e = NULL;
  SimNodeId node = cs_world_add_module_server(b->world, n->name, subnet, n->addr, core, server_cert, &e);
  if (node != SIM_NODE_NONE)
    cs_world_module_retries(b->world, node, retries);
  return node_finish(b, "module_server", n, node, e, error);
}

SimNodeId cs_build_database(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId server,
                            guint32 workers, SimTime write_time, GError **error)
{
  if (!cs_build_node_check(b, "database", site, n, error))
    return SIM_NODE_NONE;
  server = cs_build_core_of(b, "database", "server", site, server, "the database", error);
  if (server == SIM_NODE_NONE)
    return SIM_NODE_NONE;
  if (workers < 1 || workers > 4096) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "database 'workers': expected 1 to 4096");
    return SIM_NODE_NONE;
  }
  if (write_time <= 0) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "database 'write_ms': expected a duration > 0");
    return SIM_NODE_NONE;
  }
  guint32 subnet = node_subnet(b, "database", site, n, error);
  if (subnet == SIM_NONE)
    return SIM_NODE_NONE;
  GError *e = NULL;
  SimNodeId node = cs_world_add_database(b->world, n->name, subnet, n->addr, server, workers,
                                         write_time, &e);
  return node_finish(b, "database", n, node, e, error);
}
