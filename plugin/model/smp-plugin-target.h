/* smp-plugin-target.h: what a run works on (the client's photo, the canvas, the
 * selection) and the one writer of session layers (the run and the canvas preview). */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"
#include "smp-plugin-io.h"

G_BEGIN_DECLS

/* What a run works on, resolved once (the dialog's preview reuses it):
 * the client's photo layer, the treatment canvas and the selection mask. */
typedef struct
{
  GimpImage       *image;
  GimpDrawable    *client;     /* the photo layer the design sits on: never written */
  GimpGroupLayer  *proposal;   /* re-edit: the "SMP proposal" group to replace; else NULL */
  int              offset_x;   /* the client's offsets: design px + offset = image px */
  int              offset_y;
  SmpRect          layer_rect; /* the client ∩ the image, in design (client) px */
  SmpRect          canvas;     /* where dots may land: layer_rect ∩ the selection's bounds */
  SmpPluginFormat  format;     /* of the output layers */
  gboolean         has_mask;   /* a selection (or the stored treated area) confines the dots */
  SmpMask          mask;       /* valid when has_mask; its tiles are owned by `coverage` */
  SmpPluginCoverage *coverage;
  GimpChannel     *area;       /* re-edit without a selection: the proposal's stored treated area */
  SmpPattern      *pattern;    /* the last seed's blue-noise tile (smp_plugin_target_get_pattern) */
} SmpPluginTarget;

#define SMP_PLUGIN_AREA_CHANNEL_NAME "SMP treated area"

/* Resolves the drawable a run was given: a plain layer is the client; a proposal
 * group (or a layer in one) means re-edit, with the layer below the group as the
 * client. Fails, with the text users see, on indexed or tiny images, a selection
 * missing the layer, or a drawable that is not a layer. */
SmpPluginTarget *smp_plugin_target_new  (GimpImage    *image,
                                         GimpDrawable *drawable,
                                         GError      **error);
void             smp_plugin_target_free (SmpPluginTarget *target);
/* The blue-noise tile for `seed`, made once and kept while the seed stays: the
 * dialog's previews and the run share it (the slow part of a design to make).
 * Owned by the target. */
SmpPattern      *smp_plugin_target_get_pattern (SmpPluginTarget *target, guint32 seed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPluginTarget, smp_plugin_target_free)

/* The hairline from `path` (NULL: the stored proposal's path, the selected one,
 * else the only one), in design px. Fails when the path is unusable or lies
 * wholly outside the canvas. `path_name` (optional) receives its name. */
SmpHairline *smp_plugin_target_read_hairline (const SmpPluginTarget *target,
                                              GimpPath              *path,
                                              char                 **path_name,
                                              GError               **error);

/* TRUE when some of the selection lies on the scalp side of `hairline` (its
 * side resolved), or within `reach_px` ahead of it. Sampled on at most 256². */
gboolean smp_plugin_target_selects_scalp (const SmpPluginTarget *target,
                                          const SmpHairline     *hairline,
                                          double                 reach_px);

/* Where `design`'s dots land on the canvas; FALSE with the reason users see
 * (a selection on the forehead side or too small for a dot, no scalp side on the
 * photo) when none does. The run and the dialog (which says it before OK) share it. */
gboolean smp_plugin_target_get_extent (const SmpPluginTarget *target,
                                       const SmpDesign       *design,
                                       const SmpHairline     *hairline,
                                       SmpRect               *extent,
                                       GError               **error);

/* Keeps the run's treated area with the proposal: a selection becomes a hidden
 * channel the record names (replacing the one an earlier run stored); a stored
 * area is carried over. Call inside the run's undo group. */
void smp_plugin_target_keep_area (const SmpPluginTarget *target, const SmpProposal *previous,
                                  SmpProposal *record);

/* The record of a proposal just written from `design` (the caller adds the
 * design checks, then attaches it). */
SmpProposal *smp_plugin_target_make_record (const SmpPluginTarget *target,
                                            const SmpDesign       *design,
                                            const SmpHairline     *hairline,
                                            const SmpRect         *extent,
                                            const char            *path_name,
                                            const char            *preset,
                                            SmpScaleSource         scale_source);

/* A new pass-through group named `name` right above the client. */
GimpGroupLayer *smp_plugin_target_new_group (const SmpPluginTarget *target, const char *name);

/* Renders the sessions in `session_mask` of `design` as Multiply layers into
 * `group` (Session 1 lowest), each covering `extent`. `added` (nullable)
 * receives the new layers. `progress`: report GIMP progress across sessions.
 * `shine`: keep the photo's surface reflection on top (read the client's pixels). */
gboolean smp_plugin_target_write_sessions (const SmpPluginTarget *target,
                                           GimpGroupLayer        *group,
                                           const SmpDesign       *design,
                                           const SmpRect         *extent,
                                           guint                  session_mask,
                                           gboolean               progress,
                                           gboolean               shine,
                                           GPtrArray             *added,
                                           GError               **error);

/* Writes the proposal (a new group, or the re-edited one's sessions replaced);
 * the caller holds the undo group. `record` is attached first with complete =
 * FALSE; the caller attaches it complete when all is written. On failure what
 * was added is removed again. */
GimpGroupLayer *smp_plugin_target_write_proposal (const SmpPluginTarget *target,
                                                  const SmpDesign       *design,
                                                  const SmpRect         *extent,
                                                  gboolean               shine,
                                                  SmpProposal           *record,
                                                  GError               **error);

G_END_DECLS
