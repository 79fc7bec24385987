/* robust-inputs.h: the hostile-but-legal inputs of issue 12, shared by the complexity
 * budgets (tests/unit/test-budget.c) and the benchmark (tests/bench/bench-engine.c). */
#pragma once

#include <smp/smp.h>
#include <math.h>

/* Douglas-Peucker's worst case: `n_anchors` anchors of a zigzag of equal teeth (the
 * farthest point from every chord is at one of its ends), interpolated like GIMP
 * every `step_px`. A flat chord makes every tooth tie, so naive splitting peels off
 * one tooth at a time. */
static inline GArray *
robust_zigzag (guint n_anchors, double pitch_px, double tooth_px, double step_px)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint k = 0; k + 1 < n_anchors; k++)
    {
      double ax = k * pitch_px, ay = 1000 + (k & 1) * tooth_px;
      double bx = (k + 1) * pitch_px, by = 1000 + ((k + 1) & 1) * tooth_px;
      int    m = (int) ceil (hypot (bx - ax, by - ay) / step_px);

      for (int i = 0; i < m; i++)
        {
          double p[2] = { ax + (bx - ax) * i / m, ay + (by - ay) * i / m };
          g_array_append_vals (xy, p, 2);
        }
    }
  {
    double p[2] = { (n_anchors - 1) * pitch_px, 1000 + ((n_anchors - 1) & 1) * tooth_px };
    g_array_append_vals (xy, p, 2);
  }
  return xy;
}

/* `n` round scar patches (closed strokes of 48 points, radius 18 px) on a square
 * grid 60 px apart, plus a frontal hairline above them: the shape that made the
 * index carry a candidate per closed stroke in every cell. */
static inline SmpHairline *
robust_patches (guint n, double *width, double *height)
{
  SmpHairline *h = smp_hairline_new ();
  guint side = (guint) ceil (sqrt (n));
  double line[] = { -100, -40, side * 60.0 + 100, -40 };

  g_assert_true (smp_hairline_add_stroke (h, line, 2, FALSE, NULL));
  for (guint k = 0; k < n; k++)
    {
      double cx = 30 + 60.0 * (k % side), cy = 30 + 60.0 * (k / side), ring[96];

      for (int i = 0; i < 48; i++)
        {
          ring[2 * i] = cx + 18 * cos (2 * G_PI * i / 48);
          ring[2 * i + 1] = cy + 18 * sin (2 * G_PI * i / 48);
        }
      g_assert_true (smp_hairline_add_stroke (h, ring, 48, TRUE, NULL));
    }
  *width = side * 60.0;
  *height = ceil ((double) n / side) * 60.0;
  return h;
}

/* A face frame 600 px between the outer eye corners (10 px/mm: 60 mm), upright. */
static inline SmpFaceFrame
robust_frame (void)
{
  return (SmpFaceFrame) { 1000, 1500, 700, 1540, 1300, 1540 };
}

/* A hairline 80 mm above robust_frame()'s glabella with a 3 mm wave (20 mm) and a
 * 1 mm ragged edge, from 45 mm left to 45 mm right, as `n_points` points; a
 * `length_px` longer than the 900 px span sweeps back and forth over the front,
 * each pass 0.01 px higher (a stroke drawn over and over, or a hostile one). */
static inline GArray *
robust_face_line (gsize n_points, double length_px)
{
  GArray *xy = g_array_sized_new (FALSE, FALSE, sizeof (double), 2 * n_points);
  const double ppm = 10, x0 = 1000 - 45 * ppm, x1 = 1000 + 45 * ppm, span = x1 - x0;

  for (gsize i = 0; i < n_points; i++)
    {
      /* Arc position along a back-and-forth sweep of the front. */
      double s = length_px * i / (n_points - 1), pass = floor (s / span), f = s / span - pass;
      double x = ((gint64) pass & 1) ? x1 - f * span : x0 + f * span;
      double a = (x - 1000) / ppm;
      double y = 1500 - ppm * (80 + 3 * sin (2 * G_PI * a / 20) + 1 * sin (2 * G_PI * a / 1.3)) - 0.01 * pass;

      g_array_append_val (xy, x);
      g_array_append_val (xy, y);
    }
  return xy;
}
