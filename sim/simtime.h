/* simtime.h — simulated time.
 *
 * Time is a signed 64-bit count of simulated nanoseconds from the start of the
 * run (about 292 years of range).  Nothing in sim/ or models/ ever reads a wall
 * clock: the only clock is the kernel's current event time. */
#pragma once
#include <glib.h>

typedef gint64 SimTime;

#define SIM_NS ((SimTime) 1)
#define SIM_US ((SimTime) 1000)
#define SIM_MS ((SimTime) 1000000)
#define SIM_S  ((SimTime) 1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_TIME_NEVER G_MAXINT64

static inline double sim_time_to_s(SimTime t) { return (double) t / (double) SIM_S; }
static inline double sim_time_to_ms(SimTime t) { return (double) t / (double) SIM_MS; }
static inline SimTime sim_time_from_s(double s) { return (SimTime) (s * (double) SIM_S + 0.5); }
