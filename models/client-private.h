/* client-private.h — the clients' own books; client.c only. */
#pragma once
#include "client.h"

struct CsClients {
  guint64 peer_bytes[CS_CLS_COUNT]; /* payload bytes sent client to client, per class */
};
