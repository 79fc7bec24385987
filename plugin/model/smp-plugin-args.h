/* smp-plugin-args.h: the design arguments of plug-in-smp-hairline, made from the
 * engine's parameter table, and the mapping between a config and SmpParams. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-target.h"

G_BEGIN_DECLS

/* Adds one argument per row of the engine's parameter table, in its order. */
void       smp_plugin_args_add_design      (GimpProcedure *procedure, GeglColor *default_color);
/* The engine's default pigment as a colour (sRGB). */
GeglColor *smp_plugin_args_default_shade   (void);
/* An unset (transparent) shade becomes the default in the config itself. */
void       smp_plugin_args_normalize_shade (GimpProcedureConfig *config);

/* The engine parameters the config asks for. `apply_preset`: fold the "preset"
 * argument's keys over the arguments (scripted runs; the dialog has already
 * loaded the preset into the fields). Validates. */
gboolean smp_plugin_args_to_params (GimpProcedureConfig   *config,
                                                 const SmpPluginTarget *target,
                                                 gboolean               apply_preset,
                                                 SmpParams             *params,
                                                 SmpScaleSource  *scale_source,
                                                 GError               **error);

/* Writes `params` into the config's arguments (re-edit, presets). A scale that
 * came from the calibration is written as 0, so it keeps following it. */
void smp_plugin_args_from_params (GimpProcedureConfig   *config,
                                            const SmpPluginTarget *target,
                                            const SmpParams       *params,
                                            SmpScaleSource   scale_source);

G_END_DECLS
