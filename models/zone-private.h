/* zone-private.h — the state of zone servers; zone.c only. */
#pragma once
#include "zone.h"

/* A zone server in the DMZ: terminates external clients, relays over the
 * tunnel its hub opens.  (Its Direct Connect proxy's state is module.c's.) */
typedef struct {
  SimNodeId node;
  char *name;
  guint32 hub;             /* core server index whose hub keeps the tunnel */
  SimConnId tunnel;        /* the hub's connection, at this end; 0 = down */
  GArray *leaders;         /* SimConnId of external clients' persistent connections, in
                            * arrival order; 0 where one closed (the zone's tag on a
                            * connection is its index + 1, so a close is O(1)) */
  guint32 leaders_dead;    /* zeros in leaders; compacted when they are half */
  SimConnId hub_conn;      /* the same tunnel at the hub's end; 0 = down */
  guint32 tunnel_drops;    /* times the tunnel went down */
} CsZone;

/* A connection remembered for later, with its generation then: a record
 * closed and reused since (sim_conn_same) is not the same connection. */
typedef struct {
  SimConnId conn;
  guint32 gen;
} CsZoneConn;

struct CsZones {
  GArray *zones;           /* CsZone */
  CsZoneConn *ext_conn;    /* per client: its persistent (or fetch) connection at its zone server */
  CsZoneConn *ext_reg;     /* per client: its registration in progress at its zone server */
  guint32 ext_conn_len;    /* clients ext_conn and ext_reg cover */
};
