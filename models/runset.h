/* runset.h — a set of indices in [0, nbits) kept as sorted, disjoint,
 * non-touching intervals, which turns into a bitmap once the intervals would
 * take more room than one.
 *
 * A download's obtained shards nearly always form a few intervals: the
 * chain's flow delivers them in order (3.1 intervals on average at 10^5
 * endpoints an hour into a 1 GB distribution, against a 256-byte bitmap per
 * downloading endpoint).  Adding and testing cost O(log intervals) plus a
 * move of the intervals after the insertion point; a bitmap set costs O(1).
 * One allocation per set. */
#pragma once
#include <glib.h>

typedef struct CsRunSet CsRunSet;

CsRunSet *cs_runset_new(guint32 nbits);
void cs_runset_free(CsRunSet *s);
gboolean cs_runset_has(const CsRunSet *s, guint32 i);
/* Adds i (< nbits); TRUE if it was not there.  May move the set: *s is
 * updated. */
gboolean cs_runset_add(CsRunSet **s, guint32 i);
/* Sets, in a byte bitmap over [0, nbits) (bit i in byte i / 8, bit i % 8),
 * every index that is not in the set; leaves the other bits alone. */
void cs_runset_mark_missing(const CsRunSet *s, guint8 *bits);
/* Bytes the set occupies (its one allocation): for tests and accounting. */
gsize cs_runset_bytes(const CsRunSet *s);
/* TRUE while the set is intervals, FALSE once it is a bitmap. */
gboolean cs_runset_is_runs(const CsRunSet *s);
