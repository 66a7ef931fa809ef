/* warnings.h — the warnings of a run: things that did not stop it but make
 * some of its figures mean less than they seem to.
 *
 * Three kinds (results.json `warnings[].kind`):
 *   after_end           something was scheduled (`at` of ask, deploy, crash,
 *                       fail, firewall, transfer..., or sim:at) after the
 *                       run's end: it never happened;
 *   over_capacity       a directed WAN link carried more bytes in one
 *                       statistics bucket than its capacity allows in that
 *                       bucket, by more than CS_WARN_CAPACITY_SLACK;
 *   not_measured        the scenario read a figure about simulated time the
 *                       run had not reached when it read it (see
 *                       docs/results.md, "### warnings").
 *
 * Each warning is printed once, as one line on the stream given to
 * cs_warnings_new ("chainsim: warning: FILE:LINE: message", control
 * characters escaped), and kept in the order it arose.  The same kind at the
 * same place (FILE:LINE; the message when there is no place) is one warning
 * whose count grows, so a loop cannot flood stderr or the results. */
#pragma once
#include <glib.h>
#include <stdio.h>
#include "sim.h"

/* Carried bytes may exceed capacity × bucket by this fraction before it is
 * a warning (rounding of bytes to buckets at bucket edges). */
#define CS_WARN_CAPACITY_SLACK 0.01

typedef enum {
  CS_WARN_AFTER_END,
  CS_WARN_OVER_CAPACITY,
  CS_WARN_NOT_MEASURED,
} CsWarnKind;

typedef struct CsWarnings CsWarnings;

/* A list that prints each new warning to out (NULL: print nothing). */
CsWarnings *cs_warnings_new(FILE *out);
void cs_warnings_free(CsWarnings *w);

/* Adds a warning at where ("file.lua:12", or NULL when it has no place in
 * the scenario).  TRUE when it is new (and was printed), FALSE when it only
 * counted again. */
gboolean cs_warnings_add(CsWarnings *w, CsWarnKind kind, const char *where, const char *fmt, ...)
  G_GNUC_PRINTF(4, 5);

guint cs_warnings_count(const CsWarnings *w);
/* Warning i, in the order they arose; where is NULL when it has no place. */
void cs_warnings_get(const CsWarnings *w, guint i, CsWarnKind *kind, const char **where,
                     const char **message, guint64 *count);
/* "after_end", "over_capacity", "not_measured". */
const char *cs_warn_kind_name(CsWarnKind kind);

/* Whether `bytes` carried in `seconds` exceed what `bps` carries in that
 * time by more than CS_WARN_CAPACITY_SLACK.  FALSE for bps or seconds <= 0
 * (no capacity to compare with). */
gboolean cs_warn_over_capacity(guint64 bytes, double bps, double seconds);

/* After a run (statistics flushed): one over_capacity warning per directed
 * WAN link that carried more than cs_warn_over_capacity allows in some
 * statistics bucket, naming how many buckets and the worst.  A bucket is
 * as long as the run covered of it (the last one may be shorter). */
void cs_warnings_check_links(CsWarnings *w, Sim *sim);

/* Simulated seconds as warnings print them ("90", "0.25"), into buf. */
const char *cs_warn_seconds(char buf[G_ASCII_DTOSTR_BUF_SIZE], SimTime t);

/* s with control characters (and DEL) written as \n, \t or \xNN, so a
 * name cannot break a line of stderr.  Free with g_free. */
char *cs_warn_escape(const char *s);
