/* study_metrics.c — results.json flattened into dotted paths.  See
 * study_metrics.h. */
#include "study_metrics.h"
#include <json-glib/json-glib.h>
#include <string.h>

struct CsMetrics {
  guint runs;
  GPtrArray *names;    /* char *, by metric number */
  GHashTable *index;   /* name → metric number + 1 */
  GArray **cells;      /* per run: CsCell by metric number (may be shorter) */
};

CsMetrics *cs_metrics_new(guint runs)
{
  CsMetrics *m = g_new0(CsMetrics, 1);
  m->runs = runs;
  m->names = g_ptr_array_new_with_free_func(g_free);
  m->index = g_hash_table_new(g_str_hash, g_str_equal);
  m->cells = g_new0(GArray *, MAX(runs, 1));
  return m;
}

void cs_metrics_free(CsMetrics *m)
{
  if (!m)
    return;
  for (guint r = 0; r < m->runs; r++)
    if (m->cells[r])
      g_array_unref(m->cells[r]);
  g_free(m->cells);
  g_hash_table_unref(m->index);
  g_ptr_array_unref(m->names);
  g_free(m);
}

static void put(CsMetrics *m, GArray *row, const char *path, CsCell c)
{
  guint i = GPOINTER_TO_UINT(g_hash_table_lookup(m->index, path));
  if (i == 0) {
    char *name = g_strdup(path);
    g_ptr_array_add(m->names, name);
    i = m->names->len;
    g_hash_table_insert(m->index, name, GUINT_TO_POINTER(i));
  }
  if (row->len < i)
    g_array_set_size(row, i);
  g_array_index(row, CsCell, i - 1) = c;
}

/* The key an array element goes by: its "id", else its "name", else NULL. */
static char *element_key(JsonNode *n, const char **member)
{
  if (!JSON_NODE_HOLDS_OBJECT(n))
    return NULL;
  JsonObject *o = json_node_get_object(n);
  static const char *const keys[] = { "id", "name" };
  for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
    JsonNode *v = json_object_get_member(o, keys[k]);
    if (v == NULL || !JSON_NODE_HOLDS_VALUE(v))
      continue;
    *member = keys[k];
    if (json_node_get_value_type(v) == G_TYPE_INT64)
      return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(v));
    if (json_node_get_value_type(v) == G_TYPE_STRING)
      return g_strdup(json_node_get_string(v));
  }
  return NULL;
}

static void walk(CsMetrics *m, GArray *row, GString *path, JsonNode *n, const char *skip)
{
  gsize base = path->len;
  if (strcmp(path->str, "run.seed") == 0)
    return; /* the run's identity, not a measurement */
  switch (json_node_get_node_type(n)) {
  case JSON_NODE_NULL:
    put(m, row, path->str, (CsCell){ 0, CS_CELL_NULL });
    return;
  case JSON_NODE_VALUE: {
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64)
      put(m, row, path->str, (CsCell){ (double) json_node_get_int(n), CS_CELL_INT });
    else if (t == G_TYPE_DOUBLE)
      put(m, row, path->str, (CsCell){ json_node_get_double(n), CS_CELL_DOUBLE });
    else if (t == G_TYPE_BOOLEAN)
      put(m, row, path->str, (CsCell){ json_node_get_boolean(n) ? 1 : 0, CS_CELL_INT });
    return;
  }
  case JSON_NODE_OBJECT: {
    JsonObject *o = json_node_get_object(n);
    GList *members = json_object_get_members(o);
    for (GList *l = members; l; l = l->next) {
      if (skip && strcmp(l->data, skip) == 0)
        continue;
      if (base)
        g_string_append_c(path, '.');
      g_string_append(path, l->data);
      walk(m, row, path, json_object_get_member(o, l->data), NULL);
      g_string_truncate(path, base);
    }
    g_list_free(members);
    return;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *a = json_node_get_array(n);
    for (guint i = 0; i < json_array_get_length(a); i++) {
      JsonNode *e = json_array_get_element(a, i);
      const char *member = NULL;
      char *key = element_key(e, &member);
      g_string_append_printf(path, "%s%s", base ? "." : "", key ? key : "");
      if (!key)
        g_string_append_printf(path, "%u", i);
      walk(m, row, path, e, member);
      g_string_truncate(path, base);
      g_free(key);
    }
    return;
  }
  }
}

gboolean cs_metrics_add_run(CsMetrics *m, guint run, const char *json, gsize len, GError **err)
{
  g_return_val_if_fail(run < m->runs, FALSE);
  g_autoptr(JsonParser) p = json_parser_new();
  if (!json_parser_load_from_data(p, json, (gssize) len, err))
    return FALSE;
  JsonNode *root = json_parser_get_root(p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
    g_set_error_literal(err, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "not a JSON object");
    return FALSE;
  }
  if (m->cells[run])
    g_array_unref(m->cells[run]);
  GArray *row = m->cells[run] = g_array_new(FALSE, TRUE, sizeof(CsCell));
  GString *path = g_string_new(NULL);
  walk(m, row, path, root, NULL);
  g_string_free(path, TRUE);
  return TRUE;
}

guint cs_metrics_count(const CsMetrics *m) { return m->names->len; }

const char *cs_metrics_name(const CsMetrics *m, guint metric) { return g_ptr_array_index(m->names, metric); }

int cs_metrics_find(const CsMetrics *m, const char *name)
{
  return (int) GPOINTER_TO_UINT(g_hash_table_lookup(m->index, name)) - 1;
}

CsCell cs_metrics_cell(const CsMetrics *m, guint run, guint metric)
{
  GArray *row = m->cells[run];
  if (row == NULL || metric >= row->len)
    return (CsCell){ 0, CS_CELL_MISSING };
  return g_array_index(row, CsCell, metric);
}
