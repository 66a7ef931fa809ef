/* test_runset.c — the run set against a plain bitmap: membership, what add
 * reports, the missing indices it marks, and its size as intervals and after
 * it turns into a bitmap. */
#include "testutil.h"
#include "runset.h"

static gboolean ref_has(const guint8 *ref, guint32 i) { return (ref[i >> 3] >> (i & 7)) & 1; }

/* Every index of the universe agrees with the reference, and the missing
 * indices it marks (over a bitmap that already has unrelated bits set past
 * the universe) are exactly the reference's complement. */
static void check_same(const CsRunSet *s, const guint8 *ref, guint32 nbits)
{
  for (guint32 i = 0; i < nbits; i++)
    if (cs_runset_has(s, i) != ref_has(ref, i)) {
      CU_FAIL("membership differs from the reference");
      return;
    }
  gsize nb = (nbits + 7) / 8;
  guint8 *missing = g_malloc0(nb);
  if (nbits & 7)
    missing[nb - 1] = (guint8) (0xffu << (nbits & 7)); /* past the universe: must stay */
  cs_runset_mark_missing(s, missing);
  for (guint32 i = 0; i < nbits; i++)
    if (ref_has(missing, i) == ref_has(ref, i)) {
      CU_FAIL("marked missing differs from the reference's complement");
      break;
    }
  if (nbits & 7)
    CU_ASSERT_EQUAL(missing[nb - 1] & (guint8) (0xffu << (nbits & 7)), (guint8) (0xffu << (nbits & 7)));
  g_free(missing);
}

/* In order, as a chain's flow delivers: one interval, the first allocation's
 * size, whatever the count. */
static void test_in_order_stays_one_interval(void)
{
  guint32 nbits = 2048;
  CsRunSet *s = cs_runset_new(nbits);
  gsize first = cs_runset_bytes(s);
  CU_ASSERT(first <= 48);
  guint8 ref[256] = { 0 };
  for (guint32 i = 0; i < 1500; i++) {
    CU_ASSERT_TRUE(cs_runset_add(&s, i));
    ref[i >> 3] |= (guint8) (1u << (i & 7));
  }
  CU_ASSERT_FALSE(cs_runset_add(&s, 700)); /* already there */
  CU_ASSERT_TRUE(cs_runset_is_runs(s));
  CU_ASSERT_EQUAL(cs_runset_bytes(s), first);
  check_same(s, ref, nbits);
  cs_runset_free(s);
}

/* Gaps filled from both sides merge intervals: adding 0, 2, 4 then 1 and 3
 * leaves one interval [0, 5), and the set never grew. */
static void test_filling_gaps_merges(void)
{
  CsRunSet *s = cs_runset_new(2048);
  gsize first = cs_runset_bytes(s);
  guint32 order[] = { 4, 0, 2, 3, 1 };
  guint8 ref[256] = { 0 };
  for (guint k = 0; k < G_N_ELEMENTS(order); k++) {
    CU_ASSERT_TRUE(cs_runset_add(&s, order[k]));
    ref[order[k] >> 3] |= (guint8) (1u << (order[k] & 7));
    check_same(s, ref, 2048);
  }
  for (guint32 i = 0; i < 5; i++)
    CU_ASSERT_FALSE(cs_runset_add(&s, i));
  CU_ASSERT_EQUAL(cs_runset_bytes(s), first);
  CU_ASSERT_TRUE(cs_runset_is_runs(s));
  cs_runset_free(s);
}

/* Descending adds extend one interval downward (a peer serving a file's
 * shards from its end): one interval, the first allocation's size. */
static void test_descending_extends_down(void)
{
  CsRunSet *s = cs_runset_new(2048);
  gsize first = cs_runset_bytes(s);
  guint8 ref[256] = { 0 };
  for (guint32 i = 1000; i-- > 900;) {
    CU_ASSERT_TRUE(cs_runset_add(&s, i));
    ref[i >> 3] |= (guint8) (1u << (i & 7));
  }
  CU_ASSERT_EQUAL(cs_runset_bytes(s), first);
  check_same(s, ref, 2048);
  cs_runset_free(s);
}

/* Every other index: the intervals outgrow a bitmap, and the set becomes one
 * (header plus 256 bytes for 2,048 indices), still agreeing with the
 * reference; a small universe is a bitmap from the start. */
static void test_scattered_becomes_bitmap(void)
{
  guint32 nbits = 2048;
  CsRunSet *s = cs_runset_new(nbits);
  guint8 ref[256] = { 0 };
  gboolean was_runs_at_10 = FALSE;
  for (guint32 i = 0; i < nbits; i += 2) {
    CU_ASSERT_TRUE(cs_runset_add(&s, i));
    ref[i >> 3] |= (guint8) (1u << (i & 7));
    if (i == 2 * 9) /* ten intervals */
      was_runs_at_10 = cs_runset_is_runs(s);
  }
  CU_ASSERT_TRUE(was_runs_at_10);
  CU_ASSERT_FALSE(cs_runset_is_runs(s));
  CU_ASSERT(cs_runset_bytes(s) >= 256 && cs_runset_bytes(s) <= 256 + 16);
  check_same(s, ref, nbits);
  cs_runset_free(s);

  CsRunSet *small = cs_runset_new(191); /* a 100 MB file of 512 KiB shards */
  CU_ASSERT_FALSE(cs_runset_is_runs(small));
  CU_ASSERT_TRUE(cs_runset_add(&small, 190));
  CU_ASSERT_FALSE(cs_runset_add(&small, 190));
  guint8 ref2[24] = { 0 };
  ref2[190 >> 3] |= (guint8) (1u << (190 & 7));
  check_same(small, ref2, 191);
  cs_runset_free(small);
}

/* Random adds, clustered as peers and the flow mix them, against the
 * reference after every step; add reports TRUE exactly for new indices. */
static void test_random_against_bitmap(void)
{
  guint32 sizes[] = { 1000, 2048, 4099 };
  for (guint z = 0; z < G_N_ELEMENTS(sizes); z++) {
    guint32 nbits = sizes[z];
    GRand *rng = g_rand_new_with_seed(1234 + z);
    CsRunSet *s = cs_runset_new(nbits);
    guint8 *ref = g_malloc0((nbits + 7) / 8);
    guint32 cursor = 0;
    for (guint step = 0; step < 3 * nbits; step++) {
      guint32 i = g_rand_int_range(rng, 0, 4) ? (cursor++ % nbits) : (guint32) g_rand_int_range(rng, 0, (gint32) nbits);
      gboolean fresh = !ref_has(ref, i);
      CU_ASSERT_EQUAL(cs_runset_add(&s, i), fresh);
      ref[i >> 3] |= (guint8) (1u << (i & 7));
      if (step % 97 == 0)
        check_same(s, ref, nbits);
    }
    check_same(s, ref, nbits);
    cs_runset_free(s);
    g_free(ref);
    g_rand_free(rng);
  }
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "in order stays one interval", test_in_order_stays_one_interval },
    { "filling gaps merges intervals", test_filling_gaps_merges },
    { "descending adds extend down", test_descending_extends_down },
    { "scattered becomes a bitmap", test_scattered_becomes_bitmap },
    { "random adds against a bitmap", test_random_against_bitmap },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "runset", tests);
}
