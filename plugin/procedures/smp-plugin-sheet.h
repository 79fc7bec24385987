/* smp-plugin-sheet.h: the plug-in-smp-design-sheet procedure ("Export Design
 * Sheet…"): a stored proposal to a one-page PDF or PNG consultation sheet. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_SHEET_PROC "plug-in-smp-design-sheet"

GimpProcedure *smp_plugin_sheet_procedure_new (GimpPlugIn *plug_in, const char *name);

G_END_DECLS
