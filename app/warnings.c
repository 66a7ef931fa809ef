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

/* One directed WAN link under check. */
typedef struct {
  guint32 dlink;         /* link * 2 + direction */
  double bps;
  guint32 over;          /* buckets over capacity */
  double worst;          /* highest bytes against capacity */
  guint32 worst_b;       /* its bucket */
  guint64 worst_bytes;   /* and bytes */
} LinkCheck;

void cs_warnings_check_links(CsWarnings *w, Sim *sim)
{
  guint32 nb = sim_stats_buckets(sim);
  SimTime bucket = sim_params(sim)->bucket, end = sim_now(sim);
  if (bucket <= 0)
    return;
  /* The WAN links first: access links (one per host) outnumber them. */
  GArray *links = g_array_new(FALSE, TRUE, sizeof(LinkCheck));
  for (guint32 l = 0; l < sim_link_count(sim); l++)
    if (sim_link_kind(sim, l) == SIM_LINK_WAN)
      for (guint32 dir = 0; dir < 2; dir++) {
        LinkCheck c = { .dlink = l * 2 + dir, .bps = sim_link_bps(sim, l) };
        g_array_append_val(links, c);
      }
  for (guint32 b = 0; b < nb; b++) { /* bucket by bucket: see sim_stats_wan */
    SimTime len = MIN(bucket, end - (SimTime) b * bucket);
    if (len <= 0)
      break;
    double s = sim_time_to_s(len);
    for (guint i = 0; i < links->len; i++) {
      LinkCheck *c = &g_array_index(links, LinkCheck, i);
      const SimBucket *bk = sim_stats_wan(sim, c->dlink, b);
      if (bk == NULL)
        continue;
      guint64 bytes = 0;
      for (SimClass k = 0; k < sim_class_count(sim); k++)
        bytes += bk->bytes[k];
      if (!cs_warn_over_capacity(bytes, c->bps, s))
        continue;
      c->over++;
      double ratio = (double) bytes * 8 / (c->bps * s);
      if (ratio > c->worst) {
        c->worst = ratio;
        c->worst_b = b;
        c->worst_bytes = bytes;
      }
    }
  }
  for (guint i = 0; i < links->len; i++) {
    const LinkCheck *c = &g_array_index(links, LinkCheck, i);
    if (c->over == 0)
      continue;
    guint32 l = c->dlink / 2;
    gboolean back = c->dlink % 2;
    const char *a = sim_site_name(sim, back ? sim_link_site_b(sim, l) : sim_link_site_a(sim, l));
    const char *z = sim_site_name(sim, back ? sim_link_site_a(sim, l) : sim_link_site_b(sim, l));
    SimTime at = (SimTime) c->worst_b * bucket;
    char t[G_ASCII_DTOSTR_BUF_SIZE], bl[G_ASCII_DTOSTR_BUF_SIZE];
    cs_warnings_add(w, CS_WARN_OVER_CAPACITY, NULL,
                    "link %s->%s carried more than its capacity in %u of %u statistics "
                    "buckets; the worst, at %ss, carried %" G_GUINT64_FORMAT " bytes, %.0f%% "
                    "of what %.6g Mbps carries in %ss", a, z, c->over, nb,
                    cs_warn_seconds(t, at), c->worst_bytes, c->worst * 100, c->bps / 1e6,
                    cs_warn_seconds(bl, MIN(bucket, end - at)));
  }
  g_array_free(links, TRUE);
}
