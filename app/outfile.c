/* outfile.c — atomic output files: temporary name, fsync, rename.  See
 * outfile.h. */
#include "outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Attempts at a fresh temporary name before giving up (names collide only
 * with leftovers of a killed process that had the same pid). */
#define TEMP_ATTEMPTS 100

struct CsOutfile {
  char *path; /* destination */
  char *temp; /* temporary in the same folder; removed unless renamed */
  FILE *fp;   /* open stream on temp */
};

static void set_errno_error(GError **err, int saved, const char *what, const char *path)
{
  g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot %s '%s': %s",
              what, path, g_strerror(saved));
}

CsOutfile *cs_outfile_open(const char *path, GError **err)
{
  g_return_val_if_fail(path != NULL && *path != '\0', NULL);
  static gint counter; /* distinguishes temporaries within one process */
  char *dir = g_path_get_dirname(path);
  char *base = g_path_get_basename(path);
  char *temp = NULL;
  int fd = -1, saved = 0;
  for (int i = 0; i < TEMP_ATTEMPTS && fd < 0; i++) {
    g_free(temp);
    char *name = g_strdup_printf(".%s.tmp-%ld-%d", base, (long) getpid(),
                                 g_atomic_int_add(&counter, 1));
    temp = g_build_filename(dir, name, NULL);
    g_free(name);
    /* 0666 so the umask decides the final permissions, as for any new file. */
    fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    saved = errno;
    if (fd < 0 && saved != EEXIST)
      break;
  }
  g_free(dir);
  g_free(base);
  if (fd < 0) {
    set_errno_error(err, saved, "create a temporary file for", path);
    g_free(temp);
    return NULL;
  }
  FILE *fp = fdopen(fd, "wb");
  if (fp == NULL) {
    saved = errno;
    close(fd);
    unlink(temp);
    g_free(temp);
    set_errno_error(err, saved, "open", path);
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
  if (!failed && fsync(fileno(f->fp)) != 0) {
    saved = errno;
    failed = TRUE;
  }
  FILE *fp = f->fp;
  f->fp = NULL;
  if (fclose(fp) != 0 && !failed) {
    saved = errno;
    failed = TRUE;
  }
  if (!failed && rename(f->temp, f->path) != 0) {
    set_errno_error(err, errno, "replace", f->path);
    cs_outfile_abort(f);
    return FALSE;
  }
  if (failed) {
    set_errno_error(err, saved, "write", f->path);
    cs_outfile_abort(f);
    return FALSE;
  }
  sync_folder(f->path);
  outfile_free(f);
  return TRUE;
}

gboolean cs_outfile_write(const char *path, const char *data, gsize len, GError **err)
{
  g_return_val_if_fail(data != NULL || len == 0, FALSE);
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

gboolean cs_outfile_mkdirs(const char *dir, GError **err)
{
  g_return_val_if_fail(dir != NULL && *dir != '\0', FALSE);
  if (g_mkdir_with_parents(dir, 0777) != 0) {
    set_errno_error(err, errno, "create directory", dir);
    return FALSE;
  }
  return TRUE;
}
