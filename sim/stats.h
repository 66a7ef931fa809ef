/* stats.h — traffic statistics in flat arrays.
 *
 * Per directed WAN link: bytes and messages per time bucket per traffic class.
 * Per subnet: bytes on its hosts' access links per bucket per class, up (from
 * hosts) and down (to hosts).  Totals: WAN bytes (summed over every WAN link a
 * byte crosses) and LAN bytes (traffic between two hosts of one site, counted
 * once), per class.  Bulk transfers are accounted as they progress, spread over
 * the buckets they span; small messages in the bucket they are sent in. */
#pragma once
#include <glib.h>
#include "sim.h"
#include "conn.h"

typedef struct {
  guint64 bytes[SIM_CLS_COUNT];
  guint32 msgs[SIM_CLS_COUNT];  /* messages (a bucket never sees 2^32) */
} SimBucket;

/* Number of buckets recorded so far (covering [0, n * bucket)). */
guint32 sim_stats_buckets(const Sim *sim);
/* Bucket b of a directed WAN link (dlink = link*2 + dir); NULL or all zeros
 * if no traffic (NULL may come between buckets with traffic). */
const SimBucket *sim_stats_wan(const Sim *sim, guint32 dlink, guint32 b);
/* Bucket b of a subnet's access links, down = TRUE for traffic to hosts. */
const SimBucket *sim_stats_subnet(const Sim *sim, guint32 subnet, gboolean down, guint32 b);
guint64 sim_stats_wan_total(const Sim *sim, SimClass cls);
guint64 sim_stats_lan_total(const Sim *sim, SimClass cls);
/* Total bytes on one directed WAN link, all classes. */
guint64 sim_stats_dlink_total(const Sim *sim, guint32 dlink);
/* Peak bucket bytes on a directed WAN link (all classes summed). */
guint64 sim_stats_dlink_peak(const Sim *sim, guint32 dlink);
