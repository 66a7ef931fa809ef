/* testutil.h — shared helpers for the CUnit programs.
 *
 * cs_test_main runs one suite and returns non-zero on any failure.  Given
 * a test's name (`test_chain "a client coming back takes its place"`, or
 * --test NAME) it runs that test alone; --list prints the names.  The
 * "probe" node kind records every callback it gets, so kernel tests can
 * assert exact times; probes accept connections on ports 80 and 17472 and can
 * be told to send messages when a connection opens. */
#pragma once
#include <CUnit/CUnit.h>
#include <glib.h>
#include "sim.h"
#include "net.h"
#include "conn.h"
#include "firewall.h"
#include "stats.h"

int cs_test_main(int argc, char **argv, const char *suite, CU_TestInfo *tests);
/* Several suites (with their set-up and clean-up functions). */
int cs_test_main_suites(int argc, char **argv, CU_SuiteInfo *suites);
/* Removes a file or a folder with everything in it (test scratch space). */
void cs_test_remove_tree(const char *path);

typedef enum { PR_START, PR_CONNECTED, PR_ACCEPTED, PR_FAILED, PR_CLOSED, PR_MESSAGE, PR_TIMER } ProbeWhat;

typedef struct {
  SimTime t;
  SimNodeId node;
  ProbeWhat what;
  SimConnId conn;
  guint64 a;     /* message: a field; failed/closed: reason; timer: tag */
  guint64 size;  /* message size */
} ProbeEvent;

typedef struct {
  GArray *log;            /* ProbeEvent */
  guint16 kind;
  /* On an outbound connect's success, send these message sizes (a = 1, 2, ...). */
  guint64 send_sizes[8];
  int nsend;
  SimClass send_cls;
  gboolean close_after_send;
  guint64 reply_size;      /* acceptor answers every message with this size */
  SimConnId relay[64];     /* per node: forward every received message here */
  SimConnId last_conn[64]; /* per node: its latest outbound connection */
} Probe;

/* Registers the probe kind on sim. */
Probe *probe_new(Sim *sim);
void probe_free(Probe *p);
/* Builds a standard test network: sites "a" and "b" joined by one WAN link,
 * a /24 subnet in each; returns the WAN link id. */
guint32 probe_two_sites(Sim *sim, double wan_bps, SimTime wan_lat, double lan_bps, SimTime lan_lat,
                        guint32 *subnet_a, guint32 *subnet_b);
SimNodeId probe_host(Sim *sim, Probe *p, guint32 subnet);
/* First logged event of `what` at `node` (NULL if none). */
const ProbeEvent *probe_find(Probe *p, SimNodeId node, ProbeWhat what);
guint probe_count(Probe *p, SimNodeId node, ProbeWhat what);
/* Runs until the queue is empty. */
void sim_drain(Sim *sim);
