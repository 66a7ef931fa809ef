/* builder.c — sites, links, subnets, clients and the names and pools they
 * use (builder.h).  Servers and hosts are in builder_nodes.c, sensors and
 * events in builder_events.c. */
#include "builder-private.h"
#include <string.h>

G_DEFINE_QUARK(cs-build-error-quark, cs_build_error)

/* The site cs_build_internet makes, and the pool external-client subnets
 * come from when none is given: 198.18.0.0/15, the benchmarking range
 * (RFC 2544), which no enterprise numbers its own hosts from. */
#define INTERNET_SITE "internet"
#define EXTERNAL_POOL_BASE 0xC6120000u /* 198.18.0.0 */
#define EXTERNAL_POOL_END 0xC6140000u  /* 198.20.0.0, the first address past the /15 */

CsBuilder *cs_builder_new(const CsWorldParams *params)
{
  CsWorldParams def;
  if (params == NULL) {
    cs_world_params_default(&def);
    params = &def;
  }
  CsBuilder *b = g_new0(CsBuilder, 1);
  b->world = cs_world_new(params);
  b->sim = cs_world_sim(b->world);
  b->sites = g_array_new(FALSE, FALSE, sizeof(CsBuildSite));
  b->subnets = g_array_new(FALSE, TRUE, sizeof(CsBuildSubnetRec));
  b->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->sensor_names = g_ptr_array_new_with_free_func(g_free);
  b->no_cert = g_array_new(FALSE, FALSE, sizeof(guint32));
  b->faults = g_ptr_array_new_with_free_func(g_free);
  b->rules = g_ptr_array_new();
  b->start_rules = g_ptr_array_new();
  b->scheduled = g_ptr_array_new_with_free_func(g_free);
  b->internet = SIM_NONE;
  return b;
}

void cs_builder_free(CsBuilder *b)
{
  if (b == NULL)
    return;
  for (guint i = 0; i < b->sites->len; i++)
    g_array_free(g_array_index(b->sites, CsBuildSite, i).subnets, TRUE);
  g_array_free(b->sites, TRUE);
  g_array_free(b->subnets, TRUE);
  g_hash_table_destroy(b->names);
  g_ptr_array_free(b->sensor_names, TRUE);
  g_array_free(b->no_cert, TRUE);
  g_ptr_array_free(b->faults, TRUE);
  cs_builder_rules_free(b);
  cs_world_free(b->world);
  g_free(b);
}

CsWorld *cs_builder_world(CsBuilder *b) { return b->world; }
Sim *cs_builder_sim(CsBuilder *b) { return b->sim; }

/* ---- records -------------------------------------------------------------------- */

CsBuildSite *cs_builder_site_rec(CsBuilder *b, guint32 site)
{
  while (b->sites->len <= site) {
    CsBuildSite s = { .uplink = SIM_NONE, .subnets = g_array_new(FALSE, FALSE, sizeof(guint32)) };
    g_array_append_val(b->sites, s);
  }
  return &g_array_index(b->sites, CsBuildSite, site);
}

CsBuildSubnetRec *cs_builder_subnet_rec(CsBuilder *b, guint32 subnet)
{
  if (b->subnets->len <= subnet)
    g_array_set_size(b->subnets, subnet + 1);
  return &g_array_index(b->subnets, CsBuildSubnetRec, subnet);
}

const CsBuildSubnetInfo *cs_builder_subnet(const CsBuilder *b, guint32 subnet)
{
  if (subnet >= b->subnets->len || !g_array_index(b->subnets, CsBuildSubnetRec, subnet).known)
    return NULL;
  return &g_array_index(b->subnets, CsBuildSubnetRec, subnet).info;
}

const guint32 *cs_builder_site_subnets(const CsBuilder *b, guint32 site, guint *n)
{
  if (site >= b->sites->len) {
    *n = 0;
    return NULL;
  }
  const GArray *a = g_array_index(b->sites, CsBuildSite, site).subnets;
  *n = a->len;
  return (const guint32 *) (gconstpointer) a->data;
}

static int cmp_subnet_base(gconstpointer x, gconstpointer y, gpointer sim)
{
  guint32 a = sim_subnet_base(sim, *(const guint32 *) x);
  guint32 c = sim_subnet_base(sim, *(const guint32 *) y);
  return a < c ? -1 : a > c;
}

guint32 *cs_builder_site_client_subnets(const CsBuilder *b, guint32 site, guint *n)
{
  guint all;
  const guint32 *subs = cs_builder_site_subnets(b, site, &all);
  guint32 *v = g_new(guint32, MAX(all, 1));
  guint k = 0;
  for (guint i = 0; i < all; i++)
    if (!cs_builder_subnet(b, subs[i])->infra)
      v[k++] = subs[i];
  g_qsort_with_data(v, (gint) k, sizeof(guint32), cmp_subnet_base, b->sim);
  *n = k;
  return v;
}

guint32 *cs_builder_site_clients(const CsBuilder *b, guint32 site, guint *n)
{
  guint ns;
  guint32 *subs = cs_builder_site_client_subnets(b, site, &ns);
  guint total = 0;
  for (guint i = 0; i < ns; i++)
    total += cs_builder_subnet(b, subs[i])->nclients;
  guint32 *v = g_new(guint32, MAX(total, 1));
  guint k = 0;
  for (guint i = 0; i < ns; i++) {
    const CsBuildSubnetInfo *s = cs_builder_subnet(b, subs[i]);
    for (guint32 j = 0; j < s->nclients; j++)
      v[k++] = s->first_client + j;
  }
  g_free(subs);
  *n = total;
  return v;
}

guint32 cs_builder_site_uplink(const CsBuilder *b, guint32 site)
{
  return site < b->sites->len ? g_array_index(b->sites, CsBuildSite, site).uplink : SIM_NONE;
}

guint32 cs_builder_internet(const CsBuilder *b) { return b->internet; }

/* A subnet the builder made (or the world's infrastructure one) joins its site. */
void cs_builder_note_subnet(CsBuilder *b, guint32 site, guint32 subnet)
{
  cs_builder_subnet_rec(b, subnet)->known = TRUE;
  g_array_append_val(cs_builder_site_rec(b, site)->subnets, subnet);
}

/* ---- names ----------------------------------------------------------------------- */

gboolean cs_build_name_ok(const char *s)
{
  if (s == NULL)
    return FALSE;
  size_t len = strlen(s);
  if (len == 0 || len > CS_BUILD_NAME_MAX || !g_ascii_isalnum(s[0]))
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean named(const CsBuilder *b, const char *space, const char *name)
{
  char *key = g_strconcat(space, name, NULL);
  gboolean taken = g_hash_table_contains(b->names, key);
  g_free(key);
  return taken;
}

gboolean cs_builder_site_named(const CsBuilder *b, const char *name) { return named(b, "site:", name); }
gboolean cs_builder_node_named(const CsBuilder *b, const char *name) { return named(b, "node:", name); }

gboolean cs_build_name_check(const CsBuilder *b, const char *what, gboolean site, const char *name,
                             GError **error)
{
  if (!cs_build_name_ok(name)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NAME, "%s 'name': expected a name of letters, "
                "digits, '-', '_' and '.' (at most 64, starting with a letter or digit)", what);
    return FALSE;
  }
  if (named(b, site ? "site:" : "node:", name)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NAME, "%s 'name': %s \"%s\" already exists "
                "(names must be unique)", what, site ? "a site named" : "a node named", name);
    return FALSE;
  }
  return TRUE;
}

void cs_builder_claim_name(CsBuilder *b, gboolean site, const char *name)
{
  g_hash_table_add(b->names, g_strconcat(site ? "site:" : "node:", name, NULL));
}

/* The kernel's errors (overlapping subnets, taken addresses) as the builder's. */
void cs_builder_take_error(GError **error, GError *e, const char *what)
{
  if (e == NULL)
    return;
  int code = CS_BUILD_ERROR_ADDRESS; /* the kernel's: a taken address, an overlapping subnet */
  if (e->domain == CS_BUILD_ERROR)
    code = e->code;
  else if (e->domain == CS_WORLD_ERROR)
    code = e->code == CS_WORLD_ERROR_QUESTIONS || e->code == CS_WORLD_ERROR_ACTIONS ? CS_BUILD_ERROR_LIMIT
           : e->code == CS_WORLD_ERROR_NO_INFRA_SUBNET                               ? CS_BUILD_ERROR_ADDRESS
                                                                                     : CS_BUILD_ERROR_ROLE;
  g_set_error(error, CS_BUILD_ERROR, code, "%s: %s", what, e->message);
  g_error_free(e);
}

/* ---- links and sites ---------------------------------------------------------------- */

static gboolean check_link(const char *what, const CsBuildLink *l, GError **error)
{
  if (!(l->bps >= CS_BUILD_BPS_MIN && l->bps <= CS_BUILD_BPS_MAX) || l->latency < 0 ||
      l->latency > CS_BUILD_LATENCY_MAX || !(l->loss >= 0 && l->loss <= 0.5) || l->buffer > 1000000) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s: expected a bandwidth of 1kbps to "
                "1000Gbps, a latency of 0 to 1 min, a loss of 0 to 0.5 and a buffer of at most "
                "1000000 packets", what);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_site(const CsBuilder *b, const char *what, const char *key, guint32 site,
                           GError **error)
{
  if (site >= sim_site_count(b->sim)) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE, "%s '%s': no site %u", what, key, site);
    return FALSE;
  }
  return TRUE;
}

static guint32 add_wan(CsBuilder *b, guint32 a, guint32 c, const CsBuildLink *l)
{
  guint32 link = sim_wan_add(b->sim, a, c, l->bps, l->latency, l->loss);
  sim_link_set_buffer(b->sim, link, l->buffer ? l->buffer : SIM_BUFFER_DEFAULT);
  return link;
}

guint32 cs_build_site(CsBuilder *b, const char *name, guint32 wan_to, const CsBuildLink *wan,
                      GError **error)
{
  if (!cs_build_name_check(b, "site", TRUE, name, error))
    return SIM_NONE;
  if (wan_to != SIM_NONE && (!check_site(b, "wan", "to", wan_to, error) || !check_link("wan", wan, error)))
    return SIM_NONE;
  guint32 site = sim_site_add(b->sim, name);
  cs_builder_claim_name(b, TRUE, name);
  CsBuildSite *rec = cs_builder_site_rec(b, site);
  if (wan_to != SIM_NONE)
    rec->uplink = add_wan(b, site, wan_to, wan);
  return site;
}

guint32 cs_build_wan(CsBuilder *b, guint32 site_a, guint32 site_b, const CsBuildLink *link,
                     GError **error)
{
  if (!check_site(b, "wan", "a", site_a, error) || !check_site(b, "wan", "b", site_b, error))
    return SIM_NONE;
  if (site_a == site_b) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "wan: 'a' and 'b' are the same site");
    return SIM_NONE;
  }
  if (!check_link("wan", link, error))
    return SIM_NONE;
  return add_wan(b, site_a, site_b, link);
}

gboolean cs_build_internet_check(const CsBuilder *b, GError **error)
{
  if (b->internet != SIM_NONE) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_EXISTS,
                        "internet: the internet site already exists (one per world)");
    return FALSE;
  }
  if (named(b, "site:", INTERNET_SITE)) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NAME, "internet: a site named \""
                        INTERNET_SITE "\" already exists (the internet site takes that name)");
    return FALSE;
  }
  return TRUE;
}

guint32 cs_build_internet(CsBuilder *b, guint32 to, const CsBuildLink *link, GError **error)
{
  if (!cs_build_internet_check(b, error) || !check_site(b, "internet", "to", to, error) ||
      !check_link("internet", link, error))
    return SIM_NONE;
  guint32 site = sim_site_add(b->sim, INTERNET_SITE);
  cs_builder_claim_name(b, TRUE, INTERNET_SITE);
  cs_builder_site_rec(b, site)->uplink = add_wan(b, site, to, link);
  b->internet = site;
  return site;
}

/* ---- subnets and clients --------------------------------------------------------------- */

void cs_build_access_default(CsBuildAccess *a)
{
  *a = (CsBuildAccess) { .bps = 1e9, .latency = 100 * SIM_US, .buffer = SIM_BUFFER_DEFAULT };
}

void cs_build_access_external(CsBuildAccess *a)
{
  *a = (CsBuildAccess) { .bps = 50e6, .latency = 5 * SIM_MS, .buffer = SIM_BUFFER_DEFAULT };
}

gboolean cs_build_access_check(const char *what, const CsBuildAccess *a, GError **error)
{
  if (a == NULL)
    return TRUE;
  if (!(a->bps >= CS_BUILD_BPS_MIN && a->bps <= CS_BUILD_BPS_MAX) || a->latency < 0 ||
      a->latency > CS_BUILD_LATENCY_MAX || a->buffer > 1000000) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "%s 'access': expected a bandwidth of "
                "1kbps to 1000Gbps, a latency of 0 to 1 min and a buffer of at most 1000000 packets",
                what);
    return FALSE;
  }
  return TRUE;
}

gboolean cs_builder_can_add_clients(const CsBuilder *b) { return !b->sealed; }

gboolean cs_build_clients_check(const CsBuilder *b, const char *what, GError **error)
{
  if (b->sealed) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_LIMIT, "%s: clients cannot be added during the "
                "run of a scenario that uses sim:no_client_cert (the certificate marks are fixed when "
                "the run starts)", what);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_fit(const char *what, const char *key, guint32 count, guint32 base,
                          guint8 prefix, GError **error)
{
  guint32 room = prefix >= 31 ? 0 : (guint32) ((1ull << (32 - prefix)) - 2);
  if (count > room) {
    char a[16];
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ADDRESS, "%s '%s': %d clients do not fit in "
                "%s/%d (%d host addresses)", what, key, (int) count, sim_addr_format(base, a),
                (int) prefix, (int) room);
    return FALSE;
  }
  return TRUE;
}

static gboolean check_network(const char *what, guint32 base, guint8 prefix, GError **error)
{
  if (prefix > 32 || (base & ~sim_prefix_mask(prefix)) != 0) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ADDRESS,
                "%s 'cidr': expected a network address with the host bits zero", what);
    return FALSE;
  }
  return TRUE;
}

gboolean cs_build_subnet_check(const CsBuilder *b, guint32 site, const CsBuildSubnet *s, GError **error)
{
  if (!check_site(b, "subnet", "site", site, error) || !check_network("subnet", s->base, s->prefix, error))
    return FALSE;
  if (!check_fit("subnet", "clients", s->clients, s->base, s->prefix, error))
    return FALSE;
  if (s->isolated && s->separated) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE, "subnet: 'isolated' and "
                        "'separated' exclude each other (isolated clients do not peer at all; "
                        "separated ones peer within the subnet)");
    return FALSE;
  }
  return cs_build_access_check("subnet", s->access, error) &&
         (s->clients == 0 || cs_build_clients_check(b, "subnet", error));
}

guint32 cs_build_subnet(CsBuilder *b, guint32 site, const CsBuildSubnet *s, GError **error)
{
  if (!cs_build_subnet_check(b, site, s, error))
    return SIM_NONE;
  CsBuildAccess acc;
  cs_build_access_default(&acc);
  if (s->access)
    acc = *s->access;
  GError *e = NULL;
  guint32 subnet = sim_subnet_add(b->sim, site, s->base, s->prefix, acc.bps, acc.latency, &e);
  if (subnet == SIM_NONE) {
    cs_builder_take_error(error, e, "subnet");
    return SIM_NONE;
  }
  sim_subnet_set_access_buffer(b->sim, subnet, acc.buffer ? acc.buffer : SIM_BUFFER_DEFAULT);
  cs_builder_note_subnet(b, site, subnet);
  if (s->isolated || s->separated)
    cs_world_subnet_mode(b->world, subnet, s->isolated ? CS_SUBNET_ISOLATED : CS_SUBNET_SEPARATED);
  if (s->clients > 0) {
    guint32 first = cs_world_add_clients(b->world, subnet, s->clients, &e);
    if (e) {
      cs_builder_take_error(error, e, "subnet");
      return SIM_NONE;
    }
    CsBuildSubnetInfo *info = &cs_builder_subnet_rec(b, subnet)->info;
    info->first_client = first;
    info->nclients = s->clients;
  }
  return subnet;
}

/* The smallest prefix whose subnet holds n hosts (n >= 1); at most /30. */
static guint8 prefix_for(guint32 n)
{
  guint8 p = 30;
  while (p > 1 && ((1ull << (32 - p)) - 2) < n)
    p--;
  return p;
}

SimNodeId cs_build_external_zone(const CsBuilder *b, guint32 site, SimNodeId zone, GError **error)
{
  if (b->internet == SIM_NONE) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NO_INTERNET,
                        "external_clients: there is no internet site yet");
    return SIM_NODE_NONE;
  }
  if (site != b->internet) {
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NOT_INTERNET, "external_clients: external "
                "clients belong on the internet site, not on site '%s'", sim_site_name(b->sim, site));
    return SIM_NODE_NONE;
  }
  if (zone != SIM_NODE_NONE) {
    if (cs_builder_role(b, zone) != CS_BUILD_ROLE_ZONE_SERVER) {
      g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_ROLE,
                          "external_clients 'zone': expected a zone server");
      return SIM_NODE_NONE;
    }
    return zone;
  }
  guint32 nz = cs_world_zone_count(b->world);
  if (nz == 1)
    return cs_world_zone_node(b->world, 0);
  if (nz == 0)
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_NO_ZONE, "external_clients 'zone': "
                        "there is no zone server yet (external clients reach the core through one)");
  else
    g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_AMBIGUOUS, "external_clients 'zone': required "
                "when there are several zone servers (the scenario has %d)", (int) nz);
  return SIM_NODE_NONE;
}

gboolean cs_build_external_check(const CsBuilder *b, guint32 count, guint32 base, guint8 prefix,
                                 GError **error)
{
  if (count == 0) {
    g_set_error_literal(error, CS_BUILD_ERROR, CS_BUILD_ERROR_VALUE,
                        "external_clients 'count': expected at least 1");
    return FALSE;
  }
  if (prefix == 0)
    return TRUE;
  return check_network("external_clients", base, prefix, error) &&
         check_fit("external_clients", "count", count, base, prefix, error);
}

guint32 cs_build_external_clients(CsBuilder *b, guint32 site, guint32 count, SimNodeId zone,
                                  guint32 base, guint8 prefix, const CsBuildAccess *access,
                                  GError **error)
{
  zone = cs_build_external_zone(b, site, zone, error);
  if (zone == SIM_NODE_NONE || !cs_build_external_check(b, count, base, prefix, error) ||
      !cs_build_access_check("external_clients", access, error) ||
      !cs_build_clients_check(b, "external_clients", error))
    return SIM_NONE;
  CsBuildAccess acc;
  cs_build_access_external(&acc);
  if (access)
    acc = *access;
  GError *e = NULL;
  guint32 subnet = SIM_NONE;
  if (prefix > 0) {
    subnet = sim_subnet_add(b->sim, site, base, prefix, acc.bps, acc.latency, &e);
    if (subnet == SIM_NONE) {
      cs_builder_take_error(error, e, "external_clients");
      return SIM_NONE;
    }
  } else {
    /* The next aligned block of the pool that is free. */
    prefix = prefix_for(count);
    guint64 size = 1ull << (32 - prefix);
    guint64 at = MAX((guint64) b->ext_next, EXTERNAL_POOL_BASE);
    at = (at + size - 1) / size * size;
    for (; at + size <= EXTERNAL_POOL_END && subnet == SIM_NONE; at += size) {
      subnet = sim_subnet_add(b->sim, site, (guint32) at, prefix, acc.bps, acc.latency, &e);
      if (subnet == SIM_NONE && !g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_OVERLAP)) {
        cs_builder_take_error(error, e, "external_clients"); /* only an overlap moves on */
        return SIM_NONE;
      }
      g_clear_error(&e);
      if (subnet != SIM_NONE)
        b->ext_next = (guint32) (at + size);
    }
    if (subnet == SIM_NONE) {
      g_set_error(error, CS_BUILD_ERROR, CS_BUILD_ERROR_POOL, "external_clients: no room left in "
                  "198.18.0.0/15 for %d clients (give the group its own cidr = \"a.b.c.d/n\")",
                  (int) count);
      return SIM_NONE;
    }
  }
  sim_subnet_set_access_buffer(b->sim, subnet, acc.buffer ? acc.buffer : SIM_BUFFER_DEFAULT);
  cs_builder_note_subnet(b, site, subnet);
  CsBuildSubnetInfo *info = &cs_builder_subnet_rec(b, subnet)->info;
  info->external = TRUE;
  info->zone = zone;
  guint32 first = cs_world_add_external_clients(b->world, subnet, count, zone, &e);
  if (e) {
    cs_builder_take_error(error, e, "external_clients");
    return SIM_NONE;
  }
  info = &cs_builder_subnet_rec(b, subnet)->info;
  info->first_client = first;
  info->nclients = count;
  return subnet;
}
