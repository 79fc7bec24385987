/* smp-curve.c: Bézier paths flattened to polylines, and a half hairline mirrored
 * about the face midline into a whole one. */
#include <smp/smp-face.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include "smp-aids-private.h"

#include <math.h>
#include <string.h>

/* ---- Curves ---------------------------------------------------------------- */

GArray *
smp_face_curve_flatten (const double *points, gsize n_anchors, double max_step_px)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (points != NULL || n_anchors == 0, xy);
  if (!(max_step_px > 0))
    max_step_px = 1.0;
  if (n_anchors == 0)
    return xy;

  g_array_append_vals (xy, points + 2, 2);
  for (gsize i = 0; i + 1 < n_anchors; i++)
    {
      const double *a = points + 6 * i, *b = points + 6 * (i + 1);
      double p0x = a[2], p0y = a[3], p1x = a[4], p1y = a[5];
      double p2x = b[0], p2y = b[1], p3x = b[2], p3y = b[3];
      /* The control polygon is never shorter than the curve. */
      double len = hypot (p1x - p0x, p1y - p0y) + hypot (p2x - p1x, p2y - p1y)
                 + hypot (p3x - p2x, p3y - p2y);
      int steps = MAX (1, (int) ceil (len / max_step_px));

      for (int k = 1; k <= steps; k++)
        {
          double t = (double) k / steps, s = 1 - t;
          double c0 = s * s * s, c1 = 3 * s * s * t, c2 = 3 * s * t * t, c3 = t * t * t;
          double p[2] = { c0 * p0x + c1 * p1x + c2 * p2x + c3 * p3x,
                          c0 * p0y + c1 * p1y + c2 * p2y + c3 * p3y };

          if (k == steps)
            {
              p[0] = p3x; /* exact anchors */
              p[1] = p3y;
            }
          g_array_append_vals (xy, p, 2);
        }
    }
  return xy;
}

/* Appends anchor `i` of `points` (reflected and/or reversed) to `out`. */
static void
append_anchor (GArray            *out,
               const double      *points,
               gsize              i,
               const SmpFaceAxes *reflect_axes,
               gboolean           reversed)
{
  const double *a = points + 6 * i;
  double p[6];

  for (int k = 0; k < 3; k++)
    {
      int from = reversed ? 2 - k : k; /* reversing a curve swaps the handles */

      if (reflect_axes)
        smp_face_axes_reflect (reflect_axes, a[2 * from], a[2 * from + 1], &p[2 * k], &p[2 * k + 1]);
      else
        {
          p[2 * k] = a[2 * from];
          p[2 * k + 1] = a[2 * from + 1];
        }
    }
  g_array_append_vals (out, p, 6);
}

static void
reverse_curve (GArray *curve)
{
  gsize n = curve->len / 6;
  double *p = (double *) curve->data;

  for (gsize i = 0; i < n / 2; i++)
    for (int k = 0; k < 6; k++)
      {
        double t = p[6 * i + k];
        p[6 * i + k] = p[6 * (n - 1 - i) + k];
        p[6 * (n - 1 - i) + k] = t;
      }
  for (gsize i = 0; i < n; i++)
    for (int k = 0; k < 2; k++)
      {
        double t = p[6 * i + k];
        p[6 * i + k] = p[6 * i + 4 + k];
        p[6 * i + 4 + k] = t;
      }
}

GArray *
smp_face_mirror_half (const SmpFaceFrame *frame,
                      const double       *points,
                      gsize               n_anchors,
                      GError            **error)
{
  SmpFaceAxes axes;
  GArray *out;
  double side = 0, far = 0, tolerance, first_a, last_a, a, u;
  gboolean from_last;
  gsize inner;

  g_return_val_if_fail (frame != NULL, NULL);

  if (!smp_face_frame_validate (frame, error))
    return NULL;
  if (points == NULL || n_anchors < 2)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("The half hairline needs at least two anchors (it has %lu)"),
                   (gulong) (points ? n_anchors : 0));
      return NULL;
    }
  if (!all_finite (points, 6 * n_anchors))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("The half hairline has points with no finite coordinates"));
      return NULL;
    }
  smp_face_frame_get_axes (frame, &axes);
  tolerance = 0.1 * axes.half_width_px;

  /* The half's side is that of its anchor farthest from the midline. */
  for (gsize i = 0; i < n_anchors; i++)
    {
      smp_face_axes_to_face (&axes, points[6 * i + 2], points[6 * i + 3], &a, &u);
      if (fabs (a) > far)
        {
          far = fabs (a);
          side = a > 0 ? 1 : -1;
        }
    }
  if (far < tolerance)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("The half hairline lies on the face midline: draw one side, from the midline out to the temple"));
      return NULL;
    }
  for (gsize i = 0; i < n_anchors; i++)
    {
      smp_face_axes_to_face (&axes, points[6 * i + 2], points[6 * i + 3], &a, &u);
      if (a * side < -tolerance)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                       _("The half hairline reaches %.1f px across the face midline: draw one side only"),
                       fabs (a));
          return NULL;
        }
    }

  smp_face_axes_to_face (&axes, points[2], points[3], &first_a, &u);
  smp_face_axes_to_face (&axes, points[6 * (n_anchors - 1) + 2], points[6 * (n_anchors - 1) + 3], &last_a, &u);
  from_last = fabs (last_a) < fabs (first_a);
  inner = from_last ? n_anchors - 1 : 0;

  out = g_array_sized_new (FALSE, FALSE, sizeof (double), 12 * n_anchors);
  /* The reflection, from its outer end in to the midline... */
  for (gsize k = 0; k < n_anchors; k++)
    {
      gsize i = from_last ? k : n_anchors - 1 - k;   /* outer to inner */
      append_anchor (out, points, i, &axes, !from_last);
    }
  /* ...then the half itself, from the midline out. */
  for (gsize k = 0; k < n_anchors; k++)
    {
      gsize i = from_last ? n_anchors - 1 - k : k;   /* inner to outer */
      append_anchor (out, points, i, NULL, from_last);
    }
  {
    double *p = (double *) out->data;
    double *m = p + 6 * (n_anchors - 1), *h = p + 6 * n_anchors;
    double ia;

    smp_face_axes_to_face (&axes, points[6 * inner + 2], points[6 * inner + 3], &ia, &u);
    if (fabs (ia) < 0.01)
      {
        /* One anchor on the midline: the reflection's incoming handle, the half's own rest. */
        m[2] = h[2];
        m[3] = h[3];
        m[4] = h[4];
        m[5] = h[5];
        g_array_remove_range (out, 6 * n_anchors, 6);
      }
  }
  if (side < 0)
    reverse_curve (out); /* the half was on the left: run left to right */
  return out;
}
