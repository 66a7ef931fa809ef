/* detlib.h — the functions of Lua's standard library whose results would
 * otherwise differ from run to run, replaced by deterministic ones.
 *
 * Stock Lua 5.4 seeds its string hash from addresses and the clock for each
 * new state, hashes tables and functions by address, prints addresses in
 * tostring, and picks table.sort's pivot from the clock.  A scenario that
 * builds sites in pairs() order, prints tostring({}) into a result or sorts
 * records with ties would then give a different results.json on each run.
 * cs_det_open replaces, in a sandbox state:
 *
 *   next, pairs   visit keys in a fixed order: numbers by value, then strings
 *                 (byte-wise), then false, true, then tables, functions and
 *                 objects by creation number (cs_sandbox_object_id); built-in
 *                 functions by their place in the program.  pairs() takes a
 *                 snapshot of the keys when the loop starts (keys set to nil
 *                 during the loop are skipped, keys added are not visited —
 *                 Lua leaves that undefined anyway); __pairs is honoured.
 *   tostring      "table: 17", "function: 23", "function: builtin: 4": the
 *                 creation number, never an address; print() and
 *                 string.format("%s") use it too; string.format("%p") is
 *                 refused.
 *   table.sort    a stable merge sort: equal elements keep their order, and
 *                 a comparator that is not a strict order still ends (in
 *                 n log n calls, each counted by the instruction limit).
 *
 * The cost: pairs() sorts the keys once per loop (n log n). */
#pragma once
#include <lua.h>
#include <stddef.h>

/* Installs the replacements in L's globals (base, string and table
 * libraries must be open).  Run it protected: it allocates. */
void cs_det_open(lua_State *L);
/* tostring(v) of the value at idx, deterministic as above; pushes the
 * string and returns it (may raise: __tostring runs scenario code). */
const char *cs_det_tolstring(lua_State *L, int idx, size_t *len);
