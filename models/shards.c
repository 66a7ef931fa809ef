/* shards.c — file distribution by shards.
 *
 * The server's manifest cuts a file into shards (default 512 KiB).  A client
 * that needs a file takes what its cache holds and sends a request for the
 * rest that walks forward to the end of the chain, then backward: a peer
 * holding requested shards sends them straight to the requester and strikes
 * them from the request.  What reaches the backward leader still missing, the
 * leader asks the server for (once per chain: it remembers what it already
 * asked for and is waiting on); the server sends it down the leader's
 * connection and it flows forward peer to peer, several shards per message,
 * every member caching what passes.  So each shard crosses the WAN once per
 * chain, not once per endpoint.  Clients without a chain (isolated subnets,
 * peering off) fetch from the server directly.
 *
 * Deviation from the reference, on purpose: the reference has the *first
 * requester* ask the server; here the backward leader does, because it is the
 * member that holds the server connection the shards arrive on, and it sees
 * every request of its chain, so it can ask once for all of them.
 *
 * Caches: each client keeps at most cache_size bytes; eviction takes the
 * least recently used file's shards first, sparing the shards the client pins
 * (one in pin_every, chosen by a hash of (file, shard) against the client's
 * place in its neighbourhood) so that a chain keeps whole files between its
 * members.  Throttles cap the rate and the number of concurrent transfers
 * from servers to all clients or to one subnet.
 *
 * A server answers a fetch with a stream of shard messages, made one at a
 * time as the connection is ready.  It keeps one stream per client: a fetch
 * from a client it is still streaming to on the same connection (asked
 * again, or a leader asking for more) joins that stream, so no shard queued
 * for a client is sent to it twice.  Without that, clients behind a busy
 * zone tunnel, each asking again every download_retry, piled up a stream
 * per retry in the tunnel's queue. */
#include "shards-private.h"
#include "bits.h"
#include <string.h>

/* --- shard sets ------------------------------------------------------------------ */


CsShardSet *cs_shard_set_new(guint32 file, guint32 nbits)
{
  CsShardSet *s = g_malloc0(sizeof(CsShardSet) + cs_bits_bytes(nbits));
  s->file = file;
  s->nbits = nbits;
  return s;
}

CsShardSet *cs_shard_set_copy(const CsShardSet *s)
{
  return g_memdup2(s, sizeof(CsShardSet) + cs_bits_bytes(s->nbits));
}

/* Bitmaps are byte arrays (bit i in byte i / 8, bit i % 8); the loops below
 * read them 64 bits at a time, little-endian, so bit k of word w is shard
 * 64 w + k whatever the host's byte order. */
static inline guint64 word_get(const guint8 *b, gsize nbytes, gsize w)
{
  guint64 v = 0;
  gsize off = w * 8, n = MIN(nbytes - off, 8);
  memcpy(&v, b + off, n);
  return GUINT64_FROM_LE(v);
}

static inline void word_put(guint8 *b, gsize nbytes, gsize w, guint64 v)
{
  v = GUINT64_TO_LE(v);
  gsize off = w * 8;
  memcpy(b + off, &v, MIN(nbytes - off, 8));
}

static inline gsize set_words(guint32 nbits) { return ((gsize) nbits + 63) / 64; }

guint32 cs_shard_set_count(const CsShardSet *s)
{
  guint32 n = 0;
  gsize nb = cs_bits_bytes(s->nbits);
  for (gsize w = 0; w < set_words(s->nbits); w++)
    n += (guint32) __builtin_popcountll(word_get(s->bits, nb, w));
  return n;
}

/* A request and its set in one block: the set is read at every hop of the
 * walk, right after the request. */
static CsShardReq *shard_req_new(guint32 requester, guint32 file, guint32 nbits)
{
  CsShardReq *r = g_malloc0(sizeof(CsShardReq) + sizeof(CsShardSet) + cs_bits_bytes(nbits));
  r->requester = requester;
  r->dir = CS_FWD;
  r->want = (CsShardSet *) (r + 1);
  r->want->file = file;
  r->want->nbits = nbits;
  return r;
}

void cs_shard_req_free(gpointer p)
{
  g_free(p); /* the set is in the same block */
}

void cs_shard_data_free(gpointer p)
{
  CsShardData *d = p;
  if (!d)
    return;
  g_free(d->set);
  g_free(d);
}

CsFile *cs_file_rec(const CsWorld *w, guint32 f) { return &g_array_index(w->shards->files, CsFile, f); }

static guint64 shard_bytes(const CsWorld *w, const CsFile *f, guint32 i)
{
  guint64 sz = w->p.shard_size;
  return i + 1 < f->nshards ? sz : f->size - sz * (f->nshards - 1);
}

static guint64 set_payload(const CsWorld *w, const CsShardSet *s)
{
  /* Every shard is shard_size bytes but the file's last, which may be short. */
  const CsFile *f = cs_file_rec(w, s->file);
  guint64 b = (guint64) cs_shard_set_count(s) * w->p.shard_size;
  guint32 last = f->nshards - 1;
  if (last >= s->first && last - s->first < s->nbits && cs_bit_get(s->bits, last - s->first))
    b -= w->p.shard_size - shard_bytes(w, f, last);
  return b;
}

/* --- caches ------------------------------------------------------------------------ */

static CsCacheEntry *cache_find(CsClient *c, guint32 file)
{
  for (guint i = 0; i < c->ncache; i++)
    if (c->cache[i].file == file)
      return &c->cache[i];
  return NULL;
}

static CsCacheEntry *cache_get(CsWorld *w, CsClient *c, guint32 file)
{
  CsCacheEntry *e = cache_find(c, file);
  if (e)
    return e;
  c->cache = g_renew(CsCacheEntry, c->cache, c->ncache + 1);
  e = &c->cache[c->ncache++];
  memset(e, 0, sizeof *e);
  e->file = file;
  return e;
}

static gboolean pinned(const CsWorld *w, const CsClient *c, guint32 file, guint32 shard)
{
  guint32 k = MAX(w->p.pin_every, 1);
  return sim_mix64((guint64) file << 32 | shard) % k == c->npos % k;
}

/* Evicts one shard, never `keep_shard` of `keep_file`; FALSE if nothing can go. */
static gboolean evict_one(CsWorld *w, CsClient *c, guint32 keep_file, guint32 keep_shard)
{
  for (int pass = 0; pass < 2; pass++) {
    /* Pass 0 spares pinned shards; pass 1 takes them too. */
    guint64 tried[4] = { 0 }; /* a bit per entry (ncache < 256); was 1 KB to clear per call */
    for (;;) {
      CsCacheEntry *victim = NULL;
      guint vi = 0;
      for (guint i = 0; i < c->ncache; i++)
        if (!(tried[i >> 6] >> (i & 63) & 1) && c->cache[i].held && (!victim || c->cache[i].stamp < victim->stamp)) {
          victim = &c->cache[i];
          vi = i;
        }
      if (!victim)
        break;
      tried[vi >> 6] |= G_GUINT64_CONSTANT(1) << (vi & 63);
      const CsFile *f = cs_file_rec(w, victim->file);
      /* Lowest index first, resuming where the last eviction stopped: what
       * lies below the cursor is not held (or, in pass 0, pinned), so each
       * shard is looked at about once per stay in the cache. */
      for (guint32 s = victim->scan[pass]; s < f->nshards; s++) {
        gboolean held = cs_bit_get(victim->bits, s);
        gboolean kept = victim->file == keep_file && s == keep_shard;
        if (!held || (pass == 0 && pinned(w, c, victim->file, s))) {
          if (s == victim->scan[pass])
            victim->scan[pass] = s + 1;
          continue;
        }
        if (kept)
          continue;
        cs_bit_clear(victim->bits, s);
        if (--victim->held == 0) {
          g_free(victim->bits); /* all clear: held again, it starts afresh */
          victim->bits = NULL;
        }
        c->cache_bytes -= shard_bytes(w, f, s);
        w->shards->evictions++;
        if (s == victim->scan[pass])
          victim->scan[pass] = s + 1;
        return TRUE;
      }
    }
  }
  return FALSE;
}

/* Caches one shard (evicting others to make room) and returns the file's
 * entry, which exists from then on even if the shard could not be kept. */
static CsCacheEntry *cache_put(CsWorld *w, CsClient *c, guint32 file, guint32 shard)
{
  CsCacheEntry *e = cache_get(w, c, file);
  e->stamp = ++w->shards->stamp;
  if (e->bits && cs_bit_get(e->bits, shard))
    return e;
  guint64 b = shard_bytes(w, cs_file_rec(w, file), shard);
  if (b > w->p.cache_size)
    return e;
  while (c->cache_bytes + b > w->p.cache_size)
    if (!evict_one(w, c, file, shard))
      return e; /* evict_one does not move or remove entries */
  if (!e->bits)
    e->bits = g_malloc0(cs_bits_bytes(cs_file_rec(w, file)->nshards));
  cs_bit_set(e->bits, shard);
  e->scan[0] = MIN(e->scan[0], shard);
  e->scan[1] = MIN(e->scan[1], shard);
  e->held++;
  c->cache_bytes += b;
  w->shards->cache_peak = MAX(w->shards->cache_peak, c->cache_bytes);
  return e;
}

void cs_shards_client_reset(CsClient *c)
{
  for (guint i = 0; i < c->ncache; i++) {
    g_free(c->cache[i].bits);
    g_free(c->cache[i].pending);
  }
  g_free(c->cache);
  c->cache = NULL;
  c->ncache = 0;
  c->cache_bytes = 0;
  cs_runset_free(c->dl_got);
  c->dl_got = NULL;
  c->dl_action = CS_NONE;
  c->dl_have = 0;
  c->a_waiting = 0;
  for (guint i = 0; i < c->nsends; i++)
    cs_shard_data_free(c->sends[i].data);
  g_free(c->sends);
  c->sends = NULL;
  c->nsends = 0;
  c->fetch_conn = 0;
  cs_shard_req_free(c->fetch_req);
  c->fetch_req = NULL;
}

/* --- sending --------------------------------------------------------------------------- */

static guint32 me(CsWorld *w, CsClient *c) { return sim_node_local(w->sim, c->node); }

static SimMsg *msg(CsWorld *w, CsMsgType type, SimClass cls, guint64 size, gpointer blob, GDestroyNotify fr)
{
  SimMsg *m = sim_msg_new(w->sim);
  m->type = type;
  m->cls = (guint8) cls;
  m->size = size;
  m->blob = blob;
  m->blob_free = fr;
  return m;
}

static guint64 req_size(const CsWorld *w, const CsShardReq *r)
{
  return 120 + cs_bits_bytes(r->want->nbits);
}

static gboolean side_open(CsWorld *w, CsClient *c, int side, int kind)
{
  return c->cur_kind[side] == kind && sim_conn_is_open(w->sim, c->cur[side]);
}

/* Sends shards straight to a requester over a new connection. */
static void send_direct(CsWorld *w, CsClient *c, guint32 requester, CsShardSet *set)
{
  CsShardData *d = g_new0(CsShardData, 1);
  d->set = set;
  SimNodeId to = cs_world_client_node(w, requester);
  SimConnId conn = sim_connect(w->sim, c->node, sim_node_addr(w->sim, to), CS_PORT_CLIENT, CS_CLS_SHARD, w->p.tls_peers);
  c->sends = g_renew(CsSend, c->sends, c->nsends + 1);
  c->sends[c->nsends].conn = conn;
  c->sends[c->nsends].data = d;
  c->nsends++;
}

static void drop_send(CsClient *c, guint i)
{
  c->sends[i] = c->sends[--c->nsends];
}

static void direct_fetch(CsWorld *w, CsClient *c, CsShardReq *req)
{
  req->flow = 0;
  if (side_open(w, c, CS_FWD, CS_SIDE_SERVER)) {
    /* Peering off: the client's own server connection carries it. */
    cs_client_send(w, c, c->cur[CS_FWD], msg(w, CS_MSG_SHARD_FETCH, CS_CLS_SHARD, req_size(w, req), req, cs_shard_req_free));
    return;
  }
  if (c->fetch_conn) {
    cs_shard_req_free(c->fetch_req); /* a newer view of what is missing */
    c->fetch_req = req;
    return;
  }
  c->fetch_req = req;
  c->fetch_conn = sim_connect(w->sim, c->node, sim_node_addr(w->sim, cs_client_server_node(w, c)), CS_PORT_CLIENT,
                              CS_CLS_SHARD, cs_client_server_tls(w, c));
}

/* Asking again backs off.  The wait after an ask is download_retry when
 * the client has seen progress since its previous ask (step 0); after the
 * k-th ask in a row without progress it is download_retry x 2^k, at most
 * download_retry_max, times a jitter uniform in [0.9, 1.1] drawn from the
 * client's own random stream.  Progress resets the step. */
static SimTime retry_wait(CsWorld *w, const CsClient *c, guint8 step)
{
  SimTime d = w->p.download_retry;
  if (step == 0)
    return d;
  SimTime cap = MAX(w->p.download_retry_max, d);
  for (guint8 k = 0; k < step && d < cap; k++)
    d *= 2;
  d = MIN(d, cap);
  return sim_rng_range(sim_node_rng(w->sim, c->node), d - d / 10, d + d / 10);
}

/* The backward leader asks the server for what nobody in the chain had,
 * minus what it already asked for and is still waiting on.  Nothing of it
 * arrived within the wait (retry_wait, the leader's own steps): it asks
 * again for everything missing and waits longer. */
static void leader_fetch(CsWorld *w, CsClient *c, CsShardReq *req)
{
  CsCacheEntry *e = cache_get(w, c, req->want->file);
  guint32 n = req->want->nbits;
  SimTime now = sim_now(w->sim);
  CsPending *p = e->pending;
  if (!p) {
    p = e->pending = g_malloc0(sizeof(CsPending) + cs_bits_bytes(n));
  } else if (now > p->until) {
    memset(p->bits, 0, cs_bits_bytes(n));
    p->asks = (guint8) MIN(p->asks + 1, 63);
  }
  gboolean any = FALSE;
  for (gsize i = 0; i < cs_bits_bytes(n); i++) {
    guint8 ask = req->want->bits[i] & (guint8) ~p->bits[i] & (guint8) ~(e->bits ? e->bits[i] : 0);
    req->want->bits[i] = ask;
    p->bits[i] |= ask;
    any |= ask != 0;
  }
  if (!any) {
    cs_shard_req_free(req);
    return;
  }
  p->until = now + retry_wait(w, c, p->asks);
  req->flow = 1;
  cs_client_send(w, c, c->cur[CS_BACK], msg(w, CS_MSG_SHARD_FETCH, CS_CLS_SHARD, req_size(w, req), req, cs_shard_req_free));
}

/* The connection a request at client c moves on by: forward while there is
 * a peer ahead, then (turning it at the chain's end) backward; 0 when none
 * (c is the backward leader, or alone, or its chain is in repair). */
static SimConnId walk_on(CsWorld *w, CsClient *c, CsShardReq *req)
{
  if (req->dir == CS_FWD) {
    if (side_open(w, c, CS_FWD, CS_SIDE_PEER))
      return c->cur[CS_FWD];
    req->dir = CS_BACK; /* the end of the chain: turn around */
  }
  return side_open(w, c, CS_BACK, CS_SIDE_PEER) ? c->cur[CS_BACK] : 0;
}

/* Whether client c would serve some of the request from its cache. */
static gboolean would_serve(CsWorld *w, CsClient *c, const CsShardReq *req)
{
  if (req->requester == me(w, c))
    return FALSE;
  const CsCacheEntry *e = cache_find(c, req->want->file);
  if (!e || !e->held)
    return FALSE;
  gsize nb = cs_bits_bytes(req->want->nbits);
  for (gsize i = 0; i < set_words(req->want->nbits); i++)
    if (word_get(req->want->bits, nb, i) & word_get(e->bits, nb, i))
      return TRUE;
  return FALSE;
}

static SimMsg *req_msg(CsWorld *w, CsShardReq *req)
{
  return msg(w, CS_MSG_SHARD_REQ, CS_CLS_SHARD, req_size(w, req), req, cs_shard_req_free);
}

/* Express walks (walk = "express", the default).  A request leaving client
 * c on conn is followed ahead, within this event, past the members that
 * would only pass it on: each hop's bytes are booked and its arrival taken
 * from the links as they are now (sim_send_unheard), and each member's cache
 * and chain sides are read as they are now.  It is delivered (one event) to
 * the first member that will act on it, at the time it reaches it: one that
 * holds some of it, the backward leader (which asks the server), a member
 * whose next hop cannot send it at once (a connection busy with shards or
 * closing: it waits there as it would), or the member after
 * CS_EXPRESS_HOPS hops.  The hop-by-hop walk (walk = "exact") delivers it at
 * every member.  What a planner reads was measured within 1 % of the exact
 * walk (bench/RESULTS.md); what differs: a member the request passes reads
 * its cache when the request leaves c rather than when it would arrive (tens
 * of ms earlier along a long chain), and the statistics' small-message load
 * takes the hops' bytes at that moment. */
#define CS_EXPRESS_HOPS 4096

static void express_walk(CsWorld *w, CsClient *c, SimConnId conn, CsShardReq *req)
{
  guint64 size = req_size(w, req);
  if (!sim_send_ready(w->sim, conn, c->node, size)) {
    cs_client_send(w, c, conn, req_msg(w, req)); /* it waits in c's queue */
    return;
  }
  CsClient *at = c;
  SimTime t = sim_now(w->sim);
  for (guint hops = 1;; hops++) {
    guint32 mi = cs_world_node_client(w, sim_conn_peer(w->sim, conn, at->node));
    CsClient *m = mi == CS_NONE ? NULL : cs_client_rec(w, mi);
    SimConnId next = 0;
    if (m && hops < CS_EXPRESS_HOPS && !would_serve(w, m, req)) {
      guint8 dir = req->dir;
      next = walk_on(w, m, req);
      if (next && !sim_send_ready(w->sim, next, m->node, size)) {
        next = 0;
        req->dir = dir; /* m turns it itself, when it gets it */
      }
    }
    cs_client_book_peer(w, conn, at->node, CS_CLS_SHARD, size);
    if (!next) {
      sim_send_ahead(w->sim, conn, at->node, req_msg(w, req), t);
      return;
    }
    t = sim_send_unheard(w->sim, conn, at->node, size, CS_CLS_SHARD, t);
    if (t < 0) {
      cs_shard_req_free(req); /* lost on the way: the requester asks again later */
      return;
    }
    at = m;
    conn = next;
  }
}

/* Moves a request on from client c: forward while it can, then backward,
 * then to the server through the backward leader. */
static void route_request(CsWorld *w, CsClient *c, CsShardReq *req)
{
  SimConnId next = walk_on(w, c, req);
  if (next) {
    if (w->p.walk == CS_WALK_EXPRESS)
      express_walk(w, c, next, req);
    else
      cs_client_send(w, c, next, req_msg(w, req));
    return;
  }
  if (side_open(w, c, CS_BACK, CS_SIDE_SERVER)) {
    leader_fetch(w, c, req);
    return;
  }
  if (req->requester == me(w, c) && !cs_client_peers(w, c)) {
    direct_fetch(w, c, req);
    return;
  }
  cs_shard_req_free(req); /* a chain in repair: the requester asks again later */
}

/* --- downloads ------------------------------------------------------------------------- */

static void complete(CsWorld *w, CsClient *c);

static void request_missing(CsWorld *w, CsClient *c)
{
  CsAction *a = &g_array_index(w->actions, CsAction, c->dl_action);
  const CsFile *f = cs_file_rec(w, a->file);
  CsShardReq *req = shard_req_new(me(w, c), a->file, f->nshards);
  cs_runset_mark_missing(c->dl_got, req->want->bits);
  sim_timer_cancel(w->sim, c->dl_timer);
  c->dl_timer = sim_timer_start(w->sim, c->node, retry_wait(w, c, c->dl_backoff), CS_TAG_DL_RETRY, 0);
  c->dl_have_asked = c->dl_have;
  route_request(w, c, req);
}

static void start(CsWorld *w, CsClient *c, guint32 action)
{
  CsAction *a = &g_array_index(w->actions, CsAction, action);
  const CsFile *f = cs_file_rec(w, a->file);
  c->dl_action = action;
  c->dl_got = cs_runset_new(f->nshards);
  c->dl_have = 0;
  c->dl_backoff = 0;
  CsCacheEntry *e = cache_find(c, a->file);
  if (e) {
    e->stamp = ++w->shards->stamp;
    for (guint32 i = 0; e->held && i < f->nshards; i++)
      if (cs_bit_get(e->bits, i)) {
        cs_runset_add(&c->dl_got, i);
        c->dl_have++;
      }
  }
  if (c->dl_have == f->nshards)
    complete(w, c);
  else
    request_missing(w, c);
}

static void complete(CsWorld *w, CsClient *c)
{
  guint32 a = c->dl_action;
  cs_runset_free(c->dl_got);
  c->dl_got = NULL;
  c->dl_action = CS_NONE;
  sim_timer_cancel(w->sim, c->dl_timer);
  c->dl_timer = 0;
  if (c->fetch_conn) {
    sim_close(w->sim, c->fetch_conn, c->node);
    c->fetch_conn = 0;
  }
  cs_client_run_action(w, c, a);
  if (c->a_waiting) {
    guint32 next = (guint32) __builtin_ctzll(c->a_waiting);
    c->a_waiting &= ~(G_GUINT64_CONSTANT(1) << next);
    start(w, c, next);
  }
}

void cs_shards_want(CsWorld *w, CsClient *c, guint32 action)
{
  if (c->dl_action != CS_NONE) {
    c->a_waiting |= G_GUINT64_CONSTANT(1) << action;
    return;
  }
  start(w, c, action);
}

void cs_shards_retry(CsWorld *w, CsClient *c)
{
  if (c->dl_action == CS_NONE)
    return;
  if (c->dl_have > c->dl_have_asked) {
    /* Shards are still coming (a slow link may carry the file for a long
     * while): asking again would only fetch a second copy. */
    c->dl_have_asked = c->dl_have; /* (the step was reset as they came) */
    c->dl_timer = sim_timer_start(w->sim, c->node, w->p.download_retry, CS_TAG_DL_RETRY, 0);
    return;
  }
  c->dl_backoff = (guint8) MIN(c->dl_backoff + 1, 63); /* nothing came: wait longer after this ask */
  request_missing(w, c);
}

void cs_shards_on_request(CsWorld *w, CsClient *c, CsShardReq *req)
{
  if (req->requester != me(w, c)) {
    /* Serve what this cache holds and strike it from the request. */
    CsCacheEntry *e = cache_find(c, req->want->file);
    if (e && e->held) {
      CsShardSet *have = cs_shard_set_new(req->want->file, req->want->nbits);
      guint64 any = 0, left = 0;
      gsize nb = cs_bits_bytes(req->want->nbits);
      for (gsize i = 0; i < set_words(req->want->nbits); i++) {
        guint64 want = word_get(req->want->bits, nb, i), give = want & word_get(e->bits, nb, i);
        word_put(have->bits, nb, i, give);
        word_put(req->want->bits, nb, i, want & ~give);
        any |= give;
        left |= want & ~give;
      }
      if (any) {
        e->stamp = ++w->shards->stamp;
        send_direct(w, c, req->requester, have);
      } else {
        g_free(have);
      }
      if (!left) {
        cs_shard_req_free(req);
        return;
      }
    }
  }
  route_request(w, c, req);
}

void cs_shards_on_data(CsWorld *w, CsClient *c, CsShardData *d)
{
  CsShardSet *s = d->set;
  CsFile *f = cs_file_rec(w, s->file);
  /* The books count what arrived, not what was sent: a transfer cut short by
   * the end of the run or a broken connection moved only part of its bytes. */
  guint64 bytes = set_payload(w, s);
  if (d->from == CS_FROM_SERVER || d->from == CS_FROM_SERVER_WAN)
    f->bytes.server += bytes;
  else
    f->bytes.peers += bytes;
  if (d->from == CS_FROM_SERVER_WAN)
    f->bytes.wan += bytes;
  if (d->from == CS_FROM_CACHE)
    f->bytes.caches += bytes;
  /* Cache the shards in order, one by one (each use stamps the
   * entry; a full cache evicts before taking the next). */
  CsCacheEntry *e = NULL;
  gsize nb = cs_bits_bytes(s->nbits);
  for (gsize wi = 0; wi < set_words(s->nbits); wi++)
    for (guint64 bits = word_get(s->bits, nb, wi); bits; bits &= bits - 1) {
      guint32 i = s->first + (guint32) (wi * 64 + (guint) __builtin_ctzll(bits));
      e = cache_put(w, c, s->file, i);
      if (e->pending) {
        /* The fetch is progressing: keep waiting for it, download_retry
         * from now, and back off from the start again. */
        cs_bit_clear(e->pending->bits, i);
        e->pending->until = sim_now(w->sim) + w->p.download_retry;
        e->pending->asks = 0;
      }
    }
  if (d->flow && side_open(w, c, CS_FWD, CS_SIDE_PEER)) {
    /* Pass it on down the chain, a store-and-forward hop. */
    CsShardData *fwd = g_new0(CsShardData, 1);
    fwd->flow = 1;
    fwd->set = cs_shard_set_copy(s);
    cs_client_send(w, c, c->cur[CS_FWD], msg(w, CS_MSG_SHARDS, CS_CLS_SHARD, bytes, fwd, cs_shard_data_free));
  }
  if (c->dl_action == CS_NONE)
    return;
  CsAction *a = &g_array_index(w->actions, CsAction, c->dl_action);
  if (a->file != s->file)
    return;
  guint32 had = c->dl_have;
  for (gsize wi = 0; wi < set_words(s->nbits); wi++)
    for (guint64 bits = word_get(s->bits, nb, wi); bits; bits &= bits - 1) {
      guint32 i = s->first + (guint32) (wi * 64 + (guint) __builtin_ctzll(bits));
      if (cs_runset_add(&c->dl_got, i))
        c->dl_have++;
    }
  if (c->dl_have == f->nshards) {
    complete(w, c);
  } else if (c->dl_have > had && c->dl_backoff) {
    /* Progress after asks without it: the long wait is over.  The client
     * looks again download_retry from now, as it does while shards come:
     * it asks only after a whole wait without any. */
    c->dl_backoff = 0;
    sim_timer_cancel(w->sim, c->dl_timer);
    c->dl_timer = sim_timer_start(w->sim, c->node, w->p.download_retry, CS_TAG_DL_RETRY, 0);
  }
}

gboolean cs_shards_connected(CsWorld *w, CsClient *c, SimConnId conn)
{
  if (conn && conn == c->fetch_conn) {
    CsShardReq *req = c->fetch_req;
    c->fetch_req = NULL;
    if (req)
      cs_client_send(w, c, conn, msg(w, CS_MSG_SHARD_FETCH, CS_CLS_SHARD, req_size(w, req), req, cs_shard_req_free));
    return TRUE;
  }
  for (guint i = 0; i < c->nsends; i++) {
    if (c->sends[i].conn != conn)
      continue;
    CsShardData *d = c->sends[i].data;
    drop_send(c, i);
    guint64 bytes = set_payload(w, d->set);
    d->from = CS_FROM_CACHE;
    cs_client_send(w, c, conn, msg(w, CS_MSG_SHARDS, CS_CLS_SHARD, bytes, d, cs_shard_data_free));
    sim_close(w->sim, conn, c->node); /* after the data, graceful */
    return TRUE;
  }
  return FALSE;
}

gboolean cs_shards_conn_gone(CsWorld *w, CsClient *c, SimConnId conn)
{
  if (conn && conn == c->fetch_conn) {
    c->fetch_conn = 0;
    cs_shard_req_free(c->fetch_req);
    c->fetch_req = NULL;
    return TRUE;
  }
  for (guint i = 0; i < c->nsends; i++)
    if (c->sends[i].conn == conn) {
      cs_shard_data_free(c->sends[i].data);
      drop_send(c, i);
      return TRUE;
    }
  return FALSE;
}

/* --- the server side -------------------------------------------------------------------- */

static CsThrottle *subnet_throttle(CsWorld *w, guint32 subnet)
{
  if (subnet >= w->shards->throttle_subnet->len)
    return NULL;
  CsThrottle *t = &g_array_index(w->shards->throttle_subnet, CsThrottle, subnet);
  return t->bps > 0 || t->concurrent > 0 ? t : NULL;
}

static guint32 *subnet_active(CsWorld *w, guint32 subnet)
{
  if (w->shards->throttle_active->len <= subnet)
    g_array_set_size(w->shards->throttle_active, subnet + 1);
  return &g_array_index(w->shards->throttle_active, guint32, subnet);
}

static gboolean subnet_slot_free(CsWorld *w, guint32 subnet)
{
  CsThrottle *t = subnet_throttle(w, subnet);
  return !(t && t->concurrent && *subnet_active(w, subnet) >= t->concurrent);
}

static gboolean global_slot_free(CsWorld *w)
{
  return !(w->shards->throttle_all.concurrent && w->shards->active_all >= w->shards->throttle_all.concurrent);
}

static gboolean slot_free(CsWorld *w, guint32 subnet) { return global_slot_free(w) && subnet_slot_free(w, subnet); }

/* The rate cap of one transfer: each throttle's rate shared by its slots. */
static double transfer_cap(CsWorld *w, guint32 subnet)
{
  double cap = 0;
  CsThrottle *ts[2] = { &w->shards->throttle_all, subnet_throttle(w, subnet) };
  for (int i = 0; i < 2; i++) {
    if (!ts[i] || ts[i]->bps <= 0)
      continue;
    double c = ts[i]->bps / MAX(ts[i]->concurrent, 1u);
    cap = cap > 0 ? MIN(cap, c) : c;
  }
  return cap;
}

/* A server's answer to one request: the wanted shards in chunks of up to
 * `per`, each chunk a message made when the connection is ready for it (a
 * 1 GB file down a 20 Mbps link would otherwise wait in memory as 2,000
 * messages for twenty minutes). */
typedef struct {
  CsWorld *w;
  CsShardReq *req;
  SimConnId conn;          /* the connection it is queued on */
  guint8 *sent;            /* after a merge: the shards handed to the
                            * connection so far (NULL before: those below next) */
  guint32 next;            /* first shard index not yet sent */
  guint32 per;
  guint32 client;
  guint8 from;             /* CS_FROM_SERVER or CS_FROM_SERVER_WAN */
  double cap;              /* rate cap (throttles), 0 = none */
} ServeStream;

static gpointer client_key(guint32 client) { return GUINT_TO_POINTER(client + 1); }

static void serve_stream_free(gpointer p)
{
  ServeStream *st = p;
  if (g_hash_table_lookup(st->w->shards->serving, client_key(st->client)) == st)
    g_hash_table_remove(st->w->shards->serving, client_key(st->client));
  cs_shard_req_free(st->req);
  g_free(st->sent);
  g_free(st);
}

static SimMsg *serve_stream_next(Sim *sim, gpointer p)
{
  ServeStream *st = p;
  const CsShardSet *want = st->req->want;
  guint32 n = want->nbits, i = st->next;
  /* The next chunk: up to `per` wanted shards, as a set over just their range. */
  while (i < n && !cs_bit_get(want->bits, i))
    i++;
  if (i >= n)
    return NULL;
  guint32 a = i, k = 0, b = i;
  for (; i < n && k < st->per; i++)
    if (cs_bit_get(want->bits, i)) {
      k++;
      b = i;
    }
  st->next = i;
  CsShardSet *chunk = g_malloc0(sizeof(CsShardSet) + cs_bits_bytes(b - a + 1));
  chunk->file = want->file;
  chunk->first = a;
  chunk->nbits = b - a + 1;
  for (guint32 j = a; j <= b; j++)
    if (cs_bit_get(want->bits, j)) {
      cs_bit_set(chunk->bits, j - a);
      if (st->sent)
        cs_bit_set(st->sent, j);
    }
  CsShardData *d = g_new0(CsShardData, 1);
  d->flow = st->req->flow;
  d->from = st->from;
  d->set = chunk;
  SimMsg *m = msg(st->w, CS_MSG_SHARDS, CS_CLS_SHARD, set_payload(st->w, chunk), d, cs_shard_data_free);
  m->max_bps = st->cap;
  m->u = st->client; /* a zone server relays by it */
  return m;
}

/* Holds a throttle slot until `bytes` to `to` should be through: at the
 * transfer's cap, or at the path's slowest link when only the count is
 * limited. */
static void hold_slot(CsWorld *w, SimNodeId server, SimNodeId to, guint32 subnet, double cap, guint64 bytes)
{
  double bps = cap;
  if (bps <= 0) {
    guint32 dl[16];
    int hops = sim_path(w->sim, server, to, dl, 16);
    bps = 1e12;
    for (int k = 0; k < hops; k++)
      bps = MIN(bps, sim_link_bps(w->sim, dl[k] >> 1));
  }
  (*subnet_active(w, subnet))++;
  w->shards->active_all++;
  SimTime hold = sim_time_ceil(floor((double) bytes * 8e9 / bps));
  sim_timer_start(w->sim, server, hold, CS_STAG_THROTTLE, subnet);
}

/* A fetch from a client the server is still streaming shards to on the same
 * connection (a client that saw nothing arrive for download_retry asks
 * again; a leader asks for more): the shards it asks for that the stream has
 * not handed to the connection yet join the stream's, and the stream sends
 * them in order, each once, in its place in the connection's queue.  What it
 * has handed over is on its way (a connection that breaks takes the stream
 * with it), so it is not sent again.  Returns the bytes the fetch adds. */
static guint64 serve_merge(CsWorld *w, ServeStream *st, CsShardReq *req)
{
  CsShardSet *want = st->req->want;
  const CsFile *f = cs_file_rec(w, want->file);
  guint32 n = want->nbits;
  if (!st->sent) {
    st->sent = g_malloc0(cs_bits_bytes(n));
    for (guint32 i = 0; i < st->next; i++)
      if (cs_bit_get(want->bits, i))
        cs_bit_set(st->sent, i);
  }
  guint64 added = 0;
  for (guint32 i = 0; i < n; i++) {
    gboolean due = i >= st->next && cs_bit_get(want->bits, i);
    gboolean ask = cs_bit_get(req->want->bits, i) && !cs_bit_get(st->sent, i);
    if (ask && !due)
      added += shard_bytes(w, f, i);
    if (due || ask)
      cs_bit_set(want->bits, i);
    else
      cs_bit_clear(want->bits, i);
  }
  st->next = 0;
  cs_shard_req_free(req);
  return added;
}

static void serve_now(CsWorld *w, SimNodeId server, SimConnId conn, guint32 client, CsShardReq *req)
{
  if (!sim_conn_is_open(w->sim, conn)) {
    cs_shard_req_free(req);
    return;
  }
  SimNodeId to = cs_world_client_node(w, client);
  guint32 subnet = sim_node_subnet(w->sim, to);
  gboolean throttled = w->shards->throttle_all.bps > 0 || w->shards->throttle_all.concurrent > 0 || subnet_throttle(w, subnet);
  double cap = transfer_cap(w, subnet);
  ServeStream *st = g_hash_table_lookup(w->shards->serving, client_key(client));
  if (st && st->conn == conn && st->req->want->file == req->want->file && st->req->flow == req->flow) {
    guint64 added = serve_merge(w, st, req);
    if (throttled && added > 0)
      hold_slot(w, server, to, subnet, cap, added);
    return;
  }
  gboolean wan = sim_node_site(w->sim, to) != sim_node_site(w->sim, server);
  /* Along a chain every hop stores and forwards a message, so messages stay
   * small there; a client without a chain gets larger ones (fewer messages
   * waiting in the server's queues, same bytes). */
  st = g_new0(ServeStream, 1);
  st->w = w;
  st->req = req;
  st->conn = conn;
  st->per = MAX(req->flow ? w->p.shards_per_message : w->p.direct_shards_per_message, 1);
  st->client = client;
  st->from = wan ? CS_FROM_SERVER_WAN : CS_FROM_SERVER;
  st->cap = cap;
  guint64 total = set_payload(w, req->want); /* what the chunks will carry, together */
  g_hash_table_insert(w->shards->serving, client_key(client), st); /* the newest stream to the client */
  sim_send_stream(w->sim, conn, server, serve_stream_next, st, serve_stream_free);
  if (throttled && total > 0)
    hold_slot(w, server, to, subnet, cap, total);
}

/* --- fetches waiting for a throttle slot ----------------------------------------------
 *
 * Waiting fetches start in arrival order as slots allow: the first to arrive
 * whose subnet has a slot goes first, while the global throttle has one.
 * Each subnet keeps its own line, and the kernel's indexed heap (iheap.h)
 * holds the subnets whose first fetch could start but for the global slot,
 * by that fetch's arrival, so a freed slot starts the right fetch in
 * O(log subnets) instead of a walk over every fetch waiting (which made a throttled run of 64,000 isolated clients
 * take 38 s; it takes 7 now).  A line's first fetch could start exactly when
 * every fetch behind it could, so only first fetches need to be in order. */

static CsFetchLine *fetch_line(CsWorld *w, guint32 subnet)
{
  if (w->shards->fetch_lines->len <= subnet)
    g_array_set_size(w->shards->fetch_lines, subnet + 1);
  return &g_array_index(w->shards->fetch_lines, CsFetchLine, subnet);
}

static CsQueuedFetch *fetch_rec(CsWorld *w, guint32 ref) { return &g_array_index(w->shards->fetch_queue, CsQueuedFetch, ref - 1); }

/* Puts a subnet with waiting fetches in the heap if its first could start
 * but for the global slot. */
static void line_check(CsWorld *w, guint32 subnet)
{
  CsFetchLine *l = fetch_line(w, subnet);
  if (l->head && !sim_iheap_contains(&w->shards->fetch_ready, subnet) && subnet_slot_free(w, subnet))
    sim_iheap_set(&w->shards->fetch_ready, subnet, 0, fetch_rec(w, l->head)->seq);
}

static void fetch_wait(CsWorld *w, guint32 subnet, CsQueuedFetch q)
{
  guint32 ref;
  if (w->shards->fetch_free->len) {
    ref = g_array_index(w->shards->fetch_free, guint32, w->shards->fetch_free->len - 1);
    g_array_set_size(w->shards->fetch_free, w->shards->fetch_free->len - 1);
  } else {
    g_array_set_size(w->shards->fetch_queue, w->shards->fetch_queue->len + 1);
    ref = w->shards->fetch_queue->len;
  }
  q.seq = w->shards->fetch_seq++;
  q.next = 0;
  *fetch_rec(w, ref) = q;
  CsFetchLine *l = fetch_line(w, subnet);
  if (l->tail)
    fetch_rec(w, l->tail)->next = ref;
  else
    l->head = ref;
  l->tail = ref;
  line_check(w, subnet);
}

/* Starts waiting fetches, earliest first, while slots allow. */
static void fetch_drain(CsWorld *w)
{
  const SimEvqEntry *top;
  while ((top = sim_iheap_top(&w->shards->fetch_ready)) && global_slot_free(w)) {
    guint32 subnet = sim_iheap_id(top);
    sim_iheap_remove(&w->shards->fetch_ready, subnet);
    if (!subnet_slot_free(w, subnet))
      continue; /* full since it was put in: back when a slot frees */
    CsFetchLine *l = fetch_line(w, subnet);
    guint32 ref = l->head;
    CsQueuedFetch q = *fetch_rec(w, ref);
    l->head = q.next;
    if (!l->head)
      l->tail = 0;
    g_array_append_val(w->shards->fetch_free, ref);
    serve_now(w, q.server, q.conn, q.client, q.req);
    line_check(w, subnet); /* its next fetch, if the subnet still has a slot */
  }
}

void cs_shards_serve(CsWorld *w, SimNodeId server, SimConnId conn, guint32 client, CsShardReq *req)
{
  guint32 subnet = sim_node_subnet(w->sim, cs_world_client_node(w, client));
  if (!slot_free(w, subnet)) {
    CsQueuedFetch q = { server, conn, client, req, 0, 0 };
    fetch_wait(w, subnet, q);
    return;
  }
  serve_now(w, server, conn, client, req);
}

void cs_shards_throttle_done(CsWorld *w, SimNodeId server, guint64 subnet)
{
  guint32 *active = subnet_active(w, (guint32) subnet);
  if (*active)
    (*active)--;
  if (w->shards->active_all)
    w->shards->active_all--;
  line_check(w, (guint32) subnet);
  fetch_drain(w);
}

CsShards *cs_shards_new(CsWorld *w)
{
  CsShards *sh = g_new0(CsShards, 1);
  sh->files = g_array_new(FALSE, TRUE, sizeof(CsFile));
  sh->throttle_subnet = g_array_new(FALSE, TRUE, sizeof(CsThrottle));
  sh->throttle_active = g_array_new(FALSE, TRUE, sizeof(guint32));
  sh->fetch_queue = g_array_new(FALSE, FALSE, sizeof(CsQueuedFetch));
  sh->fetch_free = g_array_new(FALSE, FALSE, sizeof(guint32));
  sh->fetch_lines = g_array_new(FALSE, TRUE, sizeof(CsFetchLine));
  sim_iheap_init(&sh->fetch_ready);
  sh->serving = g_hash_table_new(g_direct_hash, g_direct_equal);
  return sh;
}

void cs_shards_free(CsWorld *w)
{
  if (!w->shards)
    return;
  for (guint s = 0; s < w->shards->fetch_lines->len; s++)
    for (guint32 ref = fetch_line(w, s)->head; ref; ref = fetch_rec(w, ref)->next)
      cs_shard_req_free(fetch_rec(w, ref)->req);
  g_array_free(w->shards->fetch_queue, TRUE);
  g_array_free(w->shards->fetch_free, TRUE);
  g_array_free(w->shards->fetch_lines, TRUE);
  sim_iheap_clear(&w->shards->fetch_ready);
  g_hash_table_destroy(w->shards->serving); /* empty: sim_free released the streams */
  for (guint i = 0; i < w->shards->files->len; i++)
    g_free(cs_file_rec(w, i)->name);
  g_array_free(w->shards->files, TRUE);
  g_array_free(w->shards->throttle_subnet, TRUE);
  g_array_free(w->shards->throttle_active, TRUE);
  g_free(w->shards);
  w->shards = NULL;
}

guint32 cs_shards_file_for(CsWorld *w, const char *name, guint64 size)
{
  guint32 file = CS_NONE;
  for (guint i = 0; size > 0 && name && i < w->shards->files->len; i++) {
    CsFile *f = cs_file_rec(w, i);
    if (f->name && g_str_equal(f->name, name) && f->size == size)
      file = i; /* the same file again: its manifest and shards */
  }
  if (size > 0 && file == CS_NONE) {
    /* The server's manifest: the file cut into shards. */
    CsFile f = { 0 };
    f.name = g_strdup(name);
    f.size = size;
    f.nshards = (guint32) ((size + w->p.shard_size - 1) / w->p.shard_size);
    g_array_append_val(w->shards->files, f);
    file = w->shards->files->len - 1;
  }
  return file;
}

guint32 cs_world_file_count(const CsWorld *w) { return w->shards->files->len; }

void cs_world_throttle(CsWorld *w, gboolean all, guint32 subnet, double bps, guint32 concurrent)
{
  CsThrottle t = { bps, concurrent };
  if (all) {
    w->shards->throttle_all = t;
    return;
  }
  if (w->shards->throttle_subnet->len <= subnet)
    g_array_set_size(w->shards->throttle_subnet, subnet + 1);
  g_array_index(w->shards->throttle_subnet, CsThrottle, subnet) = t;
}

void cs_world_throttle_of(const CsWorld *w, gboolean all, guint32 subnet, double *bps,
                          guint32 *concurrent)
{
  CsThrottle t = { 0, 0 };
  if (all)
    t = w->shards->throttle_all;
  else if (subnet < w->shards->throttle_subnet->len)
    t = g_array_index(w->shards->throttle_subnet, CsThrottle, subnet);
  *bps = t.bps;
  *concurrent = t.concurrent;
}

guint64 cs_world_cache_peak(const CsWorld *w) { return w->shards->cache_peak; }
guint64 cs_world_evictions(const CsWorld *w) { return w->shards->evictions; }
