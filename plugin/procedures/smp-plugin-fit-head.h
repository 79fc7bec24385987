/* smp-plugin-fit-head.h: plug-in-smp-fit-head, "Fit Head Model…": a head model fitted
 * to an outline path and the face frame, stored on the image. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_FIT_HEAD_PROC "plug-in-smp-fit-head"

GimpProcedure *smp_plugin_fit_head_procedure_new (GimpPlugIn *plug_in, const char *name);

G_END_DECLS
