/* module-private.h — the state of module servers and Direct Connect; module.c only. */
#pragma once
#include "module.h"

typedef struct {
  SimNodeId node;
  char *name;
  guint32 core;            /* core server index it talks to over 443 */
  gboolean server_cert;    /* has its Direct Connect server certificate */
  SimConnId core_conn;     /* to the core server, 443 */
  guint32 retries;         /* failed connects a waiting session sits through before its error */
  GArray *proxy_conns;     /* SimConnId per zone: to the zone proxy (17487), 0 = none */
  GArray *ctl_conns;       /* SimConnId per zone: to the zone proxy's 17488, 0 = none */
  GArray *pending;         /* guint32 sessions waiting for core_conn */
} CsModule;

typedef struct {
  guint32 client;
  guint32 module;          /* module server index */
  CsDcState state;
  CsDcReason reason;
  gboolean test;           /* test connection: not kept */
  gint32 satellite;        /* satellite id, or -1 */
  SimTime keep_for;        /* 0: to the end of the run */
  SimTime requested, opened, last_msg;
  SimTime closed_at;       /* when it closed (its duration stops there), -1 while open */
  guint32 tries;           /* failed connects of a channel it waits on, since its request */
  SimConnId conn;          /* at the module server (or its proxy connection) */
} CsDcSession;

typedef struct {
  guint32 client;
  guint32 module;
  gboolean verified;
  guint32 session;
  const char *status;      /* static string */
} CsSatellite;

/* A zone server's Direct Connect proxy (17486/17487/17488): what it knows of
 * the module server behind it and of the endpoints it relays for. */
typedef struct {
  SimConnId ms_conn;       /* the module server's connection (17487) */
  SimConnId ms_ctl;        /* the module server's 17488 connection */
  GArray *dc_links;        /* guint32 pairs (session, endpoint connection) */
} CsZoneProxy;

CsModule *cs_module_rec(const CsWorld *w, guint32 m);
CsDcSession *cs_dc_rec(const CsWorld *w, guint32 s);

/* An endpoint's side of Direct Connect: the connection of its session and
 * the session it is for.  Kept only for the clients that ever opened one
 * (the client record does not carry it). */
typedef struct {
  SimConnId conn;          /* 0: none open */
  guint32 session;
} CsDcEndpoint;

struct CsModules {
  GArray *modules;         /* CsModule */
  GArray *dc;              /* CsDcSession */
  GArray *satellites;      /* CsSatellite */
  GArray *proxies;         /* CsZoneProxy per zone server (grown on first use) */
  guint8 *no_cert;         /* per client: lacks the DC client certificate (NULL: all have it) */
  guint32 no_cert_len;     /* clients no_cert covers */
  GHashTable *endpoints;   /* client index + 1 → CsDcEndpoint (looked up, never walked);
                            * NULL until the first endpoint opens a session */
};
