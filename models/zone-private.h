/* zone-private.h — the state of zone servers; zone.c only. */
#pragma once
#include "zone.h"

struct CsZones {
  GArray *zones;           /* CsZone */
  SimConnId *ext_conn;     /* per client: its persistent (or fetch) connection at its zone server */
  SimConnId *ext_reg;      /* per client: its registration in progress at its zone server */
  guint32 ext_conn_len;    /* clients ext_conn and ext_reg cover */
};
