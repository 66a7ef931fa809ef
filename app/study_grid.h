/* study_grid.h — the parameter grid of `chainsim study` and the seeds of
 * its replications.
 *
 * A grid is a list of axes, one per --grid KEY=SPEC; its points are every
 * combination of one value per axis, the last axis varying fastest.  SPEC is
 *
 *   V1,V2,...      the values as written ("10Mbps,20Mbps,50Mbps")
 *   A:B:xF         geometric: A, A*F, A*F^2, ... up to B (F > 1, A > 0)
 *   A:B:+S         arithmetic: A, A+S, A+2S, ... up to B (S > 0); "A:B:S" too
 *
 * A and B are decimal numbers with an optional unit after them, the same on
 * both ("10Mbps:80Mbps:x2" gives 10Mbps,20Mbps,40Mbps,80Mbps).  Generated
 * values are integers when A and the step (or factor) are, else printed with
 * up to 12 significant digits; B is included when the sequence reaches it
 * (within 1e-9 of B).  Every value is handed to the runs as --set KEY=VALUE.
 *
 * Refused (CS_GRID_ERROR, a message naming the key and the problem): a SPEC
 * without '=' or with a key that is not letters, digits and '_' (not starting
 * with a digit), an empty value, a value with '/', whitespace, control
 * characters or '=' (values name folders), a value twice on one axis, a key
 * twice, a range whose ends are not numbers with one unit, A > B, a step not
 * above 0, a factor not above 1, a geometric range from 0 or below, an axis
 * of more than CS_GRID_MAX_VALUES values, a grid of more than
 * CS_GRID_MAX_POINTS points.
 *
 * Seeds: replication k (1-based) of every point runs with
 * cs_grid_seed(master, k), so point A's k-th run and point B's k-th run draw
 * the same random numbers (common random numbers).  The derivation is
 * SplitMix64's finaliser applied to master + k * 0x9E3779B97F4A7C15 (mod
 * 2^64), shifted right by one bit to stay within the 0 .. 2^63-1 that
 * `chainsim run --seed` accepts. */
#pragma once
#include <glib.h>

#define CS_GRID_ERROR (cs_grid_error_quark())
GQuark cs_grid_error_quark(void);

#define CS_GRID_MAX_VALUES 10000
#define CS_GRID_MAX_POINTS 1000000

typedef struct {
  char *key;
  GPtrArray *values;   /* char *, in order */
  gboolean geometric;  /* declared as A:B:xF */
} CsGridAxis;

typedef struct CsGrid CsGrid;

/* Whether k[0..len) is a parameter key: letters, digits and '_', not
 * starting with a digit (the rule of --set and --grid). */
gboolean cs_grid_key_ok(const char *k, size_t len);

CsGrid *cs_grid_new(void);
void cs_grid_free(CsGrid *g);
/* Parses one --grid KEY=SPEC and adds its axis.  FALSE with err set. */
gboolean cs_grid_add(CsGrid *g, const char *spec, GError **err);
guint cs_grid_axis_count(const CsGrid *g);
const CsGridAxis *cs_grid_axis(const CsGrid *g, guint i);
/* The axis of key, or -1. */
int cs_grid_find(const CsGrid *g, const char *key);
/* How many points (1 for a grid without axes). */
guint cs_grid_points(const CsGrid *g);
/* The index, on axis `axis`, of point p's value. */
guint cs_grid_value_index(const CsGrid *g, guint p, guint axis);
/* Point p's value on axis `axis`. */
const char *cs_grid_value(const CsGrid *g, guint p, guint axis);
/* The point whose value index on each axis is idx[axis]. */
guint cs_grid_point_of(const CsGrid *g, const guint *idx);
/* A value as a number and its unit ("12.5Mbps" → 12.5, "Mbps"); FALSE if it
 * is not a decimal number followed by letters or '%' only.  g_free *unit. */
gboolean cs_grid_number(const char *v, double *x, char **unit);
/* The point's folder name: "KEY=VALUE,KEY2=VALUE2", or "base" without axes.
 * g_free it. */
char *cs_grid_point_name(const CsGrid *g, guint p);

/* The seed of replication k (1-based) under the master seed (see above). */
guint64 cs_grid_seed(guint64 master, guint k);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsGrid, cs_grid_free)
