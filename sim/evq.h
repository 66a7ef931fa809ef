/* evq.h — the pending-event queue.
 *
 * A radix heap of 24-byte entries kept inline: (time, seq<<26 | slot, hint,
 * tag).  The
 * sequence number is assigned at push, so equal times pop in insertion order
 * and the order is total and deterministic.  The slot names the event record
 * (owned by the caller) and is only read at pop, so the queue never touches
 * the records themselves.
 *
 * A radix heap keeps entries in 65 buckets by the highest bit in which their
 * time differs from the last popped time; bucket 0 holds the entries at
 * exactly that time, in push order.  A pop takes from bucket 0, or, when it
 * is empty, makes the earliest entry of the lowest non-empty bucket the new
 * "last" and spreads that bucket over the lower ones (each entry moves at
 * most once per bit of time, and only ever to a lower bucket).  Pushes are
 * appends.  So both are O(1) amortized plus O(log T) moves per entry, and
 * every access is sequential: no sift through a 4 MB heap that misses the
 * cache on every level.
 *
 * A bucket is a list of 16 KiB blocks from the queue's own free list: a
 * spread hands each block it has emptied straight to the buckets it fills,
 * so entries move without a realloc's copy, and the memory stays mapped
 * (growable arrays freed and grown afresh at every spread cost a tenth of a
 * PHOLD run in page faults and copies).  The queue keeps the blocks of its
 * peak until it is cleared.
 *
 * Finding the earliest entry (a pop, or a peek with sim_evq_top, which the
 * kernel needs to merge this queue with its flow queue) makes its time the
 * new "last".  A push earlier than "last" (the kernel's events are never
 * earlier than its "now", but after a peek another queue's event may run and
 * push between its "now" and the peeked time) waits in a small binary heap
 * in front of the buckets, "early": everything in it is earlier than
 * everything in the buckets.  So any sequence of pushes and pops is served in
 * order; the buckets do the work as long as pushes mostly land at or after
 * the last time looked at.  (Peeking without advancing "last" instead would
 * rescan the lowest bucket on every peek.)
 *
 * Equal times pop in push order: entries of one time always share a bucket,
 * a bucket's entries are spread in order into empty lower buckets, and the
 * earliest of a time is the first of its time in its bucket.
 *
 * Chosen by measurement with bench/phold against a 4-ary heap of the same
 * keys (see README, Performance).  Up to 2^26 pending events and 2^38 pushes
 * per run. */
#pragma once
#include <glib.h>
#include "simtime.h"

#define SIM_EVQ_SLOT_BITS 26
#define SIM_EVQ_MAX_SLOTS (1u << SIM_EVQ_SLOT_BITS)
#define SIM_EVQ_BUCKETS 65

typedef struct {
  SimTime time; /* when the event fires */
  guint64 key;  /* insertion sequence << SLOT_BITS | record slot */
  guint32 hint; /* the caller's, carried along (the kernel: the record the
                 * event is about, node or message or connection, so it can
                 * prefetch them without reading the event's own record) */
  guint32 tag;  /* the caller's, carried along (the kernel: the event type) */
} SimEvqEntry;

/* Entries per block: blocks of 16 KiB (measured against 4 and 8 KiB with
 * bench/phold: 6 % more events/s than 8 KiB on the bare loop). */
#define SIM_EVQ_BLOCK 682

typedef struct SimEvqBlock SimEvqBlock;
struct SimEvqBlock {
  SimEvqBlock *next;      /* the bucket's next block, or the free list's */
  guint32 len;            /* entries in e */
  SimEvqEntry e[SIM_EVQ_BLOCK];
};

/* A bucket: a list of blocks, filled in push order. */
typedef struct {
  SimEvqBlock *head, *tail;
  guint32 pos;            /* bucket 0 is a FIFO: its next entry in head */
} SimEvqBucket;

/* A growable array (the early heap). */
typedef struct {
  SimEvqEntry *e;
  guint32 len, cap;
} SimEvqHeap;

typedef struct {
  SimEvqBucket b[SIM_EVQ_BUCKETS];
  SimEvqHeap early;  /* binary heap of entries earlier than `last` */
  SimEvqBlock *free; /* blocks not in a bucket, reused last out first */
  gsize len;         /* pending entries, all told */
  guint64 last;      /* the buckets' base time, order-mapped to unsigned */
  guint64 seq;       /* next insertion sequence */
} SimEvq;

void sim_evq_init(SimEvq *q);
void sim_evq_clear(SimEvq *q);
void sim_evq_push_hint(SimEvq *q, SimTime time, guint32 slot, guint32 hint, guint32 tag);
static inline void sim_evq_push(SimEvq *q, SimTime time, guint32 slot) { sim_evq_push_hint(q, time, slot, 0, 0); }

static inline gsize sim_evq_len(const SimEvq *q) { return q->len; }

/* The earliest entry, NULL when empty.  The pointer is good until the next
 * push or pop. */
const SimEvqEntry *sim_evq_top(SimEvq *q);
static inline SimTime sim_evq_peek_time(SimEvq *q)
{
  const SimEvqEntry *e = sim_evq_top(q);
  return e ? e->time : SIM_TIME_NEVER;
}

/* The slot (record, or another queue's id) an entry names. */
static inline guint32 sim_evq_slot(const SimEvqEntry *e) { return (guint32) (e->key & (SIM_EVQ_MAX_SLOTS - 1)); }

/* Draws the next insertion sequence (for entries of another queue that must
 * interleave with this one's in one total order). */
static inline guint64 sim_evq_next_seq(SimEvq *q) { return q->seq++; }
static inline gboolean sim_evq_entry_less(const SimEvqEntry *a, const SimEvqEntry *b)
{
  return a->time < b->time || (a->time == b->time && a->key < b->key);
}

/* Removes the earliest entry; FALSE when empty. */
gboolean sim_evq_pop_entry(SimEvq *q, SimEvqEntry *out);
static inline gboolean sim_evq_pop(SimEvq *q, SimTime *time, guint32 *slot)
{
  SimEvqEntry e = { 0, 0, 0, 0 };
  gboolean ok = sim_evq_pop_entry(q, &e);
  *time = e.time;
  *slot = sim_evq_slot(&e);
  return ok;
}
