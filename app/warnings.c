/* warnings.c — the warnings of a run.  See warnings.h. */
#include "warnings.h"
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
