/* shards.h — what the other modules may ask of file distribution (shards.c).
 * Its state (files, cache books, throttles, the fetch queue, the streams
 * being served) is in shards-private.h, which only shards.c includes. */
#pragma once
#include "world-private.h"

/* The module's state, created with the world and freed with it. */
CsShards *cs_shards_new(CsWorld *w);
void cs_shards_free(CsWorld *w);
/* The file a package of this name and size is (its manifest is created on
 * first use); CS_NONE for a package without files. */
guint32 cs_shards_file_for(CsWorld *w, const char *name, guint64 size);
CsShardSet *cs_shard_set_new(guint32 file, guint32 nbits);
CsShardSet *cs_shard_set_copy(const CsShardSet *s);
guint32 cs_shard_set_count(const CsShardSet *s);
void cs_shard_req_free(gpointer p);
void cs_shard_data_free(gpointer p);
CsFile *cs_file_rec(const CsWorld *w, guint32 file);
/* Client side: an action with a file became due on this client. */
void cs_shards_want(CsWorld *w, CsClient *c, guint32 action);
void cs_shards_on_request(CsWorld *w, CsClient *c, CsShardReq *req);
void cs_shards_on_data(CsWorld *w, CsClient *c, CsShardData *d);
void cs_shards_retry(CsWorld *w, CsClient *c);
void cs_shards_client_reset(CsClient *c);
/* Client connection events for shard sends and direct fetches; TRUE when
 * the connection was one of those. */
gboolean cs_shards_connected(CsWorld *w, CsClient *c, SimConnId conn);
gboolean cs_shards_conn_gone(CsWorld *w, CsClient *c, SimConnId conn);
void cs_shards_throttle_done(CsWorld *w, SimNodeId server, guint64 arg);
/* Server side: send the shards of a fetch back on conn. */
void cs_shards_serve(CsWorld *w, SimNodeId server, SimConnId conn, guint32 client, CsShardReq *req);
