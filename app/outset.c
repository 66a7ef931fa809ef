/* outset.c — the output folder replaced as a whole.  See outset.h. */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE, RENAME_NOREPLACE */
#include "outset.h"
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inside a staging folder until its set is complete. */
#define PARTIAL ".chainsim-partial"

struct CsOutset {
  char *dir;          /* as given (messages) */
  char *abs;          /* absolute; symlinks resolved when it exists */
  char *staging;      /* beside abs */
  GPtrArray *created; /* parents of abs made by begin, deepest first */
  gboolean inside;    /* abs is a mount point: the staging folder is inside it */
  gboolean committed;
};

static void errno_error(GError **err, int e, const char *what, const char *path)
{
  g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "cannot %s '%s': %s", what, path,
              g_strerror(e));
}

static void test_kill(const char *point)
{
  const char *k = g_getenv("CHAINSIM_TEST_KILL");
  if (k && strcmp(k, point) == 0)
    raise(SIGKILL);
}

/* The names listed in folder's manifest (a set; empty without one). */
static GHashTable *read_manifest(const char *folder)
{
  GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char *path = g_build_filename(folder, CS_OUTSET_MANIFEST, NULL);
  char *text = NULL;
  if (g_file_get_contents(path, &text, NULL, NULL)) {
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
      if (**l && **l != '#')
        g_hash_table_add(set, g_strdup(*l));
    g_strfreev(lines);
  }
  g_free(text);
  g_free(path);
  return set;
}

/* Whether an entry of a folder being replaced is chainsim's: the manifest
 * and marker, an output of the old or the new set, a temporary of a dead
 * writer. */
static gboolean is_output(const char *name, GHashTable *old_set, GHashTable *new_set)
{
  return strcmp(name, CS_OUTSET_MANIFEST) == 0 || strcmp(name, PARTIAL) == 0 ||
         g_hash_table_contains(old_set, name) || g_hash_table_contains(new_set, name) ||
         cs_outfile_dead_temporary(name);
}

/* Deletes the files in a folder that holds only chainsim's, then the folder. */
static void remove_files(const char *folder)
{
  GDir *d = g_dir_open(folder, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *p = g_build_filename(folder, name, NULL);
    unlink(p);
    g_free(p);
  }
  if (d)
    g_dir_close(d);
  rmdir(folder);
}

/* Empties `from` (a replaced output folder) into `into`: outputs are
 * deleted, other entries moved into `into` (or dropped when `into` has the
 * same file by a hard link); `from` goes when empty.  Entries that cannot be
 * moved (`into` has another entry of that name) stay, and a line says so. */
static void settle(const char *from, const char *into, GHashTable *old_set, GHashTable *new_set)
{
  GDir *d = g_dir_open(from, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *src = g_build_filename(from, name, NULL);
    char *dst = g_build_filename(into, name, NULL);
    struct stat a, b;
    if (is_output(name, old_set, new_set)) {
      unlink(src);
    } else if (lstat(dst, &b) == 0) {
      if (lstat(src, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        unlink(src); /* linked before the swap */
    } else if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) != 0 &&
               errno == EINVAL) {
      rename(src, dst); /* no RENAME_NOREPLACE here; checked just above */
    }
    g_free(src);
    g_free(dst);
  }
  if (d)
    g_dir_close(d);
  if (rmdir(from) != 0 && errno != ENOENT)
    fprintf(stderr, "chainsim: kept '%s': it holds entries that '%s' has under the same "
            "names\n", from, into);
}

/* The names ".BASE.chainsim-PID" of staging folders of dead runs in parent
 * (ours too: a folder with our pid is a dead namesake's) are recovered. */
static void clean_stale(const char *parent, const char *base, const char *abs)
{
  char *prefix = g_strdup_printf(".%s.chainsim-", base);
  GDir *d = g_dir_open(parent, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    if (!g_str_has_prefix(name, prefix))
      continue;
    guint64 pid;
    if (!g_ascii_string_to_unsigned(name + strlen(prefix), 10, 1, G_MAXINT32, &pid, NULL) ||
        (pid != (guint64) getpid() && !cs_outfile_pid_dead((long) pid)))
      continue;
    char *stale = g_build_filename(parent, name, NULL);
    char *marker = g_build_filename(stale, PARTIAL, NULL);
    if (g_file_test(marker, G_FILE_TEST_EXISTS)) {
      remove_files(stale); /* never swapped in: all of it the dead run's */
    } else if (!g_file_test(abs, G_FILE_TEST_EXISTS)) {
      rename(stale, abs); /* a whole set whose swap did not happen */
    } else {
      GHashTable *old_set = read_manifest(stale), *cur_set = read_manifest(abs);
      settle(stale, abs, old_set, cur_set);
      g_hash_table_unref(old_set);
      g_hash_table_unref(cur_set);
    }
    g_free(marker);
    g_free(stale);
  }
  if (d)
    g_dir_close(d);
  g_free(prefix);
}

static void sync_path(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

CsOutset *cs_outset_begin(const char *dir, GError **err)
{
  if (dir == NULL || *dir == '\0') {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "expected a folder name, got an empty string");
    return NULL;
  }
  struct stat st;
  char *abs;
  if (stat(dir, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "'%s' exists and is not a folder", dir);
      return NULL;
    }
    if (access(dir, W_OK | X_OK) != 0) {
      errno_error(err, errno, "write in", dir);
      return NULL;
    }
    char *real = realpath(dir, NULL);
    if (real == NULL) {
      errno_error(err, errno, "use", dir);
      return NULL;
    }
    abs = g_strdup(real);
    free(real);
  } else if (errno != ENOENT || lstat(dir, &st) == 0) {
    errno_error(err, errno == ENOENT ? ENOENT : errno, "use", dir); /* e.g. a broken link */
    return NULL;
  } else {
    abs = g_canonicalize_filename(dir, NULL);
  }
  if (strcmp(abs, "/") == 0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot replace the root folder");
    g_free(abs);
    return NULL;
  }
  CsOutset *o = g_new0(CsOutset, 1);
  o->dir = g_strdup(dir);
  o->abs = abs;
  o->created = g_ptr_array_new_with_free_func(g_free);
  char *parent = g_path_get_dirname(abs);
  char *base = g_path_get_basename(abs);

  /* The missing parents, deepest first; the first existing one must be a
   * folder. */
  GPtrArray *missing = g_ptr_array_new_with_free_func(g_free);
  char *p = g_strdup(parent);
  while (stat(p, &st) != 0 && errno == ENOENT) {
    g_ptr_array_add(missing, p);
    p = g_path_get_dirname(p);
  }
  gboolean ok = TRUE;
  if (stat(p, &st) != 0) {
    errno_error(err, errno, "use", p);
    ok = FALSE;
  } else if (!S_ISDIR(st.st_mode)) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOTDIR, "cannot create '%s': '%s' is not a folder",
                dir, p);
    ok = FALSE;
  }
  g_free(p);
  for (guint i = missing->len; ok && i-- > 0;) {
    const char *m = g_ptr_array_index(missing, i);
    if (mkdir(m, 0777) != 0) {
      errno_error(err, errno, "create", dir);
      ok = FALSE;
    } else {
      g_ptr_array_insert(o->created, 0, g_strdup(m));
    }
  }
  g_ptr_array_free(missing, TRUE);

  /* A mount point (a container's volume, say) cannot be swapped, nor is a
   * folder beside it on its file system: stage inside it. */
  struct stat ps;
  o->inside = ok && stat(abs, &st) == 0 && stat(parent, &ps) == 0 && st.st_dev != ps.st_dev;
  const char *home = o->inside ? abs : parent;
  if (ok) {
    clean_stale(home, base, abs);
    char *name = g_strdup_printf(".%s.chainsim-%ld", base, (long) getpid());
    o->staging = g_build_filename(home, name, NULL);
    g_free(name);
    char *marker = g_build_filename(o->staging, PARTIAL, NULL);
    int fd = -1;
    if (mkdir(o->staging, 0777) != 0 ||
        (fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
      errno_error(err, errno, "create a folder beside", dir);
      ok = FALSE;
    }
    if (fd >= 0)
      close(fd);
    g_free(marker);
  }
  g_free(parent);
  g_free(base);
  if (!ok) {
    cs_outset_free(o);
    return NULL;
  }
  return o;
}

const char *cs_outset_staging(CsOutset *o)
{
  return o->staging;
}

char *cs_outset_place(CsOutset *o, const char *path)
{
  char *dir = g_path_get_dirname(path);
  char *abs_dir = g_canonicalize_filename(dir, NULL);
  char *real = realpath(dir, NULL);
  char *given = g_canonicalize_filename(o->dir, NULL);
  gboolean in = strcmp(abs_dir, o->abs) == 0 || strcmp(abs_dir, given) == 0 ||
                (real && strcmp(real, o->abs) == 0);
  char *base = g_path_get_basename(path);
  char *placed = in && base[0] != '.' ? g_build_filename(o->staging, base, NULL) : NULL;
  g_free(base);
  g_free(given);
  free(real);
  g_free(abs_dir);
  g_free(dir);
  return placed;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The staging folder's outputs (not hidden), sorted. */
static GPtrArray *list_outputs(const char *folder)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(folder, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    if (name[0] != '.')
      g_ptr_array_add(names, g_strdup(name));
  if (d)
    g_dir_close(d);
  g_ptr_array_sort(names, compare_names);
  return names;
}

/* Where folders cannot be exchanged: each output moved in whole, the old
 * set's other outputs deleted, the manifest last. */
static gboolean commit_file_by_file(CsOutset *o, GPtrArray *names, GHashTable *old_set,
                                    GHashTable *new_set, const char *manifest, GError **err)
{
  for (guint i = 0; i < names->len; i++) {
    char *src = g_build_filename(o->staging, g_ptr_array_index(names, i), NULL);
    char *dst = g_build_filename(o->abs, g_ptr_array_index(names, i), NULL);
    gboolean moved = rename(src, dst) == 0;
    if (!moved)
      errno_error(err, errno, "write", dst);
    g_free(src);
    g_free(dst);
    if (!moved)
      return FALSE;
  }
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, old_set);
  while (g_hash_table_iter_next(&it, &key, NULL))
    if (!g_hash_table_contains(new_set, key)) {
      char *p = g_build_filename(o->abs, key, NULL);
      unlink(p);
      g_free(p);
    }
  char *path = g_build_filename(o->abs, CS_OUTSET_MANIFEST, NULL);
  gboolean ok = cs_outfile_write(path, manifest, strlen(manifest), err);
  g_free(path);
  if (ok)
    remove_files(o->staging);
  return ok;
}

/* Whether the current folder is abs or inside it. */
static gboolean holds_cwd(const char *abs)
{
  char *cwd = g_get_current_dir();
  gsize n = strlen(abs);
  gboolean in = strncmp(cwd, abs, n) == 0 && (cwd[n] == '\0' || cwd[n] == '/');
  g_free(cwd);
  return in;
}

gboolean cs_outset_commit(CsOutset *o, GError **err)
{
  g_return_val_if_fail(o != NULL && !o->committed, FALSE);
  test_kill("partial");
  GPtrArray *names = list_outputs(o->staging);
  GString *m = g_string_new("# chainsim output set: the files of one run, replaced together\n");
  GHashTable *new_set = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < names->len; i++) {
    g_string_append_printf(m, "%s\n", (char *) g_ptr_array_index(names, i));
    g_hash_table_add(new_set, g_ptr_array_index(names, i));
  }
  char *path = g_build_filename(o->staging, CS_OUTSET_MANIFEST, NULL);
  gboolean ok = cs_outfile_write(path, m->str, m->len, err);
  g_free(path);
  path = g_build_filename(o->staging, PARTIAL, NULL);
  if (ok && unlink(path) != 0) {
    errno_error(err, errno, "write", path);
    ok = FALSE;
  }
  g_free(path);

  struct stat st;
  GHashTable *old_set = NULL;
  if (!ok) {
    /* reported */
  } else if (lstat(o->abs, &st) != 0) {
    test_kill("before-swap");
    if (rename(o->staging, o->abs) != 0) {
      errno_error(err, errno, "create", o->dir);
      ok = FALSE;
    }
  } else {
    old_set = read_manifest(o->abs);
    chmod(o->staging, st.st_mode & 07777);
    /* The user's files stay visible through the swap: hard links first. */
    GDir *d = g_dir_open(o->abs, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
      if (is_output(name, old_set, new_set))
        continue;
      char *src = g_build_filename(o->abs, name, NULL);
      char *dst = g_build_filename(o->staging, name, NULL);
      struct stat e;
      if (lstat(src, &e) == 0 && S_ISREG(e.st_mode))
        (void) link(src, dst); /* else moved after the swap */
      g_free(src);
      g_free(dst);
    }
    if (d)
      g_dir_close(d);
    test_kill("before-swap");
    if (o->inside || holds_cwd(o->abs)) {
      /* Swapping would leave this process and the shell that started it in
       * the old, deleted folder. */
      ok = commit_file_by_file(o, names, old_set, new_set, m->str, err);
    } else if (renameat2(AT_FDCWD, o->staging, AT_FDCWD, o->abs, RENAME_EXCHANGE) == 0) {
      test_kill("after-swap");
      settle(o->staging, o->abs, old_set, new_set);
    } else if (errno == EINVAL || errno == ENOSYS || errno == EBUSY || errno == ENOTSUP) {
      ok = commit_file_by_file(o, names, old_set, new_set, m->str, err);
    } else {
      errno_error(err, errno, "replace", o->dir);
      ok = FALSE;
    }
  }
  if (ok) {
    char *parent = g_path_get_dirname(o->abs);
    sync_path(parent);
    g_free(parent);
    o->committed = TRUE;
  }
  if (old_set)
    g_hash_table_unref(old_set);
  g_hash_table_unref(new_set);
  g_ptr_array_free(names, TRUE);
  g_string_free(m, TRUE);
  return ok;
}

void cs_outset_free(CsOutset *o)
{
  if (o == NULL)
    return;
  if (!o->committed && o->staging)
    remove_files(o->staging);
  if (!o->committed)
    for (guint i = 0; i < o->created->len; i++)
      rmdir(g_ptr_array_index(o->created, i));
  g_ptr_array_free(o->created, TRUE);
  g_free(o->staging);
  g_free(o->abs);
  g_free(o->dir);
  g_free(o);
}
