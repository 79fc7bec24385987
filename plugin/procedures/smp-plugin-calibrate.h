/* smp-plugin-calibrate.h: plug-in-smp-calibrate, "Calibrate Scale…": the photo's
 * px/mm from two anchors a known distance apart, stored on the image. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_CALIBRATE_PROC "plug-in-smp-calibrate"
#define SMP_PLUGIN_DEFAULT_IPD_MM 63.0 /* adult average interpupillary distance */

GimpProcedure *smp_plugin_calibrate_procedure_new (GimpPlugIn *plug_in, const char *name);

/* px/mm from the first two anchors of `path` (over all its strokes, in order)
 * and the distance they mark. Fails, with the text users see, on fewer than two
 * anchors, anchors less than 1 px apart, or distance_mm <= 0 (or not finite). */
gboolean smp_plugin_calibrate_measure (GimpPath *path,
                                       double    distance_mm,
                                       double   *px_per_mm,
                                       double   *length_px,
                                       GError  **error);

G_END_DECLS
