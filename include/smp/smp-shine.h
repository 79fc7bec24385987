/* smp-shine.h: the photo's surface shine, separated by the dichromatic reflection
 * model (Shafer 1985), so that pigment under the skin darkens only the diffuse light. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A photo the proposal will be multiplied onto: linear-light RGB, 3 floats a
 * pixel, covering `x, y, width, height` in output pixels. Borrowed. */
typedef struct
{
  const float *rgb;
  int          x, y, width, height;
  gsize        stride;        /* floats per row */
  double       chroma[3];     /* the skin's diffuse chromaticity (sums to 1), smp_shine_estimate_chroma */
} SmpPhoto;

/* The skin's diffuse chromaticity over `n` pixels of linear RGB (3 floats each,
 * `step` floats apart; weights nullable, one per pixel, 0 skips): the most
 * saturated quarter of the well-exposed pixels, as shine only ever desaturates
 * skin towards neutral. FALSE when fewer than 16 pixels qualify. */
gboolean smp_shine_estimate_chroma (const float *rgb,
                                    gsize        n,
                                    gsize        step,
                                    const float *weights,
                                    double       chroma[3]);

/* The neutral specular part s of one linear pixel: rgb = m·chroma + s·(1,1,1),
 * fitted by least squares, then lowered by the noise floor and clamped to
 * 0..min(rgb). */
float smp_shine_specular (const float rgb[3], const double chroma[3]);

G_END_DECLS
