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

/* A core server's side of its database: the connection and the jobs it holds. */
typedef struct {
  guint32 db;              /* its database, CS_NONE */
  SimConnId db_conn;       /* to it, 1433 */
  gboolean db_open;        /* db_conn is connected */
  guint32 db_token;        /* last write token */
  GArray *held;            /* CsHeld, in order, from held_head */
  guint32 held_head;
  guint32 db_waiting, db_waiting_peak; /* jobs held for their write */
} CsDbLink;

CsDatabase *cs_db_rec(const CsWorld *w, guint32 db);

struct CsDatabases {
  GArray *dbs;             /* CsDatabase */
  GArray *links;           /* CsDbLink per core server, up to the last with a database */
  CsHist db_latency;       /* a write, from the server's first send to its acknowledgement */
};
