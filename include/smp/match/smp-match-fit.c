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
#define SKIN_BLOCK_MM  2.0    /* the model's background: blocks of the photo's untreated skin */
#define SKIN_BLOCKS_MAX 4096
#define INK_STEPS      6
#define MATCH_ROUNDS   4      /* indirect-inference rounds on density, size and spread */
#define DEPTH_STEPS    5      /* secant steps on depth, each with its own rounds */
#define DEPTH_PROBE_MM 0.2    /* the second depth tried */
#define SOFT_EDGE_RATIO 1.3   /* photo ÷ look edge σ that says "deeper than the look" */
#define FAINT_SKIN_CONTRAST 1.5 /* impressions ÷ skin texture below which small cores are not counted */
#define DEPTH_MIN_MM   0.1    /* the fitted depth's range: the parameter's floor ... */
#define DEPTH_MAX_MM   0.8    /* ... and past any blow-out a photo of good work shows */
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

/* Blocks of the photo's own untreated skin, the model's background: its texture at
 * the impressions' scale hides faint impressions and softens edges on the photo, so
 * the model must see it too (docs/match.md). */
typedef struct
{
  const float *rgb;     /* the photo, linear */
  gsize        stride;  /* floats a row */
  int          block;   /* px a side */
  GArray      *origins; /* int pairs: blocks wholly on untreated skin */
} SkinTiles;

static void
skin_tiles_clear (SkinTiles *t)
{
  if (t->origins)
    g_array_unref (t->origins);
  t->origins = NULL;
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SkinTiles, skin_tiles_clear)

/* Every block of SKIN_BLOCK_MM (else half that) wholly on untreated skin, on a
 * half-block grid; none when the skin is too thin for any (flat skin then). */
static void
skin_tiles_init (SkinTiles *t, const SmpMatchInput *photo)
{
  const int w = photo->width, h = photo->height;
  const gsize n = (gsize) w * h;
  g_autofree guint8 *treated = g_try_malloc0 (n), *skin = g_try_malloc0 (n);
  g_autofree guint32 *integral = NULL;

  memset (t, 0, sizeof *t);
  t->rgb = photo->rgb, t->stride = photo->stride;
  t->origins = g_array_new (FALSE, FALSE, 2 * sizeof (int));
  integral = g_try_new0 (guint32, (gsize) (w + 1) * (h + 1));
  if (!treated || !skin || !integral)
    return;
  for (gsize i = 0; i < n; i++)
    treated[i] = smp_match_is_treated (photo, i);
  smp_match_skin_mask (photo, treated, skin);
  /* A summed-area table of the mask: a block is all skin when its sum is its area. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      integral[(gsize) (y + 1) * (w + 1) + x + 1] = skin[(gsize) y * w + x] + integral[(gsize) y * (w + 1) + x + 1] +
                                                     integral[(gsize) (y + 1) * (w + 1) + x] -
                                                     integral[(gsize) y * (w + 1) + x];
  for (double mm = SKIN_BLOCK_MM; mm >= 0.5 * SKIN_BLOCK_MM && t->origins->len == 0; mm *= 0.5)
    {
      const int b = MAX ((int) lround (mm * photo->px_per_mm), 8), step = MAX (b / 2, 1);
      t->block = b;
      for (int y = 0; y + b <= h && t->origins->len < SKIN_BLOCKS_MAX; y += step)
        for (int x = 0; x + b <= w && t->origins->len < SKIN_BLOCKS_MAX; x += step)
          {
            guint32 sum = integral[(gsize) (y + b) * (w + 1) + x + b] - integral[(gsize) y * (w + 1) + x + b] -
                          integral[(gsize) (y + b) * (w + 1) + x] + integral[(gsize) y * (w + 1) + x];
            if (sum == (guint32) b * b)
              {
                int xy[2] = { x, y };
                g_array_append_val (t->origins, xy);
              }
          }
    }
}

/* A tw × th background quilted from random skin blocks, cross-faded over a quarter
 * block where they overlap (weights normalised, so the mean stays the skin's). */
static void
skin_tiles_fill (const SkinTiles *t, float *rgb, int tw, int th)
{
  const int b = t->block, over = MAX (b / 4, 1), step = b - over;
  g_autofree float *wsum = g_new0 (float, (gsize) tw * th);
  g_autoptr (GRand) pick = g_rand_new_with_seed (0x5eed);

  memset (rgb, 0, sizeof (float) * 3 * tw * th);
  for (int cy = -over; cy < th; cy += step)
    for (int cx = -over; cx < tw; cx += step)
      {
        const int *o = &g_array_index (t->origins, int, 2 * g_rand_int_range (pick, 0, (gint32) t->origins->len));
        for (int y = MAX (cy, 0); y < MIN (cy + b, th); y++)
          for (int x = MAX (cx, 0); x < MIN (cx + b, tw); x++)
            {
              const int bx = x - cx, by = y - cy;
              const float wx = MIN (1.0f, MIN ((bx + 0.5f) / over, (b - bx - 0.5f) / over));
              const float wy = MIN (1.0f, MIN ((by + 0.5f) / over, (b - by - 0.5f) / over));
              const float wt = wx * wy;
              const float *src = t->rgb + (gsize) (o[1] + by) * t->stride + 3 * (gsize) (o[0] + bx);
              const gsize i = (gsize) y * tw + x;
              for (int k = 0; k < 3; k++)
                rgb[3 * i + k] += wt * src[k];
              wsum[i] += wt;
            }
      }
  for (gsize i = 0; i < (gsize) tw * th; i++)
    for (int k = 0; k < 3; k++)
      rgb[3 * i + k] /= MAX (wsum[i], 1e-6f);
}

/* The look at the photo's scale over the photo's own skin (or, with no block of it,
 * flat skin of its colour with its pixel noise), measured by the same code as the
 * photo. */
static gboolean
measure_look (const SmpParams *look, const SmpMatchMeasure *m, const SkinTiles *tiles, double px_per_mm,
              SmpMatchMeasure *out, GError **error)
{
  const int tw = (int) lround ((CHECK_SIDE_MM + CHECK_SKIN_MM) * px_per_mm);
  const int th = (int) lround (CHECK_SIDE_MM * px_per_mm);
  const int edge = (int) lround (CHECK_SKIN_MM * px_per_mm);
  const SmpRect r = { 0, 0, tw, th };
  const gboolean textured = tiles && tiles->origins && tiles->origins->len > 0;
  g_autofree float *t = render_transmittance (look, px_per_mm, &r, error);
  g_autofree float *rgb = NULL, *treated = NULL, *untreated = NULL;
  g_autoptr (GRand) noise = g_rand_new_with_seed (0x5eed);
  SmpMatchInput in = { 0 };

  if (!t)
    return FALSE;
  rgb = g_new (float, (gsize) tw * th * 3);
  treated = g_new0 (float, (gsize) tw * th);
  untreated = g_new0 (float, (gsize) tw * th);
  if (textured)
    skin_tiles_fill (tiles, rgb, tw, th);
  for (int y = 0; y < th; y++)
    for (int xx = 0; xx < tw; xx++)
      {
        gsize i = (gsize) y * tw + xx;
        gboolean skin = xx < edge;
        for (int k = 0; k < 3; k++)
          {
            double tk = skin ? 1.0 : t[3 * i + k];
            if (textured)
              rgb[3 * i + k] = (float) (rgb[3 * i + k] * tk);
            else
              {
                /* The photo's noise (a fixed seed: the same model measures the same). */
                double u1 = g_rand_double (noise), u2 = g_rand_double (noise);
                double n = sqrt (-2.0 * log (1.0 - u1)) * cos (2.0 * G_PI * u2);
                rgb[3 * i + k] = (float) (m->skin[k] * tk + m->skin_noise[k] * n);
              }
          }
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

/* At the look's depth: render it, measure it like the photo, and move density,
 * size and their spread until the two measure alike (indirect inference), so that
 * what the measuring misses or widens (faint dots, blur, neighbours, the shadow
 * under the core) cancels out. FALSE only on an error; *model is the last measure
 * (NaN edge when the model could not be measured). */
static gboolean
fit_at_depth (const SmpMatchMeasure *m, const SkinTiles *tiles, double px_per_mm, SmpParams *look,
              SmpMatchMeasure *model, GError **error)
{
  model->edge_mm = NAN;
  for (int round = 0; round < MATCH_ROUNDS; round++)
    {
      g_autoptr (GError) local = NULL;
      double fd, fs, dj = 0;

      if (!fit_ink (m, look, error))
        return FALSE;
      if (!measure_look (look, m, tiles, px_per_mm, model, &local))
        {
          model->edge_mm = NAN;
          break;
        }
      fd = CLAMP (m->density_per_cm2 / model->density_per_cm2, 0.7, 1.4);
      fs = CLAMP (m->core_diameter_mm / model->core_diameter_mm, 0.7, 1.4);
      if (isfinite (m->core_spread) && isfinite (model->core_spread) && model->core_spread > 0.01)
        {
          double fj = CLAMP (m->core_spread / model->core_spread, 0.5, 2.0);
          dj = CLAMP (look->size_jitter * fj, 0.02, 0.6) - look->size_jitter;
          look->size_jitter += dj;
        }
      look->density_per_cm2 = CLAMP (look->density_per_cm2 * fd, 1.0, SMP_DENSITY_CEILING_PER_CM2);
      look->dot_diameter_mm = CLAMP (look->dot_diameter_mm * fs, 0.05, 1.5);
      if (fabs (fd - 1) < 0.015 && fabs (fs - 1) < 0.015 && fabs (dj) < 0.01)
        break;
    }
  return fit_ink (m, look, error);
}

gboolean
smp_match_fit (const SmpMatchInput *photo, const SmpMatchMeasure *m, SmpParams *look, SmpMatchFit *fit,
               GError **error)
{
  SmpOptics optics;
  SmpParams trial, best;
  SmpMatchFit local_fit;
  g_auto (SkinTiles) tiles = { 0 };
  double    px_per_mm, a_mm, z[2] = { 0 }, g[2] = { 0 }, best_g = INFINITY, softer;

  g_return_val_if_fail (photo != NULL && photo->rgb != NULL && photo->treated != NULL, FALSE);
  g_return_val_if_fail (m != NULL && look != NULL, FALSE);
  if (!fit)
    fit = &local_fit;
  memset (fit, 0, sizeof *fit);
  px_per_mm = photo->px_per_mm;
  skin_tiles_init (&tiles, photo);

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

  /* Depth from the cores' edge: the skin above the deposit blurs it (docs/optics.md).
   * Colour cannot tell depth (ink and veil trade off) and blow-out is a larger needle
   * to a photo; the edge's softness is the mark depth leaves. The model's edge grows
   * with depth, so a secant search on depth matches it to the photo's, the rest
   * refitted at each depth (docs/match.md). */
  fit->depth_measured = isfinite (m->edge_mm) && m->edge_mm > 0 &&
                        m->core_diameter_mm * px_per_mm >= SMP_MATCH_DEPTH_MIN_CORE_PX;
  best = *look;
  for (int step = 0; step < (fit->depth_measured ? DEPTH_STEPS : 1); step++)
    {
      SmpMatchMeasure model;
      double zi = look->pigment_depth_mm, gi;

      if (!fit_at_depth (m, &tiles, px_per_mm, look, &model, error))
        return FALSE;
      gi = isfinite (model.edge_mm) ? model.edge_mm / m->edge_mm - 1.0 : NAN;
      if (!isfinite (gi))
        break;
      if (fabs (gi) < best_g)
        best_g = fabs (gi), best = *look, fit->model = model;
      if (!fit->depth_measured || fabs (gi) < 0.02)
        break;
      z[0] = z[1], g[0] = g[1], z[1] = zi, g[1] = gi;
      if (step == 0 || g[1] == g[0])
        zi += gi < 0 ? DEPTH_PROBE_MM : -DEPTH_PROBE_MM; /* too sharp: deeper */
      else
        zi = z[1] - g[1] * (z[1] - z[0]) / (g[1] - g[0]);
      zi = CLAMP (zi, DEPTH_MIN_MM, DEPTH_MAX_MM);
      if (fabs (zi - z[1]) < 0.01)
        break;
      look->pigment_depth_mm = zi;
    }
  *look = best;
  /* Cores too small for depth, and faint against the skin's texture or softer-edged
   * than the look makes them: deep work (or a soft photo). Its faint impressions sink
   * into the texture there, so neither the count nor the needle can be told (docs/
   * match.md, limits): refused, with the scale at which depth would be measured. */
  softer = isfinite (fit->model.edge_mm) && fit->model.edge_mm > 0 && isfinite (m->edge_mm)
             ? m->edge_mm / fit->model.edge_mm : 1.0;
  if (!fit->depth_measured && (m->skin_contrast < FAINT_SKIN_CONTRAST || softer >= SOFT_EDGE_RATIO))
    {
      /* The photo scale at which depth would be fitted. */
      const double depth_px_per_mm =
        m->core_diameter_mm > 0 ? ceil (SMP_MATCH_DEPTH_MIN_CORE_PX / m->core_diameter_mm) : NAN;
      g_set_error (error, SMP_ERROR, SMP_ERROR_MEASURE,
                   _("Deep work, or a soft photo: the impressions stand out %.1f× from the skin's texture and "
                   "their edges are %.1f× as soft as the look makes them, with cores %.1f px across at %.1f "
                   "px/mm. At this scale neither their count nor their needle can be told. Measuring them needs "
                   "at least %.0f px/mm (%.1f px across a core): use a closer or sharper photo"),
                   m->skin_contrast, softer, m->core_diameter_mm * px_per_mm, px_per_mm, depth_px_per_mm, SMP_MATCH_DEPTH_MIN_CORE_PX);
      return FALSE;
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
    if (measure_look (look, m, &tiles, px_per_mm, &fit->model, &local))
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
