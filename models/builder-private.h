/* builder-private.h — what the builder's files share: the builder's records
 * and the checks each call also offers to front ends that validate before
 * they commit (the Lua binding charges its memory budget in between). */
#pragma once
#include "builder.h"

typedef struct {
  guint32 uplink;   /* the link the site's wan option made, or SIM_NONE */
  GArray *subnets;  /* guint32 subnet ids, creation order (infrastructure included) */
} CsBuildSite;

typedef struct {
  CsBuildSubnetInfo info;
  gboolean known;   /* the builder made it (or the site's infrastructure subnet) */
} CsBuildSubnetRec;

struct CsBuilder {
  CsWorld *world;          /* owned */
  Sim *sim;                /* the world's kernel */
  GArray *sites;           /* CsBuildSite, by site id */
  GArray *subnets;         /* CsBuildSubnetRec, by subnet id */
  GHashTable *names;       /* "site:NAME" and "node:NAME" in use → TRUE (lookups only) */
  GPtrArray *sensor_names; /* char *, by world sensor id: sensors the builder defined */
  GArray *no_cert;         /* clients marked by cs_build_no_client_cert */
  gboolean sealed;         /* the marks went to the world: no more clients */
  guint32 internet;        /* the internet site, or SIM_NONE */
  guint32 ext_next;        /* next free address of the external-client pool */
  GPtrArray *faults;       /* scheduled fault records (freed with the builder) */
  GPtrArray *rules;        /* CsBuildRule *, in the order given (owned) */
  GPtrArray *start_rules;  /* CsBuildRule * waiting for cs_builder_start (not owned) */
  GPtrArray *scheduled;    /* rule and throttle event records (g_free) */
  gboolean started;        /* cs_builder_start was called */
  GError *deferred;        /* the first error found while running */
};
void cs_builder_rules_free(CsBuilder *b);

CsBuildSite *cs_builder_site_rec(CsBuilder *b, guint32 site);
CsBuildSubnetRec *cs_builder_subnet_rec(CsBuilder *b, guint32 subnet);
void cs_builder_note_subnet(CsBuilder *b, guint32 site, guint32 subnet);
void cs_builder_claim_name(CsBuilder *b, gboolean site, const char *name);
/* Moves e (if any) into error as a CS_BUILD_ERROR, its message prefixed "what: ". */
void cs_builder_take_error(GError **error, GError *e, const char *what);
