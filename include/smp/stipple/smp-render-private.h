/* smp-render-private.h (internal): rasterising impressions into a float band and
 * writing the band out in the caller's pixel format. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <smp/smp-design.h>

G_BEGIN_DECLS

/* Premultiplied RGBA float accumulation for rows y0..y0+height of a region.
 * Kept all-zero between uses; span_x0/x1 mark each row's touched columns. */
typedef struct
{
  float *accum;
  int    x0, y0, width, height;
  int   *span_x0, *span_x1;
  float *scratch;       /* one impression's footprint */
  gsize  scratch_len;
} SmpBand;

void smp_band_init  (SmpBand *band, int x0, int width, int max_height);
void smp_band_clear (SmpBand *band);
/* Composites one impression ("over", in band order) at output scale `scale`. */
void smp_band_add_dot (SmpBand *band, const SmpDot *dot, double scale);
/* Writes the band's rows (height rows starting at band->y0) and re-zeroes it. */
void smp_band_emit (SmpBand *band, SmpPixelFormat format, guint8 *first_row, gsize rowstride);

G_END_DECLS
