/* iheap.h — an indexed min-heap of movable entries.
 *
 * The event queue (evq.h) cancels lazily: a cancelled entry stays until it
 * pops.  That is right for timers, which rarely move, and wrong for bulk-flow
 * completions, which move every time a neighbour joins or leaves the fair
 * share: a component of n flows would leave n dead entries behind per change
 * (at 10^5 endpoints the queue was mostly garbage).  Here each id (a flow)
 * has at most one entry, and moving it sifts it in place.
 *
 * Entries use evq's key layout, (time, seq << SLOT_BITS | id), with the
 * sequence drawn from the event queue's counter, so an entry and an event
 * compare exactly as two events would: the kernel merges both queues into
 * one total order.  Cost: O(log4 n) per set, remove and pop; 24 bytes per
 * entry plus 4 per id. */
#pragma once
#include "evq.h"

typedef struct {
  SimEvqEntry *heap; /* 4-ary heap, root at 0 */
  guint32 *pos;      /* id -> heap index + 1, 0 = not queued */
  gsize len, cap;    /* entries, allocated entries */
  gsize npos;        /* ids the position array covers */
} SimIheap;

void sim_iheap_init(SimIheap *h);
void sim_iheap_clear(SimIheap *h);
/* Queues id at (time, seq), or moves it there if it is queued already. */
void sim_iheap_set(SimIheap *h, guint32 id, SimTime time, guint64 seq);
void sim_iheap_remove(SimIheap *h, guint32 id);
gboolean sim_iheap_contains(const SimIheap *h, guint32 id);
/* The earliest entry, NULL when empty. */
static inline const SimEvqEntry *sim_iheap_top(const SimIheap *h) { return h->len ? &h->heap[0] : NULL; }
static inline guint32 sim_iheap_id(const SimEvqEntry *e) { return sim_evq_slot(e); }
static inline gsize sim_iheap_len(const SimIheap *h) { return h->len; }
