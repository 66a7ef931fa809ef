/* evq.c — radix heap of inline (time, seq|slot) entries in block lists.
 * See evq.h. */
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

/* --- blocks ---------------------------------------------------------------------- */

static SimEvqBlock *block_new(SimEvq *q)
{
  SimEvqBlock *k = q->free;
  if (k)
    q->free = k->next;
  else
    k = g_new(SimEvqBlock, 1);
  k->next = NULL;
  k->len = 0;
  return k;
}

static inline void block_free(SimEvq *q, SimEvqBlock *k)
{
  k->next = q->free;
  q->free = k;
}

static void blocks_free(SimEvqBlock *k)
{
  while (k) {
    SimEvqBlock *next = k->next;
    g_free(k);
    k = next;
  }
}

static inline void append(SimEvq *q, SimEvqBucket *b, const SimEvqEntry *e)
{
  SimEvqBlock *t = b->tail;
  if (G_UNLIKELY(!t || t->len == SIM_EVQ_BLOCK)) {
    SimEvqBlock *k = block_new(q);
    if (t)
      t->next = k;
    else
      b->head = k;
    b->tail = t = k;
  }
  t->e[t->len++] = *e;
}

void sim_evq_init(SimEvq *q) { memset(q, 0, sizeof *q); }

void sim_evq_clear(SimEvq *q)
{
  for (int i = 0; i < SIM_EVQ_BUCKETS; i++)
    blocks_free(q->b[i].head);
  blocks_free(q->free);
  g_free(q->early.e);
  sim_evq_init(q);
}

/* --- the early heap: a binary min-heap, usually a handful of entries ---------- */

static void early_push(SimEvqHeap *h, SimEvqEntry e)
{
  if (h->len == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 64;
    h->e = g_renew(SimEvqEntry, h->e, h->cap);
  }
  guint32 i = h->len++;
  while (i > 0 && entry_less(&e, &h->e[(i - 1) / 2])) {
    h->e[i] = h->e[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->e[i] = e;
}

static SimEvqEntry early_pop(SimEvqHeap *h)
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

void sim_evq_push_hint(SimEvq *q, SimTime time, guint32 slot, guint32 hint, guint32 tag)
{
  g_return_if_fail(slot < SIM_EVQ_MAX_SLOTS);
  SimEvqEntry e = { time, (q->seq++ << SIM_EVQ_SLOT_BITS) | slot, hint, tag };
  guint64 u = ukey(time);
  if (u < q->last)
    early_push(&q->early, e);
  else
    append(q, &q->b[bucket_of(q, u)], &e);
  q->len++;
}

static inline gboolean bucket_empty(const SimEvqBucket *b) { return b->head == NULL; }

/* Makes bucket 0 hold the buckets' earliest entries (buckets not empty):
 * the earliest time becomes "last", and its bucket spreads, in order, over
 * the (empty) buckets below it, each of its blocks going back to the free
 * list as soon as it is read. */
static void advance(SimEvq *q)
{
  if (!bucket_empty(&q->b[0]))
    return;
  int k = 1;
  while (bucket_empty(&q->b[k]))
    k++;
  SimEvqBucket *src = &q->b[k];
  SimTime min = src->head->e[0].time;
  for (const SimEvqBlock *blk = src->head; blk; blk = blk->next)
    for (guint32 i = 0; i < blk->len; i++)
      min = MIN(min, blk->e[i].time);
  q->last = ukey(min);
  SimEvqBlock *blk = src->head;
  src->head = src->tail = NULL;
  while (blk) {
    for (guint32 i = 0; i < blk->len; i++)
      append(q, &q->b[bucket_of(q, ukey(blk->e[i].time))], &blk->e[i]);
    SimEvqBlock *next = blk->next;
    block_free(q, blk);
    blk = next;
  }
}

const SimEvqEntry *sim_evq_top(SimEvq *q)
{
  if (q->len == 0)
    return NULL;
  if (q->early.len)
    return &q->early.e[0];
  advance(q);
  SimEvqBucket *b0 = &q->b[0];
  return &b0->head->e[b0->pos];
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
    SimEvqBlock *h = b0->head;
    *out = h->e[b0->pos++];
    if (b0->pos == h->len) {
      /* The head block is used up: drop it (bucket 0 empties when it was
       * also the tail). */
      b0->head = h->next;
      if (!b0->head)
        b0->tail = NULL;
      b0->pos = 0;
      block_free(q, h);
    }
  }
  q->len--;
  return TRUE;
}
