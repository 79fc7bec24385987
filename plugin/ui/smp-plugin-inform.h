/* smp-plugin-inform.h: telling the artist how a run went, in a box of its own:
 * GIMP's plug-in messages always carry a warning icon, even for a success. */
#pragma once

#include <glib.h>

/* A modal box titled `title` with `primary` in bold and `secondary` (nullable)
 * below; an information icon, or a warning one when `warning`. Interactive
 * runs only (it initialises GIMP's UI if no dialog has). */
void smp_plugin_inform (gboolean warning, const char *title, const char *primary, const char *secondary);
