/* database.c — the core server's database (SQL, TCP 1433) and the server's
 * writes to it.
 *
 * A core server with a database keeps one connection to it on 1433 (opened
 * at start, again 10 s after it fails or breaks).  Jobs that change state
 * are written before they take effect: answers and action statuses from
 * forward leaders (and chains of one), initial registrations, and normal
 * registrations that carry answers.  The server sends a write per job and
 * holds the job, in order, until the database acknowledges it; only then does
 * a registration get its response and do answers reach the books.  The
 * database serves `workers` writes at once, `write_ms` each, first come first
 * served.  While the connection is down (a firewall dropping 1433, the
 * database crashed) the held jobs pile up at the server, replies stall and
 * clients' registrations time out; when it is back every held job is written
 * again, in order, so nothing is lost. */
#include "database-private.h"
#include <string.h>

#define DB_RETRY (10 * SIM_S)
#define DB_WRITE_BYTES 300   /* a write request on the wire, besides what it carries */
#define DB_ACK_BYTES 100
enum { DTAG_WRITE_DONE = 1 };

static CsWorld *W(gpointer k) { return k; }

CsDatabase *cs_db_rec(const CsWorld *w, guint32 db) { return &g_array_index(w->database->dbs, CsDatabase, db); }
static CsDatabase *db_of(CsWorld *w, SimNodeId node) { return cs_db_rec(w, sim_node_local(w->sim, node)); }

/* --- the database node ------------------------------------------------------------- */

/* The queue holds (connection, token) pairs; a timer's argument packs one. */
static void db_start_writes(CsWorld *w, CsDatabase *d)
{
  while (d->busy < d->workers && d->qlen > 0) {
    guint64 job = g_array_index(d->queue, guint64, d->qhead);
    d->qhead++;
    d->qlen--;
    if (d->qhead == d->queue->len || d->qlen == 0) {
      d->qhead = 0;
      if (d->qlen == 0)
        g_array_set_size(d->queue, 0);
    }
    d->busy++;
    sim_timer_start(w->sim, d->node, d->write_ms, DTAG_WRITE_DONE, job);
  }
}

static void db_start(Sim *sim, SimNodeId node, gpointer k)
{
  CsDatabase *d = db_of(W(k), node);
  d->busy = 0;
  d->qhead = d->qlen = 0;
  g_array_set_size(d->queue, 0);
}

static void db_crashed(Sim *sim, SimNodeId node, gpointer k)
{
  db_start(sim, node, k); /* writes in progress are lost: the server writes them again */
}

static void db_message(Sim *sim, SimNodeId node, gpointer k, SimConnId conn, SimMsg *m)
{
  CsWorld *w = W(k);
  CsDatabase *d = db_of(w, node);
  if (m->type != CS_MSG_DB_WRITE)
    return;
  guint64 job = ((guint64) conn << 32) | (guint32) m->a;
  if (d->qhead > 0 && d->qhead + d->qlen == d->queue->len && d->qhead * 2 >= d->queue->len) {
    /* Slide the live part to the front now and then. */
    memmove(d->queue->data, &g_array_index(d->queue, guint64, d->qhead), d->qlen * sizeof(guint64));
    g_array_set_size(d->queue, d->qlen);
    d->qhead = 0;
  }
  g_array_append_val(d->queue, job);
  d->qlen++;
  d->queue_peak = MAX(d->queue_peak, d->qlen);
  db_start_writes(w, d);
}

static void db_timer(Sim *sim, SimNodeId node, gpointer k, guint32 tag, guint64 arg)
{
  CsWorld *w = W(k);
  CsDatabase *d = db_of(w, node);
  if (tag != DTAG_WRITE_DONE)
    return;
  d->busy--;
  d->writes++;
  SimConnId conn = (SimConnId) (arg >> 32);
  if (sim_conn_is_open(sim, conn)) {
    SimMsg *m = sim_msg_new(sim);
    m->type = CS_MSG_DB_DONE;
    m->cls = CS_CLS_PEER;
    m->size = DB_ACK_BYTES;
    m->a = (guint32) arg;
    sim_send(sim, conn, node, m);
  }
  db_start_writes(w, d);
}

static void db_connected(Sim *sim, SimNodeId node, gpointer k, SimConnId c, gboolean inbound) {}

static const guint16 db_ports[] = { CS_PORT_SQL, 0 };

const SimNodeKind cs_db_kind = {
  .name = "database",
  .start = db_start,
  .crashed = db_crashed,
  .message = db_message,
  .connected = db_connected,
  .timer = db_timer,
  .ports = db_ports,
};

/* --- the server's side ---------------------------------------------------------------- */

/* The server's side of its database; NULL if it has none. */
static CsDbLink *link_of(const CsWorld *w, SimNodeId server)
{
  GArray *ls = w->database->links;
  if (ls->len == 0)
    return NULL; /* no databases (most runs): not even the node lookup */
  guint32 si = sim_node_local(w->sim, server);
  if (si >= ls->len || g_array_index(ls, CsDbLink, si).db == CS_NONE)
    return NULL;
  return &g_array_index(ls, CsDbLink, si);
}

static gboolean db_up(CsWorld *w, CsDbLink *s)
{
  return s->db_conn && s->db_open && sim_conn_is_open(w->sim, s->db_conn);
}

static void send_write(CsWorld *w, SimNodeId server, CsDbLink *s, const CsHeld *h)
{
  SimMsg *m = sim_msg_new(w->sim);
  m->type = CS_MSG_DB_WRITE;
  m->cls = CS_CLS_PEER;
  m->size = DB_WRITE_BYTES;
  m->a = h->token;
  sim_send(w->sim, s->db_conn, server, m);
}

void cs_db_server_connect(CsWorld *w, SimNodeId server)
{
  CsDbLink *s = link_of(w, server);
  if (!s || s->db_conn)
    return;
  s->db_open = FALSE;
  s->db_conn = sim_connect(w->sim, server, sim_node_addr(w->sim, cs_db_rec(w, s->db)->node), CS_PORT_SQL,
                           CS_CLS_PEER, TRUE);
}

gboolean cs_db_server_connected(CsWorld *w, SimNodeId server, SimConnId conn)
{
  CsDbLink *s = link_of(w, server);
  if (!s || conn != s->db_conn)
    return FALSE;
  s->db_open = TRUE;
  /* Everything held, in order: the backlog drains. */
  for (guint i = s->held_head; i < s->held->len; i++)
    if (g_array_index(s->held, CsHeld, i).job.kind != CS_JOB_NONE)
      send_write(w, server, s, &g_array_index(s->held, CsHeld, i));
  return TRUE;
}

gboolean cs_db_server_conn_gone(CsWorld *w, SimNodeId server, SimConnId conn)
{
  CsDbLink *s = link_of(w, server);
  if (!s || conn != s->db_conn)
    return FALSE;
  s->db_conn = 0;
  s->db_open = FALSE;
  sim_timer_start(w->sim, server, DB_RETRY, CS_STAG_DB_RETRY, 0);
  return TRUE;
}

gboolean cs_db_needs_write(const CsWorld *w, SimNodeId server, const CsJob *j)
{
  if (!link_of(w, server))
    return FALSE;
  switch ((CsJobKind) j->kind) {
  case CS_JOB_ANSWER: return TRUE;
  case CS_JOB_REG_INIT: return TRUE;
  case CS_JOB_REG: return j->blob && ((const CsRegReq *) j->blob)->batch != NULL;
  default: return FALSE;
  }
}

void cs_db_hold(CsWorld *w, SimNodeId server, const CsJob *j)
{
  CsDbLink *s = link_of(w, server);
  CsHeld h = { .token = ++s->db_token, .job = *j, .since = sim_now(w->sim) };
  if (s->held_head > 0 && s->held_head * 2 >= s->held->len) {
    g_array_remove_range(s->held, 0, s->held_head);
    s->held_head = 0;
  }
  g_array_append_val(s->held, h);
  s->db_waiting++;
  cs_server_note_queued(w, 1); /* a job held for its write still waits for its reply */
  s->db_waiting_peak = MAX(s->db_waiting_peak, s->db_waiting);
  cs_server_sample(w);
  if (db_up(w, s))
    send_write(w, server, s, &h);
}

gboolean cs_db_take_done(CsWorld *w, SimNodeId server, guint32 token, CsJob *out)
{
  CsDbLink *s = link_of(w, server);
  for (guint i = s ? s->held_head : 0; s && i < s->held->len; i++) {
    CsHeld *h = &g_array_index(s->held, CsHeld, i);
    if (h->token != token || h->job.kind == CS_JOB_NONE)
      continue;
    *out = h->job;
    cs_hist_add(&w->database->db_latency, sim_now(w->sim) - h->since);
    h->job.kind = CS_JOB_NONE;
    h->job.blob = NULL;
    s->db_waiting--;
    cs_server_note_queued(w, -1);
    while (s->held_head < s->held->len && g_array_index(s->held, CsHeld, s->held_head).job.kind == CS_JOB_NONE)
      s->held_head++;
    return TRUE;
  }
  return FALSE; /* a write again of one already done */
}

static void link_reset(CsWorld *w, CsDbLink *s)
{
  for (guint i = s->held_head; i < s->held->len; i++) {
    CsHeld *h = &g_array_index(s->held, CsHeld, i);
    if (h->job.kind != CS_JOB_NONE)
      cs_job_blob_free(h->job.kind, h->job.blob);
  }
  g_array_set_size(s->held, 0);
  s->held_head = 0;
  cs_server_note_queued(w, -(gint32) s->db_waiting);
  s->db_waiting = 0;
  s->db_conn = 0;
  s->db_open = FALSE;
}

void cs_db_server_reset(CsWorld *w, SimNodeId server)
{
  CsDbLink *s = link_of(w, server);
  if (s)
    link_reset(w, s);
}

/* --- the world's view -------------------------------------------------------------------- */

SimNodeId cs_world_add_database(CsWorld *w, const char *name, guint32 subnet, guint32 addr, SimNodeId server,
                                guint32 workers, SimTime write_time, GError **error)
{
  guint32 si = cs_world_server_of_node(w, server);
  if (si == CS_NONE) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_ROLE, "database %s: 'server' must be a core server", name);
    return SIM_NODE_NONE;
  }
  if (link_of(w, server)) {
    g_set_error(error, CS_WORLD_ERROR, CS_WORLD_ERROR_TAKEN,
                "database %s: core server %s already has a database", name, cs_world_node_name(w, server));
    return SIM_NODE_NONE;
  }
  SimNodeId node = sim_node_add(w->sim, w->kind_db, subnet, addr, w->database->dbs->len, error);
  if (node == SIM_NODE_NONE)
    return node;
  CsDatabase d = { 0 };
  d.node = node;
  d.name = g_strdup(name);
  d.server = si;
  d.workers = MAX(workers, 1);
  d.write_ms = write_time;
  d.queue = g_array_new(FALSE, FALSE, sizeof(guint64));
  g_array_append_val(w->database->dbs, d);
  GArray *ls = w->database->links;
  if (si >= ls->len) {
    guint old = ls->len;
    g_array_set_size(ls, si + 1);
    for (guint i = old; i < ls->len; i++)
      g_array_index(ls, CsDbLink, i).db = CS_NONE;
  }
  CsDbLink *s = &g_array_index(ls, CsDbLink, si);
  s->db = w->database->dbs->len - 1;
  s->held = g_array_new(FALSE, FALSE, sizeof(CsHeld));
  cs_world_note_node(w, node, name);
  sim_node_start_at(w->sim, node, 0);
  return node;
}

CsDatabases *cs_databases_new(CsWorld *w)
{
  CsDatabases *ds = g_new0(CsDatabases, 1);
  ds->dbs = g_array_new(FALSE, TRUE, sizeof(CsDatabase));
  ds->links = g_array_new(FALSE, TRUE, sizeof(CsDbLink));
  return ds;
}

void cs_databases_free(CsWorld *w)
{
  if (!w->database)
    return;
  for (guint i = 0; i < w->database->links->len; i++) {
    CsDbLink *s = &g_array_index(w->database->links, CsDbLink, i);
    if (s->db == CS_NONE)
      continue;
    link_reset(w, s);
    g_array_free(s->held, TRUE);
  }
  g_array_free(w->database->links, TRUE);
  for (guint i = 0; i < w->database->dbs->len; i++) {
    g_free(cs_db_rec(w, i)->name);
    g_array_free(cs_db_rec(w, i)->queue, TRUE);
  }
  g_array_free(w->database->dbs, TRUE);
  g_free(w->database);
  w->database = NULL;
}

gboolean cs_world_database_summary(const CsWorld *w, CsDatabaseSummary *out)
{
  memset(out, 0, sizeof *out);
  if (w->database->dbs->len == 0)
    return FALSE;
  for (guint i = 0; i < w->database->dbs->len; i++) {
    out->writes += cs_db_rec(w, i)->writes;
    out->queue_peak = MAX(out->queue_peak, cs_db_rec(w, i)->queue_peak);
  }
  for (guint i = 0; i < w->database->links->len; i++)
    out->held_peak = MAX(out->held_peak, g_array_index(w->database->links, CsDbLink, i).db_waiting_peak);
  out->write_ms_p50 = sim_time_to_ms(cs_hist_quantile(&w->database->db_latency, 0.5));
  out->write_ms_p99 = sim_time_to_ms(cs_hist_quantile(&w->database->db_latency, 0.99));
  return TRUE;
}
