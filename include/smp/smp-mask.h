/* smp-mask.h: a borrowed treatment-mask raster (GIMP's selection as 0..1 coverage).
 * The engine never copies or frees it; points outside the raster have coverage 0. */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

typedef struct
{
  const float *coverage;      /* width × height values, 0..1 */
  int          x, y;          /* the raster's origin in the design's pixel space */
  int          width, height;
  gsize        stride;        /* in floats */
} SmpMask;

static inline float
smp_mask_sample (const SmpMask *mask, double x, double y)
{
  /* Nearest pixel: a dot centre belongs to the pixel it falls in. */
  double fx = floor (x) - mask->x, fy = floor (y) - mask->y;
  if (!(fx >= 0 && fy >= 0 && fx < mask->width && fy < mask->height))
    return 0.0f; /* also NaN */
  return mask->coverage[(gsize) fy * mask->stride + (gsize) fx];
}

G_END_DECLS
