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
void cs_dc_endpoint_message(CsWorld *w, CsClient *c, SimConnId conn, SimMsg *m);
void cs_dc_failed(CsWorld *w, guint32 session, CsDcReason why);
/* Zone proxy side (zone.c calls these). */
gboolean cs_dc_proxy_message(CsWorld *w, CsZone *z, SimConnId conn, SimMsg *m);
void cs_dc_endpoint_scan_done(CsWorld *w, CsClient *c, guint32 session);
