/* smp-plugin-preview-composite.h: the preview's compositing, babl only: the photo into linear
 * light, the session layers multiplied over it, the result into the screen's 8 bits. */
#pragma once

#include "smp-plugin-preview-colour.h"

G_BEGIN_DECLS

/* Multiplies `n` sessions' straight-alpha RGBA u8 layers (in `layer_format`, the
 * output's encoding) over the photo in linear light, in turn, as GIMP's Multiply mode
 * does: out = src · (1 − a + a · dot). `colour` (nullable): babl's values by table.
 * `photo` is RGBA float, linear, in the layer format's colour space, `width` px a row;
 * alpha is kept. */
void smp_plugin_preview_multiply (float                        *photo,
                                  const guint8 *const          *layers,
                                  int                           n,
                                  gsize                         layer_stride,
                                  const Babl                   *layer_format,
                                  const SmpPluginPreviewColour *colour,
                                  int                           width,
                                  int                           height);

/* The photo (`source`, `width` × `height` px of `photo_format`, rows `source_stride`
 * bytes apart) into `linear` (RGBA float in `work_format`, packed), in row ranges
 * over up to `n_threads` threads: babl's conversions are per pixel, so the result
 * is the whole image's. */
void smp_plugin_preview_convert_photo (const guint8 *source,
                                       gsize         source_stride,
                                       const Babl   *photo_format,
                                       float        *linear,
                                       const Babl   *work_format,
                                       int           width,
                                       int           height,
                                       int           n_threads);

/* The view: `linear` (the photo, as convert_photo gives it) with the `n` layers
 * (RGBA u8, `width` × 4 bytes a row) multiplied over it, shown as native 32-bit
 * 0xffRRGGBB words (cairo's RGB24; alpha over mid grey) into `out`, rows `out_stride` bytes apart.
 * Made STRIP rows at a time so the float composite stays in cache, the strips
 * shared out over up to `n_threads` threads; each pixel goes through the same
 * operations as whole-image passes of multiply and the display conversion would. */
void smp_plugin_preview_composite (const float                  *linear,
                                   const guint8 *const          *layers,
                                   int                           n,
                                   const Babl                   *layer_format,
                                   const Babl                   *work_format,
                                   const SmpPluginPreviewColour *colour,
                                   int                           width,
                                   int                           height,
                                   guint8                       *out,
                                   int                           out_stride,
                                   int                           n_threads);

/* The same as whole-image passes: multiply over `composite` (the photo in linear
 * light, overwritten), then the display conversion. What composite () is measured
 * against (tests/bench/bench-preview-composite.c). */
void smp_plugin_preview_composite_whole (float                        *composite,
                                         const guint8 *const          *layers,
                                         int                           n,
                                         const Babl                   *layer_format,
                                         const Babl                   *work_format,
                                         const SmpPluginPreviewColour *colour,
                                         int                           width,
                                         int                           height,
                                         guint8                       *out,
                                         int                           out_stride);

G_END_DECLS
