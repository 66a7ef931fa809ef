/* shards-private.h — the state of file distribution; shards.c only. */
#pragma once
#include "shards.h"

typedef struct {
  double bps;              /* payload bits/s, 0 = unlimited */
  guint32 concurrent;      /* transfers at once, 0 = unlimited */
} CsThrottle;

/* A fetch waiting for a throttle slot, in its subnet's line. */
typedef struct {
  SimNodeId server;
  SimConnId conn;
  guint32 client;
  CsShardReq *req;
  guint64 seq;             /* arrival order */
  guint32 next;            /* the next in its subnet's line, index + 1; 0 = none */
} CsQueuedFetch;

/* A subnet's fetches waiting for a slot, first come first served. */
typedef struct {
  guint32 head, tail;      /* CsQueuedFetch index + 1; 0 = none */
} CsFetchLine;

struct CsShards {
  GArray *files;           /* CsFile */
  guint64 cache_peak;      /* the largest cache any client held */
  guint64 evictions;       /* shards evicted from caches */
  guint64 stamp;           /* cache use counter */
  CsThrottle throttle_all; /* server → client traffic, all clients */
  GArray *throttle_subnet; /* CsThrottle per subnet (bps 0 = none) */
  GArray *throttle_active; /* guint32 per subnet: transfers in progress */
  guint32 active_all;
  GArray *fetch_queue;     /* CsQueuedFetch: fetches waiting for a throttle slot
                            * (slots reused through fetch_free) */
  GArray *fetch_free;      /* guint32: free fetch_queue slots */
  GArray *fetch_lines;     /* CsFetchLine per subnet */
  SimIheap fetch_ready;    /* subnets whose first waiting fetch has a subnet slot,
                            * by that fetch's arrival (its seq) */
  guint64 fetch_seq;       /* next arrival number */
  GHashTable *serving;     /* client + 1 → the server's stream of shards to it
                            * (shards.c: a fetch again merges into it) */
};
