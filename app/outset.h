/* outset.h — the output folder of `chainsim run`, replaced as a whole.
 *
 * A run writes its whole output set (results.json, timeseries.csv, figures)
 * into a staging folder beside --out DIR, named ".NAME.chainsim-PID" (NAME is
 * DIR's own name; same parent, so the same file system), and swaps it in at
 * the end with one rename (DIR new or gone) or one atomic exchange
 * (renameat2 RENAME_EXCHANGE; DIR exists): a reader of DIR sees the old set
 * or the new one, never a mix, whenever the run is killed.  The set's names
 * are listed in DIR/.chainsim-manifest.
 *
 * Entries of DIR that are not chainsim outputs stay: before the swap every
 * regular file that is neither in the previous run's manifest nor named like
 * a new output is hard-linked into the staging folder; after it, what could
 * not be linked (folders, or a file system without links) is moved back.
 * The previous run's outputs are deleted.  An entry with an output's name is
 * replaced (that is what --out means).
 *
 * A staging folder whose run died (its PID is gone) is dealt with by the next
 * run on the same DIR: never swapped (".chainsim-partial" inside) it is
 * deleted; swapped (it holds the previous set) its outputs are deleted and any
 * other entry is moved back into DIR, as above.  Nothing is created before
 * the run is known to be possible (cs_outset_begin fails first), and the
 * staging folder and the parents of DIR it created are removed when the run
 * fails.  Where the file system cannot exchange folders, when DIR holds the
 * current folder (a swap would leave the user's shell in a deleted folder),
 * and when DIR is a mount point (the staging folder is then made inside it,
 * on its file system), the outputs are moved into DIR one by one (each
 * whole), the manifest last.
 *
 * Test hook: CHAINSIM_TEST_KILL=before-swap or after-swap makes the process
 * kill itself (SIGKILL) at that point of cs_outset_commit. */
#pragma once
#include <glib.h>

typedef struct CsOutset CsOutset;

/* Name of the manifest inside an output folder. */
#define CS_OUTSET_MANIFEST ".chainsim-manifest"

/* Checks that dir can be the output folder, clears what dead runs left
 * beside it and creates the staging folder (and dir's missing parents).
 * NULL with a one-line error naming dir. */
CsOutset *cs_outset_begin(const char *dir, GError **err);
/* The folder to write every output into. */
const char *cs_outset_staging(CsOutset *o);
/* Where to write path when it names a file directly in dir (--trace
 * OUT/trace.csv): the same name in the staging folder, so it joins the set;
 * NULL for a path elsewhere (or a hidden name).  g_free the result. */
char *cs_outset_place(CsOutset *o, const char *path);
/* Swaps the staging folder in as dir (see above). */
gboolean cs_outset_commit(CsOutset *o, GError **err);
/* Frees o; unless committed, removes the staging folder and the parents of
 * dir that cs_outset_begin created.  NULL is ignored. */
void cs_outset_free(CsOutset *o);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsOutset, cs_outset_free)
