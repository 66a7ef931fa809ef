/* classes.c — the protocol's traffic classes.  See classes.h. */
#include "classes.h"
#include "stats.h"

const char *const cs_class_names[CS_CLS_COUNT + 1] = {
  "registration", "question", "answer", "action", "shard", "peer", "direct_connect", "tunnel", "bulk", NULL,
};

void cs_classes_register(Sim *sim)
{
  for (guint c = 0; c < CS_CLS_COUNT; c++) {
    SimClass id = sim_class_register(sim, cs_class_names[c]);
    g_assert(id == c); /* a fresh Sim: ids follow registration order */
  }
}
