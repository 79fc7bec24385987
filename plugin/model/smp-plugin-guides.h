/* smp-plugin-guides.h: the face frame on the image, the design checks of a
 * proposal and the hidden "SMP guides" layer drawn from the face frame. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"

G_BEGIN_DECLS

/* ---- The face frame (image parasite "smp-face-frame") ------------------- */

/* FALSE when the image has no usable face frame. */
gboolean smp_plugin_face_frame_get (GimpImage *image, SmpFaceFrame *frame);
/* Persistent and undoable (the caller's undo group takes it back). */
gboolean smp_plugin_face_frame_set (GimpImage *image, const SmpFaceFrame *frame);

/* Every anchor of `path`, stroke after stroke, as (x, y) pairs in image px. */
GArray  *smp_plugin_path_get_anchors (GimpPath *path);

/* A face frame from a path of exactly three anchors (glabella and both outer
 * eye corners, in any order). Errors name the path. */
gboolean smp_plugin_face_frame_from_path (GimpPath     *path,
                                          SmpFaceFrame *frame,
                                          GError      **error);

/* The frame a procedure works with: the `path` argument when given (it must be
 * a 3-anchor path), else the selected path when it has exactly three anchors,
 * else the image's stored frame. `from_path` (optional) tells whether it came
 * from a path (so the caller stores it). */
gboolean smp_plugin_face_frame_resolve (GimpImage    *image,
                                        GimpPath     *path,
                                        SmpFaceFrame *frame,
                                        gboolean     *from_path,
                                        GError      **error);

/* ---- Design checks and guides for plug-in-smp-hairline ------------------- */

/* Adds the hairline procedure's design-aid arguments: "feminine" (boolean: the
 * 5 cm height limit) and "guides" (boolean: add the hidden guides layer). */
void smp_plugin_design_aids_add_arguments (GimpProcedure *procedure);

/* The design checks of the hairline `path` (its longest stroke, image px)
 * against the image's face frame, as text (one finding a line, "" when none);
 * `key_file` (optional) receives the [SMP Checks] group. NULL with `error` only
 * when the path cannot be read. */
char *smp_plugin_checks_run (GimpImage       *image,
                             GimpPath        *path,
                             const SmpParams *params,
                             gboolean         feminine,
                             SmpProposal     *record,
                             double          *mid_frontal_mm,
                             GError         **error);

/* Draws the guides from `frame` into a new hidden "SMP guides" layer at the top
 * of `group` (replacing an older one, keeping its visibility): the face midline,
 * the mid-frontal height marks at 7, 8 and 10 cm, the temple verticals through
 * the outer eye corners, and the facial thirds (equal bands of `thirds_mm`
 * above and below the glabella) and, with a head model (nullable, image px), its
 * fitted outline and lines of equal foreshortening (cos θ 0.9, 0.7, 0.5, 0.3 and
 * the 0.15 stop). NULL when the guides miss the canvas. */
GimpLayer *smp_plugin_guides_add (GimpImage          *image,
                                  GimpGroupLayer     *group,
                                  const SmpFaceFrame *frame,
                                  double              px_per_mm,
                                  double              thirds_mm,
                                  const SmpHeadModel *head);

/* Called by the hairline procedure inside its undo group once the proposal is
 * written, with the photo layer the group sits on: runs the checks, stores them
 * in the proposal's record ([SMP Checks] of the image's "smp-design-<tattoo>"
 * parasite), reports findings (a GIMP message in interactive runs, stderr
 * otherwise) and adds the guides when the "guides" argument asks. Never fails
 * the run. */
void smp_plugin_design_aids_apply (GimpProcedureConfig *config,
                                   GimpRunMode          run_mode,
                                   GimpImage           *image,
                                   GimpGroupLayer      *group,
                                   const char          *path_name,
                                   const SmpParams     *params,
                                   SmpProposal         *record);

G_END_DECLS
