/* world-private.h — what every module of models/ shares: the messages and
 * their payloads, the client record (CsClient), a server's job (CsJob), the
 * timer tags, and CsWorld: the kernel, the node kinds, the client table, the
 * sensors, questions and actions, and a pointer to each module's state.
 *
 * Each module owns its state: shards.c, zone.c, module.c, server.c,
 * database.c and client.c each define their state struct in their own
 * NAME-private.h, which no other file includes, and offer the others small
 * functions in NAME.h (included below).  tests/models_includes.cmake checks
 * that no source file in models/ includes another module's private header.  Per-node
 * state lives in flat arrays indexed by the model's own index
 * (sim_node_local); nothing is allocated per node beyond them. */
#pragma once
#include "world.h"
#include "hist.h"
#include "vec.h"
#include "iheap.h"
#include "runset.h"

#define CS_NONE G_MAXUINT32
#define CS_NEVER_SEEN ((SimTime) -1) /* last_seen of a client no server has heard from */
#define CS_MAX_PEERS 16   /* peer list entries per side, at most */

/* Message types on the wire. */
typedef enum {
  CS_MSG_REG_REQ = 1,   /* client → server: registration (a = flags, u = client) */
  CS_MSG_REG_RESP,      /* server → client: peer list, questions, actions (blob) */
  CS_MSG_LEADER_HELLO,  /* client → server: a = role bits (1 backward, 2 forward) */
  CS_MSG_QUESTION,      /* a = question id */
  CS_MSG_ACTION,        /* a = action id */
  CS_MSG_ANSWER,        /* blob = CsBatch: answers and action statuses */
  CS_MSG_INTRO,         /* leaving client: a = side the receiver should fix, u = new peer */
  CS_MSG_SHARD_REQ,     /* blob = CsShardReq: missing shards walking the chain */
  CS_MSG_SHARD_FETCH,   /* client → server: blob = CsShardReq (the shards to send) */
  CS_MSG_SHARDS,        /* blob = CsShardData: shard payload (size = shards × shard size) */
  CS_MSG_HUB_HELLO,     /* hub → zone server: this connection is the tunnel */
  CS_MSG_DC_OPEN,       /* module server → core (443): deploy an open-session action, a = session */
  CS_MSG_DC_HELLO,      /* endpoint → module server (or zone proxy): a = session */
  CS_MSG_DC_WORKLOAD,   /* module server → satellite: a = session (carries the secrets) */
  CS_MSG_DC_RESULT,     /* satellite → module server: a = session */
  CS_MSG_MS_HELLO,      /* module server → zone proxy (17487) */
  CS_MSG_MS_CTL_HELLO,  /* module server → zone proxy (17488, the installer's control port) */
  CS_MSG_DC_REFUSED,    /* zone proxy → endpoint: a = session, u = CsDcReason: no module server behind it */
  CS_MSG_DB_WRITE,      /* core server → database (1433): a = token */
  CS_MSG_DB_DONE,       /* database → core server: a = token, written */
} CsMsgType;
/* Over the hub tunnel every message names its external client in `u`. */

/* The payload bytes a file's distribution moved, by where they came from. */
typedef struct {
  guint64 server;          /* sent by servers */
  guint64 peers;           /* sent by clients to clients (cache serves and chain relays) */
  guint64 caches;          /* of those, served from caches to a requester */
  guint64 wan;             /* sent by servers across a WAN link */
} CsFileBytes;

/* A file cut into shards (the server's manifest). */
typedef struct {
  char *name;              /* file name, or NULL */
  guint64 size;            /* bytes */
  guint32 nshards;         /* ceil(size / shard_size) */
  CsFileBytes bytes;       /* since the start of the run */
} CsFile;

/* A set of shards of one file, as a bitmap over [first, first + nbits):
 * requests cover the whole file (first = 0); the chunks the server sends
 * cover only their own few shards. */
typedef struct {
  guint32 file;
  guint32 first;           /* shard index of bit 0 */
  guint32 nbits;
  guint8 bits[];           /* nbits / 8 rounded up */
} CsShardSet;

typedef struct {
  guint32 requester;       /* client index */
  guint8 dir;              /* CS_FWD while walking forward, then CS_BACK */
  guint8 flow;             /* fetch: the answer flows along the chain */
  CsShardSet *want;        /* shards still missing (in the same allocation) */
} CsShardReq;


/* Where a shard message comes from, for the books (counted on delivery). */
enum { CS_FROM_PEER, CS_FROM_CACHE, CS_FROM_SERVER, CS_FROM_SERVER_WAN };

typedef struct {
  guint8 flow;             /* 1: flowing forward along the chain from the server */
  guint8 from;             /* CS_FROM_* */
  CsShardSet *set;         /* the shards carried */
} CsShardData;

/* A shard send waiting for its connection to the requester. */
typedef struct {
  SimConnId conn;
  CsShardData *data;
} CsSend;

/* A leader's fetch from the server for one file: what it asked for and is
 * still waiting on. */
typedef struct {
  SimTime until;           /* nothing arrived by then: ask again for all that is missing */
  guint8 asks;             /* asks in a row without progress (the back-off's step) */
  guint8 bits[];           /* shards asked of the server, not yet here */
} CsPending;

/* A file's shards held in a client's cache. */
typedef struct {
  guint32 file;
  guint32 held;            /* shards held */
  guint64 stamp;           /* last use, for least-recently-used eviction */
  guint8 *bits;            /* held shards; NULL while none is */
  CsPending *pending;      /* leaders: its fetch from the server, NULL before one */
  guint32 scan[2];         /* eviction cursors: below them nothing to evict (unpinned, any) */
} CsCacheEntry;

/* One entry of an answer batch. */
/* CS_E_DONE: "everything up to the sender is in" for question `id`. */
typedef enum { CS_E_COUNT, CS_E_ROW, CS_E_ACTION_DONE, CS_E_DC_FAILED, CS_E_DONE } CsEntryKind;
/* CS_E_DC_FAILED: value = session, count = CsDcReason. */
typedef enum { CS_DCR_NONE, CS_DCR_TIMEOUT, CS_DCR_REFUSED, CS_DCR_NO_CLIENT_CERT, CS_DCR_NO_SERVER_CERT,
               CS_DCR_OFFLINE, CS_DCR_UNVERIFIED, CS_DCR_CLOSED, CS_DCR_TIMEOUT_PROXY, CS_DCR_REFUSED_PROXY,
               CS_DCR_PROXY_NO_MODULE, CS_DCR_PROXY_NO_CTL, CS_DCR_CORE_UNREACHABLE, CS_DCR_PROXY_UNREACHABLE,
               CS_DCR_PROXY_CTL_UNREACHABLE, CS_DCR_MODULE_DOWN } CsDcReason;
typedef struct {
  guint8 kind;    /* CsEntryKind */
  guint8 id;      /* question or action id */
  guint16 pad_;
  guint32 value;  /* sensor value id (count, row) */
  guint32 count;  /* count: endpoints; row: client index */
} CsEntry;

/* A growable array of entries; the blob of CS_MSG_ANSWER. */
typedef struct {
  guint32 len, cap;
  CsEntry *e;
} CsBatch;

CsBatch *cs_batch_new(void);
void cs_batch_free(gpointer b);
/* Adds an entry, merging counts with an equal (kind, id, value) entry. */
void cs_batch_add(CsBatch *b, const CsEntry *e);
void cs_batch_merge(CsBatch *into, const CsBatch *from);

/* Registration request payload: what the client has seen, and answers it
 * could not send along a chain (isolated clients). */
typedef struct {
  guint64 q_seen, a_seen;
  CsBatch *batch;          /* or NULL */
} CsRegReq;
void cs_reg_req_free(gpointer p);

/* Registration response payload.  The peers come as client indices and as
 * their distances (cs_neigh_peer) in the neighbourhoods of build `builds`:
 * a client takes the distances as they are unless the neighbourhoods were
 * built again since. */
typedef struct {
  guint32 nback, nfwd;
  guint32 back[CS_MAX_PEERS];   /* client indices, closest first */
  guint32 fwd[CS_MAX_PEERS];
  guint16 back_d[CS_MAX_PEERS]; /* their distances */
  guint16 fwd_d[CS_MAX_PEERS];
  guint32 builds;               /* CsWorld.neigh_builds when written */
  guint64 questions;            /* active question ids */
  guint64 actions;              /* active action ids */
} CsRegResp;

/* Client timer tags (client.c owns the timers; shards.c arms one). */
enum { CS_TAG_REG = 1, CS_TAG_INIT, CS_TAG_EVAL, CS_TAG_RUN, CS_TAG_BATCH, CS_TAG_RETRY, CS_TAG_DL_RETRY, CS_TAG_SCAN,
       CS_TAG_REG_TIMEOUT };
/* Server timer tags. */
enum { CS_STAG_JOB_DONE = 1, CS_STAG_THROTTLE, CS_STAG_HUB_RETRY, CS_STAG_DB_RETRY };

/* Chain side: 0 backward, 1 forward. */
enum { CS_BACK = 0, CS_FWD = 1 };
/* What a side's current connection leads to. */
enum { CS_SIDE_NONE = 0, CS_SIDE_PEER, CS_SIDE_SERVER };
#define CS_TRY_SERVER 255
/* A closer candidate that failed is tried again at a registration after this
 * long (a firewall may have opened, a crashed neighbour may be back). */
#define CS_PEER_RETRY (5 * SIM_MIN)

/* The fields nearly every message touches come first, in the record's first
 * cache line, which the kind's prefetch hint brings in ahead of the event. */
/* Each module's own state (its -private.h; only the module reads it). */
typedef struct CsClients CsClients;
typedef struct CsShards CsShards;
typedef struct CsServers CsServers;
typedef struct CsZones CsZones;
typedef struct CsModules CsModules;
typedef struct CsDatabases CsDatabases;

typedef struct {
  SimNodeId node;          /* kernel node */
  guint8 ncache;           /* entries in cache */
  guint8 cur_kind[2];      /* chain side's CS_SIDE_* */
  SimConnId cur[2];        /* chain side's current outgoing connection */
  guint32 cur_peer[2];     /* client index, or CS_NONE for the server */
  CsCacheEntry *cache;     /* files with shards in the cache */
  guint32 dl_action;       /* action downloading now, CS_NONE */
  guint32 dl_have;         /* how many shards of its file obtained */
  CsRunSet *dl_got;        /* which (intervals, nearly always a few) */
  guint32 neigh;           /* neighbourhood, CS_NONE when isolated */
  guint32 npos;            /* position in the neighbourhood's address order */
  guint8 server;           /* server chosen for registration */
  guint8 reg_initial;      /* next registration is an initial one */
  guint8 alive;            /* started and not crashed */
  guint8 leaving;          /* left gracefully */
  guint32 zone;            /* external client: its zone server (index), CS_NONE otherwise */
  /* the rest in an order that leaves no holes (360 bytes) */
  SimConnId reg_conn;      /* registration in progress */
  guint32 regs;            /* registrations completed */
  SimTimerId reg_timer;    /* the client's registration wake-up, the earliest of: the next
                            * normal registration (or, while one is in progress, its
                            * timeout) and the next initial one (init_due) */
  SimTime reg_started;     /* when it began */
  SimTime reg_done;        /* when the last one completed (-1: none yet) */
  SimTime init_done;       /* when the last initial one completed (-1: none) */
  SimTime init_due;        /* when the next initial one is due (0: none drawn) */
  guint8 server_fails[4];  /* failed connects per server (first four) */
  /* peer list from the last registration, closest first */
  guint8 ncand[2];
  guint8 reflected[2];     /* chain side: leader because every candidate failed */
  guint16 cand[2][CS_MAX_PEERS]; /* distances in the neighbourhood (cs_neigh_peer) */
  guint32 failed_closest[2]; /* closest candidate that failed, per side */
  SimTime failed_at[2];    /* when; it is tried again after CS_PEER_RETRY */
  /* the chain, per side (cur* above) */
  SimConnId trying[2];     /* connect attempt in progress */
  guint32 try_peer[2];     /* the client being tried (the list may change meanwhile) */
  guint8 try_idx[2];       /* candidate index being tried, CS_TRY_SERVER */
  guint8 try_limit[2];     /* stop the walk at this index (replacement walks) */
  guint8 abandon[2];       /* the current peer left the list: lead if the walk fails */
  guint8 nsends;           /* entries in sends */
  guint8 dl_backoff;       /* asks in a row without progress (the back-off's step) */
  /* questions and actions */
  guint64 q_seen, q_answered;
  guint64 a_seen, a_done;
  CsBatch *batch;          /* answers waiting for the batching window */
  SimTimerId batch_timer;
  SimTime batch_started;   /* when the batch got its first entry */
  guint64 q_behind_done;   /* questions complete behind this client */
  guint64 q_done_sent;     /* questions this client passed on complete */
  guint64 batch_q;         /* questions with answers in batch (the batch itself is
                            * two misses away; its window closes often) */
  /* shards (cache, dl_* above) */
  guint64 cache_bytes;     /* bytes held */
  guint64 a_waiting;       /* actions waiting to download their files */
  guint32 dl_have_asked;   /* dl_have when it last asked (no progress since: ask again) */
  SimConnId fetch_conn;    /* direct fetch from the server (no chain) */
  SimTimerId dl_timer;     /* re-request what is still missing */
  CsSend *sends;           /* shard sends waiting for their connections */
  CsShardReq *fetch_req;   /* what to ask for once it opens */
} CsClient;
G_STATIC_ASSERT(sizeof(CsClient) == 360);

typedef struct {
  guint8 kind;             /* CsJobKind */
  SimConnId conn;
  guint32 conn_gen;        /* conn's generation when the job arrived (sim_conn_same) */
  guint32 client;
  SimTime arrived;
  gpointer blob;           /* answer batch, taken from the message */
} CsJob;
typedef enum { CS_JOB_REG, CS_JOB_ANSWER, CS_JOB_LEADER, CS_JOB_SHARDS, CS_JOB_REG_INIT,
               CS_JOB_NONE = 0xff } CsJobKind;



/* The world's latency histograms (all core servers together). */
enum { CS_H_REG_LATENCY, CS_H_QUEUE, CS_H_SERVICE, CS_H_RESPONSE, CS_H_COUNT };

typedef struct {
  char *name;
  GPtrArray *values;       /* value strings; id 0 = "[no value]" */
  GHashTable *index;       /* value → id + 1 (lookups at set-up only) */
  guint16 *of_client;      /* value id per client */
  guint32 nclients;        /* size of of_client */
} CsSensor;

/* What a question and an action share: a rollout to a set of targets. */
typedef struct {
  SimTime at;              /* when asked or deployed (until then, when it will be) */
  CsTarget *targets;
  guint ntargets;
  guint8 *is_target;       /* per client, computed when it starts (NULL: everyone) */
  guint32 ntarget_clients;
  GArray *curve_t;         /* SimTime since the start: an answer (question) or the server
                            * learned an endpoint completed (action) */
  gboolean live;           /* started already */
} CsRollout;
/* Whether a started rollout targets a client. */
static inline gboolean cs_rollout_targets(const CsRollout *r, guint32 client)
{
  return !r->is_target || r->is_target[client];
}

typedef struct {
  guint32 sensor;
  CsQuestionMode mode;
  CsRollout r;
  guint32 answered;
  guint64 *counts;         /* per value id */
  guint32 nvalues;
  GArray *curve_n;         /* guint32 cumulative answered, beside r.curve_t */
} CsQuestion;

typedef struct {
  CsPackage pkg;
  guint32 file;            /* CS_NONE: no files */
  guint32 dc_session;      /* an "open session" action: its session, else CS_NONE */
  CsFileBytes base;        /* the file's books when this action was deployed */
  CsRollout r;
  guint32 completed;
  GArray *complete_t;      /* SimTime since deploy: an endpoint had the file complete */
  guint8 *complete_seen;   /* bit per client: in complete_t already (NULL until deployed) */
  guint32 complete_nbits;  /* clients complete_seen covers */
} CsAction;

typedef struct {
  guint32 *members;        /* client indices sorted by address */
  guint32 n, cap;
} CsNeigh;





struct CsWorld {
  CsWorldParams p;
  Sim *sim;
  guint16 kind_client, kind_server, kind_host, kind_zone, kind_module, kind_db; /* node kinds */
  SimVec clients;          /* CsClient, in chunks: never copied as it grows */
  GArray *node_client;     /* guint32 per node: client index or CS_NONE */
  GHashTable *names;       /* node id → name (servers, hosts) */
  GArray *subnet_mode;     /* guint8 per subnet */
  GArray *infra_subnet;    /* guint32 per site: infra subnet + 1 */
  GArray *neighs;          /* CsNeigh */
  GHashTable *neigh_index; /* key (mode, id) → neighbourhood + 1 (set-up only) */
  gboolean neigh_built;
  guint32 neigh_builds;    /* neighbourhood builds so far (CsRegResp.builds) */
  GPtrArray *sensors;      /* CsSensor* */
  GArray *questions;       /* CsQuestion */
  GArray *actions;         /* CsAction */
  /* each module's own state (its -private.h) */
  CsClients *client;       /* client.c: its books (the client table itself is above) */
  CsServers *server;       /* server.c: core servers, registration books, load */
  CsShards *shards;        /* shards.c: files, caches' books, throttles, fetch queue */
  CsZones *zone;           /* zone.c: zone servers, external clients' connections */
  CsModules *module;       /* module.c: module servers, Direct Connect sessions, satellites */
  CsDatabases *database;   /* database.c: databases and their write latency */
};

CsClient *cs_client_rec(const CsWorld *w, guint32 client);
/* Builds the neighbourhoods (again, after clients were added); the peer
 * lists clients hold (CsClient.cand) are carried over to the new positions. */
void cs_world_build_neighbourhoods(CsWorld *w);
/* A peer list names a peer by its distance d > 0 from the client in the
 * neighbourhood's address order, backward or forward: 16 bits instead of a
 * 32-bit client index.  cs_neigh_peer gives the client d members away on
 * `side` (the client must be in a neighbourhood and d within it);
 * cs_neigh_distance the distance of `peer`, FALSE when a list cannot name it
 * (no neighbourhood, another one, the other side, 65,536 or more away). */
guint32 cs_neigh_peer(const CsWorld *w, const CsClient *c, int side, guint16 d);
gboolean cs_neigh_distance(const CsWorld *w, const CsClient *c, int side, guint32 peer, guint16 *d);
/* Server receives answers: books the results. */
void cs_world_take_batch(CsWorld *w, const CsBatch *b);
/* An endpoint has everything action `a` needs (its file complete, or the
 * action itself when it has no file): booked once per endpoint. */
void cs_world_note_complete(CsWorld *w, guint32 client, guint32 a);
/* Books a named infrastructure node. */
void cs_world_note_node(CsWorld *w, SimNodeId node, const char *name);

/* What each module offers the others. */
#include "client.h"
#include "server.h"
#include "shards.h"
#include "zone.h"
#include "module.h"
#include "database.h"
