/* simtime.h — simulated time.
 *
 * Time is a signed 64-bit count of simulated nanoseconds from the start of the
 * run (about 292 years of range).  Nothing in sim/ or models/ ever reads a wall
 * clock: the only clock is the kernel's current event time. */
#pragma once
#include <glib.h>
#include <math.h>

typedef gint64 SimTime;

#define SIM_NS ((SimTime) 1)
#define SIM_US ((SimTime) 1000)
#define SIM_MS ((SimTime) 1000000)
#define SIM_S  ((SimTime) 1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_TIME_NEVER G_MAXINT64

/* The kernel's time arithmetic cannot overflow.  Scenario values are
 * bounded at the API (a run, an `at` and any single delay at most a year,
 * about 2^55 ns), and the two ways a delay can still grow large are capped
 * here: a delay computed in floating point (a huge transfer at a tiny
 * share of a slow link) saturates at SIM_TIME_FAR = 2^62 ns, and adding a
 * delay to a time saturates at SIM_TIME_NEVER.  An event that far out is
 * never reached: a run ends within a year. */
#define SIM_TIME_FAR ((SimTime) 1 << 62)

/* t + d for d >= 0, SIM_TIME_NEVER when the sum would not fit. */
static inline SimTime sim_time_add(SimTime t, SimTime d)
{
  return t > SIM_TIME_NEVER - d ? SIM_TIME_NEVER : t + d;
}

/* A delay of ns nanoseconds (a double >= 0) rounded up; SIM_TIME_FAR when
 * it is larger than that or not a number. */
static inline SimTime sim_time_ceil(double ns)
{
  return ns < (double) SIM_TIME_FAR ? (SimTime) ceil(ns) : SIM_TIME_FAR;
}

static inline double sim_time_to_s(SimTime t) { return (double) t / (double) SIM_S; }
static inline double sim_time_to_ms(SimTime t) { return (double) t / (double) SIM_MS; }
static inline SimTime sim_time_from_s(double s) { return (SimTime) (s * (double) SIM_S + 0.5); }
