/* outfile.h — output files written whole or not at all.
 *
 * Every output (results.json, timeseries.csv, figures, traces) is written to
 * a hidden temporary name in the destination's own folder (".NAME.tmp-PID-N")
 * and renamed over the destination only once all of it is flushed and synced,
 * so a crash, a full disk or an error half-way leaves either the old file or
 * the new one, never a mix, and a reader never sees a half-written file.
 * rename() is atomic only within one file system, hence the same folder.
 *
 * Cost: one fsync of the file and one of its folder per commit.  Errors are
 * G_FILE_ERROR codes with messages naming the path: "cannot write
 * 'out/results.json': No space left on device". */
#pragma once
#include <glib.h>
#include <stdio.h>

typedef struct CsOutfile CsOutfile;

/* Writes len bytes of data to path atomically. */
gboolean cs_outfile_write(const char *path, const char *data, gsize len, GError **err);

/* Opens a temporary file next to path for streaming; NULL on error. */
CsOutfile *cs_outfile_open(const char *path, GError **err);
/* The stdio stream to write to; owned by f (do not fclose it). */
FILE *cs_outfile_stream(CsOutfile *f);
/* The destination path given to cs_outfile_open. */
const char *cs_outfile_path(CsOutfile *f);
/* Flushes, syncs and renames the temporary over the destination.  Frees f
 * whether it succeeds or not; on failure the temporary is removed and the
 * destination is untouched.  A write error on the stream earlier also fails
 * here. */
gboolean cs_outfile_commit(CsOutfile *f, GError **err);
/* Closes and removes the temporary, leaving the destination untouched; frees
 * f.  NULL is ignored. */
void cs_outfile_abort(CsOutfile *f);

/* Creates dir and its missing parents (like mkdir -p); TRUE if it exists. */
gboolean cs_outfile_mkdirs(const char *dir, GError **err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsOutfile, cs_outfile_abort)
