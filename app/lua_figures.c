/* lua_figures.c — sim:plot and the figures of a run (viz/viz.h).  See
 * binding.h.
 *
 * A figure shows the world when it is drawn.  sim:plot inside a function
 * given to sim:at, or after sim:run, draws at once (the chains at 5 minutes,
 * during a partition); sim:plot before sim:run asks for the end of the run
 * and is drawn when sim:run returns.  Either way an error (a figure Cairo
 * cannot draw) is a Lua error naming the sim:plot line.
 *
 * Outputs are whole or absent: the output folder given to the binding is
 * the run's staging folder (app/outset.h), swapped into --out only when the
 * whole run succeeded, so a figure is drawn there under its own name at
 * once; a scenario that fails later leaves nothing.  Without an
 * output folder (`chainsim diagram`), sim:plot checks its options and draws
 * nothing. */
#include "binding-private.h"
#include "viz.h"
#include <string.h>

/* Longest figure file name. */
#define FIGURE_NAME_MAX 128

typedef enum {
  PLOT_CHAINS, PLOT_TOPOLOGY, PLOT_BANDWIDTH, PLOT_ANSWERS, PLOT_SERVER_LOAD,
} PlotKind;

static const char *const PLOT_KINDS[] = {
  [PLOT_CHAINS] = "chains", [PLOT_TOPOLOGY] = "topology", [PLOT_BANDWIDTH] = "bandwidth",
  [PLOT_ANSWERS] = "answers", [PLOT_SERVER_LOAD] = "server_load", NULL,
};

struct CsLuaFigure {
  PlotKind kind;
  char *file;          /* name in the output folder */
  gboolean drawn;      /* drawn in the output folder */
  char *where;         /* "file.lua:12" of the sim:plot call */
  gboolean has_scope;  /* chains: scope given */
  CsTarget scope;      /* chains: site, subnet or client */
  guint top_k;         /* bandwidth: panels (0: viz's default) */
  char *title;         /* NULL: the figure's own */
  CsVizOptions o;      /* title points into `title` */
};

/* The default figures of `chainsim run`, unless the scenario plotted a file
 * of the same name. */
static const struct {
  const char *file;
  PlotKind kind;
} DEFAULT_FIGURES[] = {
  { "topology.svg", PLOT_TOPOLOGY },
  { "chains.png", PLOT_CHAINS },
  { "bandwidth.png", PLOT_BANDWIDTH },
};

static void figure_free(CsLuaFigure *f)
{
  g_free(f->file);
  g_free(f->where);
  g_free(f->title);
  g_free(f);
}

void cs_lua_figures_free(CsLua *ctx)
{
  for (guint i = 0; i < ctx->figures->len; i++)
    figure_free(g_ptr_array_index(ctx->figures, i));
  g_ptr_array_set_size(ctx->figures, 0);
}

/* Draws f's kind of figure of the world now to path. */
static gboolean draw(CsLua *ctx, const CsLuaFigure *f, const char *path, GError **err)
{
  switch (f->kind) {
  case PLOT_CHAINS:
    return cs_viz_chains(ctx->world, path, f->has_scope ? &f->scope : NULL, &f->o, err);
  case PLOT_TOPOLOGY:
    return cs_viz_diagram(ctx->world, path, &f->o, err);
  case PLOT_BANDWIDTH:
    return cs_viz_bandwidth(ctx->world, path, f->top_k, &f->o, err);
  case PLOT_ANSWERS:
    return cs_viz_answers(ctx->world, path, &f->o, err);
  case PLOT_SERVER_LOAD:
    return cs_viz_server_load(ctx->world, path, &f->o, err);
  }
  g_assert_not_reached();
}

/* Draws f now into the output folder. */
static gboolean draw_now(CsLua *ctx, CsLuaFigure *f, GError **err)
{
  char *path = g_build_filename(ctx->out_dir, f->file, NULL);
  f->drawn = draw(ctx, f, path, err);
  g_free(path);
  return f->drawn;
}

/* ---- sim:plot ------------------------------------------------------------------- */

/* Longest title: a figure shows about 150 characters across before
 * shortening it with "…". */
#define PLOT_TITLE_MAX 500

static const CsOptField PLOT_FIELDS[] = {
  { .key = "file", .type = CS_OPT_STRING, .required = TRUE },
  { .key = "kind", .type = CS_OPT_STRING, .required = TRUE, .choices = PLOT_KINDS },
  { .key = "max_clients", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 100000 },
  { .key = "max_sites", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 10000 },
  { .key = "max_subnets", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 10000 },
  { .key = "node", .type = CS_OPT_ANY },
  { .key = "scale", .type = CS_OPT_NUMBER, .has_min = TRUE, .min = 0.1, .has_max = TRUE,
    .max = 8 },
  { .key = "site", .type = CS_OPT_ANY },
  { .key = "subnet", .type = CS_OPT_ANY },
  { .key = "title", .type = CS_OPT_STRING },
  { .key = "top_k", .type = CS_OPT_INTEGER, .has_min = TRUE, .min = 1, .has_max = TRUE,
    .max = 64 },
  { .key = "width", .type = CS_OPT_NUMBER, .has_min = TRUE, .min = 100, .has_max = TRUE,
    .max = 20000 },
  { NULL },
};

/* Options that only some kinds take. */
static const struct {
  const char *key;
  PlotKind kind;
} KIND_ONLY[] = {
  { "max_clients", PLOT_CHAINS }, { "max_subnets", PLOT_CHAINS }, { "node", PLOT_CHAINS },
  { "site", PLOT_CHAINS },        { "subnet", PLOT_CHAINS },      { "max_sites", PLOT_TOPOLOGY },
  { "top_k", PLOT_BANDWIDTH },
};

static gboolean file_name_ok(const char *s, size_t len)
{
  if (len == 0 || len > FIGURE_NAME_MAX || strlen(s) != len || !g_ascii_isalnum(s[0]))
    return FALSE;
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return FALSE;
  return TRUE;
}

/* Reads the chains scope (site, subnet or node: at most one) into f. */
static void plot_scope(lua_State *L, CsLua *ctx, int opts, CsLuaFigure *f)
{
  int given = cs_opt_has(L, opts, "site") + cs_opt_has(L, opts, "subnet") +
              cs_opt_has(L, opts, "node");
  if (given > 1)
    luaL_error(L, "plot: give at most one of 'site', 'subnet' and 'node' (the chains to draw)");
  CsLuaObj *o;
  if (cs_opt_push(L, opts, "site") != LUA_TNIL) {
    if (!(o = cs_lua_test(L, -1, CS_LUA_SITE)))
      cs_opt_error(L, "plot", "site", "a site", -1);
    guint ns;
    const guint32 *subs = cs_builder_site_subnets(ctx->builder, o->id, &ns);
    guint32 clients = 0;
    for (guint i = 0; i < ns; i++)
      clients += cs_lua_subnet_info(ctx, subs[i])->nclients;
    if (clients == 0)
      luaL_error(L, "plot 'site': site '%s' has no clients (no chains to draw)",
                 sim_site_name(ctx->sim, o->id));
    f->has_scope = TRUE;
    f->scope = (CsTarget) { CS_TARGET_SITE, o->id };
  }
  lua_pop(L, 1);
  if (cs_opt_push(L, opts, "subnet") != LUA_TNIL) {
    if (!(o = cs_lua_test(L, -1, CS_LUA_SUBNET)))
      cs_opt_error(L, "plot", "subnet", "a subnet", -1);
    if (cs_lua_subnet_info(ctx, o->id)->nclients == 0)
      luaL_error(L, "plot 'subnet': the subnet has no clients (no chains to draw)");
    f->has_scope = TRUE;
    f->scope = (CsTarget) { CS_TARGET_SUBNET, o->id };
  }
  lua_pop(L, 1);
  if (cs_opt_push(L, opts, "node") != LUA_TNIL) {
    SimNodeId n = cs_lua_check_role(L, ctx, -1, "plot", "node", 1u << CS_BUILD_ROLE_CLIENT,
                                    "a client (its subnet's chains are drawn)");
    f->has_scope = TRUE;
    f->scope = (CsTarget) { CS_TARGET_CLIENT, cs_world_node_client(ctx->world, n) };
  }
  lua_pop(L, 1);
}

/* sim:plot{ kind, file, ... } — see the file comment. */
static int sim_plot(lua_State *L)
{
  CsLua *ctx = cs_lua_check_sim(L, 1)->ctx;
  lua_settop(L, 2);
  cs_opt_check(L, 2, "plot", PLOT_FIELDS);
  const char *kind_name = cs_opt_get_string(L, 2, "kind", "chains");
  PlotKind kind = PLOT_CHAINS;
  for (int k = 0; PLOT_KINDS[k]; k++)
    if (strcmp(kind_name, PLOT_KINDS[k]) == 0)
      kind = (PlotKind) k;
  for (gsize i = 0; i < G_N_ELEMENTS(KIND_ONLY); i++)
    if (KIND_ONLY[i].kind != kind && cs_opt_has(L, 2, KIND_ONLY[i].key))
      return luaL_error(L, "plot '%s': only for kind = \"%s\" (this plot is \"%s\")",
                        KIND_ONLY[i].key, PLOT_KINDS[KIND_ONLY[i].kind], kind_name);
  cs_opt_push(L, 2, "file");
  size_t len;
  const char *file = lua_tolstring(L, -1, &len);
  if (!file_name_ok(file, len))
    cs_opt_error_value(L, "plot", "file", "a file name of letters, digits, '-', '_' and '.' "
                       "(written in the output folder), like \"chains.png\"", -1);
  CsVizFormat fmt = cs_viz_format_of(file);
  gboolean text = fmt == CS_VIZ_FORMAT_MERMAID || fmt == CS_VIZ_FORMAT_DOT;
  if (fmt == CS_VIZ_FORMAT_NONE || (text && kind != PLOT_TOPOLOGY))
    cs_opt_error_value(L, "plot", "file", kind == PLOT_TOPOLOGY
                       ? "a name ending in .png, .svg, .pdf, .mmd or .dot"
                       : "a name ending in .png, .svg or .pdf", -1);
  lua_pop(L, 1);
  for (guint i = 0; i < ctx->figures->len; i++) {
    const CsLuaFigure *g = g_ptr_array_index(ctx->figures, i);
    if (strcmp(g->file, file) == 0)
      return luaL_error(L, "plot 'file': \"%s\" is already plotted (at %s)", file, g->where);
  }
  if (cs_opt_has(L, 2, "scale") && fmt != CS_VIZ_FORMAT_PNG)
    return luaL_error(L, "plot 'scale': only for .png files");
  CsLuaFigure scratch = { .kind = kind };
  if (kind == PLOT_CHAINS)
    plot_scope(L, ctx, 2, &scratch);
  if (cs_opt_has(L, 2, "title")) {
    cs_opt_push(L, 2, "title");
    const char *t = lua_tolstring(L, -1, &len);
    if (strlen(t) != len || !g_utf8_validate(t, (gssize) len, NULL))
      cs_opt_error_value(L, "plot", "title", "a UTF-8 string", -1);
    if (g_utf8_strlen(t, (gssize) len) > PLOT_TITLE_MAX)
      cs_opt_error_value(L, "plot", "title",
                         "a title of at most " G_STRINGIFY(PLOT_TITLE_MAX) " characters", -1);
    lua_pop(L, 1);
  }

  CsLuaFigure *f = g_new0(CsLuaFigure, 1);
  *f = scratch;
  g_ptr_array_add(ctx->figures, f); /* owned by ctx from here */
  f->file = g_strdup(file);
  luaL_where(L, 1);
  const char *where = lua_tolstring(L, -1, &len);
  f->where = g_strndup(where, len >= 2 ? len - 2 : len); /* without ": " */
  lua_pop(L, 1);
  cs_viz_options_default(&f->o);
  if (cs_opt_has(L, 2, "title")) {
    f->title = g_strdup(cs_opt_get_string(L, 2, "title", ""));
    f->o.title = f->title;
  }
  f->o.width = cs_opt_get_number(L, 2, "width", 0);
  f->o.scale = cs_opt_get_number(L, 2, "scale", 0);
  f->o.max_sites = (guint) cs_opt_get_int(L, 2, "max_sites", 0);
  f->o.max_subnets = (guint) cs_opt_get_int(L, 2, "max_subnets", 0);
  f->o.max_clients = (guint) cs_opt_get_int(L, 2, "max_clients", 0);
  f->top_k = (guint) cs_opt_get_int(L, 2, "top_k", 0);

  if (ctx->out_dir == NULL || ctx->phase == CS_PHASE_BUILD)
    return 0; /* nowhere to draw, or drawn when sim:run ends */
  GError *e = NULL;
  if (!draw_now(ctx, f, &e)) {
    lua_pushfstring(L, "cannot draw %s", file);
    cs_lua_raise_gerror(L, lua_tostring(L, -1), e);
  }
  return 0;
}

void cs_lua_figures_after_run(lua_State *L, CsLua *ctx)
{
  if (ctx->out_dir == NULL)
    return;
  for (guint i = 0; i < ctx->figures->len; i++) {
    CsLuaFigure *f = g_ptr_array_index(ctx->figures, i);
    if (f->drawn)
      continue;
    GError *e = NULL;
    if (!draw_now(ctx, f, &e)) {
      lua_pushfstring(L, "%s: plot: cannot draw %s: %s", f->where, f->file, e->message);
      g_error_free(e);
      lua_error(L);
    }
  }
}

gboolean cs_lua_write_figures(CsLua *ctx, gboolean defaults, GError **err)
{
  g_return_val_if_fail(ctx->out_dir != NULL, FALSE);
  if (!defaults || ctx->world == NULL)
    return TRUE;
  for (gsize d = 0; d < G_N_ELEMENTS(DEFAULT_FIGURES); d++) {
    gboolean taken = FALSE;
    for (guint i = 0; i < ctx->figures->len && !taken; i++)
      taken = strcmp(((CsLuaFigure *) g_ptr_array_index(ctx->figures, i))->file,
                     DEFAULT_FIGURES[d].file) == 0;
    if (taken)
      continue;
    CsLuaFigure f = { .kind = DEFAULT_FIGURES[d].kind };
    cs_viz_options_default(&f.o);
    char *path = g_build_filename(ctx->out_dir, DEFAULT_FIGURES[d].file, NULL);
    gboolean ok = draw(ctx, &f, path, err);
    g_free(path);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

void cs_lua_figures_methods(lua_State *L, int methods)
{
  static const luaL_Reg m[] = {
    { "plot", sim_plot },
    { NULL, NULL },
  };
  lua_pushvalue(L, methods);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}
