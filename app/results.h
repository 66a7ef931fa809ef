/* results.h — a run's results: results.json, timeseries.csv, sim:metrics().
 *
 * One tree (json-glib nodes) is built from the world after the run and serves
 * all three: the Lua table of sim:metrics(), the file results.json, and the
 * baseline comparison.  Its top-level keys are the contract of
 * docs/results.md: run, topology, chains, registration, server, wan, lan,
 * questions, distributions, direct_connect, expectations, warnings — in that
 * order, each object's keys in a fixed order, arrays in id order, no
 * wall-clock value anywhere, so a scenario and seed always give the same
 * bytes.
 *
 * Numbers: counts and bytes are integers; exact times in ms and rates are
 * rounded to 3 decimals and utilizations to 6 (finer digits are noise of the
 * model, and rounding keeps the files readable); percentiles read from a
 * histogram (registration latency, server queue/service/response times:
 * within 0.39 %) to 3 significant figures; an undefined value (the time to
 * 90 % of answers when fewer answered, a percentile without samples) is null.
 * docs/results.md describes every key.  The writer prints each number in
 * the shortest form that reads back to the same double.
 *
 * topology.endpoints counts every agent, external_clients the roaming ones
 * among them (behind zone servers); hosts are nodes that are none of
 * clients, core, zone or module servers.
 *
 * distributions lists every sim:deploy in call order (id = f:id()),
 * including actions without files (size 0: the byte counters are 0), but not
 * the actions Direct Connect deploys for itself; bytes_from_peers includes
 * bytes_from_caches (peers serving their cached shards; the rest relayed the
 * server's along the chain).  direct_connect lists every session made by
 * sim:direct_connect, sim:test_connection and sim:satellite (kind "session",
 * "test", "satellite"): id = s:id(), endpoint address, status (the state
 * names of docs/model.md), setup_ms (null if it never opened), reason (null if
 * none).
 *
 * timeseries.csv has the columns time_s,link,direction,class,bytes: one row
 * per statistics bucket, directed WAN link ("dc<->branch", "dc->branch") or
 * subnet ("10.17.0.0/24", "up" from hosts or "down" to hosts) and traffic
 * class with a non-zero byte count; rows by time, then link, then class.
 *
 * server.csv: time_s,registrations,queue_peak,connections_peak,persistent_peak,
 * one row per statistics bucket, all core servers together.  answers.csv:
 * question,since_ask_s,answered,targets,fraction, one row per moment a
 * question's answered count rose (question = results.json's id). */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>
#include "binding.h"

/* results.json run.schema: bumped on any change of what a key means (a new
 * key alone is no change of meaning).  1 was the contract of the first
 * release; 2 adds run.schema, run.params, run.scenario_sha256 and warnings
 * (docs/results.md, "### run"). */
#define CS_RESULTS_SCHEMA 2

/* The results tree of a run (after chainsim.new; before sim:run it describes
 * time zero).  Free with json_node_unref. */
JsonNode *cs_results_build(CsLua *ctx);
/* The tree as pretty-printed JSON text ending in a newline. */
char *cs_results_to_json(JsonNode *root);
/* Appends v in the shortest of %.15g .. %.17g that reads back as v, always
 * with a '.' or an exponent so the value stays a float for readers that care
 * ("null" if v is not finite): how results.json writes its numbers. */
void cs_results_put_double(GString *out, double v);
/* Writes DIR/results.json, DIR/timeseries.csv, DIR/server.csv and
 * DIR/answers.csv, each whole or not at all. */
gboolean cs_results_write(CsLua *ctx, const char *dir, GError **err);
/* The server load and the answer curves (results_csv.c). */
gboolean cs_results_write_server_csv(CsLua *ctx, const char *path, GError **err);
gboolean cs_results_write_answers_csv(CsLua *ctx, const char *path, GError **err);
