/* units.h — strict parsing of the sizes, rates and durations users write.
 *
 * Scenarios and the command line spell quantities as strings with a unit:
 * sizes "512", "512B", "1.5KB", "2GB" (B KB MB GB TB, powers of 1000) or
 * "64KiB" (KiB MiB GiB TiB, powers of 1024); rates "20Mbps" (bps Kbps/kbps
 * Mbps Gbps, powers of 1000); durations "1.5s", "10m", "0.1ms" (ns us ms s m
 * h; a bare number is seconds).  The number is decimal digits with an optional
 * fraction ("1.5", ".5", "2."): no sign, no exponent, no hex, no surrounding
 * blanks; one or more spaces may separate it from the unit ("2 GB").  Units
 * are case-sensitive as listed.  Sizes are rounded to the nearest byte and
 * durations to the nearest nanosecond (halves away from zero); the integer
 * part is computed exactly, so "18446744073709551615B" is accepted and one
 * more is refused as out of range.
 *
 * Errors (domain CS_UNITS_ERROR) read "expected a size like "512KiB" or
 * "2GB", got "2 GBB"", so a caller can prefix the option name and show it.
 * Nothing here touches Lua; the luaopt module maps Lua values onto these. */
#pragma once
#include <glib.h>

#define CS_UNITS_ERROR (cs_units_error_quark())
GQuark cs_units_error_quark(void);

typedef enum {
  CS_UNITS_ERROR_INVALID, /* not of the expected form (bad number, unknown unit) */
  CS_UNITS_ERROR_RANGE,   /* well formed but negative, not finite or too large */
} CsUnitsError;

/* The forms quoted after "expected" in error messages, for callers that
 * refuse a value before parsing it (a Lua table given as a size). */
#define CS_UNITS_EXPECT_SIZE "a size like \"512KiB\" or \"2GB\""
#define CS_UNITS_EXPECT_RATE "a rate like \"20Mbps\""
#define CS_UNITS_EXPECT_DURATION "a duration like \"1.5s\" or \"10m\""

/* "512", "1.5KB", "2GiB" → bytes. */
gboolean cs_units_parse_size(const char *s, guint64 *out, GError **err);
/* A Lua float or integer that counts bytes; rounded to the nearest byte. */
gboolean cs_units_size_from_number(double v, guint64 *out, GError **err);
gboolean cs_units_size_from_integer(gint64 v, guint64 *out, GError **err);

/* "20Mbps", "100kbps" → bits per second (a unit is required). */
gboolean cs_units_parse_rate(const char *s, double *out, GError **err);
/* A Lua number that counts bits per second. */
gboolean cs_units_rate_from_number(double v, double *out, GError **err);

/* "1.5s", "10m", "0.1ms", "30" (seconds) → nanoseconds. */
gboolean cs_units_parse_duration(const char *s, gint64 *out, GError **err);
/* A Lua number that counts seconds → nanoseconds. */
gboolean cs_units_duration_from_seconds(double v, gint64 *out, GError **err);

/* A bound as the user would write it, in the largest unit that holds it
 * exactly: durations "8760h", "1ms", "0s"; sizes "1TB", "64MiB", "512B";
 * rates "1000Gbps", "1kbps", "150bps" (rates that are not a whole number of
 * bits per second keep up to 6 significant digits).  buf holds at least
 * CS_UNITS_FORMAT_MAX bytes. */
#define CS_UNITS_FORMAT_MAX 32
void cs_units_format_duration(gint64 ns, char *buf, gsize size);
void cs_units_format_size(guint64 bytes, char *buf, gsize size);
void cs_units_format_rate(double bps, char *buf, gsize size);

/* s as a double-quoted C-escaped string for messages, shortened with "..."
 * past 48 bytes; NULL gives "(null)".  Free with g_free. */
gchar *cs_units_quote(const char *s);
