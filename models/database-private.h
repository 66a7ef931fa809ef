/* database-private.h — the state of databases; database.c only. */
#pragma once
#include "database.h"

/* A core server's database (database.c). */
typedef struct {
  SimNodeId node;
  char *name;
  guint32 server;          /* its core server */
  guint32 workers;
  SimTime write_ms;        /* time per write */
  guint32 busy;
  GArray *queue;           /* guint64: connection << 32 | token, from qhead */
  guint32 qhead, qlen, queue_peak;
  guint64 writes;
} CsDatabase;

/* A job held by its server until the database has written it. */
typedef struct {
  guint32 token;
  CsJob job;               /* kind CS_JOB_NONE once written */
  SimTime since;           /* when it was first sent */
} CsHeld;

CsDatabase *cs_db_rec(const CsWorld *w, guint32 db);

struct CsDatabases {
  GArray *dbs;             /* CsDatabase */
  CsHist db_latency;       /* a write, from the server's first send to its acknowledgement */
};
