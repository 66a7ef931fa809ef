/* world-observe.h — reading a world: what results, figures, traces and
 * tests read after (or while) it runs.  Nothing here changes the world's
 * behaviour: every function takes a const CsWorld (a few complete their
 * books on first read, which changes no result).  Building a world is
 * world-build.h; world.h includes both. */
#pragma once
#include <glib.h>
#include "sim.h"
#include "net.h"
#include "conn.h"
#include "classes.h"

typedef struct CsWorld CsWorld;

/* Errors of the world's calls (domain CS_WORLD_ERROR). */
#define CS_WORLD_ERROR (cs_world_error_quark())
GQuark cs_world_error_quark(void);
typedef enum {
  CS_WORLD_ERROR_NO_INFRA_SUBNET = 1, /* no free infrastructure subnet left for a site */
  CS_WORLD_ERROR_QUESTIONS,           /* CS_MAX_QUESTIONS already asked */
  CS_WORLD_ERROR_ACTIONS,             /* CS_MAX_ACTIONS already deployed */
  CS_WORLD_ERROR_ROLE,                /* a node given for a role it does not have */
  CS_WORLD_ERROR_NOT_FOUND,           /* no endpoint with that address or name */
  CS_WORLD_ERROR_TAKEN,               /* a core server that already has a database */
} CsWorldError;
typedef struct {
  SimParams sim;              /* kernel parameters (seed, timeouts, bucket, TLS sizes) */
  gboolean peering;           /* FALSE: every client keeps its own server connection */
  gboolean tls;               /* TLS on client → server (and zone server) connections */
  gboolean tls_peers;         /* TLS on client ↔ client connections (chain, shards) */
  gboolean tls_resume;        /* abbreviated handshake for a client that connected to a
                               * server within tls_resume_lifetime */
  SimTime tls_resume_lifetime;
  SimTime reg_min, reg_max;   /* normal registration interval */
  SimTime init_min, init_max; /* initial registration forced again */
  SimTime startup;            /* clients start uniformly in [0, startup] */
  guint32 peers_per_side;     /* peer list entries each side */
  guint8 neighbourhood_prefix;/* address mask that groups peers */
  SimTime batch_window;       /* late answers held before forwarding */
  SimTime answer_hold;        /* longest wait for the answers from behind */
  SimTime sensor_min, sensor_max; /* sensor evaluation time */
  SimTime live_timeout;       /* server forgets a client not heard from for this long */
  guint32 reg_bytes, reg_resp_bytes, question_bytes, answer_bytes, answer_row_bytes, action_bytes;
  guint32 init_bytes, init_resp_bytes; /* initial registration request and response (before
                               * the peer list and the definitions of what is in force) */
  guint32 shard_size;         /* bytes per shard */
  guint64 cache_size;         /* bytes of shards each client keeps */
  guint32 shards_per_message; /* shards carried by one message along the chain */
  guint32 direct_shards_per_message; /* shards per message to a client without a chain */
  guint32 pin_every;          /* a client pins 1 shard in pin_every (by hash) */
  SimTime download_retry;     /* re-request missing shards after this */
  SimTime download_retry_max; /* asking again backs off (doubling) to at most this */
  guint8 question_delivery;   /* CsQuestionDelivery */
  guint8 walk;                /* CsWalk: how shard requests walk the chains */
  SimTime reg_timeout;        /* a registration without a response is given up after this */
} CsWorldParams;
/* How questions reach clients: pushed by the server to the backward leaders
 * (and chains of one) and passed along the chains, or only in the responses
 * to the clients' own registrations. */
typedef enum { CS_QD_PUSH, CS_QD_REGISTRATION } CsQuestionDelivery;
/* How a shard request walks its chain: express (the default) follows it
 * past the members that hold none of what it asks for within one event, its
 * hops' bytes and times booked as they go; exact delivers it at every member,
 * an event per hop (models/shards.c). */
typedef enum { CS_WALK_EXPRESS, CS_WALK_EXACT } CsWalk;
const CsWorldParams *cs_world_params(const CsWorld *w);

/* --- nodes ------------------------------------------------------------------- */
typedef enum { CS_SUBNET_NORMAL, CS_SUBNET_SEPARATED, CS_SUBNET_ISOLATED } CsSubnetMode;
CsSubnetMode cs_world_subnet_mode_of(const CsWorld *w, guint32 subnet);
guint32 cs_world_zone_count(const CsWorld *w);
SimNodeId cs_world_zone_node(const CsWorld *w, guint32 zone);
/* Times the zone's tunnel went down (seen at the zone server). */
guint32 cs_zone_tunnel_drops(const CsWorld *w, guint32 zone);
gboolean cs_zone_tunnel_up(const CsWorld *w, guint32 zone);
/* External clients whose persistent connection the zone server holds now. */
guint32 cs_zone_leaders(const CsWorld *w, guint32 zone);
gboolean cs_client_is_external(const CsWorld *w, guint32 client);
guint32 cs_world_client_count(const CsWorld *w);
SimNodeId cs_world_client_node(const CsWorld *w, guint32 client);
/* Client index of a node, or G_MAXUINT32. */
guint32 cs_world_node_client(const CsWorld *w, SimNodeId node);
guint32 cs_world_server_count(const CsWorld *w);
SimNodeId cs_world_server_node(const CsWorld *w, guint32 i);
/* The core server index of a node, or G_MAXUINT32. */
guint32 cs_world_server_of_node(const CsWorld *w, SimNodeId node);
const char *cs_world_node_name(const CsWorld *w, SimNodeId node); /* NULL for clients */

/* --- sensors ------------------------------------------------------------------ */
gint32 cs_world_sensor_find(const CsWorld *w, const char *name); /* -1 if none */
guint32 cs_world_sensor_count(const CsWorld *w);
const char *cs_world_sensor_name(const CsWorld *w, guint32 sensor);
guint32 cs_world_sensor_value_count(const CsWorld *w, guint32 sensor);
const char *cs_world_sensor_get(const CsWorld *w, guint32 sensor, guint32 client);

/* --- questions ----------------------------------------------------------------- */
guint32 cs_world_question_count(const CsWorld *w);
SimTime cs_question_asked_at(const CsWorld *w, guint32 q);
guint32 cs_question_targets(const CsWorld *w, guint32 q);
guint32 cs_question_answered(const CsWorld *w, guint32 q);
guint32 cs_question_sensor(const CsWorld *w, guint32 q);
/* Answered count within `within` of the ask. */
guint32 cs_question_answered_by(const CsWorld *w, guint32 q, SimTime within);
/* Time from the ask until `fraction` of targets had answered, or -1. */
SimTime cs_question_time_to(const CsWorld *w, guint32 q, double fraction);
/* Merged result: calls fn(value, count) in value order (sorted by value). */
void cs_question_result(const CsWorld *w, guint32 q, void (*fn)(const char *value, guint64 count, gpointer data), gpointer data);
/* The answer curve: n points (time since ask, cumulative answered). */
guint cs_question_curve(const CsWorld *w, guint32 q, const SimTime **times, const guint32 **counts);

/* --- actions -------------------------------------------------------------------- */
guint64 cs_client_cache_bytes(const CsWorld *w, guint32 client);
/* The largest cache any client held, and shards evicted in all. */
guint64 cs_world_cache_peak(const CsWorld *w);
guint64 cs_world_evictions(const CsWorld *w);
/* Payload bytes of an action's file: sent by servers, by peers, by servers
 * across a WAN link. */
guint64 cs_action_bytes_from_server(const CsWorld *w, guint32 a);
guint64 cs_action_bytes_from_peers(const CsWorld *w, guint32 a);
/* Of those, the bytes peers served from their caches to a requester (the
 * rest relayed the server's shards along the chain). */
guint64 cs_action_bytes_from_caches(const CsWorld *w, guint32 a);
guint64 cs_action_wan_bytes(const CsWorld *w, guint32 a);
guint32 cs_world_action_count(const CsWorld *w);
/* Distinct files deployed so far (a deploy of a known name and size adds none). */
guint32 cs_world_file_count(const CsWorld *w);
guint32 cs_action_targets(const CsWorld *w, guint32 a);
guint32 cs_action_completed(const CsWorld *w, guint32 a);
SimTime cs_action_deployed_at(const CsWorld *w, guint32 a);
guint64 cs_action_size(const CsWorld *w, guint32 a);
/* Time from the deploy until the server had learned that `fraction` of the
 * targets completed the action, or -1. */
SimTime cs_action_time_to(const CsWorld *w, guint32 a, double fraction);
/* Time from the deploy until `fraction` of the targets had the file complete
 * on the endpoint itself (no file: had the action), or -1; and how many had. */
SimTime cs_action_complete_time_to(const CsWorld *w, guint32 a, double fraction);
guint32 cs_action_endpoints_complete(const CsWorld *w, guint32 a);

/* --- Direct Connect and satellites ---------------------------------------------- */
typedef enum {
  CS_DC_CREATING, CS_DC_DOWNLOADING, CS_DC_RUNNING, CS_DC_ERROR, CS_DC_SUCCEEDED,
  CS_DC_NOT_SUCCEEDED, CS_DC_COMPLETE, CS_DC_CLOSED,
} CsDcState;
const char *cs_dc_state_name(CsDcState s);
guint32 cs_world_module_count(const CsWorld *w);
SimNodeId cs_world_module_node(const CsWorld *w, guint32 module);
guint32 cs_world_dc_count(const CsWorld *w);
CsDcState cs_dc_state(const CsWorld *w, guint32 session);
const char *cs_dc_reason(const CsWorld *w, guint32 session); /* "" when none */
guint32 cs_dc_client(const CsWorld *w, guint32 session);
/* How long the session took to open (from the request), -1 if it never did. */
SimTime cs_dc_setup_time(const CsWorld *w, guint32 session);
/* The module server's active sessions now: fills up to max session ids. */
guint cs_world_dc_active(const CsWorld *w, SimNodeId module, guint32 *ids, guint max);
SimTime cs_dc_duration(const CsWorld *w, guint32 session);         /* since it opened */
SimTime cs_dc_since_last_message(const CsWorld *w, guint32 session);
guint32 cs_world_satellite_count(const CsWorld *w);
/* "waiting", "scanning", "scanned", "refused" (unverified: nothing sent) or "failed". */
const char *cs_satellite_status(const CsWorld *w, guint32 sat);
/* Payload bytes of one class sent from client to client (chain and peer
 * connections): secrets must never appear here. */
guint64 cs_world_peer_bytes(const CsWorld *w, SimClass cls);

/* --- observations (for results and figures; never used by behaviour) ------------ */
/* The protocol name of a message type (for traces), "?" if unknown. */
const char *cs_msg_type_name(guint32 type);
typedef struct {
  guint32 chains;           /* chains with at least one member */
  guint32 len_min, len_median, len_max;
  guint32 backward_leaders, forward_leaders;
  guint32 reflections_forward, reflections_backward;
} CsChainSummary;
void cs_world_chains(const CsWorld *w, CsChainSummary *out);
/* The client's current forward / backward neighbour (client index), or
 * G_MAXUINT32 when it has none (leader or not connected). */
guint32 cs_client_forward(const CsWorld *w, guint32 client);
guint32 cs_client_backward(const CsWorld *w, guint32 client);
/* The client's peer list on one side (from its last registration and the
 * introductions since), closest first: up to max client indices into out;
 * returns how many. */
guint cs_client_peer_list(const CsWorld *w, guint32 client, gboolean forward, guint32 *out, guint max);
gboolean cs_client_is_forward_leader(const CsWorld *w, guint32 client);
gboolean cs_client_is_backward_leader(const CsWorld *w, guint32 client);
gboolean cs_client_reflected_forward(const CsWorld *w, guint32 client);
gboolean cs_client_reflected_backward(const CsWorld *w, guint32 client);
guint32 cs_client_registrations(const CsWorld *w, guint32 client);
/* Percentiles of registration latency and server times come from a
 * log-linear histogram (hist.h): within 0.39 % of the exact nearest-rank
 * sample; NAN when there was no sample. */
typedef struct {
  guint64 registrations;       /* completed at all servers */
  guint64 initial;             /* of those, initial ones */
  double per_second_mean, per_second_peak;
  double latency_ms_p50, latency_ms_p99;   /* client-observed, request to response */
  guint32 connections_peak;    /* concurrent connections at one server, the largest */
  guint32 persistent_peak;     /* of them persistent (leader roles), the largest at one server */
  guint32 persistent_end;      /* persistent connections at the run's end, the largest at one server */
  guint32 registration_peak;   /* the others (registrations, fetches), the largest at one server */
  guint32 queue_peak;          /* server work queue */
  double queue_ms_p50, queue_ms_p99;       /* arrival → a worker takes the job */
  double service_ms_p50, service_ms_p99;   /* a worker's time on the job */
  double response_ms_p50, response_ms_p99; /* arrival → done (reply sent, if any) */
  guint32 wan_connections_peak;/* concurrent server connections from other sites */
} CsServerSummary;
void cs_world_server_summary(const CsWorld *w, CsServerSummary *out);
/* Drawn registration intervals as observed: normal ones (from a
 * registration's completion to the next one's start) and forced initial ones
 * (from an initial registration's completion to the next initial start). */
typedef struct {
  guint64 n;
  SimTime min, max;
  double mean_s;
} CsIntervalStats;
void cs_world_reg_intervals(const CsWorld *w, CsIntervalStats *normal, CsIntervalStats *initial);
/* Connections open at a server now, and the backward-leader ones among them;
 * persistent: those that said hello in a leader role (any side). */
guint32 cs_server_connections(const CsWorld *w, guint32 server);
guint32 cs_server_leader_connections(const CsWorld *w, guint32 server);
guint32 cs_server_persistent_connections(const CsWorld *w, guint32 server);
/* Connections open at a server now whose far end is in another site. */
guint32 cs_server_wan_connections(const CsWorld *w, guint32 server);
/* The peak of persistent connections (leaders of either role, chains of one)
 * open at a server over the run. */
guint32 cs_server_persistent_peak(const CsWorld *w, guint32 server);

/* --- the database --------------------------------------------------------------------- */
typedef struct {
  guint64 writes;            /* writes done, all databases */
  guint32 queue_peak;        /* the longest write queue at a database */
  guint32 held_peak;         /* the most jobs a server held for their writes */
  double write_ms_p50, write_ms_p99; /* from the server's send to the acknowledgement */
} CsDatabaseSummary;
/* FALSE (and zeros) when there is no database. */
gboolean cs_world_database_summary(const CsWorld *w, CsDatabaseSummary *out);
/* Server load per statistics bucket, all core servers together. */
typedef struct {
  guint32 registrations;       /* completed in the bucket */
  guint32 queue_peak;          /* the longest work queue (summed over servers) in the bucket */
  guint32 connections_peak;    /* the most connections open at once in the bucket */
  guint32 persistent_peak;     /* of them persistent (leader roles), the most at once */
} CsServerLoad;
/* The buckets up to now; n = number of buckets. */
guint cs_world_server_load(const CsWorld *w, const CsServerLoad **load);
/* The throttle in force on all clients (all) or on one subnet: bps and
 * concurrent, 0 = no cap (see cs_world_throttle). */
void cs_world_throttle_of(const CsWorld *w, gboolean all, guint32 subnet, double *bps,
                          guint32 *concurrent);
