/* smp-template.c: shipped hairline templates (key files in face mm): loading,
 * listing and placing one on a face frame. */
#include <smp/smp-face.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include "smp-aids-private.h"

#include <math.h>
#include <string.h>

#define TEMPLATE_GROUP  "SMP Template"
#define TEMPLATE_SUFFIX ".smp-template"

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
                   _("%s: key \"name\" in group [%s] is missing or empty"), path, TEMPLATE_GROUP);
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
                   _("%s: key \"half\" in group [%s] is missing"), path, TEMPLATE_GROUP);
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
                       _("%s: key \"half\" in group [%s], point %u (\"%s\") %s"),
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
                   _("%s: key \"half\" in group [%s] needs at least three points, one of them the "
                   "temple point with x = 1"),
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
                   _("The scale is %g px/mm, but must lie between %g and %g px/mm"),
                   px_per_mm, scale_range->min, scale_range->max);
      return NULL;
    }
  if (!isfinite (height_mm) || height_mm < 20 || height_mm > 200)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("The mid-frontal height is %g mm, but must lie between 20 and 200 mm"),
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
