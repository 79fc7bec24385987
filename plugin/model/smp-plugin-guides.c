/* smp-plugin-guides.c: the face frame on the image, the design checks of a
 * proposal and the hidden "SMP guides" layer drawn from the face frame. */
#include "smp-plugin-guides.h"
#include <glib/gi18n-lib.h>

#include <cairo.h>
#include <math.h>
#include <string.h>

/* ---- The face frame --------------------------------------------------------- */

gboolean
smp_plugin_face_frame_get (GimpImage *image, SmpFaceFrame *frame)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (GIMP_IS_IMAGE (image) && frame != NULL, FALSE);

  key_file = smp_plugin_image_get_key_file (image, SMP_PLUGIN_FACE_FRAME_PARASITE);
  if (!key_file)
    return FALSE;
  text = g_key_file_to_data (key_file, NULL, NULL);
  return smp_face_frame_from_string (frame, text, NULL);
}

gboolean
smp_plugin_face_frame_set (GimpImage *image, const SmpFaceFrame *frame)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *text = smp_face_frame_to_string (frame);

  g_return_val_if_fail (GIMP_IS_IMAGE (image) && frame != NULL, FALSE);

  if (!g_key_file_load_from_data (key_file, text, strlen (text), G_KEY_FILE_NONE, NULL))
    return FALSE;
  return smp_plugin_image_set_key_file (image, SMP_PLUGIN_FACE_FRAME_PARASITE, key_file);
}

GArray *
smp_plugin_path_get_anchors (GimpPath *path)
{
  GArray *anchors = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree gint *strokes = NULL;
  gsize n_strokes = 0;

  strokes = gimp_path_get_strokes (path, &n_strokes);
  for (gsize s = 0; s < n_strokes; s++)
    {
      g_autofree double *points = NULL;
      gsize    n_points = 0;
      gboolean closed = FALSE;

      gimp_path_stroke_get_points (path, strokes[s], &n_points, &points, &closed);
      /* Bézier strokes: control, anchor, control; 6 doubles per anchor. */
      for (gsize i = 0; i + 6 <= n_points; i += 6)
        g_array_append_vals (anchors, points + i + 2, 2);
    }
  return anchors;
}

gboolean
smp_plugin_face_frame_from_path (GimpPath *path, SmpFaceFrame *frame, GError **error)
{
  g_autoptr (GArray) anchors = smp_plugin_path_get_anchors (path);
  g_autofree char *name = gimp_item_get_name (GIMP_ITEM (path));
  g_autoptr (GError) local = NULL;

  if (anchors->len != 6)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The face-frame path “%s” has %u anchors; it needs exactly three: the glabella "
                   "(between the brows) and the two outer eye corners"),
                   name, anchors->len / 2);
      return FALSE;
    }
  if (!smp_face_frame_from_points (frame, (const double *) anchors->data, &local))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Path “%s”: %s"), name, local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_plugin_face_frame_resolve (GimpImage    *image,
                               GimpPath     *path,
                               SmpFaceFrame *frame,
                               gboolean     *from_path,
                               GError      **error)
{
  g_autofree GimpPath **selected = NULL;

  if (from_path)
    *from_path = FALSE;
  if (path)
    {
      if (gimp_item_get_image (GIMP_ITEM (path)) != image)
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("The face-frame path belongs to another image"));
          return FALSE;
        }
      if (!smp_plugin_face_frame_from_path (path, frame, error))
        return FALSE;
      if (from_path)
        *from_path = TRUE;
      return TRUE;
    }

  selected = gimp_image_get_selected_paths (image);
  if (gimp_core_object_array_get_length ((GObject **) selected) == 1)
    {
      g_autoptr (GArray) anchors = smp_plugin_path_get_anchors (selected[0]);

      if (anchors->len == 6)
        {
          if (!smp_plugin_face_frame_from_path (selected[0], frame, error))
            return FALSE;
          if (from_path)
            *from_path = TRUE;
          return TRUE;
        }
    }
  if (smp_plugin_face_frame_get (image, frame))
    return TRUE;

  g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
               _("No face frame: draw a path with three anchors — the glabella (between the brows) "
               "and the two outer eye corners — and select it"));
  return FALSE;
}

/* ---- Design checks -------------------------------------------------------------- */

void
smp_plugin_design_aids_add_arguments (GimpProcedure *procedure)
{
  gimp_procedure_add_boolean_argument (procedure, "feminine", _("_Feminine hairline"),
                                       _("Design checks use the feminine height limit "
                                       "(5 cm above the glabella instead of 7 cm)"),
                                       FALSE, G_PARAM_READWRITE);
  gimp_procedure_add_boolean_argument (procedure, "guides", _("Add design _guides"),
                                       _("Add a hidden \"SMP guides\" layer to the proposal: "
                                       "face midline, 7/8/10 cm height marks, temple "
                                       "verticals and facial thirds (needs a face frame)"),
                                       FALSE, G_PARAM_READWRITE);
}

/* The longest stroke of `path`, interpolated, image px. */
static GArray *
longest_stroke (GimpPath *path)
{
  g_autofree gint *strokes = NULL;
  gsize  n_strokes = 0;
  GArray *best = NULL;
  double best_len = -1;

  strokes = gimp_path_get_strokes (path, &n_strokes);
  for (gsize s = 0; s < n_strokes; s++)
    {
      double len = gimp_path_stroke_get_length (path, strokes[s], 0.1);

      if (len > best_len)
        {
          g_autofree double *xy = NULL;
          gsize    n = 0;
          gboolean closed = FALSE;

          xy = gimp_path_stroke_interpolate (path, strokes[s], 0.2, &n, &closed);
          if (!xy || n < 4)
            continue;
          if (best)
            g_array_unref (best);
          best = g_array_new (FALSE, FALSE, sizeof (double));
          g_array_append_vals (best, xy, n & ~(gsize) 1);
          if (closed)
            g_array_append_vals (best, xy, 2);
          best_len = len;
        }
    }
  return best;
}

char *
smp_plugin_checks_run (GimpImage       *image,
                       GimpPath        *path,
                       const SmpParams *params,
                       gboolean         feminine,
                       SmpProposal     *record,
                       double          *mid_frontal_mm,
                       GError         **error)
{
  g_autoptr (GArray) line = NULL;
  g_autoptr (GPtrArray) findings = NULL;
  SmpFaceFrame frame;
  gboolean has_frame;
  guint run = 0;

  if (mid_frontal_mm)
    *mid_frontal_mm = NAN;
  line = longest_stroke (path);
  if (!line)
    {
      g_autofree char *name = gimp_item_get_name (GIMP_ITEM (path));

      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("The path “%s” has no stroke to check"), name);
      return NULL;
    }
  has_frame = smp_plugin_face_frame_get (image, &frame);
  findings = smp_face_check_design ((const double *) line->data, line->len / 2,
                                    has_frame ? &frame : NULL, params, params->px_per_mm,
                                    feminine, &run, error);
  if (!findings)
    return NULL;
  if (record)
    {
      record->checks_ran = TRUE;
      record->checks_run = run;
      record->face_frame = has_frame;
      record->feminine = feminine;
      for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
        smp_proposal_set_check (record, c, NULL);
      for (guint i = 0; i < findings->len; i++)
        {
          const SmpFaceFinding *f = g_ptr_array_index (findings, i);
          smp_proposal_set_check (record, f->check, f->message);
        }
    }
  if (mid_frontal_mm && has_frame)
    {
      double h;

      if (smp_face_measure_height_mm (&frame, (const double *) line->data, line->len / 2,
                                      params->px_per_mm, &h))
        *mid_frontal_mm = h;
    }
  return smp_face_findings_to_text (findings);
}

/* ---- Guides --------------------------------------------------------------------- */

typedef struct
{
  SmpFaceAxes axes;
  double      px_per_mm;
} GuideSpace;

/* Face mm (across, up) to image px. */
static void
guide_point (const GuideSpace *g, double a_mm, double u_mm, double *x, double *y)
{
  smp_face_axes_to_image (&g->axes, a_mm * g->px_per_mm, u_mm * g->px_per_mm, x, y);
}

static void
guide_line (cairo_t *cr, double a0, double u0, double a1, double u1)
{
  /* The cairo matrix maps face mm (across, -up) to the layer. */
  cairo_move_to (cr, a0, -u0);
  cairo_line_to (cr, a1, -u1);
  cairo_stroke (cr);
}

static void
guide_label (cairo_t *cr, double a, double u, const char *text, gboolean right_align)
{
  cairo_text_extents_t ext;

  cairo_text_extents (cr, text, &ext);
  cairo_move_to (cr, right_align ? a - ext.x_advance : a, -u + ext.height / 2);
  cairo_show_text (cr, text);
}

/* A closed image-px polyline in the guides' face-mm space. */
static void
guide_polyline (cairo_t *cr, const GuideSpace *g, GArray *xy)
{
  for (guint i = 0; i + 1 < xy->len; i += 2)
    {
      double a, u;
      smp_face_axes_to_face (&g->axes, g_array_index (xy, double, i), g_array_index (xy, double, i + 1), &a, &u);
      if (i == 0)
        cairo_move_to (cr, a / g->px_per_mm, -u / g->px_per_mm);
      else
        cairo_line_to (cr, a / g->px_per_mm, -u / g->px_per_mm);
    }
  cairo_close_path (cr);
  cairo_stroke (cr);
}

/* The fitted outline, and lines of equal foreshortening labelled on the midline. */
static void
draw_head (cairo_t *cr, const GuideSpace *g, const SmpHeadModel *head, double line_mm, double font_mm)
{
  static const double levels[] = { 0.9, 0.7, 0.5, 0.3, SMP_HEAD_MIN_COS };
  g_autoptr (GArray) outline = smp_head_model_outline (head, 180);

  cairo_set_source_rgba (cr, 0.3, 1.0, 0.4, 0.9);
  guide_polyline (cr, g, outline);
  for (guint k = 0; k < G_N_ELEMENTS (levels); k++)
    {
      g_autoptr (GArray) line = smp_head_model_contour (head, levels[k], 180);
      gboolean stop = levels[k] == SMP_HEAD_MIN_COS;
      g_autofree char *label = stop ? g_strdup_printf ("no dots beyond (cos θ %.2f)", levels[k])
                                    : g_strdup_printf ("cos θ %.1f: ×%.1f density", levels[k], 1 / levels[k]);
      double a, u, top_x, top_y;

      if (stop)
        cairo_set_dash (cr, (double[]) { 2 * line_mm, 2 * line_mm }, 2, 0);
      cairo_set_source_rgba (cr, stop ? 1.0 : 0.3, stop ? 0.35 : 1.0, stop ? 0.3 : 0.4, 0.6);
      guide_polyline (cr, g, line);
      cairo_set_dash (cr, NULL, 0, 0);
      /* The label where the line crosses the midline above the centre (a quarter turn round). */
      top_x = g_array_index (line, double, 2 * 45), top_y = g_array_index (line, double, 2 * 45 + 1);
      smp_face_axes_to_face (&g->axes, top_x, top_y, &a, &u);
      cairo_set_font_size (cr, font_mm * 0.8);
      guide_label (cr, a / g->px_per_mm + font_mm / 2, u / g->px_per_mm - font_mm * 0.6, label, FALSE);
      cairo_set_font_size (cr, font_mm);
    }
}

GimpLayer *
smp_plugin_guides_add (GimpImage          *image,
                       GimpGroupLayer     *group,
                       const SmpFaceFrame *frame,
                       double              px_per_mm,
                       double              thirds_mm,
                       const SmpHeadModel *head)
{
  static const double marks_mm[] = { 70, 80, 100 };
  static const char *const thirds_names[] = { "hairline", "glabella", "nose base", "chin" };
  GuideSpace g;
  double w_mm, top_mm, bottom_mm, left_mm, right_mm, font_mm, line_mm;
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  int bx, by, bw, bh;
  gboolean visible = FALSE;
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_matrix_t m;
  GimpLayer *layer;
  GeglBuffer *buffer;

  g_return_val_if_fail (GIMP_IS_IMAGE (image) && GIMP_IS_GROUP_LAYER (group), NULL);
  if (!smp_face_frame_validate (frame, NULL) || !(px_per_mm > 0))
    return NULL;
  if (!(thirds_mm > 0))
    thirds_mm = SMP_FACE_DEFAULT_HEIGHT_MM;

  smp_face_frame_get_axes (frame, &g.axes);
  g.px_per_mm = px_per_mm;
  w_mm = g.axes.half_width_px / px_per_mm;
  font_mm = MAX (3.5, 11.0 / px_per_mm);
  line_mm = MAX (0.3, 1.5 / px_per_mm);
  top_mm = MAX (marks_mm[2], thirds_mm) + 3 * font_mm;
  bottom_mm = -2 * thirds_mm - 2 * font_mm;
  left_mm = -1.3 * w_mm - 12 * font_mm;
  right_mm = 1.3 * w_mm + 4 * font_mm;

  /* The layer covers the guides' bounding box, clipped to the canvas. */
  for (int k = 0; k < 4; k++)
    {
      double x, y;

      guide_point (&g, k & 1 ? right_mm : left_mm, k & 2 ? top_mm : bottom_mm, &x, &y);
      x0 = MIN (x0, x); y0 = MIN (y0, y);
      x1 = MAX (x1, x); y1 = MAX (y1, y);
    }
  if (head)
    {
      /* …and the head's outline, with room for a line width. */
      g_autoptr (GArray) outline = smp_head_model_outline (head, 180);
      for (guint i = 0; i + 1 < outline->len; i += 2)
        {
          double x = g_array_index (outline, double, i), y = g_array_index (outline, double, i + 1);
          x0 = MIN (x0, x - 4 * line_mm * px_per_mm); y0 = MIN (y0, y - 4 * line_mm * px_per_mm);
          x1 = MAX (x1, x + 4 * line_mm * px_per_mm); y1 = MAX (y1, y + 4 * line_mm * px_per_mm);
        }
    }
  bx = MAX (0, (int) floor (x0));
  by = MAX (0, (int) floor (y0));
  bw = MIN (gimp_image_get_width (image), (int) ceil (x1)) - bx;
  bh = MIN (gimp_image_get_height (image), (int) ceil (y1)) - by;
  if (bw <= 0 || bh <= 0)
    return NULL;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, bw, bh);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  cr = cairo_create (surface);
  cairo_matrix_init (&m,
                     g.axes.across_x * px_per_mm, g.axes.across_y * px_per_mm,
                     -g.axes.up_x * px_per_mm, -g.axes.up_y * px_per_mm,
                     g.axes.origin_x - bx, g.axes.origin_y - by);
  cairo_set_matrix (cr, &m);
  cairo_set_line_width (cr, line_mm);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, font_mm);

  /* Facial thirds: equal bands above and below the glabella. */
  cairo_set_source_rgba (cr, 0.85, 0.2, 0.85, 0.8);
  cairo_set_dash (cr, (double[]) { 3 * line_mm, 2 * line_mm }, 2, 0);
  for (int k = 0; k < 4; k++)
    {
      double u = (1 - k) * thirds_mm;

      guide_line (cr, -1.3 * w_mm, u, 1.3 * w_mm, u);
      guide_label (cr, -1.3 * w_mm - font_mm / 2, u, thirds_names[k], TRUE);
    }
  cairo_set_dash (cr, NULL, 0, 0);

  /* The face midline and the temple verticals through the outer eye corners. */
  cairo_set_source_rgba (cr, 0.1, 0.8, 0.95, 0.9);
  guide_line (cr, 0, bottom_mm + font_mm, 0, top_mm - font_mm);
  for (int s = -1; s <= 1; s += 2)
    guide_line (cr, s * w_mm, -10, s * w_mm, top_mm - font_mm);

  /* Mid-frontal height marks: 7 cm aggressive, 8 typical, 10 conservative. */
  cairo_set_source_rgba (cr, 1.0, 0.85, 0.1, 0.95);
  for (guint k = 0; k < G_N_ELEMENTS (marks_mm); k++)
    {
      g_autofree char *label = g_strdup_printf ("%g cm", marks_mm[k] / 10);

      guide_line (cr, -0.5 * w_mm, marks_mm[k], 0.5 * w_mm, marks_mm[k]);
      guide_label (cr, 0.5 * w_mm + font_mm / 2, marks_mm[k], label, FALSE);
    }
  if (head)
    draw_head (cr, &g, head, line_mm, font_mm);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Replace an older guides layer, keeping what the artist chose to show. */
  {
    g_autofree GimpItem **children = gimp_item_get_children (GIMP_ITEM (group));

    for (gsize i = 0; children && children[i]; i++)
      {
        g_autofree char *name = gimp_item_get_name (children[i]);

        if (!strcmp (name, SMP_PLUGIN_GUIDES_LAYER_NAME))
          {
            visible = gimp_item_get_visible (children[i]);
            gimp_image_remove_layer (image, GIMP_LAYER (children[i]));
          }
      }
  }

  layer = gimp_layer_new (image, SMP_PLUGIN_GUIDES_LAYER_NAME, bw, bh,
                          gimp_image_get_base_type (image) == GIMP_GRAY ? GIMP_GRAYA_IMAGE
                                                                         : GIMP_RGBA_IMAGE,
                          100.0, GIMP_LAYER_MODE_NORMAL);
  gimp_image_insert_layer (image, layer, GIMP_LAYER (group), 0);
  gimp_layer_set_offsets (layer, bx, by);
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, bw, bh), 0, babl_format ("cairo-ARGB32"),
                   cairo_image_surface_get_data (surface), cairo_image_surface_get_stride (surface));
  g_object_unref (buffer);
  gimp_drawable_update (GIMP_DRAWABLE (layer), 0, 0, bw, bh);
  gimp_item_set_visible (GIMP_ITEM (layer), visible);
  cairo_surface_destroy (surface);
  return layer;
}

/* ---- The hairline procedure's hook ------------------------------------------------ */

void
smp_plugin_design_aids_apply (GimpProcedureConfig *config,
                              GimpRunMode          run_mode,
                              GimpImage           *image,
                              GimpGroupLayer      *group,
                              const char          *path_name,
                              const SmpParams     *params,
                              SmpProposal         *record)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *findings = NULL;
  GimpPath *path = path_name ? gimp_image_get_path_by_name (image, path_name) : NULL;
  gboolean feminine = FALSE, guides = FALSE;
  double mid_frontal_mm = NAN;

  g_object_get (config, "feminine", &feminine, "guides", &guides, NULL);
  if (path)
    findings = smp_plugin_checks_run (image, path, params, feminine, record, &mid_frontal_mm, &error);
  if (!findings)
    {
      /* No readable line: only what does not need one. */
      smp_plugin_warn (run_mode, _("Design checks skipped: %s"),
                       error ? error->message : "the hairline path was not found");
    }
  else if (*findings)
    smp_plugin_warn (run_mode, _("SMP design checks:\n%s"), findings);

  if (guides)
    {
      SmpFaceFrame frame;

      if (!smp_plugin_face_frame_get (image, &frame))
        smp_plugin_warn (run_mode, _("No guides: the image has no face frame (mark one with "
                                   "Hairline from Template…)"));
      else if (!smp_plugin_guides_add (image, group, &frame, params->px_per_mm,
                                       isfinite (mid_frontal_mm) ? mid_frontal_mm
                                                                 : SMP_FACE_DEFAULT_HEIGHT_MM,
                                       record && record->on_head ? &record->head : NULL))
        smp_plugin_warn (run_mode, _("No guides: the face frame lies outside the image"));
    }
}
