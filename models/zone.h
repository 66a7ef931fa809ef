/* zone.h — what the other modules may ask of zone servers and the zone hub
 * (zone.c).  Its state (the zone servers, external clients' connections at
 * them) is in zone-private.h, which only zone.c includes. */
#pragma once
#include "world-private.h"

CsZones *cs_zones_new(CsWorld *w);
void cs_zones_free(CsWorld *w);
/* Books a new zone server's record (node, name, its hub's core server index);
 * returns its index. */
guint32 cs_zone_append(CsWorld *w, SimNodeId node, const char *name, guint32 hub);
extern const SimNodeKind cs_zone_kind;
void cs_zone_push(CsWorld *w, CsMsgType type, SimClass cls, guint32 size, guint32 id);
/* The hub's end of a tunnel: the server relays a message for client u. */
void cs_hub_start(CsWorld *w, guint32 server);
/* Core server `server` crashed: its hub's tunnels are gone. */
void cs_hub_crashed(CsWorld *w, guint32 server);
gboolean cs_hub_connected(CsWorld *w, SimNodeId server, SimConnId conn);
gboolean cs_hub_conn_gone(CsWorld *w, SimNodeId server, SimConnId conn);
void cs_hub_retry(CsWorld *w, SimNodeId server, guint64 zone);
gboolean cs_conn_is_tunnel(const CsWorld *w, SimConnId conn);
