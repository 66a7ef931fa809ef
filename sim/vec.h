/* vec.h — an append-only vector in fixed chunks.
 *
 * For the big per-entity tables (nodes, links, clients): records never move,
 * so growing never copies the table and the slack is at most one chunk
 * (4096 records), where a doubling array wastes up to half its size and needs
 * both copies at once while it grows.  Lookup is two loads. */
#pragma once
#include <glib.h>
#include <string.h>

#define SIM_VEC_BITS 12
#define SIM_VEC_CHUNK (1u << SIM_VEC_BITS)

typedef struct {
  guint8 **chunks;  /* chunk pointers */
  guint32 nchunks;  /* chunks allocated */
  guint32 len;      /* records in use */
  guint32 elem;     /* bytes per record */
} SimVec;

static inline void sim_vec_init(SimVec *v, guint32 elem)
{
  memset(v, 0, sizeof *v);
  v->elem = elem;
}

static inline void sim_vec_clear(SimVec *v)
{
  for (guint32 i = 0; i < v->nchunks; i++)
    g_free(v->chunks[i]);
  g_free(v->chunks);
  sim_vec_init(v, v->elem);
}

static inline gpointer sim_vec_at(const SimVec *v, guint32 i)
{
  return v->chunks[i >> SIM_VEC_BITS] + (gsize) (i & (SIM_VEC_CHUNK - 1)) * v->elem;
}

/* Appends a copy of *item (zeroes when NULL); returns its index. */
static inline guint32 sim_vec_push(SimVec *v, gconstpointer item)
{
  guint32 i = v->len;
  if ((i >> SIM_VEC_BITS) >= v->nchunks) {
    v->chunks = g_renew(guint8 *, v->chunks, v->nchunks + 1);
    v->chunks[v->nchunks++] = g_malloc((gsize) SIM_VEC_CHUNK * v->elem);
  }
  v->len++;
  if (item)
    memcpy(sim_vec_at(v, i), item, v->elem);
  else
    memset(sim_vec_at(v, i), 0, v->elem);
  return i;
}
