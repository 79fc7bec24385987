/* smp-plugin-dialog.h: the consultation dialog of plug-in-smp-hairline.
 * Sections, live preview, presets; returns whether the artist pressed OK. */
#pragma once

#include <libgimp/gimp.h>

gboolean smp_plugin_dialog_run (GimpProcedure       *procedure,
                                GimpProcedureConfig *config,
                                GimpImage           *image,
                                GimpDrawable        *drawable);
