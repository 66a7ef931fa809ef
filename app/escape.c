/* escape.c — control characters in user text written as escapes.  See
 * escape.h. */
#include "escape.h"
#include <string.h>

static gboolean is_control(guchar c)
{
  return c < 0x20 || c == 0x7f;
}

gboolean cs_escape_needed(const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (is_control((guchar) s[i]))
      return TRUE;
  return FALSE;
}

char *cs_escape_controls_len(const char *s, gsize len)
{
  GString *out = g_string_sized_new(len + 8);
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) s[i];
    if (!is_control(c))
      g_string_append_c(out, (char) c);
    else if (c == '\n')
      g_string_append(out, "\\n");
    else if (c == '\r')
      g_string_append(out, "\\r");
    else if (c == '\t')
      g_string_append(out, "\\t");
    else
      g_string_append_printf(out, "\\%03u", (unsigned) c);
  }
  return g_string_free(out, FALSE);
}

char *cs_escape_controls(const char *s)
{
  return s ? cs_escape_controls_len(s, strlen(s)) : g_strdup("");
}
