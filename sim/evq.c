/* evq.c — radix heap of inline (time, seq|slot) entries.  See evq.h. */
#include "evq.h"
#include <string.h>

#define entry_less sim_evq_entry_less

/* Signed times in unsigned order, so bucket arithmetic works on negative
 * times too (the queue itself has no notion of "now"). */
static inline guint64 ukey(SimTime t) { return (guint64) t ^ (G_GUINT64_CONSTANT(1) << 63); }

static inline int bucket_of(const SimEvq *q, guint64 u)
{
  return u == q->last ? 0 : 64 - __builtin_clzll(u ^ q->last);
}

static inline void append(SimEvqBucket *b, SimEvqEntry e)
{
  if (b->len == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 64;
    b->e = g_renew(SimEvqEntry, b->e, b->cap);
  }
  b->e[b->len++] = e;
}

void sim_evq_init(SimEvq *q) { memset(q, 0, sizeof *q); }

void sim_evq_clear(SimEvq *q)
{
  for (int i = 0; i < SIM_EVQ_BUCKETS; i++)
    g_free(q->b[i].e);
  g_free(q->early.e);
  sim_evq_init(q);
}

/* --- the early heap: a binary min-heap, usually a handful of entries ---------- */

static void early_push(SimEvqBucket *h, SimEvqEntry e)
{
  append(h, e);
  guint32 i = h->len - 1;
  while (i > 0 && entry_less(&e, &h->e[(i - 1) / 2])) {
    h->e[i] = h->e[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->e[i] = e;
}

static SimEvqEntry early_pop(SimEvqBucket *h)
{
  SimEvqEntry top = h->e[0], e = h->e[--h->len];
  guint32 i = 0, n = h->len;
  for (guint32 c; (c = 2 * i + 1) < n; i = c) {
    if (c + 1 < n && entry_less(&h->e[c + 1], &h->e[c]))
      c++;
    if (!entry_less(&h->e[c], &e))
      break;
    h->e[i] = h->e[c];
  }
  if (n)
    h->e[i] = e;
  return top;
}

/* --- the buckets ------------------------------------------------------------------ */

void sim_evq_push_hint(SimEvq *q, SimTime time, guint32 slot, guint32 hint)
{
  g_return_if_fail(slot < SIM_EVQ_MAX_SLOTS);
  SimEvqEntry e = { time, (q->seq++ << SIM_EVQ_SLOT_BITS) | slot, hint };
  guint64 u = ukey(time);
  if (u < q->last)
    early_push(&q->early, e);
  else
    append(&q->b[bucket_of(q, u)], e);
  q->len++;
}

/* Makes bucket 0 hold the buckets' earliest entries (buckets not empty):
 * the earliest time becomes "last", and its bucket spreads, in order, over
 * the (empty) buckets below it. */
static void advance(SimEvq *q)
{
  SimEvqBucket *b0 = &q->b[0];
  if (q->head0 < b0->len)
    return;
  q->head0 = b0->len = 0;
  int k = 1;
  while (q->b[k].len == 0)
    k++;
  SimEvqBucket *src = &q->b[k];
  SimTime min = src->e[0].time;
  for (guint32 i = 1; i < src->len; i++)
    min = MIN(min, src->e[i].time);
  q->last = ukey(min);
  for (guint32 i = 0; i < src->len; i++)
    append(&q->b[bucket_of(q, ukey(src->e[i].time))], src->e[i]);
  src->len = 0;
  if (src->cap > 4096) {
    /* A high bucket fills slowly again: do not keep its peak size meanwhile
     * (65 buckets at their peaks held far more than the pending events). */
    g_free(src->e);
    src->e = NULL;
    src->cap = 0;
  }
}

const SimEvqEntry *sim_evq_top(SimEvq *q)
{
  if (q->len == 0)
    return NULL;
  if (q->early.len)
    return &q->early.e[0];
  advance(q);
  return &q->b[0].e[q->head0];
}

gboolean sim_evq_pop_entry(SimEvq *q, SimEvqEntry *out)
{
  if (q->len == 0)
    return FALSE;
  if (q->early.len) {
    *out = early_pop(&q->early);
  } else {
    advance(q);
    SimEvqBucket *b0 = &q->b[0];
    *out = b0->e[q->head0++];
    if (q->head0 == b0->len)
      q->head0 = b0->len = 0;
  }
  q->len--;
  return TRUE;
}
