/* smp-plugin-calibrate.c: plug-in-smp-calibrate, "Calibrate Scale…": the photo's
 * px/mm from two anchors a known distance apart, stored on the image. */
#include "smp-plugin-calibrate.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>

#include "smp-plugin-common.h"
#include "smp-plugin-guides.h"

gboolean
smp_plugin_calibrate_measure (GimpPath *path,
                              double    distance_mm,
                              double   *px_per_mm,
                              double   *length_px,
                              GError  **error)
{
  g_autoptr (GArray) anchors = smp_plugin_path_get_anchors (path);
  g_autofree char *name = gimp_item_get_name (GIMP_ITEM (path));
  const double *a;
  double len;

  if (!isfinite (distance_mm) || distance_mm <= 0)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The known distance is %g mm: it must be more than 0 mm "
                   "(63 mm for the pupils of an average adult)"), distance_mm);
      return FALSE;
    }
  if (anchors->len < 4)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The path “%s” has %u anchor(s): mark the two ends of the known distance "
                   "(e.g. both pupils) with two anchors"), name, anchors->len / 2);
      return FALSE;
    }
  a = (const double *) anchors->data;
  len = hypot (a[2] - a[0], a[3] - a[1]);
  if (!(len >= 1.0))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The first two anchors of the path “%s” are %.2f px apart: a zero-length "
                   "distance cannot give a scale; place them at the two ends of the known distance"),
                   name, len);
      return FALSE;
    }
  *px_per_mm = len / distance_mm;
  if (length_px)
    *length_px = len;
  return TRUE;
}

static gboolean
calibrate_dialog (GimpProcedure *procedure, GimpProcedureConfig *config)
{
  GtkWidget *dialog, *spin;
  gboolean   ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, _("Calibrate Scale"));
  /* The argument accepts anything (see above); the dialog offers sane values. */
  spin = gimp_procedure_dialog_get_spin_scale (GIMP_PROCEDURE_DIALOG (dialog), "distance-mm", 1.0);
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (spin), 0.1, 10000.0);
  gimp_spin_scale_set_scale_limits (GIMP_SPIN_SCALE (spin), 1.0, 200.0);
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "method", "distance-mm", NULL);
  ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return ok;
}

static GimpValueArray *
calibrate_run (GimpProcedure        *procedure,
               GimpRunMode           run_mode,
               GimpImage            *image,
               GimpDrawable        **drawables,
               GimpProcedureConfig  *config,
               gpointer              run_data)
{
  g_autoptr (GimpPath) path_arg = NULL;
  g_autofree char *method = NULL;
  GimpValueArray *result;
  GimpPath *path;
  GError   *error = NULL;
  double    distance_mm, px_per_mm = 0, length_px = 0;
  gboolean  ok;

  (void) drawables;
  (void) run_data;

  if (run_mode == GIMP_RUN_INTERACTIVE && !calibrate_dialog (procedure, config))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  /* A choice argument reads back as its nick: "ipd", "ruler"... */
  g_object_get (config, "path", &path_arg, "distance-mm", &distance_mm, "method", &method, NULL);

  if (!path_arg)
    {
      g_autofree GimpPath **all = gimp_image_get_paths (image);

      if (gimp_core_object_array_get_length ((GObject **) all) == 0)
        {
          g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                       _("The image has no path: draw one with two anchors on the ends of the "
                       "known distance (e.g. the centres of both pupils)"));
          return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
        }
    }
  path = smp_plugin_pick_path (image, path_arg, &error);
  if (!path || !smp_plugin_calibrate_measure (path, distance_mm, &px_per_mm, &length_px, &error))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  gimp_image_undo_group_start (image);
  ok = smp_plugin_calibration_set (image, px_per_mm, distance_mm, method, &error);
  gimp_image_undo_group_end (image);
  if (!ok)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      g_autofree char *text = g_strdup_printf (_("Scale: %.3f px/mm (%.1f px = %.1f mm). "
                                               "The hairline procedure uses it when px-per-mm is 0."),
                                               px_per_mm, length_px, distance_mm);
      gimp_message (text);
    }

  result = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_DOUBLE (result, 1, px_per_mm);
  return result;
}

GimpProcedure *
smp_plugin_calibrate_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;

  procedure = smp_plugin_procedure_new (plug_in, name, calibrate_run, NULL, _("_Calibrate Scale…"),
                                       _("Measure the photo's scale (px/mm). Prepare a path whose first two anchors mark the pupils or a ruler"),
    _("Draw a path whose first two anchors mark a known distance: the centres of the "
    "pupils (63 mm, the adult average interpupillary distance, on a frontal photo), "
    "the ends of a ruler segment, or the edges of a sticker of known size. The scale "
    "is stored on the image (parasite \"smp-calibration\"); the hairline procedure "
    "uses it whenever its px-per-mm is 0. Further anchors are ignored. Anchor order "
    "and rotation do not matter."));

  gimp_procedure_add_path_argument (procedure, "path", _("_Path"),
                                    _("Its first two anchors mark the known distance; none means "
                                    "the selected path, else the image's only path"),
                                    TRUE, G_PARAM_READWRITE);
  /* The range lets any value through so that a distance <= 0 gets a clear error
   * from the run instead of being dropped by GLib's range check. */
  gimp_procedure_add_double_argument (procedure, "distance-mm", _("_Distance (mm)"),
                                      _("The real distance between the two anchors, in mm "
                                      "(must be > 0; 63 = average adult interpupillary distance)"),
                                      -1e6, 1e6, SMP_PLUGIN_DEFAULT_IPD_MM, G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (
    procedure, "method", _("_Measured with"), _("What the two anchors mark (stored with the scale)"),
    gimp_choice_new_with_values (
      "ipd", 0, _("Pupils (interpupillary distance)"), _("The centres of the pupils on a frontal photo"),
      "ruler", 1, _("Ruler"), _("Two marks on a ruler held at the scalp"),
      "sticker", 2, _("Sticker"), _("The edges of a sticker of known size"),
      "other", 3, _("Other"), _("Any known distance"),
      NULL),
    "ipd", G_PARAM_READWRITE);

  gimp_procedure_add_double_return_value (procedure, "px-per-mm", _("Px per mm"),
                                          _("The stored scale"), 0, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE);
  return procedure;
}
