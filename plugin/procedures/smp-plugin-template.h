/* smp-plugin-template.h: plug-in-smp-hairline-template ("Hairline from Template…")
 * and plug-in-smp-mirror-hairline ("Mirror Hairline"): new hairline paths on the face frame. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_TEMPLATE_PROC "plug-in-smp-hairline-template"
#define SMP_PLUGIN_MIRROR_PROC   "plug-in-smp-mirror-hairline"

GimpProcedure *smp_plugin_template_procedure_new (GimpPlugIn *plug_in, const char *name);
GimpProcedure *smp_plugin_mirror_procedure_new   (GimpPlugIn *plug_in, const char *name);

G_END_DECLS
