/* stats.c — traffic statistics per directed WAN link and per subnet.
 * See stats.h; the storage (dense open rows, sealed rows, late spans) is
 * described beside SimStats in sim-private.h. */
#include "sim-private.h"
#include <math.h>
#include <string.h>

void sim_stats_init(Sim *sim)
{
  SimStats *st = &sim->st;
  st->subnet_series = g_array_new(FALSE, TRUE, sizeof(guint32));
  st->late = g_array_new(FALSE, FALSE, sizeof(SimStatsLate));
  st->touched = g_array_new(FALSE, FALSE, sizeof(guint32));
  st->active = g_array_new(FALSE, FALSE, sizeof(SimStatsActive));
  st->scratch_row = G_MAXUINT32;
  st->late_sorted = TRUE;
  st->sums_stale = TRUE;
}

void sim_stats_clear(Sim *sim)
{
  SimStats *st = &sim->st;
  for (guint32 c = 0; c < st->ncls; c++)
    g_free(st->cls_names[c]);
  for (guint32 b = 0; b < st->nrows; b++) {
    g_free(st->rows[b].b);
    g_free(st->rows[b].enc);
  }
  g_free(st->rows);
  g_array_free(st->subnet_series, TRUE);
  g_array_free(st->late, TRUE);
  g_array_free(st->touched, TRUE);
  g_array_free(st->active, TRUE);
  g_free(st->scratch);
  g_free(st->sum);
  g_free(st->peak);
  memset(st, 0, sizeof *st);
}

/* --- traffic classes ----------------------------------------------------------------- */

SimClass sim_class_register(Sim *sim, const char *name)
{
  SimStats *st = &sim->st;
  g_return_val_if_fail(name != NULL, SIM_CLASS_NONE);
  for (guint32 c = 0; c < st->ncls; c++)
    if (strcmp(st->cls_names[c], name) == 0)
      return c;
  g_return_val_if_fail(st->ncls < SIM_CLASS_MAX, SIM_CLASS_NONE);
  g_return_val_if_fail(st->nseries == 0 && st->nbuckets == 0, SIM_CLASS_NONE);
  st->cls_names[st->ncls] = g_strdup(name);
  st->ncls++;
  st->cell = st->ncls + (st->ncls + 1) / 2;
  return st->ncls - 1;
}

guint sim_class_count(const Sim *sim) { return sim->st.ncls; }

const char *sim_class_name(const Sim *sim, SimClass cls)
{
  return cls < sim->st.ncls ? sim->st.cls_names[cls] : "?";
}

/* A cell's message counts, after its byte counts. */
static inline guint32 *cell_msgs(const SimStats *st, guint64 *cell) { return (guint32 *) (cell + st->ncls); }

/* --- spreading an update over buckets ------------------------------------------------ */

static void spread_init(SimSpread *sp, double bytes, SimTime t0, SimTime t1, SimTime w)
{
  sp->b = (guint32) (t0 / w);
  sp->b1 = t1 <= t0 ? sp->b : (guint32) ((t1 - 1) / w);
  sp->bytes = bytes;
  sp->one = sp->b1 == sp->b;
  sp->per_ns = sp->one ? 0 : bytes / (double) (t1 - t0);
  sp->carried = 0;
  sp->given = 0;
  sp->t0 = t0;
  sp->t1 = t1;
  sp->w = w;
}

/* The bytes of bucket sp->b, which moves on to the next. */
static guint64 spread_next(SimSpread *sp)
{
  guint32 b = sp->b++;
  if (sp->one)
    return (guint64) llround(sp->bytes); /* all in one bucket */
  SimTime lo = MAX(sp->t0, (SimTime) b * sp->w), hi = MIN(sp->t1, (SimTime) (b + 1) * sp->w);
  sp->carried += sp->per_ns * (double) (hi - lo);
  guint64 upto = (guint64) llround(sp->carried);
  guint64 give = upto - sp->given;
  sp->given = upto;
  return give;
}

/* --- writing -------------------------------------------------------------------------- */

/* The series (index + 1) a directed link's traffic goes to, numbered on
 * first use; an access link remembers its subnet's in its own record. */
static guint32 series_for(Sim *sim, guint32 dl)
{
  SimStats *st = &sim->st;
  SimLink *l = sim_link_rec(sim, dl >> 1);
  guint32 *ref = &l->stats[dl & 1];
  if (*ref)
    return *ref;
  if (l->kind != SIM_LINK_WAN) {
    guint32 idx = l->b * 2 + (dl & 1); /* access link: b is the subnet */
    if (st->subnet_series->len <= idx)
      g_array_set_size(st->subnet_series, idx + 1);
    guint32 *sub = &g_array_index(st->subnet_series, guint32, idx);
    if (*sub == 0)
      *sub = ++st->nseries;
    return *ref = *sub;
  }
  return *ref = ++st->nseries;
}

static guint8 *put_varint(guint8 *p, guint64 v)
{
  while (v >= 0x80) {
    *p++ = (guint8) (v | 0x80);
    v >>= 7;
  }
  *p++ = (guint8) v;
  return p;
}

static const guint8 *get_varint(const guint8 *p, guint64 *v)
{
  guint64 x = 0;
  for (int shift = 0;; shift += 7) {
    guint8 c = *p++;
    x |= (guint64) (c & 0x7f) << shift;
    if (!(c & 0x80))
      break;
  }
  *v = x;
  return p;
}

/* Whether any count of a cell is non-zero (padding words stay zero). */
static inline gboolean cell_any(const SimStats *st, const guint64 *cell)
{
  guint64 any = 0;
  for (guint32 w = 0; w < st->cell; w++)
    any |= cell[w];
  return any != 0;
}

/* A cell's mask: bit c for bytes[c] != 0, bit ncls + c for msgs[c]. */
static inline guint32 cell_mask(const SimStats *st, guint64 *cell)
{
  const guint32 n = st->ncls, *msgs = cell_msgs(st, cell);
  guint32 m = 0;
  for (guint32 c = 0; c < n; c++) {
    if (cell[c])
      m |= 1u << c;
    if (msgs[c])
      m |= 1u << (n + c);
  }
  return m;
}

/* Row encoding: for each non-zero cell in series order, the gap from the
 * previous cell's series, the mask, then the masked counts in mask order. */
static void seal(SimStats *st, guint32 b)
{
  SimStatsRow *r = &st->rows[b];
  if (r->b == NULL)
    return;
  /* Worst case per cell: gap 5, mask 5, ncls byte counts of 10, ncls of 5. */
  const guint32 n = st->ncls;
  gsize cap = 0;
  for (guint32 s = 0; s < r->len; s++)
    if (cell_any(st, r->b + (gsize) s * st->cell))
      cap += 10 + n * 15;
  guint8 *buf = cap ? g_malloc(cap) : NULL, *p = buf;
  guint32 prev = 0;
  for (guint32 s = 0; s < r->len; s++) {
    guint64 *cell = r->b + (gsize) s * st->cell;
    if (!cell_any(st, cell))
      continue;
    const guint32 *msgs = cell_msgs(st, cell);
    guint32 m = cell_mask(st, cell);
    p = put_varint(p, s + 1 - prev);
    prev = s + 1;
    p = put_varint(p, m);
    for (guint32 c = 0; c < n; c++)
      if (m & (1u << c))
        p = put_varint(p, cell[c]);
    for (guint32 c = 0; c < n; c++)
      if (m & (1u << (n + c)))
        p = put_varint(p, msgs[c]);
  }
  g_free(r->b);
  r->b = NULL;
  r->len = (guint32) (p - buf);
  r->enc = buf ? g_realloc(buf, r->len) : NULL;
}

/* How many of the latest rows stay dense (see SimStats). */
static guint32 open_rows(const SimStats *st)
{
  gsize row = (gsize) MAX(st->nseries, 1) * st->cell * sizeof(guint64);
  return (guint32) CLAMP(SIM_STATS_OPEN_BYTES / row, SIM_STATS_OPEN_MIN, SIM_STATS_OPEN_MAX);
}

/* Bucket b becomes the latest: rows open_rows() behind it are sealed. */
static void advance(SimStats *st, guint32 b)
{
  if (b >= st->nrows) {
    guint32 n = MAX(b + 1, st->nrows + st->nrows / 4 + 16);
    st->rows = g_renew(SimStatsRow, st->rows, n);
    memset(st->rows + st->nrows, 0, (n - st->nrows) * sizeof *st->rows);
    st->nrows = n;
  }
  st->nbuckets = b + 1;
  guint32 open = open_rows(st);
  while (st->sealed + open <= b)
    seal(st, st->sealed++);
}

/* Adds to an open row. */
static void add(SimStats *st, guint32 s, guint32 b, SimClass cls, guint64 bytes, guint32 msgs)
{
  if (bytes == 0 && msgs == 0)
    return;
  SimStatsRow *r = &st->rows[b];
  if (s >= r->len) {
    /* Room for every series numbered so far: a row grows again only when a
     * link or subnet carries its first traffic. */
    guint32 n = MAX(s + 1, st->nseries);
    r->b = g_renew(guint64, r->b, (gsize) n * st->cell);
    memset(r->b + (gsize) r->len * st->cell, 0, (gsize) (n - r->len) * st->cell * sizeof *r->b);
    r->len = n;
  }
  guint64 *cell = r->b + (gsize) s * st->cell;
  cell[cls] += bytes;
  if (msgs)
    cell_msgs(st, cell)[cls] += msgs;
}

void sim_stats_link(Sim *sim, guint32 dl, SimClass cls, double bytes, guint32 msgs, SimTime t0, SimTime t1)
{
  g_return_if_fail(cls < sim->st.ncls); /* (series' callers come through here first) */
  sim_stats_series(sim, series_for(sim, dl), cls, bytes, msgs, t0, t1);
}

void sim_stats_series(Sim *sim, guint32 series, SimClass cls, double bytes, guint32 msgs, SimTime t0, SimTime t1)
{
  SimStats *st = &sim->st;
  guint32 s = series - 1;
  SimSpread sp;
  spread_init(&sp, bytes, t0, t1, sim->p.bucket);
  if (sp.b1 >= st->nbuckets)
    advance(st, sp.b1);
  st->sums_stale = TRUE;
  if (sp.b < st->sealed) {
    /* Kept whole for the sealed rows it reaches, spread when they are read. */
    SimStatsLate late = { t0, t1, bytes, s, cls, sp.b1 < st->sealed ? msgs : 0,
                          sp.b, MIN(sp.b1, st->sealed - 1) };
    g_array_append_val(st->late, late);
    st->late_sorted = FALSE;
  }
  while (sp.b <= sp.b1) {
    guint32 b = sp.b;
    guint64 give = spread_next(&sp);
    if (b >= st->sealed)
      add(st, s, b, cls, give, b == sp.b1 ? msgs : 0);
  }
}

void sim_stats_total(Sim *sim, gboolean wan, SimClass cls, double bytes)
{
  g_return_if_fail(cls < sim->st.ncls);
  (wan ? sim->wan_total : sim->lan_total)[cls] += (guint64) llround(bytes);
}

/* --- reading -------------------------------------------------------------------------- */

guint32 sim_stats_buckets(const Sim *sim) { return sim->st.nbuckets; }

static gint late_cmp(gconstpointer a, gconstpointer b)
{
  const SimStatsLate *x = a, *y = b;
  return x->b0 < y->b0 ? -1 : x->b0 > y->b0;
}

static void scratch_add(SimStats *st, guint32 s, guint32 cls, guint64 bytes, guint32 msgs)
{
  guint64 *cell = st->scratch + (gsize) s * st->cell;
  cell[cls] += bytes;
  cell_msgs(st, cell)[cls] += msgs;
  g_array_append_val(st->touched, s);
}

/* Adds the late spans' shares of bucket b.  Rows are read in order, so each
 * span is replayed once; a read of an earlier row, or the same one again,
 * starts the replay over. */
static void replay_late(SimStats *st, guint32 b, SimTime w)
{
  if (!st->late_sorted || st->scratch_row == G_MAXUINT32 || b <= st->scratch_row) {
    if (!st->late_sorted)
      g_array_sort(st->late, late_cmp); /* sums of integers: ties in any order */
    st->late_sorted = TRUE;
    g_array_set_size(st->active, 0);
    st->late_next = 0;
  }
  while (st->late_next < st->late->len &&
         g_array_index(st->late, SimStatsLate, st->late_next).b0 <= b) {
    const SimStatsLate *l = &g_array_index(st->late, SimStatsLate, st->late_next);
    SimStatsActive a;
    a.late = st->late_next++;
    spread_init(&a.sp, l->bytes, l->t0, l->t1, w);
    g_array_append_val(st->active, a);
  }
  for (guint32 i = 0; i < st->active->len;) {
    SimStatsActive *a = &g_array_index(st->active, SimStatsActive, i);
    const SimStatsLate *l = &g_array_index(st->late, SimStatsLate, a->late);
    while (a->sp.b < b && a->sp.b <= l->last)
      spread_next(&a->sp);
    if (a->sp.b == b && b <= l->last) {
      gboolean at_end = b == a->sp.b1;
      scratch_add(st, l->s, l->cls, spread_next(&a->sp), at_end ? l->msgs : 0);
    }
    if (a->sp.b > l->last) {
      g_array_remove_index_fast(st->active, i); /* order does not matter: sums */
      continue;
    }
    i++;
  }
}

/* Decodes sealed row b, with its late shares, into the scratch row. */
static void decode(Sim *sim, guint32 b)
{
  SimStats *st = &sim->st;
  if (st->scratch_len < st->nseries) {
    st->scratch = g_renew(guint64, st->scratch, (gsize) st->nseries * st->cell);
    memset(st->scratch + (gsize) st->scratch_len * st->cell, 0,
           (gsize) (st->nseries - st->scratch_len) * st->cell * sizeof *st->scratch);
    st->scratch_len = st->nseries;
  }
  for (guint32 i = 0; i < st->touched->len; i++)
    memset(st->scratch + (gsize) g_array_index(st->touched, guint32, i) * st->cell, 0,
           st->cell * sizeof *st->scratch);
  g_array_set_size(st->touched, 0);
  const SimStatsRow *r = &st->rows[b];
  const guint8 *p = r->enc, *end = p ? p + r->len : NULL;
  guint64 s = 0, gap, m, v;
  while (p && p < end) {
    p = get_varint(p, &gap);
    s += gap;
    p = get_varint(p, &m);
    guint64 *cell = st->scratch + (gsize) (s - 1) * st->cell;
    guint32 *msgs = cell_msgs(st, cell);
    for (guint32 c = 0; c < st->ncls; c++)
      if (m & (1u << c)) {
        p = get_varint(p, &v);
        cell[c] = v;
      }
    for (guint32 c = 0; c < st->ncls; c++)
      if (m & (1u << (st->ncls + c))) {
        p = get_varint(p, &v);
        msgs[c] = (guint32) v;
      }
    guint32 idx = (guint32) (s - 1);
    g_array_append_val(st->touched, idx);
  }
  replay_late(st, b, sim->p.bucket);
  st->scratch_row = b;
}

static const SimBucket *series_bucket(Sim *sim, guint32 ref, guint32 b)
{
  SimStats *st = &sim->st;
  if (ref == 0 || b >= st->nbuckets)
    return NULL;
  guint32 s = ref - 1;
  guint64 *cell;
  if (b >= st->sealed) {
    const SimStatsRow *r = &st->rows[b];
    if (s >= r->len)
      return NULL;
    cell = r->b + (gsize) s * st->cell;
  } else {
    /* Decoded already, unless new late spans or new series came since. */
    if (st->scratch_row != b || !st->late_sorted || s >= st->scratch_len)
      decode(sim, b);
    cell = st->scratch + (gsize) s * st->cell;
  }
  if (!cell_any(st, cell))
    return NULL;
  st->view.bytes = cell;
  st->view.msgs = cell_msgs(st, cell);
  return &st->view;
}

const SimBucket *sim_stats_wan(Sim *sim, guint32 dl, guint32 b)
{
  return series_bucket(sim, sim_link_rec(sim, dl >> 1)->stats[dl & 1], b);
}

const SimBucket *sim_stats_subnet(Sim *sim, guint32 subnet, gboolean down, guint32 b)
{
  guint32 idx = subnet * 2 + (down ? 1 : 0);
  if (idx >= sim->st.subnet_series->len)
    return NULL;
  return series_bucket(sim, g_array_index(sim->st.subnet_series, guint32, idx), b);
}

guint64 sim_stats_wan_total(const Sim *sim, SimClass cls) { return cls < SIM_CLASS_MAX ? sim->wan_total[cls] : 0; }
guint64 sim_stats_lan_total(const Sim *sim, SimClass cls) { return cls < SIM_CLASS_MAX ? sim->lan_total[cls] : 0; }

/* Every series' total and peak bucket, in one pass over the rows. */
static void sums(Sim *sim)
{
  SimStats *st = &sim->st;
  if (!st->sums_stale)
    return;
  gsize n = MAX(st->nseries, 1);
  st->sum = g_renew(guint64, st->sum, n);
  st->peak = g_renew(guint64, st->peak, n);
  memset(st->sum, 0, n * sizeof(guint64));
  memset(st->peak, 0, n * sizeof(guint64));
  for (guint32 b = 0; b < st->nbuckets; b++)
    for (guint32 s = 0; s < st->nseries; s++) {
      const SimBucket *bk = series_bucket(sim, s + 1, b);
      if (!bk)
        continue; /* an idle stretch */
      guint64 by = 0;
      for (guint32 c = 0; c < st->ncls; c++)
        by += bk->bytes[c];
      st->sum[s] += by;
      st->peak[s] = MAX(st->peak[s], by);
    }
  st->sums_stale = FALSE;
}

/* Directed link dl's total bytes, or (peak) its largest bucket's. */
static guint64 dlink_sum(Sim *sim, guint32 dl, gboolean peak)
{
  guint32 ref = sim_link_rec(sim, dl >> 1)->stats[dl & 1];
  if (ref == 0)
    return 0;
  sums(sim);
  return (peak ? sim->st.peak : sim->st.sum)[ref - 1];
}

guint64 sim_stats_dlink_total(Sim *sim, guint32 dl) { return dlink_sum(sim, dl, FALSE); }
guint64 sim_stats_dlink_peak(Sim *sim, guint32 dl) { return dlink_sum(sim, dl, TRUE); }
