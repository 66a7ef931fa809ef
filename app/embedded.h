/* embedded.h — scenario files compiled into the program.
 *
 * The build turns scenarios/enterprise.lua (the default scenario of
 * `chainsim run`) and every scenarios/lib/NAME.lua (modules for require) into
 * byte arrays (embed.cmake writes embedded.c), so the program runs the
 * default scenario and finds the helper library from any folder. */
#pragma once
#include <glib.h>

typedef struct {
  const char *module;   /* require name ("topo"), or NULL for a scenario */
  const char *path;     /* path under scenarios/ ("lib/topo.lua") */
  const char *source;   /* the text, NUL-terminated */
  gsize len;            /* its length in bytes */
} CsEmbeddedFile;

extern const CsEmbeddedFile cs_embedded_files[];
extern const guint cs_embedded_count;

/* The embedded file at `path` under scenarios/, or NULL. */
const CsEmbeddedFile *cs_embedded_find(const char *path);
