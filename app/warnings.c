/* warnings.c — the warnings of a run.  See warnings.h. */
#include "warnings.h"
#include "net.h"
#include "stats.h"
#include <string.h>

typedef struct {
  CsWarnKind kind;
  char *where;       /* NULL: no place */
  char *message;
  guint64 count;
} Warning;

struct CsWarnings {
  FILE *out;
  GArray *list;      /* Warning, in the order they arose */
  GHashTable *index; /* "kind\x1fwhere" (or "kind\x1f\x1fmessage") → index + 1 */
};

static const char *const KIND_NAMES[] = {
  [CS_WARN_AFTER_END] = "after_end",
  [CS_WARN_OVER_CAPACITY] = "over_capacity",
  [CS_WARN_NOT_MEASURED] = "not_measured",
};

CsWarnings *cs_warnings_new(FILE *out)
{
  CsWarnings *w = g_new0(CsWarnings, 1);
  w->out = out;
  w->list = g_array_new(FALSE, FALSE, sizeof(Warning));
  w->index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return w;
}

void cs_warnings_free(CsWarnings *w)
{
  if (w == NULL)
    return;
  for (guint i = 0; i < w->list->len; i++) {
    Warning *x = &g_array_index(w->list, Warning, i);
    g_free(x->where);
    g_free(x->message);
  }
  g_array_free(w->list, TRUE);
  g_hash_table_destroy(w->index);
  g_free(w);
}

char *cs_warn_escape(const char *s)
{
  GString *out = g_string_new(NULL);
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    if (*p == '\n')
      g_string_append(out, "\\n");
    else if (*p == '\t')
      g_string_append(out, "\\t");
    else if (*p < 0x20 || *p == 0x7f)
      g_string_append_printf(out, "\\x%02x", *p);
    else
      g_string_append_c(out, (char) *p);
  }
  return g_string_free(out, FALSE);
}

gboolean cs_warnings_add(CsWarnings *w, CsWarnKind kind, const char *where, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *message = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  char *key = where ? g_strdup_printf("%d\x1f%s", (int) kind, where)
                    : g_strdup_printf("%d\x1f\x1f%s", (int) kind, message);
  guint i = GPOINTER_TO_UINT(g_hash_table_lookup(w->index, key));
  if (i > 0) {
    g_array_index(w->list, Warning, i - 1).count++;
    g_free(key);
    g_free(message);
    return FALSE;
  }
  Warning x = { .kind = kind, .where = g_strdup(where), .message = message, .count = 1 };
  g_array_append_val(w->list, x);
  g_hash_table_insert(w->index, key, GUINT_TO_POINTER(w->list->len));
  if (w->out) {
    char *m = cs_warn_escape(message);
    char *p = where ? cs_warn_escape(where) : NULL;
    fprintf(w->out, "chainsim: warning: %s%s%s\n", p ? p : "", p ? ": " : "", m);
    fflush(w->out);
    g_free(p);
    g_free(m);
  }
  return TRUE;
}

guint cs_warnings_count(const CsWarnings *w) { return w->list->len; }

void cs_warnings_get(const CsWarnings *w, guint i, CsWarnKind *kind, const char **where,
                     const char **message, guint64 *count)
{
  const Warning *x = &g_array_index(w->list, Warning, i);
  *kind = x->kind;
  *where = x->where;
  *message = x->message;
  *count = x->count;
}

const char *cs_warn_kind_name(CsWarnKind kind) { return KIND_NAMES[kind]; }

gboolean cs_warn_over_capacity(guint64 bytes, double bps, double seconds)
{
  if (!(bps > 0) || !(seconds > 0))
    return FALSE;
  return (double) bytes * 8 > bps * seconds * (1 + CS_WARN_CAPACITY_SLACK);
}

const char *cs_warn_seconds(char buf[G_ASCII_DTOSTR_BUF_SIZE], SimTime t)
{
  return g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, "%.9g", sim_time_to_s(t));
}

void cs_warnings_check_links(CsWarnings *w, Sim *sim)
{
  guint32 ndl = sim_link_count(sim) * 2, nb = sim_stats_buckets(sim);
  SimTime bucket = sim_params(sim)->bucket, end = sim_now(sim);
  if (ndl == 0 || bucket <= 0)
    return;
  /* Per directed link: buckets over, and the worst (bytes against capacity). */
  guint32 *over = g_new0(guint32, ndl);
  double *worst = g_new0(double, ndl);
  guint32 *worst_b = g_new0(guint32, ndl);
  guint64 *worst_bytes = g_new0(guint64, ndl);
  for (guint32 b = 0; b < nb; b++) { /* bucket by bucket: see sim_stats_wan */
    SimTime len = MIN(bucket, end - (SimTime) b * bucket);
    if (len <= 0)
      break;
    for (guint32 d = 0; d < ndl; d++) {
      guint32 l = d / 2;
      if (sim_link_kind(sim, l) != SIM_LINK_WAN)
        continue;
      const SimBucket *bk = sim_stats_wan(sim, d, b);
      if (bk == NULL)
        continue;
      guint64 bytes = 0;
      for (int c = 0; c < SIM_CLS_COUNT; c++)
        bytes += bk->bytes[c];
      double bps = sim_link_bps(sim, l), s = sim_time_to_s(len);
      if (!cs_warn_over_capacity(bytes, bps, s))
        continue;
      over[d]++;
      double ratio = (double) bytes * 8 / (bps * s);
      if (ratio > worst[d]) {
        worst[d] = ratio;
        worst_b[d] = b;
        worst_bytes[d] = bytes;
      }
    }
  }
  for (guint32 d = 0; d < ndl; d++) {
    if (over[d] == 0)
      continue;
    guint32 l = d / 2;
    const char *a = sim_site_name(sim, d % 2 ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l));
    const char *z = sim_site_name(sim, d % 2 ? sim_link_site_a(sim, l) : sim_link_site_b(sim, l));
    char t[G_ASCII_DTOSTR_BUF_SIZE], bl[G_ASCII_DTOSTR_BUF_SIZE];
    cs_warnings_add(w, CS_WARN_OVER_CAPACITY, NULL,
                    "link %s->%s carried more than its capacity in %u of %u statistics "
                    "buckets; the worst, at %ss, carried %" G_GUINT64_FORMAT " bytes, %.0f%% "
                    "of what %.6g Mbps carries in %ss", a, z, over[d], nb,
                    cs_warn_seconds(t, (SimTime) worst_b[d] * bucket), worst_bytes[d], worst[d] * 100,
                    sim_link_bps(sim, l) / 1e6, cs_warn_seconds(bl, MIN(bucket, end - (SimTime) worst_b[d] * bucket)));
  }
  g_free(over);
  g_free(worst);
  g_free(worst_b);
  g_free(worst_bytes);
}

