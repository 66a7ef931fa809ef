/* pool.c — chunked record pool.  See pool.h. */
#include "pool.h"
#include <string.h>

void sim_pool_init(SimPool *p, guint32 elem_size)
{
  memset(p, 0, sizeof *p);
  p->elem_size = MAX(elem_size, (guint32) sizeof(guint32));
  p->next_fresh = 1; /* index 0 means none */
}

void sim_pool_clear(SimPool *p)
{
  for (guint32 i = 0; i < p->nchunks; i++)
    g_free(p->chunks[i]);
  g_free(p->chunks);
  sim_pool_init(p, p->elem_size);
}

guint32 sim_pool_alloc(SimPool *p)
{
  guint32 idx;
  if (p->free_head) {
    idx = p->free_head;
    memcpy(&p->free_head, sim_pool_get(p, idx), sizeof(guint32));
  } else {
    idx = p->next_fresh++;
    guint32 chunk = idx >> SIM_POOL_CHUNK_BITS;
    if (chunk >= p->nchunks) {
      p->chunks = g_renew(guint8 *, p->chunks, chunk + 1);
      p->chunks[chunk] = g_malloc((gsize) SIM_POOL_CHUNK * p->elem_size);
      p->nchunks = chunk + 1;
    }
  }
  memset(sim_pool_get(p, idx), 0, p->elem_size);
  p->live++;
  return idx;
}

void sim_pool_free(SimPool *p, guint32 idx)
{
  g_return_if_fail(idx != 0);
  memcpy(sim_pool_get(p, idx), &p->free_head, sizeof(guint32));
  p->free_head = idx;
  p->live--;
}
