/* smp-plugin-hairline.h: the plug-in-smp-hairline procedure: its arguments, the
 * run, the non-destructive output layers and re-editing a stored proposal. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"

G_BEGIN_DECLS

#define SMP_PLUGIN_HAIRLINE_PROC "plug-in-smp-hairline"

GimpProcedure *smp_plugin_hairline_procedure_new (GimpPlugIn *plug_in, const char *name);

G_END_DECLS
