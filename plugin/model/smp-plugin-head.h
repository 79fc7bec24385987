/* smp-plugin-head.h: the head model on the image (parasite "smp-head-model"): reading,
 * storing, the outline path's points, and which model a hairline run uses. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"

G_BEGIN_DECLS

#define SMP_PLUGIN_HEAD_PARASITE "smp-head-model" /* on the image */

/* FALSE when the image has no usable head model (none, or a record that does
 * not validate: `error`, optional, says which). */
gboolean smp_plugin_head_get (GimpImage *image, SmpHeadModel *model, GError **error);
/* Persistent and undoable (the caller's undo group takes it back). */
gboolean smp_plugin_head_set (GimpImage *image, const SmpHeadModel *model);

/* Every stroke of `path`, interpolated to about 1 px, as (x, y) pairs in image px. */
GArray  *smp_plugin_head_outline_points (GimpPath *path);
/* The selection's top edge (the topmost half-selected pixel of each of up to 400
 * columns across its bounds), image px; NULL when nothing is selected. Reads the
 * selection in strips: memory follows its width, not its area. */
GArray  *smp_plugin_head_selection_top_edge (GimpImage *image);

/* The model a hairline run uses for `choice`: TRUE with `model` filled (image
 * px) when it lies on a head, TRUE with *on_head FALSE when flat, FALSE with the
 * message users see for "fitted" on an image without a (readable) model. */
gboolean smp_plugin_head_resolve (GimpImage          *image,
                                  SmpHeadModelChoice  choice,
                                  SmpHeadModel       *model,
                                  gboolean           *on_head,
                                  GError            **error);

/* `model` (image px) moved into a drawable's pixel space (minus its offsets). */
void smp_plugin_head_to_design (const SmpHeadModel *model, int offset_x, int offset_y, SmpHeadModel *out);

/* Puts `design` (in the drawable's px: image px − offsets) on the head model its
 * parameters' head_model asks for (smp_plugin_head_resolve). `on_head` and
 * `model` (image px; both optional) say what it got. */
gboolean smp_plugin_head_put_on (SmpDesign *design,
                                 GimpImage *image,
                                 int        offset_x,
                                 int        offset_y,
                                 gboolean  *on_head,
                                 SmpHeadModel *model,
                                 GError   **error);

/* TRUE when some of the treated scalp (the canvas, inside `mask` when given, on
 * the scalp side of `hairline` or within `reach_px` ahead) lies on the head but
 * where it turns away past SMP_HEAD_MIN_COS, so it gets no dots; `band_mm`: how
 * deep that band is under the top outline on the midline. `model` in design px. */
gboolean smp_plugin_head_stops (const SmpHeadModel *model,
                                const SmpRect      *canvas,
                                const SmpMask      *mask,
                                const SmpHairline  *hairline,
                                double              reach_px,
                                double              px_per_mm,
                                double             *band_mm);

/* One line saying which surface the dots lie on, for the dialog and messages. */
char *smp_plugin_head_describe (gboolean on_head, const SmpHeadModel *model, double px_per_mm);

G_END_DECLS
