/* client.h — what the other modules may ask of clients (client.c).  The
 * client table (CsClient) is the world's; the clients' own books are in
 * client-private.h, which only client.c includes. */
#pragma once
#include "world-private.h"

CsClients *cs_clients_new(CsWorld *w);
void cs_clients_free(CsWorld *w);
/* An action's package is on the client: run it. */
void cs_client_run_action(CsWorld *w, CsClient *c, guint32 action);
void cs_client_send(CsWorld *w, CsClient *c, SimConnId conn, SimMsg *m);
/* Books what a client sends another (peer_bytes; cs_client_send does it),
 * for bytes sent without a message of their own (sim_send_unheard). */
void cs_client_book_peer(CsWorld *w, SimConnId conn, SimNodeId from, SimClass cls, guint64 size);

/* Whether a client peers (FALSE: external, or peering off). */
gboolean cs_client_peers(const CsWorld *w, const CsClient *c);
SimNodeId cs_client_server_node(const CsWorld *w, const CsClient *c);
/* The TLS handshake a client's new connection to its server costs (SimTls):
 * none, full, or abbreviated when it resumes a recent session. */
guint cs_client_server_tls(const CsWorld *w, const CsClient *c);

/* Adds an entry to the client's answer batch (opening one, and its
 * batching window, if none is open), as its own answers are added. */
void cs_client_report(CsWorld *w, CsClient *c, const CsEntry *e);
extern const SimNodeKind cs_client_kind;
void cs_client_leave(CsWorld *w, guint32 client);
