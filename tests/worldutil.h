/* worldutil.h — building small worlds for protocol tests: a datacenter site
 * with the core server, and branch sites of client subnets. */
#pragma once
#include "testutil.h"
#include "world.h"

typedef struct {
  CsWorld *w;
  Sim *sim;
  guint32 dc;          /* datacenter site */
  SimNodeId server;
} TestWorld;

/* params may be NULL (defaults); seed overrides params' seed. */
void tw_init(TestWorld *t, const CsWorldParams *params, guint64 seed);
/* The same with the core server's parameters (NULL: defaults). */
void tw_init_server(TestWorld *t, const CsWorldParams *params, guint64 seed, const CsServerParams *server);
/* A branch site behind a WAN link to the datacenter, with one subnet of n clients. */
guint32 tw_branch(TestWorld *t, const char *name, const char *cidr, guint32 clients,
                  double wan_bps, SimTime wan_lat, guint32 *first_client);
void tw_free(TestWorld *t);

/* Counts the shard fetches delivered to the core server (a message trace;
 * the world's only one). */
typedef struct {
  SimNodeId server;
  guint32 fetches;
} TwFetchCount;
void tw_count_fetches(TestWorld *t, TwFetchCount *fc);
