/* bits.h — byte bitmaps: bit i in byte i / 8, bit i % 8 (the shard sets'
 * layout, the same on every host). */
#pragma once
#include <glib.h>

static inline gsize cs_bits_bytes(guint32 nbits) { return ((gsize) nbits + 7) / 8; }
static inline gboolean cs_bit_get(const guint8 *b, guint32 i) { return (b[i >> 3] >> (i & 7)) & 1; }
static inline void cs_bit_set(guint8 *b, guint32 i) { b[i >> 3] |= (guint8) (1u << (i & 7)); }
static inline void cs_bit_clear(guint8 *b, guint32 i) { b[i >> 3] &= (guint8) ~(1u << (i & 7)); }
