/* smp-impression-private.h (internal): the optics of one impression, a pigment
 * deposit in the dermis seen through skin, per stage and depth (docs/optics.md). */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <smp/smp-design.h>

G_BEGIN_DECLS

/* What one design's stage and depth do to every impression: fixed per design. */
typedef struct
{
  double size;             /* deposit diameter ÷ the fresh dot_diameter_mm */
  double retention;        /* share of the fresh ink still in the skin */
  double depth_mm;         /* effective depth of the deposit under the surface */
  double veil[3];          /* share of each channel's remitted light scattered back above the deposit */
  double ink[3];           /* the ink's own absorbance per channel at full opacity (from the shade) */
  double blur_mm;          /* σ of the short blur softening the deposit's edge */
  double blowout_mm;       /* extra spread of the deposit when it sits too deep */
  double capture_mm[3];    /* how far beyond its edge a deposit still captures diffusing light */
  double shadow_sigma_mm;  /* σ of the faint wide shadow */
} SmpOptics;

/* From the stage, depth and shade. `linear_shade`: params->shade is linear light
 * (else sRGB-encoded, as on 8-bit and perceptual images). */
void   smp_optics_init (SmpOptics *optics, const SmpParams *params, gboolean linear_shade);

/* Fills dot->core_dark, shadow_dark and blur from its geometric radii (already
 * scaled by optics->size), its opacity dot->alpha and the photo scale. Widens
 * the radii by the blow-out spread. */
void   smp_optics_impression (const SmpOptics *optics, double px_per_mm, SmpDot *dot);

/* Farthest reach of any impression's core (px) given its largest radius. */
double smp_optics_core_reach (const SmpOptics *optics, double px_per_mm, double radius_px);

/* sRGB transfer, both ways, on 0..1. */
double smp_srgb_to_linear (double v);
double smp_linear_to_srgb (double v);

/* A table for the emit's linear → output encoding, owned by a design. */
#define SMP_ENCODE_STEPS 4096
typedef struct
{
  gboolean linear;                    /* the output is linear light: no table */
  float    to_srgb[SMP_ENCODE_STEPS + 2];
  /* linear 0..1 in SMP_ENCODE_STEPS steps → the output's 8 bits; 3 zero bytes after the
   * last, so an entry can be read as 32 bits (the AVX2 emit's gathers) */
  guint8   to_u8[SMP_ENCODE_STEPS + 4];
} SmpEncoder;

void smp_encoder_init (SmpEncoder *encoder, gboolean linear);
/* The process's shared, read-only table for `linear` (made once, thread-safe). */
const SmpEncoder *smp_encoder_get (gboolean linear);

static inline float
smp_encoder_apply (const SmpEncoder *e, float v)
{
  float t;
  int   i;

  if (e->linear)
    return v;
  t = v * SMP_ENCODE_STEPS;
  if (!(t > 0.0f))
    return 0.0f;
  if (t >= SMP_ENCODE_STEPS)
    return 1.0f;
  i = (int) t;
  t -= i;
  return e->to_srgb[i] + (e->to_srgb[i + 1] - e->to_srgb[i]) * t;
}

G_END_DECLS
