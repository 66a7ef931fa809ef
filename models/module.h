/* module.h — what the other modules may ask of module servers, Direct
 * Connect and satellites (module.c).  Its state is in module-private.h, which
 * only module.c includes. */
#pragma once
#include "world-private.h"

CsModules *cs_modules_new(CsWorld *w);
void cs_modules_free(CsWorld *w);
extern const SimNodeKind cs_module_kind;
/* Core server: the module server asked for an open-session action. */
/* Endpoint: an open-session action began downloading its file. */
void cs_dc_downloading(CsWorld *w, guint32 session);
void cs_dc_deploy(CsWorld *w, guint32 session);
/* Endpoint: the open-session action ran; connect for the session. */
void cs_dc_endpoint_open(CsWorld *w, CsClient *c, guint32 session);
gboolean cs_dc_endpoint_connected(CsWorld *w, CsClient *c, SimConnId conn);
gboolean cs_dc_endpoint_failed(CsWorld *w, CsClient *c, SimConnId conn, SimConnError why);
/* The endpoint's connection `conn` closed: TRUE when it was its Direct
 * Connect session's (module.c keeps that, only for endpoints that opened one). */
gboolean cs_dc_endpoint_closed(CsWorld *w, CsClient *c, SimConnId conn);
/* The endpoint starts afresh: it has no session open. */
void cs_dc_endpoint_reset(CsWorld *w, CsClient *c);
void cs_dc_endpoint_message(CsWorld *w, CsClient *c, SimConnId conn, SimMsg *m);
void cs_dc_failed(CsWorld *w, guint32 session, CsDcReason why);
/* Zone proxy side (zone.c calls these): zone server `zone` (its node `node`)
 * got a message; TRUE if it was the proxy's. */
gboolean cs_dc_proxy_message(CsWorld *w, guint32 zone, SimNodeId node, SimConnId conn, SimMsg *m);
/* Zone server `zone` (re)started or crashed: its proxy knows no connection. */
void cs_dc_proxy_reset(CsWorld *w, guint32 zone);
/* A connection at zone server `zone` closed: the proxy forgets it if it was
 * a module server's. */
void cs_dc_proxy_closed(CsWorld *w, guint32 zone, SimConnId conn);
void cs_dc_endpoint_scan_done(CsWorld *w, CsClient *c, guint32 session);
