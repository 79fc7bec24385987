/* smp-plugin-template.c: plug-in-smp-hairline-template ("Hairline from Template…")
 * and plug-in-smp-mirror-hairline ("Mirror Hairline"): new hairline paths on the face frame. */
#include "smp-plugin-template.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>
#include <string.h>

#include "smp-plugin-common.h"
#include "smp-plugin-guides.h"

#define TEMPLATE_SUFFIX  ".smp-template"
#define DEFAULT_TEMPLATE "rounded"

static char *
templates_dir (void)
{
  g_autofree char *patterns = smp_plugin_get_patterns_dir ();

  return g_build_filename (patterns, "templates", NULL);
}

/* Every template that loads, as a choice (nick = id). Bad files are left out
 * here; running with one reports why it cannot be read. */
static GimpChoice *
template_choice (char **default_id)
{
  g_autofree char *dir = templates_dir ();
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GimpChoice *choice = gimp_choice_new ();
  const char *name;
  int id = 0;

  *default_id = NULL;
  while (d && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, TEMPLATE_SUFFIX))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort_values (names, (GCompareFunc) strcmp);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr (SmpFaceTemplate) t = smp_face_template_load (path, NULL);

      if (!t)
        continue;
      gimp_choice_add (choice, smp_face_template_get_id (t), id++, smp_face_template_get_name (t),
                       smp_face_template_get_description (t));
      if (!*default_id || !strcmp (smp_face_template_get_id (t), DEFAULT_TEMPLATE))
        {
          g_free (*default_id);
          *default_id = g_strdup (smp_face_template_get_id (t));
        }
    }
  if (!*default_id)
    {
      /* Nothing installed: keep the procedure registrable; the run explains. */
      gimp_choice_add (choice, DEFAULT_TEMPLATE, 0, _("Rounded"), "");
      *default_id = g_strdup (DEFAULT_TEMPLATE);
    }
  return choice;
}

/* A new path holding one Bézier stroke, inserted on top, shown and selected:
 * the artist sees the line just made on the photo, not only in the Paths dialog. */
static GimpPath *
insert_path (GimpImage *image, const char *name, const double *points, gsize n_anchors)
{
  GimpPath *path = gimp_path_new (image, name);

  gimp_path_stroke_new_from_points (path, GIMP_PATH_STROKE_TYPE_BEZIER, 6 * n_anchors, points, FALSE);
  gimp_image_insert_path (image, path, NULL, 0);
  gimp_item_set_visible (GIMP_ITEM (path), TRUE);
  gimp_image_set_selected_paths (image, (const GimpPath *[]) { path, NULL });
  return path;
}

static GimpValueArray *
path_result (GimpProcedure *procedure, GimpPath *path)
{
  GimpValueArray *result = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);

  GIMP_VALUES_SET_PATH (result, 1, path);
  return result;
}

/* ---- Hairline from Template --------------------------------------------------- */

static gboolean
template_dialog (GimpProcedure *procedure, GimpProcedureConfig *config)
{
  GtkWidget *dialog;
  gboolean   ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, _("Hairline from Template"));
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "template", "height-mm", "px-per-mm", NULL);
  ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return ok;
}

static GimpValueArray *
template_run (GimpProcedure        *procedure,
              GimpRunMode           run_mode,
              GimpImage            *image,
              GimpDrawable        **drawables,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  g_autoptr (GimpPath) frame_path = NULL;
  g_autoptr (SmpFaceTemplate) face_template = NULL;
  g_autoptr (SmpFaceCurve) curve = NULL;
  g_autofree char *id = NULL, *dir = NULL, *file = NULL, *file_name = NULL;
  g_autoptr (GError) local = NULL;
  GError *error = NULL;
  SmpFaceFrame frame;
  GimpPath *path;
  double height_mm, px_per_mm;

  (void) drawables;
  (void) run_data;

  if (run_mode == GIMP_RUN_INTERACTIVE && !template_dialog (procedure, config))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  g_object_get (config, "face-frame", &frame_path, "template", &id,
                "height-mm", &height_mm, "px-per-mm", &px_per_mm, NULL);

  if (!smp_plugin_face_frame_resolve (image, frame_path, &frame, NULL, &error))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  if (px_per_mm <= 0 && !smp_plugin_calibration_get (image, &px_per_mm, NULL, NULL))
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("The image has no scale: run Calibrate Scale… first (two anchors on the "
                   "pupils, 63 mm), or give px-per-mm"));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  dir = templates_dir ();
  file_name = g_strconcat (id, TEMPLATE_SUFFIX, NULL);
  file = g_build_filename (dir, file_name, NULL);
  face_template = smp_face_template_load (file, &local);
  if (face_template)
    curve = smp_face_template_place (face_template, &frame, px_per_mm, height_mm, &local);
  if (!curve)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, local->message);
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  gimp_image_undo_group_start (image);
  path = insert_path (image, smp_face_template_get_name (face_template),
                      (const double *) curve->points->data, curve->n_anchors);
  smp_plugin_face_frame_set (image, &frame);
  gimp_image_undo_group_end (image);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  return path_result (procedure, path);
}

GimpProcedure *
smp_plugin_template_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;
  g_autofree char *default_id = NULL;
  GimpChoice *choice = template_choice (&default_id);

  procedure = smp_plugin_procedure_new (plug_in, name, template_run, NULL, _("Hairline from _Template…"),
                                       _("Draw a hairline from a template. Prepare a face-frame path: glabella and both outer eye corners"),
    _("Places a shipped hairline template (patterns/templates) on the face frame: a "
    "path with three anchors at the glabella (between the brows) and the two outer "
    "eye corners, in any order. The template's width follows the eye corners (its "
    "temple points land on the verticals through them, perpendicular to the eye "
    "line), its mid-frontal point lands at the requested height above the glabella, "
    "using the image's calibration. The result is a new path named after the "
    "template, ready for the hairline procedure; the face frame is stored on the "
    "image (parasite \"smp-face-frame\") for the design checks, guides and Mirror "
    "Hairline. Without a face-frame path the selected 3-anchor path or the stored "
    "frame is used."));

  gimp_procedure_add_path_argument (procedure, "face-frame", _("_Face frame"),
                                    _("Path with three anchors: glabella and both outer eye "
                                    "corners; none means the selected path (if it has three "
                                    "anchors), else the stored face frame"),
                                    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "template", _("_Template"),
                                      _("The hairline template (file name in patterns/templates "
                                      "without .smp-template)"),
                                      choice, default_id, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "height-mm", _("Mid-frontal hei_ght (mm)"),
                                      _("Height of the mid-frontal point above the glabella: "
                                      "70 aggressive, 80 typical, 100 conservative, about 55 "
                                      "for women"),
                                      20.0, 200.0, SMP_FACE_DEFAULT_HEIGHT_MM, G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "px-per-mm", _("Sc_ale (px/mm; 0: the calibration)"),
                                      _("Photo scale; 0 uses the image's calibration (Calibrate Scale…)"),
                                      0.0, 200.0, 0.0, G_PARAM_READWRITE);
  gimp_procedure_add_path_return_value (procedure, "path", _("Path"), _("The new hairline path"),
                                        FALSE, G_PARAM_READWRITE);
  return procedure;
}

/* ---- Mirror Hairline --------------------------------------------------------- */

#define MIDLINE_PATH_NAME "Face midline"

static GimpValueArray *
mirror_run (GimpProcedure        *procedure,
            GimpRunMode           run_mode,
            GimpImage            *image,
            GimpDrawable        **drawables,
            GimpProcedureConfig  *config,
            gpointer              run_data)
{
  g_autoptr (GimpPath) half_arg = NULL, frame_path = NULL;
  g_autoptr (GArray) full = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree gint *strokes = NULL;
  g_autofree double *points = NULL;
  g_autofree char *half_name = NULL, *name = NULL;
  GError *error = NULL;
  SmpFaceFrame frame;
  GimpPath *half, *path;
  gsize n_strokes = 0, n_points = 0;
  gboolean closed = FALSE, frame_from_path = FALSE;

  (void) drawables;
  (void) run_data;

  g_object_get (config, "path", &half_arg, "face-frame", &frame_path, NULL);

  if (frame_path)
    {
      if (gimp_item_get_image (GIMP_ITEM (frame_path)) != image)
        {
          g_set_error (&error, GIMP_PLUG_IN_ERROR, 0, _("The face-frame path belongs to another image"));
          return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
        }
      if (!smp_plugin_face_frame_from_path (frame_path, &frame, &error))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
      frame_from_path = TRUE;
    }
  else if (!smp_plugin_face_frame_get (image, &frame))
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("No face frame: draw a path with three anchors (the glabella between the brows "
                   "and both outer eye corners) and run Mirror Hairline again with it selected "
                   "as the Face frame, or run Hairline from Template… once on it (the image "
                   "then keeps the frame)"));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  half = smp_plugin_pick_path (image, half_arg, &error);
  if (!half)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  half_name = gimp_item_get_name (GIMP_ITEM (half));
  strokes = gimp_path_get_strokes (half, &n_strokes);
  if (n_strokes > 0)
    gimp_path_stroke_get_points (half, strokes[0], &n_points, &points, &closed);
  if (closed)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("The path “%s” is closed: draw the half hairline as an open line"), half_name);
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  full = smp_face_mirror_half (&frame, points, n_points / 6, &local);
  if (!full)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0, _("Path “%s”: %s"), half_name, local->message);
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  name = g_strdup_printf ("%s (mirrored)", half_name); /* NOTR: item names stay English, as "SMP proposal" does */
  gimp_image_undo_group_start (image);
  /* The midline the halves were joined on, shown as its own path: a half drawn
   * off it makes a flat bridge at the centre, and this is where to look. Once per
   * image (an artist mirrors several tries on the same frame). */
  if (!gimp_image_get_path_by_name (image, MIDLINE_PATH_NAME))
    {
      SmpFaceAxes axes;
      double      line[12];

      smp_face_frame_get_axes (&frame, &axes);
      /* From below the eyes to well into the scalp: 2 and 5 eye-widths. */
      smp_face_axes_to_image (&axes, 0, -1.0 * axes.half_width_px, &line[0], &line[1]);
      smp_face_axes_to_image (&axes, 0, 5.0 * axes.half_width_px, &line[6], &line[7]);
      line[2] = line[4] = line[0], line[3] = line[5] = line[1];
      line[8] = line[10] = line[6], line[9] = line[11] = line[7];
      insert_path (image, MIDLINE_PATH_NAME, line, 2);
    }
  path = insert_path (image, name, (const double *) full->data, full->len / 6);
  if (frame_from_path)
    smp_plugin_face_frame_set (image, &frame);
  gimp_image_undo_group_end (image);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  return path_result (procedure, path);
}

GimpProcedure *
smp_plugin_mirror_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;

  procedure = smp_plugin_procedure_new (plug_in, name, mirror_run, NULL, _("_Mirror Hairline"),
                                       _("Make a symmetric hairline. Prepare half a hairline as a path, and a face frame"),
    _("Reflects a half hairline path (one side, from the midline to the temple, in "
    "either direction) about the face midline — the perpendicular bisector of the "
    "outer eye corners of the face frame — and joins both halves into a new path "
    "\"<name> (mirrored)\". The face frame comes from the face-frame path (three "
    "anchors: glabella and both outer eye corners; it is then stored on the image) "
    "or from the frame stored by Hairline from Template. Natural asymmetry can be "
    "added back with the hairline procedure's irregularity."));

  gimp_procedure_add_path_argument (procedure, "path", _("Half hairli_ne"),
                                    _("The half to mirror (its first stroke); none means the "
                                    "selected path, else the image's only path"),
                                    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_path_argument (procedure, "face-frame", _("_Face frame"),
                                    _("Path with three anchors: glabella and both outer eye "
                                    "corners; none means the image's stored face frame"),
                                    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_path_return_value (procedure, "mirrored-path", _("Mirrored path"),
                                        _("The new, symmetric hairline path"), FALSE, G_PARAM_READWRITE);
  return procedure;
}
