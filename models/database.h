/* database.h — what the other modules may ask of core servers' databases
 * (database.c).  Its state (the databases, and each core server's side of
 * its database: the connection and the jobs held for their writes) is in
 * database-private.h, which only database.c includes. */
#pragma once
#include "world-private.h"

CsDatabases *cs_databases_new(CsWorld *w);
void cs_databases_free(CsWorld *w);
extern const SimNodeKind cs_db_kind;
/* The core server's side (`server` is its node). */
void cs_db_server_connect(CsWorld *w, SimNodeId server);
gboolean cs_db_server_connected(CsWorld *w, SimNodeId server, SimConnId conn);
gboolean cs_db_server_conn_gone(CsWorld *w, SimNodeId server, SimConnId conn);
/* Whether the job changes state and must be written first. */
gboolean cs_db_needs_write(const CsWorld *w, SimNodeId server, const CsJob *j);
/* Holds the job until written (sends the write when the database is up). */
void cs_db_hold(CsWorld *w, SimNodeId server, const CsJob *j);
/* The held job a write acknowledgement releases; FALSE if none. */
gboolean cs_db_take_done(CsWorld *w, SimNodeId server, guint32 token, CsJob *out);
/* A crashed server: its held jobs are gone. */
void cs_db_server_reset(CsWorld *w, SimNodeId server);
