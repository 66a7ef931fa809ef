/* server-private.h — the state of core servers; server.c only. */
#pragma once
#include "server.h"

/* Waiting jobs are kept in blocks of CS_JOB_BLOCK, chained oldest first, so
 * a queue holds the memory of its jobs and no more: a saturated server's
 * queue at 10^6 endpoints reaches 12 M jobs, which a ring doubling as it
 * grows held twice over (the old ring and the new) while it moved. */
#define CS_JOB_BLOCK 2048
typedef struct CsJobBlock CsJobBlock;
struct CsJobBlock {
  CsJobBlock *next;
  CsJob job[CS_JOB_BLOCK];
};

/* A core server (its database side is database.c's). */
typedef struct {
  SimNodeId node;
  char *name;
  CsServerParams p;
  guint32 busy;            /* workers serving */
  CsJobBlock *qfirst;      /* the FIFO of waiting jobs: blocks, oldest first */
  CsJobBlock *qlast;
  CsJobBlock *qspare;      /* one emptied block kept for the next (no churn at a block's edge) */
  guint32 qhead, qtail;    /* next job to take in qfirst; next free place in qlast */
  guint32 qlen;            /* jobs waiting */
  guint32 queue_peak;
  guint32 conns, conns_peak, wan_conns, wan_conns_peak;
  guint32 persistent, persistent_peak; /* of conns: a leader hello served (either role); their peak */
  guint32 others_peak;     /* conns - persistent, the most at once */
  GArray *leaders;         /* SimConnId of backward-role leader connections */
  GArray *slots;           /* CsSlot: jobs in service */
  SimTime started_at;      /* when it last started: a client not heard from since
                            * registers as an initial one */
} CsServer;

typedef struct {
  CsJob job;        /* the job being served */
  SimTime started;  /* when a worker took it */
  gboolean used;    /* slot taken */
} CsSlot;

CsServer *cs_server_rec(const CsWorld *w, guint32 server);

struct CsServers {
  GArray *servers;         /* CsServer */
  /* registration books */
  SimTime *last_seen;      /* per client: last registration at a server, CS_NEVER_SEEN
                            * (one array, not a flag beside it: a peer list reads it
                            * for twenty neighbours at every registration) */
  CsHist *hist[CS_H_COUNT];/* 58 KB each, allocated one by one (each stays below
                            * malloc's mmap threshold) */
  GArray *load;            /* CsServerLoad per statistics bucket */
  guint32 srv_qlen, srv_conns, srv_persistent; /* now, all core servers together */
  guint64 registrations;
  guint64 registrations_initial; /* of those, initial ones */
  CsIntervalStats ival_normal, ival_initial; /* sums in mean_s until read */
};
