/* evq.h — the pending-event queue.
 *
 * A 4-ary min-heap of 16-byte keys kept inline: (time, seq<<26 | slot).  The
 * sequence number is assigned at push, so equal times pop in insertion order
 * and the order is total and deterministic.  The slot names the event record
 * (owned by the caller) and is only read at pop, so sifting never touches the
 * records themselves.  Cost: O(log4 n) push and pop, 16 bytes per pending
 * event; up to 2^26 pending events and 2^38 pushes per run.
 *
 * Chosen by measurement with bench/phold against a binary heap of the same
 * keys and a heap of pointers to event records (see README, Performance). */
#pragma once
#include <glib.h>
#include "simtime.h"

#define SIM_EVQ_SLOT_BITS 26
#define SIM_EVQ_MAX_SLOTS (1u << SIM_EVQ_SLOT_BITS)

typedef struct {
  SimTime time; /* when the event fires */
  guint64 key;  /* insertion sequence << SLOT_BITS | record slot */
} SimEvqEntry;

typedef struct {
  SimEvqEntry *heap; /* 4-ary heap, root at 0 */
  gsize len;         /* pending entries */
  gsize cap;         /* allocated entries */
  guint64 seq;       /* next insertion sequence */
} SimEvq;

void sim_evq_init(SimEvq *q);
void sim_evq_clear(SimEvq *q);
void sim_evq_push(SimEvq *q, SimTime time, guint32 slot);

static inline gsize sim_evq_len(const SimEvq *q) { return q->len; }
static inline SimTime sim_evq_peek_time(const SimEvq *q) { return q->len ? q->heap[0].time : SIM_TIME_NEVER; }

/* The earliest entry, NULL when empty. */
static inline const SimEvqEntry *sim_evq_top(const SimEvq *q) { return q->len ? &q->heap[0] : NULL; }
/* Draws the next insertion sequence (for entries of another queue that must
 * interleave with this one's in one total order). */
static inline guint64 sim_evq_next_seq(SimEvq *q) { return q->seq++; }
static inline gboolean sim_evq_entry_less(const SimEvqEntry *a, const SimEvqEntry *b)
{
  return a->time < b->time || (a->time == b->time && a->key < b->key);
}

/* Removes the earliest entry; FALSE when empty. */
gboolean sim_evq_pop(SimEvq *q, SimTime *time, guint32 *slot);
