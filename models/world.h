/* world.h — a simulated enterprise: the kernel plus the protocol models.
 *
 * A CsWorld owns the Sim and the protocol state of every node kind (core
 * servers, clients, plain hosts), the sensors, questions and actions.  Front
 * ends (the Lua binding, tests) build the topology through sim/ (sites, WAN
 * links, subnets, firewall) and the nodes, sensors, questions and actions
 * through this header, run the Sim, and read the results back.
 *
 * Every protocol behaviour (registration, peer lists, chains, leaders,
 * reflection, questions, answers, actions) emerges from each node's own
 * timers and messages (server.c, client.c); the world only keeps the books a
 * user reads afterwards (chains formed, answers counted). */
#pragma once
/* Building a world (world-build.h) and reading it (world-observe.h). */
#include "world-build.h"
#include "world-observe.h"
