/* smp-impression.c: the optics of an impression: what stage, depth and shade make of
 * one deposit's core, blur and wide shadow, per colour channel (see docs/optics.md). */
#include "smp-impression-private.h"

#include <math.h>
#include <string.h>

/* Rayleigh (small-scatterer) part of the dermis's reduced scattering, mm⁻¹, at
 * the R, G, B channels' wavelengths (about 610, 545, 465 nm): Jacques 2013's
 * dermis fit (μs'(500 nm) ≈ 2.9 mm⁻¹, Rayleigh share 0.4, λ⁻⁴). It is what sends
 * short-wavelength light back before it reaches a deposit: the Tyndall effect. */
static const double rayleigh_per_mm[3] = { 0.53, 0.83, 1.57 };
/* Veil strength: effective back-scattering path per unit depth (fitted, docs/optics.md). */
#define VEIL_GAIN 2.0
/* Reduced scattering μs', mm⁻¹, at the channels' wavelengths: the in-vivo fit
 * 3.2 mm⁻¹ at 475 nm to 1.2 mm⁻¹ at 850 nm (∝ λ^-1.69). Its inverse, the transport
 * length, is how far light wanders before its direction is forgotten: red
 * wanders farthest, which is why red reaches d'Eon's wide Gaussians. */
static const double scattering_per_mm[3] = { 2.1, 2.6, 3.3 };
#define TRANSPORT_MM (1.0 / 2.6) /* green */
/* A deposit captures diffusing light out to this many transport lengths past its
 * edge (fitted; the diffusion limit for a black absorber is far larger). */
#define CAPTURE_TRANSPORT 0.8
/* Shadow spread: lateral wander of diffusing light (transport lengths: 1.8 puts σ
 * at d'Eon's 0.75 mm term, so an isolated dot's ring stays faint and a dense
 * patch's shadows sum without ripple) and the
 * depth it travels up through (per mm of depth). */
#define SHADOW_TRANSPORT 1.5
#define SHADOW_DEPTH     0.6
/* The deposit's edge blur: grows with the depth the light comes up through. */
#define BLUR_PER_DEPTH   0.08
#define BLUR_MIN_MM      0.02
/* Deeper than this the needle leaves the papillary dermis: ink spreads (blow-out). */
#define BLOWOUT_FROM_MM  0.35
#define BLOWOUT_PER_MM   0.35

typedef struct
{
  double size, retention, depth_factor;
} StagePhysics;

/* DOMAIN.md: healed cores are about half the fresh deposit (0.10-0.15 mm) and
 * 2-3 shades lighter; fresh ink also fills the wound channel up to the surface,
 * so less skin lies over it; with years pigment spreads, fades and settles. */
static const StagePhysics stages[] = {
  [SMP_STAGE_FRESH]  = { 1.00, 1.00, 0.15 },
  [SMP_STAGE_HEALED] = { 0.50, 0.80, 1.00 },
  [SMP_STAGE_AGED]   = { 0.62, 0.70, 1.50 },
};

double
smp_srgb_to_linear (double v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

double
smp_linear_to_srgb (double v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow (v, 1 / 2.4) - 0.055;
}

const SmpEncoder *
smp_encoder_get (gboolean linear)
{
  /* Two constant tables, made on first use and read-only after: every design of the
   * process shares them instead of evaluating 4097 powers each (a preview re-render
   * remakes its design). */
  static SmpEncoder tables[2];
  static gsize      made[2];
  const int         k = linear ? 1 : 0;

  if (g_once_init_enter (&made[k]))
    {
      smp_encoder_init (&tables[k], linear);
      g_once_init_leave (&made[k], 1);
    }
  return &tables[k];
}

void
smp_encoder_init (SmpEncoder *encoder, gboolean linear)
{
  encoder->linear = linear;
  for (int i = 0; i <= SMP_ENCODE_STEPS; i++)
    {
      double l = (double) i / SMP_ENCODE_STEPS, v = linear ? l : smp_linear_to_srgb (l);
      encoder->to_srgb[i] = (float) v;
      encoder->to_u8[i] = (guint8) lround (CLAMP (v, 0.0, 1.0) * 255.0);
    }
  encoder->to_srgb[SMP_ENCODE_STEPS + 1] = 1.0f;
  memset (encoder->to_u8 + SMP_ENCODE_STEPS + 1, 0, 3);
}

void
smp_optics_init (SmpOptics *o, const SmpParams *p, gboolean linear_shade)
{
  const StagePhysics *st = &stages[CLAMP ((int) p->stage, 0, (int) G_N_ELEMENTS (stages) - 1)];
  const double z = p->pigment_depth_mm;

  o->size = st->size;
  o->retention = st->retention;
  o->depth_mm = z * st->depth_factor;
  for (int k = 0; k < 3; k++)
    {
      double shade = linear_shade ? p->shade[k] : smp_srgb_to_linear (p->shade[k]);
      o->veil[k] = 1.0 - exp (-VEIL_GAIN * rayleigh_per_mm[k] * o->depth_mm);
      o->ink[k] = 1.0 - CLAMP (shade, 0.0, 1.0);
    }
  o->blur_mm = BLUR_MIN_MM + BLUR_PER_DEPTH * o->depth_mm;
  /* Blow-out follows where the needle put the ink, not the stage. */
  o->blowout_mm = BLOWOUT_PER_MM * MAX (0.0, z - BLOWOUT_FROM_MM);
  for (int k = 0; k < 3; k++)
    o->capture_mm[k] = CAPTURE_TRANSPORT / scattering_per_mm[k];
  o->shadow_sigma_mm = hypot (SHADOW_TRANSPORT * TRANSPORT_MM, SHADOW_DEPTH * o->depth_mm);
}

double
smp_optics_core_reach (const SmpOptics *o, double px_per_mm, double radius_px)
{
  double a = hypot (radius_px, o->blowout_mm * px_per_mm);
  return a + 3.0 * o->blur_mm * px_per_mm;
}

void
smp_optics_impression (const SmpOptics *o, double px_per_mm, SmpDot *dot)
{
  const double a_geo = sqrt ((double) dot->radius_x * dot->radius_y); /* px */
  const double spread = o->blowout_mm * px_per_mm;
  const double a = hypot (a_geo, spread);
  const double grow = a_geo > 0 ? a / a_geo : 1.0;
  const double core_area = G_PI * a * a;

  dot->radius_x = (float) (dot->radius_x * grow);
  dot->radius_y = (float) (dot->radius_y * grow);
  dot->blur = (float) (o->blur_mm * px_per_mm);
  for (int k = 0; k < 3; k++)
    {
      /* Absorbance of the ink the skin kept, seen past the veil above it. */
      double dark = CLAMP (dot->alpha * o->retention * o->ink[k], 0.0, 1.0) * (1.0 - o->veil[k]);
      /* The footprint: the deposit plus the ring of diffusing light it still removes. */
      double cap = o->capture_mm[k] * px_per_mm;
      double halo_area = G_PI * ((a + cap) * (a + cap) - a * a);

      dot->core_dark[k] = (float) (core_area * dark);
      dot->shadow_dark[k] = (float) (halo_area * dark);
    }
}
