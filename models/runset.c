/* runset.c — sets of indices as intervals, or a bitmap once those grow. */
#include "runset.h"
#include "bits.h"
#include <string.h>

struct CsRunSet {
  guint32 nbits;
  guint32 n;    /* intervals in use */
  guint32 cap;  /* room for intervals; 0: the set is a bitmap */
  guint32 v[];  /* intervals: v[2k] the first index, v[2k + 1] one past the last;
                 * or the bitmap's bytes */
};

#define FIRST_CAP 4u

static guint8 *bitmap(CsRunSet *s) { return (guint8 *) s->v; }
static const guint8 *cbitmap(const CsRunSet *s) { return (const guint8 *) s->v; }
static gsize runs_bytes(guint32 cap) { return sizeof(CsRunSet) + (gsize) cap * 2 * sizeof(guint32); }
static gsize map_bytes(guint32 nbits) { return sizeof(CsRunSet) + cs_bits_bytes(nbits); }
/* Intervals stay while they take less room than the bitmap. */
static gboolean runs_fit(guint32 cap, guint32 nbits) { return runs_bytes(cap) < map_bytes(nbits); }

CsRunSet *cs_runset_new(guint32 nbits)
{
  gboolean runs = runs_fit(FIRST_CAP, nbits);
  CsRunSet *s = g_malloc0(runs ? runs_bytes(FIRST_CAP) : map_bytes(nbits));
  s->nbits = nbits;
  s->cap = runs ? FIRST_CAP : 0;
  return s;
}

void cs_runset_free(CsRunSet *s) { g_free(s); }
gboolean cs_runset_is_runs(const CsRunSet *s) { return s->cap != 0; }
gsize cs_runset_bytes(const CsRunSet *s) { return s->cap ? runs_bytes(s->cap) : map_bytes(s->nbits); }

/* How many intervals start at or below i. */
static guint32 starts_upto(const CsRunSet *s, guint32 i)
{
  guint32 lo = 0, hi = s->n;
  while (lo < hi) {
    guint32 mid = lo + (hi - lo) / 2;
    if (s->v[2 * mid] <= i)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

gboolean cs_runset_has(const CsRunSet *s, guint32 i)
{
  g_return_val_if_fail(i < s->nbits, FALSE);
  if (!s->cap)
    return cs_bit_get(cbitmap(s), i);
  guint32 k = starts_upto(s, i);
  return k > 0 && i < s->v[2 * k - 1];
}

static CsRunSet *to_bitmap(CsRunSet *s)
{
  CsRunSet *m = g_malloc0(map_bytes(s->nbits));
  m->nbits = s->nbits;
  guint8 *b = bitmap(m);
  for (guint32 k = 0; k < s->n; k++)
    for (guint32 i = s->v[2 * k]; i < s->v[2 * k + 1]; i++)
      cs_bit_set(b, i);
  g_free(s);
  return m;
}

gboolean cs_runset_add(CsRunSet **sp, guint32 i)
{
  CsRunSet *s = *sp;
  g_return_val_if_fail(i < s->nbits, FALSE);
  if (!s->cap) {
    if (cs_bit_get(bitmap(s), i))
      return FALSE;
    cs_bit_set(bitmap(s), i);
    return TRUE;
  }
  guint32 k = starts_upto(s, i); /* interval k - 1 starts at or below i, k above */
  if (k > 0 && i < s->v[2 * k - 1])
    return FALSE;
  gboolean joins_left = k > 0 && s->v[2 * k - 1] == i;
  gboolean joins_right = k < s->n && s->v[2 * k] == i + 1;
  if (joins_left && joins_right) {
    /* i fills the gap between two intervals: they become one. */
    s->v[2 * k - 1] = s->v[2 * k + 1];
    memmove(&s->v[2 * k], &s->v[2 * k + 2], (gsize) (s->n - k - 1) * 2 * sizeof(guint32));
    s->n--;
    return TRUE;
  }
  if (joins_left) {
    s->v[2 * k - 1] = i + 1;
    return TRUE;
  }
  if (joins_right) {
    s->v[2 * k] = i;
    return TRUE;
  }
  if (s->n == s->cap) {
    guint32 cap = s->cap * 2;
    if (!runs_fit(cap, s->nbits)) {
      *sp = s = to_bitmap(s);
      cs_bit_set(bitmap(s), i);
      return TRUE;
    }
    *sp = s = g_realloc(s, runs_bytes(cap));
    s->cap = cap;
  }
  memmove(&s->v[2 * k + 2], &s->v[2 * k], (gsize) (s->n - k) * 2 * sizeof(guint32));
  s->v[2 * k] = i;
  s->v[2 * k + 1] = i + 1;
  s->n++;
  return TRUE;
}

/* Sets bits [a, b) of a byte bitmap. */
static void set_range(guint8 *bits, guint32 a, guint32 b)
{
  while (a < b && (a & 7)) {
    cs_bit_set(bits, a);
    a++;
  }
  if (b - a >= 8) {
    memset(&bits[a >> 3], 0xff, (b - a) >> 3);
    a += (b - a) & ~7u;
  }
  for (; a < b; a++)
    cs_bit_set(bits, a);
}

void cs_runset_mark_missing(const CsRunSet *s, guint8 *bits)
{
  if (!s->cap) {
    const guint8 *have = cbitmap(s);
    gsize nb = cs_bits_bytes(s->nbits);
    for (gsize j = 0; j < nb; j++) {
      guint8 missing = (guint8) ~have[j];
      if (j == nb - 1 && (s->nbits & 7)) /* bits past nbits are not indices */
        missing &= (guint8) ((1u << (s->nbits & 7)) - 1);
      bits[j] |= missing;
    }
    return;
  }
  guint32 from = 0;
  for (guint32 k = 0; k < s->n; k++) {
    set_range(bits, from, s->v[2 * k]);
    from = s->v[2 * k + 1];
  }
  set_range(bits, from, s->nbits);
}
