/* pool.h — a chunked pool of fixed-size records with a free list.
 *
 * Records live in chunks of 4096 and never move, so pointers stay valid while
 * other records are allocated.  Index 0 is reserved to mean "none".  Freed
 * records are reused last-in first-out.  No allocation per record once the
 * pool has grown to the working-set size. */
#pragma once
#include <glib.h>

#define SIM_POOL_CHUNK_BITS 12
#define SIM_POOL_CHUNK (1u << SIM_POOL_CHUNK_BITS)

typedef struct {
  guint8 **chunks;     /* chunk pointers */
  guint32 nchunks;     /* chunks allocated */
  guint32 elem_size;   /* bytes per record (>= 4: the free link) */
  guint32 next_fresh;  /* next never-used index */
  guint32 free_head;   /* first free index, 0 = none */
  guint32 live;        /* records in use */
} SimPool;

void sim_pool_init(SimPool *p, guint32 elem_size);
void sim_pool_clear(SimPool *p);
/* Returns the index of a zeroed record. */
guint32 sim_pool_alloc(SimPool *p);
void sim_pool_free(SimPool *p, guint32 idx);

static inline gpointer sim_pool_get(const SimPool *p, guint32 idx)
{
  return p->chunks[idx >> SIM_POOL_CHUNK_BITS] + (gsize) (idx & (SIM_POOL_CHUNK - 1)) * p->elem_size;
}
