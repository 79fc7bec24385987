/* smp-plugin-calibrate.c: plug-in-smp-calibrate, "Calibrate Scale…": the photo's
 * px/mm from two anchors a known distance apart, stored on the image. */
#include "smp-plugin-calibrate.h"
#include "smp-plugin-inform.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>
#include <stdio.h>

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

/* ---- The dialog: what will be measured, said before OK --------------------------- */

typedef struct
{
  GimpImage           *image;
  GimpProcedureConfig *config;
  GtkWidget           *dialog;
  GtkWidget           *feedback;
  char                *method;   /* the method the distance was last set for */
} CalibrateDialog;

/* The distance each method usually measures, mm; 0: none (the artist types it). */
static double
method_default_mm (const char *method)
{
  if (g_strcmp0 (method, "ipd") == 0)
    return SMP_PLUGIN_DEFAULT_IPD_MM;
  if (g_strcmp0 (method, "ruler") == 0)
    return 10.0; /* two marks 1 cm apart on a ruler held at the scalp */
  return 0.0;
}

/* Which path, how many px between its first two anchors, and the px/mm that
 * gives; OK only when that is a usable scale. */
static void
update_feedback (CalibrateDialog *c)
{
  g_autoptr (GimpPath) path_arg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  double distance_mm = 0, px_per_mm = 0, length_px = 0;
  GimpPath *path;
  gboolean ok = FALSE;

  g_object_get (c->config, "path", &path_arg, "distance-mm", &distance_mm, NULL);
  path = smp_plugin_pick_path (c->image, path_arg, &error);
  if (path && smp_plugin_calibrate_measure (path, distance_mm, &px_per_mm, &length_px, &error))
    {
      g_autofree char *name = gimp_item_get_name (GIMP_ITEM (path));
      const SmpParamSpec *range = smp_params_find_range ("px_per_mm");

      ok = px_per_mm >= range->min && px_per_mm <= range->max;
      if (ok)
        text = g_strdup_printf (_("Path “%s”: its first two anchors are %.1f px apart.\n"
                                "%.1f px = %.1f mm gives %.3f px/mm (1 mm = %.1f px)."),
                                name, length_px, length_px, distance_mm, px_per_mm, px_per_mm);
      else
        text = g_strdup_printf (_("Path “%s”: %.1f px = %.1f mm would be %.3f px/mm, outside %g–%g px/mm: "
                                "check the distance."), name, length_px, distance_mm, px_per_mm,
                                range->min, range->max);
    }
  else
    text = g_strdup (error ? error->message : _("No path to measure"));
  gtk_label_set_text (GTK_LABEL (c->feedback), text);
  gtk_dialog_set_response_sensitive (GTK_DIALOG (c->dialog), GTK_RESPONSE_OK, ok);
  /* What the GUI tests read (as the preview's SMP_PREVIEW_LOG lines). */
  {
    g_autofree char *flat = g_strdelimit (g_strdup (text), "\n", ' ');

    smp_plugin_test_log ("calibrate ok=%d distance_mm=%.3f text=%s", ok, distance_mm, flat);
  }
}

static void
config_changed (GObject *config, GParamSpec *pspec, CalibrateDialog *c)
{
  (void) pspec;
  if (g_strcmp0 (g_param_spec_get_name (pspec), "method") == 0)
    {
      g_autofree char *method = NULL;
      double distance_mm = 0, now_mm;

      g_object_get (config, "method", &method, "distance-mm", &distance_mm, NULL);
      now_mm = method_default_mm (method);
      /* A new method brings its usual distance, unless the artist typed one:
       * choosing Ruler must not keep the pupils' 63 mm. */
      if (now_mm > 0 && (distance_mm == method_default_mm (c->method) || c->method == NULL))
        g_object_set (config, "distance-mm", now_mm, NULL);
      g_free (c->method);
      c->method = g_steal_pointer (&method);
    }
  update_feedback (c);
}

static gboolean
calibrate_dialog (GimpProcedure *procedure, GimpProcedureConfig *config, GimpImage *image)
{
  CalibrateDialog c = { image, config, NULL, NULL, NULL };
  GtkWidget *spin, *box;
  gulong     handler;
  gboolean   ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  c.dialog = gimp_procedure_dialog_new (procedure, config, _("Calibrate Scale"));
  /* The argument accepts anything (see above); the dialog offers sane values. */
  spin = gimp_procedure_dialog_get_spin_scale (GIMP_PROCEDURE_DIALOG (c.dialog), "distance-mm", 1.0);
  gtk_spin_button_set_range (GTK_SPIN_BUTTON (spin), 0.1, 10000.0);
  gimp_spin_scale_set_scale_limits (GIMP_SPIN_SCALE (spin), 1.0, 200.0);
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (c.dialog), "method", "distance-mm", "remove-path", NULL);

  c.feedback = gtk_label_new (NULL);
  gtk_widget_set_name (c.feedback, "smp-calibrate-feedback");
  gtk_label_set_xalign (GTK_LABEL (c.feedback), 0.0);
  gtk_label_set_line_wrap (GTK_LABEL (c.feedback), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (c.feedback), 56);
  gtk_label_set_selectable (GTK_LABEL (c.feedback), TRUE);
  box = gtk_dialog_get_content_area (GTK_DIALOG (c.dialog));
  gtk_box_pack_end (GTK_BOX (box), c.feedback, FALSE, FALSE, 8);
  gtk_widget_show (c.feedback);

  g_object_get (config, "method", &c.method, NULL);
  handler = g_signal_connect (config, "notify", G_CALLBACK (config_changed), &c);
  update_feedback (&c);
  ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (c.dialog));
  g_signal_handler_disconnect (config, handler);
  gtk_widget_destroy (c.dialog);
  g_free (c.method);
  return ok;
}

/* The result, said plainly. */
static void
tell_result (const char *name, double px_per_mm, double length_px, double distance_mm, gboolean removed)
{
  g_autofree char *primary = g_strdup_printf (_("The photo's scale is now %.3f px/mm"), px_per_mm);
  g_autofree char *secondary = g_strdup_printf (
    _("%.1f px between the anchors of “%s” = %.1f mm. Hairline… uses this scale from now on. "
    "The image's resolution is set to match: with the unit mm (bottom left of the image window) "
    "the rulers and the Measure tool read real millimetres.%s"),
    length_px, name, distance_mm, removed ? _(" The measuring path was removed.") : "");

  smp_plugin_inform (FALSE, _("Scale calibrated"), primary, secondary);
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
  g_autofree char *method = NULL, *path_name = NULL;
  GimpValueArray *result;
  GimpPath *path;
  GError   *error = NULL;
  double    distance_mm, px_per_mm = 0, length_px = 0;
  gboolean  ok, remove_path = FALSE;

  (void) drawables;
  (void) run_data;

  if (run_mode == GIMP_RUN_INTERACTIVE && !calibrate_dialog (procedure, config, image))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);

  /* A choice argument reads back as its nick: "ipd", "ruler"... */
  g_object_get (config, "path", &path_arg, "distance-mm", &distance_mm, "method", &method,
                "remove-path", &remove_path, NULL);

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
  path_name = gimp_item_get_name (GIMP_ITEM (path));
  /* Removed by choice, in the same undo step: one Ctrl+Z brings it back. */
  if (ok && remove_path)
    gimp_image_remove_path (image, path);
  gimp_image_undo_group_end (image);
  if (!ok)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  if (run_mode == GIMP_RUN_INTERACTIVE)
    tell_result (path_name, px_per_mm, length_px, distance_mm, remove_path);

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
    "is stored on the image (parasite \"smp-calibration\") and set as the image's "
    "resolution (px/mm × 25.4 ppi), so GIMP's rulers and Measure tool read real mm; "
    "the hairline procedure uses it whenever its px-per-mm is 0. Further anchors are "
    "ignored. Anchor order and rotation do not matter."));

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
  gimp_procedure_add_boolean_argument (procedure, "remove-path", _("Remove the measuring path after_wards"),
                                       _("Delete the path once measured (in the same undo step); "
                                       "off: it stays in the Paths dialog"),
                                       FALSE, G_PARAM_READWRITE);

  gimp_procedure_add_double_return_value (procedure, "px-per-mm", _("Px per mm"),
                                          _("The stored scale"), 0, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE);
  return procedure;
}
