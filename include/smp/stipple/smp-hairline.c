/* smp-hairline.c: hairline strokes, their scalp side, and an exact signed distance.
 * A lazily filled cell index keeps queries fast; each answer is a pure function of the point. */
#include <smp/smp-hairline.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>

#include <math.h>
#include <string.h>

#define SIMPLIFY_TOLERANCE_PX 0.1 /* far below any dot: 0.1 px is 0.005 mm at 20 px/mm */
#define MAX_COORDINATE_PX     1e7
/* Shorter segments are merged away (their length squared would underflow or give
 * a meaningless normal); a stroke shorter than the tolerance has no length. */
#define MIN_SEGMENT_PX        1e-3

typedef struct
{
  double  ax, ay, dx, dy, len2;
  double  nx, ny;   /* unit normal to the left of the direction, as seen on screen (y down) */
  guint32 stroke;
  gint32  prev;     /* segment sharing this one's start, -1 at an open end */
  gint32  next;     /* segment sharing this one's end */
} Segment;

typedef struct
{
  gboolean closed;
  int      scalp_sign; /* +1: scalp on the left; -1: on the right */
  guint    first, n;   /* its segments */
  guint    group;      /* 0: all open strokes together; 1 + k: the k-th closed stroke */
  double   signed_area;
  double   x0, y0, x1, y1; /* bounding box: a closed stroke's inside ends there */
} Stroke;

/* Candidate segments for one cell, in lists of one group each: only the groups
 * that can decide some point of the cell, so a cell's cost is the nearby strokes',
 * not one per closed stroke of the whole hairline. List k is the group data[2k]
 * with the segments data[2n + data[2k-1]] .. data[2n + data[2k+1]] (from 0 for
 * k = 0), n = n_lists. */
typedef struct
{
  guint32 n_lists;
  guint32 data[]; /* n_lists (group, end) pairs, then segment indices */
} CellList;

#define LIST_GROUP(c, k) ((c)->data[2 * (k)])
#define LIST_BEGIN(c, k) ((k) ? (c)->data[2 * (k) - 1] : 0u)
#define LIST_END(c, k)   ((c)->data[2 * (k) + 1])
#define LIST_SEG(c, j)   ((c)->data[2 * (c)->n_lists + (j)])

struct _SmpHairline
{
  gatomicrefcount ref;
  GArray         *strokes;  /* Stroke */
  GArray         *segments; /* Segment */
  guint           n_groups;
  gboolean        has_open;
  double          length;
  double          bx0, by0, bx1, by1;

  /* The cell index, remade by resolve_side: every segment by group (the source
   * of the coarse cells), the fine and the coarse cells. */
  CellList       *all;
  double          gx0, gy0, cell;
  int             gw, gh;
  gpointer       *cells;
  int             cw, ch;  /* coarse cells: COARSE × COARSE fine ones */
  gpointer       *coarse;
};

#define COARSE 8

SmpHairline *
smp_hairline_new (void)
{
  SmpHairline *h = g_new0 (SmpHairline, 1);

  g_atomic_ref_count_init (&h->ref);
  h->strokes = g_array_new (FALSE, FALSE, sizeof (Stroke));
  h->segments = g_array_new (FALSE, FALSE, sizeof (Segment));
  h->bx0 = h->by0 = INFINITY;
  h->bx1 = h->by1 = -INFINITY;
  return h;
}

SmpHairline *
smp_hairline_ref (SmpHairline *hairline)
{
  g_return_val_if_fail (hairline != NULL, NULL);
  g_atomic_ref_count_inc (&hairline->ref);
  return hairline;
}

static void
drop_cells (SmpHairline *h)
{
  if (h->cells)
    for (gsize i = 0; i < (gsize) h->gw * h->gh; i++)
      g_free (h->cells[i]);
  if (h->coarse)
    for (gsize i = 0; i < (gsize) h->cw * h->ch; i++)
      g_free (h->coarse[i]);
  g_clear_pointer (&h->cells, g_free);
  g_clear_pointer (&h->coarse, g_free);
  g_clear_pointer (&h->all, g_free);
  h->gw = h->gh = h->cw = h->ch = 0;
}

void
smp_hairline_unref (SmpHairline *hairline)
{
  if (!hairline || !g_atomic_ref_count_dec (&hairline->ref))
    return;
  drop_cells (hairline);
  g_array_unref (hairline->strokes);
  g_array_unref (hairline->segments);
  g_free (hairline);
}

static double
point_segment_dist2 (double px, double py, double ax, double ay, double bx, double by)
{
  double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0.0;
  double qx, qy;

  t = CLAMP (t, 0.0, 1.0);
  qx = ax + t * dx - px;
  qy = ay + t * dy - py;
  return qx * qx + qy * qy;
}

/* Douglas-Peucker: GIMP's interpolation gives a point every fraction of a pixel;
 * far fewer segments give the same line and much faster queries. Any interior
 * point is a valid split of a chord that fails (every kept point is on the line,
 * every dropped one within the tolerance of its chord), so when the farthest
 * point sits in the outer quarters of a range we split at the farthest point of
 * its middle half instead: each range then shrinks to at most 3/4, at most
 * log_{4/3} n levels of one scan each, O(n log n) whatever the shape. (Splitting
 * only at the farthest point is O(n^2) on a zigzag of equal teeth.) */
static void
simplify (const double *xy, gsize n, GArray *out)
{
  g_autofree guint8 *keep = g_new0 (guint8, n);
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize ends[2] = { 0, n - 1 };

  keep[0] = keep[n - 1] = 1;
  g_array_append_vals (stack, ends, 2);
  while (stack->len)
    {
      gsize hi = g_array_index (stack, gsize, stack->len - 1);
      gsize lo = g_array_index (stack, gsize, stack->len - 2);
      gsize q0 = lo + (hi - lo) / 4, q1 = hi - (hi - lo) / 4;
      double worst = 0, worst_mid = -1;
      gsize  at = lo, at_mid = q0;

      g_array_set_size (stack, stack->len - 2);
      for (gsize i = lo + 1; i < hi; i++)
        {
          double d = point_segment_dist2 (xy[2 * i], xy[2 * i + 1], xy[2 * lo], xy[2 * lo + 1],
                                          xy[2 * hi], xy[2 * hi + 1]);
          if (d > worst)
            worst = d, at = i;
          if (i >= q0 && i <= q1 && d > worst_mid)
            worst_mid = d, at_mid = i;
        }
      if (worst > SIMPLIFY_TOLERANCE_PX * SIMPLIFY_TOLERANCE_PX)
        {
          gsize split = hi - lo < 8 || (at >= q0 && at <= q1) ? at : at_mid;
          gsize a[2] = { lo, split }, b[2] = { split, hi };
          keep[split] = 1;
          g_array_append_vals (stack, a, 2);
          g_array_append_vals (stack, b, 2);
        }
    }
  for (gsize i = 0; i < n; i++)
    if (keep[i])
      g_array_append_vals (out, &xy[2 * i], 2);
}

/* Degenerate segments, dropped once here so that no query divides by a zero (or
 * underflowing) length: a point nearer than MIN_SEGMENT_PX to the last kept one
 * merges into it (the line moves by less than that); the stroke's own end stays
 * exact. A ring also loses a closing segment that short. */
static void
drop_short_segments (GArray *pts, gboolean closed)
{
  double *p = (double *) pts->data;
  gsize   n = pts->len / 2, m = n ? 1 : 0;

#define GAP(i, j) hypot (p[2 * (i)] - p[2 * (j)], p[2 * (i) + 1] - p[2 * (j) + 1])
  for (gsize i = 1; i < n; i++)
    if (GAP (i, m - 1) >= MIN_SEGMENT_PX)
      {
        p[2 * m] = p[2 * i];
        p[2 * m + 1] = p[2 * i + 1];
        m++;
      }
  if (!closed && m > 1 && GAP (n - 1, m - 1) > 0)
    {
      /* The end was merged: it replaces the last kept point, and so may the ones
       * before it that are now too near. */
      p[2 * m - 2] = p[2 * n - 2];
      p[2 * m - 1] = p[2 * n - 1];
      while (m > 2 && GAP (m - 1, m - 2) < MIN_SEGMENT_PX)
        {
          p[2 * m - 4] = p[2 * m - 2];
          p[2 * m - 3] = p[2 * m - 1];
          m--;
        }
    }
  while (closed && m > 1 && GAP (m - 1, 0) < MIN_SEGMENT_PX)
    m--;
#undef GAP
  g_array_set_size (pts, 2 * m);
}

gboolean
smp_hairline_add_stroke (SmpHairline  *hairline,
                         const double *xy,
                         gsize         n_points,
                         gboolean      closed,
                         GError      **error)
{
  g_autoptr (GArray) clean = NULL;
  g_autoptr (GArray) pts = NULL;
  Stroke  stroke = { 0 };
  double  length = 0, area = 0;
  gsize   n;

  g_return_val_if_fail (hairline != NULL, FALSE);
  g_return_val_if_fail (xy != NULL || n_points == 0, FALSE);

  if (n_points == 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY, _("the hairline stroke is empty"));
      return FALSE;
    }
  clean = g_array_sized_new (FALSE, FALSE, sizeof (double), 2 * n_points);
  for (gsize i = 0; i < n_points; i++)
    {
      double x = xy[2 * i], y = xy[2 * i + 1];
      gsize  m = clean->len / 2;

      if (!isfinite (x) || !isfinite (y) || fabs (x) > MAX_COORDINATE_PX || fabs (y) > MAX_COORDINATE_PX)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                       _("point %lu of the hairline stroke is not a usable "
                       "coordinate (%g, %g)"), (gulong) (i + 1), x, y);
          return FALSE;
        }
      if (m > 0 && g_array_index (clean, double, 2 * m - 2) == x &&
          g_array_index (clean, double, 2 * m - 1) == y)
        continue; /* repeated point */
      g_array_append_val (clean, x);
      g_array_append_val (clean, y);
    }
  n = clean->len / 2;
  if (closed && n > 1 && g_array_index (clean, double, 0) == g_array_index (clean, double, 2 * n - 2) &&
      g_array_index (clean, double, 1) == g_array_index (clean, double, 2 * n - 1))
    g_array_set_size (clean, 2 * --n);
  if (n < 2)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("the hairline stroke has no length (fewer than two distinct points)"));
      return FALSE;
    }

  pts = g_array_new (FALSE, FALSE, sizeof (double));
  if (closed)
    {
      /* Simplify the ring as an open line that returns to its start. */
      double first[2] = { g_array_index (clean, double, 0), g_array_index (clean, double, 1) };
      g_array_append_vals (clean, first, 2); /* not clean->data: appending may move it */
      simplify ((const double *) clean->data, n + 1, pts);
      g_array_set_size (pts, pts->len - 2);
    }
  else
    simplify ((const double *) clean->data, n, pts);
  drop_short_segments (pts, closed);
  n = pts->len / 2;

  {
    const double *p = (const double *) pts->data;
    gsize n_seg = closed ? n : n - 1;
    for (gsize i = 0; i < n_seg; i++)
      {
        gsize j = (i + 1) % n;
        length += hypot (p[2 * j] - p[2 * i], p[2 * j + 1] - p[2 * i + 1]);
        area += p[2 * i] * p[2 * j + 1] - p[2 * j] * p[2 * i + 1];
      }
    area *= 0.5;
  }
  /* The rule for degenerate strokes: a stroke that collapses to less than the
   * simplification tolerance (a stray click, an out-and-back within 0.1 px,
   * "M 0 0 L 1e-200 0") has no length and is refused, the hairline unchanged;
   * callers with several strokes skip it (see smp_hairline_add_stroke). */
  if (n < 2 || !(length >= SIMPLIFY_TOLERANCE_PX))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("the hairline stroke has no length (it spans %.2g px, under %.1f px)"),
                   length, SIMPLIFY_TOLERANCE_PX);
      return FALSE;
    }
  if (closed && (n < 3 || fabs (area) < 1e-6 * MAX (length * length, 1e-12)))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("the closed hairline stroke encloses no area"));
      return FALSE;
    }

  stroke.closed = closed;
  stroke.first = hairline->segments->len;
  stroke.n = closed ? n : n - 1;
  stroke.scalp_sign = closed ? (area > 0 ? -1 : 1) : 1;
  stroke.signed_area = area;
  stroke.x0 = stroke.y0 = INFINITY;
  stroke.x1 = stroke.y1 = -INFINITY;
  if (closed)
    stroke.group = ++hairline->n_groups;
  else
    {
      stroke.group = 0;
      hairline->has_open = TRUE;
    }

  {
    const double *p = (const double *) pts->data;
    guint32 index = hairline->strokes->len;
    for (guint i = 0; i < stroke.n; i++)
      {
        gsize   j = (i + 1) % n;
        Segment s;
        double  len;

        s.ax = p[2 * i];
        s.ay = p[2 * i + 1];
        s.dx = p[2 * j] - s.ax;
        s.dy = p[2 * j + 1] - s.ay;
        s.len2 = s.dx * s.dx + s.dy * s.dy;
        len = sqrt (s.len2);
        /* Left of the direction on screen, where y grows downward. */
        s.nx = s.dy / len;
        s.ny = -s.dx / len;
        s.stroke = index;
        s.prev = i > 0 ? (gint32) (stroke.first + i - 1) : closed ? (gint32) (stroke.first + stroke.n - 1) : -1;
        s.next = i + 1 < stroke.n ? (gint32) (stroke.first + i + 1) : closed ? (gint32) stroke.first : -1;
        g_array_append_val (hairline->segments, s);
        stroke.x0 = MIN (stroke.x0, MIN (s.ax, s.ax + s.dx));
        stroke.y0 = MIN (stroke.y0, MIN (s.ay, s.ay + s.dy));
        stroke.x1 = MAX (stroke.x1, MAX (s.ax, s.ax + s.dx));
        stroke.y1 = MAX (stroke.y1, MAX (s.ay, s.ay + s.dy));
      }
  }
  hairline->bx0 = MIN (hairline->bx0, stroke.x0);
  hairline->by0 = MIN (hairline->by0, stroke.y0);
  hairline->bx1 = MAX (hairline->bx1, stroke.x1);
  hairline->by1 = MAX (hairline->by1, stroke.y1);
  g_array_append_val (hairline->strokes, stroke);
  hairline->length += length;
  drop_cells (hairline);
  return TRUE;
}

guint
smp_hairline_get_n_strokes (const SmpHairline *hairline)
{
  g_return_val_if_fail (hairline != NULL, 0);
  return hairline->strokes->len;
}

double
smp_hairline_get_length_px (const SmpHairline *hairline)
{
  g_return_val_if_fail (hairline != NULL, 0);
  return hairline->length;
}

gboolean
smp_hairline_get_bounds (const SmpHairline *hairline, double *x0, double *y0, double *x1, double *y1)
{
  g_return_val_if_fail (hairline != NULL, FALSE);
  if (hairline->strokes->len == 0)
    return FALSE;
  if (x0) *x0 = hairline->bx0;
  if (y0) *y0 = hairline->by0;
  if (x1) *x1 = hairline->bx1;
  if (y1) *y1 = hairline->by1;
  return TRUE;
}

/* ---- side resolution ---- */

/* How much of the mask lies on each side of the stroke, sampled 1 to 24 mm off
 * the line along its length (left: the left normal's side). */
static void
mask_cover (const SmpHairline *h, const Stroke *st, const SmpMask *mask, double px_per_mm,
            double *left, double *right)
{
  static const double offsets_mm[] = { 1, 3, 6, 12, 24 };

  *left = *right = 0;
  for (guint i = 0; i < st->n; i++)
    {
      const Segment *s = &g_array_index (h->segments, Segment, st->first + i);
      double len = sqrt (s->len2);
      int    stations = (int) CLAMP (len / (2.0 * px_per_mm), 1, 64);

      for (int k = 0; k < stations; k++)
        {
          double t = (k + 0.5) / stations;
          double x = s->ax + t * s->dx, y = s->ay + t * s->dy;
          for (guint o = 0; o < G_N_ELEMENTS (offsets_mm); o++)
            {
              double d = offsets_mm[o] * px_per_mm;
              double w = len / stations;
              *left += w * smp_mask_sample (mask, x + d * s->nx, y + d * s->ny);
              *right += w * smp_mask_sample (mask, x - d * s->nx, y - d * s->ny);
            }
        }
    }
}

static int
toward_top (const SmpHairline *h, const Stroke *st)
{
  double up = 0;

  for (guint i = 0; i < st->n; i++)
    {
      const Segment *s = &g_array_index (h->segments, Segment, st->first + i);
      up += -s->ny * sqrt (s->len2); /* the left normal's upward part, by length */
    }
  return up >= 0 ? 1 : -1;
}

static void
build_grid (SmpHairline *h, double px_per_mm)
{
  double w = h->bx1 - h->bx0, ht = h->by1 - h->by0;
  double margin = 1.5 * MAX (w, ht) + 2048.0;
  double cell = CLAMP (3.0 * px_per_mm, 12.0, 256.0);
  double gw, gh;

  if (h->segments->len == 0)
    return;
  /* The index depends on the geometry and the cell size only, not on the sides:
   * keep it across designs (the preview makes one per change). */
  if (h->cells && h->cell == cell)
    return;
  drop_cells (h);
  for (;;)
    {
      gw = ceil ((w + 2 * margin) / cell);
      gh = ceil ((ht + 2 * margin) / cell);
      if (gw * gh <= 4.0 * 1024 * 1024)
        break;
      cell *= 2;
    }
  h->cell = cell;
  h->gx0 = h->bx0 - margin;
  h->gy0 = h->by0 - margin;
  h->gw = (int) gw;
  h->gh = (int) gh;
  h->cells = g_new0 (gpointer, (gsize) h->gw * h->gh);
  h->cw = (h->gw + COARSE - 1) / COARSE;
  h->ch = (h->gh + COARSE - 1) / COARSE;
  h->coarse = g_new0 (gpointer, (gsize) h->cw * h->ch);

  {
    /* Every segment, group by group, in index order within each. */
    const Stroke *strokes = (const Stroke *) h->strokes->data;
    guint n_lists = (h->has_open ? 1 : 0) + h->n_groups, k = 0;
    guint32 j = 0;

    h->all = g_malloc (sizeof (CellList) + sizeof (guint32) * (2 * n_lists + h->segments->len));
    h->all->n_lists = n_lists;
    if (h->has_open)
      {
        for (guint i = 0; i < h->strokes->len; i++)
          if (!strokes[i].closed)
            for (guint32 q = 0; q < strokes[i].n; q++)
              LIST_SEG (h->all, j++) = strokes[i].first + q;
        LIST_GROUP (h->all, k) = 0;
        LIST_END (h->all, k++) = j;
      }
    /* Closed strokes are numbered in stroke order. */
    for (guint i = 0; i < h->strokes->len; i++)
      if (strokes[i].closed)
        {
          for (guint32 q = 0; q < strokes[i].n; q++)
            LIST_SEG (h->all, j++) = strokes[i].first + q;
          LIST_GROUP (h->all, k) = strokes[i].group;
          LIST_END (h->all, k++) = j;
        }
  }
}

void
smp_hairline_resolve_side (SmpHairline   *hairline,
                           SmpScalpSide   side,
                           const SmpMask *mask,
                           double         px_per_mm)
{
  g_return_if_fail (hairline != NULL);
  if (!(px_per_mm > 0))
    px_per_mm = 10.0;

  for (guint i = 0; i < hairline->strokes->len; i++)
    {
      Stroke *st = &g_array_index (hairline->strokes, Stroke, i);
      if (st->closed)
        continue;
      switch (side)
        {
        case SMP_SCALP_SIDE_LEFT:
          st->scalp_sign = 1;
          break;
        case SMP_SCALP_SIDE_RIGHT:
          st->scalp_sign = -1;
          break;
        default:
          {
            double left = 0, right = 0;

            if (mask)
              mask_cover (hairline, st, mask, px_per_mm, &left, &right);
            /* The selection names the side only when it clearly holds one side
             * and not the other (at most half as much beside the line): an
             * artist who selects the whole head, forehead and temples included,
             * still means the scalp above. Otherwise the side toward the image
             * top, as on an upright frontal photo. */
            if (MAX (left, right) > 1e-3 * hairline->length && MIN (left, right) <= 0.5 * MAX (left, right))
              st->scalp_sign = left > right ? 1 : -1;
            else
              st->scalp_sign = toward_top (hairline, st);
          }
        }
    }
  build_grid (hairline, px_per_mm);
}

/* ---- distance ---- */

static inline double
seg_dist2 (const Segment *s, double px, double py, double *t_out)
{
  const double num = (px - s->ax) * s->dx + (py - s->ay) * s->dy;
  double       t, qx, qy;

  /* Where the projection falls beyond an end the clamp's answer is known without
   * the division: for len2 > 0, num / len2 < 1 exactly when num < len2 (below 0,
   * a zero's sign can differ, which changes no distance and no test of t). */
  if (num <= 0.0 && s->len2 > 0.0)
    t = 0.0;
  else if (num >= s->len2 && s->len2 > 0.0)
    t = 1.0;
  else
    {
      t = num / s->len2;
      t = CLAMP (t, 0.0, 1.0);
    }
  qx = s->ax + t * s->dx - px;
  qy = s->ay + t * s->dy - py;
  *t_out = t;
  return qx * qx + qy * qy;
}

/* Which side of its stroke p lies on, given its nearest segment and parameter. */
static double
side_of (const SmpHairline *h, const Segment *s, double t, double px, double py)
{
  const Segment *segs = (const Segment *) h->segments->data;
  double vx, vy, mx = s->nx, my = s->ny;
  gint32 other = -1;

  if (t <= 0.0)
    other = s->prev, vx = s->ax, vy = s->ay;
  else if (t >= 1.0)
    other = s->next, vx = s->ax + s->dx, vy = s->ay + s->dy;
  else
    vx = s->ax, vy = s->ay;
  if (other >= 0)
    {
      /* At a vertex the bisector of the two normals tells the sides apart. */
      double sx = mx + segs[other].nx, sy = my + segs[other].ny;
      if (sx * sx + sy * sy > 1e-12)
        mx = sx, my = sy;
    }
  /* Open ends extend along their tangent: the segment's own line decides. */
  return mx * (px - vx) + my * (py - vy);
}

typedef struct
{
  double d2;
  gint32 seg;
  double t;
} Nearest;

static double
signed_from (const SmpHairline *h, const Nearest *n, double px, double py)
{
  const Segment *s = &g_array_index (h->segments, Segment, n->seg);
  const Stroke  *st = &g_array_index (h->strokes, Stroke, s->stroke);
  double side = side_of (h, s, n->t, px, py);
  double d = sqrt (n->d2);

  if (d == 0.0 || side == 0.0)
    return 0.0;
  /* A closed stroke's inside ends at its bounding box: the same answer as the
   * nearest side for a simple ring, and one that lets the index leave far rings
   * out; a self-crossing ring's reversed lobe no longer claims the plane beyond. */
  if (st->closed && (px < st->x0 || px > st->x1 || py < st->y0 || py > st->y1))
    return -d;
  return (side > 0 ? d : -d) * st->scalp_sign;
}

/* The nearer segment wins. Any exact tie (a temple stroke started at the front
 * line's end: behind the shared point both are equally near; a stroke that
 * doubles back on itself: its out and back segments coincide with opposite sides)
 * goes to the larger signed distance, not to the segment met first. A maximum
 * does not depend on the order the candidates come in, so neither does the
 * answer on the order the strokes were drawn in (issue 12; found by tests/fuzz).
 * At an ordinary vertex tied segments agree (the bisector is the same from both). */
static inline void
consider (const SmpHairline *h, const Segment *segs, guint32 i, double px, double py, Nearest *best)
{
  double t, d2 = seg_dist2 (&segs[i], px, py, &t);

  if (d2 < best->d2)
    best->d2 = d2, best->seg = (gint32) i, best->t = t;
  else if (d2 == best->d2 && best->seg >= 0)
    {
      Nearest other = { d2, (gint32) i, t };
      if (signed_from (h, &other, px, py) > signed_from (h, best, px, py))
        *best = other;
    }
}

static double
combine (const SmpHairline *h, Nearest *per_group, double px, double py)
{
  double s = -INFINITY;

  /* Open strokes: the nearest one decides. Closed strokes add their inside. */
  for (guint g = 0; g <= h->n_groups; g++)
    if (per_group[g].seg >= 0)
      s = MAX (s, signed_from (h, &per_group[g], px, py));
  return s;
}

static double
box_seg_mindist2 (const Segment *s, double x0, double y0, double x1, double y1)
{
  /* Liang-Barsky: does the segment cross the box? */
  double t0 = 0, t1 = 1;
  double p[4] = { -s->dx, s->dx, -s->dy, s->dy };
  double q[4] = { s->ax - x0, x1 - s->ax, s->ay - y0, y1 - s->ay };
  gboolean hit = TRUE;
  double best = INFINITY;

  for (int k = 0; k < 4 && hit; k++)
    {
      if (p[k] == 0)
        {
          if (q[k] < 0)
            hit = FALSE;
        }
      else
        {
          double r = q[k] / p[k];
          if (p[k] < 0)
            t0 = MAX (t0, r);
          else
            t1 = MIN (t1, r);
          if (t0 > t1)
            hit = FALSE;
        }
    }
  if (hit)
    return 0.0;
  /* Disjoint convex shapes: the gap ends at a vertex of one of them. */
  for (int e = 0; e < 2; e++)
    {
      double ex = s->ax + e * s->dx, ey = s->ay + e * s->dy;
      double cx = CLAMP (ex, x0, x1) - ex, cy = CLAMP (ey, y0, y1) - ey;
      best = MIN (best, cx * cx + cy * cy);
    }
  for (int c = 0; c < 4; c++)
    {
      double t;
      best = MIN (best, seg_dist2 (s, c & 1 ? x1 : x0, c & 2 ? y1 : y0, &t));
    }
  return best;
}

/* Candidates for a box: per group, every segment that can be the nearest for
 * some point of the box; and only the groups that can give some point its answer.
 * `from` is an enclosing box's list (or every segment), which holds all of those.
 *
 * A closed group drops out when the box lies outside the stroke's bounding box
 * (so every point of it is outside the stroke: its signed distance is minus its
 * distance) and farther than some other group's farthest point: then another
 * group gives a larger signed distance everywhere in the box. */
static CellList *
build_cell (const SmpHairline *h, double x0, double y0, double x1, double y1, const CellList *from)
{
  const Segment *segs = (const Segment *) h->segments->data;
  const Stroke  *strokes = (const Stroke *) h->strokes->data;
  guint32 n_src = from->n_lists ? LIST_END (from, from->n_lists - 1) : 0;
  g_autofree double *mind = g_new (double, MAX (n_src, 1));
  g_autofree double *centre = g_new (double, MAX (n_src, 1));
  g_autofree double *bound = g_new (double, MAX (from->n_lists, 1));
  g_autofree double *nearest = g_new (double, MAX (from->n_lists, 1));
  g_autofree gboolean *outside = g_new (gboolean, MAX (from->n_lists, 1));
  g_autofree guint32 *idx = g_new (guint32, MAX (n_src, 1));
  g_autofree guint32 *lists = g_new (guint32, 2 * MAX (from->n_lists, 1));
  guint32   n_idx = 0, n_lists = 0;
  const double mx = 0.5 * (x0 + x1), my = 0.5 * (y0 + y1), half = 0.5 * hypot (x1 - x0, y1 - y0);
  double    best_bound = INFINITY;
  CellList *cell;

  /* The exact tests below cost ten segment distances a source; one distance to the
   * box's centre, `centre`, brackets both (every point of the box lies within `half`
   * of it), so only the sources the brackets cannot settle are tested exactly. The
   * kept lists are the exact tests' own: a bracket only skips a source whose exact
   * test it proves, with a margin far above rounding. */
  for (guint k = 0; k < from->n_lists; k++)
    {
      const Stroke *st = NULL;
      double        reach = INFINITY, cut;

      for (guint32 j = LIST_BEGIN (from, k); j < LIST_END (from, k); j++)
        {
          double t;
          centre[j] = sqrt (seg_dist2 (&segs[LIST_SEG (from, j)], mx, my, &t));
          reach = MIN (reach, centre[j] + half);
          st = &strokes[segs[LIST_SEG (from, j)].stroke];
        }
      /* A source's farthest corner is at least its centre distance away (distance to a
       * segment is convex), and some source's is at most `reach`. */
      bound[k] = nearest[k] = INFINITY;
      for (guint32 j = LIST_BEGIN (from, k); j < LIST_END (from, k); j++)
        if (centre[j] <= reach * (1 + 1e-7) + 1e-6)
          {
            /* The farthest any point of the box can be from this segment (a corner). */
            guint32 i = LIST_SEG (from, j);
            double  worst = 0, t;
            for (int c = 0; c < 4; c++)
              worst = MAX (worst, seg_dist2 (&segs[i], c & 1 ? x1 : x0, c & 2 ? y1 : y0, &t));
            bound[k] = MIN (bound[k], worst);
          }
      /* A source nearer than (centre − half) nowhere in the box cannot pass the keep test. */
      cut = sqrt (bound[k] * (1 + 1e-9) + 1e-9) * (1 + 1e-7) + 1e-6;
      for (guint32 j = LIST_BEGIN (from, k); j < LIST_END (from, k); j++)
        {
          mind[j] = centre[j] - half > cut ? INFINITY
                                           : box_seg_mindist2 (&segs[LIST_SEG (from, j)], x0, y0, x1, y1);
          nearest[k] = MIN (nearest[k], mind[j]);
        }
      outside[k] = LIST_GROUP (from, k) > 0 && st &&
                   (x1 < st->x0 || x0 > st->x1 || y1 < st->y0 || y0 > st->y1);
      best_bound = MIN (best_bound, bound[k]);
    }
  for (guint k = 0; k < from->n_lists; k++)
    {
      if (outside[k] && nearest[k] > best_bound * (1 + 1e-9) + 1e-9)
        continue;
      /* Sources are in index order within each group, so the lists stay in it. */
      for (guint32 j = LIST_BEGIN (from, k); j < LIST_END (from, k); j++)
        if (mind[j] <= bound[k] * (1 + 1e-9) + 1e-9)
          idx[n_idx++] = LIST_SEG (from, j);
      lists[n_lists++] = LIST_GROUP (from, k);
      lists[n_lists++] = n_idx;
    }

  cell = g_malloc (sizeof (CellList) + sizeof (guint32) * (n_lists + n_idx));
  cell->n_lists = n_lists / 2;
  memcpy (cell->data, lists, sizeof (guint32) * n_lists);
  memcpy (cell->data + n_lists, idx, sizeof (guint32) * n_idx);
  return cell;
}

/* Fills a lazily built slot; racing threads build the same list, one wins. */
static CellList *
publish (gpointer *slot, CellList *cell)
{
  if (!g_atomic_pointer_compare_and_exchange (slot, NULL, cell))
    {
      g_free (cell);
      cell = g_atomic_pointer_get (slot);
    }
  return cell;
}

static const CellList *
get_cell (const SmpHairline *h, int cx, int cy)
{
  gpointer *slot = &h->cells[(gsize) cy * h->gw + cx];
  CellList *cell = g_atomic_pointer_get (slot);

  if (!cell)
    {
      int       kx = cx / COARSE, ky = cy / COARSE;
      gpointer *cslot = &h->coarse[(gsize) ky * h->cw + kx];
      CellList *coarse = g_atomic_pointer_get (cslot);
      double    x0 = h->gx0 + cx * h->cell, y0 = h->gy0 + cy * h->cell;

      if (!coarse)
        {
          double s = h->cell * COARSE, kx0 = h->gx0 + kx * s, ky0 = h->gy0 + ky * s;
          coarse = publish (cslot, build_cell (h, kx0, ky0, kx0 + s, ky0 + s, h->all));
        }
      cell = publish (slot, build_cell (h, x0, y0, x0 + h->cell, y0 + h->cell, coarse));
    }
  return cell;
}

double
smp_hairline_signed_distance_px (const SmpHairline *hairline, double x, double y)
{
  const SmpHairline *h = hairline;
  const Segment     *segs;
  Nearest            stack_best[8];
  g_autofree Nearest *heap_best = NULL;
  Nearest           *best;
  double             fx, fy;

  g_return_val_if_fail (hairline != NULL, -INFINITY);
  if (h->segments->len == 0 || !isfinite (x) || !isfinite (y))
    return -INFINITY;

  segs = (const Segment *) h->segments->data;
  fx = h->cells ? floor ((x - h->gx0) / h->cell) : -1;
  fy = h->cells ? floor ((y - h->gy0) / h->cell) : -1;
  if (fx >= 0 && fy >= 0 && fx < h->gw && fy < h->gh)
    {
      /* The nearby groups only: the cost does not grow with far strokes. */
      const CellList *cell = get_cell (h, (int) fx, (int) fy);
      double          s = -INFINITY;

      for (guint k = 0; k < cell->n_lists; k++)
        {
          Nearest n = { INFINITY, -1, 0 };
          for (guint32 j = LIST_BEGIN (cell, k); j < LIST_END (cell, k); j++)
            consider (h, segs, LIST_SEG (cell, j), x, y, &n);
          if (n.seg >= 0)
            s = MAX (s, signed_from (h, &n, x, y));
        }
      return s;
    }
  else
    {
      /* Outside the index (or before resolve_side): every segment, same answer. */
      const Stroke *strokes = (const Stroke *) h->strokes->data;

      best = h->n_groups + 1 <= G_N_ELEMENTS (stack_best) ? stack_best
                                                          : (heap_best = g_new (Nearest, h->n_groups + 1));
      for (guint g = 0; g <= h->n_groups; g++)
        best[g] = (Nearest) { INFINITY, -1, 0 };
      for (guint32 i = 0; i < h->segments->len; i++)
        consider (h, segs, i, x, y, &best[strokes[segs[i].stroke].group]);
    }
  return combine (h, best, x, y);
}

double
smp_hairline_distance_mm (const SmpHairline *hairline,
                          double             px_per_mm,
                          double x, double y,
                          gboolean          *on_scalp_side)
{
  double s;

  g_return_val_if_fail (hairline != NULL && px_per_mm > 0, INFINITY);
  s = smp_hairline_signed_distance_px (hairline, x, y);
  if (on_scalp_side)
    *on_scalp_side = s > 0;
  return fabs (s) / px_per_mm;
}
