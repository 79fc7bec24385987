/* smp-hairline.h: hairline geometry. One or more strokes (pixel polylines, open or
 * closed) answering, for any point, the distance to the line and the scalp side. */
#pragma once

#include <glib.h>
#include "smp-params.h"
#include "smp-mask.h"

G_BEGIN_DECLS

typedef struct _SmpHairline SmpHairline;

SmpHairline *smp_hairline_new   (void);
SmpHairline *smp_hairline_ref   (SmpHairline *hairline);
void         smp_hairline_unref (SmpHairline *hairline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpHairline, smp_hairline_unref)

/* `xy` holds n_points (x, y) pairs in pixels, as GIMP's path interpolation gives
 * them. Repeated points are dropped; the line is simplified to within 0.1 px
 * (in O(n log n)) and segments under 0.001 px merged away. Fails with
 * SMP_ERROR_BAD_GEOMETRY on NaN or infinite coordinates, fewer than two distinct
 * points, a stroke with no length (under 0.1 px once simplified: a stray click,
 * an out-and-back within 0.1 px, "M 0 0 L 1e-200 0") or a closed stroke enclosing
 * no area; the hairline is unchanged then, so a caller with several strokes can
 * skip the failed one and the result does not depend on the strokes' order. A
 * closed stroke's inside (scalp) ends at its bounding box. */
gboolean smp_hairline_add_stroke (SmpHairline  *hairline,
                                  const double *xy,
                                  gsize         n_points,
                                  gboolean      closed,
                                  GError      **error);

guint    smp_hairline_get_n_strokes (const SmpHairline *hairline);
double   smp_hairline_get_length_px (const SmpHairline *hairline);
/* FALSE when the hairline is empty. */
gboolean smp_hairline_get_bounds    (const SmpHairline *hairline,
                                     double *x0, double *y0, double *x1, double *y1);

/* Fixes which side of each open stroke is scalp. AUTO uses `mask` (nullable) when
 * it clearly holds one side (the other side has at most half as much of it within
 * 24 mm of the line) and otherwise the side toward the image top. `px_per_mm` sets how far from the
 * line the mask is sampled. Closed strokes are always scalp inside. Call before
 * distance queries; until then every open stroke is scalp on its left. */
void smp_hairline_resolve_side (SmpHairline   *hairline,
                                SmpScalpSide   side,
                                const SmpMask *mask,
                                double         px_per_mm);

/* Signed distance in pixels to the hairline, positive on the scalp side. Open
 * strokes: the nearest open stroke decides (its ends extend along their tangents).
 * Closed strokes add their inside to the scalp. Thread-safe after resolve_side. */
double smp_hairline_signed_distance_px (const SmpHairline *hairline, double x, double y);

/* The same in mm, split into the two answers. */
double smp_hairline_distance_mm (const SmpHairline *hairline,
                                 double             px_per_mm,
                                 double x, double y,
                                 gboolean          *on_scalp_side);

G_END_DECLS
