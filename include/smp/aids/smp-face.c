/* smp-face.c: the face frame (glabella and outer eye corners), its axes in image
 * px and its stored text form. Pure geometry; mm only through a caller's px_per_mm. */
#include <smp/smp-face.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include "smp-aids-private.h"

#include <math.h>
#include <string.h>

/* ---- The face frame ------------------------------------------------------ */

gboolean
smp_face_frame_validate (const SmpFaceFrame *frame, GError **error)
{
  double v[6], ex, ey, len, t, off;

  g_return_val_if_fail (frame != NULL, FALSE);

  v[0] = frame->glabella_x;  v[1] = frame->glabella_y;
  v[2] = frame->eye_left_x;  v[3] = frame->eye_left_y;
  v[4] = frame->eye_right_x; v[5] = frame->eye_right_y;
  if (!all_finite (v, 6))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Face frame: a landmark has no finite coordinates"));
      return FALSE;
    }
  /* Beyond any image, the products below overflow to a NaN that no comparison
   * refuses (found by tests/fuzz, face-frame/crash-huge-coordinates). */
  for (int k = 0; k < 6; k++)
    if (fabs (v[k]) > SMP_FACE_MAX_COORDINATE_PX)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     _("Face frame: a landmark lies at %g px, outside any image (%g px at most)"), v[k],
                     SMP_FACE_MAX_COORDINATE_PX);
        return FALSE;
      }
  ex = v[4] - v[2];
  ey = v[5] - v[3];
  len = hypot (ex, ey);
  if (len < SMP_FACE_MIN_EYE_DISTANCE_PX)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Face frame: the outer eye corners are %.1f px apart (at least %.0f px needed); "
                   "mark the glabella and both outer eye corners"),
                   len, SMP_FACE_MIN_EYE_DISTANCE_PX);
      return FALSE;
    }
  t = ((v[0] - v[2]) * ex + (v[1] - v[3]) * ey) / (len * len);
  off = fabs ((v[0] - v[2]) * ey - (v[1] - v[3]) * ex) / len;
  if (!(t >= 0.2 && t <= 0.8 && off <= len)) /* written so that a NaN fails too */
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Face frame: the glabella (%.1f, %.1f) does not lie between the outer eye corners; "
                   "mark the glabella and both outer eye corners"),
                   v[0], v[1]);
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_face_frame_from_points (SmpFaceFrame *frame, const double xy[6], GError **error)
{
  double d[3], ax, ay, bx, by, gx, gy, ex, ey, len, nx, ny, s, upx, upy, acx, acy;
  int    g = 0;
  SmpFaceFrame result;

  g_return_val_if_fail (frame != NULL && xy != NULL, FALSE);

  /* d[k]: length of the side opposite point k. */
  for (int k = 0; k < 3; k++)
    {
      int i = (k + 1) % 3, j = (k + 2) % 3;
      d[k] = hypot (xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]);
    }
  for (int k = 1; k < 3; k++)
    if (d[k] > d[g])
      g = k;
  gx = xy[2 * g];
  gy = xy[2 * g + 1];
  ax = xy[2 * ((g + 1) % 3)];
  ay = xy[2 * ((g + 1) % 3) + 1];
  bx = xy[2 * ((g + 2) % 3)];
  by = xy[2 * ((g + 2) % 3) + 1];

  /* Validity does not depend on which eye is which: check once, before the
   * division by the eye distance below. */
  result = (SmpFaceFrame) { .glabella_x = gx, .glabella_y = gy,
                            .eye_left_x = ax, .eye_left_y = ay, .eye_right_x = bx, .eye_right_y = by };
  if (!smp_face_frame_validate (&result, error))
    return FALSE;

  ex = bx - ax;
  ey = by - ay;
  len = hypot (ex, ey);
  nx = ey / len;
  ny = -ex / len;
  s = (gx - (ax + bx) / 2) * nx + (gy - (ay + by) / 2) * ny;
  if (fabs (s) >= 0.05 * len)
    {
      /* The glabella sits above the outer eye corners: its side is up. */
      upx = s > 0 ? nx : -nx;
      upy = s > 0 ? ny : -ny;
    }
  else
    {
      /* Otherwise the face is taken as upright-ish: up is toward the image top. */
      gboolean flip = ny > 0 || (ny == 0 && nx > 0);
      upx = flip ? -nx : nx;
      upy = flip ? -ny : ny;
    }
  acx = -upy;
  acy = upx;

  result.glabella_x = gx;
  result.glabella_y = gy;
  if (ax * acx + ay * acy <= bx * acx + by * acy)
    {
      result.eye_left_x = ax;  result.eye_left_y = ay;
      result.eye_right_x = bx; result.eye_right_y = by;
    }
  else
    {
      result.eye_left_x = bx;  result.eye_left_y = by;
      result.eye_right_x = ax; result.eye_right_y = ay;
    }
  *frame = result;
  return TRUE;
}

void
smp_face_frame_get_axes (const SmpFaceFrame *frame, SmpFaceAxes *axes)
{
  double ex = frame->eye_right_x - frame->eye_left_x;
  double ey = frame->eye_right_y - frame->eye_left_y;
  double len = hypot (ex, ey);
  double mx = (frame->eye_left_x + frame->eye_right_x) / 2;
  double my = (frame->eye_left_y + frame->eye_right_y) / 2;
  double h;

  g_return_if_fail (len > 0);
  axes->across_x = ex / len;
  axes->across_y = ey / len;
  /* Image y points down: up is the across axis turned a quarter counter-clockwise on screen. */
  axes->up_x = axes->across_y;
  axes->up_y = -axes->across_x;
  h = (frame->glabella_x - mx) * axes->up_x + (frame->glabella_y - my) * axes->up_y;
  axes->origin_x = mx + h * axes->up_x;
  axes->origin_y = my + h * axes->up_y;
  axes->half_width_px = len / 2;
}

void
smp_face_axes_to_face (const SmpFaceAxes *axes, double x, double y, double *across, double *up)
{
  double dx = x - axes->origin_x, dy = y - axes->origin_y;

  *across = dx * axes->across_x + dy * axes->across_y;
  *up = dx * axes->up_x + dy * axes->up_y;
}

void
smp_face_axes_to_image (const SmpFaceAxes *axes, double across, double up, double *x, double *y)
{
  *x = axes->origin_x + across * axes->across_x + up * axes->up_x;
  *y = axes->origin_y + across * axes->across_y + up * axes->up_y;
}

void
smp_face_axes_reflect (const SmpFaceAxes *axes, double x, double y, double *rx, double *ry)
{
  double a, u;

  smp_face_axes_to_face (axes, x, y, &a, &u);
  smp_face_axes_to_image (axes, -a, u, rx, ry);
}

static const char *const frame_keys[6] = {
  "glabella_x", "glabella_y", "eye_left_x", "eye_left_y", "eye_right_x", "eye_right_y"
};

char *
smp_face_frame_to_string (const SmpFaceFrame *frame)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  const double v[6] = { frame->glabella_x, frame->glabella_y, frame->eye_left_x,
                        frame->eye_left_y, frame->eye_right_x, frame->eye_right_y };

  for (int i = 0; i < 6; i++)
    g_key_file_set_double (key_file, SMP_FACE_FRAME_GROUP, frame_keys[i], v[i]);
  return g_key_file_to_data (key_file, NULL, NULL);
}

gboolean
smp_face_frame_from_string (SmpFaceFrame *frame, const char *text, GError **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  SmpFaceFrame result;
  double v[6];

  g_return_val_if_fail (frame != NULL && text != NULL, FALSE);

  if (!g_key_file_load_from_data (key_file, text, strlen (text), G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("Face frame: %s"), local->message);
      return FALSE;
    }
  for (int i = 0; i < 6; i++)
    {
      v[i] = g_key_file_get_double (key_file, SMP_FACE_FRAME_GROUP, frame_keys[i], &local);
      if (local)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                       _("Face frame: key \"%s\" in group [%s]: %s"),
                       frame_keys[i], SMP_FACE_FRAME_GROUP, local->message);
          return FALSE;
        }
    }
  result.glabella_x = v[0];  result.glabella_y = v[1];
  result.eye_left_x = v[2];  result.eye_left_y = v[3];
  result.eye_right_x = v[4]; result.eye_right_y = v[5];
  if (!smp_face_frame_validate (&result, error))
    return FALSE;
  *frame = result;
  return TRUE;
}
