/* iheap.c — indexed 4-ary heap of movable (time, seq|id) entries.  See iheap.h. */
#include "iheap.h"
#include <string.h>

#define less sim_evq_entry_less

void sim_iheap_init(SimIheap *h)
{
  h->heap = NULL;
  h->pos = NULL;
  h->len = h->cap = h->npos = 0;
}

void sim_iheap_clear(SimIheap *h)
{
  g_free(h->heap);
  g_free(h->pos);
  sim_iheap_init(h);
}

static inline void place(SimIheap *h, gsize i, SimEvqEntry e)
{
  h->heap[i] = e;
  h->pos[sim_iheap_id(&e)] = (guint32) i + 1;
}

static void sift_up(SimIheap *h, gsize i, SimEvqEntry e)
{
  while (i > 0) {
    gsize parent = (i - 1) >> 2;
    if (!less(&e, &h->heap[parent]))
      break;
    place(h, i, h->heap[parent]);
    i = parent;
  }
  place(h, i, e);
}

static void sift_down(SimIheap *h, gsize i, SimEvqEntry e)
{
  gsize n = h->len;
  for (;;) {
    gsize c = 4 * i + 1;
    if (c >= n)
      break;
    gsize best = c, end = c + 4 < n ? c + 4 : n;
    for (gsize k = c + 1; k < end; k++)
      if (less(&h->heap[k], &h->heap[best]))
        best = k;
    if (!less(&h->heap[best], &e))
      break;
    place(h, i, h->heap[best]);
    i = best;
  }
  place(h, i, e);
}

gboolean sim_iheap_contains(const SimIheap *h, guint32 id)
{
  return id < h->npos && h->pos[id] != 0;
}

void sim_iheap_set(SimIheap *h, guint32 id, SimTime time, guint64 seq)
{
  g_return_if_fail(id < SIM_EVQ_MAX_SLOTS);
  if (id >= h->npos) {
    gsize n = MAX(h->npos * 2, 1024);
    while (n <= id)
      n *= 2;
    h->pos = g_renew(guint32, h->pos, n);
    memset(h->pos + h->npos, 0, (n - h->npos) * sizeof *h->pos);
    h->npos = n;
  }
  SimEvqEntry e = { time, seq << SIM_EVQ_SLOT_BITS | id, 0, 0 };
  if (h->pos[id]) {
    gsize i = h->pos[id] - 1;
    gboolean up = less(&e, &h->heap[i]);
    if (up)
      sift_up(h, i, e);
    else
      sift_down(h, i, e);
    return;
  }
  if (h->len == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 1024;
    h->heap = g_renew(SimEvqEntry, h->heap, h->cap);
  }
  sift_up(h, h->len++, e);
}

void sim_iheap_remove(SimIheap *h, guint32 id)
{
  if (!sim_iheap_contains(h, id))
    return;
  gsize i = h->pos[id] - 1;
  h->pos[id] = 0;
  SimEvqEntry last = h->heap[--h->len];
  if (i == h->len)
    return;
  if (less(&last, &h->heap[i]))
    sift_up(h, i, last);
  else
    sift_down(h, i, last);
}
