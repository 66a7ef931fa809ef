/* chains.c — the linear chains of a site or subnet as they are now.
 *
 * One block per subnet: its clients in address order, folded into rows that
 * snake (left to right, then right to left) so every link between
 * neighbours stays short; the address of the first and last client of each
 * row in the margins.  Between two rails that stand for the core server —
 * questions come down from the top one to backward leaders, answers go down
 * from forward leaders to the bottom one — each leader's server connection
 * is a vertical line.  A link joins a client to its forward peer (an arc
 * when it skips clients that are down); a red zigzag marks a break, where no
 * forward link crosses between two neighbours in address order.  Reflected
 * leaders carry an orange ring and a star.
 *
 * An isolated subnet (no peering: a VPN pool, roaming clients) has no chain:
 * its header says "isolated", the rails name what each client talks to on
 * its own (the core server, or for external clients their zone server and
 * the hub tunnel behind it), and neither breaks nor leader labels and
 * connections are drawn (every client that holds a connection is its own
 * leader).
 *
 * Scale: a subnet with more clients than max_clients keeps every remarkable
 * client (leaders, reflections, breaks, down, unchained) with two neighbours
 * each side, and folds the plain runs between them into one "… n clients …"
 * segment; at most max_subnets blocks are drawn, the rest summed up in one
 * line.  Cost: one pass over all clients, a sort per drawn subnet. */
#include "viz-private.h"
#include <math.h>
#include <string.h>

#define MARGIN 24.0
#define SLOT 13.0          /* horizontal room per client */
#define GLYPH_R 4.6
#define ROW_H 46.0
#define ROW_LABEL_W 62.0   /* margins for row addresses */
#define RAIL_H 16.0
#define HEADER_H 22.0
#define BLOCK_GAP 18.0
#define RUN_SLOTS 8        /* a folded run's width, in slots */
#define CONTEXT 2          /* neighbours kept around a remarkable client */
#define DEFAULT_W 1200.0

#define C_PEER_FILL 0xe1f5fe
#define C_PEER_LINE 0x0277bd
#define C_BL 0x2e7d32
#define C_FL 0x6a1b9a
#define C_REFL 0xef6c00
#define C_DOWN 0x9e9e9e
#define C_BREAK 0xd32f2f
#define C_LINK 0x546e7a

typedef enum { IT_CLIENT, IT_RUN } ItemKind;

typedef struct {
  ItemKind kind;
  guint32 first, last;   /* positions in the subnet's address order (first == last for a client) */
  guint32 slot;          /* first slot */
  double x, y;           /* centre */
  double x0, x1;         /* run extent */
} Item;

typedef struct {
  guint32 subnet;
  guint32 *members;      /* client indices by address */
  guint32 n;
  GArray *items;         /* Item */
  guint32 hidden;        /* clients beyond the display budget */
  guint32 rows;
  double top, h;         /* block extent */
  double rows_top;
  VizSubnet stats;
} Block;

typedef struct {
  CsWorld *w;
  Sim *sim;
  VizCanvas *c;
  double width;
  guint cols;
  double x_left;         /* x of slot 0's centre */
} Ctx;

static gint cmp_addr(gconstpointer a, gconstpointer b, gpointer data)
{
  Ctx *x = data;
  guint32 aa = sim_node_addr(x->sim, cs_world_client_node(x->w, *(const guint32 *) a));
  guint32 bb = sim_node_addr(x->sim, cs_world_client_node(x->w, *(const guint32 *) b));
  return aa < bb ? -1 : aa > bb;
}

static char *short_addr(Ctx *x, guint32 client, guint8 prefix)
{
  guint32 a = sim_node_addr(x->sim, cs_world_client_node(x->w, client));
  if (prefix >= 24)
    return g_strdup_printf(".%u", a & 0xff);
  if (prefix >= 16)
    return g_strdup_printf(".%u.%u", (a >> 8) & 0xff, a & 0xff);
  return g_strdup_printf("%u.%u.%u", (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static gboolean isolated(const Block *b)
{
  return b->stats.mode == CS_SUBNET_ISOLATED;
}

/* Whether client k (position p in the block) needs to be drawn on its own. */
static gboolean remarkable(Ctx *x, Block *b, guint32 p)
{
  guint32 k = b->members[p];
  SimNodeId node = cs_world_client_node(x->w, k);
  if (!sim_node_is_up(x->sim, node))
    return TRUE;
  if (isolated(b)) /* all alike: each on its own */
    return FALSE;
  if (cs_client_is_backward_leader(x->w, k) || cs_client_is_forward_leader(x->w, k))
    return TRUE;
  guint32 next = p + 1 < b->n ? b->members[p + 1] : G_MAXUINT32;
  guint32 prev = p > 0 ? b->members[p - 1] : G_MAXUINT32;
  return cs_client_forward(x->w, k) != next || cs_client_backward(x->w, k) != prev;
}

static void build_items(Ctx *x, Block *b, guint max_clients)
{
  b->items = g_array_new(FALSE, FALSE, sizeof(Item));
  guint8 *keep = g_new0(guint8, MAX(b->n, 1));
  if (b->n <= max_clients) {
    memset(keep, 1, b->n);
  } else {
    for (guint32 p = 0; p < b->n; p++) {
      if (p < CONTEXT || p + CONTEXT >= b->n || remarkable(x, b, p)) {
        guint32 lo = p >= CONTEXT ? p - CONTEXT : 0, hi = MIN(b->n - 1, p + CONTEXT);
        for (guint32 q = lo; q <= hi; q++)
          keep[q] = 1;
      }
    }
  }
  guint32 slot = 0, shown = 0;
  for (guint32 p = 0; p < b->n;) {
    if (shown >= max_clients) {
      b->hidden = b->n - p;
      break;
    }
    Item it;
    memset(&it, 0, sizeof it);
    if (keep[p]) {
      it.kind = IT_CLIENT;
      it.first = it.last = p;
      it.slot = slot++;
      p++;
      shown++;
    } else {
      guint32 q = p;
      while (q < b->n && !keep[q])
        q++;
      if (q - p <= RUN_SLOTS) {
        for (guint32 r = p; r < q; r++)
          keep[r] = 1;
        continue;
      }
      /* A run never straddles two rows. */
      if (slot % x->cols + RUN_SLOTS > x->cols)
        slot += x->cols - slot % x->cols;
      it.kind = IT_RUN;
      it.first = p;
      it.last = q - 1;
      it.slot = slot;
      slot += RUN_SLOTS;
      p = q;
      shown += RUN_SLOTS;
    }
    g_array_append_val(b->items, it);
  }
  b->rows = slot ? (slot + x->cols - 1) / x->cols : 1;
  g_free(keep);
}

static void place_items(Ctx *x, Block *b)
{
  for (guint i = 0; i < b->items->len; i++) {
    Item *it = &g_array_index(b->items, Item, i);
    guint32 row = it->slot / x->cols, col = it->slot % x->cols;
    guint32 width = it->kind == IT_RUN ? RUN_SLOTS : 1;
    double y = b->rows_top + row * ROW_H + ROW_H / 2 + 2;
    double cx;
    if (row % 2 == 0) {
      cx = x->x_left + (col + (width - 1) / 2.0) * SLOT;
    } else {
      /* Right to left: slot col counts from the right edge. */
      double right = x->x_left + (x->cols - 1) * SLOT;
      cx = right - (col + (width - 1) / 2.0) * SLOT;
    }
    it->x = cx;
    it->y = y;
    it->x0 = cx - (width * SLOT) / 2 + 2;
    it->x1 = cx + (width * SLOT) / 2 - 2;
  }
}

/* --- drawing ------------------------------------------------------------------------ */

static void glyph(VizCanvas *c, Ctx *x, guint32 k, double cx, double cy)
{
  cairo_t *cr = c->cr;
  SimNodeId node = cs_world_client_node(x->w, k);
  gboolean up = sim_node_is_up(x->sim, node);
  gboolean bl = up && cs_client_is_backward_leader(x->w, k), fl = up && cs_client_is_forward_leader(x->w, k);
  gboolean refl = up && (cs_client_reflected_backward(x->w, k) || cs_client_reflected_forward(x->w, k));
  gboolean member = up && (bl || fl || cs_client_forward(x->w, k) != G_MAXUINT32 || cs_client_backward(x->w, k) != G_MAXUINT32);
  double r = GLYPH_R;
  cairo_set_line_width(cr, 1.2);
  if (refl) {
    cairo_arc(cr, cx, cy, r + 3.2, 0, 2 * G_PI);
    viz_rgb(cr, C_REFL);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 1.2);
  }
  if (!up) {
    cairo_arc(cr, cx, cy, r, 0, 2 * G_PI);
    viz_rgb(cr, 0xeeeeee);
    cairo_fill_preserve(cr);
    viz_rgb(cr, C_DOWN);
    cairo_stroke(cr);
    cairo_move_to(cr, cx - r * 0.7, cy - r * 0.7);
    cairo_line_to(cr, cx + r * 0.7, cy + r * 0.7);
    cairo_move_to(cr, cx + r * 0.7, cy - r * 0.7);
    cairo_line_to(cr, cx - r * 0.7, cy + r * 0.7);
    viz_rgb(cr, 0x616161);
    cairo_stroke(cr);
  } else if (bl) {
    cairo_rectangle(cr, cx - r - 0.5, cy - r - 0.5, 2 * r + 1, 2 * r + 1);
    viz_rgb(cr, C_BL);
    cairo_fill_preserve(cr);
    viz_rgb(cr, fl ? C_FL : 0x1b5e20);
    cairo_set_line_width(cr, fl ? 2.4 : 1.2);
    cairo_stroke(cr);
  } else if (fl) {
    double d = r + 1.6;
    cairo_move_to(cr, cx, cy - d);
    cairo_line_to(cr, cx + d, cy);
    cairo_line_to(cr, cx, cy + d);
    cairo_line_to(cr, cx - d, cy);
    cairo_close_path(cr);
    viz_rgb(cr, C_FL);
    cairo_fill_preserve(cr);
    viz_rgb(cr, 0x4a148c);
    cairo_stroke(cr);
  } else if (member) {
    cairo_arc(cr, cx, cy, r, 0, 2 * G_PI);
    viz_rgb(cr, C_PEER_FILL);
    cairo_fill_preserve(cr);
    viz_rgb(cr, C_PEER_LINE);
    cairo_stroke(cr);
  } else {
    cairo_arc(cr, cx, cy, r, 0, 2 * G_PI);
    viz_rgb(cr, 0xffffff);
    cairo_fill_preserve(cr);
    viz_rgb(cr, C_DOWN);
    double d[] = { 2, 1.5 };
    cairo_set_dash(cr, d, 2, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
}

/* Drawn over the glyphs, with a white halo, taller than a reflection ring. */
static void zigzag(cairo_t *cr, double x, double y)
{
  for (int pass = 0; pass < 2; pass++) {
    cairo_move_to(cr, x - 1.5, y - 11);
    cairo_line_to(cr, x + 2, y - 4);
    cairo_line_to(cr, x - 2, y + 4);
    cairo_line_to(cr, x + 1.5, y + 11);
    viz_rgb(cr, pass == 0 ? 0xffffff : C_BREAK);
    cairo_set_line_width(cr, pass == 0 ? 4.5 : 2);
    cairo_stroke(cr);
  }
}

/* Whether an item stands for chain members: a break needs one on either side
 * (two unchained clients, as in an isolated subnet, are not a break). */
static gboolean item_in_chain(Ctx *x, Block *b, const Item *it)
{
  if (it->kind == IT_RUN)
    return TRUE;
  guint32 k = b->members[it->first];
  if (!sim_node_is_up(x->sim, cs_world_client_node(x->w, k)))
    return FALSE;
  return cs_client_forward(x->w, k) != G_MAXUINT32 || cs_client_backward(x->w, k) != G_MAXUINT32 ||
         cs_client_is_backward_leader(x->w, k) || cs_client_is_forward_leader(x->w, k);
}

/* Tries label positions around a glyph until one is clear of other text. */
static void leader_label(VizCanvas *c, const char *text, double cx, double cy, guint32 colour)
{
  static const double dx[] = { 0, -1, 1, 0, -1, 1 };
  static const double dy[] = { -1, -1, -1, 1, 1, 1 };
  viz_font(c, 8.5, TRUE);
  for (int i = 0; i < 6; i++) {
    double w = viz_text_width(c, text);
    double lx = cx + dx[i] * (w / 2 + 2);
    double ly = dy[i] < 0 ? cy - GLYPH_R - 5 : cy + GLYPH_R + 5;
    VizVAlign va = dy[i] < 0 ? VIZ_BOTTOM : VIZ_TOP;
    VizRect r = viz_text_box(c, lx, ly, VIZ_CENTER, va, text);
    if (viz_text_free(c, r)) {
      viz_rgb(c->cr, colour);
      viz_text(c, lx, ly, VIZ_CENTER, va, text);
      return;
    }
  }
}

/* The position of client k in the block (members are by address), or
 * G_MAXUINT32 when k is elsewhere (a chain may cross into another subnet
 * when the neighbourhood prefix is wider than the subnet). */
static guint32 pos_of(Ctx *x, Block *b, guint32 k)
{
  guint32 addr = sim_node_addr(x->sim, cs_world_client_node(x->w, k));
  guint lo = 0, hi = b->n;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (sim_node_addr(x->sim, cs_world_client_node(x->w, b->members[mid])) < addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < b->n && b->members[lo] == k ? lo : G_MAXUINT32;
}

static guint32 item_of_pos(Block *b, guint32 p)
{
  /* Items are in position order: binary search. */
  guint lo = 0, hi = b->items->len;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    Item *it = &g_array_index(b->items, Item, mid);
    if (it->last < p)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < b->items->len && g_array_index(b->items, Item, lo).first <= p)
    return lo;
  return G_MAXUINT32;
}

static void draw_block(Ctx *x, Block *b, const char *server_name)
{
  VizCanvas *c = x->c;
  cairo_t *cr = c->cr;
  Sim *sim = x->sim;
  guint8 prefix = sim_subnet_prefix(sim, b->subnet);
  const char *site = sim_site_name(sim, sim_subnet_site(sim, b->subnet));
  double left = MARGIN, right = x->width - MARGIN;
  double y = b->top;
  viz_dest(c, "subnet", b->stats.cidr, left, y);
  /* Header. */
  char *head = g_strdup_printf("%s · %s%s", site, b->stats.cidr,
                               !isolated(b) ? "" : b->stats.external ? " · isolated · external clients" : " · isolated");
  viz_font(c, 11.5, TRUE);
  viz_rgb(cr, 0x102030);
  VizRect hr = viz_text(c, left, y, VIZ_LEFT, VIZ_TOP, head);
  g_free(head);
  char *nc = viz_fmt_count(b->stats.clients);
  GString *s = g_string_new(NULL);
  /* External clients: the zone server they reach (server_name: the core). */
  const char *zone = b->stats.zone != VIZ_NONE ? cs_world_node_name(x->w, cs_world_zone_node(x->w, b->stats.zone)) : NULL;
  if (!zone)
    zone = "?";
  if (isolated(b) && b->stats.external)
    g_string_append_printf(s, "%s external clients · no peering: each its own leader at zone server %s", nc, zone);
  else if (isolated(b))
    g_string_append_printf(s, "%s clients · no peering: each talks to the core server on its own", nc);
  else
    g_string_append_printf(s, "%s clients · %s chain%s · %s BL · %s FL", nc, viz_n(b->stats.chains),
                           b->stats.chains == 1 ? "" : "s", viz_n(b->stats.bl), viz_n(b->stats.fl));
  if (b->stats.refl_f + b->stats.refl_b)
    g_string_append_printf(s, " · reflected %s fwd, %s bwd", viz_n(b->stats.refl_f), viz_n(b->stats.refl_b));
  if (b->stats.down)
    g_string_append_printf(s, " · %s down", viz_n(b->stats.down));
  g_free(nc);
  viz_font(c, 9.5, FALSE);
  viz_rgb(cr, 0x37474f);
  char *fit = viz_text_fit(c, s->str, right - hr.x - hr.w - 16);
  viz_text(c, right, y + 1.5, VIZ_RIGHT, VIZ_TOP, fit);
  g_free(fit);
  g_string_free(s, TRUE);

  /* Rails. */
  double rail_top = y + HEADER_H, rail_bot = b->rows_top + b->rows * ROW_H + 4;
  for (int k = 0; k < 2; k++) {
    double ry = k == 0 ? rail_top : rail_bot;
    viz_round_rect(cr, left, ry, right - left, RAIL_H, 3);
    viz_rgb(cr, 0x2d3e50);
    cairo_fill(cr);
    viz_font(c, 8.5, FALSE);
    viz_rgb(cr, 0xffffff);
    char *label;
    if (isolated(b) && b->stats.external)
      label = k == 0 ? g_strdup_printf("zone server %s, over the hub tunnel from core server %s — questions and "
                                       "actions to each client (TCP 17472)", zone, server_name)
                     : g_strdup_printf("zone server %s — each client's answers, over the hub tunnel to core server %s "
                                       "(TCP 17472)", zone, server_name);
    else if (isolated(b))
      label = k == 0 ? g_strdup_printf("core server %s — questions and actions to each client (TCP 17472)", server_name)
                     : g_strdup_printf("core server %s — answers from each client (TCP 17472)", server_name);
    else
      label = k == 0 ? g_strdup_printf("core server %s — questions and actions pushed to backward leaders (TCP 17472)",
                                       server_name)
                     : g_strdup_printf("core server %s — aggregated answers from forward leaders (TCP 17472)", server_name);
    char *rfit = viz_text_fit(c, label, right - left - 12);
    g_free(label);
    label = rfit;
    viz_text(c, left + 6, ry + RAIL_H / 2, VIZ_LEFT, VIZ_MIDDLE, label);
    g_free(label);
  }

  /* Leader connections first, under everything (not in an isolated
   * subnet: every client there has its own, as the rails say). */
  for (guint i = 0; i < b->items->len && !isolated(b); i++) {
    Item *it = &g_array_index(b->items, Item, i);
    if (it->kind != IT_CLIENT)
      continue;
    guint32 k = b->members[it->first];
    if (!sim_node_is_up(sim, cs_world_client_node(x->w, k)))
      continue;
    cairo_set_line_width(cr, 1.3);
    if (cs_client_is_backward_leader(x->w, k)) {
      viz_rgba(cr, C_BL, 0.55);
      cairo_move_to(cr, it->x - 1.5, rail_top + RAIL_H);
      cairo_line_to(cr, it->x - 1.5, it->y - GLYPH_R - 6);
      cairo_stroke(cr);
      viz_arrow_head(cr, it->x - 1.5, rail_top + RAIL_H, it->x - 1.5, it->y - GLYPH_R - 1, 5);
    }
    if (cs_client_is_forward_leader(x->w, k)) {
      viz_rgba(cr, C_FL, 0.55);
      cairo_move_to(cr, it->x + 1.5, it->y + GLYPH_R + 1);
      cairo_line_to(cr, it->x + 1.5, rail_bot - 5);
      cairo_stroke(cr);
      viz_arrow_head(cr, it->x + 1.5, it->y, it->x + 1.5, rail_bot, 5);
    }
  }

  /* Forward links, and breaks where no forward link crosses a gap (drawn
   * after the glyphs). */
  GArray *breaks = g_array_new(FALSE, FALSE, sizeof(double));
  gint64 reach = -1; /* furthest position a forward link reaches so far */
  for (guint i = 0; i < b->items->len; i++) {
    Item *it = &g_array_index(b->items, Item, i);
    if (it->kind == IT_RUN) {
      reach = MAX(reach, (gint64) it->last + 1);
    } else {
      guint32 k = b->members[it->first];
      guint32 f = sim_node_is_up(sim, cs_world_client_node(x->w, k)) ? cs_client_forward(x->w, k) : G_MAXUINT32;
      if (f != G_MAXUINT32) {
        /* Where is f?  Usually the next position. */
        guint32 fp = it->first + 1 < b->n && b->members[it->first + 1] == f ? it->first + 1 : pos_of(x, b, f);
        guint32 fi = fp == G_MAXUINT32 ? G_MAXUINT32 : item_of_pos(b, fp);
        if (fi != G_MAXUINT32) {
          Item *to = &g_array_index(b->items, Item, fi);
          double tx = to->kind == IT_RUN ? (to->y == it->y && to->x0 < it->x ? to->x1 : to->x0) : to->x;
          if (to->kind == IT_RUN && to->y == it->y)
            tx = fabs(to->x0 - it->x) < fabs(to->x1 - it->x) ? to->x0 : to->x1;
          cairo_set_line_width(cr, 1.4);
          viz_rgb(cr, C_LINK);
          if (fp == it->first + 1 || to->y != it->y) {
            cairo_move_to(cr, it->x, it->y);
            cairo_line_to(cr, tx, to->y);
          } else {
            /* Skips clients (down ones): an arc over them. */
            double h = MIN(16.0, 5 + fabs(tx - it->x) / 6);
            cairo_move_to(cr, it->x, it->y - GLYPH_R);
            cairo_curve_to(cr, it->x, it->y - h, tx, to->y - h, tx, to->y - GLYPH_R);
          }
          if (fp < it->first) {
            double d[] = { 3, 2 };
            cairo_set_dash(cr, d, 2, 0);
          }
          cairo_stroke(cr);
          cairo_set_dash(cr, NULL, 0, 0);
        }
        if (fp != G_MAXUINT32 && fp > it->first)
          reach = MAX(reach, (gint64) fp);
      }
    }
    /* A break between this item and the next one? */
    if (i + 1 < b->items->len) {
      Item *nx = &g_array_index(b->items, Item, i + 1);
      if (!isolated(b) && reach < (gint64) nx->first && (item_in_chain(x, b, it) || item_in_chain(x, b, nx))) {
        /* Halfway to the next item in the same row; past the row's end
         * (in reading direction) when the next item starts a new row. */
        double zx;
        if (nx->y == it->y) {
          double a = it->kind == IT_RUN ? (nx->x > it->x ? it->x1 : it->x0) : it->x;
          double b2 = nx->kind == IT_RUN ? (nx->x > it->x ? nx->x0 : nx->x1) : nx->x;
          zx = (a + b2) / 2;
        } else {
          gboolean ltr = (it->slot / x->cols) % 2 == 0;
          zx = (ltr ? (it->kind == IT_RUN ? it->x1 : it->x) : (it->kind == IT_RUN ? it->x0 : it->x)) +
               (ltr ? SLOT / 2 : -SLOT / 2);
        }
        double at[2] = { zx, it->y };
        g_array_append_vals(breaks, at, 2);
      }
    }
  }

  /* Runs, glyphs, labels. */
  for (guint i = 0; i < b->items->len; i++) {
    Item *it = &g_array_index(b->items, Item, i);
    if (it->kind == IT_RUN) {
      viz_round_rect(cr, it->x0, it->y - 7, it->x1 - it->x0, 14, 7);
      viz_rgb(cr, C_PEER_FILL);
      cairo_fill_preserve(cr);
      viz_rgb(cr, C_PEER_LINE);
      cairo_set_line_width(cr, 1);
      cairo_stroke(cr);
      char *n = viz_fmt_count(it->last - it->first + 1);
      char *t = g_strdup_printf("… %s …", n);
      viz_font(c, 8.5, FALSE);
      viz_rgb(cr, 0x01579b);
      char *f = viz_text_fit(c, t, it->x1 - it->x0 - 4);
      viz_text(c, it->x, it->y, VIZ_CENTER, VIZ_MIDDLE, f);
      g_free(f);
      g_free(t);
      g_free(n);
    } else {
      glyph(c, x, b->members[it->first], it->x, it->y);
    }
  }
  for (guint i = 0; i + 1 < breaks->len; i += 2)
    zigzag(cr, g_array_index(breaks, double, i), g_array_index(breaks, double, i + 1));
  g_array_free(breaks, TRUE);
  for (guint i = 0; i < b->items->len; i++) {
    Item *it = &g_array_index(b->items, Item, i);
    if (it->kind != IT_CLIENT)
      continue;
    guint32 k = b->members[it->first];
    if (!sim_node_is_up(sim, cs_world_client_node(x->w, k)))
      continue;
    gboolean bl = cs_client_is_backward_leader(x->w, k), fl = cs_client_is_forward_leader(x->w, k);
    if ((!bl && !fl) || isolated(b))
      continue;
    gboolean refl = cs_client_reflected_backward(x->w, k) || cs_client_reflected_forward(x->w, k);
    const char *base = bl && fl ? "BL/FL" : bl ? "BL" : "FL";
    char *t = g_strdup_printf("%s%s", base, refl ? "*" : "");
    leader_label(c, t, it->x, it->y, bl ? C_BL : C_FL);
    char a[16];
    viz_dest(c, "leader", sim_addr_format(sim_node_addr(sim, cs_world_client_node(x->w, k)), a), it->x, it->y);
    g_free(t);
  }

  /* Row addresses in the margins. */
  viz_font(c, 8.5, FALSE);
  viz_rgb(cr, 0x546e7a);
  for (guint32 row = 0; row < b->rows; row++) {
    gint lo = -1, hi = -1; /* items at the left and right ends */
    for (guint i = 0; i < b->items->len; i++) {
      Item *it = &g_array_index(b->items, Item, i);
      if (it->slot / x->cols != row)
        continue;
      if (lo < 0 || it->x < g_array_index(b->items, Item, lo).x)
        lo = (gint) i;
      if (hi < 0 || it->x > g_array_index(b->items, Item, hi).x)
        hi = (gint) i;
    }
    if (lo < 0)
      continue;
    Item *l = &g_array_index(b->items, Item, lo), *h = &g_array_index(b->items, Item, hi);
    /* Left end: the run's first address reading left to right. */
    guint32 lp = row % 2 == 0 ? l->first : l->last, hp = row % 2 == 0 ? h->last : h->first;
    char *ls = short_addr(x, b->members[lp], prefix), *hs = short_addr(x, b->members[hp], prefix);
    /* Beside the row's end items (a short last row ends early). */
    double lx = (l->kind == IT_RUN ? l->x0 : l->x - GLYPH_R) - 8, hx = (h->kind == IT_RUN ? h->x1 : h->x + GLYPH_R) + 8;
    viz_text(c, lx, l->y, VIZ_RIGHT, VIZ_MIDDLE, ls);
    viz_text(c, hx, h->y, VIZ_LEFT, VIZ_MIDDLE, hs);
    g_free(ls);
    g_free(hs);
  }
  if (b->hidden) {
    char *n = viz_fmt_count(b->hidden);
    char *t = g_strdup_printf("+ %s more clients not drawn (raise max_clients or draw this subnet alone)", n);
    viz_font(c, 9, FALSE);
    viz_rgb(cr, 0x37474f);
    viz_text(c, left, rail_bot + RAIL_H + 3, VIZ_LEFT, VIZ_TOP, t);
    g_free(t);
    g_free(n);
  }
}

/* Legend: glyph samples and their meaning, wrapped to the width. */
static double legend(Ctx *x, double y, gboolean draw)
{
  static const char *items[] = { "peer in a chain", "backward leader (BL)", "forward leader (FL)",
                                 "reflected leader (*)", "down", "not in a chain", "break", "… n plain chained peers …" };
  VizCanvas *c = x->c;
  double lx = MARGIN, right = x->width - MARGIN;
  viz_font(c, 9.5, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS(items); i++) {
    double w = 18 + viz_text_width(c, items[i]) + 18;
    if (lx + w > right && lx > MARGIN) {
      lx = MARGIN;
      y += 16;
    }
    if (draw) {
      cairo_t *cr = c->cr;
      double cx = lx + 7, cy = y + 7;
      cairo_set_line_width(cr, 1.2);
      switch (i) {
      case 0:
        cairo_arc(cr, cx, cy, GLYPH_R, 0, 2 * G_PI);
        viz_rgb(cr, C_PEER_FILL);
        cairo_fill_preserve(cr);
        viz_rgb(cr, C_PEER_LINE);
        cairo_stroke(cr);
        break;
      case 1:
        cairo_rectangle(cr, cx - GLYPH_R, cy - GLYPH_R, 2 * GLYPH_R, 2 * GLYPH_R);
        viz_rgb(cr, C_BL);
        cairo_fill(cr);
        break;
      case 2:
        cairo_move_to(cr, cx, cy - 6);
        cairo_line_to(cr, cx + 6, cy);
        cairo_line_to(cr, cx, cy + 6);
        cairo_line_to(cr, cx - 6, cy);
        cairo_close_path(cr);
        viz_rgb(cr, C_FL);
        cairo_fill(cr);
        break;
      case 3:
        cairo_arc(cr, cx, cy, GLYPH_R + 2.2, 0, 2 * G_PI);
        viz_rgb(cr, C_REFL);
        cairo_set_line_width(cr, 2);
        cairo_stroke(cr);
        break;
      case 4:
        cairo_arc(cr, cx, cy, GLYPH_R, 0, 2 * G_PI);
        viz_rgb(cr, C_DOWN);
        cairo_stroke(cr);
        cairo_move_to(cr, cx - 3, cy - 3);
        cairo_line_to(cr, cx + 3, cy + 3);
        cairo_move_to(cr, cx + 3, cy - 3);
        cairo_line_to(cr, cx - 3, cy + 3);
        cairo_stroke(cr);
        break;
      case 5: {
        cairo_arc(cr, cx, cy, GLYPH_R, 0, 2 * G_PI);
        double d[] = { 2, 1.5 };
        cairo_set_dash(cr, d, 2, 0);
        viz_rgb(cr, C_DOWN);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        break;
      }
      case 6:
        zigzag(cr, cx, cy);
        break;
      default:
        viz_round_rect(cr, cx - 7, cy - 5, 14, 10, 5);
        viz_rgb(cr, C_PEER_FILL);
        cairo_fill_preserve(cr);
        viz_rgb(cr, C_PEER_LINE);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        break;
      }
      viz_rgb(cr, 0x263238);
      viz_font(c, 9.5, FALSE);
      viz_text(c, lx + 18, cy, VIZ_LEFT, VIZ_MIDDLE, items[i]);
    }
    lx += w;
  }
  return y + 16;
}

static gint cmp_interest(gconstpointer a, gconstpointer b, gpointer data)
{
  const VizSubnet *s = data;
  const VizSubnet *x = &s[*(const guint32 *) a], *y = &s[*(const guint32 *) b];
  guint32 ix = x->chains + x->down + x->refl_f + x->refl_b, iy = y->chains + y->down + y->refl_f + y->refl_b;
  if (ix != iy)
    return ix > iy ? -1 : 1;
  return x->subnet < y->subnet ? -1 : x->subnet > y->subnet;
}

static gint cmp_base(gconstpointer a, gconstpointer b, gpointer data)
{
  Sim *sim = data;
  guint32 x = sim_subnet_base(sim, *(const guint32 *) a), y = sim_subnet_base(sim, *(const guint32 *) b);
  return x < y ? -1 : x > y;
}

gboolean cs_viz_chains(CsWorld *w, const char *path, const CsTarget *scope, const CsVizOptions *o, GError **err)
{
  g_return_val_if_fail(w != NULL && path != NULL, FALSE);
  if (!viz_check_figure_format(path, err))
    return FALSE;
  Sim *sim = cs_world_sim(w);
  guint32 nsub = sim_subnet_count(sim), nc = cs_world_client_count(w);
  CsTarget all = { CS_TARGET_ALL, 0 };
  if (!scope)
    scope = &all;
  /* Which subnets, in which order. */
  GArray *sel = g_array_new(FALSE, FALSE, sizeof(guint32));
  VizSubnet *stats = viz_subnets_read(w, NULL);
  char *what = NULL;
  switch (scope->kind) {
  case CS_TARGET_SUBNET:
  case CS_TARGET_CLIENT: {
    guint32 s = scope->id;
    if (scope->kind == CS_TARGET_CLIENT) {
      if (scope->id >= nc) {
        g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_SCOPE, "chains: no client %u (the world has %u)", scope->id, nc);
        goto fail;
      }
      s = sim_node_subnet(sim, cs_world_client_node(w, scope->id));
    } else if (s >= nsub) {
      g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_SCOPE, "chains: no subnet %u (the world has %u)", s, nsub);
      goto fail;
    }
    g_array_append_val(sel, s);
    what = g_strdup_printf("subnet %s in %s", stats[s].cidr, sim_site_name(sim, sim_subnet_site(sim, s)));
    break;
  }
  case CS_TARGET_SITE:
    if (scope->id >= sim_site_count(sim)) {
      g_set_error(err, CS_VIZ_ERROR, CS_VIZ_ERROR_SCOPE, "chains: no site %u (the world has %u)", scope->id,
                  sim_site_count(sim));
      goto fail;
    }
    for (guint32 s = 0; s < nsub; s++)
      if (sim_subnet_site(sim, s) == scope->id && stats[s].clients)
        g_array_append_val(sel, s);
    g_array_sort_with_data(sel, cmp_base, sim);
    what = g_strdup_printf("site %s", sim_site_name(sim, scope->id));
    break;
  default:
    for (guint32 s = 0; s < nsub; s++)
      if (stats[s].clients)
        g_array_append_val(sel, s);
    g_array_sort_with_data(sel, cmp_interest, stats);
    what = g_strdup("subnets with the most chains");
    break;
  }
  {
    guint max_subnets = o && o->max_subnets ? o->max_subnets : 12;
    guint max_clients = o && o->max_clients ? o->max_clients : 400;
    guint nblocks = MIN(sel->len, max_subnets);
    Ctx x = { w, sim, NULL, o && o->width > 0 ? MAX(o->width, 480) : DEFAULT_W, 0, 0 };
    x.cols = (guint) MAX(RUN_SLOTS + 1, floor((x.width - 2 * MARGIN - 2 * ROW_LABEL_W) / SLOT));
    x.x_left = MARGIN + ROW_LABEL_W + SLOT / 2;
    /* Members of the drawn subnets, by address. */
    guint32 *block_of = g_new(guint32, MAX(nsub, 1));
    for (guint32 s = 0; s < nsub; s++)
      block_of[s] = G_MAXUINT32;
    Block *blocks = g_new0(Block, MAX(nblocks, 1));
    for (guint i = 0; i < nblocks; i++) {
      guint32 s = g_array_index(sel, guint32, i);
      block_of[s] = i;
      blocks[i].subnet = s;
      blocks[i].stats = stats[s];
      blocks[i].members = g_new(guint32, MAX(stats[s].clients, 1));
    }
    for (guint32 k = 0; k < nc; k++) {
      guint32 bi = block_of[sim_node_subnet(sim, cs_world_client_node(w, k))];
      if (bi != G_MAXUINT32)
        blocks[bi].members[blocks[bi].n++] = k;
    }
    const char *server_name = cs_world_server_count(w) ? cs_world_node_name(w, cs_world_server_node(w, 0)) : NULL;
    if (!server_name)
      server_name = "(none)";
    /* Layout. */
    VizCanvas *m = viz_measure_new(o);
    x.c = m;
    double y = MARGIN + 46;
    y = legend(&x, y, FALSE) + 10;
    for (guint i = 0; i < nblocks; i++) {
      Block *b = &blocks[i];
      g_qsort_with_data(b->members, (gint) b->n, sizeof(guint32), cmp_addr, &x);
      build_items(&x, b, max_clients);
      b->top = y;
      b->rows_top = y + HEADER_H + RAIL_H + 6;
      place_items(&x, b);
      b->h = HEADER_H + RAIL_H + 6 + b->rows * ROW_H + 4 + RAIL_H + (b->hidden ? 16 : 0);
      y += b->h + BLOCK_GAP;
    }
    guint64 rest_clients = 0, rest_chains = 0;
    for (guint i = nblocks; i < sel->len; i++) {
      rest_clients += stats[g_array_index(sel, guint32, i)].clients;
      rest_chains += stats[g_array_index(sel, guint32, i)].chains;
    }
    if (sel->len > nblocks || sel->len == 0)
      y += 16;
    double height = y + MARGIN - BLOCK_GAP + 8;
    viz_canvas_free(m);

    char *title = o && o->title ? g_strdup(o->title) : g_strdup_printf("Chains — %s", what);
    VizCanvas *c = viz_canvas_new(path, x.width, height, title, o, err);
    gboolean ok = FALSE;
    if (c) {
      x.c = c;
      viz_font(c, 16, TRUE);
      viz_rgb(c->cr, 0x102030);
      char *tfit = viz_text_fit(c, title, x.width - 2 * MARGIN);
      viz_text(c, MARGIN, MARGIN, VIZ_LEFT, VIZ_TOP, tfit);
      g_free(tfit);
      guint64 t_clients = 0, t_chains = 0, t_bl = 0, t_fl = 0, t_refl = 0, t_down = 0;
      for (guint i = 0; i < sel->len; i++) {
        const VizSubnet *v = &stats[g_array_index(sel, guint32, i)];
        t_clients += v->clients;
        t_chains += v->chains;
        t_bl += v->bl;
        t_fl += v->fl;
        t_refl += v->refl_f + v->refl_b;
        t_down += v->down;
      }
      char *at = viz_fmt_time(sim_now(sim)), *ncl = viz_fmt_count(t_clients), *nch = viz_fmt_count(t_chains);
      char *sub = g_strdup_printf("state at t = %s · %s clients in %s subnet%s · %s chains · %s BL · %s FL · %s "
                                  "reflected · %s down · chains run in address order",
                                  at, ncl, viz_n(sel->len), sel->len == 1 ? "" : "s", nch, viz_n(t_bl), viz_n(t_fl),
                                  viz_n(t_refl), viz_n(t_down));
      viz_font(c, 10, FALSE);
      viz_rgb(c->cr, 0x37474f);
      char *sfit = viz_text_fit(c, sub, x.width - 2 * MARGIN);
      viz_text(c, MARGIN, MARGIN + 22, VIZ_LEFT, VIZ_TOP, sfit);
      g_free(sfit);
      g_free(sub);
      g_free(at);
      g_free(ncl);
      g_free(nch);
      legend(&x, MARGIN + 46, TRUE);
      for (guint i = 0; i < nblocks; i++)
        draw_block(&x, &blocks[i], server_name);
      if (sel->len > nblocks || sel->len == 0) {
        char *t;
        if (sel->len == 0) {
          t = g_strdup("no clients in this scope");
        } else {
          char *rc = viz_fmt_count(rest_clients), *rch = viz_fmt_count(rest_chains);
          t = g_strdup_printf("+ %s more subnets not drawn: %s clients, %s chains (draw a site or subnet, or raise max_subnets)",
                              viz_n(sel->len - nblocks), rc, rch);
          g_free(rc);
          g_free(rch);
        }
        viz_font(c, 10, FALSE);
        viz_rgb(c->cr, 0x37474f);
        viz_text(c, MARGIN, height - MARGIN - 14, VIZ_LEFT, VIZ_TOP, t);
        g_free(t);
      }
      ok = viz_canvas_commit(c, err);
    }
    g_free(title);
    for (guint i = 0; i < nblocks; i++) {
      g_free(blocks[i].members);
      if (blocks[i].items)
        g_array_free(blocks[i].items, TRUE);
    }
    g_free(blocks);
    g_free(block_of);
    g_free(what);
    g_array_free(sel, TRUE);
    g_free(stats);
    return ok;
  }
fail:
  g_free(what);
  g_array_free(sel, TRUE);
  g_free(stats);
  return FALSE;
}
