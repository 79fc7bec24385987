/* smp-face.c: the face frame, hairline templates, mirroring and design checks.
 * Pure geometry over image px; mm only through the caller's px_per_mm. */
#include <smp/smp-face.h>
#include <smp/smp-error.h>

#include <math.h>
#include <string.h>

#define TEMPLATE_GROUP  "SMP Template"
#define TEMPLATE_SUFFIX ".smp-template"

/* Resampling step and fit window of the irregularity measure, mm. */
#define SAMPLE_STEP_MM       0.5
#define IRREGULARITY_HALF_MM 25.0
#define FRONT_FRACTION       0.8
#define MIN_FRONT_MM         10.0

/* ---- The face frame ------------------------------------------------------ */

static gboolean
all_finite (const double *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

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
                   "Face frame: a landmark has no finite coordinates");
      return FALSE;
    }
  /* Beyond any image, the products below overflow to a NaN that no comparison
   * refuses (found by tests/fuzz, face-frame/crash-huge-coordinates). */
  for (int k = 0; k < 6; k++)
    if (fabs (v[k]) > SMP_FACE_MAX_COORDINATE_PX)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     "Face frame: a landmark lies at %g px, outside any image (%g px at most)", v[k],
                     SMP_FACE_MAX_COORDINATE_PX);
        return FALSE;
      }
  ex = v[4] - v[2];
  ey = v[5] - v[3];
  len = hypot (ex, ey);
  if (len < SMP_FACE_MIN_EYE_DISTANCE_PX)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   "Face frame: the outer eye corners are %.1f px apart (at least %.0f px needed); "
                   "mark the glabella and both outer eye corners",
                   len, SMP_FACE_MIN_EYE_DISTANCE_PX);
      return FALSE;
    }
  t = ((v[0] - v[2]) * ex + (v[1] - v[3]) * ey) / (len * len);
  off = fabs ((v[0] - v[2]) * ey - (v[1] - v[3]) * ex) / len;
  if (!(t >= 0.2 && t <= 0.8 && off <= len)) /* written so that a NaN fails too */
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   "Face frame: the glabella (%.1f, %.1f) does not lie between the outer eye corners; "
                   "mark the glabella and both outer eye corners",
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
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "Face frame: %s", local->message);
      return FALSE;
    }
  for (int i = 0; i < 6; i++)
    {
      v[i] = g_key_file_get_double (key_file, SMP_FACE_FRAME_GROUP, frame_keys[i], &local);
      if (local)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                       "Face frame: key \"%s\" in group [%s]: %s",
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
                   "The half hairline needs at least two anchors (it has %" G_GSIZE_FORMAT ")",
                   points ? n_anchors : 0);
      return NULL;
    }
  if (!all_finite (points, 6 * n_anchors))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   "The half hairline has points with no finite coordinates");
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
                   "The half hairline lies on the face midline: draw one side, from the midline out to the temple");
      return NULL;
    }
  for (gsize i = 0; i < n_anchors; i++)
    {
      smp_face_axes_to_face (&axes, points[6 * i + 2], points[6 * i + 3], &a, &u);
      if (a * side < -tolerance)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                       "The half hairline reaches %.1f px across the face midline: draw one side only",
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

/* ---- Templates --------------------------------------------------------------- */

typedef struct
{
  double   x, y;
  gboolean corner;
} TemplatePoint;

struct _SmpFaceTemplate
{
  char   *path;
  char   *id;
  char   *name;
  char   *description;
  GArray *half;   /* TemplatePoint, from the midline outward */
  guint   temple; /* index in `half` of the point with x = 1 */
};

void
smp_face_template_free (SmpFaceTemplate *face_template)
{
  if (face_template == NULL)
    return;
  g_free (face_template->path);
  g_free (face_template->id);
  g_free (face_template->name);
  g_free (face_template->description);
  if (face_template->half)
    g_array_unref (face_template->half);
  g_free (face_template);
}

const char *
smp_face_template_get_id (const SmpFaceTemplate *face_template)
{
  return face_template->id;
}

const char *
smp_face_template_get_name (const SmpFaceTemplate *face_template)
{
  return face_template->name;
}

const char *
smp_face_template_get_description (const SmpFaceTemplate *face_template)
{
  return face_template->description;
}

static gboolean
parse_number (const char *text, double *value)
{
  char *end = NULL;
  g_autofree char *s = g_strstrip (g_strdup (text));

  if (*s == '\0')
    return FALSE;
  *value = g_ascii_strtod (s, &end);
  return end && *end == '\0' && isfinite (*value);
}

SmpFaceTemplate *
smp_face_template_load (const char *path, GError **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (SmpFaceTemplate) t = NULL;
  g_auto (GStrv) items = NULL;
  g_autofree char *base = NULL;
  gsize n_items = 0;
  gboolean have_temple = FALSE;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s: %s", path, local->message);
      return NULL;
    }
  t = g_new0 (SmpFaceTemplate, 1);
  t->path = g_strdup (path);
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, TEMPLATE_SUFFIX))
    base[strlen (base) - strlen (TEMPLATE_SUFFIX)] = '\0';
  t->id = g_steal_pointer (&base);

  t->name = g_key_file_get_locale_string (key_file, TEMPLATE_GROUP, "name", NULL, NULL);
  if (t->name)
    g_strstrip (t->name);
  if (t->name == NULL || *t->name == '\0')
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   "%s: key \"name\" in group [%s] is missing or empty", path, TEMPLATE_GROUP);
      return NULL;
    }
  t->description = g_key_file_get_locale_string (key_file, TEMPLATE_GROUP, "description", NULL, NULL);
  if (t->description == NULL)
    t->description = g_strdup ("");
  g_strstrip (t->description);

  items = g_key_file_get_string_list (key_file, TEMPLATE_GROUP, "half", &n_items, &local);
  if (items == NULL)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   "%s: key \"half\" in group [%s] is missing", path, TEMPLATE_GROUP);
      return NULL;
    }
  t->half = g_array_new (FALSE, FALSE, sizeof (TemplatePoint));
  for (gsize i = 0; i < n_items; i++)
    {
      g_autofree char *item = g_strstrip (g_strdup (items[i]));
      g_auto (GStrv) xy = NULL;
      TemplatePoint p = { 0 };
      gsize len = strlen (item);
      const char *problem = NULL;

      if (len == 0)
        continue;
      if (item[len - 1] == '!')
        {
          p.corner = TRUE;
          item[len - 1] = '\0';
        }
      xy = g_strsplit (item, ",", -1);
      if (g_strv_length (xy) != 2 || !parse_number (xy[0], &p.x) || !parse_number (xy[1], &p.y))
        problem = "is not an \"x,y\" pair of numbers";
      else if (t->half->len == 0 && p.x != 0)
        problem = "must lie on the midline (x = 0): the first point is the mid-frontal point";
      else if (t->half->len == 0 && !(p.y > 0))
        problem = "must lie above the glabella (y > 0)";
      else if (t->half->len > 0 && !(p.x > 0 && p.x <= 3))
        problem = "must have 0 < x <= 3 (x = 1 is the vertical through the outer eye corner)";
      else if (t->half->len > 0 && fabs (p.y) > 5 * g_array_index (t->half, TemplatePoint, 0).y)
        problem = "lies implausibly far from the mid-frontal point";
      if (problem)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                       "%s: key \"half\" in group [%s], point %u (\"%s\") %s",
                       path, TEMPLATE_GROUP, t->half->len + 1, items[i], problem);
          return NULL;
        }
      if (p.x == 1.0 && !have_temple)
        {
          have_temple = TRUE;
          t->temple = t->half->len;
        }
      g_array_append_val (t->half, p);
    }
  if (t->half->len < 3 || !have_temple)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   "%s: key \"half\" in group [%s] needs at least three points, one of them the "
                   "temple point with x = 1",
                   path, TEMPLATE_GROUP);
      return NULL;
    }
  return g_steal_pointer (&t);
}

static int
compare_templates (gconstpointer a, gconstpointer b)
{
  const SmpFaceTemplate *ta = *(SmpFaceTemplate *const *) a;
  const SmpFaceTemplate *tb = *(SmpFaceTemplate *const *) b;

  return strcmp (ta->id, tb->id);
}

GPtrArray *
smp_face_template_load_dir (const char *dir, GError **error)
{
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) list = NULL;
  GError *local = NULL;
  const char *name;

  g_return_val_if_fail (dir != NULL, NULL);

  d = g_dir_open (dir, 0, &local);
  if (d == NULL)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s", local->message);
      g_error_free (local);
      return NULL;
    }
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) smp_face_template_free);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      SmpFaceTemplate *t;

      if (!g_str_has_suffix (name, TEMPLATE_SUFFIX))
        continue;
      path = g_build_filename (dir, name, NULL);
      t = smp_face_template_load (path, error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (list, t);
    }
  g_ptr_array_sort (list, compare_templates);
  return g_steal_pointer (&list);
}

void
smp_face_curve_free (SmpFaceCurve *curve)
{
  if (curve == NULL)
    return;
  if (curve->points)
    g_array_unref (curve->points);
  g_free (curve);
}

SmpFaceCurve *
smp_face_template_place (const SmpFaceTemplate *face_template,
                         const SmpFaceFrame    *frame,
                         double                 px_per_mm,
                         double                 height_mm,
                         GError               **error)
{
  const SmpParamSpec *scale_range = smp_params_find_range ("px_per_mm");
  const guint half_n = face_template->half->len;
  const guint n = 2 * half_n - 1;
  g_autofree double *face = NULL;     /* anchor (across, up), face px */
  g_autofree gboolean *corner = NULL;
  SmpFaceAxes axes;
  SmpFaceCurve *curve;
  double scale_y;

  g_return_val_if_fail (face_template != NULL && frame != NULL, NULL);

  if (!smp_face_frame_validate (frame, error))
    return NULL;
  if (!isfinite (px_per_mm) || px_per_mm < scale_range->min || px_per_mm > scale_range->max)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "The scale is %g px/mm, but must lie between %g and %g px/mm",
                   px_per_mm, scale_range->min, scale_range->max);
      return NULL;
    }
  if (!isfinite (height_mm) || height_mm < 20 || height_mm > 200)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "The mid-frontal height is %g mm, but must lie between 20 and 200 mm",
                   height_mm);
      return NULL;
    }
  smp_face_frame_get_axes (frame, &axes);
  scale_y = height_mm * px_per_mm / g_array_index (face_template->half, TemplatePoint, 0).y;

  face = g_new (double, 2 * n);
  corner = g_new (gboolean, n);
  for (guint k = 0; k < n; k++)
    {
      /* Left half outer to inner, the mid-frontal point, right half inner to outer. */
      int i = (int) k - (int) (half_n - 1);
      const TemplatePoint *p = &g_array_index (face_template->half, TemplatePoint, ABS (i));

      face[2 * k] = (i < 0 ? -p->x : p->x) * axes.half_width_px;
      face[2 * k + 1] = p->y * scale_y;
      corner[k] = p->corner;
    }

  curve = g_new0 (SmpFaceCurve, 1);
  curve->n_anchors = n;
  curve->mid_frontal = half_n - 1;
  curve->temple_left = half_n - 1 - face_template->temple;
  curve->temple_right = half_n - 1 + face_template->temple;
  curve->points = g_array_sized_new (FALSE, FALSE, sizeof (double), 6 * n);
  for (guint k = 0; k < n; k++)
    {
      /* Smooth anchors get handles along the chord of their neighbours, a third of
       * each adjacent segment long: a Catmull-Rom-like curve that cannot overshoot
       * far on unevenly spaced points. Ends and corners keep their handles home. */
      double ax = face[2 * k], ay = face[2 * k + 1];
      double in_x = ax, in_y = ay, out_x = ax, out_y = ay;
      double p[6];

      if (k > 0 && k + 1 < n && !corner[k])
        {
          double dx = face[2 * k + 2] - face[2 * k - 2], dy = face[2 * k + 3] - face[2 * k - 1];
          double dl = hypot (dx, dy);
          double lin = hypot (ax - face[2 * k - 2], ay - face[2 * k - 1]);
          double lout = hypot (face[2 * k + 2] - ax, face[2 * k + 3] - ay);

          if (dl > 0)
            {
              in_x = ax - dx / dl * lin / 3;
              in_y = ay - dy / dl * lin / 3;
              out_x = ax + dx / dl * lout / 3;
              out_y = ay + dy / dl * lout / 3;
            }
        }
      smp_face_axes_to_image (&axes, in_x, in_y, &p[0], &p[1]);
      smp_face_axes_to_image (&axes, ax, ay, &p[2], &p[3]);
      smp_face_axes_to_image (&axes, out_x, out_y, &p[4], &p[5]);
      g_array_append_vals (curve->points, p, 6);
    }
  return curve;
}

/* ---- Measurements ---------------------------------------------------------- */

/* Every measure walks the caller's polyline once or twice and keeps no copy of
 * it: its memory is a sliding window and a capped segment hierarchy, whatever the
 * line's length or point density (GIMP interpolates every fraction of a pixel). */

typedef struct
{
  const SmpFaceAxes *axes; /* NULL: image coordinates (the rotation-free measures) */
  const double      *xy;
  gsize              n;
  double             px_per_mm;
} Line;

/* Point i in mm: face coordinates (across, up) with a frame, else image ones. */
static inline void
line_point (const Line *l, gsize i, double *a, double *u)
{
  if (l->axes)
    smp_face_axes_to_face (l->axes, l->xy[2 * i], l->xy[2 * i + 1], a, u);
  else
    *a = l->xy[2 * i], *u = l->xy[2 * i + 1];
  *a /= l->px_per_mm;
  *u /= l->px_per_mm;
}

typedef void (*SampleFunc) (double a, double u, gpointer data);

/* At most this many samples per measure: 131 m of line at 0.5 mm, far beyond any
 * head. A longer line (two points can span 10^7 px) is sampled more coarsely, so
 * the cost stays bounded by the points plus this, never by the length alone. */
#define MAX_SAMPLES 262144

/* The sample spacing for `step` mm on this line: wider when the line is longer than
 * MAX_SAMPLES steps; NAN when its length is not finite (then nothing is measured). */
static double
line_step (const Line *l, double step)
{
  double length = 0, pa, pu;

  line_point (l, 0, &pa, &pu);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double qa, qu;
      line_point (l, i + 1, &qa, &qu);
      length += hypot (qa - pa, qu - pu);
      pa = qa, pu = qu;
    }
  if (!isfinite (length))
    return NAN;
  return MAX (step, length / MAX_SAMPLES);
}

/* Calls `f` for points every `step` mm of arc along the line, from its start;
 * `with_end` adds the end point even when it falls short of a step. */
static void
walk_samples (const Line *l, double step, gboolean with_end, SampleFunc f, gpointer data)
{
  double carry = 0; /* arc length since the last sample */
  double pa, pu;

  line_point (l, 0, &pa, &pu);
  f (pa, pu, data);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double qa, qu, dx, dy, len, at;

      line_point (l, i + 1, &qa, &qu);
      dx = qa - pa, dy = qu - pu;
      len = hypot (dx, dy), at = step - carry;
      for (; at <= len; at += step)
        f (pa + dx * at / len, pu + dy * at / len, data);
      carry = len - (at - step);
      pa = qa, pu = qu;
    }
  if (with_end && carry > 1e-9)
    f (pa, pu, data);
}

static gboolean
lowest_crossing (const Line *l, double *height)
{
  gboolean found = FALSE;
  double best = G_MAXDOUBLE, a0, u0;

  line_point (l, 0, &a0, &u0);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double a1, u1, u;

      line_point (l, i + 1, &a1, &u1);
      if (a0 == 0 && a1 == 0)
        u = MIN (u0, u1);
      else if ((a0 <= 0 && a1 >= 0) || (a0 >= 0 && a1 <= 0))
        u = u0 + a0 / (a0 - a1) * (u1 - u0);
      else
        u = NAN; /* no crossing here */
      if (!isnan (u))
        {
          if (u < best)
            best = u;
          found = TRUE;
        }
      a0 = a1, u0 = u1;
    }
  if (found)
    *height = best;
  return found;
}

gboolean
smp_face_measure_height_mm (const SmpFaceFrame *frame,
                            const double       *xy,
                            gsize               n_points,
                            double              px_per_mm,
                            double             *height_mm)
{
  SmpFaceAxes axes;

  g_return_val_if_fail (frame != NULL && height_mm != NULL && px_per_mm > 0, FALSE);
  if (xy == NULL || n_points < 2)
    return FALSE;
  smp_face_frame_get_axes (frame, &axes);
  return lowest_crossing (&(Line) { &axes, xy, n_points, px_per_mm }, height_mm);
}

/* Solves the least-squares quadratic's constant term from the moment sums. */
static double
quadratic_at_zero (const double s[5], const double r[3])
{
  /* | s0 s1 s2 |   | c0 |   | r0 |
   * | s1 s2 s3 | · | c1 | = | r1 |
   * | s2 s3 s4 |   | c2 |   | r2 |   (Cramer's rule for c0) */
  double det = s[0] * (s[2] * s[4] - s[3] * s[3]) - s[1] * (s[1] * s[4] - s[3] * s[2])
             + s[2] * (s[1] * s[3] - s[2] * s[2]);
  double num = r[0] * (s[2] * s[4] - s[3] * s[3]) - s[1] * (r[1] * s[4] - s[3] * r[2])
             + s[2] * (r[1] * s[3] - s[2] * r[2]);

  return fabs (det) > 1e-12 ? num / det : r[0] / s[0];
}

/* The irregularity's samples in a window of ±IRREGULARITY_HALF_MM: each sample is
 * judged once the samples after it have arrived, so only the window is kept. */
#define IRREGULARITY_HALF ((gsize) 50) /* IRREGULARITY_HALF_MM / SAMPLE_STEP_MM samples */
#define IRREGULARITY_RING (2 * IRREGULARITY_HALF + 1)

typedef struct
{
  double   step_mm;        /* SAMPLE_STEP_MM, or wider on an absurdly long line */
  double   front_limit_mm; /* |across| within this counts; INFINITY without a frame */
  double   s[2 * IRREGULARITY_RING];
  gboolean front[IRREGULARITY_RING];
  gsize    n;              /* samples seen */
  double   sum;
  gsize    count;
} Irregularity;

/* Sample i's residual from the quadratic fitted over its window (up to `last`). */
static void
irregularity_judge (Irregularity *r, gsize i, gsize last)
{
  const gsize half = IRREGULARITY_HALF;
  gsize  j0 = i > half ? i - half : 0, j1 = MIN (last, i + half);
  double m[5] = { 0 }, rx[3] = { 0 }, ry[3] = { 0 }, fx, fy, *si;

  if (!r->front[i % IRREGULARITY_RING])
    return;
  for (gsize j = j0; j <= j1; j++)
    {
      /* Samples are equally spaced in arc length: t is their offset in mm. */
      double t = ((double) j - (double) i) * r->step_mm, tk = 1;
      const double *sj = &r->s[2 * (j % IRREGULARITY_RING)];

      for (int k = 0; k < 5; k++, tk *= t)
        {
          m[k] += tk;
          if (k < 3)
            {
              rx[k] += tk * sj[0];
              ry[k] += tk * sj[1];
            }
        }
    }
  fx = quadratic_at_zero (m, rx);
  fy = quadratic_at_zero (m, ry);
  si = &r->s[2 * (i % IRREGULARITY_RING)];
  r->sum += (si[0] - fx) * (si[0] - fx) + (si[1] - fy) * (si[1] - fy);
  r->count++;
}

static void
irregularity_sample (double a, double u, gpointer data)
{
  Irregularity *r = data;
  gsize k = r->n % IRREGULARITY_RING;

  r->s[2 * k] = a;
  r->s[2 * k + 1] = u;
  r->front[k] = fabs (a) <= r->front_limit_mm;
  r->n++;
  if (r->n > IRREGULARITY_HALF)
    irregularity_judge (r, r->n - 1 - IRREGULARITY_HALF, r->n - 1);
}

double
smp_face_measure_irregularity_mm (const SmpFaceFrame *frame,
                                  const double       *xy,
                                  gsize               n_points,
                                  double              px_per_mm)
{
  g_autofree Irregularity *r = g_new0 (Irregularity, 1);
  SmpFaceAxes axes;
  Line line;

  g_return_val_if_fail (px_per_mm > 0, NAN);
  if (xy == NULL || n_points < 2)
    return NAN;
  r->front_limit_mm = INFINITY;
  if (frame)
    {
      smp_face_frame_get_axes (frame, &axes);
      r->front_limit_mm = FRONT_FRACTION * axes.half_width_px / px_per_mm;
    }
  line = (Line) { frame ? &axes : NULL, xy, n_points, px_per_mm };
  r->step_mm = line_step (&line, SAMPLE_STEP_MM);
  if (isnan (r->step_mm))
    return NAN;
  walk_samples (&line, r->step_mm, FALSE, irregularity_sample, r);
  /* The last samples, whose windows end at the line's end. */
  for (gsize i = r->n > IRREGULARITY_HALF ? r->n - IRREGULARITY_HALF : 0; i < r->n; i++)
    irregularity_judge (r, i, r->n - 1);
  if ((double) r->count * r->step_mm < MIN_FRONT_MM)
    return NAN;
  return sqrt (2 * r->sum / r->count);
}

/* Nearest-segment queries over the caller's polyline: a complete binary tree of
 * bounding boxes over runs of consecutive segments (a drawn line's neighbours are
 * near each other), at most SEGMENT_TREE_LEAVES leaves, so its size is capped
 * whatever the point count. A query descends nearer boxes first and skips boxes
 * farther than the best so far. */
#define SEGMENT_TREE_LEAVES 65536
#define SEGMENT_TREE_MIN_RUN 16

typedef struct
{
  const double *xy;  /* image px */
  gsize         n_segments;
  gsize         run; /* segments per leaf */
  gsize         n_leaves_pow2;
  double       *box; /* 4 per node, nodes 1 .. 2 * n_leaves_pow2 - 1 (heap order) */
} SegmentTree;

static void
segment_tree_init (SegmentTree *t, const double *xy, gsize n_points)
{
  gsize leaves;

  t->xy = xy;
  t->n_segments = n_points - 1;
  t->run = MAX (SEGMENT_TREE_MIN_RUN, (t->n_segments + SEGMENT_TREE_LEAVES - 1) / SEGMENT_TREE_LEAVES);
  leaves = (t->n_segments + t->run - 1) / t->run;
  for (t->n_leaves_pow2 = 1; t->n_leaves_pow2 < leaves; t->n_leaves_pow2 *= 2)
    ;
  t->box = g_new (double, 4 * 2 * t->n_leaves_pow2);
  for (gsize leaf = 0; leaf < t->n_leaves_pow2; leaf++)
    {
      double *b = &t->box[4 * (t->n_leaves_pow2 + leaf)];
      gsize   i0 = leaf * t->run, i1 = MIN (t->n_segments, i0 + t->run); /* segments i0 .. i1-1 */

      b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
      for (gsize i = i0; i < i1 + (i1 > i0); i++) /* their points i0 .. i1 */
        {
          b[0] = MIN (b[0], xy[2 * i]), b[1] = MIN (b[1], xy[2 * i + 1]);
          b[2] = MAX (b[2], xy[2 * i]), b[3] = MAX (b[3], xy[2 * i + 1]);
        }
    }
  for (gsize node = t->n_leaves_pow2 - 1; node >= 1; node--)
    {
      const double *l = &t->box[8 * node], *r = &t->box[8 * node + 4];
      double *b = &t->box[4 * node];
      b[0] = MIN (l[0], r[0]), b[1] = MIN (l[1], r[1]);
      b[2] = MAX (l[2], r[2]), b[3] = MAX (l[3], r[3]);
    }
}

static inline double
box_dist2 (const double *b, double x, double y)
{
  double dx = MAX (MAX (b[0] - x, x - b[2]), 0.0), dy = MAX (MAX (b[1] - y, y - b[3]), 0.0);
  return dx * dx + dy * dy; /* an empty box (INFINITY .. -INFINITY) is infinitely far */
}

static inline double
point_segment_dist2 (double px, double py, double ax, double ay, double bx, double by)
{
  double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;

  if (l2 > 0)
    t = CLAMP (((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0);
  px -= ax + t * dx, py -= ay + t * dy;
  return px * px + py * py;
}

/* The squared distance from (x, y) to the line; once some segment is within
 * `enough2` the search stops (the caller only needs to know it is that near). */
static double
segment_tree_nearest2 (const SegmentTree *t, double x, double y, double enough2)
{
  gsize  stack[2 * 64];
  int    sp = 0;
  double best = INFINITY;

  stack[sp++] = 1;
  while (sp > 0)
    {
      gsize node = stack[--sp];

      if (!(box_dist2 (&t->box[4 * node], x, y) < best))
        continue;
      if (node >= t->n_leaves_pow2)
        {
          gsize i0 = (node - t->n_leaves_pow2) * t->run, i1 = MIN (t->n_segments, i0 + t->run);
          const double *p = t->xy;

          for (gsize i = i0; i < i1; i++)
            best = MIN (best, point_segment_dist2 (x, y, p[2 * i], p[2 * i + 1], p[2 * i + 2], p[2 * i + 3]));
          if (best <= enough2)
            return best;
        }
      else
        {
          /* The nearer child is searched first: pushed last. */
          gsize l = 2 * node, r = 2 * node + 1;
          gboolean left_first = box_dist2 (&t->box[4 * l], x, y) <= box_dist2 (&t->box[4 * r], x, y);
          stack[sp++] = left_first ? r : l;
          stack[sp++] = left_first ? l : r;
        }
    }
  return best;
}

typedef struct
{
  const SmpFaceAxes *axes;
  const SegmentTree *tree;
  double             px_per_mm;
  double             half_width_mm;
  double             worst2;  /* px² */
  gboolean           any;
} Asymmetry;

static void
asymmetry_sample (double a, double u, gpointer data)
{
  Asymmetry *m = data;
  double x, y;

  if (fabs (a) > m->half_width_mm)
    return;
  /* The distance to the line's mirror image, (across, up) -> (-across, up), is the
   * mirrored sample's distance to the line: face axes are a rigid motion. A sample
   * already within the worst so far cannot raise the maximum: stop there. */
  smp_face_axes_to_image (m->axes, -a * m->px_per_mm, u * m->px_per_mm, &x, &y);
  m->worst2 = MAX (m->worst2, segment_tree_nearest2 (m->tree, x, y, m->worst2));
  m->any = TRUE;
}

gboolean
smp_face_measure_asymmetry_mm (const SmpFaceFrame *frame,
                               const double       *xy,
                               gsize               n_points,
                               double              px_per_mm,
                               double             *asymmetry_mm)
{
  SmpFaceAxes axes;
  SegmentTree tree;
  Asymmetry   m = { 0 };
  Line        line;
  double      min_a = 0, max_a = 0, step;

  g_return_val_if_fail (frame != NULL && asymmetry_mm != NULL && px_per_mm > 0, FALSE);
  if (xy == NULL || n_points < 2)
    return FALSE;
  smp_face_frame_get_axes (frame, &axes);
  line = (Line) { &axes, xy, n_points, px_per_mm };
  for (gsize i = 0; i < n_points; i++)
    {
      double a, u;
      line_point (&line, i, &a, &u);
      min_a = MIN (min_a, a);
      max_a = MAX (max_a, a);
    }
  /* A line that stays on one side (a half, a temple) has no symmetry to judge. */
  if (min_a > -1.0 || max_a < 1.0)
    return FALSE;

  step = line_step (&line, SAMPLE_STEP_MM);
  if (isnan (step))
    return FALSE;
  segment_tree_init (&tree, xy, n_points);
  m = (Asymmetry) { &axes, &tree, px_per_mm, axes.half_width_px / px_per_mm, 0, FALSE };
  walk_samples (&line, step, TRUE, asymmetry_sample, &m);
  g_free (tree.box);
  if (!m.any)
    return FALSE;
  *asymmetry_mm = sqrt (m.worst2) / px_per_mm;
  return TRUE;
}

/* ---- Design checks ------------------------------------------------------------ */

static const char *const check_keys[SMP_FACE_N_CHECKS] = {
  "height", "straightness", "symmetry", "fade"
};

const char *
smp_face_check_get_key (SmpFaceCheck check)
{
  g_return_val_if_fail ((unsigned) check < SMP_FACE_N_CHECKS, NULL);
  return check_keys[check];
}

static void
finding_free (gpointer data)
{
  SmpFaceFinding *f = data;

  g_free (f->message);
  g_free (f);
}

static void
add_finding (GPtrArray *findings, SmpFaceCheck check, double measured, double limit, char *message)
{
  SmpFaceFinding *f = g_new0 (SmpFaceFinding, 1);

  f->check = check;
  f->measured = measured;
  f->limit = limit;
  f->message = message;
  g_ptr_array_add (findings, f);
}

GPtrArray *
smp_face_check_design (const double       *xy,
                       gsize               n_points,
                       const SmpFaceFrame *frame,
                       const SmpParams    *params,
                       double              px_per_mm,
                       gboolean            feminine,
                       guint              *checks_run,
                       GError            **error)
{
  g_autoptr (GPtrArray) findings = NULL;
  guint run = 0;
  double value;

  g_return_val_if_fail (params != NULL, NULL);

  if (checks_run)
    *checks_run = 0;
  if (xy == NULL || n_points < 2 || !all_finite (xy, 2 * n_points))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   "Design checks: the hairline needs at least two points with finite coordinates");
      return NULL;
    }
  for (gsize i = 0; i < 2 * n_points; i++)
    if (fabs (xy[i]) > SMP_FACE_MAX_COORDINATE_PX)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     "Design checks: point %" G_GSIZE_FORMAT " of the hairline lies at %g px, outside any "
                     "image (%g px at most)", i / 2 + 1, xy[i], SMP_FACE_MAX_COORDINATE_PX);
        return NULL;
      }
  if (!isfinite (px_per_mm) || px_per_mm <= 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "Design checks: the scale is %g px/mm, but must be positive", px_per_mm);
      return NULL;
    }
  if (frame && !smp_face_frame_validate (frame, error))
    return NULL;

  findings = g_ptr_array_new_with_free_func (finding_free);

  if (frame && smp_face_measure_height_mm (frame, xy, n_points, px_per_mm, &value))
    {
      double limit = feminine ? SMP_FACE_MIN_HEIGHT_FEMININE_MM : SMP_FACE_MIN_HEIGHT_MM;

      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT);
      if (value < limit)
        add_finding (findings, SMP_FACE_CHECK_HEIGHT, value, limit,
                     feminine
                     ? g_strdup_printf ("Too low: the mid-frontal point is %.0f mm above the glabella, under %.0f mm. "
                                        "Women's hairlines sit around 55 mm; never start too low.", value, limit)
                     : g_strdup_printf ("Too low: the mid-frontal point is %.0f mm above the glabella, under %.0f mm. "
                                        "70 mm is aggressive, 80 mm typical, 100 mm conservative; never start too low.",
                                        value, limit));
    }

  value = smp_face_measure_irregularity_mm (frame, xy, n_points, px_per_mm);
  if (isfinite (value))
    {
      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_STRAIGHTNESS);
      if (value < SMP_FACE_MIN_IRREGULARITY_MM && params->irregularity_mm < SMP_FACE_MIN_IRREGULARITY_MM)
        add_finding (findings, SMP_FACE_CHECK_STRAIGHTNESS, value, SMP_FACE_MIN_IRREGULARITY_MM,
                     g_strdup_printf ("Straighter than natural: the drawn line undulates by %.1f mm across the front "
                                      "and the irregularity adds %.1f mm (both under %.0f mm). Natural hairlines "
                                      "undulate by a few mm: raise the irregularity to 2-4 mm.",
                                      value, params->irregularity_mm, SMP_FACE_MIN_IRREGULARITY_MM));
    }

  if (frame && smp_face_measure_asymmetry_mm (frame, xy, n_points, px_per_mm, &value))
    {
      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_SYMMETRY);
      if (value > SMP_FACE_MAX_ASYMMETRY_MM)
        add_finding (findings, SMP_FACE_CHECK_SYMMETRY, value, SMP_FACE_MAX_ASYMMETRY_MM,
                     g_strdup_printf ("Lopsided: left and right differ by up to %.1f mm about the face midline "
                                      "(natural hairlines stay within %.0f mm). Mirror Hairline makes a symmetric "
                                      "line; the irregularity then adds natural variation.",
                                      value, SMP_FACE_MAX_ASYMMETRY_MM));
    }

  run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE);
  if (params->fade_width_mm < SMP_FACE_MIN_FADE_MM)
    add_finding (findings, SMP_FACE_CHECK_FADE, params->fade_width_mm, SMP_FACE_MIN_FADE_MM,
                 g_strdup_printf ("No transition zone: the fade is %.1f mm wide, under %.0f mm. A hard edge "
                                  "reads as a helmet; feather the hairline over 5-10 mm.",
                                  params->fade_width_mm, SMP_FACE_MIN_FADE_MM));

  if (checks_run)
    *checks_run = run;
  return g_steal_pointer (&findings);
}

char *
smp_face_findings_to_text (const GPtrArray *findings)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; findings && i < findings->len; i++)
    {
      const SmpFaceFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, f->message);
    }
  return g_string_free (text, FALSE);
}

void
smp_face_findings_save_key_file (const GPtrArray *findings,
                                 guint            checks_run,
                                 GKeyFile        *key_file,
                                 const char      *group)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();

  g_return_if_fail (key_file != NULL && group != NULL);

  g_key_file_remove_group (key_file, group, NULL);
  for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
    if (checks_run & SMP_FACE_CHECK_BIT (c))
      g_ptr_array_add (keys, (gpointer) check_keys[c]);
  g_key_file_set_string_list (key_file, group, "checked",
                              (const char *const *) keys->pdata, keys->len);
  g_key_file_set_integer (key_file, group, "findings", findings ? (int) findings->len : 0);
  for (guint i = 0; findings && i < findings->len; i++)
    {
      const SmpFaceFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

      g_key_file_set_string (key_file, group, check_keys[f->check], f->message);
    }
}
