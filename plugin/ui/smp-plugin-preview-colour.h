/* smp-plugin-preview-colour.h: per-channel tables for the two babl conversions the preview makes on every
 * refresh (the dots' 8 bits to linear light, linear light to the screen's 8 bits), used where they stand in for babl. */
#pragma once

#include <babl/babl.h>
#include <glib.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_DISPLAY_BUCKETS 4096

typedef struct
{
  /* The dots: an RGBA u8 pixel of the layer's format to RGBA float (linear, same space). */
  gboolean layer_exact;
  float    layer_colour[256], layer_alpha[256];
  /* The screen: RGBA float (linear, the work space) to R'G'B'A u8 sRGB. step[v] is the
   * smallest float babl turns into v or more; bucket[i] the value at i / BUCKETS. */
  gboolean display_exact;
  float    colour_step[257], alpha_step[257];
  guint8   colour_bucket[SMP_PLUGIN_DISPLAY_BUCKETS], alpha_bucket[SMP_PLUGIN_DISPLAY_BUCKETS];
} SmpPluginPreviewColour;

/* Builds the tables from babl itself. The dots' table is checked on every input
 * (exact, or not used). The screen's steps are bisected on babl's rounding, which
 * is not quite monotone: a few floats (29 of the 1.07 G in [0, 1], babl 0.1.112)
 * then land one 8-bit level off babl's. It is checked on a sample of pixels
 * (non-grey colours, every alpha, values out of range) and not used where that
 * sample differs (a space whose primaries are not sRGB's mixes the channels). */
void smp_plugin_preview_colour_init (SmpPluginPreviewColour *colour,
                                     const Babl             *layer_format,
                                     const Babl             *work_format);

/* One channel's screen value as babl gives it. */
static inline guint8
smp_plugin_preview_colour_display (const float *step, const guint8 *bucket, float f)
{
  int v;

  if (!(f > 0.0f))
    return 0;
  if (f >= 1.0f)
    return 255;
  v = bucket[(int) (f * SMP_PLUGIN_DISPLAY_BUCKETS)];
  /* A bucket is narrower than a level: mostly one step at most, taken without a
   * branch; step[256] is the largest float, so 255 stays 255. */
  v += f >= step[v + 1];
  while (f >= step[v + 1])
    v++;
  return (guint8) v;
}

G_END_DECLS
