/* smp-match-fit.c: the look that reproduces measured healed work: geometry from the
 * measures, ink fitted through the engine's own renders, and the check (residual). */
#include "smp-match-private.h"
#include <glib/gi18n-lib.h>
#include "../stipple/smp-impression-private.h"

#include <smp/smp-design.h>
#include <smp/smp-error.h>

#include <math.h>
#include <string.h>

#define FIT_PX_PER_MM  10.0   /* the ink fit's renders: a patch's mean is scale invariant (docs/optics.md) */
#define FIT_SIDE_MM    24.0
#define CHECK_SIDE_MM  14.0   /* the check render at the photo's scale */
#define CHECK_SKIN_MM  5.0
#define INK_STEPS      6
#define MATCH_ROUNDS   3      /* indirect-inference rounds on density and size */
#define DARKEST_INK    0.99   /* the fitted shade's darkest channel, 1 − linear shade */

/* A design whose field is uniform everywhere below y = 0 (its line lies far above). */
static SmpDesign *
uniform_design (const SmpParams *look, double px_per_mm, GError **error)
{
  SmpParams p = *look;
  g_autoptr (SmpHairline) line = smp_hairline_new ();
  double xy[] = { -1e7, -1000.0 * px_per_mm, 1e7, -1000.0 * px_per_mm };
  SmpDesign *d;

  p.px_per_mm = px_per_mm;
  p.scalp_side = SMP_SCALP_SIDE_RIGHT;
  p.stage = SMP_STAGE_HEALED;
  if (!smp_hairline_add_stroke (line, xy, 2, FALSE, error))
    return NULL;
  d = smp_design_new (&p, line, NULL, NULL, error);
  if (d)
    smp_design_set_output_linear (d, TRUE);
  return d;
}

/* Per-channel transmittance of the look over `r`, linear float layer: t = 1 − α + α·c. */
static float *
render_transmittance (const SmpParams *look, double px_per_mm, const SmpRect *r, GError **error)
{
  g_autoptr (SmpDesign) d = uniform_design (look, px_per_mm, error);
  g_autofree float *px = NULL;
  float *t;

  if (!d)
    return NULL;
  px = g_try_new (float, (gsize) r->width * r->height * 4);
  if (!px)
    {
      g_set_error_literal (error, SMP_ERROR, SMP_ERROR_MEASURE, _("Out of memory for the fit's render"));
      return NULL;
    }
  if (!smp_design_render (d, r, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_FLOAT, px, 16 * (gsize) r->width, error))
    return NULL;
  t = g_new (float, (gsize) r->width * r->height * 3);
  for (gsize i = 0; i < (gsize) r->width * r->height; i++)
    for (int k = 0; k < 3; k++)
      t[3 * i + k] = 1.0f - px[4 * i + 3] + px[4 * i + 3] * px[4 * i + k];
  return t;
}

/* x_k = opacity × (1 − shade_k): the ink's absorbance per channel before the skin
 * keeps some and veils it; a look writes it as an opacity and a (linear) shade. */
static void
set_ink (SmpParams *look, const double x[3])
{
  double top = MAX (MAX (x[0], x[1]), x[2]);

  look->opacity = CLAMP (top / DARKEST_INK, 0.02, 1.0);
  for (int k = 0; k < 3; k++)
    look->shade[k] = CLAMP (1.0 - x[k] / look->opacity, 0.0, 1.0);
}

static double
rel (double a, double b)
{
  return b != 0 && isfinite (a) && isfinite (b) ? (a - b) / b : NAN;
}

/* The look's ink (opacity and shade) whose rendered patch has the photo's mean
 * transmittance: the mean darkening per channel is close to linear in the ink's
 * absorbance, so a few multiplicative steps land on it. */
static gboolean
fit_ink (const SmpMatchMeasure *m, SmpParams *look, GError **error)
{
  const int side = (int) lround (FIT_SIDE_MM * FIT_PX_PER_MM);
  const SmpRect patch = { 0, 0, side, side };
  double x[3];

  for (int k = 0; k < 3; k++)
    x[k] = look->opacity * (1.0 - look->shade[k]);
  for (int step = 0; step < INK_STEPS; step++)
    {
      g_autofree float *t = NULL;
      double mean[3] = { 0 }, worst = 0;

      set_ink (look, x);
      t = render_transmittance (look, FIT_PX_PER_MM, &patch, error);
      if (!t)
        return FALSE;
      for (gsize i = 0; i < (gsize) side * side; i++)
        for (int k = 0; k < 3; k++)
          mean[k] += t[3 * i + k];
      for (int k = 0; k < 3; k++)
        {
          double want = 1.0 - CLAMP (m->transmittance[k], 0.0, 1.0), got = 1.0 - mean[k] / ((double) side * side);
          double f = CLAMP (got > 1e-6 ? want / got : 2.0, 0.25, 4.0);
          x[k] = CLAMP (x[k] * f, 1e-4, 1.0);
          worst = MAX (worst, fabs (f - 1.0));
        }
      if (worst < 0.003)
        break;
    }
  set_ink (look, x);
  return TRUE;
}

/* The look over flat skin of the photo's colour at the photo's scale, measured
 * by the same code as the photo. */
static gboolean
measure_look (const SmpParams *look, const SmpMatchMeasure *m, double px_per_mm, SmpMatchMeasure *out,
              GError **error)
{
  const int tw = (int) lround ((CHECK_SIDE_MM + CHECK_SKIN_MM) * px_per_mm);
  const int th = (int) lround (CHECK_SIDE_MM * px_per_mm);
  const int edge = (int) lround (CHECK_SKIN_MM * px_per_mm);
  const SmpRect r = { 0, 0, tw, th };
  g_autofree float *t = render_transmittance (look, px_per_mm, &r, error);
  g_autofree float *rgb = NULL, *treated = NULL, *untreated = NULL;
  SmpMatchInput in = { 0 };

  if (!t)
    return FALSE;
  rgb = g_new (float, (gsize) tw * th * 3);
  treated = g_new0 (float, (gsize) tw * th);
  untreated = g_new0 (float, (gsize) tw * th);
  for (int y = 0; y < th; y++)
    for (int xx = 0; xx < tw; xx++)
      {
        gsize i = (gsize) y * tw + xx;
        gboolean skin = xx < edge;
        for (int k = 0; k < 3; k++)
          rgb[3 * i + k] = (float) (m->skin[k] * (skin ? 1.0f : t[3 * i + k]));
        untreated[i] = xx < edge - (int) (1.5 * px_per_mm);
        treated[i] = xx >= edge + (int) (0.5 * px_per_mm) && xx < tw - (int) (0.5 * px_per_mm) &&
                     y >= (int) (0.5 * px_per_mm) && y < th - (int) (0.5 * px_per_mm);
      }
  in.rgb = rgb, in.width = tw, in.height = th, in.stride = (gsize) tw * 3;
  in.treated = treated, in.untreated = untreated, in.px_per_mm = px_per_mm;
  return smp_match_measure (&in, out, error);
}

/* The healed core diameter (mm) a look's impressions have: the stage's share of
 * the fresh dot, widened by blow-out (smp-impression.c). */
static double
healed_core_mm (const SmpParams *look)
{
  SmpParams p = *look;
  SmpOptics o;

  p.stage = SMP_STAGE_HEALED;
  smp_optics_init (&o, &p, TRUE);
  return 2.0 * hypot (0.5 * look->dot_diameter_mm * o.size, o.blowout_mm);
}

gboolean
smp_match_fit (const SmpMatchMeasure *m, double px_per_mm, SmpParams *look, SmpMatchFit *fit, GError **error)
{
  SmpOptics optics;
  SmpParams trial;
  SmpMatchFit local_fit;
  double    a_mm;

  g_return_val_if_fail (m != NULL && look != NULL, FALSE);
  if (!fit)
    fit = &local_fit;
  memset (fit, 0, sizeof *fit);

  /* Geometry, first guess: the measured core is the healed deposit, blow-out
   * included; the look's dot diameter is the fresh one (docs/optics.md: stages). */
  trial = *look;
  trial.stage = SMP_STAGE_HEALED;
  smp_optics_init (&optics, &trial, TRUE);
  a_mm = 0.5 * m->core_diameter_mm;
  a_mm = sqrt (MAX (a_mm * a_mm - optics.blowout_mm * optics.blowout_mm, 0.25 * a_mm * a_mm));
  look->dot_diameter_mm = CLAMP (2.0 * a_mm / optics.size, 0.05, 1.5);
  look->density_per_cm2 = CLAMP (m->density_per_cm2, 1.0, SMP_DENSITY_CEILING_PER_CM2);
  if (isfinite (m->core_spread))
    look->size_jitter = CLAMP (sqrt (3.0) * m->core_spread, 0.0, 0.6);

  /* Then in the measures' own terms (indirect inference): render the look, measure
   * it like the photo, and move density and size until the two measure alike, so
   * that what the measuring misses or widens (faint dots, blur, the shadow under
   * the core) cancels out. */
  /* Depth stays as given: in this model colour cannot tell ink from depth, and at
   * photo resolutions a core's edge profile is too close to a Gaussian to tell the
   * skin's blur from the deposit's size (docs/match.md). */
  fit->depth_measured = FALSE;

  for (int round = 0; round < MATCH_ROUNDS; round++)
    {
      g_autoptr (GError) local = NULL;
      double fd, fs;

      if (!fit_ink (m, look, error))
        return FALSE;
      if (!measure_look (look, m, px_per_mm, &fit->model, &local))
        break;
      fd = CLAMP (m->density_per_cm2 / fit->model.density_per_cm2, 0.7, 1.4);
      fs = CLAMP (m->core_diameter_mm / fit->model.core_diameter_mm, 0.7, 1.4);
      look->density_per_cm2 = CLAMP (look->density_per_cm2 * fd, 1.0, SMP_DENSITY_CEILING_PER_CM2);
      look->dot_diameter_mm = CLAMP (look->dot_diameter_mm * fs, 0.05, 1.5);
      if (fabs (fd - 1) < 0.015 && fabs (fs - 1) < 0.015)
        break;
    }
  if (!fit_ink (m, look, error) || !smp_params_validate (look, error))
    return FALSE;

  fit->density_per_cm2 = look->density_per_cm2;
  fit->core_diameter_mm = healed_core_mm (look);
  {
    g_autoptr (GError) local = NULL;
    double d[7];
    int nd = 0;

    fit->residual = NAN;
    if (measure_look (look, m, px_per_mm, &fit->model, &local))
      {
        d[nd++] = rel (fit->model.density_per_cm2, m->density_per_cm2);
        d[nd++] = rel (fit->model.core_diameter_mm, m->core_diameter_mm);
        for (int k = 0; k < 3; k++)
          d[nd++] = rel (1.0 - fit->model.transmittance[k], 1.0 - m->transmittance[k]);
        d[nd++] = rel (fit->model.contrast, m->contrast);
        d[nd++] = rel (fit->model.shadow_share, m->shadow_share);
        fit->residual = 0;
        for (int i = 0; i < nd; i++)
          fit->residual += isfinite (d[i]) ? d[i] * d[i] / nd : 0;
        fit->residual = sqrt (fit->residual);
      }
  }
  return TRUE;
}
