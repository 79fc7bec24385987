/* smp-plugin-dialog.h: the consultation dialog of plug-in-smp-hairline.
 * Sections, live preview, presets; returns whether the artist pressed OK. */
#pragma once

#include <libgimp/gimp.h>

#include "smp-plugin-target.h"

/* Runs the dialog on the run's `target` (borrowed; the canvas preview writes
 * through it). TRUE when the artist pressed OK. */
gboolean smp_plugin_dialog_run (GimpProcedure       *procedure,
                                GimpProcedureConfig *config,
                                SmpPluginTarget     *target);
