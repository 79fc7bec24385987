/* smp-mask.h: a borrowed treatment-mask raster (GIMP's selection as 0..1 coverage).
 * The engine never copies or frees it; points outside the raster have coverage 0. */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

/* The side of a tiled mask's square tiles, in px. */
#define SMP_MASK_TILE 64

typedef struct
{
  const float *coverage;      /* dense: width × height values, 0..1, rows `stride` apart; NULL when tiled */
  int          x, y;          /* the raster's origin in the design's pixel space */
  int          width, height;
  gsize        stride;        /* in floats */
  /* Tiled (coverage NULL): ceil(width / T) × ceil(height / T) tiles of T × T values
   * (T = SMP_MASK_TILE), row-major. Tiles that are all 0 or all 1 can share one
   * buffer, so a large plain selection costs memory only along its edge. */
  const float *const *tiles;
} SmpMask;

/* The value at raster pixel (mx, my), inside the raster. */
static inline float
smp_mask_value (const SmpMask *mask, gsize mx, gsize my)
{
  if (mask->tiles)
    {
      gsize per_row = ((gsize) mask->width + SMP_MASK_TILE - 1) / SMP_MASK_TILE;

      return mask->tiles[(my / SMP_MASK_TILE) * per_row + mx / SMP_MASK_TILE]
                        [(my % SMP_MASK_TILE) * SMP_MASK_TILE + mx % SMP_MASK_TILE];
    }
  return mask->coverage[my * mask->stride + mx];
}

static inline float
smp_mask_sample (const SmpMask *mask, double x, double y)
{
  /* Nearest pixel: a dot centre belongs to the pixel it falls in. */
  double fx = floor (x) - mask->x, fy = floor (y) - mask->y;
  if (!(fx >= 0 && fy >= 0 && fx < mask->width && fy < mask->height))
    return 0.0f; /* also NaN */
  return smp_mask_value (mask, (gsize) fx, (gsize) fy);
}

G_END_DECLS
