/* smp-plugin-match.h: plug-in-smp-match-look, "Match Look from Photo…": learn a look
 * from a photo of the artist's own healed work and save it in their looks folder. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_MATCH_PROC "plug-in-smp-match-look"

GimpProcedure *smp_plugin_match_procedure_new (GimpPlugIn *plug_in, const char *name);

G_END_DECLS
