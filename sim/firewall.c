/* firewall.c — ordered rules, first match wins.  See firewall.h. */
#include "sim-private.h"

static gboolean rule_matches(const SimFwRule *r, guint32 src, guint32 dst, guint16 port)
{
  if (r->port && r->port != port)
    return FALSE;
  if ((src & r->src_mask) == r->src && (dst & r->dst_mask) == r->dst)
    return TRUE;
  return r->both && (dst & r->src_mask) == r->src && (src & r->dst_mask) == r->dst;
}

guint32 sim_fw_insert(Sim *sim, const SimFwRule *rule, guint position)
{
  SimFwEntry e = { sim->fw_next_id++, *rule };
  e.rule.src &= e.rule.src_mask;
  e.rule.dst &= e.rule.dst_mask;
  g_array_insert_val(sim->fw, MIN(position, sim->fw->len), e);
  /* Any change can turn an open connection's verdict to drop or reject
   * (even an allow inserted first can shadow nothing that was blocking). */
  sim_conn_fw_changed(sim, &e.rule);
  return e.id;
}

guint32 sim_fw_add(Sim *sim, const SimFwRule *rule)
{
  return sim_fw_insert(sim, rule, G_MAXUINT);
}

void sim_fw_remove(Sim *sim, guint32 id)
{
  for (guint i = 0; i < sim->fw->len; i++) {
    if (g_array_index(sim->fw, SimFwEntry, i).id == id) {
      g_array_remove_index(sim->fw, i);
      return;
    }
  }
}

SimFwAction sim_fw_eval(const Sim *sim, guint32 src, guint32 dst, guint16 port)
{
  for (guint i = 0; i < sim->fw->len; i++) {
    const SimFwRule *r = &g_array_index(sim->fw, SimFwEntry, i).rule;
    if (rule_matches(r, src, dst, port))
      return r->action;
  }
  return SIM_FW_ALLOW;
}

guint32 sim_fw_rule_count(const Sim *sim) { return sim->fw->len; }
