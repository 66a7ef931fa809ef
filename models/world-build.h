/* world-build.h — creating a world: parameters, nodes, sensors, questions,
 * actions, Direct Connect sessions, satellites, databases, and the Sim to
 * run.  The read-only side is world-observe.h (included here: a builder may
 * look up what it built); world.h includes both. */
#pragma once
#include "world-observe.h"

#define CS_PORT_CLIENT 17472     /* core server, zone server, client peers */
#define CS_PORT_DC_MODULE 17475  /* module server: endpoint Direct Connect */
#define CS_PORT_DC_ZONE 17486    /* zone proxy: endpoint Direct Connect */
#define CS_PORT_DC_ZONE_MS 17487 /* zone proxy: module server side */
#define CS_PORT_DC_ZONE_CTL 17488 /* zone proxy: opened by its installer for the module server */
#define CS_PORT_SQL 1433          /* database: the core server's writes */
#define CS_MAX_QUESTIONS 64
#define CS_MAX_ACTIONS 64
void cs_world_params_default(CsWorldParams *p);
CsWorld *cs_world_new(const CsWorldParams *params);
void cs_world_free(CsWorld *w);
Sim *cs_world_sim(CsWorld *w);

/* --- nodes ------------------------------------------------------------------- */
void cs_world_subnet_mode(CsWorld *w, guint32 subnet, CsSubnetMode mode);
typedef struct {
  guint32 workers;               /* parallel workers */
  SimTime svc_registration;      /* service time per normal registration */
  SimTime svc_initial;           /* per initial registration */
  SimTime svc_answer;            /* per answer message */
  SimTime svc_leader;            /* per leader connection set-up */
} CsServerParams;
void cs_server_params_default(CsServerParams *p);
/* The infrastructure subnet of a site (servers), created on first use in
 * 100.64.0.0/10. */
guint32 cs_world_infra_subnet(CsWorld *w, guint32 site, GError **error);
/* A core server in `subnet` (addr 0: next free).  Returns the node. */
SimNodeId cs_world_add_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                              const CsServerParams *params, GError **error);
/* `count` clients in `subnet` at the next free addresses; returns the first
 * client index (clients are numbered 0.. in creation order). */
guint32 cs_world_add_clients(CsWorld *w, guint32 subnet, guint32 count, GError **error);
/* A zone server in `subnet` whose tunnel the hub of core server `hub` keeps. */
SimNodeId cs_world_add_zone_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                                   SimNodeId hub, GError **error);
/* `count` external (roaming) clients in `subnet` that reach the core through
 * zone server `zone_node`; they never peer.  Returns the first client index. */
guint32 cs_world_add_external_clients(CsWorld *w, guint32 subnet, guint32 count, SimNodeId zone_node,
                                      GError **error);
/* A plain host without an agent (background traffic endpoints). */
SimNodeId cs_world_add_host(CsWorld *w, const char *name, guint32 subnet, guint32 addr, GError **error);
/* Graceful leave at `at`: the client introduces its neighbours to each other. */
void cs_world_leave(CsWorld *w, guint32 client, SimTime at);

/* --- sensors ------------------------------------------------------------------ */
guint32 cs_world_sensor(CsWorld *w, const char *name); /* find or create */
/* Distinct values a sensor can hold (besides "[no value]"). */
#define CS_SENSOR_MAX_VALUES 65535
/* FALSE when the value would be one too many distinct values. */
gboolean cs_world_sensor_set(CsWorld *w, guint32 sensor, guint32 client, const char *value);

/* --- targets ------------------------------------------------------------------ */
typedef enum { CS_TARGET_ALL, CS_TARGET_CLIENT, CS_TARGET_SUBNET, CS_TARGET_SITE } CsTargetKind;
typedef struct {
  CsTargetKind kind;
  guint32 id;
} CsTarget;

/* --- questions ----------------------------------------------------------------- */
typedef enum { CS_Q_COUNT, CS_Q_COLLECT } CsQuestionMode;
/* Asks at `at`; returns the question id (< CS_MAX_QUESTIONS), or -1 with error. */
gint32 cs_world_ask(CsWorld *w, SimTime at, guint32 sensor, CsQuestionMode mode,
                    const CsTarget *targets, guint ntargets, GError **error);

/* --- actions -------------------------------------------------------------------- */
typedef struct {
  guint64 size;          /* package bytes (one file), 0 = no files */
  SimTime run_time;      /* time the action runs on each endpoint */
  const char *name;      /* file name: a later package with the same name and
                          * size is the same file (its shards may be cached) */
} CsPackage;
gint32 cs_world_deploy(CsWorld *w, SimTime at, const CsPackage *pkg, const CsTarget *targets,
                       guint ntargets, GError **error);
/* Throttles on server → client shard traffic: all clients, or one subnet.
 * bps = 0 and concurrent = 0 mean unlimited. */
void cs_world_throttle(CsWorld *w, gboolean all, guint32 subnet, double bps, guint32 concurrent);
/* Puts shards [first, first + count) of an action's file into a client's
 * cache (a scenario's warm start). */
void cs_world_cache_seed(CsWorld *w, guint32 client, guint32 action, guint32 first, guint32 count);

/* --- Direct Connect and satellites ---------------------------------------------- */
/* A module server (Direct Connect, satellite workloads) in `subnet`; it talks
 * to core server `core` over 443.  server_cert = FALSE: its certificate is
 * missing, so endpoint sessions fail. */
SimNodeId cs_world_add_module_server(CsWorld *w, const char *name, guint32 subnet, guint32 addr,
                                     SimNodeId core, gboolean server_cert, GError **error);
/* An endpoint without the deployed Direct Connect client certificate. */
void cs_world_client_without_cert(CsWorld *w, guint32 client);
/* Asks the module server for a session to `client` at `at`; keep_for = 0
 * keeps it open to the end of the run.  Returns the session id. */
gint32 cs_world_direct_connect(CsWorld *w, SimTime at, guint32 client, SimNodeId module,
                               SimTime keep_for, GError **error);
/* Test connection: finds the endpoint by address ("10.1.2.3") or by its
 * "Computer Name" sensor value and tries a session without keeping it. */
gint32 cs_world_dc_test(CsWorld *w, SimTime at, const char *address_or_name, SimNodeId module,
                        GError **error);
/* Failed connects (443 to the core, 17487 and 17488 to a zone proxy) a
 * session waiting on one sits through before it ends in error (default 3). */
void cs_world_module_retries(CsWorld *w, SimNodeId module, guint32 retries);
/* Designates a satellite; the module server sends it a scan workload over
 * Direct Connect at `at`, only if it is verified.  Returns the satellite id. */
gint32 cs_world_satellite(CsWorld *w, SimTime at, guint32 client, SimNodeId module, gboolean verified,
                          GError **error);

/* --- the database --------------------------------------------------------------------- */
/* A database attached to core server `server`: `workers` writes at once,
 * `write_time` each. */
SimNodeId cs_world_add_database(CsWorld *w, const char *name, guint32 subnet, guint32 addr, SimNodeId server,
                                guint32 workers, SimTime write_time, GError **error);
