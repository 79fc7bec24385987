/* bench-hairline.h: the benchmarks' hairlines, one owner each: a curve y(x) sampled as GIMP
 * interpolates a path; bench-engine's wavy line and the GUI preview bench's path (tests/gui/bench_preview.py). */
#pragma once

#include <smp/smp.h>

#include <math.h>
#include <stdlib.h>

static inline SmpHairline *
hairline_from (double (*curve) (double x), double width)
{
  SmpHairline *h = smp_hairline_new ();
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

  for (double x = 0; x <= width; x += 0.5) /* GIMP-like dense interpolation */
    {
      double y = curve (x);
      g_array_append_val (xy, x);
      g_array_append_val (xy, y);
    }
  if (!smp_hairline_add_stroke (h, (double *) xy->data, xy->len / 2, FALSE, NULL))
    abort ();
  g_array_unref (xy);
  return h;
}

/* The GUI preview bench's path, M 0 2200 C 2000 2150 4000 2250 6000 2200, as y(x). */
static inline double
gui_bench_curve (double x)
{
  double t = x / 6000, s = 1 - t;
  return 2200 * s * s * s + 3 * 2150 * s * s * t + 3 * 2250 * s * t * t + 2200 * t * t * t;
}

/* bench-engine's realistic hairline across a 6000-px-wide frontal photo, as the stress map's. */
static inline double
wavy (double x)
{
  return 1400 + 250 * sin (x / 900) + 60 * sin (x / 137);
}
