/* classes.h — the protocol's traffic classes.
 *
 * The kernel counts traffic per class without knowing any by name; a world
 * registers these with sim_class_register when it is created, in this order,
 * so a class's id is its CsClass value.  The order is the order results and
 * figures report them in (results.json's class keys, the CSV columns). */
#pragma once
#include "sim.h"

typedef enum {
  CS_CLS_REGISTRATION,
  CS_CLS_QUESTION,
  CS_CLS_ANSWER,
  CS_CLS_ACTION,
  CS_CLS_SHARD,
  CS_CLS_PEER,     /* peer control: chain set-up, keepalive, introductions */
  CS_CLS_DIRECT,   /* Direct Connect */
  CS_CLS_TUNNEL,   /* zone hub tunnel */
  CS_CLS_BULK,     /* background transfers (sim:transfer) */
  CS_CLS_COUNT
} CsClass;

/* Their names, by CsClass, NULL-terminated. */
extern const char *const cs_class_names[CS_CLS_COUNT + 1];

/* Registers the classes with a new Sim (before any traffic). */
void cs_classes_register(Sim *sim);
