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

/* The latest buckets are kept dense for every series, as many as fit in
 * SIM_STATS_OPEN_BYTES (between the MIN and MAX); older ones are compressed. */
#define SIM_STATS_OPEN_BYTES (8u << 20)
#define SIM_STATS_OPEN_MIN 4
#define SIM_STATS_OPEN_MAX 256

/* Traffic classes: statistics count bytes and messages per class, and the
 * kernel knows no class by name.  A model registers its classes before the
 * first traffic, in the order it wants them reported; ids are 0, 1, ... in
 * registration order (registering a name again returns its id).  At most
 * SIM_CLASS_MAX classes (a sealed statistics row keeps one bit per class for
 * bytes and one for messages in a 32-bit mask); a class past the maximum, or
 * registered after traffic was recorded, is refused: a critical warning and
 * SIM_CLASS_NONE.  Recording traffic in an unregistered class is a
 * programming error (a critical warning, the traffic dropped). */
#define SIM_CLASS_MAX 16
#define SIM_CLASS_NONE G_MAXUINT
SimClass sim_class_register(Sim *sim, const char *name);
guint sim_class_count(const Sim *sim);
/* The class's name, or "?" for an unregistered id. */
const char *sim_class_name(const Sim *sim, SimClass cls);

/* One series' bucket: counts per registered class (sim_class_count). */
typedef struct {
  const guint64 *bytes;
  const guint32 *msgs;  /* messages (a bucket never sees 2^32) */
} SimBucket;

/* A bulk transfer's bytes are accounted when its rate changes and when it
 * ends; this accounts those of transfers still in progress up to now (at the
 * end of a run, before reading the statistics). */
void sim_stats_flush(Sim *sim);
/* Number of buckets recorded so far (covering [0, n * bucket)). */
guint32 sim_stats_buckets(const Sim *sim);
/* Bucket b of a directed WAN link (dlink = link*2 + dir); NULL if no
 * traffic.  Older buckets are kept compressed and decoded a row at a time:
 * the bucket (and the arrays it points to) holds until the next read of a
 * bucket (read bucket by bucket, all series of one before the next, as
 * timeseries.csv does). */
const SimBucket *sim_stats_wan(Sim *sim, guint32 dlink, guint32 b);
/* Bucket b of a subnet's access links, down = TRUE for traffic to hosts. */
const SimBucket *sim_stats_subnet(Sim *sim, guint32 subnet, gboolean down, guint32 b);
guint64 sim_stats_wan_total(const Sim *sim, SimClass cls);
guint64 sim_stats_lan_total(const Sim *sim, SimClass cls);
/* Total bytes on one directed WAN link, all classes. */
guint64 sim_stats_dlink_total(Sim *sim, guint32 dlink);
/* Peak bucket bytes on a directed WAN link (all classes summed).  Both are
 * computed for every series in one pass, again only after new traffic. */
guint64 sim_stats_dlink_peak(Sim *sim, guint32 dlink);
