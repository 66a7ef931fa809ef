/* firewall.h — ordered firewall rules, first match wins.
 *
 * A rule matches a connection by the initiator's address (source CIDR), the
 * acceptor's address (destination CIDR) and the destination port (0 = any);
 * `both` also matches the reverse direction.  Actions: allow, drop (the
 * connect times out) or reject (refused after one round trip).  No rule
 * matching means allow.
 *
 * Rules apply to new connects and, when added, to open connections: an open
 * connection a new drop rule matches breaks (ends notice after the keepalive
 * timeout); one a new reject rule matches is reset (ends notice at once).
 * Cost: a connect scans the rules in order; rules are few. */
#pragma once
#include <glib.h>
#include "sim.h"

typedef enum { SIM_FW_ALLOW, SIM_FW_DROP, SIM_FW_REJECT } SimFwAction;

typedef struct {
  guint32 src, src_mask;  /* initiator address & mask */
  guint32 dst, dst_mask;  /* acceptor address & mask */
  guint16 port;           /* destination port, 0 = any */
  gboolean both;          /* also match with source and destination swapped */
  SimFwAction action;
} SimFwRule;

/* Appends a rule (lowest priority so far); returns its id.  Takes effect now. */
guint32 sim_fw_add(Sim *sim, const SimFwRule *rule);
/* Inserts a rule at `position` (0: first, before every other rule; past the
 * end: appended) — partitions go first so no earlier allow can shadow them. */
guint32 sim_fw_insert(Sim *sim, const SimFwRule *rule, guint position);
/* Removes a rule (no effect if already removed). */
void sim_fw_remove(Sim *sim, guint32 rule_id);
/* The action for a connect from src to dst:port. */
SimFwAction sim_fw_eval(const Sim *sim, guint32 src, guint32 dst, guint16 port);
guint32 sim_fw_rule_count(const Sim *sim);
