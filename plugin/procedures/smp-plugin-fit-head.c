/* smp-plugin-fit-head.c: plug-in-smp-fit-head, "Fit Head Model…": a head model fitted
 * to an outline path and the face frame, stored on the image. */
#include "smp-plugin-fit-head.h"
#include <glib/gi18n-lib.h>

#include <math.h>

#include "smp-plugin-common.h"
#include "smp-plugin-guides.h"
#include "smp-plugin-head.h"
#include "smp-plugin-inform.h"

/* The outline: the argument, else the selected path, else (NULL, no error) a
 * selection to take the top edge of, else the image's only path. */
static GimpPath *
pick_outline (GimpImage *image, GimpPath *path, GError **error)
{
  gboolean non_empty = FALSE;
  int      x1, y1, x2, y2;

  g_autofree GimpPath **selected = NULL;
  g_autofree GimpPath **all = NULL;

  if (path)
    {
      if (gimp_item_get_image (GIMP_ITEM (path)) != image)
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("The outline path belongs to another image"));
          return NULL;
        }
      return path;
    }
  selected = gimp_image_get_selected_paths (image);
  if (gimp_core_object_array_get_length ((GObject **) selected) == 1)
    return selected[0];
  if (gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) && non_empty)
    return NULL;
  all = gimp_image_get_paths (image);
  if (gimp_core_object_array_get_length ((GObject **) all) == 1)
    return all[0];
  g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
               _("Which path is the head's outline? Trace the silhouette of the head's top and sides as a "
               "path (three or more points on it) and select it, or pass it as the path argument"));
  return NULL;
}

static GimpValueArray *
fit_head_run (GimpProcedure        *procedure,
              GimpRunMode           run_mode,
              GimpImage            *image,
              GimpDrawable        **drawables,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  g_autoptr (GimpPath) path_arg = NULL;
  g_autoptr (GimpPath) frame_arg = NULL;
  g_autoptr (GArray) xy = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GError) fit_error = NULL;
  GimpValueArray *result;
  GimpPath    *path;
  GError      *error = NULL;
  SmpFaceFrame frame;
  SmpHeadModel model;
  double       px_per_mm = 0;
  gboolean     ok;

  (void) drawables;
  (void) run_data;

  g_object_get (config, "path", &path_arg, "face-frame", &frame_arg, NULL);
  /* Paths cannot be kept among the last-used values (GIMP 3.0). */
  g_object_set (config, "path", NULL, "face-frame", NULL, NULL);

  path = pick_outline (image, path_arg, &error);
  if (error)
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  name = path ? gimp_item_get_name (GIMP_ITEM (path)) : g_strdup ("the selection's top edge");

  if (frame_arg)
    {
      if (gimp_item_get_image (GIMP_ITEM (frame_arg)) != image)
        {
          g_set_error (&error, GIMP_PLUG_IN_ERROR, 0, _("The face-frame path belongs to another image"));
          return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
        }
      if (!smp_plugin_face_frame_from_path (frame_arg, &frame, &error))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  else if (!smp_plugin_face_frame_get (image, &frame))
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("No face frame: the head model needs the face's midline and roll. Mark the glabella and "
                   "the outer eye corners (Hairline from Template… stores them), or pass a path of those "
                   "three anchors as the face-frame argument"));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  xy = path ? smp_plugin_head_outline_points (path) : smp_plugin_head_selection_top_edge (image);
  if (!xy)
    xy = g_array_new (FALSE, FALSE, sizeof (double));
  if (!smp_head_model_fit (&model, &frame, (const double *) xy->data, xy->len / 2, &fit_error))
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0, path ? _("Path “%s”: %s") : "%s: %s", name, fit_error->message);
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  gimp_image_undo_group_start (image);
  ok = smp_plugin_head_set (image, &model);
  if (ok && frame_arg)
    ok = smp_plugin_face_frame_set (image, &frame);
  gimp_image_undo_group_end (image);
  if (!ok)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0, _("The head model could not be stored on the image"));
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      g_autofree char *text = NULL;

      if (smp_plugin_calibration_get (image, &px_per_mm, NULL, NULL))
        text = g_strdup_printf (_("Head model fitted to “%s”: %.0f × %.0f mm (%u points, %.1f px from the "
                                "outline on average). Hairline… uses it (head-model auto or fitted)."),
                                name, 2 * model.radius_across_px / px_per_mm,
                                2 * model.radius_up_px / px_per_mm, model.n_points, model.rms_error_px);
      else
        text = g_strdup_printf (_("Head model fitted to “%s”: %.0f × %.0f px (%u points, %.1f px from the "
                                "outline on average). Hairline… uses it (head-model auto or fitted)."),
                                name, 2 * model.radius_across_px, 2 * model.radius_up_px, model.n_points,
                                model.rms_error_px);
      smp_plugin_inform (FALSE, _("Head model fitted"), text, NULL);
    }

  result = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_DOUBLE (result, 1, model.radius_across_px);
  GIMP_VALUES_SET_DOUBLE (result, 2, model.radius_up_px);
  GIMP_VALUES_SET_DOUBLE (result, 3, model.rms_error_px);
  return result;
}

GimpProcedure *
smp_plugin_fit_head_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;

  procedure = smp_plugin_procedure_new (plug_in, name, fit_head_run, NULL, _("Fit _Head Model…"),
    _("Fit a head model to the head's outline, so that density, dot shape and distances are true "
    "on the curved scalp"),
    _("Trace the silhouette of the head's top and sides as a path (three or more points on it; "
    "a whole outline is better). With the face frame (the glabella and the outer eye corners, "
    "stored by Hairline from Template…, or the face-frame argument) it gives the head's midline "
    "and roll; the plug-in fits an ellipsoid seen from the front to the outline and stores it "
    "on the image (parasite \"smp-head-model\"). The hairline procedure then places density per "
    "cm² of skin, foreshortens the dots where the scalp curves away and measures the fade along "
    "the skin (its head-model argument: auto, flat, fitted). Nothing else in the image changes."));

  gimp_procedure_add_path_argument (procedure, "path", _("Outline _path"),
                                    _("The head's outline; none means the selected path, else the top "
                                    "edge of the selection (the scalp selected up to the outline), else "
                                    "the image's only path"),
                                    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_path_argument (procedure, "face-frame", _("_Face frame"),
                                    _("A path of three anchors (glabella, outer eye corners); none "
                                    "means the face frame stored on the image. A path given is stored too"),
                                    TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "radius-across-px", _("Radius across (px)"),
                                          _("Half the fitted head's width"), 0, G_MAXDOUBLE, 0, G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "radius-up-px", _("Radius up (px)"),
                                          _("Half the fitted head's height"), 0, G_MAXDOUBLE, 0, G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "rms-error-px", _("Fit error (px)"),
                                          _("RMS distance of the outline from the fitted one"), 0, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE);
  return procedure;
}
