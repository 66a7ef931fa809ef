/* baseline.h — comparing a run's results with a stored results.json.
 *
 * `chainsim run --baseline OLD/results.json --tolerance 5%` compares the key
 * metrics of the new run with the old file: registration count, rate peak and
 * latency p50/p99, server queue and connection peaks and service p99, WAN and
 * LAN bytes, chain count and median length, and per question (matched by id)
 * answered and time_to_ms p50/p90, per distribution completed and time_to_ms
 * p90.  A metric moved past the tolerance when |new - old| > tol * |old|
 * (any change from 0 counts; null against a number counts).  The table lists
 * every metric that changed at all and marks those past the tolerance. */
#pragma once
#include <glib.h>
#include <stdio.h>
#include <json-glib/json-glib.h>

#define CS_BASELINE_DEFAULT_TOLERANCE 0.05
/* Bounds on what --baseline reads: a results.json is a few MB, nested a
 * handful of levels; anything beyond is refused before it is parsed. */
#define CS_BASELINE_MAX_BYTES (16u << 20)
#define CS_BASELINE_MAX_DEPTH 64

/* Reads and parses a results.json: at most CS_BASELINE_MAX_BYTES read with
 * bounded reads (a FIFO or /dev/zero cannot make it read forever), nesting
 * at most CS_BASELINE_MAX_DEPTH deep, every number finite.  Errors are one
 * line naming the file. */
JsonNode *cs_baseline_load(const char *path, GError **err);
/* "5%" → 0.05, "0.05" → 0.05; a bare number above 1 is refused as ambiguous. */
gboolean cs_baseline_parse_tolerance(const char *s, double *out, GError **err);
/* Prints the comparison to out; returns the number of metrics past the
 * tolerance. */
guint cs_baseline_compare(JsonNode *old, JsonNode *cur, double tolerance, const char *old_name,
                          FILE *out);
