/* outfile.c — output files written whole or not at all.  See outfile.h. */
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Attempts at a fresh temporary name before giving up (names collide only
 * with leftovers of a killed process that had the same pid). */
#define TEMP_ATTEMPTS 100

struct CsOutfile {
  char *path; /* destination */
  char *temp; /* temporary in the same folder, removed unless renamed; NULL: in place */
  FILE *fp;   /* open stream on temp (or on path itself) */
};

static void set_errno_error(GError **err, int saved, const char *what, const char *path)
{
  g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot %s '%s': %s",
              what, path, g_strerror(saved));
}

/* What path is now: FALSE with an error for an empty name or a folder;
 * *special is TRUE for an existing file that is neither regular nor a folder. */
static gboolean destination_kind(const char *path, gboolean *special, GError **err)
{
  *special = FALSE;
  if (path == NULL || *path == '\0') {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "cannot write '': expected a file name, got an empty string");
    return FALSE;
  }
  struct stat st;
  if (stat(path, &st) != 0)
    return TRUE; /* a new file, or an error creating the temporary will say why */
  if (S_ISDIR(st.st_mode)) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "cannot write '%s': it is a folder",
                path);
    return FALSE;
  }
  *special = !S_ISREG(st.st_mode);
  return TRUE;
}

gboolean cs_outfile_pid_dead(long pid)
{
  return pid > 0 && kill((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* The digits from s up to end (exclusive) as a pid; 0 unless all digits. */
static long digits(const char *s, const char *end)
{
  if (s == end || end - s > 10)
    return 0;
  long v = 0;
  for (const char *p = s; p < end; p++) {
    if (!g_ascii_isdigit(*p))
      return 0;
    v = v * 10 + (*p - '0');
  }
  return v;
}

gboolean cs_outfile_dead_temporary(const char *name)
{
  if (name[0] != '.')
    return FALSE;
  const char *p = g_str_has_prefix(name, ".chainsim-") ? name + strlen(".chainsim-") : NULL;
  if (p == NULL && (p = g_strrstr(name, ".tmp-")) != NULL)
    p += strlen(".tmp-");
  const char *dash = p ? strchr(p, '-') : NULL;
  return dash && cs_outfile_pid_dead(digits(p, dash));
}

/* Removes the temporaries that dead writers left for path (killed between
 * creating and renaming them). */
static void remove_dead_temporaries(const char *dir, const char *base)
{
  char *prefix = g_strdup_printf(".%s.tmp-", base);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    if (g_str_has_prefix(name, prefix) && cs_outfile_dead_temporary(name)) {
      char *p = g_build_filename(dir, name, NULL);
      unlink(p);
      g_free(p);
    }
  if (d)
    g_dir_close(d);
  g_free(prefix);
}

/* A new temporary file beside path; -1 with errno on failure. */
static int open_temporary(const char *path, char **temp)
{
  static gint counter; /* distinguishes temporaries within one process */
  char *dir = g_path_get_dirname(path);
  char *base = g_path_get_basename(path);
  int fd = -1;
  *temp = NULL;
  remove_dead_temporaries(dir, base);
  for (int i = 0; i < TEMP_ATTEMPTS && fd < 0; i++) {
    g_free(*temp);
    char *name = g_strdup_printf(".%s.tmp-%ld-%d", base, (long) getpid(),
                                 g_atomic_int_add(&counter, 1));
    *temp = g_build_filename(dir, name, NULL);
    g_free(name);
    /* 0666 so the umask decides the final permissions, as for any new file. */
    fd = open(*temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  int saved = errno;
  g_free(dir);
  g_free(base);
  if (fd < 0)
    g_clear_pointer(temp, g_free);
  errno = saved;
  return fd;
}

CsOutfile *cs_outfile_open(const char *path, GError **err)
{
  gboolean special;
  if (!destination_kind(path, &special, err))
    return NULL;
  char *temp = NULL;
  int fd = special ? open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY) : open_temporary(path, &temp);
  if (fd < 0) {
    set_errno_error(err, errno, "write", path);
    return NULL;
  }
  FILE *fp = fdopen(fd, "wb");
  if (fp == NULL) {
    int saved = errno;
    close(fd);
    if (temp)
      unlink(temp);
    g_free(temp);
    set_errno_error(err, saved, "write", path);
    return NULL;
  }
  CsOutfile *f = g_new0(CsOutfile, 1);
  f->path = g_strdup(path);
  f->temp = temp;
  f->fp = fp;
  return f;
}

FILE *cs_outfile_stream(CsOutfile *f)
{
  g_return_val_if_fail(f != NULL, NULL);
  return f->fp;
}

const char *cs_outfile_path(CsOutfile *f)
{
  g_return_val_if_fail(f != NULL, NULL);
  return f->path;
}

static void outfile_free(CsOutfile *f)
{
  g_free(f->path);
  g_free(f->temp);
  g_free(f);
}

void cs_outfile_abort(CsOutfile *f)
{
  if (f == NULL)
    return;
  if (f->fp)
    fclose(f->fp);
  if (f->temp)
    unlink(f->temp);
  outfile_free(f);
}

/* Makes the rename itself durable; a failure here loses nothing already
 * visible, so it is not reported. */
static void sync_folder(const char *path)
{
  char *dir = g_path_get_dirname(path);
  int fd = open(dir, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  g_free(dir);
}

gboolean cs_outfile_commit(CsOutfile *f, GError **err)
{
  g_return_val_if_fail(f != NULL, FALSE);
  int saved = 0;
  gboolean failed = ferror(f->fp) != 0;
  if (failed)
    saved = EIO; /* stdio keeps no errno for an earlier failed write */
  if (!failed && fflush(f->fp) != 0) {
    saved = errno;
    failed = TRUE;
  }
  /* A device or a pipe cannot be synced (EINVAL); nothing to make durable. */
  if (!failed && f->temp && fsync(fileno(f->fp)) != 0) {
    saved = errno;
    failed = TRUE;
  }
  FILE *fp = f->fp;
  f->fp = NULL;
  if (fclose(fp) != 0 && !failed) {
    saved = errno;
    failed = TRUE;
  }
  if (!failed && f->temp && rename(f->temp, f->path) != 0) {
    set_errno_error(err, errno, "replace", f->path);
    cs_outfile_abort(f);
    return FALSE;
  }
  if (failed) {
    set_errno_error(err, saved, "write", f->path);
    cs_outfile_abort(f);
    return FALSE;
  }
  if (f->temp)
    sync_folder(f->path);
  outfile_free(f);
  return TRUE;
}

gboolean cs_outfile_write(const char *path, const char *data, gsize len, GError **err)
{
  g_return_val_if_fail(data != NULL || len == 0, FALSE);
  gboolean special;
  if (!destination_kind(path, &special, err))
    return FALSE;
  if (!special)
    return g_file_set_contents_full(path, len ? data : "", (gssize) len,
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0666, err);
  CsOutfile *f = cs_outfile_open(path, err);
  if (f == NULL)
    return FALSE;
  if (len > 0 && fwrite(data, 1, len, f->fp) != len) {
    set_errno_error(err, errno, "write", path);
    cs_outfile_abort(f);
    return FALSE;
  }
  return cs_outfile_commit(f, err);
}

gboolean cs_outfile_check(const char *path, GError **err)
{
  gboolean special;
  if (!destination_kind(path, &special, err))
    return FALSE;
  if (special) {
    if (access(path, W_OK) != 0) {
      set_errno_error(err, errno, "write", path);
      return FALSE;
    }
    return TRUE;
  }
  char *temp = NULL;
  int fd = open_temporary(path, &temp);
  if (fd < 0) {
    set_errno_error(err, errno, "write", path);
    return FALSE;
  }
  close(fd);
  unlink(temp);
  g_free(temp);
  return TRUE;
}

gboolean cs_outfile_mkdirs(const char *dir, GError **err)
{
  if (dir == NULL || *dir == '\0') {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "cannot create directory '': expected a folder name, got an empty string");
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0777) != 0) {
    set_errno_error(err, errno, "create directory", dir);
    return FALSE;
  }
  return TRUE;
}
