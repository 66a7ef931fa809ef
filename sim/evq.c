/* evq.c — 4-ary heap of inline (time, seq|slot) keys.  See evq.h. */
#include "evq.h"

#define entry_less sim_evq_entry_less

void sim_evq_init(SimEvq *q)
{
  q->heap = NULL;
  q->len = q->cap = 0;
  q->seq = 0;
}

void sim_evq_clear(SimEvq *q)
{
  g_free(q->heap);
  sim_evq_init(q);
}

void sim_evq_push(SimEvq *q, SimTime time, guint32 slot)
{
  g_return_if_fail(slot < SIM_EVQ_MAX_SLOTS);
  if (q->len == q->cap) {
    q->cap = q->cap ? q->cap * 2 : 1024;
    q->heap = g_renew(SimEvqEntry, q->heap, q->cap);
  }
  SimEvqEntry e = { time, (q->seq++ << SIM_EVQ_SLOT_BITS) | slot };
  gsize i = q->len++;
  /* Sift the hole up, then drop the new entry in. */
  while (i > 0) {
    gsize parent = (i - 1) >> 2;
    if (!entry_less(&e, &q->heap[parent]))
      break;
    q->heap[i] = q->heap[parent];
    i = parent;
  }
  q->heap[i] = e;
}

gboolean sim_evq_pop(SimEvq *q, SimTime *time, guint32 *slot)
{
  if (q->len == 0)
    return FALSE;
  *time = q->heap[0].time;
  *slot = (guint32) (q->heap[0].key & (SIM_EVQ_MAX_SLOTS - 1));
  SimEvqEntry last = q->heap[--q->len];
  gsize n = q->len, i = 0;
  if (n == 0)
    return TRUE;
  for (;;) {
    gsize c = 4 * i + 1;
    if (c >= n)
      break;
    gsize best = c;
    gsize end = c + 4 < n ? c + 4 : n;
    for (gsize k = c + 1; k < end; k++)
      if (entry_less(&q->heap[k], &q->heap[best]))
        best = k;
    if (!entry_less(&q->heap[best], &last))
      break;
    q->heap[i] = q->heap[best];
    i = best;
  }
  q->heap[i] = last;
  return TRUE;
}
