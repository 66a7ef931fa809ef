/* test_shards.c — file distribution by shards: WAN bytes once per chain,
 * caches serving a second deployment, a peer's cache serving half a file,
 * a cache smaller than the file, a per-subnet throttle, and books that count
 * what arrived. */
#include "worldutil.h"
#include <math.h>

#define MB 1000000ull

static void deploy_all(TestWorld *t, SimTime at, guint64 size, const char *name, gint32 *out)
{
  CsPackage pkg = { .size = size, .run_time = SIM_S, .name = name };
  CsTarget all = { CS_TARGET_ALL, 0 };
  *out = cs_world_deploy(t->w, at, &pkg, &all, 1, NULL);
  CU_ASSERT_FATAL(*out >= 0);
}

/* A world of one branch site (20 ms away at wan_bps) with one subnet of
 * `clients`; returns the subnet. */
static guint32 one_branch(TestWorld *t, const CsWorldParams *p, guint64 seed, const char *cidr, guint32 clients,
                          double wan_bps, guint32 *first)
{
  tw_init(t, p, seed);
  return tw_branch(t, "branch", cidr, clients, wan_bps, 20 * SIM_MS, first);
}

/* 10 branch sites x 100 clients (one chain each), one 100 MB file to all:
 * the servers send about 10 x 100 MB across the WAN, not 1,000 x 100 MB;
 * everyone completes; the same file again moves almost nothing on the WAN.
 * Caches here are 60 MB, smaller than the file, so the second round really
 * is served by the chain's caches (pinned shards) and not by each client's
 * own copy. */
static void test_wan_once_per_chain(void)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.cache_size = 60 * MB;
  TestWorld t;
  tw_init(&t, &p, 51);
  for (guint32 k = 0; k < 10; k++) {
    char cidr[32], name[16];
    g_snprintf(cidr, sizeof cidr, "10.%u.0.0/24", 30 + k);
    g_snprintf(name, sizeof name, "branch-%u", k);
    tw_branch(&t, name, cidr, 100, 100e6, 20 * SIM_MS, NULL);
  }
  gint32 a1, a2;
  deploy_all(&t, 5 * SIM_MIN, 100 * MB, "patch.msu", &a1);
  sim_run_until(t.sim, 20 * SIM_MIN);
  guint64 wan_payload = cs_action_wan_bytes(t.w, (guint32) a1);
  guint64 wan_wire = sim_stats_wan_total(t.sim, CS_CLS_SHARD);
  g_test_message("first: WAN shard payload %.1f MB, wire %.1f MB, completed %u/%u in %.1f s",
                 wan_payload / 1e6, wan_wire / 1e6, cs_action_completed(t.w, (guint32) a1),
                 cs_action_targets(t.w, (guint32) a1), sim_time_to_s(cs_action_time_to(t.w, (guint32) a1, 1.0)));
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a1), 1000);
  CU_ASSERT(fabs((double) wan_payload - 10.0 * 100 * MB) <= 0.05 * 10.0 * 100 * MB);
  /* On the wire: payload plus 54 header bytes per 1448 (3.7 %) plus TLS and
   * requests: within 5 % of that. */
  double want_wire = 10.0 * 100 * MB * 1502.0 / 1448.0;
  CU_ASSERT(fabs((double) wan_wire - want_wire) <= 0.05 * want_wire);
  deploy_all(&t, 20 * SIM_MIN, 100 * MB, "patch.msu", &a2);
  sim_run_until(t.sim, 40 * SIM_MIN);
  g_test_message("again: WAN shard payload %.3f MB, from caches %.1f MB, completed %u",
                 cs_action_wan_bytes(t.w, (guint32) a2) / 1e6, cs_action_bytes_from_caches(t.w, (guint32) a2) / 1e6,
                 cs_action_completed(t.w, (guint32) a2));
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a2), 1000);
  /* Nearly nothing: the chains' caches hold the file between their members. */
  CU_ASSERT(cs_action_wan_bytes(t.w, (guint32) a2) <= 0.01 * 10 * 100 * MB);
  /* Each client missed what it had evicted (about 40 MB) and got it from peers. */
  CU_ASSERT(cs_action_bytes_from_caches(t.w, (guint32) a2) >= 1000 * 30 * MB);
  tw_free(&t);
}

/* A peer holding half the shards: the requester gets those from the peer and
 * only the other half from the server. */
static void test_peer_serves_half(void)
{
  TestWorld t;
  guint32 first;
  one_branch(&t, NULL, 52, "10.40.0.0/24", 20, 100e6, &first);
  CsPackage pkg = { .size = 40 * 524288ull, .run_time = SIM_S, .name = "tool.zip" };
  CsTarget one = { CS_TARGET_CLIENT, first + 5 };
  gint32 a = cs_world_deploy(t.w, 5 * SIM_MIN, &pkg, &one, 1, NULL);
  sim_run_until(t.sim, 4 * SIM_MIN);
  cs_world_cache_seed(t.w, first + 12, (guint32) a, 0, 20);
  sim_run_until(t.sim, 10 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 1);
  guint64 half = 20 * 524288ull;
  CU_ASSERT_EQUAL(cs_action_bytes_from_caches(t.w, (guint32) a), half);
  CU_ASSERT_EQUAL(cs_action_bytes_from_server(t.w, (guint32) a), half);
  tw_free(&t);
}

/* A cache smaller than the file: the distribution still completes, shards
 * are evicted, and no cache ever holds more than its bound. */
static void test_small_cache(void)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.cache_size = 20 * MB;
  TestWorld t;
  one_branch(&t, &p, 53, "10.41.0.0/24", 20, 100e6, NULL);
  gint32 a;
  deploy_all(&t, 5 * SIM_MIN, 50 * MB, "big.iso", &a);
  sim_run_until(t.sim, 15 * SIM_MIN);
  g_test_message("completed %u, evictions %" G_GUINT64_FORMAT ", cache peak %.1f MB",
                 cs_action_completed(t.w, (guint32) a), cs_world_evictions(t.w), cs_world_cache_peak(t.w) / 1e6);
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 20);
  CU_ASSERT(cs_world_evictions(t.w) > 0);
  CU_ASSERT(cs_world_cache_peak(t.w) <= 20 * MB);
  CU_ASSERT(cs_world_cache_peak(t.w) > 19 * MB);
  tw_free(&t);
}

/* A 10 Mbps throttle on the subnet: the distribution takes at least
 * size / rate, and no stats bucket carries more than the cap (payload bytes:
 * the wire adds 54 header bytes per 1448). */
static void test_throttle(void)
{
  TestWorld t;
  guint32 subnet = one_branch(&t, NULL, 54, "10.42.0.0/24", 20, 100e6, NULL);
  cs_world_throttle(t.w, FALSE, subnet, 10e6, 1);
  gint32 a;
  deploy_all(&t, 5 * SIM_MIN, 20 * MB, "update.cab", &a);
  sim_run_until(t.sim, 15 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 20);
  SimTime took = cs_action_time_to(t.w, (guint32) a, 1.0);
  g_test_message("throttled distribution took %.2f s", sim_time_to_s(took));
  CU_ASSERT(took >= (SimTime) (20.0 * MB * 8 / 10e6 * SIM_S));
  /* Every bucket of the datacenter → branch direction of the one WAN link. */
  guint32 wan = 0;
  while (sim_link_kind(t.sim, wan) != SIM_LINK_WAN)
    wan++;
  guint32 dl = wan * 2 + (sim_link_site_a(t.sim, wan) == t.dc ? 0 : 1);
  guint64 worst = 0;
  for (guint32 b = 0; b < sim_stats_buckets(t.sim); b++) {
    const SimBucket *bk = sim_stats_wan(t.sim, dl, b);
    if (bk)
      worst = MAX(worst, bk->bytes[CS_CLS_SHARD]);
  }
  double payload_worst = (double) worst * 1448.0 / 1502.0;
  g_test_message("worst bucket %.0f payload bytes (cap %.0f)", payload_worst, 10e6 / 8);
  CU_ASSERT(payload_worst <= 10e6 / 8 * 1.001);
  CU_ASSERT(payload_worst >= 10e6 / 8 * 0.9); /* and it does run at the cap */
  tw_free(&t);
}

/* The books count bytes that arrived.  One client behind a 20 Mbps branch
 * link fetches 100 MB from the server: ten seconds in, the server has
 * handed over at most what the link carries in those ten seconds (the
 * request goes out as 64-shard messages that take half a minute to cross),
 * and at the end exactly the file. */
static void test_books_count_arrivals(void)
{
  TestWorld t;
  guint32 first;
  one_branch(&t, NULL, 55, "10.43.0.0/24", 1, 20e6, &first);
  CsPackage pkg = { .size = 100 * MB, .run_time = SIM_S, .name = "big.iso" };
  CsTarget one = { CS_TARGET_CLIENT, first };
  gint32 a = cs_world_deploy(t.w, 5 * SIM_MIN, &pkg, &one, 1, NULL);
  CU_ASSERT_FATAL(a >= 0);
  sim_run_until(t.sim, 5 * SIM_MIN + 10 * SIM_S);
  guint64 early = cs_action_bytes_from_server(t.w, (guint32) a);
  g_test_message("after 10 s: %.1f MB from the server", early / 1e6);
  CU_ASSERT(early <= 10 * 20e6 / 8);
  CU_ASSERT_EQUAL(cs_action_wan_bytes(t.w, (guint32) a), early);
  sim_run_until(t.sim, 15 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 1);
  CU_ASSERT_EQUAL(cs_action_bytes_from_server(t.w, (guint32) a), 100 * MB);
  CU_ASSERT_EQUAL(cs_action_wan_bytes(t.w, (guint32) a), 100 * MB);
  tw_free(&t);
}

/* A chain of five behind a 1 Mbps WAN link, a 24-shard file: each message
 * of 8 shards (4 MiB) takes 34 s to cross, longer than download_retry
 * (30 s).  The members see nothing arrive and ask again; their requests
 * reach the backward leader after its fetch has gone unanswered for longer
 * than download_retry, so it asks the server again for everything missing.
 * The server merges that into the stream it is sending: the message on the
 * link is not sent twice, and the WAN carries the file exactly once.  (A
 * second stream per fetch, as before, sent it twice.) */
static void test_leader_fetch_again_merges(void)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.download_retry = 30 * SIM_S;
  TestWorld t;
  one_branch(&t, &p, 52, "10.30.0.0/24", 5, 1e6, NULL);
  TwFetchCount fc;
  tw_count_fetches(&t, &fc);
  guint64 size = 24ull * p.shard_size;
  gint32 a;
  deploy_all(&t, 5 * SIM_MIN, size, "patch.msu", &a);
  sim_run_until(t.sim, 15 * SIM_MIN);
  g_test_message("fetches %u, completed %u in %.1f s", fc.fetches, cs_action_completed(t.w, (guint32) a),
                 sim_time_to_s(cs_action_time_to(t.w, (guint32) a, 1.0)));
  CU_ASSERT(fc.fetches >= 2); /* the leader asked again */
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 5);
  CU_ASSERT_EQUAL(cs_action_wan_bytes(t.w, (guint32) a), size);
  CU_ASSERT_EQUAL(cs_action_bytes_from_server(t.w, (guint32) a), size);
  tw_free(&t);
}

/* test_peer_serves_half's world (one chain of 20), with a 40-shard file for
 * the forward leader (member 19) alone and the request walking `walk`: the
 * completion time, the bytes from the server and from caches, the shards'
 * bytes on the LAN, and the events the run took. */
typedef struct {
  SimTime done;
  guint64 from_server, from_caches, peer_shard_wire, peer_shard_payload;
  guint64 events;
} WalkRun;

#define NO_HOLDER G_MAXUINT32
static WalkRun serve_half(CsWalk walk, guint32 holder)
{
  CsWorldParams p;
  cs_world_params_default(&p);
  p.walk = (guint8) walk;
  TestWorld t;
  guint32 first;
  one_branch(&t, &p, 52, "10.40.0.0/24", 20, 100e6, &first);
  CsPackage pkg = { .size = 40 * 524288ull, .run_time = SIM_S, .name = "tool.zip" };
  CsTarget one = { CS_TARGET_CLIENT, first + 19 }; /* the forward leader */
  gint32 a = cs_world_deploy(t.w, 5 * SIM_MIN, &pkg, &one, 1, NULL);
  sim_run_until(t.sim, 4 * SIM_MIN);
  if (holder != NO_HOLDER)
    cs_world_cache_seed(t.w, first + holder, (guint32) a, 0, 20);
  sim_run_until(t.sim, 10 * SIM_MIN);
  CU_ASSERT_EQUAL(cs_action_completed(t.w, (guint32) a), 1);
  WalkRun r = { cs_action_time_to(t.w, (guint32) a, 1.0), cs_action_bytes_from_server(t.w, (guint32) a),
                cs_action_bytes_from_caches(t.w, (guint32) a), sim_stats_lan_total(t.sim, CS_CLS_SHARD),
                cs_world_peer_bytes(t.w, CS_CLS_SHARD), sim_events_dispatched(t.sim) };
  tw_free(&t);
  return r;
}

/* The forward leader's request turns at once and walks back to the
 * backward leader, 19 hops, on quiet links: nothing else goes that way
 * meanwhile (the deployment's action went the other way before it).  There
 * an express walk is the exact walk: the same instants, the same bytes;
 * only the hops between the members that act are no events.
 * With nobody holding the file, the request is delivered once, to the
 * backward leader (18 events fewer); with a member holding half of it (12,
 * or 2 further back), twice: that member serves its half at the same
 * instant and the backward leader asks the server for the rest at the same
 * instant (17 fewer).
 * (With the requester in the middle of the chain, the two walks differ:
 * going forward, the request follows the action on its way to the chain's
 * end, and each exact hop waits for it to arrive first, 10.8 us later than
 * the express hop, timed when it left, assumes.) */
static void test_express_walk_is_exact_when_quiet(void)
{
  static const guint32 holders[] = { NO_HOLDER, 12, 2 };
  for (guint i = 0; i < G_N_ELEMENTS(holders); i++) {
    WalkRun exact = serve_half(CS_WALK_EXACT, holders[i]), express = serve_half(CS_WALK_EXPRESS, holders[i]);
    g_test_message("holder %d: done at %.9f / %.9f s, events %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT,
                   (int) holders[i], sim_time_to_s(exact.done), sim_time_to_s(express.done), exact.events,
                   express.events);
    CU_ASSERT_EQUAL(express.done, exact.done);
    CU_ASSERT_EQUAL(express.from_caches, holders[i] == NO_HOLDER ? 0 : 20 * 524288ull);
    CU_ASSERT_EQUAL(express.from_caches, exact.from_caches);
    CU_ASSERT_EQUAL(express.from_server, exact.from_server);
    CU_ASSERT_EQUAL(express.peer_shard_wire, exact.peer_shard_wire);
    CU_ASSERT_EQUAL(express.peer_shard_payload, exact.peer_shard_payload);
    CU_ASSERT_EQUAL(exact.events - express.events, holders[i] == NO_HOLDER ? 18 : 17);
  }
}

int main(int argc, char **argv)
{
  CU_TestInfo tests[] = {
    { "WAN shard bytes once per chain; again from caches", test_wan_once_per_chain },
    { "a peer's cache serves half the file", test_peer_serves_half },
    { "a cache smaller than the file", test_small_cache },
    { "a 10 Mbps subnet throttle", test_throttle },
    { "the books count bytes that arrived", test_books_count_arrivals },
    { "a leader's fetch again merges into the server's stream", test_leader_fetch_again_merges },
    { "an express walk is the exact walk on quiet links", test_express_walk_is_exact_when_quiet },
    CU_TEST_INFO_NULL,
  };
  return cs_test_main(argc, argv, "shards", tests);
}
