/* smp-plugin-hairline.c: the plug-in-smp-hairline procedure: its registration and
 * the run (target, dialog, design, layers, record, checks) in one undo group. */
#include "smp-plugin-hairline.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smp-plugin-args.h"
#include "smp-plugin-dialog.h"
#include "smp-plugin-guides.h"
#include "smp-plugin-head.h"
#include "smp-plugin-target.h"

/* ---- The run ------------------------------------------------------------------ */

static GimpValueArray *
fail (GimpProcedure *procedure, GimpPDBStatusType status, GError *error)
{
  return gimp_procedure_new_return_values (procedure, status, error);
}

static GimpValueArray *
hairline_run (GimpProcedure        *procedure,
              GimpRunMode           run_mode,
              GimpImage            *image,
              GimpDrawable        **drawables,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  g_autoptr (SmpPluginTarget) target = NULL;
  g_autoptr (SmpHairline) hairline = NULL;
  g_autoptr (SmpDesign) design = NULL;
  g_autoptr (GimpPath) path = NULL;
  g_autofree char *path_name = NULL;
  g_autofree char *preset = NULL;
  SmpScaleSource scale_source;
  SmpParams params;
  SmpRect   extent;
  GError   *error = NULL;
  GimpGroupLayer *group;
  gboolean  ok, shine = TRUE, on_head = FALSE;
  SmpHeadModel head;

  (void) run_data;
  g_debug ("hairline run: start"); /* with the layers' lines: where a run's time goes */
  gegl_init (NULL, NULL);

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("Procedure '%s' works on one layer: select only the photo layer"),
                   gimp_procedure_get_name (procedure));
      return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
    }

  target = smp_plugin_target_new (image, drawables[0], &error);
  if (!target)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  g_object_get (config, "path", &path, NULL);
  smp_plugin_args_normalize_shade (config);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      g_autoptr (GError) early = NULL;
      g_autofree GimpPath **paths = gimp_image_get_paths (image);

      /* The dialog lets the artist choose among the paths, so only an image
       * without any stops here; a path found now starts the dialog's choice. */
      hairline = smp_plugin_target_read_hairline (target, path, &path_name, &early);
      if (!hairline && gimp_core_object_array_get_length ((GObject **) paths) == 0)
        return fail (procedure, GIMP_PDB_EXECUTION_ERROR, g_steal_pointer (&early));
      if (hairline && !path)
        g_object_set (config, "path", gimp_image_get_path_by_name (image, path_name), NULL);
      g_clear_pointer (&hairline, smp_hairline_unref);
      g_clear_pointer (&path_name, g_free);

      if (target->proposal)
        {
          g_autoptr (GError) unreadable = NULL;
          g_autoptr (SmpProposal) record = smp_plugin_proposal_read (target->proposal, &unreadable);

          /* Re-edit: start from the proposal's own values, not the last run's. */
          if (record)
            {
              smp_plugin_args_from_params (config, target, &record->params, record->scale_source);
              if (record->has_shade_srgb)
                {
                  g_autoptr (GeglColor) color = gegl_color_new (NULL);

                  gegl_color_set_pixel (color, babl_format ("R'G'B' u8"), record->shade_srgb);
                  g_object_set (config, "shade", color, NULL);
                }
              g_object_set (config, "preset", record->preset_id, NULL);
            }
          else
            smp_plugin_warn (run_mode, _("The proposal's stored design cannot be read (%s). The dialog "
                                       "starts from the last-used values; OK replaces the proposal."),
                             unreadable->message);
        }
      if (!smp_plugin_dialog_run (procedure, config, target))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
      g_clear_object (&path);
      g_object_get (config, "path", &path, NULL);
    }

  hairline = smp_plugin_target_read_hairline (target, path, &path_name, &error);
  if (!hairline)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  if (!smp_plugin_args_to_params (config, target, run_mode == GIMP_RUN_NONINTERACTIVE,
                                  &params, &scale_source, &error))
    return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
  if (scale_source == SMP_SCALE_FROM_FALLBACK)
    smp_plugin_warn (run_mode,
                     _("The image has no scale: using %g px/mm. Calibrate it "
                     "(Filters ▸ Render ▸ Scalp Micropigmentation ▸ Calibrate Scale…) or give px-per-mm, "
                     "or dot sizes and density will be wrong."),
                     SMP_PLUGIN_FALLBACK_PX_PER_MM);
  g_object_get (config, "preset", &preset, NULL);

  gimp_progress_init (_("Stippling the SMP hairline proposal"));
  /* The dialog's pattern when the seed is the one it showed: made once per run. */
  design = smp_design_new (&params, hairline, target->has_mask ? &target->mask : NULL,
                           smp_plugin_target_get_pattern (target, params.seed), &error);
  if (!design)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  /* On the fitted head when the image has one and head-model allows it. */
  if (!smp_plugin_head_put_on (design, image, target->offset_x, target->offset_y, &on_head, &head, &error))
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  smp_design_set_output_linear (design, target->format.linear);
  /* as many threads as GIMP's preference (Preferences ▸ System Resources) */
  smp_design_set_threads (design, gimp_get_num_processors ());
  g_object_get (config, "shine", &shine, NULL);

  if (!smp_plugin_target_get_extent (target, design, hairline, &extent, &error))
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  {
    double band_mm = 0;

    /* Dots are not piled into the silhouette: say where they stop. */
    if (on_head && smp_plugin_head_stops (smp_design_get_head (design), &target->canvas,
                                          target->has_mask ? &target->mask : NULL, hairline,
                                          params.sentinel_depth_mm * params.px_per_mm, params.px_per_mm, &band_mm))
      smp_plugin_warn (run_mode,
                       _("Head model: no dots where the scalp turns away from the camera (cos θ below %.2f, "
                       "the last %.0f mm under the top outline of this photo): a photo from above shows "
                       "that part of the design."), SMP_HEAD_MIN_COS, band_mm);
  }

  gimp_image_undo_group_start (image);
  {
    g_autoptr (SmpProposal) record =
      smp_plugin_target_make_record (target, design, hairline, &extent, path_name, preset, scale_source);
    g_autoptr (SmpProposal) previous =
      target->proposal ? smp_plugin_proposal_read (target->proposal, NULL) : NULL;

    record->on_head = on_head;
    if (on_head)
      record->head = head;

    group = smp_plugin_target_write_proposal (target, design, &extent, shine, record, &error);
    ok = group != NULL;
    if (ok)
      {
        g_debug ("hairline run: layers written and shown");
        smp_plugin_target_keep_area (target, previous, record);
        gimp_progress_set_text (_("Checking the SMP hairline design"));
        /* design checks (into the record) and the optional guides layer */
        smp_plugin_design_aids_apply (config, run_mode, image, group, path_name, &params, record);
        record->complete = TRUE;
        smp_plugin_proposal_attach (group, record);
      }
  }
  gimp_image_undo_group_end (image);
  gimp_progress_update (1.0);
  g_debug ("hairline run: checked, recorded, undo group closed");

  if (!ok)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  /* GIMP 3.0 cannot store a path among the last-used values ("couldn't serialize
   * property ... of type GimpPath"); the proposal remembers its path by name. */
  g_object_set (config, "path", NULL, NULL);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}

GimpProcedure *
smp_plugin_hairline_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;
  g_autoptr (GeglColor) shade = NULL;

  procedure = smp_plugin_procedure_new (plug_in, name, hairline_run, "RGB*, GRAY*", _("_Hairline…"),
                                       _("Simulate SMP behind a hairline. Prepare the hairline as a path and select the scalp"),
    _("Stipples follicle-like pigment dots behind the hairline drawn as a path: "
    "sentinel dots ahead of the line, a transition zone, then full density, in "
    "physical units. The result goes into a new layer group \"SMP proposal\" "
    "above the photo, one Multiply layer per session; the photo is never "
    "changed. Running it on an existing proposal group (or a layer in it) "
    "replaces that proposal. A non-empty selection confines the dots."));

  gimp_procedure_add_path_argument (procedure, "path", _("Hairline path"),
                                    _("The hairline; none means the selected path, "
                                    "else the image's only path"),
                                    TRUE, G_PARAM_READWRITE);
  /* GeglColor needs GEGL, and this runs before any run function. */
  gegl_init (NULL, NULL);
  shade = smp_plugin_args_default_shade ();
  smp_plugin_args_add_design (procedure, shade);
  gimp_procedure_add_string_argument (procedure, "preset", _("Loo_k (preset)"),
                                      _("Id of a shipped look (a file name in patterns/presets "
                                      "without .smp-preset); empty: none. In scripted runs its "
                                      "values override the matching arguments"),
                                      "", G_PARAM_READWRITE);
  smp_plugin_design_aids_add_arguments (procedure); /* "feminine", "guides" */
  /* A rendering choice, not a look: not in the parameter table. */
  gimp_procedure_add_boolean_argument (procedure, "shine", _("Keep shine on top"),
                                       _("Where the photo shows shine (surface reflection), darken only the "
                                       "skin's diffuse light under it, as real pigment does; off: the "
                                       "layers darken shine like the rest"),
                                       TRUE, G_PARAM_READWRITE);
  return procedure;
}
