/* outfile.h — every file chainsim writes (results, time series, figures,
 * text exports, traces) goes through here, written whole or not at all.
 *
 * A regular file (or a name that does not exist yet) is written to a hidden
 * temporary name in its own folder (".NAME.tmp-PID-N"), flushed, synced and
 * renamed over the destination, so a crash, a full disk or an error half-way
 * leaves the old file or the new one, never a mix.  Whole buffers use GLib's
 * g_file_set_contents_full with G_FILE_SET_CONTENTS_CONSISTENT (the same
 * steps).  A special file the user named (a FIFO, /dev/null, /dev/stdout, a
 * terminal) is written in place: renaming over it would replace a device
 * node or a pipe with a plain file.  A folder is never a destination.
 * Temporaries left beside a destination by a killed writer (whose PID is
 * gone) are removed when the destination is next written.
 *
 * Errors are G_FILE_ERROR codes with one-line messages naming the path:
 * "cannot write 'out/x.csv': it is a folder". */
#pragma once
#include <glib.h>
#include <stdio.h>

typedef struct CsOutfile CsOutfile;

/* Writes len bytes of data to path whole (see above). */
gboolean cs_outfile_write(const char *path, const char *data, gsize len, GError **err);

/* Opens path for streaming: a temporary next to it, or the special file
 * itself; NULL on error (an empty name, a folder, a missing folder...). */
CsOutfile *cs_outfile_open(const char *path, GError **err);
/* The stdio stream to write to; owned by f (do not fclose it). */
FILE *cs_outfile_stream(CsOutfile *f);
/* The destination path given to cs_outfile_open. */
const char *cs_outfile_path(CsOutfile *f);
/* Flushes, syncs and renames the temporary over the destination (a special
 * file is only flushed).  Frees f whether it succeeds or not; on failure the
 * temporary is removed and the destination is untouched.  A write error on
 * the stream earlier also fails here. */
gboolean cs_outfile_commit(CsOutfile *f, GError **err);
/* Closes and removes the temporary, leaving the destination untouched (what
 * went to a special file is gone already); frees f.  NULL is ignored. */
void cs_outfile_abort(CsOutfile *f);

/* Whether path could be written, checked before any work is done: a
 * temporary is created beside it and removed (for a special file: write
 * permission).  FALSE with the error cs_outfile_open would give. */
gboolean cs_outfile_check(const char *path, GError **err);

/* Whether process pid has ended (kill(pid, 0) says no such process). */
gboolean cs_outfile_pid_dead(long pid);
/* Whether name (a file name, no folder) is a temporary a chainsim writer left
 * when it was killed: ".X.tmp-PID-N" (or ".chainsim-PID-N-X", figures of
 * earlier versions) whose PID has ended.  Such files are removed by the next
 * writer of the same destination. */
gboolean cs_outfile_dead_temporary(const char *name);

/* Creates dir and its missing parents (like mkdir -p); TRUE if it exists. */
gboolean cs_outfile_mkdirs(const char *dir, GError **err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsOutfile, cs_outfile_abort)
