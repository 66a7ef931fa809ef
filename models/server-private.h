/* server-private.h — the state of core servers; server.c only. */
#pragma once
#include "server.h"

/* A core server (its database side is database.c's). */
typedef struct {
  SimNodeId node;
  char *name;
  CsServerParams p;
  guint32 busy;            /* workers serving */
  GArray *queue;           /* CsJob ring, FIFO */
  guint32 qhead, qlen;     /* ring position and length */
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
