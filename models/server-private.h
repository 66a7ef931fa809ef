/* server-private.h — the state of core servers; server.c only. */
#pragma once
#include "server.h"

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
