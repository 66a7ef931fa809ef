/* builder.h — making a scenario's world from C: sites, links, subnets,
 * servers, clients, hosts, zone, module and database servers, sensors,
 * questions, deploys, faults, transfers, firewall rules, partitions and
 * throttles.
 *
 * The builder owns what a scenario's author names and what the world itself
 * does not keep: the names of sites and nodes (unique, file-name safe), the
 * subnets each site holds, the pool external clients are numbered from, the
 * role of every node, the defaults (access links, core server of a module
 * server or database) and the checks of every argument.  Every call either
 * makes what it was asked for or leaves the world as it was and sets a
 * GError in the CS_BUILD_ERROR domain whose message names the call and the
 * argument ("subnet 'clients': 300 clients do not fit in 10.1.0.0/24 ...").
 *
 * The Lua binding (app/lua_world.c, app/lua_events.c) maps its option
 * tables onto these calls; a program that embeds the simulator calls them
 * directly (examples/embed.c), then runs the world with sim_run_until and
 * reads it through world.h.  docs/builder.md describes every call. */
#pragma once
#include <glib.h>
#include "world.h"
#include "firewall.h"

#define CS_BUILD_ERROR (cs_build_error_quark())
GQuark cs_build_error_quark(void);
typedef enum {
  CS_BUILD_ERROR_NAME,        /* a malformed name, or one already in use */
  CS_BUILD_ERROR_ADDRESS,     /* an address or network that is taken, overlaps or does not fit */
  CS_BUILD_ERROR_VALUE,       /* a value out of range, or two that exclude each other */
  CS_BUILD_ERROR_ROLE,        /* a node, site or subnet that cannot play the part given */
  CS_BUILD_ERROR_NO_CORE,     /* no core server exists yet to attach the node to */
  CS_BUILD_ERROR_NO_ZONE,     /* external clients without a zone server */
  CS_BUILD_ERROR_AMBIGUOUS,   /* several zone servers and none named */
  CS_BUILD_ERROR_NO_INTERNET, /* external clients before the internet site exists */
  CS_BUILD_ERROR_NOT_INTERNET,/* external clients on another site than the internet */
  CS_BUILD_ERROR_EXISTS,      /* a second internet site */
  CS_BUILD_ERROR_POOL,        /* the external-client pool is full */
  CS_BUILD_ERROR_NO_SENSOR,   /* a question about a sensor nobody defined */
  CS_BUILD_ERROR_LIMIT,       /* a limit of the model (questions, actions, sensor values) */
  CS_BUILD_ERROR_NOT_FOUND,   /* no partition between the groups given (cs_build_heal) */
  CS_BUILD_ERROR_REMOVED,     /* a rule already removed, or its removal already scheduled */
  CS_BUILD_ERROR_EMPTY,       /* a group that covers no address when its rule takes effect */
} CsBuildError;

typedef struct CsBuilder CsBuilder;

/* A builder and the world it makes (with params, or the defaults when NULL).
 * cs_builder_free frees both. */
CsBuilder *cs_builder_new(const CsWorldParams *params);
void cs_builder_free(CsBuilder *b);
CsWorld *cs_builder_world(CsBuilder *b);
Sim *cs_builder_sim(CsBuilder *b);

/* --- links and sites ---------------------------------------------------------- */
/* Longest site or node name. */
#define CS_BUILD_NAME_MAX 64
/* Links carry from 1 kbps to 1000 Gbps with a one-way latency of at most a minute. */
#define CS_BUILD_BPS_MIN 1e3
#define CS_BUILD_BPS_MAX 1e12
#define CS_BUILD_LATENCY_MAX (60 * SIM_S)

typedef struct {
  double bps;       /* required: CS_BUILD_BPS_MIN .. CS_BUILD_BPS_MAX */
  SimTime latency;  /* one way, 0 .. CS_BUILD_LATENCY_MAX */
  double loss;      /* 0 .. 0.5 */
  guint32 buffer;   /* packets queued per direction; 0: SIM_BUFFER_DEFAULT */
} CsBuildLink;

/* TRUE when name is a site or node name: 1 .. 64 letters, digits, '-', '_'
 * and '.', starting with a letter or digit. */
gboolean cs_build_name_ok(const char *name);
/* A site.  wan_to != SIM_NONE: also a WAN link to that site (its uplink). */
guint32 cs_build_site(CsBuilder *b, const char *name, guint32 wan_to, const CsBuildLink *wan,
                      GError **error);
/* A further WAN link between two distinct sites; returns the link. */
guint32 cs_build_wan(CsBuilder *b, guint32 site_a, guint32 site_b, const CsBuildLink *link,
                     GError **error);
/* The site "internet", linked to site `to`; one per world. */
guint32 cs_build_internet(CsBuilder *b, guint32 to, const CsBuildLink *link, GError **error);
/* The link a site's wan option made (cs_build_site, cs_build_internet), or SIM_NONE. */
guint32 cs_builder_site_uplink(const CsBuilder *b, guint32 site);
/* The internet site, or SIM_NONE. */
guint32 cs_builder_internet(const CsBuilder *b);
/* TRUE when a site or node of that name exists. */
gboolean cs_builder_site_named(const CsBuilder *b, const char *name);
gboolean cs_builder_node_named(const CsBuilder *b, const char *name);

/* --- subnets and clients ---------------------------------------------------------- */
typedef struct {
  double bps;       /* CS_BUILD_BPS_MIN .. CS_BUILD_BPS_MAX */
  SimTime latency;  /* 0 .. CS_BUILD_LATENCY_MAX */
  guint32 buffer;   /* 0: SIM_BUFFER_DEFAULT */
} CsBuildAccess;
/* A campus access link: 1 Gbps, 100 µs. */
void cs_build_access_default(CsBuildAccess *a);
/* A home or hotel link (external clients): 50 Mbps, 5 ms. */
void cs_build_access_external(CsBuildAccess *a);

typedef struct {
  guint32 base;         /* network address (host bits zero) */
  guint8 prefix;        /* 0 .. 32 */
  guint32 clients;      /* endpoints made at the first free addresses */
  gboolean isolated;    /* the clients never peer */
  gboolean separated;   /* they peer only within the subnet */
  const CsBuildAccess *access; /* NULL: cs_build_access_default */
} CsBuildSubnet;
guint32 cs_build_subnet(CsBuilder *b, guint32 site, const CsBuildSubnet *s, GError **error);
/* `count` roaming clients on the internet site behind zone server `zone`
 * (SIM_NODE_NONE: the only one).  prefix > 0: in base/prefix; else in the
 * next free block of 198.18.0.0/15 that holds them.  access NULL:
 * cs_build_access_external.  Returns their subnet. */
guint32 cs_build_external_clients(CsBuilder *b, guint32 site, guint32 count, SimNodeId zone,
                                  guint32 base, guint8 prefix, const CsBuildAccess *access,
                                  GError **error);
/* FALSE from now on: cs_build_no_client_cert marks were handed to the world
 * (cs_builder_seal), so no client may be added. */
gboolean cs_builder_can_add_clients(const CsBuilder *b);

/* What the builder knows of a subnet it made. */
typedef struct {
  guint32 first_client;   /* world index of the first client */
  guint32 nclients;       /* clients made with it (contiguous indices) */
  gboolean infra;         /* the site's server subnet */
  gboolean external;      /* external clients */
  SimNodeId zone;         /* external: their zone server */
} CsBuildSubnetInfo;
/* NULL for a subnet the builder did not make. */
const CsBuildSubnetInfo *cs_builder_subnet(const CsBuilder *b, guint32 subnet);
/* The subnets of a site in creation order (infrastructure included). */
const guint32 *cs_builder_site_subnets(const CsBuilder *b, guint32 site, guint *n);
/* The site's client subnets in address order (a new array: g_free). */
guint32 *cs_builder_site_client_subnets(const CsBuilder *b, guint32 site, guint *n);
/* Clients of a site (address order of its subnets), a new array: g_free. */
guint32 *cs_builder_site_clients(const CsBuilder *b, guint32 site, guint *n);

/* --- servers and hosts ---------------------------------------------------------------- */
typedef struct {
  const char *name;            /* required, unique among nodes */
  guint32 addr;                /* 0: the subnet's next free address */
  guint32 subnet;              /* SIM_NONE: the site's infrastructure subnet (100.64.0.0/10) */
  const CsBuildAccess *access; /* NULL: the subnet's access link */
} CsBuildNode;

typedef enum {
  CS_BUILD_ROLE_CLIENT,        /* an endpoint with an agent */
  CS_BUILD_ROLE_SERVER,        /* a core server */
  CS_BUILD_ROLE_ZONE_SERVER,
  CS_BUILD_ROLE_MODULE_SERVER,
  CS_BUILD_ROLE_HOST,          /* a plain host (or a database) */
} CsBuildRole;
CsBuildRole cs_builder_role(const CsBuilder *b, SimNodeId node);
/* "client", "server", "zone_server", "module_server", "host". */
const char *cs_build_role_name(CsBuildRole r);
/* The same in prose: "core server", "zone server"... */
const char *cs_build_role_text(CsBuildRole r);
/* The node's name, or its address "10.1.0.7" (clients), into buf (>= 16 bytes). */
const char *cs_builder_node_label(const CsBuilder *b, SimNodeId node, char *buf, gsize size);

/* A core server (params NULL: cs_server_params_default). */
SimNodeId cs_build_server(CsBuilder *b, guint32 site, const CsBuildNode *n,
                          const CsServerParams *params, GError **error);
SimNodeId cs_build_host(CsBuilder *b, guint32 site, const CsBuildNode *n, GError **error);
/* A zone server whose tunnel the zone hub of core server `hub` keeps up. */
SimNodeId cs_build_zone_server(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId hub,
                               GError **error);
/* The core server a module server or database attaches to when none is
 * given: the site's first, else the world's first, else SIM_NODE_NONE. */
SimNodeId cs_builder_default_core(const CsBuilder *b, guint32 site);
/* A module server talking to `core` (SIM_NODE_NONE: the default core);
 * `retries` failed connects a waiting session sits through (the Lua default is 3). */
SimNodeId cs_build_module_server(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId core,
                                 gboolean server_cert, guint32 retries, GError **error);
/* The database of core server `server` (SIM_NODE_NONE: the default core):
 * `workers` writes at once (>= 1), write_time > 0 each. */
SimNodeId cs_build_database(CsBuilder *b, guint32 site, const CsBuildNode *n, SimNodeId server,
                            guint32 workers, SimTime write_time, GError **error);

/* --- sensors ----------------------------------------------------------------------------- */
/* Distinct values one sensor may take. */
#define CS_BUILD_SENSOR_VALUES_MAX 65534
/* Sensor `name` over clients[0..n): value i of values goes to share[i] of
 * them (shares >= 0 adding up to 1; largest remainder rounding, ties by
 * value; clients get values in value order). */
gboolean cs_build_sensor_shares(CsBuilder *b, const char *name, const guint32 *clients, guint n,
                                const char *const *values, const double *shares, guint k,
                                GError **error);
/* Sensor `name` with values[i] on clients[i]. */
gboolean cs_build_sensor_values(CsBuilder *b, const char *name, const guint32 *clients, guint n,
                                const char *const *values, GError **error);
/* The name of a sensor a cs_build_sensor_* call defined, or NULL (built-in ones). */
const char *cs_builder_sensor_name(const CsBuilder *b, guint32 sensor);

/* --- events ---------------------------------------------------------------------------- */
/* A question about sensor `sensor` (defined by cs_build_sensor_*) at `at`. */
gint32 cs_build_ask(CsBuilder *b, SimTime at, const char *sensor, CsQuestionMode mode,
                    const CsTarget *targets, guint ntargets, GError **error);
/* An action with package pkg (size 0: no file) at `at`. */
gint32 cs_build_deploy(CsBuilder *b, SimTime at, const CsPackage *pkg, const CsTarget *targets,
                       guint ntargets, GError **error);
/* Faults: a node crashes or restarts, a WAN link fails or is repaired, at
 * `at` (>= now).  Link faults due now happen at once; the others are events. */
typedef enum {
  CS_BUILD_FAULT_CRASH,      /* id: a node */
  CS_BUILD_FAULT_RESTART,    /* id: a node */
  CS_BUILD_FAULT_LINK_DOWN,  /* id: a WAN link */
  CS_BUILD_FAULT_LINK_UP,    /* id: a WAN link */
} CsBuildFault;
gboolean cs_build_fault(CsBuilder *b, SimTime at, CsBuildFault fault, guint32 id, GError **error);
/* Background traffic between two distinct nodes from `at`: `bytes` (> 0)
 * one way, or a request and its response on a new connection.  Returns the
 * kernel's transfer id, or G_MAXUINT32 with error. */
guint32 cs_build_transfer(CsBuilder *b, SimTime at, SimNodeId from, SimNodeId to, guint64 bytes,
                          SimClass cls, GError **error);
guint32 cs_build_exchange(CsBuilder *b, SimTime at, SimNodeId from, SimNodeId to, guint64 request,
                          guint64 response, SimClass cls, GError **error);
/* Endpoints without the Direct Connect client certificate: marked now,
 * handed to the world by cs_builder_seal (after the last client is made). */
void cs_build_no_client_cert(CsBuilder *b, guint32 client);
/* Hands the marks over; from then on no client may be added.  Call before
 * running (the Lua binding calls it at the start of sim:run). */
void cs_builder_seal(CsBuilder *b);

/* --- firewall rules, partitions and throttles -------------------------------------------
 * A group (one side of a rule) is a list of items: CIDR ranges, nodes (their
 * address), subnets, and sites (every subnet the site has when the rule takes
 * effect).  Rules due at or before now go in at once while the world runs;
 * before cs_builder_start they wait for it, so a rule given for time 0 is in
 * the firewall before any client starts. */
typedef enum {
  CS_BUILD_GROUP_CIDR,    /* base/prefix */
  CS_BUILD_GROUP_SUBNET,  /* id: a subnet */
  CS_BUILD_GROUP_SITE,    /* id: a site */
  CS_BUILD_GROUP_NODE,    /* id: a node */
} CsBuildGroupKind;
typedef struct {
  CsBuildGroupKind kind;
  guint32 id;      /* subnet, site or node */
  guint32 base;    /* CIDR: network address */
  guint8 prefix;   /* CIDR: prefix length, 0 .. 32 */
} CsBuildGroupItem;
/* A group: n >= 1 items. */
typedef struct {
  const CsBuildGroupItem *items;
  guint n;
} CsBuildGroup;

typedef struct CsBuildRule CsBuildRule; /* owned by the builder */
typedef struct {
  CsBuildGroup from, to;
  guint16 port;          /* 0: any */
  gboolean both;         /* also from `to` to `from` */
  SimFwAction action;
  const char *where;     /* NULL, or where the call was written ("file.lua:12"):
                            the prefix of the error when a side covers no address */
} CsBuildFirewall;
/* A firewall rule at `at`: one kernel rule per pair of source and
 * destination ranges, after the rules already given. */
CsBuildRule *cs_build_firewall(CsBuilder *b, SimTime at, const CsBuildFirewall *fw, GError **error);
/* A partition between groups a and b from `at`: everything between them is
 * dropped both ways, ahead of every firewall rule.  where: as above. */
CsBuildRule *cs_build_partition(CsBuilder *b, SimTime at, const CsBuildGroup *a,
                                const CsBuildGroup *bg, const char *where, GError **error);
/* Takes a rule or partition out at `at` (>= when it goes in); once per rule. */
gboolean cs_build_rule_remove(CsBuilder *b, CsBuildRule *r, SimTime at, GError **error);
/* Heals, at `at`, the first partition between a and b (either order, items
 * as given) whose healing is not yet scheduled; returns it. */
CsBuildRule *cs_build_heal(CsBuilder *b, SimTime at, const CsBuildGroup *a, const CsBuildGroup *bg,
                           GError **error);
/* The rule's kernel rules are in the firewall now. */
gboolean cs_builder_rule_active(const CsBuilder *b, const CsBuildRule *r);
/* Caps, from `at`, the shard traffic servers and zone servers send to the
 * clients of the subnets and sites in `to` (a site: each of its client
 * subnets as of now), or to every client when to is NULL: bps > 0 bits/s
 * (0: no rate cap), concurrent > 0 transfers at once (0: no cap); at least
 * one cap.  A later throttle for the same subnets replaces it. */
gboolean cs_build_throttle(CsBuilder *b, SimTime at, const CsBuildGroup *to, double bps,
                           guint32 concurrent, GError **error);
/* Starts the world's timeline: the rules due before it go in.  FALSE (with
 * CS_BUILD_ERROR_EMPTY) when one covers no address; see cs_builder_deferred. */
gboolean cs_builder_start(CsBuilder *b, GError **error);
/* An error found while the world runs (a rule side that covers no address
 * when the rule takes effect: the kernel was stopped), or NULL. */
const GError *cs_builder_deferred(const CsBuilder *b);

/* --- checks ------------------------------------------------------------------------------
 * What the calls above check before they make anything, for a front end
 * that validates a call in several steps (the Lua binding). */
/* A well-formed name not yet used by a site (site) or node (!site); `what`
 * names the call in the message. */
gboolean cs_build_name_check(const CsBuilder *b, const char *what, gboolean site, const char *name,
                             GError **error);
/* The internet site may still be made. */
gboolean cs_build_internet_check(const CsBuilder *b, GError **error);
gboolean cs_build_access_check(const char *what, const CsBuildAccess *a, GError **error);
gboolean cs_build_subnet_check(const CsBuilder *b, guint32 site, const CsBuildSubnet *s, GError **error);
/* Clients may still be added (see cs_builder_seal). */
gboolean cs_build_clients_check(const CsBuilder *b, const char *what, GError **error);
/* The zone server external clients on `site` go through (zone, or the only one). */
SimNodeId cs_build_external_zone(const CsBuilder *b, guint32 site, SimNodeId zone, GError **error);
gboolean cs_build_external_check(const CsBuilder *b, guint32 count, guint32 base, guint8 prefix,
                                 GError **error);
/* The common part of a node: a free name; subnet (if given) on `site`. */
gboolean cs_build_node_check(const CsBuilder *b, const char *what, guint32 site, const CsBuildNode *n,
                             GError **error);
/* The core server a module server or database attaches to: `core` if it is
 * one, else the default; `node` names what is being made. */
SimNodeId cs_build_core_of(const CsBuilder *b, const char *what, const char *key, guint32 site,
                           SimNodeId core, const char *node, GError **error);
/* A package a deploy may carry: a file of at most CS_PACKAGE_SIZE_MAX bytes
 * and CS_PACKAGE_SHARDS_MAX shards (per-message work grows with the file's
 * shard map: 262,144 shards, 1GiB in 4KiB shards, ran 200 endpoints for
 * minutes where 24,414 took 0.4 s; 64GiB needs 1MiB shards, the default
 * 512KiB shards carry 32GiB), named in at most CS_PACKAGE_NAME_MAX bytes. */
#define CS_PACKAGE_SIZE_MAX (G_GUINT64_CONSTANT(64) << 30)
#define CS_PACKAGE_SHARDS_MAX 65536
#define CS_PACKAGE_NAME_MAX 255
gboolean cs_build_package_check(const CsBuilder *b, const CsPackage *pkg, GError **error);
