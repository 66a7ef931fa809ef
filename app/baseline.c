/* baseline.c — key metrics of two results trees side by side.  See
 * baseline.h. */
#include "baseline.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

/* Paths of the scalar metrics compared, in the order they are shown. */
static const char *const KEY_METRICS[] = {
  "registration.count",
  "registration.per_second.peak",
  "registration.latency_ms.p50",
  "registration.latency_ms.p99",
  "server.connections_peak",
  "server.queue_peak",
  "server.service_ms.p99",
  "wan.bytes_total",
  "lan.bytes_total",
  "chains.count",
  "chains.length.median",
  NULL,
};

/* Per element of an array, matched by "id". */
static const char *const QUESTION_METRICS[] = {
  "answered", "time_to_ms.p50", "time_to_ms.p90", NULL,
};
static const char *const DISTRIBUTION_METRICS[] = {
  "completed", "time_to_ms.p90", NULL,
};

/* Reads at most CS_BASELINE_MAX_BYTES of path (read() by read(), so a
 * device or a pipe that never ends costs no more); NULL with an error when it
 * cannot be read or is longer. */
static GString *read_bounded(const char *path, GError **err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "cannot read baseline '%s': it is a folder",
                path);
    return NULL;
  }
  if (fd < 0) {
    int saved = errno;
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot read baseline '%s': %s",
                path, g_strerror(saved));
    return NULL;
  }
  GString *text = g_string_sized_new(64 * 1024);
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
                  "cannot read baseline '%s': %s", path, g_strerror(saved));
      break;
    }
    if (n == 0) {
      close(fd);
      return text;
    }
    if (text->len + (gsize) n > CS_BASELINE_MAX_BYTES) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                  "cannot read baseline '%s': longer than %u MiB (a results.json is a few MB)",
                  path, CS_BASELINE_MAX_BYTES >> 20);
      break;
    }
    g_string_append_len(text, buf, n);
  }
  close(fd);
  g_string_free(text, TRUE);
  return NULL;
}

/* Whether no array or object in the JSON text nests deeper than max (the
 * parser recurses per level: 100,000 '[' overflowed its stack). */
static gboolean depth_within(const char *s, gsize len, guint max)
{
  guint depth = 0;
  gboolean in_string = FALSE;
  for (gsize i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > max)
        return FALSE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* The path of the first number in n that is not finite (1e999 parses as
 * infinity, and every comparison with it is NaN), or NULL. */
static char *non_finite(JsonNode *n, const char *where)
{
  switch (json_node_get_node_type(n)) {
  case JSON_NODE_VALUE:
    if (json_node_get_value_type(n) == G_TYPE_DOUBLE && !isfinite(json_node_get_double(n)))
      return g_strdup(*where ? where : "(top)");
    return NULL;
  case JSON_NODE_ARRAY: {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      char *w = g_strdup_printf("%s[%u]", where, i);
      char *bad = non_finite(json_array_get_element(a, i), w);
      g_free(w);
      if (bad)
        return bad;
    }
    return NULL;
  }
  case JSON_NODE_OBJECT: {
    JsonObjectIter it;
    const char *key;
    JsonNode *m;
    json_object_iter_init(&it, json_node_get_object(n));
    while (json_object_iter_next(&it, &key, &m)) {
      char *w = *where ? g_strconcat(where, ".", key, NULL) : g_strdup(key);
      char *bad = non_finite(m, w);
      g_free(w);
      if (bad)
        return bad;
    }
    return NULL;
  }
  default:
    return NULL;
  }
}

JsonNode *cs_baseline_load(const char *path, GError **err)
{
  GString *text = read_bounded(path, err);
  if (text == NULL)
    return NULL;
  if (!depth_within(text->str, text->len, CS_BASELINE_MAX_DEPTH)) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "baseline '%s' nests arrays or objects deeper than %d levels (not a chainsim "
                "results.json)", path, CS_BASELINE_MAX_DEPTH);
    g_string_free(text, TRUE);
    return NULL;
  }
  JsonParser *p = json_parser_new();
  GError *e = NULL;
  gboolean parsed = json_parser_load_from_data(p, text->str, (gssize) text->len, &e);
  g_string_free(text, TRUE);
  if (!parsed) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot read baseline '%s': %s", path,
                e->message);
    g_error_free(e);
    g_object_unref(p);
    return NULL;
  }
  JsonNode *root = json_parser_get_root(p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root) ||
      !json_object_has_member(json_node_get_object(root), "run")) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "baseline '%s' is not a chainsim results.json (no \"run\" object)", path);
    g_object_unref(p);
    return NULL;
  }
  char *bad = non_finite(root, "");
  if (bad) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "baseline '%s': %s is not a finite number", path, bad);
    g_free(bad);
    g_object_unref(p);
    return NULL;
  }
  root = json_node_copy(root);
  g_object_unref(p);
  return root;
}

gboolean cs_baseline_parse_tolerance(const char *s, double *out, GError **err)
{
  size_t len = strlen(s);
  gboolean percent = len > 0 && s[len - 1] == '%';
  char *num = g_strndup(s, percent ? len - 1 : len);
  char *end = NULL;
  double v = g_ascii_strtod(num, &end);
  gboolean ok = *num != '\0' && end && *end == '\0' && isfinite(v) && v >= 0 &&
                g_ascii_isdigit(num[0]) && (percent || v <= 1);
  g_free(num);
  if (!ok) {
    g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--tolerance: expected a percentage like 5%% (or a fraction like 0.05), got "
                "\"%s\"", s);
    return FALSE;
  }
  *out = percent ? v / 100 : v;
  return TRUE;
}

/* The node at a dotted path under n, or NULL. */
static JsonNode *lookup(JsonNode *n, const char *path)
{
  char **parts = g_strsplit(path, ".", -1);
  for (char **p = parts; *p && n; p++) {
    if (!JSON_NODE_HOLDS_OBJECT(n)) {
      n = NULL;
      break;
    }
    JsonObject *o = json_node_get_object(n);
    n = json_object_has_member(o, *p) ? json_object_get_member(o, *p) : NULL;
  }
  g_strfreev(parts);
  return n;
}

/* A number, or NAN for null / absent / not a number. */
static double number(JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return NAN;
  GType t = json_node_get_value_type(n);
  if (t == G_TYPE_INT64)
    return (double) json_node_get_int(n);
  if (t == G_TYPE_DOUBLE)
    return json_node_get_double(n);
  return NAN;
}

static void format_value(char *buf, gsize size, double v)
{
  if (isnan(v))
    g_strlcpy(buf, "-", size);
  else if (v == floor(v) && fabs(v) < 1e15)
    g_snprintf(buf, size, "%.0f", v);
  else
    g_snprintf(buf, size, "%.12g", v); /* the digits results.json holds, no padding */
}

typedef struct {
  FILE *out;
  double tol;
  guint moved;     /* past the tolerance */
  guint changed;   /* rows printed */
  const char *old_name;
} Cmp;

static void header(Cmp *c)
{
  if (c->changed++ == 0)
    fprintf(c->out, "baseline %s (tolerance %g%%):\n  %-44s %14s %14s %9s\n", c->old_name,
            c->tol * 100, "metric", "old", "new", "change");
}

static void compare_value(Cmp *c, const char *name, double a, double b)
{
  if ((isnan(a) && isnan(b)) || a == b)
    return;
  gboolean past;
  char change[32];
  if (isnan(a) || isnan(b)) {
    past = TRUE;
    g_strlcpy(change, "n/a", sizeof change);
  } else if (a == 0) {
    past = TRUE;
    g_strlcpy(change, "new", sizeof change);
  } else {
    double rel = (b - a) / fabs(a);
    past = fabs(rel) > c->tol;
    g_snprintf(change, sizeof change, "%+.1f%%", rel * 100);
  }
  char va[40], vb[40];
  format_value(va, sizeof va, a);
  format_value(vb, sizeof vb, b);
  header(c);
  fprintf(c->out, "  %-44s %14s %14s %9s%s\n", name, va, vb, change, past ? "  MOVED" : "");
  if (past)
    c->moved++;
}

/* The element of array `key` whose id is `id`, or NULL. */
static JsonNode *by_id(JsonNode *root, const char *key, gint64 id)
{
  JsonNode *a = lookup(root, key);
  if (a == NULL || !JSON_NODE_HOLDS_ARRAY(a))
    return NULL;
  JsonArray *arr = json_node_get_array(a);
  for (guint i = 0; i < json_array_get_length(arr); i++) {
    JsonNode *e = json_array_get_element(arr, i);
    if (number(lookup(e, "id")) == (double) id)
      return e;
  }
  return NULL;
}

/* Ids in either tree's array, ascending. */
static GArray *ids(JsonNode *x, JsonNode *y, const char *key)
{
  GArray *v = g_array_new(FALSE, FALSE, sizeof(gint64));
  JsonNode *roots[2] = { x, y };
  for (int r = 0; r < 2; r++) {
    JsonNode *a = lookup(roots[r], key);
    if (a == NULL || !JSON_NODE_HOLDS_ARRAY(a))
      continue;
    JsonArray *arr = json_node_get_array(a);
    for (guint i = 0; i < json_array_get_length(arr); i++) {
      double d = number(lookup(json_array_get_element(arr, i), "id"));
      if (!(d >= -0x1p63 && d < 0x1p63) || d != floor(d))
        continue; /* no id of ours (and converting it would overflow) */
      gint64 id = (gint64) d;
      gboolean seen = FALSE;
      for (guint j = 0; j < v->len && !seen; j++)
        seen = g_array_index(v, gint64, j) == id;
      if (!seen)
        g_array_append_val(v, id);
    }
  }
  for (guint i = 1; i < v->len; i++)
    for (guint j = i; j > 0 && g_array_index(v, gint64, j - 1) > g_array_index(v, gint64, j); j--) {
      gint64 t = g_array_index(v, gint64, j);
      g_array_index(v, gint64, j) = g_array_index(v, gint64, j - 1);
      g_array_index(v, gint64, j - 1) = t;
    }
  return v;
}

static void compare_array(Cmp *c, JsonNode *old, JsonNode *cur, const char *key,
                          const char *const *metrics)
{
  GArray *v = ids(old, cur, key);
  for (guint i = 0; i < v->len; i++) {
    gint64 id = g_array_index(v, gint64, i);
    JsonNode *a = by_id(old, key, id), *b = by_id(cur, key, id);
    for (const char *const *m = metrics; *m; m++) {
      char *name = g_strdup_printf("%s[%" G_GINT64_FORMAT "].%s", key, id, *m);
      compare_value(c, name, a ? number(lookup(a, *m)) : NAN, b ? number(lookup(b, *m)) : NAN);
      g_free(name);
    }
  }
  g_array_free(v, TRUE);
}

guint cs_baseline_compare(JsonNode *old, JsonNode *cur, double tolerance, const char *old_name,
                          FILE *out)
{
  Cmp c = { .out = out, .tol = tolerance, .old_name = old_name };
  for (const char *const *m = KEY_METRICS; *m; m++)
    compare_value(&c, *m, number(lookup(old, *m)), number(lookup(cur, *m)));
  compare_array(&c, old, cur, "questions", QUESTION_METRICS);
  compare_array(&c, old, cur, "distributions", DISTRIBUTION_METRICS);
  if (c.changed == 0)
    fprintf(out, "baseline %s: no key metric changed\n", old_name);
  else
    fprintf(out, "baseline: %u metric%s changed, %u past the tolerance\n", c.changed,
            c.changed == 1 ? "" : "s", c.moved);
  return c.moved;
}
