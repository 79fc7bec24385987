/* smp-plugin-hairline.h: the plug-in-smp-hairline procedure: its arguments, the
 * run, the non-destructive output layers and re-editing a stored proposal. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"

G_BEGIN_DECLS

#define SMP_PLUGIN_HAIRLINE_PROC "plug-in-smp-hairline"

GimpProcedure *smp_plugin_hairline_procedure_new (GimpPlugIn *plug_in, const char *name);

/* What a run works on, resolved once (the dialog's preview reuses it):
 * the client's photo layer, the treatment canvas and the selection mask. */
typedef struct
{
  GimpImage       *image;
  GimpDrawable    *client;     /* the photo layer the design sits on: never written */
  GimpGroupLayer  *proposal;   /* re-edit: the "SMP proposal" group to replace; else NULL */
  int              offset_x;   /* the client's offsets: design px + offset = image px */
  int              offset_y;
  SmpRect          layer_rect; /* the client ∩ the image, in design (client) px */
  SmpRect          canvas;     /* where dots may land: layer_rect ∩ the selection's bounds */
  SmpPluginFormat  format;     /* of the output layers */
  gboolean         has_mask;   /* a non-empty selection confines the dots */
  SmpMask          mask;       /* valid when has_mask; coverage owned here */
  float           *coverage;
} SmpPluginTarget;

/* Resolves the drawable a run was given: a plain layer is the client; a proposal
 * group (or a layer in one) means re-edit, with the layer below the group as the
 * client. Fails, with the text users see, on indexed or tiny images, a selection
 * missing the layer, or a drawable that is not a layer. */
SmpPluginTarget *smp_plugin_target_new  (GimpImage    *image,
                                         GimpDrawable *drawable,
                                         GError      **error);
void             smp_plugin_target_free (SmpPluginTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPluginTarget, smp_plugin_target_free)

/* The hairline from `path` (NULL: the stored proposal's path, the selected one,
 * else the only one), in design px. Fails when the path is unusable or lies
 * wholly outside the canvas. `path_name` (optional) receives its name. */
SmpHairline *smp_plugin_target_read_hairline (const SmpPluginTarget *target,
                                              GimpPath              *path,
                                              char                 **path_name,
                                              GError               **error);

/* The engine parameters the config asks for. `apply_preset`: fold the "preset"
 * argument's keys over the arguments (scripted runs; the dialog has already
 * loaded the preset into the fields). Validates. */
gboolean smp_plugin_hairline_params_from_config (GimpProcedureConfig   *config,
                                                 const SmpPluginTarget *target,
                                                 GimpRunMode            run_mode,
                                                 gboolean               apply_preset,
                                                 SmpParams             *params,
                                                 SmpScaleSource  *scale_source,
                                                 GError               **error);

/* Writes `params` into the config's arguments (re-edit, presets). A scale that
 * came from the calibration is written as 0, so it keeps following it. */
void smp_plugin_hairline_config_set_params (GimpProcedureConfig   *config,
                                            const SmpPluginTarget *target,
                                            const SmpParams       *params,
                                            SmpScaleSource   scale_source);

G_END_DECLS
