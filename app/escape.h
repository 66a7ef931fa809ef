/* escape.h — user text made safe for a one-line message.
 *
 * Every message chainsim prints is one line naming file:line.  Text a user
 * wrote (a node name, an error() argument, an expectation's description, a
 * file name) may hold a newline or another control character that would
 * break that line or drive the terminal; cs_escape_controls writes those as
 * Lua would in a string literal: \n, \r, \t and \ddd for the rest (DEL
 * included).  Everything else, UTF-8 included, passes unchanged. */
#pragma once
#include <glib.h>

/* TRUE when s (len bytes) holds a control character to escape. */
gboolean cs_escape_needed(const char *s, gsize len);
/* A newly allocated copy of s (len bytes; a NUL inside is escaped too) with
 * its control characters escaped. */
char *cs_escape_controls_len(const char *s, gsize len);
/* The same for a NUL-terminated string; NULL gives "". */
char *cs_escape_controls(const char *s);
