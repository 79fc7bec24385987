/* smp-pattern.h: the seeded, progressive blue-noise point set behind every design.
 * A toroidal tile of points ranked by farthest-point order: every prefix is blue noise. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SmpPattern SmpPattern;

/* Deterministic for `seed`. Takes some tens of ms: keep it across parameter
 * changes that leave the seed alone (smp_design_new accepts one). Thread-safe
 * for reading once made. */
SmpPattern *smp_pattern_new   (guint32 seed);
SmpPattern *smp_pattern_ref   (SmpPattern *pattern);
void        smp_pattern_unref (SmpPattern *pattern);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPattern, smp_pattern_unref)

guint32 smp_pattern_get_seed     (const SmpPattern *pattern);
guint   smp_pattern_get_n_points (const SmpPattern *pattern);
/* Point `rank` in the unit tile, 0 <= u, v < 1. Rank 0 is placed first. */

G_END_DECLS
