/* server.h — what the other modules may ask of core servers (server.c).
 * Its state (the servers, the registration books, the load per bucket, the
 * per-client last_seen) is in server-private.h, which only server.c
 * includes. */
#pragma once
#include "world-private.h"

CsServers *cs_servers_new(CsWorld *w);
void cs_servers_free(CsWorld *w);
/* Books a new core server's record (NULL params: the defaults); returns its index. */
guint32 cs_server_append(CsWorld *w, SimNodeId node, const char *name, const CsServerParams *params);
/* Clients first.. (to the last) were just created: the per-client books grow. */
void cs_servers_clients_added(CsWorld *w, guint32 first);
/* Jobs waiting at all core servers together went up or down by `delta`
 * (database.c: a job held for its write still waits for its reply). */
void cs_server_note_queued(CsWorld *w, gint32 delta);
void cs_world_note_interval(CsWorld *w, gboolean initial, SimTime interval);
/* The server load bucket of now (created, carrying the current levels, on first use). */
CsServerLoad *cs_world_load_now(CsWorld *w);
/* Books kept by the world when a server completes a registration. */
void cs_world_note_registration(CsWorld *w, guint32 client, SimTime latency);
extern const SimNodeKind cs_server_kind;
/* Questions are pushed to leaders and along chains (not only at registration). */
static inline gboolean cs_questions_pushed(const CsWorld *w) { return w->p.question_delivery == CS_QD_PUSH; }
void cs_job_blob_free(guint8 kind, gpointer blob);
void cs_server_push_question(CsWorld *w, guint32 q);
void cs_server_push_action(CsWorld *w, guint32 a);
void cs_server_sample(CsWorld *w);
