/* fuzz-geometry.c: hairline geometry from point lists, as paths of SVG-like text:
 * "M x y L x y ... [Z]", each M a stroke, Z closing it (any other letter separates).
 * Strokes are added as the plug-in adds them (a refused one is skipped); the
 * distance must never be NaN, and the design (dot count, checks) must not depend on
 * the order of the strokes (issue 12 rows 6 and 12). */
#include "fuzz-util.h"

#include <math.h>

#define MAX_POINTS 20000

typedef struct
{
  GArray  *xy;
  gboolean closed;
} Stroke;

static void
stroke_clear (gpointer data)
{
  Stroke *s = data;
  g_array_unref (s->xy);
}

static GArray *
parse (const char *text)
{
  GArray *strokes = g_array_new (FALSE, TRUE, sizeof (Stroke));
  Stroke *cur = NULL;
  guint   total = 0;
  const char *p = text;

  g_array_set_clear_func (strokes, stroke_clear);
  while (*p && total < MAX_POINTS)
    {
      char  *end;
      double v;

      if (*p == 'M' || *p == 'm')
        {
          Stroke s = { g_array_new (FALSE, FALSE, sizeof (double)), FALSE };
          g_array_append_val (strokes, s);
          cur = &g_array_index (strokes, Stroke, strokes->len - 1);
          p++;
          continue;
        }
      if ((*p == 'Z' || *p == 'z') && cur)
        {
          cur->closed = TRUE;
          p++;
          continue;
        }
      v = g_ascii_strtod (p, &end);
      if (end == p)
        {
          p++;
          continue;
        }
      p = end;
      if (!cur)
        {
          Stroke s = { g_array_new (FALSE, FALSE, sizeof (double)), FALSE };
          g_array_append_val (strokes, s);
          cur = &g_array_index (strokes, Stroke, strokes->len - 1);
        }
      g_array_append_val (cur->xy, v);
      total += cur->xy->len % 2 == 0;
    }
  return strokes;
}

static SmpHairline *
build (GArray *strokes, gboolean reverse)
{
  SmpHairline *h = smp_hairline_new ();

  for (guint k = 0; k < strokes->len; k++)
    {
      const Stroke *s = &g_array_index (strokes, Stroke, reverse ? strokes->len - 1 - k : k);
      g_autoptr (GError) error = NULL;

      if (!smp_hairline_add_stroke (h, (const double *) s->xy->data, s->xy->len / 2, s->closed, &error))
        g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
    }
  return h;
}

/* The blue-noise pattern costs far more than a small design: made once per process
 * (it is immutable), so the fuzzer's time goes to geometry. */
static SmpPattern *
shared_pattern (void)
{
  static SmpPattern *pattern;

  if (!pattern)
    pattern = smp_pattern_new (1);
  return pattern;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr (GArray) strokes = parse (text);
  g_autoptr (SmpHairline) a = build (strokes, FALSE);
  g_autoptr (SmpHairline) b = build (strokes, TRUE);
  double x0, y0, x1, y1;
  gsize  counts[2] = { 0, 0 };
  SmpParams p;

  g_assert_cmpuint (smp_hairline_get_n_strokes (a), ==, smp_hairline_get_n_strokes (b));
  if (smp_hairline_get_n_strokes (a) == 0)
    return 0;
  g_assert_true (smp_hairline_get_length_px (a) >= 0.1);
  g_assert_cmpfloat (fabs (smp_hairline_get_length_px (a) - smp_hairline_get_length_px (b)), <=,
                     1e-9 * smp_hairline_get_length_px (a));
  g_assert_true (smp_hairline_get_bounds (a, &x0, &y0, &x1, &y1));

  smp_params_init_defaults (&p);
  p.px_per_mm = 10;
  p.scalp_side = SMP_SCALP_SIDE_LEFT;
  for (int k = 0; k < 2; k++)
    {
      SmpHairline *h = k ? b : a;
      g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, shared_pattern (), NULL);
      /* A 200 px square around the line's start: a bounded number of dots. */
      SmpRect region = { (int) CLAMP (x0, -1e6, 1e6) - 100, (int) CLAMP (y0, -1e6, 1e6) - 100, 200, 200 };

      g_assert_nonnull (d);
      for (int i = 0; i <= 16; i++)
        for (int j = 0; j <= 16; j++)
          {
            double qx = x0 + (x1 - x0) * (i - 2) / 12.0, qy = y0 + (y1 - y0) * (j - 2) / 12.0;
            double s = smp_hairline_signed_distance_px (h, qx, qy);
            g_assert_false (isnan (s));
          }
      counts[k] = smp_design_count (d, &region, NULL);
    }
  g_assert_cmpuint (counts[0], ==, counts[1]);

  /* The design checks on each stroke as drawn, with a face frame. */
  {
    const SmpFaceFrame frame = { 1000, 1500, 700, 1540, 1300, 1540 };
    for (guint k = 0; k < strokes->len; k++)
      {
        const Stroke *s = &g_array_index (strokes, Stroke, k);
        g_autoptr (GPtrArray) findings = smp_face_check_design ((const double *) s->xy->data, s->xy->len / 2,
                                                                &frame, &p, 10, FALSE, NULL, NULL);
        (void) findings;
      }
  }
  return 0;
}
