/* module-private.h — the state of module servers and Direct Connect; module.c only. */
#pragma once
#include "module.h"

struct CsModules {
  GArray *modules;         /* CsModule */
  GArray *dc;              /* CsDcSession */
  GArray *satellites;      /* CsSatellite */
  guint8 *no_cert;         /* per client: lacks the DC client certificate (NULL: all have it) */
  guint32 no_cert_len;     /* clients no_cert covers */
};
