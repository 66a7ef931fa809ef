/* study_grid.c — parsing --grid specifications into axes; points and seeds.
 * See study_grid.h. */
#include "study_grid.h"
#include <math.h>
#include <string.h>

struct CsGrid {
  GPtrArray *axes; /* CsGridAxis * */
};

GQuark cs_grid_error_quark(void) { return g_quark_from_static_string("cs-grid-error"); }

static void axis_free(gpointer p)
{
  CsGridAxis *a = p;
  g_free(a->key);
  g_ptr_array_unref(a->values);
  g_free(a);
}

CsGrid *cs_grid_new(void)
{
  CsGrid *g = g_new0(CsGrid, 1);
  g->axes = g_ptr_array_new_with_free_func(axis_free);
  return g;
}

void cs_grid_free(CsGrid *g)
{
  if (!g)
    return;
  g_ptr_array_unref(g->axes);
  g_free(g);
}

static gboolean fail(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean fail(GError **err, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(err, CS_GRID_ERROR, 0, msg);
  g_free(msg);
  return FALSE;
}

gboolean cs_grid_key_ok(const char *k, size_t len)
{
  if (len == 0 || !(g_ascii_isalpha(k[0]) || k[0] == '_'))
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (!(g_ascii_isalnum(k[i]) || k[i] == '_'))
      return FALSE;
  return TRUE;
}

/* A value names a folder and goes to --set: no '/', '=', blanks or controls. */
static gboolean value_ok(const char *key, const char *v, GError **err)
{
  if (*v == '\0')
    return fail(err, "--grid %s: empty value", key);
  if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
    return fail(err, "--grid %s: value \"%s\" cannot name a folder", key, v);
  for (const unsigned char *p = (const unsigned char *) v; *p; p++)
    if (*p == '/' || *p == '=' || g_ascii_isspace(*p) || *p < 0x20 || *p == 0x7f)
      return fail(err, "--grid %s: value \"%s\" holds '%s' (values name folders: no '/', '=', "
                  "blanks or control characters)", key, v,
                  *p == '/' ? "/" : *p == '=' ? "=" : g_ascii_isspace(*p) ? "a blank" : "a control character");
  return TRUE;
}

/* "12.5Mbps" → 12.5 and "Mbps": decimal digits with an optional fraction,
 * then an optional unit of letters and '%'. */
gboolean cs_grid_number(const char *s, double *v, char **unit)
{
  const char *p = s;
  gboolean digits = FALSE;
  while (g_ascii_isdigit(*p)) {
    p++;
    digits = TRUE;
  }
  if (*p == '.') {
    p++;
    while (g_ascii_isdigit(*p)) {
      p++;
      digits = TRUE;
    }
  }
  if (!digits)
    return FALSE;
  for (const char *q = p; *q; q++)
    if (!(g_ascii_isalpha(*q) || *q == '%'))
      return FALSE;
  char *num = g_strndup(s, (gsize) (p - s));
  *v = g_ascii_strtod(num, NULL);
  g_free(num);
  if (!isfinite(*v))
    return FALSE;
  *unit = g_strdup(p);
  return TRUE;
}

static gboolean is_int(double v) { return v == floor(v) && fabs(v) < 9e15; }

static char *fmt_value(double v, gboolean integer, const char *unit)
{
  if (integer)
    return g_strdup_printf("%.0f%s", v, unit);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%.12g", v);
  return g_strconcat(buf, unit, NULL);
}

/* A:B:xF or A:B:+S into values. */
static gboolean parse_range(CsGridAxis *a, const char *spec, GError **err)
{
  g_auto(GStrv) part = g_strsplit(spec, ":", -1);
  if (g_strv_length(part) != 3)
    return fail(err, "--grid %s: expected a range A:B:xF or A:B:+S, got \"%s\"", a->key, spec);
  double lo, hi;
  g_autofree char *ulo = NULL, *uhi = NULL;
  if (!cs_grid_number(part[0], &lo, &ulo) || !cs_grid_number(part[1], &hi, &uhi))
    return fail(err, "--grid %s: range ends must be numbers with an optional unit, got \"%s\" and \"%s\"",
                a->key, part[0], part[1]);
  if (strcmp(ulo, uhi) != 0)
    return fail(err, "--grid %s: range ends have different units (\"%s\" and \"%s\")", a->key, part[0],
                part[1]);
  if (lo > hi)
    return fail(err, "--grid %s: range start %s is above its end %s", a->key, part[0], part[1]);
  const char *st = part[2];
  gboolean geo = st[0] == 'x';
  const char *num = st[0] == 'x' || st[0] == '+' ? st + 1 : st;
  double step;
  g_autofree char *ust = NULL;
  if (!cs_grid_number(num, &step, &ust) || (*ust && strcmp(ust, ulo) != 0) || (geo && *ust))
    return fail(err, "--grid %s: expected a step like +5 or a factor like x2, got \"%s\"", a->key, st);
  if (geo && !(step > 1))
    return fail(err, "--grid %s: the factor must be above 1, got \"%s\"", a->key, st);
  if (!geo && !(step > 0))
    return fail(err, "--grid %s: the step must be above 0, got \"%s\"", a->key, st);
  if (geo && !(lo > 0))
    return fail(err, "--grid %s: a geometric range must start above 0, got \"%s\"", a->key, part[0]);
  a->geometric = geo;
  gboolean integer = is_int(lo) && is_int(step);
  double slack = 1e-9 * MAX(fabs(hi), 1);
  for (guint i = 0;; i++) {
    double v = geo ? lo * pow(step, i) : lo + step * i;
    if (v > hi + slack)
      break;
    if (i >= CS_GRID_MAX_VALUES)
      return fail(err, "--grid %s: more than %u values", a->key, CS_GRID_MAX_VALUES);
    if (integer)
      v = round(v);
    g_ptr_array_add(a->values, fmt_value(v, integer, ulo));
  }
  return TRUE;
}

gboolean cs_grid_add(CsGrid *g, const char *spec, GError **err)
{
  const char *eq = strchr(spec, '=');
  if (eq == NULL || !cs_grid_key_ok(spec, (size_t) (eq - spec)))
    return fail(err, "--grid: expected KEY=V1,V2,... or KEY=A:B:xF or KEY=A:B:+S with KEY made of "
                "letters, digits and '_', got \"%s\"", spec);
  CsGridAxis *a = g_new0(CsGridAxis, 1);
  a->key = g_strndup(spec, (gsize) (eq - spec));
  a->values = g_ptr_array_new_with_free_func(g_free);
  const char *body = eq + 1;
  gboolean ok = TRUE;
  if (cs_grid_find(g, a->key) >= 0) {
    ok = fail(err, "--grid %s: the key is swept twice", a->key);
  } else if (*body == '\0') {
    ok = fail(err, "--grid %s: empty value", a->key);
  } else if (strchr(body, ':') && !strchr(body, ',')) {
    ok = parse_range(a, body, err);
  } else {
    g_auto(GStrv) vals = g_strsplit(body, ",", -1);
    for (guint i = 0; ok && vals[i]; i++) {
      if (i >= CS_GRID_MAX_VALUES)
        ok = fail(err, "--grid %s: more than %u values", a->key, CS_GRID_MAX_VALUES);
      else if ((ok = value_ok(a->key, vals[i], err)))
        g_ptr_array_add(a->values, g_strdup(vals[i]));
    }
  }
  for (guint i = 0; ok && i < a->values->len; i++) {
    const char *v = g_ptr_array_index(a->values, i);
    if (!(ok = value_ok(a->key, v, err)))
      break;
    for (guint j = 0; j < i; j++)
      if (strcmp(v, g_ptr_array_index(a->values, j)) == 0) {
        ok = fail(err, "--grid %s: value \"%s\" given twice", a->key, v);
        break;
      }
  }
  if (ok && (guint64) cs_grid_points(g) * a->values->len > CS_GRID_MAX_POINTS)
    ok = fail(err, "--grid %s: the grid would have more than %u points", a->key, CS_GRID_MAX_POINTS);
  if (!ok) {
    axis_free(a);
    return FALSE;
  }
  g_ptr_array_add(g->axes, a);
  return TRUE;
}

guint cs_grid_axis_count(const CsGrid *g) { return g->axes->len; }

const CsGridAxis *cs_grid_axis(const CsGrid *g, guint i) { return g_ptr_array_index(g->axes, i); }

int cs_grid_find(const CsGrid *g, const char *key)
{
  for (guint i = 0; i < g->axes->len; i++)
    if (strcmp(cs_grid_axis(g, i)->key, key) == 0)
      return (int) i;
  return -1;
}

guint cs_grid_points(const CsGrid *g)
{
  guint n = 1;
  for (guint i = 0; i < g->axes->len; i++)
    n *= cs_grid_axis(g, i)->values->len;
  return n;
}

guint cs_grid_value_index(const CsGrid *g, guint p, guint axis)
{
  for (guint i = g->axes->len; i-- > axis + 1;)
    p /= cs_grid_axis(g, i)->values->len;
  return p % cs_grid_axis(g, axis)->values->len;
}

const char *cs_grid_value(const CsGrid *g, guint p, guint axis)
{
  return g_ptr_array_index(cs_grid_axis(g, axis)->values, cs_grid_value_index(g, p, axis));
}

guint cs_grid_point_of(const CsGrid *g, const guint *idx)
{
  guint p = 0;
  for (guint i = 0; i < g->axes->len; i++)
    p = p * cs_grid_axis(g, i)->values->len + idx[i];
  return p;
}

char *cs_grid_point_name(const CsGrid *g, guint p)
{
  if (g->axes->len == 0)
    return g_strdup("base");
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < g->axes->len; i++)
    g_string_append_printf(s, "%s%s=%s", i ? "," : "", cs_grid_axis(g, i)->key, cs_grid_value(g, p, i));
  return g_string_free(s, FALSE);
}

guint64 cs_grid_seed(guint64 master, guint k)
{
  guint64 z = master + (guint64) k * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT(0x94D049BB133111EB);
  z ^= z >> 31;
  return z >> 1;
}
