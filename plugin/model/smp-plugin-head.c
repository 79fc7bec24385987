/* smp-plugin-head.c: the head model on the image (parasite "smp-head-model"): reading,
 * storing, the outline path's points, and which model a hairline run uses. */
#include "smp-plugin-head.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

gboolean
smp_plugin_head_get (GimpImage *image, SmpHeadModel *model, GError **error)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (GIMP_IS_IMAGE (image) && model != NULL, FALSE);
  key_file = smp_plugin_image_get_key_file (image, SMP_PLUGIN_HEAD_PARASITE);
  if (!key_file)
    return FALSE;
  text = g_key_file_to_data (key_file, NULL, NULL);
  return smp_head_model_from_string (model, text, error);
}

gboolean
smp_plugin_head_set (GimpImage *image, const SmpHeadModel *model)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (GIMP_IS_IMAGE (image) && model != NULL, FALSE);
  text = smp_head_model_to_string (model);
  if (!g_key_file_load_from_data (key_file, text, strlen (text), G_KEY_FILE_NONE, NULL))
    return FALSE;
  return smp_plugin_image_set_key_file (image, SMP_PLUGIN_HEAD_PARASITE, key_file);
}

GArray *
smp_plugin_head_outline_points (GimpPath *path)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree gint *strokes = NULL;
  gsize n_strokes = 0;

  strokes = gimp_path_get_strokes (path, &n_strokes);
  for (gsize s = 0; s < n_strokes; s++)
    {
      g_autofree double *points = NULL;
      gsize    n = 0;
      gboolean closed = FALSE;

      points = gimp_path_stroke_interpolate (path, strokes[s], 1.0, &n, &closed);
      if (points)
        g_array_append_vals (xy, points, n & ~(gsize) 1);
    }
  return xy;
}

GArray *
smp_plugin_head_selection_top_edge (GimpImage *image)
{
  const int strip = 64;
  gboolean  non_empty = FALSE;
  int       x1, y1, x2, y2, w, step, n_cols, left;
  GArray   *xy;
  GeglBuffer *buffer;
  g_autofree guint8 *rows = NULL;
  g_autofree int *found = NULL;

  if (!gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) || !non_empty || x2 <= x1 || y2 <= y1)
    return NULL;
  w = x2 - x1;
  step = MAX (1, (w + 399) / 400);
  n_cols = (w + step - 1) / step;
  found = g_new (int, n_cols);
  for (int c = 0; c < n_cols; c++)
    found[c] = -1;
  left = n_cols;
  rows = g_new (guint8, (gsize) w * strip);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (gimp_image_get_selection (image)));
  /* Top down, strip by strip, until every sampled column has met the selection. */
  for (int y0 = y1; y0 < y2 && left > 0; y0 += strip)
    {
      int h = MIN (strip, y2 - y0);
      gegl_buffer_get (buffer, GEGL_RECTANGLE (x1, y0, w, h), 1.0, babl_format ("Y u8"), rows, w,
                       GEGL_ABYSS_NONE);
      for (int c = 0; c < n_cols; c++)
        if (found[c] < 0)
          for (int r = 0; r < h; r++)
            if (rows[(gsize) r * w + (gsize) c * step] >= 128)
              {
                found[c] = y0 + r;
                left--;
                break;
              }
    }
  g_object_unref (buffer);
  xy = g_array_new (FALSE, FALSE, sizeof (double));
  for (int c = 0; c < n_cols; c++)
    if (found[c] >= 0)
      {
        double p[2] = { x1 + c * step + 0.5, found[c] + 0.5 };
        g_array_append_vals (xy, p, 2);
      }
  return xy;
}

gboolean
smp_plugin_head_resolve (GimpImage          *image,
                         SmpHeadModelChoice  choice,
                         SmpHeadModel       *model,
                         gboolean           *on_head,
                         GError            **error)
{
  g_autoptr (GError) local = NULL;
  gboolean have;

  *on_head = FALSE;
  if (choice == SMP_HEAD_MODEL_FLAT)
    return TRUE;
  have = smp_plugin_head_get (image, model, &local);
  if (have)
    {
      *on_head = TRUE;
      return TRUE;
    }
  if (choice == SMP_HEAD_MODEL_AUTO && !local)
    return TRUE;
  if (local)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The image's stored head model cannot be used (%s): fit it again with Fit Head Model…, "
                 "or choose the flat model"), local->message);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("head-model is “fitted” but the image has no head model: trace the head's outline as a "
                 "path and run Filters ▸ Render ▸ Scalp Micropigmentation ▸ Fit Head Model…, or choose auto or flat"));
  return FALSE;
}

void
smp_plugin_head_to_design (const SmpHeadModel *model, int offset_x, int offset_y, SmpHeadModel *out)
{
  *out = *model;
  out->centre_x -= offset_x;
  out->centre_y -= offset_y;
}

gboolean
smp_plugin_head_put_on (SmpDesign *design, GimpImage *image, int offset_x, int offset_y, gboolean *on_head,
                        SmpHeadModel *model, GError **error)
{
  SmpHeadModel found, local;
  gboolean     have = FALSE;

  if (on_head)
    *on_head = FALSE;
  if (!smp_plugin_head_resolve (image, smp_design_get_params (design)->head_model, &found, &have, error))
    return FALSE;
  if (!have)
    return smp_design_set_head (design, NULL, error);
  smp_plugin_head_to_design (&found, offset_x, offset_y, &local);
  if (!smp_design_set_head (design, &local, error))
    return FALSE;
  if (on_head)
    *on_head = TRUE;
  if (model)
    *model = found;
  return TRUE;
}

gboolean
smp_plugin_head_stops (const SmpHeadModel *model, const SmpRect *c, const SmpMask *mask, const SmpHairline *hairline,
                       double reach_px, double px_per_mm, double *band_mm)
{
  double step_x = MAX (1.0, c->width / 256.0), step_y = MAX (1.0, c->height / 256.0);
  gboolean found = FALSE;

  for (double y = c->y + step_y / 2; y < c->y + c->height && !found; y += step_y)
    for (double x = c->x + step_x / 2; x < c->x + c->width && !found; x += step_x)
      {
        double cs = smp_head_model_cos (model, x, y);
        if (cs > 0 && cs < SMP_HEAD_MIN_COS && (!mask || smp_mask_sample (mask, x, y) > 0.0f) &&
            smp_hairline_signed_distance_px (hairline, x, y) >= -reach_px)
          found = TRUE;
      }
  if (found && band_mm)
    {
      /* The stop line's point straight up from the centre (a quarter of 8). */
      g_autoptr (GArray) line = smp_head_model_contour (model, SMP_HEAD_MIN_COS, 8);
      double dx = g_array_index (line, double, 4) - model->centre_x, dy = g_array_index (line, double, 5) - model->centre_y;
      *band_mm = (model->radius_up_px - hypot (dx, dy)) / px_per_mm;
    }
  return found;
}

char *
smp_plugin_head_describe (gboolean on_head, const SmpHeadModel *model, double px_per_mm)
{
  if (!on_head)
    return g_strdup ("Flat: the photo as one plane at one scale");
  if (px_per_mm > 0)
    return g_strdup_printf ("Fitted head, %.0f × %.0f mm: density per cm² of skin, dots foreshortened, "
                            "none where the head turns away (cos θ < %.2f)",
                            2 * model->radius_across_px / px_per_mm, 2 * model->radius_up_px / px_per_mm,
                            SMP_HEAD_MIN_COS);
  return g_strdup ("Fitted head");
}
