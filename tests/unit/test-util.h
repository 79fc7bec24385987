/* test-util.h: small builders shared by the engine tests.
 * Uniform fields, straight hairlines and nearest-neighbour statistics. */
#pragma once

#include <smp/smp.h>
#include <math.h>

/* A horizontal hairline at y = line_y, drawn left to right across a wide span,
 * scalp below it (on the stroke's right). */
static inline SmpHairline *
test_straight_hairline (double line_y)
{
  SmpHairline *h = smp_hairline_new ();
  double xy[] = { -200000.0, line_y, 200000.0, line_y };
  g_assert_true (smp_hairline_add_stroke (h, xy, 2, FALSE, NULL));
  return h;
}

/* Parameters whose field is uniform over any region below y = 0 at 10 px/mm:
 * the line lies 1 m above. */
static inline void
test_uniform_params (SmpParams *p, double density)
{
  smp_params_init_defaults (p);
  p->px_per_mm = 10.0;
  p->density_per_cm2 = density;
  p->scalp_side = SMP_SCALP_SIDE_RIGHT;
}

static inline SmpDesign *
test_uniform_design (const SmpParams *p, SmpPattern *pattern)
{
  g_autoptr (SmpHairline) h = test_straight_hairline (-10000.0);
  g_autoptr (GError) error = NULL;
  SmpDesign *d = smp_design_new (p, h, NULL, pattern, &error);
  g_assert_no_error (error);
  return d;
}

/* Nearest-neighbour distance of each dot among `dots` (grid accelerated). */
static inline double *
test_nn_distances (const SmpDot *dots, gsize n, double cell)
{
  double *nn = g_new (double, n);
  double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
  int    gw, gh;
  g_autofree guint *start = NULL, *idx = NULL, *fill = NULL;

  for (gsize i = 0; i < n; i++)
    {
      x0 = MIN (x0, dots[i].x), y0 = MIN (y0, dots[i].y);
      x1 = MAX (x1, dots[i].x), y1 = MAX (y1, dots[i].y);
    }
  if (n < 2)
    {
      for (gsize i = 0; i < n; i++)
        nn[i] = INFINITY;
      return nn;
    }
  gw = (int) CLAMP ((x1 - x0) / cell + 1, 1, 4096);
  gh = (int) CLAMP ((y1 - y0) / cell + 1, 1, 4096);
  cell = MAX (cell, MAX ((x1 - x0) / (gw - 0.5), (y1 - y0) / (gh - 0.5)));
  start = g_new0 (guint, (gsize) gw * gh + 1);
  idx = g_new (guint, n);
  for (gsize i = 0; i < n; i++)
    start[(int) ((dots[i].y - y0) / cell) * gw + (int) ((dots[i].x - x0) / cell) + 1]++;
  for (int c = 0; c < gw * gh; c++)
    start[c + 1] += start[c];
  fill = g_memdup2 (start, sizeof (guint) * gw * gh);
  for (gsize i = 0; i < n; i++)
    idx[fill[(int) ((dots[i].y - y0) / cell) * gw + (int) ((dots[i].x - x0) / cell)]++] = i;
  for (gsize i = 0; i < n; i++)
    {
      int cx = (int) ((dots[i].x - x0) / cell), cy = (int) ((dots[i].y - y0) / cell);
      double best = INFINITY;
      for (int ring = 1; ring <= MAX (gw, gh); ring++)
        {
          for (int y = MAX (cy - ring, 0); y <= MIN (cy + ring, gh - 1); y++)
            for (int x = MAX (cx - ring, 0); x <= MIN (cx + ring, gw - 1); x++)
              for (guint k = start[y * gw + x]; k < start[y * gw + x + 1]; k++)
                if (idx[k] != i)
                  best = MIN (best, hypot (dots[idx[k]].x - dots[i].x, dots[idx[k]].y - dots[i].y));
          if (best <= (ring - 1) * cell) /* nothing outside this ring can be nearer */
            break;
        }
      nn[i] = best;
    }
  return nn;
}

/* Spacing of a hexagonal lattice holding `count` points in `area`. */
static inline double
test_hex_spacing (double area, double count)
{
  return sqrt (2.0 * area / (sqrt (3.0) * count));
}
