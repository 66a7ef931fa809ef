/* test_units.c — sizes, rates and durations parsed from user strings
 * (units.h), plus atomic output files (outfile.h). */
#define _DEFAULT_SOURCE /* mknod, makedev */
#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "outfile.h"
#include "units.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static void expect_size(const char *s, guint64 want)
{
  GError *err = NULL;
  guint64 got = 12345;
  gboolean ok = cs_units_parse_size(s, &got, &err);
  if (!ok || got != want)
    fprintf(stderr, "\nsize \"%s\": ok=%d got %" G_GUINT64_FORMAT " want %" G_GUINT64_FORMAT " (%s)\n",
            s, ok, got, want, err ? err->message : "");
  CU_ASSERT_TRUE(ok);
  CU_ASSERT_EQUAL(got, want);
  CU_ASSERT_PTR_NULL(err);
  g_clear_error(&err);
}

/* Checks that s is refused with exactly the message want (NULL: any). */
static void expect_size_error(const char *s, int code, const char *want)
{
  GError *err = NULL;
  guint64 got = 777;
  CU_ASSERT_FALSE(cs_units_parse_size(s, &got, &err));
  CU_ASSERT_EQUAL(got, 777); /* untouched on failure */
  CU_ASSERT_PTR_NOT_NULL_FATAL(err);
  CU_ASSERT_TRUE(g_error_matches(err, CS_UNITS_ERROR, code));
  if (want && strcmp(err->message, want) != 0)
    fprintf(stderr, "\nsize \"%s\": got message <%s> want <%s>\n", s, err->message, want);
  if (want)
    CU_ASSERT_STRING_EQUAL(err->message, want);
  g_error_free(err);
}

static void expect_rate(const char *s, double want)
{
  GError *err = NULL;
  double got = -1;
  CU_ASSERT_TRUE(cs_units_parse_rate(s, &got, &err));
  CU_ASSERT_DOUBLE_EQUAL(got, want, want * 1e-12);
  CU_ASSERT_PTR_NULL(err);
  g_clear_error(&err);
}

static void expect_rate_error(const char *s, int code, const char *want)
{
  GError *err = NULL;
  double got = -1;
  CU_ASSERT_FALSE(cs_units_parse_rate(s, &got, &err));
  CU_ASSERT_PTR_NOT_NULL_FATAL(err);
  CU_ASSERT_TRUE(g_error_matches(err, CS_UNITS_ERROR, code));
  if (want)
    CU_ASSERT_STRING_EQUAL(err->message, want);
  g_error_free(err);
}

static void expect_duration(const char *s, gint64 want)
{
  GError *err = NULL;
  gint64 got = -1;
  gboolean ok = cs_units_parse_duration(s, &got, &err);
  if (!ok || got != want)
    fprintf(stderr, "\nduration \"%s\": ok=%d got %" G_GINT64_FORMAT " want %" G_GINT64_FORMAT "\n",
            s, ok, got, want);
  CU_ASSERT_TRUE(ok);
  CU_ASSERT_EQUAL(got, want);
  g_clear_error(&err);
}

static void expect_duration_error(const char *s, int code, const char *want)
{
  GError *err = NULL;
  gint64 got = -1;
  CU_ASSERT_FALSE(cs_units_parse_duration(s, &got, &err));
  CU_ASSERT_EQUAL(got, -1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(err);
  CU_ASSERT_TRUE(g_error_matches(err, CS_UNITS_ERROR, code));
  if (want)
    CU_ASSERT_STRING_EQUAL(err->message, want);
  g_error_free(err);
}

/* ---- sizes -------------------------------------------------------------- */

static void test_size_plain_and_decimal(void)
{
  expect_size("0", 0);
  expect_size("512", 512);
  expect_size("512B", 512);
  expect_size("1KB", 1000);
  expect_size("1.5KB", 1500);
  expect_size("2MB", 2000000);
  expect_size("2GB", 2000000000ULL);
  expect_size("500MB", 500000000ULL);
  expect_size("3TB", 3000000000000ULL);
  expect_size("0.001GB", 1000000);
  expect_size(".5KB", 500);
  expect_size("2.", 2);
  expect_size("007KB", 7000);
  expect_size("2 GB", 2000000000ULL);
}

static void test_size_binary(void)
{
  expect_size("1KiB", 1024);
  expect_size("1.5KiB", 1536);
  expect_size("512KiB", 524288);
  expect_size("64MiB", 67108864ULL);
  expect_size("2GiB", 2147483648ULL);
  expect_size("1TiB", 1099511627776ULL);
  expect_size("0.25MiB", 262144);
  /* 1.3 MiB = 1363148.8 bytes: rounded to the nearest byte. */
  expect_size("1.3MiB", 1363149);
  expect_size("0.5B", 1);
  expect_size("0.4B", 0);
}

static void test_size_limits(void)
{
  expect_size("18446744073709551615", G_MAXUINT64);
  expect_size("18446744073709551615B", G_MAXUINT64);
  expect_size("16777215TiB", 16777215ULL << 40);
  const char *range = "expected a size of at most 18446744073709551615 bytes, got ";
  char *m1 = g_strconcat(range, "\"18446744073709551616\"", NULL);
  char *m2 = g_strconcat(range, "\"16777216TiB\"", NULL);
  expect_size_error("18446744073709551616", CS_UNITS_ERROR_RANGE, m1);
  expect_size_error("16777216TiB", CS_UNITS_ERROR_RANGE, m2);
  expect_size_error("99999999999999999999999999TB", CS_UNITS_ERROR_RANGE, NULL);
  g_free(m1);
  g_free(m2);
}

static void test_size_errors(void)
{
  expect_size_error("2 GBB", CS_UNITS_ERROR_INVALID,
                    "expected a size like \"512KiB\" or \"2GB\", got \"2 GBB\"");
  expect_size_error("", CS_UNITS_ERROR_INVALID,
                    "expected a size like \"512KiB\" or \"2GB\", got \"\"");
  expect_size_error("-1KB", CS_UNITS_ERROR_INVALID,
                    "expected a size like \"512KiB\" or \"2GB\", got \"-1KB\"");
  const char *bad[] = { " 512", "512 ", "+1", "1e3", "2gb", "2mb", "2Kb", "2kib", "2KIB",
                        "KB", ".", "..5", "1..5KB", "1.5.KB", "0x10", "nan", "inf",
                        "1 KB ", "1\tKB", "1,5KB", "2GB\n", "2 G B", "MiB2", NULL };
  for (const char **s = bad; *s; s++)
    expect_size_error(*s, CS_UNITS_ERROR_INVALID, NULL);
  GError *err = NULL;
  guint64 v;
  CU_ASSERT_FALSE(cs_units_parse_size(NULL, &v, &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);
}

static void test_size_from_numbers(void)
{
  GError *err = NULL;
  guint64 v = 0;
  CU_ASSERT_TRUE(cs_units_size_from_number(1e9, &v, NULL));
  CU_ASSERT_EQUAL(v, 1000000000ULL);
  CU_ASSERT_TRUE(cs_units_size_from_number(1.5, &v, NULL));
  CU_ASSERT_EQUAL(v, 2);
  CU_ASSERT_TRUE(cs_units_size_from_number(0.0, &v, NULL));
  CU_ASSERT_EQUAL(v, 0);
  CU_ASSERT_TRUE(cs_units_size_from_integer(4096, &v, NULL));
  CU_ASSERT_EQUAL(v, 4096);

  CU_ASSERT_FALSE(cs_units_size_from_number(-1, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a size like \"512KiB\" or \"2GB\", got -1");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_size_from_integer(-3, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a size like \"512KiB\" or \"2GB\", got -3");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_size_from_number(NAN, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a size like \"512KiB\" or \"2GB\", got nan");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_size_from_number(INFINITY, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a size like \"512KiB\" or \"2GB\", got inf");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_size_from_number(1e20, &v, &err));
  CU_ASSERT_TRUE(g_error_matches(err, CS_UNITS_ERROR, CS_UNITS_ERROR_RANGE));
  CU_ASSERT_STRING_EQUAL(err->message,
                         "expected a size of at most 18446744073709551615 bytes, got 1e+20");
  g_clear_error(&err);
}

/* ---- rates -------------------------------------------------------------- */

static void test_rates(void)
{
  expect_rate("20Mbps", 20e6);
  expect_rate("1.5Gbps", 1.5e9);
  expect_rate("10Gbps", 10e9);
  expect_rate("100Kbps", 100e3);
  expect_rate("100kbps", 100e3);
  expect_rate("56000bps", 56000);
  expect_rate("0.5Mbps", 500e3);
  expect_rate("1 Gbps", 1e9);
  expect_rate("0bps", 0);

  expect_rate_error("20Mbs", CS_UNITS_ERROR_INVALID, "expected a rate like \"20Mbps\", got \"20Mbs\"");
  expect_rate_error("20", CS_UNITS_ERROR_INVALID, "expected a rate like \"20Mbps\", got \"20\"");
  const char *bad[] = { "", "Mbps", "20mbps", "20MBps", "20gbps", "-1Mbps", "1e3bps", "20 Mbps ",
                        "20Mbit/s", "20M", NULL };
  for (const char **s = bad; *s; s++)
    expect_rate_error(*s, CS_UNITS_ERROR_INVALID, NULL);

  char *huge = g_strnfill(400, '9');
  char *s = g_strconcat(huge, "Gbps", NULL);
  expect_rate_error(s, CS_UNITS_ERROR_RANGE, NULL);
  g_free(huge);
  g_free(s);

  GError *err = NULL;
  double v = 0;
  CU_ASSERT_TRUE(cs_units_rate_from_number(1e9, &v, NULL));
  CU_ASSERT_DOUBLE_EQUAL(v, 1e9, 0);
  CU_ASSERT_FALSE(cs_units_rate_from_number(-5, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a rate like \"20Mbps\", got -5");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_rate_from_number(NAN, &v, &err));
  g_clear_error(&err);
}

/* ---- durations ---------------------------------------------------------- */

static void test_durations(void)
{
  expect_duration("1.5s", 1500000000LL);
  expect_duration("10m", 600000000000LL);
  expect_duration("0.1ms", 100000LL);
  expect_duration("100ns", 100);
  expect_duration("250us", 250000LL);
  expect_duration("2h", 7200000000000LL);
  expect_duration("1ms", 1000000LL);
  expect_duration("30", 30000000000LL);
  expect_duration("0.5", 500000000LL);
  expect_duration("1.000000001s", 1000000001LL);
  expect_duration("0.001us", 1);
  expect_duration("0s", 0);
  expect_duration("1 s", 1000000000LL);
  expect_duration("15s", 15000000000LL);
  expect_duration("9223372036854775807ns", G_MAXINT64);
  expect_duration("2562047h", 2562047LL * 3600 * 1000000000LL);
}

static void test_duration_errors(void)
{
  expect_duration_error("1S", CS_UNITS_ERROR_INVALID,
                        "expected a duration like \"1.5s\" or \"10m\", got \"1S\"");
  expect_duration_error("9223372036854775808ns", CS_UNITS_ERROR_RANGE,
                        "expected a duration of at most 292 years (2^63 ns), got "
                        "\"9223372036854775808ns\"");
  expect_duration_error("2562048h", CS_UNITS_ERROR_RANGE, NULL);
  const char *bad[] = { "", "-1s", "1min", "1sec", "1y", "1d", "10M", "1H", "1 ", "s", "1e3ms",
                        "inf", "nan", "1.5 ", "μs", "1µs", NULL };
  for (const char **s = bad; *s; s++)
    expect_duration_error(*s, CS_UNITS_ERROR_INVALID, NULL);

  GError *err = NULL;
  gint64 v = 0;
  CU_ASSERT_TRUE(cs_units_duration_from_seconds(1.5, &v, NULL));
  CU_ASSERT_EQUAL(v, 1500000000LL);
  CU_ASSERT_TRUE(cs_units_duration_from_seconds(0.1, &v, NULL));
  CU_ASSERT_EQUAL(v, 100000000LL);
  CU_ASSERT_TRUE(cs_units_duration_from_seconds(3600, &v, NULL));
  CU_ASSERT_EQUAL(v, 3600000000000LL);
  CU_ASSERT_FALSE(cs_units_duration_from_seconds(-1, &v, &err));
  CU_ASSERT_STRING_EQUAL(err->message, "expected a duration like \"1.5s\" or \"10m\", got -1");
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_duration_from_seconds(1e300, &v, &err));
  CU_ASSERT_TRUE(g_error_matches(err, CS_UNITS_ERROR, CS_UNITS_ERROR_RANGE));
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_units_duration_from_seconds(NAN, &v, &err));
  g_clear_error(&err);
}

static void test_quote(void)
{
  char *q = cs_units_quote("a\"b\\c\n\x01");
  CU_ASSERT_STRING_EQUAL(q, "\"a\\\"b\\\\c\\n\\x01\"");
  g_free(q);
  char *long_s = g_strnfill(100, 'x');
  q = cs_units_quote(long_s);
  CU_ASSERT_EQUAL(strlen(q), 45 + 3 + 2);
  CU_ASSERT_TRUE(g_str_has_suffix(q, "...\""));
  g_free(q);
  g_free(long_s);
  q = cs_units_quote(NULL);
  CU_ASSERT_STRING_EQUAL(q, "(null)");
  g_free(q);
}

/* ---- outfile ------------------------------------------------------------ */

static char *tmpdir;

static int outfile_init(void)
{
  tmpdir = g_dir_make_tmp("chainsim-outfile-XXXXXX", NULL);
  return tmpdir ? 0 : 1;
}

static int outfile_cleanup(void)
{
  cs_test_remove_tree(tmpdir);
  g_free(tmpdir);
  return 0;
}

/* Names in dir, sorted and joined by ','. */
static char *list_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    g_ptr_array_add(names, g_strdup(name));
  if (d)
    g_dir_close(d);
  g_ptr_array_sort(names, (GCompareFunc) g_ascii_strcasecmp);
  g_ptr_array_add(names, NULL);
  char *s = g_strjoinv(",", (char **) names->pdata);
  g_ptr_array_free(names, TRUE);
  return s;
}

static void expect_contents(const char *path, const char *want)
{
  char *got = NULL;
  CU_ASSERT_TRUE_FATAL(g_file_get_contents(path, &got, NULL, NULL));
  CU_ASSERT_STRING_EQUAL(got, want);
  g_free(got);
}

static void test_outfile_write(void)
{
  char *dir = g_build_filename(tmpdir, "w", "deep", "er", NULL);
  char *path = g_build_filename(dir, "results.json", NULL);
  GError *err = NULL;
  CU_ASSERT_TRUE(cs_outfile_mkdirs(dir, &err));
  CU_ASSERT_TRUE(cs_outfile_mkdirs(dir, &err)); /* already there */
  CU_ASSERT_TRUE(cs_outfile_write(path, "{\"a\": 1}\n", 9, &err));
  CU_ASSERT_PTR_NULL(err);
  expect_contents(path, "{\"a\": 1}\n");
  CU_ASSERT_TRUE(cs_outfile_write(path, "second", 6, &err));
  expect_contents(path, "second");
  CU_ASSERT_TRUE(cs_outfile_write(path, "", 0, &err));
  expect_contents(path, "");
  char *names = list_dir(dir);
  CU_ASSERT_STRING_EQUAL(names, "results.json"); /* no temporary left */
  g_free(names);
  g_free(path);
  g_free(dir);
}

static void test_outfile_stream(void)
{
  char *path = g_build_filename(tmpdir, "series.csv", NULL);
  GError *err = NULL;
  CU_ASSERT_TRUE(cs_outfile_write(path, "old\n", 4, NULL));

  CsOutfile *f = cs_outfile_open(path, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_STRING_EQUAL(cs_outfile_path(f), path);
  for (int i = 0; i < 1000; i++)
    fprintf(cs_outfile_stream(f), "%d,%d\n", i, i * i);
  expect_contents(path, "old\n"); /* nothing visible before commit */
  cs_outfile_abort(f);
  expect_contents(path, "old\n");

  f = cs_outfile_open(path, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("new\n", cs_outfile_stream(f));
  CU_ASSERT_TRUE(cs_outfile_commit(f, &err));
  CU_ASSERT_PTR_NULL(err);
  expect_contents(path, "new\n");

  {
    g_autoptr(CsOutfile) g = cs_outfile_open(path, NULL);
    fputs("dropped\n", cs_outfile_stream(g));
  } /* g_autoptr aborts */
  expect_contents(path, "new\n");

  char *names = list_dir(tmpdir);
  CU_ASSERT_TRUE(strstr(names, ".tmp") == NULL);
  g_free(names);
  g_free(path);
}

static void test_outfile_errors(void)
{
  GError *err = NULL;
  char *path = g_build_filename(tmpdir, "missing", "x.json", NULL);
  CU_ASSERT_FALSE(cs_outfile_write(path, "x", 1, &err));
  CU_ASSERT_TRUE(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  CU_ASSERT_PTR_NOT_NULL(strstr(err->message, path));
  g_clear_error(&err);
  CU_ASSERT_PTR_NULL(cs_outfile_open(path, &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);

  char *file = g_build_filename(tmpdir, "plain", NULL);
  CU_ASSERT_TRUE(cs_outfile_write(file, "x", 1, NULL));
  char *below = g_build_filename(file, "sub", NULL);
  CU_ASSERT_FALSE(cs_outfile_mkdirs(below, &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "cannot create directory") : NULL);
  g_clear_error(&err);

  /* A destination that is a directory cannot be replaced; it stays. */
  char *dir = g_build_filename(tmpdir, "adir", NULL);
  CU_ASSERT_TRUE(cs_outfile_mkdirs(dir, NULL));
  CU_ASSERT_FALSE(cs_outfile_write(dir, "x", 1, &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);
  CU_ASSERT_TRUE(g_file_test(dir, G_FILE_TEST_IS_DIR));
  char *names = list_dir(tmpdir);
  CU_ASSERT_TRUE(strstr(names, ".tmp") == NULL);
  g_free(names);
  g_free(dir);
  g_free(below);
  g_free(file);
  g_free(path);
}

/* A FIFO or a device named as an output is written in place, never
 * replaced by a regular file (as root, a rename would replace /dev/null). */
static void test_outfile_special(void)
{
  char *fifo = g_build_filename(tmpdir, "pipe", NULL);
  CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
  int rd = open(fifo, O_RDONLY | O_NONBLOCK); /* a reader, so the writer's open succeeds */
  CU_ASSERT_TRUE_FATAL(rd >= 0);
  GError *err = NULL;
  CU_ASSERT_TRUE(cs_outfile_write(fifo, "through\n", 8, &err));
  CU_ASSERT_PTR_NULL(err);
  CsOutfile *f = cs_outfile_open(fifo, &err);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("stream\n", cs_outfile_stream(f));
  CU_ASSERT_TRUE(cs_outfile_commit(f, &err));
  char buf[64] = { 0 };
  CU_ASSERT_EQUAL(read(rd, buf, sizeof buf - 1), 15);
  CU_ASSERT_STRING_EQUAL(buf, "through\nstream\n");
  close(rd);
  struct stat st;
  CU_ASSERT_TRUE(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));

  /* A device: a null device node of our own (never /dev/null itself: a
   * regression run as root would replace the system's). Root only. */
  char *dev = g_build_filename(tmpdir, "null", NULL);
  if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0 && access(dev, W_OK) == 0) {
    CU_ASSERT_TRUE(cs_outfile_check(dev, &err));
    CU_ASSERT_TRUE(cs_outfile_write(dev, "x", 1, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_TRUE(stat(dev, &st) == 0 && S_ISCHR(st.st_mode));
  }
  g_unlink(dev);
  g_free(dev);
  char *names = list_dir(tmpdir);
  CU_ASSERT_TRUE(strstr(names, ".tmp") == NULL);
  g_free(names);
  g_free(fifo);
}

/* Names that cannot be written fail with a message, not a crash: the empty
 * name, a folder, a missing folder (checked before any work). */
static void test_outfile_refused(void)
{
  GError *err = NULL;
  CU_ASSERT_PTR_NULL(cs_outfile_open("", &err));
  CU_ASSERT_TRUE(err && strstr(err->message, "empty") != NULL);
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_outfile_write("", "x", 1, &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_outfile_mkdirs("", &err));
  CU_ASSERT_PTR_NOT_NULL(err);
  g_clear_error(&err);
  CU_ASSERT_FALSE(cs_outfile_check(tmpdir, &err));
  CU_ASSERT_TRUE(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR));
  g_clear_error(&err);
  CU_ASSERT_PTR_NULL(cs_outfile_open(tmpdir, &err));
  CU_ASSERT_TRUE(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_ISDIR));
  g_clear_error(&err);
  char *missing = g_build_filename(tmpdir, "no-such", "x.svg", NULL);
  CU_ASSERT_FALSE(cs_outfile_check(missing, &err));
  CU_ASSERT_TRUE(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  g_clear_error(&err);
  char *ok = g_build_filename(tmpdir, "fine.svg", NULL);
  CU_ASSERT_TRUE(cs_outfile_check(ok, &err));
  CU_ASSERT_FALSE(g_file_test(ok, G_FILE_TEST_EXISTS)); /* checking writes nothing */
  g_free(ok);
  g_free(missing);
}

/* A temporary that a killed writer left beside a destination goes when the
 * destination is next written, unless its writer is still alive. */
static void test_outfile_dead_temporaries(void)
{
  pid_t child = fork();
  if (child == 0)
    _exit(0);
  CU_ASSERT_TRUE_FATAL(child > 0 && waitpid(child, NULL, 0) == child);
  char *dead = g_strdup_printf("%s/.log.csv.tmp-%ld-0", tmpdir, (long) child);
  char *live = g_strdup_printf("%s/.log.csv.tmp-%ld-99", tmpdir, (long) getpid());
  char *other = g_strdup_printf("%s/.notes.tmp-%ld-0", tmpdir, (long) child);
  CU_ASSERT_TRUE(g_file_set_contents(dead, "half", 4, NULL));
  CU_ASSERT_TRUE(g_file_set_contents(live, "being written", 13, NULL));
  CU_ASSERT_TRUE(g_file_set_contents(other, "another file's", 14, NULL));
  char *path = g_build_filename(tmpdir, "log.csv", NULL);
  CsOutfile *f = cs_outfile_open(path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_TRUE(cs_outfile_commit(f, NULL));
  CU_ASSERT_FALSE(g_file_test(dead, G_FILE_TEST_EXISTS));
  CU_ASSERT_TRUE(g_file_test(live, G_FILE_TEST_EXISTS));
  CU_ASSERT_TRUE(g_file_test(other, G_FILE_TEST_EXISTS)); /* not this destination's */
  CU_ASSERT_TRUE(cs_outfile_dead_temporary(strrchr(other, '/') + 1));
  CU_ASSERT_FALSE(cs_outfile_dead_temporary(strrchr(live, '/') + 1));
  CU_ASSERT_FALSE(cs_outfile_dead_temporary("notes.tmp-1-0"));
  g_unlink(live);
  g_unlink(other);
  g_unlink(path);
  g_free(path);
  g_free(dead);
  g_free(live);
  g_free(other);
}

/* Bounds in messages: the largest unit that holds the value exactly. */
static void test_format(void)
{
  char b[CS_UNITS_FORMAT_MAX];
  static const struct { gint64 v; const char *want; } durations[] = {
    { 0, "0s" }, { 1, "1ns" }, { 1500, "1500ns" }, { 1000000, "1ms" }, { 10000000, "10ms" },
    { 60000000000LL, "1m" }, { 90000000000LL, "90s" }, { 31536000000000000LL, "8760h" },
    { G_MAXINT64, "9223372036854775807ns" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(durations); i++) {
    cs_units_format_duration(durations[i].v, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, durations[i].want);
  }
  static const struct { guint64 v; const char *want; } sizes[] = {
    { 0, "0B" }, { 512, "512B" }, { 4096, "4KiB" }, { 1000000, "1MB" }, { 16777216, "16MiB" },
    { 1000000000000ULL, "1TB" }, { 68719476736ULL, "64GiB" }, { 1000001, "1000001B" },
  };
  for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
    cs_units_format_size(sizes[i].v, b, sizeof b);
    CU_ASSERT_STRING_EQUAL(b, sizes[i].want);
  }
  cs_units_format_rate(1e3, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "1kbps");
  cs_units_format_rate(1e12, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "1000Gbps");
  cs_units_format_rate(150, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "150bps");
  cs_units_format_rate(0.5, b, sizeof b);
  CU_ASSERT_STRING_EQUAL(b, "0.5bps");
  /* Every formatted bound parses back to itself. */
  guint64 back;
  cs_units_format_size(68719476736ULL, b, sizeof b);
  CU_ASSERT_TRUE(cs_units_parse_size(b, &back, NULL) && back == 68719476736ULL);
  gint64 ns;
  cs_units_format_duration(31536000000000000LL, b, sizeof b);
  CU_ASSERT_TRUE(cs_units_parse_duration(b, &ns, NULL) && ns == 31536000000000000LL);
}

/* ---- main --------------------------------------------------------------- */

static CU_TestInfo units_tests[] = {
  { "size: plain and decimal units", test_size_plain_and_decimal },
  { "size: binary units", test_size_binary },
  { "size: 64-bit limits", test_size_limits },
  { "size: errors", test_size_errors },
  { "size: Lua numbers", test_size_from_numbers },
  { "rates", test_rates },
  { "durations", test_durations },
  { "duration errors", test_duration_errors },
  { "quoting for messages", test_quote },
  { "bounds formatted for messages", test_format },
  CU_TEST_INFO_NULL,
};

static CU_TestInfo outfile_tests[] = {
  { "whole-file write", test_outfile_write },
  { "streaming, abort and commit", test_outfile_stream },
  { "errors", test_outfile_errors },
  { "special files written in place", test_outfile_special },
  { "empty names and folders refused", test_outfile_refused },
  { "temporaries of dead writers removed", test_outfile_dead_temporaries },
  CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
  { .pName = "units", .pTests = units_tests },
  { .pName = "outfile", .pInitFunc = outfile_init, .pCleanupFunc = outfile_cleanup,
    .pTests = outfile_tests },
  CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
  return cs_test_main_suites(argc, argv, suites);
}
