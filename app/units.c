/* units.c — parsing sizes, rates and durations.  See units.h.
 *
 * The number is split by hand into an integer part, kept exactly in 64 bits,
 * and a fraction, kept as a double below 1.  value = int * unit + fraction *
 * unit: the first product is exact and overflow-checked, the second is below
 * one unit, so a double rounds it correctly to a byte or a nanosecond. */
#include "units.h"
#include <math.h>
#include <string.h>

G_DEFINE_QUARK(cs-units-error-quark, cs_units_error)

/* The shapes quoted in error messages: users copy them. */
#define EXPECT_SIZE CS_UNITS_EXPECT_SIZE
#define EXPECT_RATE CS_UNITS_EXPECT_RATE
#define EXPECT_DURATION CS_UNITS_EXPECT_DURATION

/* Longest string shown whole in a message; longer ones end in "...". */
#define QUOTE_MAX 48

/* Fraction digits beyond this change nothing a double can hold. */
#define FRACTION_DIGITS_MAX 30

typedef struct {
  const char *name; /* unit as the user writes it */
  guint64 scale;    /* bytes, bits/s or nanoseconds per unit */
} Unit;

static const Unit size_units[] = {
  { "B", 1 },
  { "KB", 1000ULL },
  { "MB", 1000ULL * 1000 },
  { "GB", 1000ULL * 1000 * 1000 },
  { "TB", 1000ULL * 1000 * 1000 * 1000 },
  { "KiB", 1ULL << 10 },
  { "MiB", 1ULL << 20 },
  { "GiB", 1ULL << 30 },
  { "TiB", 1ULL << 40 },
  { NULL, 0 },
};

static const Unit rate_units[] = {
  { "bps", 1 },
  { "Kbps", 1000ULL },
  { "kbps", 1000ULL }, /* the common spelling; the SI prefix is lower case */
  { "Mbps", 1000ULL * 1000 },
  { "Gbps", 1000ULL * 1000 * 1000 },
  { NULL, 0 },
};

static const Unit duration_units[] = {
  { "ns", 1 },
  { "us", 1000ULL },
  { "ms", 1000ULL * 1000 },
  { "s", 1000ULL * 1000 * 1000 },
  { "m", 60ULL * 1000 * 1000 * 1000 },
  { "h", 3600ULL * 1000 * 1000 * 1000 },
  { NULL, 0 },
};

gchar *cs_units_quote(const char *s)
{
  if (s == NULL)
    return g_strdup("(null)");
  gsize len = strlen(s), cut = len;
  if (len > QUOTE_MAX) {
    cut = QUOTE_MAX - 3;
    /* Do not split a UTF-8 sequence. */
    while (cut > 0 && ((guchar) s[cut] & 0xC0) == 0x80)
      cut--;
  }
  GString *q = g_string_sized_new(cut + 8);
  g_string_append_c(q, '"');
  for (gsize i = 0; i < cut; i++) {
    guchar c = (guchar) s[i];
    switch (c) {
    case '"': g_string_append(q, "\\\""); break;
    case '\\': g_string_append(q, "\\\\"); break;
    case '\n': g_string_append(q, "\\n"); break;
    case '\t': g_string_append(q, "\\t"); break;
    case '\r': g_string_append(q, "\\r"); break;
    default:
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf(q, "\\x%02x", c);
      else
        g_string_append_c(q, (char) c);
    }
  }
  if (cut < len)
    g_string_append(q, "...");
  g_string_append_c(q, '"');
  return g_string_free(q, FALSE);
}

static void set_error_string(GError **err, CsUnitsError code, const char *expected, const char *s)
{
  gchar *q = cs_units_quote(s);
  g_set_error(err, CS_UNITS_ERROR, code, "expected %s, got %s", expected, q);
  g_free(q);
}

static void set_error_number(GError **err, CsUnitsError code, const char *expected, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (isnan(v))
    g_strlcpy(buf, "nan", sizeof buf);
  else if (isinf(v))
    g_strlcpy(buf, v > 0 ? "inf" : "-inf", sizeof buf);
  else
    g_ascii_formatd(buf, sizeof buf, "%.14g", v);
  g_set_error(err, CS_UNITS_ERROR, code, "expected %s, got %s", expected, buf);
}

/* A parsed "<digits>[.<digits>] [unit]". */
typedef struct {
  guint64 whole;       /* integer part, exact unless whole_overflow */
  gboolean whole_overflow; /* the integer part does not fit 64 bits */
  double fraction;     /* fractional part in [0, 1) */
  double number;       /* the whole number as a double (for rates) */
  const Unit *unit;    /* matched unit, or NULL when none was written */
} Quantity;

/* Splits s into number and unit; FALSE when s is not of that form or names
 * a unit not in units. */
static gboolean split_quantity(const char *s, const Unit *units, Quantity *q)
{
  memset(q, 0, sizeof *q);
  const char *p = s;
  gsize int_digits = 0, frac_digits = 0;
  char frac_buf[FRACTION_DIGITS_MAX + 3] = "0.";
  while (g_ascii_isdigit(*p)) {
    guint64 d = (guint64) (*p - '0');
    if (q->whole > (G_MAXUINT64 - d) / 10)
      q->whole_overflow = TRUE;
    else
      q->whole = q->whole * 10 + d;
    int_digits++;
    p++;
  }
  if (*p == '.') {
    p++;
    while (g_ascii_isdigit(*p)) {
      if (frac_digits < FRACTION_DIGITS_MAX)
        frac_buf[2 + frac_digits] = *p;
      frac_digits++;
      p++;
    }
  }
  if (int_digits + frac_digits == 0)
    return FALSE;
  frac_buf[2 + MIN(frac_digits, FRACTION_DIGITS_MAX)] = '\0';
  q->fraction = frac_digits ? g_ascii_strtod(frac_buf, NULL) : 0.0;
  /* The integer part as a double: exact below 2^53, nearest above. */
  double w = 0.0;
  for (const char *d = s; g_ascii_isdigit(*d); d++)
    w = w * 10.0 + (*d - '0');
  q->number = w + q->fraction;

  const char *unit = p;
  while (*unit == ' ')
    unit++;
  if (*unit == '\0')
    return unit == p; /* blanks with no unit after them are trailing garbage */
  for (const Unit *u = units; u->name; u++) {
    if (strcmp(unit, u->name) == 0) {
      q->unit = u;
      return TRUE;
    }
  }
  return FALSE;
}

gboolean cs_units_parse_size(const char *s, guint64 *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  Quantity q;
  if (s == NULL || !split_quantity(s, size_units, &q)) {
    set_error_string(err, CS_UNITS_ERROR_INVALID, EXPECT_SIZE, s);
    return FALSE;
  }
  guint64 scale = q.unit ? q.unit->scale : 1;
  double part = round(q.fraction * (double) scale); /* < scale <= 2^40: exact */
  guint64 extra = (guint64) part;
  if (q.whole_overflow || q.whole > G_MAXUINT64 / scale ||
      q.whole * scale > G_MAXUINT64 - extra) {
    set_error_string(err, CS_UNITS_ERROR_RANGE,
                     "a size of at most 18446744073709551615 bytes", s);
    return FALSE;
  }
  *out = q.whole * scale + extra;
  return TRUE;
}

gboolean cs_units_size_from_number(double v, guint64 *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  if (!isfinite(v) || v < 0) {
    set_error_number(err, CS_UNITS_ERROR_RANGE, EXPECT_SIZE, v);
    return FALSE;
  }
  double r = round(v);
  if (r >= 18446744073709551616.0) { /* 2^64 */
    set_error_number(err, CS_UNITS_ERROR_RANGE,
                     "a size of at most 18446744073709551615 bytes", v);
    return FALSE;
  }
  *out = (guint64) r;
  return TRUE;
}

gboolean cs_units_size_from_integer(gint64 v, guint64 *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  if (v < 0) {
    g_set_error(err, CS_UNITS_ERROR, CS_UNITS_ERROR_RANGE,
                "expected %s, got %" G_GINT64_FORMAT, EXPECT_SIZE, v);
    return FALSE;
  }
  *out = (guint64) v;
  return TRUE;
}

gboolean cs_units_parse_rate(const char *s, double *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  Quantity q;
  /* A bare number is refused: "20" could mean bps or Mbps. */
  if (s == NULL || !split_quantity(s, rate_units, &q) || q.unit == NULL) {
    set_error_string(err, CS_UNITS_ERROR_INVALID, EXPECT_RATE, s);
    return FALSE;
  }
  double v = q.number * (double) q.unit->scale;
  if (!isfinite(v)) {
    set_error_string(err, CS_UNITS_ERROR_RANGE, "a finite rate", s);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean cs_units_rate_from_number(double v, double *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  if (!isfinite(v) || v < 0) {
    set_error_number(err, CS_UNITS_ERROR_RANGE, EXPECT_RATE, v);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean cs_units_parse_duration(const char *s, gint64 *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  Quantity q;
  if (s == NULL || !split_quantity(s, duration_units, &q)) {
    set_error_string(err, CS_UNITS_ERROR_INVALID, EXPECT_DURATION, s);
    return FALSE;
  }
  guint64 scale = q.unit ? q.unit->scale : 1000000000ULL; /* bare = seconds */
  guint64 extra = (guint64) round(q.fraction * (double) scale);
  if (q.whole_overflow || q.whole > (guint64) G_MAXINT64 / scale ||
      q.whole * scale > (guint64) G_MAXINT64 - extra) {
    set_error_string(err, CS_UNITS_ERROR_RANGE,
                     "a duration of at most 292 years (2^63 ns)", s);
    return FALSE;
  }
  *out = (gint64) (q.whole * scale + extra);
  return TRUE;
}

gboolean cs_units_duration_from_seconds(double v, gint64 *out, GError **err)
{
  g_return_val_if_fail(out != NULL, FALSE);
  if (!isfinite(v) || v < 0) {
    set_error_number(err, CS_UNITS_ERROR_RANGE, EXPECT_DURATION, v);
    return FALSE;
  }
  double ns = round(v * 1e9);
  if (ns >= 9223372036854775808.0) { /* 2^63 */
    set_error_number(err, CS_UNITS_ERROR_RANGE,
                     "a duration of at most 292 years (2^63 ns)", v);
    return FALSE;
  }
  *out = (gint64) ns;
  return TRUE;
}

/* v in the largest unit of units (listed smallest first) that divides it. */
static void format_exact(guint64 v, const Unit *units, char *buf, gsize size)
{
  const Unit *best = &units[0];
  for (const Unit *u = units; u->name; u++)
    if (v != 0 && v % u->scale == 0 && u->scale > best->scale)
      best = u;
  g_snprintf(buf, size, "%" G_GUINT64_FORMAT "%s", v / best->scale, best->name);
}

void cs_units_format_duration(gint64 ns, char *buf, gsize size)
{
  if (ns < 0) {
    g_snprintf(buf, size, "%" G_GINT64_FORMAT "ns", ns);
    return;
  }
  format_exact((guint64) ns, ns == 0 ? &duration_units[3] : duration_units, buf, size);
}

void cs_units_format_size(guint64 bytes, char *buf, gsize size)
{
  /* Decimal units first, so 1000000 is "1MB" and 1048576 "1MiB". */
  static const Unit dec[] = { { "B", 1 }, { "KB", 1000ULL }, { "MB", 1000000ULL },
                              { "GB", 1000000000ULL }, { "TB", 1000000000000ULL }, { NULL, 0 } };
  static const Unit bin[] = { { "B", 1 }, { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 },
                              { "GiB", 1ULL << 30 }, { "TiB", 1ULL << 40 }, { NULL, 0 } };
  char a[CS_UNITS_FORMAT_MAX], b[CS_UNITS_FORMAT_MAX];
  format_exact(bytes, dec, a, sizeof a);
  format_exact(bytes, bin, b, sizeof b);
  g_strlcpy(buf, strlen(b) < strlen(a) ? b : a, size);
}

void cs_units_format_rate(double bps, char *buf, gsize size)
{
  static const Unit units[] = { { "bps", 1 }, { "kbps", 1000ULL }, { "Mbps", 1000000ULL },
                                { "Gbps", 1000000000ULL },
                                { NULL, 0 } };
  if (isfinite(bps) && bps >= 0 && bps < 0x1p63 && bps == floor(bps)) {
    format_exact((guint64) bps, units, buf, size);
    return;
  }
  char n[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(n, sizeof n, "%.6g", bps);
  g_snprintf(buf, size, "%sbps", n);
}
