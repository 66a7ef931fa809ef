/* test_kernel.c — the kernel core: event order, timers, crash and restart,
 * RNG streams, the event queue and the trajectory fingerprint.
 *
 * Every test ends with an empty event queue (drained, or its timers stopped)
 * and frees everything it made: the suite also runs under ASan/LSan. */
#include "classes.h"
#include "sim-private.h"
#include "testutil.h"
#include "evq.h"
#include "iheap.h"
#include <math.h>
#include <stdlib.h>

/* --- a recorder node kind: logs (time, node, tag) of every timer ---------------- */

typedef struct {
  SimTime t;
  SimNodeId node;
  guint32 tag;
} Rec;

typedef struct {
  GArray *log;  /* Rec, in dispatch order */
  guint16 kind;
  guint starts; /* start callbacks seen */
} Recorder;

static void rec_push(Recorder *r, Sim *sim, SimNodeId node, guint32 tag)
{
  Rec e = { sim_now(sim), node, tag };
  g_array_append_val(r->log, e);
}

static void rec_start(Sim *sim, SimNodeId node, gpointer k)
{
  ((Recorder *) k)->starts++;
}

static void rec_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  Recorder *r = k;
  rec_push(r, sim, node, tag);
  /* arg != 0: start a zero-delay timer with tag `arg` from inside a handler. */
  if (arg)
    sim_timer_start(sim, node, 0, (guint32) arg, 0);
}

/* Scheduled calls (no node) log into the same list, node SIM_NODE_NONE. */
static void rec_call(Sim *sim, gpointer data, guint64 tag)
{
  rec_push(data, sim, SIM_NODE_NONE, (guint32) tag);
}

static Recorder *recorder_new(Sim *sim)
{
  static const SimNodeKind kind = { .name = "recorder", .start = rec_start, .timer = rec_timer };
  Recorder *r = g_new0(Recorder, 1);
  r->log = g_array_new(FALSE, TRUE, sizeof(Rec));
  r->kind = sim_kind_register(sim, &kind, r);
  return r;
}

static void recorder_free(Recorder *r)
{
  g_array_free(r->log, TRUE);
  g_free(r);
}

/* One site, one /16 subnet, n recorder nodes started at time 0. */
static void add_nodes(Sim *sim, guint16 kind, guint n, SimNodeId *ids)
{
  guint32 site = sim_site_add(sim, "s"), base;
  guint8 prefix;
  sim_cidr_parse("10.0.0.0/16", &base, &prefix);
  guint32 sn = sim_subnet_add(sim, site, base, prefix, 1e9, 100 * SIM_US, NULL);
  for (guint i = 0; i < n; i++) {
    ids[i] = sim_node_add(sim, kind, sn, 0, i, NULL);
    sim_node_start_at(sim, ids[i], 0);
  }
}

/* A new kernel with one started recorder node, at time 0. */
static Sim *one_recorder(Recorder **r, SimNodeId *n)
{
  Sim *sim = sim_new(NULL);
  *r = recorder_new(sim);
  add_nodes(sim, (*r)->kind, 1, n);
  sim_run_until(sim, 0);
  return sim;
}

static const Rec *rec_at(Recorder *r, guint i) { return &g_array_index(r->log, Rec, i); }

/* --- the kind's prefetch hint ---------------------------------------------------- */

/* Logs the hint (tag 0) and timers (their tag) in one list. */
static void hint_prefetch(const Sim *sim, SimNodeId node, gpointer k)
{
  rec_push(k, (Sim *) sim, node, 0);
}

/* A kind's prefetch hint comes as the event two places before the node's is
 * taken to run (one event runs in between), with the node the event is for:
 * ten timers on ten nodes, a second apart, log hint(n2), timer(n0),
 * hint(n3), timer(n1), ..., hint(n9), timer(n7), timer(n8), timer(n9). */
static void test_prefetch_hint_ahead(void)
{
  static const SimNodeKind kind = { .name = "hinted", .timer = rec_timer, .prefetch = hint_prefetch };
  Sim *sim = sim_new(NULL);
  Recorder *r = g_new0(Recorder, 1);
  r->log = g_array_new(FALSE, TRUE, sizeof(Rec));
  r->kind = sim_kind_register(sim, &kind, r);
  SimNodeId n[10];
  add_nodes(sim, r->kind, 10, n);
  sim_run_until(sim, 0);
  g_array_set_size(r->log, 0);
  for (guint i = 0; i < 10; i++)
    sim_timer_start(sim, n[i], (SimTime) (i + 1) * SIM_S, i + 1, 0);
  sim_drain(sim);
  CU_ASSERT_EQUAL_FATAL(r->log->len, 18);
  for (guint i = 0; i < 10; i++) {
    const Rec *t = rec_at(r, i < 8 ? 2 * i + 1 : i + 8);
    CU_ASSERT_EQUAL(t->node, n[i]);
    CU_ASSERT_EQUAL(t->tag, i + 1);
    CU_ASSERT_EQUAL(t->t, (SimTime) (i + 1) * SIM_S);
  }
  for (guint i = 0; i < 8; i++) {
    const Rec *h = rec_at(r, 2 * i);
    CU_ASSERT_EQUAL(h->tag, 0);
    CU_ASSERT_EQUAL(h->node, n[i + 2]);
  }
  recorder_free(r);
  sim_free(sim);
}

/* --- traffic classes ---------------------------------------------------------------- */

static guint criticals;
static void count_critical(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
  if (level & G_LOG_LEVEL_CRITICAL)
    criticals++;
}

/* Ids follow registration order and a name registered again keeps its id;
 * the 17th class, and any class once traffic is recorded, are refused (one
 * critical warning each). */
static void test_class_registry(void)
{
  Sim *sim = sim_new(NULL);
  CU_ASSERT_EQUAL(sim_class_count(sim), 0);
  CU_ASSERT_STRING_EQUAL(sim_class_name(sim, 0), "?");
  CU_ASSERT_EQUAL(sim_class_register(sim, "alpha"), 0);
  CU_ASSERT_EQUAL(sim_class_register(sim, "beta"), 1);
  CU_ASSERT_EQUAL(sim_class_register(sim, "alpha"), 0);
  CU_ASSERT_EQUAL(sim_class_count(sim), 2);
  CU_ASSERT_STRING_EQUAL(sim_class_name(sim, 1), "beta");
  CU_ASSERT_STRING_EQUAL(sim_class_name(sim, 2), "?");
  for (guint c = 2; c < SIM_CLASS_MAX; c++) {
    char name[16];
    g_snprintf(name, sizeof name, "c%u", c);
    CU_ASSERT_EQUAL(sim_class_register(sim, name), c);
  }
  GLogFunc old = g_log_set_default_handler(count_critical, NULL);
  criticals = 0;
  CU_ASSERT_EQUAL(sim_class_register(sim, "one-too-many"), SIM_CLASS_NONE);
  CU_ASSERT_EQUAL(criticals, 1);
  CU_ASSERT_EQUAL(sim_class_count(sim), SIM_CLASS_MAX);
  sim_free(sim);

  sim = sim_new(NULL);
  CU_ASSERT_EQUAL(sim_class_register(sim, "only"), 0);
  guint32 a = sim_site_add(sim, "a"), b = sim_site_add(sim, "b");
  guint32 l = sim_wan_add(sim, a, b, 8e6, 10 * SIM_MS, 0);
  sim_stats_link(sim, l * 2, 1, 100, 1, 0, 0); /* unregistered: dropped */
  CU_ASSERT_EQUAL(criticals, 2);
  CU_ASSERT_EQUAL(sim_stats_buckets(sim), 0);
  sim_stats_link(sim, l * 2, 0, 100, 1, 0, 0);
  CU_ASSERT_EQUAL(sim_class_register(sim, "late"), SIM_CLASS_NONE);
  CU_ASSERT_EQUAL(criticals, 3);
  CU_ASSERT_EQUAL(sim_class_register(sim, "only"), 0);
  g_log_set_default_handler(old, NULL);
  sim_free(sim);
}

/* Statistics cells sized by the registry: with 2 classes (not the world's
 * 9), counts in class 1 read back from open rows, from sealed rows (300
 * one-second buckets: the first 44 are sealed, 256 stay open) and from a
 * late span reaching sealed rows, and class 0 stays empty. */
static void test_class_sized_buckets(void)
{
  Sim *sim = sim_new(NULL);
  sim_class_register(sim, "x");
  sim_class_register(sim, "y");
  guint32 a = sim_site_add(sim, "a"), b = sim_site_add(sim, "b");
  guint32 l = sim_wan_add(sim, a, b, 8e6, 10 * SIM_MS, 0);
  for (guint k = 0; k < 300; k++)
    sim_stats_link(sim, l * 2, 1, 1000 + k, 2, (SimTime) k * SIM_S, (SimTime) k * SIM_S);
  /* Late: 2,000 bytes over [1 s, 3 s), 1,000 into each of buckets 1 and 2. */
  sim_stats_link(sim, l * 2, 1, 2000, 1, 1 * SIM_S, 3 * SIM_S);
  CU_ASSERT_EQUAL(sim_stats_buckets(sim), 300);
  static const guint ks[] = { 0, 1, 2, 43, 44, 299 };
  for (guint i = 0; i < G_N_ELEMENTS(ks); i++) {
    guint k = ks[i];
    const SimBucket *bk = sim_stats_wan(sim, l * 2, k);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bk);
    CU_ASSERT_EQUAL(bk->bytes[0], 0);
    CU_ASSERT_EQUAL(bk->msgs[0], 0);
    CU_ASSERT_EQUAL(bk->bytes[1], 1000 + k + (k == 1 || k == 2 ? 1000 : 0));
    CU_ASSERT_EQUAL(bk->msgs[1], 2 + (k == 2 ? 1 : 0));
  }
  CU_ASSERT_PTR_NULL(sim_stats_wan(sim, l * 2 + 1, 0));
  /* 1000 + ... + 1299 + 2000 */
  CU_ASSERT_EQUAL(sim_stats_dlink_total(sim, l * 2), 300 * 1000 + 299 * 300 / 2 + 2000);
  sim_free(sim);
}

/* sim_subnet_add and sim_node_add fail in the SIM_NET_ERROR domain, one code
 * per cause, with the messages users see (tests/bad expects them). */
static void test_net_errors(void)
{
  static const SimNodeKind kind = { .name = "plain" };
  Sim *sim = sim_new(NULL);
  guint16 k = sim_kind_register(sim, &kind, NULL);
  guint32 site = sim_site_add(sim, "s");
  GError *e = NULL;
  guint32 sn = sim_subnet_add(sim, site, 0x0a000000u, 30, 1e9, SIM_US, &e); /* 10.0.0.0/30: 2 hosts */
  CU_ASSERT_EQUAL_FATAL(sn, 0);
  CU_ASSERT_EQUAL(sim_subnet_add(sim, site, 0x0a000000u, 24, 1e9, SIM_US, &e), SIM_NONE);
  CU_ASSERT_TRUE(g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_OVERLAP));
  CU_ASSERT_STRING_EQUAL(e->message, "subnet 10.0.0.0/24 overlaps subnet 10.0.0.0/30");
  g_clear_error(&e);
  CU_ASSERT_EQUAL(sim_node_add(sim, k, sn, 0x0a000003u, 0, &e), SIM_NODE_NONE); /* broadcast */
  CU_ASSERT_TRUE(g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_NOT_IN_SUBNET));
  CU_ASSERT_STRING_EQUAL(e->message, "address 10.0.0.3 is not a host address of subnet 10.0.0.0/30");
  g_clear_error(&e);
  CU_ASSERT_NOT_EQUAL(sim_node_add(sim, k, sn, 0x0a000001u, 0, &e), SIM_NODE_NONE);
  CU_ASSERT_EQUAL(sim_node_add(sim, k, sn, 0x0a000001u, 0, &e), SIM_NODE_NONE);
  CU_ASSERT_TRUE(g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_TAKEN));
  CU_ASSERT_STRING_EQUAL(e->message, "address 10.0.0.1 is already taken");
  g_clear_error(&e);
  CU_ASSERT_NOT_EQUAL(sim_node_add(sim, k, sn, 0, 0, &e), SIM_NODE_NONE); /* 10.0.0.2 */
  CU_ASSERT_EQUAL(sim_node_add(sim, k, sn, 0, 0, &e), SIM_NODE_NONE);
  CU_ASSERT_TRUE(g_error_matches(e, SIM_NET_ERROR, SIM_NET_ERROR_FULL));
  CU_ASSERT_STRING_EQUAL(e->message, "subnet 10.0.0.0/30 is full (2 hosts)");
  g_clear_error(&e);
  sim_free(sim);
}

/* --- event order ----------------------------------------------------------------- */

/* Events at one time run in the order they were scheduled, whatever node or
 * kind of event they are, and however far ahead they were scheduled. */
static void test_equal_time_insertion_order(void)
{
  Sim *sim = sim_new(NULL);
  Recorder *r = recorder_new(sim);
  SimNodeId n[3];
  add_nodes(sim, r->kind, 3, n);
  sim_run_until(sim, 0); /* nodes up at 0 */
  /* Twelve timers for t = 1 s, round-robin over the nodes but in reverse
   * node order so that neither node id nor slot order could explain the
   * result; calls interleaved as tags 100.. */
  for (guint32 i = 0; i < 12; i++) {
    sim_timer_start(sim, n[2 - i % 3], SIM_S, i, 0);
    if (i % 4 == 0)
      sim_call_at(sim, SIM_S, rec_call, r, 100 + i);
  }
  /* Scheduled at 0 for 2 s (tag 20), then at 1.5 s for 2 s (tag 21): the one
   * scheduled first runs first although the later one was pushed with a
   * shorter delay. Tag 22's handler starts a zero-delay timer (tag 23),
   * which runs after tag 24 — already queued for 2 s when 23 was made. */
  sim_timer_start(sim, n[0], 2 * SIM_S, 20, 0);
  sim_run_until(sim, SIM_S + SIM_S / 2);
  sim_timer_start(sim, n[1], SIM_S / 2, 21, 0);
  sim_timer_start(sim, n[2], SIM_S / 2, 22, 23);
  sim_timer_start(sim, n[0], SIM_S / 2, 24, 0);
  sim_drain(sim);

  const guint32 want[] = { 0, 100, 1, 2, 3, 4, 104, 5, 6, 7, 8, 108, 9, 10, 11, 20, 21, 22, 24, 23 };
  CU_ASSERT_EQUAL_FATAL(r->log->len, G_N_ELEMENTS(want));
  for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
    CU_ASSERT_EQUAL(rec_at(r, i)->tag, want[i]);
    CU_ASSERT_EQUAL(rec_at(r, i)->t, i < 15 ? SIM_S : 2 * SIM_S);
  }
  CU_ASSERT_EQUAL(rec_at(r, 1)->node, SIM_NODE_NONE);
  CU_ASSERT_EQUAL(rec_at(r, 0)->node, n[2]);
  CU_ASSERT_EQUAL(rec_at(r, 2)->node, n[1]);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  CU_ASSERT_EQUAL(sim_now(sim), 2 * SIM_S);
  recorder_free(r);
  sim_free(sim);
}

/* --- timers ------------------------------------------------------------------------ */

static gboolean logged(Recorder *r, guint32 tag)
{
  for (guint i = 0; i < r->log->len; i++)
    if (rec_at(r, i)->tag == tag)
      return TRUE;
  return FALSE;
}

/* The kernel takes the next few events out of its queue ahead of their turn
 * (to prefetch their records).  A handler that schedules before, at the
 * same time as, or cancels one of those staged events must see the same
 * order as if nothing had been taken out. */
typedef struct {
  SimNodeId node;
  SimTimerId victim;
} Meddle;

static void meddle(Sim *sim, gpointer data, guint64 arg)
{
  Meddle *m = data;
  sim_timer_start(sim, m->node, 0, 100, 0);          /* now: before all staged */
  sim_timer_start(sim, m->node, SIM_S / 2, 101, 0);  /* between now and the next */
  sim_timer_start(sim, m->node, 5 * SIM_S, 102, 0);  /* at the same time as a staged one: after it */
  sim_timer_cancel(sim, m->victim);                  /* a staged one */
}

static void test_staged_events_keep_order(void)
{
  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  Meddle m = { n, 0 };
  for (guint32 tag = 10; tag < 30; tag++) {
    SimTimerId t = sim_timer_start(sim, n, (SimTime) tag * SIM_S, tag, 0);
    if (tag == 12)
      m.victim = t;
  }
  sim_call_at(sim, 10 * SIM_S, meddle, &m, 0); /* after tag 10: pushed later */
  sim_drain(sim);
  guint32 want[] = { 10, 100, 101, 11, 13, 14, 15, 102, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29 };
  CU_ASSERT_EQUAL_FATAL(r->log->len, G_N_ELEMENTS(want));
  for (guint i = 0; i < G_N_ELEMENTS(want); i++)
    CU_ASSERT_EQUAL(rec_at(r, i)->tag, want[i]);
  CU_ASSERT_EQUAL(rec_at(r, 2)->t, 10 * SIM_S + SIM_S / 2);
  CU_ASSERT_EQUAL(rec_at(r, 7)->t, 15 * SIM_S);
  recorder_free(r);
  sim_free(sim);
}

/* The same when the run stops with the stage full: events scheduled from
 * outside the run, earlier than every staged one, still come first (the
 * run loop must look past the stage into the queue). */
static void test_stage_full_between_runs(void)
{
  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  for (guint32 tag = 10; tag < 30; tag++)
    sim_timer_start(sim, n, (SimTime) tag * SIM_S, tag, 0);
  sim_run_until(sim, 5 * SIM_S); /* nothing due: the next events wait, staged */
  CU_ASSERT_EQUAL(r->log->len, 0);
  sim_timer_start(sim, n, 2 * SIM_S, 2, 0); /* 7 s */
  sim_timer_start(sim, n, SIM_S, 1, 0);     /* 6 s */
  sim_timer_start(sim, n, 2 * SIM_S, 3, 0); /* 7 s, after tag 2 */
  sim_drain(sim);
  CU_ASSERT_EQUAL_FATAL(r->log->len, 23);
  const guint32 first[] = { 1, 2, 3, 10, 11 };
  for (guint i = 0; i < G_N_ELEMENTS(first); i++)
    CU_ASSERT_EQUAL(rec_at(r, i)->tag, first[i]);
  CU_ASSERT_EQUAL(rec_at(r, 0)->t, 6 * SIM_S);
  CU_ASSERT_EQUAL(rec_at(r, 2)->t, 7 * SIM_S);
  for (guint i = 3; i < r->log->len; i++)
    CU_ASSERT_EQUAL(rec_at(r, i)->tag, 7 + i);
  recorder_free(r);
  sim_free(sim);
}

static void test_timer_cancel(void)
{
  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  SimTimerId t1 = sim_timer_start(sim, n, 1 * SIM_S, 1, 0);
  SimTimerId t2 = sim_timer_start(sim, n, 2 * SIM_S, 2, 0);
  SimTimerId t3 = sim_timer_start(sim, n, 3 * SIM_S, 3, 0);
  CU_ASSERT(t1 != 0 && t2 != 0 && t3 != 0);
  CU_ASSERT(t1 != t2 && t2 != t3);
  CU_ASSERT(sim_timer_pending(sim, t1) && sim_timer_pending(sim, t2) && sim_timer_pending(sim, t3));

  sim_timer_cancel(sim, t2);
  CU_ASSERT_FALSE(sim_timer_pending(sim, t2));
  sim_timer_cancel(sim, t2); /* twice: harmless */
  sim_timer_cancel(sim, 0);  /* the "none" id: harmless */
  CU_ASSERT_FALSE(sim_timer_pending(sim, 0));

  sim_run_until(sim, SIM_S + SIM_S / 2);
  CU_ASSERT_EQUAL(r->log->len, 1);
  CU_ASSERT_FALSE(sim_timer_pending(sim, t1)); /* fired */
  /* t1's record is free now and a new timer may take its slot: the old
   * handle must not reach the new timer. */
  SimTimerId t4 = sim_timer_start(sim, n, SIM_S, 4, 0);
  sim_timer_cancel(sim, t1); /* after firing: harmless */
  CU_ASSERT(sim_timer_pending(sim, t4));
  CU_ASSERT(sim_timer_pending(sim, t3));
  CU_ASSERT_FALSE(sim_timer_pending(sim, t1));

  /* A cancelled scheduled call never runs either (and its record is freed). */
  SimTimerId c = sim_call_at(sim, 5 * SIM_S, rec_call, r, 50);
  CU_ASSERT(sim_timer_pending(sim, c));
  sim_timer_cancel(sim, c);
  CU_ASSERT_FALSE(sim_timer_pending(sim, c));

  sim_drain(sim);
  CU_ASSERT(logged(r, 1) && logged(r, 3) && logged(r, 4));
  CU_ASSERT_FALSE(logged(r, 2));
  CU_ASSERT_FALSE(logged(r, 50));
  CU_ASSERT_EQUAL(r->log->len, 3);
  CU_ASSERT_FALSE(sim_timer_pending(sim, t3));
  CU_ASSERT_FALSE(sim_timer_pending(sim, t4));
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  recorder_free(r);
  sim_free(sim);
}

/* Cancelling many timers (lazily) leaves nothing behind once the queue has
 * passed them, and a timer id from a long-gone record never matches. */
static void test_timer_cancel_many(void)
{
  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  enum { N = 5000 };
  SimTimerId *ids = g_new(SimTimerId, N);
  for (guint i = 0; i < N; i++)
    ids[i] = sim_timer_start(sim, n, (SimTime) (i % 97 + 1) * SIM_MS, i, 0);
  for (guint i = 0; i < N; i += 2)
    sim_timer_cancel(sim, ids[i]);
  sim_drain(sim);
  CU_ASSERT_EQUAL(r->log->len, N / 2);
  for (guint i = 0; i < r->log->len; i++)
    CU_ASSERT(rec_at(r, i)->tag % 2 == 1);
  /* New timers reuse the records; none of the old ids may name them. */
  SimTimerId fresh = sim_timer_start(sim, n, SIM_S, 9999, 0);
  for (guint i = 0; i < N; i++) {
    CU_ASSERT_FALSE(sim_timer_pending(sim, ids[i]));
    sim_timer_cancel(sim, ids[i]);
  }
  CU_ASSERT(sim_timer_pending(sim, fresh));
  sim_drain(sim);
  CU_ASSERT(logged(r, 9999));
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  g_free(ids);
  recorder_free(r);
  sim_free(sim);
}

/* Every record keeps its timer's node, tag and argument, and its id, while
 * the record array grows from a few records to past 4 MB (where sim.c moves
 * it into a mapping of its own) and beyond: 200,000 timers started in one
 * go, due in the reverse of their start order, the odd ones cancelled by id
 * after the array has grown; the even ones fire latest-started first, each
 * with its own argument. */
typedef struct {
  guint32 fired, next_tag, wrong;
} ArgCheck;

static guint64 arg_of(guint32 tag) { return (guint64) tag * 0x9E3779B97F4A7C15ULL + 7; }

static void argcheck_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  ArgCheck *a = k;
  if (tag != a->next_tag || arg != arg_of(tag))
    a->wrong++;
  a->next_tag = tag - 2;
  a->fired++;
}

static void test_records_survive_growth(void)
{
  static const SimNodeKind kind = { .name = "argcheck", .timer = argcheck_timer };
  enum { N = 200000 };
  ArgCheck a = { 0, N - 2, 0 };
  Sim *sim = sim_new(NULL);
  guint16 k = sim_kind_register(sim, &kind, &a);
  SimNodeId n;
  add_nodes(sim, k, 1, &n);
  sim_run_until(sim, 0);
  SimTimerId *ids = g_new(SimTimerId, N);
  for (guint32 i = 0; i < N; i++)
    ids[i] = sim_timer_start(sim, n, (SimTime) (N - i) * SIM_MS, i, arg_of(i));
  CU_ASSERT(sim->ev_cap >= N);
  for (guint32 i = 1; i < N; i += 2)
    sim_timer_cancel(sim, ids[i]);
  guint32 pending = 0;
  for (guint32 i = 0; i < N; i++)
    pending += sim_timer_pending(sim, ids[i]);
  CU_ASSERT_EQUAL(pending, N / 2);
  sim_drain(sim);
  CU_ASSERT_EQUAL(a.fired, N / 2);
  CU_ASSERT_EQUAL(a.wrong, 0);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  g_free(ids);
  sim_free(sim);
}

/* --- crash and restart -------------------------------------------------------------- */

static void test_crash_restart(void)
{
  Sim *sim = sim_new(NULL);
  Recorder *r = recorder_new(sim);
  SimNodeId n[2];
  add_nodes(sim, r->kind, 2, n);
  sim_run_until(sim, 0);
  CU_ASSERT_EQUAL(r->starts, 2);
  CU_ASSERT(sim_node_is_up(sim, n[0]));
  SimTimerId a = sim_timer_start(sim, n[0], 10 * SIM_S, 1, 0);
  SimTimerId b = sim_timer_start(sim, n[0], 20 * SIM_S, 2, 0);
  SimTimerId other = sim_timer_start(sim, n[1], 10 * SIM_S, 3, 0);

  sim_run_until(sim, 5 * SIM_S);
  sim_node_crash(sim, n[0]);
  CU_ASSERT_FALSE(sim_node_is_up(sim, n[0]));
  /* The crash forgot the node's timers: they are no longer pending. */
  CU_ASSERT_FALSE(sim_timer_pending(sim, a));
  CU_ASSERT_FALSE(sim_timer_pending(sim, b));
  CU_ASSERT(sim_timer_pending(sim, other));
  sim_node_crash(sim, n[0]); /* crashing a crashed node: harmless */
  sim_timer_cancel(sim, a);  /* cancelling a forgotten timer: harmless */
  /* A timer started for a node that is down never fires either. */
  sim_timer_start(sim, n[0], SIM_S, 4, 0);

  sim_run_until(sim, 7 * SIM_S);
  sim_node_restart(sim, n[0]);
  sim_node_restart(sim, n[0]); /* restarting a running node: harmless */
  CU_ASSERT(sim_node_is_up(sim, n[0]));
  sim_run_until(sim, 7 * SIM_S);
  CU_ASSERT_EQUAL(r->starts, 3); /* start ran again, once, at 7 s */
  CU_ASSERT_FALSE(sim_timer_pending(sim, a));
  CU_ASSERT_FALSE(sim_timer_pending(sim, b));
  sim_timer_start(sim, n[0], SIM_S, 5, 0); /* after the restart: fires at 8 s */
  sim_drain(sim);

  CU_ASSERT_EQUAL_FATAL(r->log->len, 2);
  CU_ASSERT_EQUAL(rec_at(r, 0)->tag, 5);
  CU_ASSERT_EQUAL(rec_at(r, 0)->t, 8 * SIM_S);
  CU_ASSERT_EQUAL(rec_at(r, 1)->tag, 3);
  CU_ASSERT_EQUAL(rec_at(r, 1)->t, 10 * SIM_S);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  recorder_free(r);
  sim_free(sim);
}

/* A start scheduled for a node, then a crash and a restart before it ran:
 * the start runs once (the restart's), not twice. */
static void test_restart_before_start(void)
{
  Sim *sim = sim_new(NULL);
  Recorder *r = recorder_new(sim);
  guint32 site = sim_site_add(sim, "s"), base;
  guint8 prefix;
  sim_cidr_parse("10.0.0.0/24", &base, &prefix);
  guint32 sn = sim_subnet_add(sim, site, base, prefix, 1e9, 100 * SIM_US, NULL);
  SimNodeId n = sim_node_add(sim, r->kind, sn, 0, 0, NULL);
  sim_node_start_at(sim, n, 0);
  sim_node_start_at(sim, n, 3 * SIM_S); /* e.g. a scenario's late start */
  sim_run_until(sim, SIM_S);
  sim_node_crash(sim, n);
  sim_node_restart(sim, n);
  sim_drain(sim);
  CU_ASSERT_EQUAL(r->starts, 2); /* 0 s and the restart at 1 s */
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  recorder_free(r);
  sim_free(sim);
}

/* --- running -------------------------------------------------------------------------- */

static void stop_call(Sim *sim, gpointer data, guint64 arg) { sim_stop(sim); }

static void count_progress(Sim *sim, gpointer data) { (*(guint *) data)++; }

/* sim_run_until stops at `until` (and leaves the clock there) or after the
 * event that called sim_stop (clock at that event); sim_step runs one. */
static void test_run_until_and_stop(void)
{
  Sim *sim = sim_new(NULL);
  Recorder *r = recorder_new(sim);
  SimNodeId n;
  add_nodes(sim, r->kind, 1, &n);
  guint progress = 0;
  sim_set_progress(sim, 2, count_progress, &progress);
  sim_run_until(sim, 0);
  for (guint32 i = 1; i <= 3; i++)
    sim_timer_start(sim, n, (SimTime) i * SIM_S, i, 0);
  sim_call_at(sim, 2 * SIM_S, stop_call, NULL, 0); /* after timer 2: queued later */
  sim_run_until(sim, 10 * SIM_S);
  CU_ASSERT_EQUAL(sim_now(sim), 2 * SIM_S);
  CU_ASSERT_EQUAL(r->log->len, 2);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 1);
  sim_run_until(sim, 2500 * SIM_MS); /* nothing due: the clock moves on */
  CU_ASSERT_EQUAL(sim_now(sim), 2500 * SIM_MS);
  CU_ASSERT(sim_step(sim)); /* timer 3 */
  CU_ASSERT_EQUAL(sim_now(sim), 3 * SIM_S);
  CU_ASSERT_FALSE(sim_step(sim));
  sim_run_until(sim, 10 * SIM_S);
  CU_ASSERT_EQUAL(sim_now(sim), 10 * SIM_S);
  CU_ASSERT_EQUAL(r->log->len, 3);
  /* start, three timers, the call */
  CU_ASSERT_EQUAL(sim_events_dispatched(sim), 5);
  CU_ASSERT_EQUAL(progress, 2);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  recorder_free(r);
  sim_free(sim);
}

/* Time arithmetic saturates: the largest delay a scenario could once give
 * (2^63 - 1 ns) started late in a run is a timer that never fires, not a
 * signed overflow (UBSan) or a refused event. */
static void test_time_saturates(void)
{
  CU_ASSERT_EQUAL(sim_time_add(5, 7), 12);
  CU_ASSERT_EQUAL(sim_time_add(SIM_TIME_NEVER - 7, 7), SIM_TIME_NEVER);
  CU_ASSERT_EQUAL(sim_time_add(SIM_HOUR, SIM_TIME_NEVER), SIM_TIME_NEVER);
  CU_ASSERT_EQUAL(sim_time_add(SIM_TIME_NEVER, 0), SIM_TIME_NEVER);
  CU_ASSERT_EQUAL(sim_time_ceil(0.0), 0);
  CU_ASSERT_EQUAL(sim_time_ceil(1.25), 2);
  CU_ASSERT_EQUAL(sim_time_ceil(1e30), SIM_TIME_FAR);
  CU_ASSERT_EQUAL(sim_time_ceil(INFINITY), SIM_TIME_FAR);
  CU_ASSERT_EQUAL(sim_time_ceil(NAN), SIM_TIME_FAR);

  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  sim_run_until(sim, SIM_HOUR);
  SimTimerId far = sim_timer_start(sim, n, SIM_TIME_NEVER, 1, 0);
  SimTimerId near = sim_timer_start(sim, n, SIM_S, 2, 0);
  CU_ASSERT(far != 0 && near != 0);
  sim_run_until(sim, 2 * SIM_HOUR);
  CU_ASSERT(sim_timer_pending(sim, far));
  CU_ASSERT(logged(r, 2));
  CU_ASSERT_FALSE(logged(r, 1));
  recorder_free(r);
  sim_free(sim);
}

/* --- RNG streams ----------------------------------------------------------------------- */

static void test_rng_reproducible(void)
{
  SimRng a, b, c, d, e;
  sim_rng_init(&a, 42, 7, 0);
  sim_rng_init(&b, 42, 7, 0);
  sim_rng_init(&c, 42, 8, 0); /* another node */
  sim_rng_init(&d, 42, 7, 1); /* another purpose */
  sim_rng_init(&e, 43, 7, 0); /* another seed */
  guint same_c = 0, same_d = 0, same_e = 0;
  for (int i = 0; i < 10000; i++) {
    guint64 x = sim_rng_next(&a);
    CU_ASSERT_EQUAL(x, sim_rng_next(&b));
    same_c += x == sim_rng_next(&c);
    same_d += x == sim_rng_next(&d);
    same_e += x == sim_rng_next(&e);
  }
  CU_ASSERT_EQUAL(same_c, 0);
  CU_ASSERT_EQUAL(same_d, 0);
  CU_ASSERT_EQUAL(same_e, 0);
  /* Seed 0 and stream 0 still give a working (non-zero-state) generator. */
  SimRng z;
  sim_rng_init(&z, 0, 0, 0);
  guint64 or_all = 0;
  for (int i = 0; i < 8; i++)
    or_all |= sim_rng_next(&z);
  CU_ASSERT(or_all != 0);
}

/* Node streams through the kernel: the same seed gives the same sequence per
 * node; different nodes differ; drawing from one node leaves the others alone. */
static void test_rng_node_streams(void)
{
  SimParams p;
  sim_params_default(&p);
  p.seed = 99;
  Sim *s1 = sim_new(&p), *s2 = sim_new(&p);
  Recorder *r1 = recorder_new(s1), *r2 = recorder_new(s2);
  SimNodeId n1[3], n2[3];
  add_nodes(s1, r1->kind, 3, n1);
  add_nodes(s2, r2->kind, 3, n2);
  /* s1 draws heavily from node 0 first; s2 never touches node 0. */
  for (int i = 0; i < 1000; i++)
    sim_rng_next(sim_node_rng(s1, n1[0]));
  guint diff01 = 0;
  for (int i = 0; i < 1000; i++) {
    guint64 x = sim_rng_next(sim_node_rng(s1, n1[1]));
    CU_ASSERT_EQUAL(x, sim_rng_next(sim_node_rng(s2, n2[1])));
    diff01 += x != sim_rng_next(sim_node_rng(s2, n2[2]));
  }
  CU_ASSERT_EQUAL(diff01, 1000);
  /* And node 0 of s2, drawn now, starts where node 0 of s1 started. */
  SimRng fresh;
  sim_rng_init(&fresh, 99, n2[0], 0);
  CU_ASSERT_EQUAL(sim_rng_next(sim_node_rng(s2, n2[0])), sim_rng_next(&fresh));
  sim_drain(s1);
  sim_drain(s2);
  CU_ASSERT_EQUAL(sim_pending_events(s1) + sim_pending_events(s2), 0);
  recorder_free(r1);
  recorder_free(r2);
  sim_free(s1);
  sim_free(s2);
}

static void test_rng_range(void)
{
  SimRng r;
  sim_rng_init(&r, 1, 2, 3);
  /* Small range: always inside, every value reached. */
  guint hits[7] = { 0 };
  for (int i = 0; i < 20000; i++) {
    gint64 v = sim_rng_range(&r, -3, 3);
    CU_ASSERT_FATAL(v >= -3 && v <= 3);
    hits[v + 3]++;
  }
  for (int k = 0; k < 7; k++) {
    /* Expected 2857 each; 5 sigma is about 250. */
    CU_ASSERT(hits[k] > 2857 - 300 && hits[k] < 2857 + 300);
  }
  CU_ASSERT_EQUAL(sim_rng_range(&r, 5, 5), 5);
  CU_ASSERT_EQUAL(sim_rng_range(&r, G_MININT64, G_MININT64), G_MININT64);
  CU_ASSERT_EQUAL(sim_rng_range(&r, G_MAXINT64, G_MAXINT64), G_MAXINT64);
  CU_ASSERT_EQUAL(sim_rng_below(&r, 1), 0);
  for (int i = 0; i < 1000; i++) {
    CU_ASSERT(sim_rng_below(&r, 10) < 10);
    gint64 big = sim_rng_range(&r, 1000000000000LL, 1000000000005LL);
    CU_ASSERT(big >= 1000000000000LL && big <= 1000000000005LL);
  }
  /* Ranges wider than G_MAXINT64 (hi - lo overflows a signed integer) and
   * the full range: inside, and not stuck at lo. */
  gboolean moved_full = FALSE, moved_neg = FALSE, moved_pos = FALSE;
  for (int i = 0; i < 100; i++) {
    gint64 v = sim_rng_range(&r, G_MININT64, G_MAXINT64);
    moved_full |= v != G_MININT64;
    gint64 w = sim_rng_range(&r, G_MININT64, 0);
    CU_ASSERT(w <= 0);
    moved_neg |= w != G_MININT64;
    gint64 x = sim_rng_range(&r, -1, G_MAXINT64);
    CU_ASSERT(x >= -1);
    moved_pos |= x != -1;
  }
  CU_ASSERT(moved_full && moved_neg && moved_pos);
}

static void test_rng_uniform_and_exp(void)
{
  SimRng r;
  sim_rng_init(&r, 7, 0, 0);
  const int n = 1000000;
  double sum = 0, sumsq = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; i++) {
    double u = sim_rng_uniform(&r);
    sum += u;
    sumsq += u * u;
    lo = MIN(lo, u);
    hi = MAX(hi, u);
  }
  CU_ASSERT(lo >= 0.0 && hi < 1.0);
  /* Mean 1/2, standard error sqrt(1/12/n) = 0.000289: allow 5 sigma. */
  double mean = sum / n;
  CU_ASSERT(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12.0 / n));
  /* Variance 1/12 to within 1 %. */
  double var = sumsq / n - mean * mean;
  CU_ASSERT(fabs(var - 1.0 / 12.0) < 0.01 / 12.0);
  /* Exponential, mean 2: standard error 2 / sqrt(n) = 0.002; 5 sigma. */
  double esum = 0;
  for (int i = 0; i < n; i++) {
    double x = sim_rng_exp(&r, 2.0);
    CU_ASSERT_FATAL(x >= 0 && isfinite(x));
    esum += x;
  }
  CU_ASSERT(fabs(esum / n - 2.0) < 5 * 2.0 / sqrt(n));
}

/* --- the event queue against a sorted reference -------------------------------------- */

typedef struct {
  SimTime time;
  guint32 order; /* insertion order = the slot we pushed */
} RefEntry;

static int ref_cmp(const void *a, const void *b)
{
  const RefEntry *x = a, *y = b;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Sorts the pushed entries and counts the pops that differ from that order. */
static guint ref_mismatches(RefEntry *ref, const RefEntry *got, guint n)
{
  qsort(ref, n, sizeof *ref, ref_cmp);
  guint bad = 0;
  for (guint i = 0; i < n; i++)
    bad += got[i].time != ref[i].time || got[i].order != ref[i].order;
  return bad;
}

/* 100,000 pushes with times from a small range (so most times are shared by
 * dozens of entries), then every pop checked against qsort's order. */
static void test_evq_sorted_reference(void)
{
  enum { N = 100000 };
  SimRng r;
  sim_rng_init(&r, 5, 0, 0);
  RefEntry *ref = g_new(RefEntry, N);
  SimEvq q;
  sim_evq_init(&q);
  for (guint32 i = 0; i < N; i++) {
    /* Mostly 0..2047 (about 49 entries per time), some far out, some negative. */
    SimTime t = sim_rng_below(&r, 10) == 0 ? sim_rng_range(&r, -1000, 1000000000) : (SimTime) sim_rng_below(&r, 2048);
    ref[i] = (RefEntry) { t, i };
    sim_evq_push(&q, t, i);
  }
  CU_ASSERT_EQUAL(sim_evq_len(&q), N);
  qsort(ref, N, sizeof *ref, ref_cmp);
  guint bad = 0;
  for (guint32 i = 0; i < N; i++) {
    CU_ASSERT_EQUAL(sim_evq_peek_time(&q), ref[i].time);
    SimTime t;
    guint32 slot;
    CU_ASSERT_FATAL(sim_evq_pop(&q, &t, &slot));
    bad += t != ref[i].time || slot != ref[i].order;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(sim_evq_len(&q), 0);
  CU_ASSERT_EQUAL(sim_evq_peek_time(&q), SIM_TIME_NEVER);
  SimTime t;
  guint32 slot;
  CU_ASSERT_FALSE(sim_evq_pop(&q, &t, &slot));
  sim_evq_clear(&q);
  g_free(ref);
}

/* Bucket 0 is a FIFO of blocks: more entries at one time than a block holds,
 * and more pushed at that time while it is being popped, come out in push
 * order, before a later one pushed first. */
static void test_evq_one_time_fifo(void)
{
  enum { FIRST = 3 * SIM_EVQ_BLOCK + 7, ALL = FIRST + 2 * SIM_EVQ_BLOCK };
  SimEvq q;
  sim_evq_init(&q);
  sim_evq_push(&q, 43, ALL);
  guint32 pushed = 0, popped = 0;
  for (; pushed < FIRST; pushed++)
    sim_evq_push(&q, 42, pushed);
  guint bad = 0;
  SimTime t;
  guint32 slot;
  while (popped < ALL) {
    CU_ASSERT_FATAL(sim_evq_pop(&q, &t, &slot));
    bad += t != 42 || slot != popped;
    popped++;
    if (pushed < ALL)
      sim_evq_push(&q, 42, pushed++);
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_FATAL(sim_evq_pop(&q, &t, &slot));
  CU_ASSERT_EQUAL(t, 43);
  CU_ASSERT_EQUAL(slot, ALL);
  CU_ASSERT_FALSE(sim_evq_pop(&q, &t, &slot));
  sim_evq_clear(&q);
}

/* The kernel peeks (which moves the radix heap's base time up to the
 * earliest entry), then an event of its other queue may run first and push
 * between its own "now" and that peeked time.  Those entries must still pop
 * first, and everything in (time, insertion) order. */
static void test_evq_push_below_peek(void)
{
  enum { N = 60000 };
  SimRng r;
  sim_rng_init(&r, 8, 0, 0);
  RefEntry *ref = g_new(RefEntry, N);
  RefEntry *got = g_new(RefEntry, N);
  guint32 pushed = 0, popped = 0, early = 0;
  SimEvq q;
  sim_evq_init(&q);
#define PUSH(t_)                                                                                                        \
  do {                                                                                                                  \
    SimTime t__ = (t_);                                                                                                 \
    ref[pushed] = (RefEntry) { t__, pushed };                                                                           \
    sim_evq_push(&q, t__, pushed);                                                                                      \
    pushed++;                                                                                                           \
  } while (0)
  for (int i = 0; i < 500; i++)
    PUSH(1000 + (SimTime) sim_rng_below(&r, 100000000));
  while (sim_evq_len(&q) > 0) {
    SimTime now;
    guint32 slot;
    sim_evq_pop(&q, &now, &slot);
    got[popped++] = (RefEntry) { now, slot };
    if (pushed < N)
      PUSH(now + (SimTime) sim_rng_below(&r, 5000000));
    const SimEvqEntry *top = sim_evq_top(&q);
    if (top && pushed + 3 <= N && sim_rng_below(&r, 2) == 0) {
      /* Something at `at` in [now, top] runs before the peeked entry: it
       * pushes before, sometimes at, and after the peeked time. */
      SimTime t = top->time, at = now + (SimTime) sim_rng_below(&r, (guint64) (t - now) + 1);
      SimTime before = at + (SimTime) sim_rng_below(&r, (guint64) (t - at) + 1);
      early += before < t;
      PUSH(before);
      PUSH(sim_rng_below(&r, 4) == 0 ? t : t + (SimTime) sim_rng_below(&r, 5000000));
      PUSH(t + (SimTime) sim_rng_below(&r, 5000000));
    }
  }
#undef PUSH
  CU_ASSERT_EQUAL_FATAL(popped, N);
  CU_ASSERT(early > N / 20); /* the case under test did happen, often */
  CU_ASSERT_EQUAL(ref_mismatches(ref, got, N), 0);
  sim_evq_clear(&q);
  g_free(ref);
  g_free(got);
}

/* The way a simulation uses it ("hold" model): pop one, push one or two at
 * or after its time, many at exactly its time.  Each pushed key is larger
 * than the last popped key, so the pops must come out as the sorted order of
 * everything pushed. */
static void test_evq_hold_model(void)
{
  enum { N = 100000, START = 1000 };
  SimRng r;
  sim_rng_init(&r, 6, 0, 0);
  RefEntry *ref = g_new(RefEntry, N);
  RefEntry *got = g_new(RefEntry, N);
  guint32 pushed = 0, popped = 0;
  SimEvq q;
  sim_evq_init(&q);
  for (; pushed < START; pushed++) {
    SimTime t = (SimTime) sim_rng_below(&r, 100);
    ref[pushed] = (RefEntry) { t, pushed };
    sim_evq_push(&q, t, pushed);
  }
  while (sim_evq_len(&q) > 0) {
    SimTime now;
    guint32 slot;
    sim_evq_pop(&q, &now, &slot);
    got[popped++] = (RefEntry) { now, slot };
    int k = sim_rng_below(&r, 3) == 0 ? 2 : 1;
    for (int j = 0; j < k && pushed < N; j++, pushed++) {
      /* A third at the same time, the rest a little later. */
      SimTime t = now + (sim_rng_below(&r, 3) == 0 ? 0 : (SimTime) sim_rng_below(&r, 50));
      ref[pushed] = (RefEntry) { t, pushed };
      sim_evq_push(&q, t, pushed);
    }
  }
  CU_ASSERT_EQUAL_FATAL(pushed, N);
  CU_ASSERT_EQUAL_FATAL(popped, N);
  CU_ASSERT_EQUAL(ref_mismatches(ref, got, N), 0);
  sim_evq_clear(&q);
  g_free(ref);
  g_free(got);
}

/* --- trajectory fingerprint ----------------------------------------------------------- */

/* A small gossip model: every node re-arms a timer with a delay from its own
 * stream; on some firings it connects to a random other node, sends one
 * message of a random size (a few large enough to be bulk flows) and closes. */
#define GOSSIP_PORT 80

typedef struct {
  guint16 kind;
  guint32 n;        /* nodes, ids 0 .. n-1 */
  SimTime end;      /* no timer is re-armed past this */
  guint64 fired, connects, sent, received, closed;
} Gossip;

static void gossip_arm(Sim *sim, SimNodeId node, Gossip *g)
{
  SimTime d = sim_rng_range(sim_node_rng(sim, node), SIM_MS, 200 * SIM_MS);
  if (sim_now(sim) + d <= g->end)
    sim_timer_start(sim, node, d, 0, 0);
}

static void gossip_start(Sim *sim, SimNodeId node, gpointer k) { gossip_arm(sim, node, k); }

static void gossip_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  Gossip *g = k;
  SimRng *r = sim_node_rng(sim, node);
  g->fired++;
  if (sim_rng_uniform(r) < 0.3) {
    SimNodeId to = (SimNodeId) sim_rng_below(r, g->n - 1);
    if (to >= node)
      to++;
    g->connects++;
    sim_connect(sim, node, sim_node_addr(sim, to), GOSSIP_PORT, CS_CLS_PEER, FALSE);
  }
  gossip_arm(sim, node, g);
}

static void gossip_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId c, gboolean inbound)
{
  Gossip *g = k;
  if (inbound)
    return;
  SimRng *r = sim_node_rng(sim, node);
  SimMsg *m = sim_msg_new(sim);
  m->size = sim_rng_below(r, 20) == 0 ? 100000 + sim_rng_below(r, 100000) : 50 + sim_rng_below(r, 3000);
  m->cls = CS_CLS_PEER;
  g->sent++;
  sim_send(sim, c, node, m);
  sim_close(sim, c, node);
}

static void gossip_message(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimMsg *m)
{
  ((Gossip *) k)->received++;
}

static void gossip_closed(Sim *sim, SimNodeId node, gpointer k, SimConnId c, SimConnError why)
{
  Gossip *g = k;
  CU_ASSERT_EQUAL(why, SIM_CONN_PEER_CLOSED);
  g->closed++;
}

static const guint16 gossip_ports[] = { GOSSIP_PORT, 0 };

typedef struct {
  guint64 fingerprint, events, received;
} RunResult;

static RunResult gossip_run(guint64 seed)
{
  static const SimNodeKind kind = {
    .name = "gossip", .start = gossip_start, .timer = gossip_timer, .connected = gossip_connected,
    .message = gossip_message, .closed = gossip_closed, .ports = gossip_ports,
  };
  SimParams p;
  sim_params_default(&p);
  p.seed = seed;
  Sim *sim = sim_new(&p);
  cs_classes_register(sim);
  Gossip g = { .n = 24, .end = 20 * SIM_S };
  g.kind = sim_kind_register(sim, &kind, &g);
  /* Two sites over a 20 Mbps, 15 ms WAN link: node i lives in site i % 2. */
  guint32 sa, sb;
  probe_two_sites(sim, 20e6, 15 * SIM_MS, 1e9, 100 * SIM_US, &sa, &sb);
  for (guint32 i = 0; i < g.n; i++) {
    SimNodeId id = sim_node_add(sim, g.kind, i % 2 ? sb : sa, 0, i, NULL);
    CU_ASSERT_EQUAL(id, i);
    sim_node_start_at(sim, id, (SimTime) i * SIM_MS);
  }
  sim_drain(sim);
  RunResult res = { sim_fingerprint(sim), sim_events_dispatched(sim), g.received };
  /* A sane run: plenty of traffic, every message and close delivered (the
   * initiator closes right after sending, usually before the acceptor's side
   * of the handshake has completed: the acceptor must still see connected,
   * the message and PEER_CLOSED). */
  CU_ASSERT(g.fired > 1000);
  CU_ASSERT(g.connects > 300);
  CU_ASSERT_EQUAL(g.sent, g.connects);
  CU_ASSERT_EQUAL(g.received, g.sent);
  CU_ASSERT_EQUAL(g.closed, g.sent);
  CU_ASSERT_EQUAL(sim_conn_open_count(sim), 0);
  CU_ASSERT_EQUAL(sim_pending_events(sim), 0);
  sim_free(sim);
  return res;
}

/* A cancelled event before `until` and a live one after it: run_until stops
 * at `until` (it used to pop the cancelled one and then run the next event
 * whatever its time). */
static void test_run_until_skips_cancelled(void)
{
  Recorder *r;
  SimNodeId n;
  Sim *sim = one_recorder(&r, &n);
  SimTimerId early = sim_timer_start(sim, n, SIM_S, 1, 0);
  sim_timer_start(sim, n, 5 * SIM_S, 2, 0);
  sim_timer_cancel(sim, early);
  sim_run_until(sim, 2 * SIM_S);
  CU_ASSERT_EQUAL(sim_now(sim), 2 * SIM_S);
  CU_ASSERT_EQUAL(r->log->len, 0);
  sim_run_until(sim, 10 * SIM_S);
  CU_ASSERT_EQUAL(r->log->len, 1);
  recorder_free(r);
  sim_free(sim);
}

/* The indexed heap: 20,000 ids set, moved (up and down) and removed at
 * random; what is left pops in the order of each id's last (time, seq). */
static void test_iheap_moves_against_reference(void)
{
  enum { N = 20000, OPS = 200000 };
  SimRng r;
  sim_rng_init(&r, 6, 0, 0);
  SimTime *when = g_new(SimTime, N);
  guint64 *seq = g_new(guint64, N);
  gboolean *in = g_new0(gboolean, N);
  SimIheap h;
  sim_iheap_init(&h);
  guint64 next = 0;
  for (guint32 k = 0; k < OPS; k++) {
    guint32 id = (guint32) sim_rng_below(&r, N);
    if (sim_rng_below(&r, 5) == 0) {
      sim_iheap_remove(&h, id);
      in[id] = FALSE;
    } else {
      when[id] = (SimTime) sim_rng_below(&r, 4096);
      seq[id] = next++;
      in[id] = TRUE;
      sim_iheap_set(&h, id, when[id], seq[id]);
    }
    CU_ASSERT_EQUAL(sim_iheap_contains(&h, id), in[id]);
  }
  RefEntry *ref = g_new(RefEntry, N);
  guint32 n = 0;
  for (guint32 id = 0; id < N; id++)
    if (in[id])
      ref[n++] = (RefEntry) { when[id], (guint32) seq[id] };
  CU_ASSERT_EQUAL(sim_iheap_len(&h), n);
  qsort(ref, n, sizeof *ref, ref_cmp);
  guint bad = 0;
  for (guint32 i = 0; i < n; i++) {
    const SimEvqEntry *e = sim_iheap_top(&h);
    CU_ASSERT_FATAL(e != NULL);
    guint32 id = sim_iheap_id(e);
    bad += e->time != ref[i].time || seq[id] != ref[i].order;
    sim_iheap_remove(&h, id);
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_PTR_NULL(sim_iheap_top(&h));
  sim_iheap_clear(&h);
  g_free(ref);
  g_free(when);
  g_free(seq);
  g_free(in);
}

static void test_fingerprint(void)
{
  RunResult a = gossip_run(1), b = gossip_run(1), c = gossip_run(2);
  CU_ASSERT_EQUAL(a.fingerprint, b.fingerprint);
  CU_ASSERT_EQUAL(a.events, b.events);
  CU_ASSERT_EQUAL(a.received, b.received);
  CU_ASSERT(a.events > 2000);
  CU_ASSERT(a.fingerprint != c.fingerprint);
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "equal-time events run in insertion order", test_equal_time_insertion_order },
    { "time arithmetic saturates", test_time_saturates },
    { "timer cancel", test_timer_cancel },
    { "events taken out ahead keep their order", test_staged_events_keep_order },
    { "events earlier than a full stage, scheduled between runs, come first", test_stage_full_between_runs },
    { "timer cancel, many, and stale ids", test_timer_cancel_many },
    { "records keep their timers while the array grows past 4 MB", test_records_survive_growth },
    { "crash forgets timers; restart runs start again", test_crash_restart },
    { "restart before a scheduled start", test_restart_before_start },
    { "run until, stop, step", test_run_until_and_stop },
    { "rng: reproducible and independent streams", test_rng_reproducible },
    { "rng: node streams", test_rng_node_streams },
    { "rng: range bounds", test_rng_range },
    { "rng: uniform and exponential means", test_rng_uniform_and_exp },
    { "evq: 100,000 entries against a sorted reference", test_evq_sorted_reference },
    { "evq: hold model against a sorted reference", test_evq_hold_model },
    { "evq: entries at one time pop in push order across blocks", test_evq_one_time_fifo },
    { "evq: pushes below a peeked time pop first, in order", test_evq_push_below_peek },
    { "trajectory fingerprint", test_fingerprint },
    { "run until does not pass a cancelled event", test_run_until_skips_cancelled },
    { "iheap: moves and removals against a sorted reference", test_iheap_moves_against_reference },
    { "a kind's prefetch hint comes ahead of the node's event, for that node", test_prefetch_hint_ahead },
    { "traffic classes: registration order, repeats, the maximum, after traffic", test_class_registry },
    { "traffic classes: statistics cells sized by the registry", test_class_sized_buckets },
    { "net errors: a domain and a code per cause", test_net_errors },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "kernel", tests);
}
