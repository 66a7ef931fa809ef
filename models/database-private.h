/* database-private.h — the state of databases; database.c only. */
#pragma once
#include "database.h"

struct CsDatabases {
  GArray *dbs;             /* CsDatabase */
  CsHist db_latency;       /* a write, from the server's first send to its acknowledgement */
};
