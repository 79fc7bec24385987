/* smp-design.c: the density field (hairline profile, irregularity, mask, or a
 * density map) and placement: a rank threshold into the pattern, rendered in bands. */
#include <smp/smp-design.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include <smp/smp-head.h>
#include "../core/smp-noise.h"
#include "smp-pattern-private.h"
#include "smp-impression-private.h"
#include "smp-render-private.h"

#include <math.h>
#include <string.h>

#define MAX_BAND_ROWS 160
#define LEVEL_BLOCK_SHIFT 5 /* 32 × 32 px: the blocks of a large map stay in cache */
#define MACRO_WAVELENGTH_MM 20.0 /* docs/domain.md: natural undulation, 15-30 mm */
#define MICRO_WAVELENGTH_MM 1.2

struct _SmpDesign
{
  SmpParams      params;
  SmpHairline   *hairline;     /* NULL for a density map */
  SmpMask        mask;
  gboolean       has_mask;
  const guint16 *levels;
  int            levels_width, levels_height;
  gsize          levels_stride;
  double         levels_scale; /* density fraction per (65535 - v) */
  guint16       *level_blocks; /* the lowest level (densest) of each LEVEL_BLOCK² block */
  int            blocks_width;
  SmpPattern    *pattern;

  double tile_px, cos_t, sin_t, origin_x, origin_y;
  gboolean     has_head;       /* on a head (smp-head.h): the skin, not the image plane */
  SmpHeadModel head;
  double f_max;                /* highest density fraction anywhere */
  double full_fraction;        /* density fraction behind the transition zone */
  double diameter_px;          /* the stage's impression diameter */
  double softness;
  double support_px;           /* farthest any impression (core or shadow) reaches from its centre */
  double core_support_px;
  SmpOptics  optics;           /* stage, depth and shade as skin optics */
  const SmpEncoder *encoder;   /* linear light → the output's encoding (shared, read-only) */
  double cum_share[SMP_MAX_SESSIONS];
  double session_alpha[SMP_MAX_SESSIONS];
  int    max_threads;              /* 0: g_get_num_processors () */
};

/* Where impressions can reach: their cores (jitter, ellipse aspect >= 0.8, lobes
 * <= 0.12, blow-out, the edge band) and their shadows at scale 1. */
static void
update_support (SmpDesign *d)
{
  const SmpParams *p = &d->params;
  double rmax = 0.5 * d->diameter_px * (1 + p->size_jitter) / sqrt (0.8) * 1.12;

  rmax = hypot (rmax, d->optics.blowout_mm * p->px_per_mm);
  d->core_support_px = rmax * 3.0 + 0.5 + 1.5;
  d->support_px = MAX (d->core_support_px,
                       smp_band_shadow_reach (d->optics.shadow_sigma_mm * p->px_per_mm) + 1.5);
}

static SmpDesign *
design_common (const SmpParams *params, SmpPattern *pattern, double ceiling_per_px2)
{
  SmpDesign *d = g_new0 (SmpDesign, 1);
  double acc = 0;
  int    n = params->sessions;

  d->params = *params;
  d->pattern = pattern ? smp_pattern_ref (pattern) : smp_pattern_new (params->seed);
  d->tile_px = sqrt (d->pattern->n / ceiling_per_px2);
  {
    /* A per-seed rotation and offset of the tile lattice: no axis-aligned repeat. */
    guint32 h = smp_hash4 (params->seed, 0x7a11u, 0, 0);
    double  theta = 2 * G_PI * smp_hash_unit (h);
    d->cos_t = cos (theta);
    d->sin_t = sin (theta);
    d->origin_x = d->tile_px * smp_hash_unit (smp_hash32 (h + 1));
    d->origin_y = d->tile_px * smp_hash_unit (smp_hash32 (h + 2));
  }
  smp_optics_init (&d->optics, params, FALSE);
  d->encoder = smp_encoder_get (FALSE);
  d->diameter_px = params->dot_diameter_mm * params->px_per_mm * d->optics.size;
  d->softness = params->softness;
  update_support (d);
  for (int k = 0; k < n; k++)
    {
      acc += smp_params_session_share (params, k);
      d->cum_share[k] = k == n - 1 ? 1.0 : acc;
      /* As tattooed; what the skin keeps and shows is the optics' business. */
      d->session_alpha[k] = smp_params_session_opacity (params, k);
    }
  return d;
}

SmpDesign *
smp_design_new (const SmpParams *params,
                SmpHairline     *hairline,
                const SmpMask   *mask,
                SmpPattern      *pattern,
                GError         **error)
{
  SmpDesign *d;

  g_return_val_if_fail (params != NULL && hairline != NULL, NULL);
  if (!smp_params_validate (params, error))
    return NULL;
  if (smp_hairline_get_n_strokes (hairline) == 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY, _("the hairline has no strokes"));
      return NULL;
    }
  d = design_common (params, pattern,
                     SMP_DENSITY_CEILING_PER_CM2 / 100.0 / (params->px_per_mm * params->px_per_mm));
  d->hairline = smp_hairline_ref (hairline);
  if (mask)
    {
      d->mask = *mask;
      d->has_mask = TRUE;
    }
  smp_hairline_resolve_side (hairline, params->scalp_side, mask, params->px_per_mm);
  d->full_fraction = params->density_per_cm2 / SMP_DENSITY_CEILING_PER_CM2 * params->under_hair;
  d->f_max = d->full_fraction;
  return d;
}

SmpDesign *
smp_design_new_from_levels (const SmpParams *params,
                            const guint16   *levels,
                            int              width,
                            int              height,
                            gsize            stride,
                            SmpPattern      *pattern,
                            GError         **error)
{
  SmpDesign *d;
  guint16    darkest = 65535;
  guint16   *blocks;
  int        bw, bh;

  g_return_val_if_fail (params != NULL && levels != NULL && width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= (gsize) width, NULL);
  if (!smp_params_validate (params, error))
    return NULL;
  bw = ((width - 1) >> LEVEL_BLOCK_SHIFT) + 1;
  bh = ((height - 1) >> LEVEL_BLOCK_SHIFT) + 1;
  /* 1/512 of the map's own bytes, which the caller already holds. */
  blocks = g_new (guint16, (gsize) bw * bh);
  for (gsize i = 0; i < (gsize) bw * bh; i++)
    blocks[i] = 65535;
  for (int y = 0; y < height; y++)
    {
      const guint16 *row = levels + (gsize) y * stride;
      guint16       *brow = blocks + (gsize) (y >> LEVEL_BLOCK_SHIFT) * bw;
      for (int bx = 0; bx < bw; bx++)
        {
          /* One block's span of the row: a plain minimum, which vectorises. */
          const int x0 = bx << LEVEL_BLOCK_SHIFT, n = MIN (1 << LEVEL_BLOCK_SHIFT, width - x0);
          guint16   m = brow[bx];
          for (int i = 0; i < n; i++)
            m = MIN (m, row[x0 + i]);
          brow[bx] = m;
        }
    }
  for (gsize i = 0; i < (gsize) bw * bh; i++)
    darkest = MIN (darkest, blocks[i]);
  if (darkest == 65535)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("the density map asks for no dots (every pixel is white)"));
      g_free (blocks);
      return NULL;
    }
  /* The densest pixel sets the pattern's scale; every other is a threshold. */
  d = design_common (params, pattern, (65535 - darkest) / 65535.0);
  d->levels = levels;
  d->levels_width = width;
  d->levels_height = height;
  d->levels_stride = stride;
  d->levels_scale = 1.0 / (65535 - darkest);
  d->level_blocks = blocks;
  d->blocks_width = bw;
  d->full_fraction = 1.0;
  d->f_max = 1.0;
  return d;
}

void
smp_design_free (SmpDesign *design)
{
  if (!design)
    return;
  g_clear_pointer (&design->hairline, smp_hairline_unref);
  g_clear_pointer (&design->pattern, smp_pattern_unref);
  g_free (design->level_blocks);
  g_free (design);
}

void
smp_design_set_output_linear (SmpDesign *design, gboolean linear)
{
  g_return_if_fail (design != NULL);
  smp_optics_init (&design->optics, &design->params, linear);
  design->encoder = smp_encoder_get (linear);
}

const SmpParams *
smp_design_get_params (const SmpDesign *design)
{
  g_return_val_if_fail (design != NULL, NULL);
  return &design->params;
}

SmpPattern *
smp_design_get_pattern (const SmpDesign *design)
{
  g_return_val_if_fail (design != NULL, NULL);
  return design->pattern;
}

/* On a head the pattern lies in skin coordinates (smp_head_model_skin_coords),
 * whose area differs a little from the skin's; densities are corrected for it
 * point by point, up to this factor. */
#define HEAD_MAX_AREA_FACTOR 2.0

gboolean
smp_design_set_head (SmpDesign *design, const SmpHeadModel *head, GError **error)
{
  g_return_val_if_fail (design != NULL, FALSE);
  if (head && !design->hairline)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("a density map is drawn on the image: it takes no head model"));
      return FALSE;
    }
  if (head && !smp_head_model_validate (head, error))
    return FALSE;
  design->has_head = head != NULL;
  design->f_max = design->full_fraction;
  if (head)
    {
      design->head = *head;
      design->f_max = MIN (1.0, design->full_fraction * HEAD_MAX_AREA_FACTOR);
    }
  return TRUE;
}

const SmpHeadModel *
smp_design_get_head (const SmpDesign *design)
{
  g_return_val_if_fail (design != NULL, NULL);
  return design->has_head ? &design->head : NULL;
}

/* Density fraction (of the pattern's ceiling) at p, its impression-size factor
 * and the signed depth behind the drawn line. */
/* A density map's level as a density fraction: one formula for a pixel and a block's maximum. */
static inline double
level_fraction (const SmpDesign *d, guint16 v)
{
  return (65535 - v) * d->levels_scale;
}

static double
density_at (const SmpDesign *d, double x, double y, double *size, double *depth_mm)
{
  const SmpParams *p = &d->params;
  double s, u, m = 1.0, rel;

  *size = 1.0;
  *depth_mm = NAN;
  if (d->levels)
    {
      double fx = floor (x), fy = floor (y);
      if (!(fx >= 0 && fy >= 0 && fx < d->levels_width && fy < d->levels_height))
        return 0.0;
      return level_fraction (d, d->levels[(gsize) fy * d->levels_stride + (gsize) fx]);
    }
  if (d->has_mask && !((m = smp_mask_sample (&d->mask, x, y)) > 0.0f))
    return 0.0;
  s = smp_hairline_signed_distance_px (d->hairline, x, y) / p->px_per_mm;
  *depth_mm = s;
  if (!(s >= -p->sentinel_depth_mm))
    return 0.0;
  /* Deeper than the line can wander plus the fade: full density, whatever the
   * noise says (exactly what the noise would give; it is just not computed). */
  if (s >= p->fade_width_mm + p->irregularity_mm + p->micro_irregularity_mm)
    return d->full_fraction * m;
  /* The effective line wanders behind the drawn one: the drawn line is the
   * artist's front limit, only sentinels go past it. */
  u = s;
  if (p->irregularity_mm > 0)
    u -= p->irregularity_mm * smp_fractal_noise (p->seed, x / (p->px_per_mm * MACRO_WAVELENGTH_MM),
                                                 y / (p->px_per_mm * MACRO_WAVELENGTH_MM));
  if (p->micro_irregularity_mm > 0)
    u -= p->micro_irregularity_mm * smp_value_noise (p->seed ^ 0x3c3c3cu,
                                                     x / (p->px_per_mm * MICRO_WAVELENGTH_MM),
                                                     y / (p->px_per_mm * MICRO_WAVELENGTH_MM));
  if (u < 0)
    rel = p->sentinel;
  else
    rel = smp_params_profile_density (p, u);
  *size = smp_params_profile_dot_scale (p, u);
  return rel * d->full_fraction * m;
}

/* The same on a head, for a pattern point laid on the skin: the line's distance
 * and its irregularity measured along the skin. `gain` (the skin area a unit of
 * the pattern's coordinates covers there) corrects the pattern's density; `t`
 * (the candidate's threshold) rejects early, before any distance is asked;
 * `local` receives the foreshortening. */
static double
density_on_head (const SmpDesign *d, double x, double y, double gain, double t, double *size,
                 double *depth_mm, SmpHeadLocal *local)
{
  const SmpParams *p = &d->params;
  const double ppm = p->px_per_mm;
  double m = 1.0, s_px, s, u, rel, zone = p->fade_width_mm + p->irregularity_mm + p->micro_irregularity_mm;

  *size = 1.0;
  *depth_mm = NAN;
  /* Off the head, or where it turns away past the stop: nothing. */
  if (!smp_head_model_local (&d->head, x, y, ppm, local))
    return 0.0;
  gain = MIN (gain, HEAD_MAX_AREA_FACTOR);
  if (!(t < d->full_fraction * gain))
    return 0.0;
  if (d->has_mask && !((m = smp_mask_sample (&d->mask, x, y)) > 0.0f))
    return 0.0;
  s_px = smp_hairline_signed_distance_px (d->hairline, x, y);
  s = s_px / ppm;
  /* Skin is never shorter than its image: both early answers stay exact. */
  if (!(s >= -p->sentinel_depth_mm))
    return 0.0;
  if (s >= zone)
    {
      *depth_mm = s;
      return d->full_fraction * m * gain;
    }
  {
    /* Along the skin: back along the distance's gradient to the line's foot,
     * the image segment lifted onto the head. */
    const double e = 0.25;
    double gx = (smp_hairline_signed_distance_px (d->hairline, x + e, y) - s_px) / e;
    double gy = (smp_hairline_signed_distance_px (d->hairline, x, y + e) - s_px) / e;
    double gl = hypot (gx, gy);

    if (gl > 1e-6)
      {
        double len = smp_head_model_skin_length_mm (&d->head, x - s_px * gx / gl, y - s_px * gy / gl, x, y, ppm);
        s = s < 0 ? -len : len;
      }
  }
  *depth_mm = s;
  if (!(s >= -p->sentinel_depth_mm))
    return 0.0;
  if (s >= zone)
    return d->full_fraction * m * gain;
  u = s;
  if (p->irregularity_mm > 0 || p->micro_irregularity_mm > 0)
    {
      double su, sv;
      smp_head_model_skin_coords (&d->head, x, y, ppm, &su, &sv);
      if (p->irregularity_mm > 0)
        u -= p->irregularity_mm * smp_fractal_noise (p->seed, su / MACRO_WAVELENGTH_MM, sv / MACRO_WAVELENGTH_MM);
      if (p->micro_irregularity_mm > 0)
        u -= p->micro_irregularity_mm * smp_value_noise (p->seed ^ 0x3c3c3cu, su / MICRO_WAVELENGTH_MM,
                                                         sv / MICRO_WAVELENGTH_MM);
    }
  rel = u < 0 ? p->sentinel : smp_params_profile_density (p, u);
  *size = smp_params_profile_dot_scale (p, u);
  return rel * d->full_fraction * m * gain;
}

typedef void (*DotSink) (const SmpDot *dot, gpointer data);

static void
make_dot (const SmpDesign *d, double x, double y, double q, double size, double depth,
          gint64 tx, gint64 ty, guint32 rank, const SmpHeadLocal *local, SmpDot *dot)
{
  const SmpParams *p = &d->params;
  guint32 h = smp_hash4 (p->seed, (guint32) tx, (guint32) ty, rank);
  float   r[9];
  double  diameter, aspect, tone;
  int     session = 0;

  /* Nine variations from three hashes, 10 bits each: plenty for looks. */
  for (int k = 0; k < 9; k++)
    {
      if (k % 3 == 0)
        h = smp_hash32 (h + 0x6d2b79f5u);
      r[k] = ((h >> (10 * (k % 3))) & 1023) * (1.0f / 1024.0f);
    }
  while (session < p->sessions - 1 && q >= d->cum_share[session])
    session++;

  diameter = d->diameter_px * size * (1 + p->size_jitter * (2 * r[0] - 1));
  aspect = 1.0 - 0.2 * r[1];
  tone = 1.0 + 0.15 * (2 * r[7] - 1); /* dilution varies from dot to dot */

  dot->x = (float) x;
  dot->y = (float) y;
  /* Same area as the round impression, stretched a little. */
  dot->radius_x = (float) (0.5 * diameter / sqrt (aspect));
  dot->radius_y = (float) (0.5 * diameter * sqrt (aspect));
  dot->angle = (float) (G_PI * r[2]);
  dot->softness = (float) d->softness;
  dot->alpha = (float) CLAMP (d->session_alpha[session] * tone, 0.0, 1.0);
  for (int k = 0; k < 3; k++)
    dot->shade[k] = (float) CLAMP (p->shade[k] * (1 + 0.08 * (2 * r[8] - 1)), 0.0, 1.0);
  /* Small 2- and 3-fold wobbles of the outline (each harmonic <= 0.07). */
  dot->lobe[0] = (float) (0.05 * (2 * r[3] - 1));
  dot->lobe[1] = (float) (0.05 * (2 * r[4] - 1));
  dot->lobe[2] = (float) (0.035 * (2 * r[5] - 1));
  dot->lobe[3] = (float) (0.035 * (2 * r[6] - 1));
  dot->depth_mm = (float) depth;
  smp_optics_impression (&d->optics, p->px_per_mm, dot);
  if (local)
    {
      /* Laid on the skin, seen foreshortened: the ellipse through the local map,
       * its darkening with the area it covers in the image. */
      double rx = dot->radius_x, ry = dot->radius_y, angle = dot->angle;
      smp_head_local_foreshorten (local, &rx, &ry, &angle);
      dot->radius_x = (float) rx, dot->radius_y = (float) ry, dot->angle = (float) angle;
      for (int k = 0; k < 3; k++)
        {
          dot->core_dark[k] = (float) (dot->core_dark[k] * local->cos_theta);
          dot->shadow_dark[k] = (float) (dot->shadow_dark[k] * local->cos_theta);
        }
    }
  dot->rank = rank;
  dot->session = (guint8) session;
  dot->shadow_squash[0] = dot->shadow_squash[1] = 0.0f;
  if (local)
    {
      /* The shadow spreads on the skin too: its covariance σ² P Pᵀ, kept on the
       * axes (exact where the slope is vertical or horizontal). */
      const double c = local->cos_theta;
      dot->shadow_squash[0] = (float) (1.0 - sqrt (1.0 - (1.0 - c * c) * local->slope_x * local->slope_x));
      dot->shadow_squash[1] = (float) (1.0 - sqrt (1.0 - (1.0 - c * c) * local->slope_y * local->slope_y));
    }
}

/* The u-extent, in pattern space, of the convex quad `q` within the slab v0..v1. */
static gboolean
slab_u_range (const double q[4][2], double v0, double v1, double *u0, double *u1)
{
  *u0 = INFINITY, *u1 = -INFINITY;
  for (int e = 0; e < 4; e++)
    {
      const double *a = q[e], *b = q[(e + 1) % 4];
      double ta = 0, tb = 1, dv = b[1] - a[1];

      if (dv == 0)
        {
          if (a[1] < v0 || a[1] > v1)
            continue;
        }
      else
        {
          double t0 = (v0 - a[1]) / dv, t1 = (v1 - a[1]) / dv;
          ta = MAX (ta, MIN (t0, t1));
          tb = MIN (tb, MAX (t0, t1));
          if (ta > tb)
            continue;
        }
      for (int k = 0; k < 2; k++)
        {
          double u = a[0] + (k ? tb : ta) * (b[0] - a[0]);
          *u0 = MIN (*u0, u), *u1 = MAX (*u1, u);
        }
    }
  return *u1 >= *u0;
}

/* The same on a head: the pattern lies on the skin, in skin coordinates
 * (smp_head_model_skin_coords, in flat px), each point is projected into the
 * image, so the image shows skin density / cos θ and the spacing foreshortened.
 * The region's skin coordinates are bounded from its outline (the coordinates
 * are continuous and one-to-one over the visible head, so the outline's bounds
 * are the region's); the candidates are every pattern point in those bounds, in
 * the pattern's own order, kept when their image position lies in the region:
 * a sub-region still yields a subsequence. */
#define HEAD_EDGE_SAMPLES 256

static void place_region (const SmpDesign *d, double x0, double y0, double x1, double y1,
                          DotSink sink, gpointer data);

static void
place_region_head (const SmpDesign *d, double x0, double y0, double x1, double y1, DotSink sink, gpointer data)
{
  const SmpHeadModel *hm = &d->head;
  const double ppm = d->params.px_per_mm;
  const SmpPattern *pat = d->pattern;
  const double T = d->tile_px;
  const int    G = pat->grid;
  const guint  rank_limit = (guint) MIN (ceil (d->f_max * pat->n), (double) pat->n);
  double su0 = INFINITY, sv0 = INFINITY, su1 = -INFINITY, sv1 = -INFINITY, gap = 0, prev[2] = { NAN, NAN };
  double q[4][2], qv0 = INFINITY, qv1 = -INFINITY, qu0 = INFINITY, qu1 = -INFINITY;
  double hx = fabs (hm->radius_across_px * hm->across_x) + fabs (hm->radius_up_px * hm->up_x);
  double hy = fabs (hm->radius_across_px * hm->across_y) + fabs (hm->radius_up_px * hm->up_y);

  if (!(x1 > x0 && y1 > y0) || rank_limit == 0)
    return;
  /* No part of the head in the region: nothing (its bounding box is exact enough). */
  if (x1 < hm->centre_x - hx || x0 > hm->centre_x + hx || y1 < hm->centre_y - hy || y0 > hm->centre_y + hy)
    return;
  for (int e = 0; e < 4 * HEAD_EDGE_SAMPLES + 1; e++)
    {
      int    side = (e / HEAD_EDGE_SAMPLES) % 4;
      double t = (double) (e % HEAD_EDGE_SAMPLES) / HEAD_EDGE_SAMPLES, x, y, su, sv;

      x = side == 0 ? x0 + (x1 - x0) * t : side == 1 ? x1 : side == 2 ? x1 - (x1 - x0) * t : x0;
      y = side == 0 ? y0 : side == 1 ? y0 + (y1 - y0) * t : side == 2 ? y1 : y1 - (y1 - y0) * t;
      smp_head_model_skin_coords (hm, x, y, ppm, &su, &sv);
      su *= ppm, sv *= ppm;
      su0 = MIN (su0, su), su1 = MAX (su1, su), sv0 = MIN (sv0, sv), sv1 = MAX (sv1, sv);
      if (isfinite (prev[0]))
        gap = MAX (gap, hypot (su - prev[0], sv - prev[1]));
      prev[0] = su, prev[1] = sv;
    }
  /* Between samples the outline's image bulges by less than the largest step. */
  su0 -= gap + 1, sv0 -= gap + 1, su1 += gap + 1, sv1 += gap + 1;
  for (int c = 0; c < 4; c++)
    {
      double px = (c == 1 || c == 2 ? su1 : su0) - d->origin_x, py = (c >= 2 ? sv1 : sv0) - d->origin_y;
      q[c][0] = (px * d->cos_t + py * d->sin_t) / T;
      q[c][1] = (-px * d->sin_t + py * d->cos_t) / T;
      qu0 = MIN (qu0, q[c][0]), qu1 = MAX (qu1, q[c][0]);
      qv0 = MIN (qv0, q[c][1]), qv1 = MAX (qv1, q[c][1]);
    }
  for (gint64 ty = (gint64) floor (qv0); ty <= (gint64) floor (qv1); ty++)
    for (gint64 tx = (gint64) floor (qu0); tx <= (gint64) floor (qu1); tx++)
      {
        int cy0 = (int) CLAMP (floor ((qv0 - ty) * G), 0, G - 1);
        int cy1 = (int) CLAMP (floor ((qv1 - ty) * G), 0, G - 1);

        for (int cy = cy0; cy <= cy1; cy++)
          {
            double lo, hi;
            int    cx0, cx1;

            if (!slab_u_range (q, ty + (double) cy / G, ty + (double) (cy + 1) / G, &lo, &hi))
              continue;
            cx0 = (int) CLAMP (floor ((lo - tx) * G), 0, G - 1);
            cx1 = (int) CLAMP (floor ((hi - tx) * G), 0, G - 1);
            if (hi < tx || lo >= tx + 1)
              continue;
            for (int cx = cx0; cx <= cx1; cx++)
              {
                int cell = cy * G + cx;
                for (guint32 k = pat->cell_start[cell]; k < pat->cell_start[cell + 1]; k++)
                  {
                    guint32 rank = pat->cell_rank[k];
                    double  u, v, su, sv, x, y, f, t, size, depth, gain, xa, ya, xb, yb, det;
                    SmpHeadLocal local;
                    SmpDot  dot;

                    if (rank >= rank_limit)
                      break; /* ranks ascend within a cell */
                    u = (tx + pat->u[rank]) * T;
                    v = (ty + pat->v[rank]) * T;
                    su = d->origin_x + u * d->cos_t - v * d->sin_t;
                    sv = d->origin_y + u * d->sin_t + v * d->cos_t;
                    if (!smp_head_model_from_skin_coords (hm, su / ppm, sv / ppm, ppm, &x, &y) ||
                        !(x >= x0 && x < x1 && y >= y0 && y < y1))
                      continue;
                    t = (rank + 0.5) / pat->n;
                    if (t >= d->f_max)
                      continue;
                    /* The skin area a unit of these coordinates covers here: image
                     * area (the coordinates' Jacobian) over cos θ. */
                    if (!smp_head_model_from_skin_coords (hm, (su + 0.5) / ppm, sv / ppm, ppm, &xa, &ya) ||
                        !smp_head_model_from_skin_coords (hm, su / ppm, (sv + 0.5) / ppm, ppm, &xb, &yb))
                      continue;
                    det = fabs ((xa - x) * (yb - y) - (xb - x) * (ya - y)) * 4.0;
                    gain = det / MAX (smp_head_model_cos (hm, x, y), 1e-9);
                    f = density_on_head (d, x, y, gain, t, &size, &depth, &local);
                    if (!(t < f))
                      continue;
                    make_dot (d, x, y, t / f, size, depth, tx, ty, rank, &local, &dot);
                    sink (&dot, data);
                  }
              }
          }
      }
}

/* Every dot whose centre lies in [x0,x1) × [y0,y1), in the design's fixed order:
 * tile row, tile column, cell, rank. A sub-region yields a subsequence. */
static void
place_region (const SmpDesign *d, double x0, double y0, double x1, double y1,
              DotSink sink, gpointer data)
{
  const SmpPattern *pat = d->pattern;
  const double T = d->tile_px;
  const int    G = pat->grid;
  const guint  rank_limit = (guint) MIN (ceil (d->f_max * pat->n), (double) pat->n);
  double q[4][2], qv0 = INFINITY, qv1 = -INFINITY, qu0 = INFINITY, qu1 = -INFINITY;

  if (d->has_head)
    {
      place_region_head (d, x0, y0, x1, y1, sink, data);
      return;
    }
  if (!(x1 > x0 && y1 > y0) || rank_limit == 0)
    return;
  /* The region's corners in pattern space (tile units), in order round the quad. */
  for (int c = 0; c < 4; c++)
    {
      double px = (c == 1 || c == 2 ? x1 : x0) - d->origin_x, py = (c >= 2 ? y1 : y0) - d->origin_y;
      q[c][0] = (px * d->cos_t + py * d->sin_t) / T;
      q[c][1] = (-px * d->sin_t + py * d->cos_t) / T;
      qu0 = MIN (qu0, q[c][0]), qu1 = MAX (qu1, q[c][0]);
      qv0 = MIN (qv0, q[c][1]), qv1 = MAX (qv1, q[c][1]);
    }
  for (gint64 ty = (gint64) floor (qv0); ty <= (gint64) floor (qv1); ty++)
    for (gint64 tx = (gint64) floor (qu0); tx <= (gint64) floor (qu1); tx++)
      {
        int cy0 = (int) CLAMP (floor ((qv0 - ty) * G), 0, G - 1);
        int cy1 = (int) CLAMP (floor ((qv1 - ty) * G), 0, G - 1);

        for (int cy = cy0; cy <= cy1; cy++)
          {
            double su0, su1;
            int    cx0, cx1;

            /* Only the cells of this row that the (rotated) region crosses. */
            if (!slab_u_range (q, ty + (double) cy / G, ty + (double) (cy + 1) / G, &su0, &su1))
              continue;
            cx0 = (int) CLAMP (floor ((su0 - tx) * G), 0, G - 1);
            cx1 = (int) CLAMP (floor ((su1 - tx) * G), 0, G - 1);
            if (su1 < tx || su0 >= tx + 1)
              continue;
            for (int cx = cx0; cx <= cx1; cx++)
              {
                int cell = cy * G + cx;
                for (guint32 k = pat->cell_start[cell]; k < pat->cell_start[cell + 1]; k++)
                  {
                    guint32 rank = pat->cell_rank[k];
                    double  u, v, x, y, f, t, size, depth;
                    SmpDot  dot;

                    if (rank >= rank_limit)
                      break; /* ranks ascend within a cell */
                    u = (tx + pat->u[rank]) * T;
                    v = (ty + pat->v[rank]) * T;
                    x = d->origin_x + u * d->cos_t - v * d->sin_t;
                    y = d->origin_y + u * d->sin_t + v * d->cos_t;
                    if (!(x >= x0 && x < x1 && y >= y0 && y < y1))
                      continue;
                    t = (rank + 0.5) / pat->n;
                    if (t >= d->f_max)
                      continue;
                    /* A map's block maximum rejects exactly what the pixel would (f ≤ the
                     * maximum), without reading a large map at every candidate. */
                    if (d->levels && !(x >= 0 && y >= 0 && x < d->levels_width && y < d->levels_height &&
                                       t < level_fraction (d, d->level_blocks[((gsize) y >> LEVEL_BLOCK_SHIFT) *
                                                                                  d->blocks_width +
                                                                              ((gsize) x >> LEVEL_BLOCK_SHIFT)])))
                      continue;
                    f = density_at (d, x, y, &size, &depth);
                    if (!(t < f))
                      continue;
                    make_dot (d, x, y, t / f, size, depth, tx, ty, rank, NULL, &dot);
                    sink (&dot, data);
                  }
              }
          }
      }
}

static void
append_sink (const SmpDot *dot, gpointer data)
{
  g_array_append_val ((GArray *) data, *dot);
}

GArray *
smp_design_place (const SmpDesign *design, const SmpRect *region)
{
  GArray *dots = g_array_new (FALSE, FALSE, sizeof (SmpDot));

  g_return_val_if_fail (design != NULL && region != NULL, dots);
  place_region (design, region->x, region->y, (double) region->x + region->width,
                (double) region->y + region->height, append_sink, dots);
  return dots;
}

typedef struct
{
  gsize total;
  gsize per_session[SMP_MAX_SESSIONS];
} Counts;

static void
count_sink (const SmpDot *dot, gpointer data)
{
  Counts *c = data;
  c->total++;
  c->per_session[dot->session]++;
}

gsize
smp_design_count (const SmpDesign *design, const SmpRect *region, gsize per_session[SMP_MAX_SESSIONS])
{
  Counts c = { 0 };

  g_return_val_if_fail (design != NULL && region != NULL, 0);
  place_region (design, region->x, region->y, (double) region->x + region->width,
                (double) region->y + region->height, count_sink, &c);
  if (per_session)
    memcpy (per_session, c.per_session, sizeof c.per_session);
  return c.total;
}

typedef struct
{
  double x0, y0, x1, y1;
  double support;
} Extent;

static void
extent_sink (const SmpDot *dot, gpointer data)
{
  Extent *e = data;
  e->x0 = MIN (e->x0, dot->x - e->support);
  e->y0 = MIN (e->y0, dot->y - e->support);
  e->x1 = MAX (e->x1, dot->x + e->support);
  e->y1 = MAX (e->y1, dot->y + e->support);
}

gboolean
smp_design_get_extent (const SmpDesign *design, const SmpRect *canvas, SmpRect *extent)
{
  Extent e = { INFINITY, INFINITY, -INFINITY, -INFINITY, 0 };
  double s;
  int    x0, y0, x1, y1;

  g_return_val_if_fail (design != NULL && canvas != NULL && extent != NULL, FALSE);
  s = e.support = design->support_px;
  place_region (design, canvas->x - s, canvas->y - s, canvas->x + canvas->width + s,
                canvas->y + canvas->height + s, extent_sink, &e);
  if (!(e.x1 > e.x0))
    return FALSE;
  x0 = MAX ((int) floor (e.x0), canvas->x);
  y0 = MAX ((int) floor (e.y0), canvas->y);
  x1 = MIN ((int) ceil (e.x1), canvas->x + canvas->width);
  y1 = MIN ((int) ceil (e.y1), canvas->y + canvas->height);
  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  *extent = (SmpRect) { x0, y0, x1 - x0, y1 - y0 };
  return TRUE;
}

/* ---- rendering ---- */

#define MAX_LAYERS 16

typedef struct
{
  const SmpDesign *design;
  const SmpRect   *region;
  double           scale;
  guint            n_layers;
  const guint     *session_masks;
  SmpPixelFormat   format;
  void *const     *pixels;
  gsize            rowstride;
  const SmpPhoto  *photo;
  SmpFootprints   *footprints;
  gint             next_band;
  int              n_bands;
  int              band_rows;
  /* progress: bands finished, the caller's thread, and a stop flag every worker checks */
  gint             done_bands;
  GThread         *caller;
  SmpProgressFunc  progress;
  gpointer         progress_data;
  gint             cancelled;
} RenderJob;

typedef struct
{
  SmpBand     *bands;
  guint        n_layers;
  const guint *session_masks;
  double       scale;
} BandSink;

static void
band_sink (const SmpDot *dot, gpointer data)
{
  BandSink *b = data;

  /* One placement feeds every layer that shows this dot's session. */
  for (guint k = 0; k < b->n_layers; k++)
    if (b->session_masks[k] & SMP_SESSION_BIT (dot->session))
      smp_band_add_dot (&b->bands[k], dot, b->scale);
}

static gpointer
render_worker (gpointer data)
{
  RenderJob *job = data;
  const SmpRect *r = job->region;
  SmpBand  bands[MAX_LAYERS];
  BandSink sink = { bands, job->n_layers, job->session_masks, job->scale };
  const SmpDesign *d = job->design;
  const double shadow_sigma = d->optics.shadow_sigma_mm * d->params.px_per_mm * job->scale;
  /* Every dot whose core or shadow can touch the band, at this scale. */
  double   margin = MAX (d->core_support_px, smp_band_shadow_reach (shadow_sigma) / job->scale) + 2.0 / job->scale;

  for (guint k = 0; k < job->n_layers; k++)
    {
      smp_band_init (&bands[k], r->x, r->width, job->band_rows, shadow_sigma, d->encoder, job->photo);
      bands[k].footprints = job->footprints;
    }
  for (;;)
    {
      int b = g_atomic_int_add (&job->next_band, 1);
      int y0, rows;

      if (b >= job->n_bands || g_atomic_int_get (&job->cancelled))
        break;
      y0 = r->y + b * job->band_rows;
      rows = MIN (job->band_rows, r->y + r->height - y0);
      for (guint k = 0; k < job->n_layers; k++)
        smp_band_begin (&bands[k], y0, rows);
      place_region (job->design,
                    r->x / job->scale - margin, y0 / job->scale - margin,
                    (r->x + r->width) / job->scale + margin, (y0 + rows) / job->scale + margin,
                    band_sink, &sink);
      for (guint k = 0; k < job->n_layers; k++)
        {
          smp_band_emit (&bands[k], job->format,
                         (guint8 *) job->pixels[k] + (gsize) b * job->band_rows * job->rowstride, job->rowstride);
        }
      g_atomic_int_inc (&job->done_bands);
      /* Only the caller's thread calls back (a GIMP plug-in's wire is not thread-safe). */
      if (job->progress && g_thread_self () == job->caller &&
          !job->progress (g_atomic_int_get (&job->done_bands) / (double) job->n_bands, job->progress_data))
        g_atomic_int_set (&job->cancelled, 1);
    }
  for (guint k = 0; k < job->n_layers; k++)
    smp_band_clear (&bands[k]);
  return NULL;
}

void
smp_design_set_threads (SmpDesign *design, int n_threads)
{
  g_return_if_fail (design != NULL);
  design->max_threads = MAX (n_threads, 0);
}

int
smp_design_get_threads (const SmpDesign *design)
{
  g_return_val_if_fail (design != NULL, 1);
  return design->max_threads > 0 ? design->max_threads : (int) g_get_num_processors ();
}

gboolean
smp_design_render_layers_over (const SmpDesign *design,
                               const SmpRect   *region,
                               double           scale,
                               guint            n_layers,
                               const guint     *session_masks,
                               SmpPixelFormat   format,
                               void *const     *pixels,
                               gsize            rowstride,
                               const SmpPhoto  *photo,
                               GError         **error)
{
  SmpRenderOptions options = { photo, NULL, NULL };

  return smp_design_render_layers_with (design, region, scale, n_layers, session_masks, format, pixels,
                                        rowstride, &options, error);
}

gboolean
smp_design_render_layers_with (const SmpDesign        *design,
                               const SmpRect          *region,
                               double                  scale,
                               guint                   n_layers,
                               const guint            *session_masks,
                               SmpPixelFormat          format,
                               void *const            *pixels,
                               gsize                   rowstride,
                               const SmpRenderOptions *options,
                               GError                **error)
{
  const SmpPhoto *photo = options ? options->photo : NULL;
  RenderJob job;
  int       n_threads;

  g_return_val_if_fail (design != NULL && region != NULL && pixels != NULL, FALSE);
  g_return_val_if_fail (session_masks != NULL && n_layers >= 1 && n_layers <= MAX_LAYERS, FALSE);
  g_return_val_if_fail (format <= SMP_PIXEL_YA_FLOAT, FALSE);
  for (guint k = 0; k < n_layers; k++)
    g_return_val_if_fail (pixels[k] != NULL, FALSE);
  if (region->width <= 0 || region->height <= 0 || region->width > (1 << 20) || region->height > (1 << 20))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("cannot render a region of %d × %d pixels"), region->width, region->height);
      return FALSE;
    }
  if (!(scale > 1e-4 && scale <= 1e4))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("render scale %g is out of range"), scale);
      return FALSE;
    }
  if (rowstride < smp_pixel_format_get_bpp (format) * region->width)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("row stride %lu is too small for %d pixels"), (gulong) rowstride, region->width);
      return FALSE;
    }

  /* Threads pay off when the image area behind the region is large (a
   * zoomed-out preview covers a whole photo with few output pixels). Bands are
   * independent, so the result is the same for any band height or thread count. */
  n_threads = (double) region->width * region->height / (scale * scale) < 512.0 * 512.0
                ? 1 : MIN (smp_design_get_threads (design), 64);
  job = (RenderJob) { design, region, scale, n_layers, session_masks, format, pixels, rowstride, photo,
                      smp_footprints_new (), 0, 0, 0, 0, g_thread_self (), options ? options->progress : NULL,
                      options ? options->progress_data : NULL, 0 };
  {
    /* Each band places every dot within reach of it: bands several shadow
     * reaches tall keep that overlap (dots placed twice) small, and two bands a
     * thread (not four) halve it on zoomed-out views, where the reach is a large
     * share of a band; the bands are taken as threads free up, so they stay balanced. */
    double reach = smp_band_shadow_reach (design->optics.shadow_sigma_mm * design->params.px_per_mm * scale);
    int    rows = MAX (region->height / (2 * n_threads), (int) (3 * reach));
    job.band_rows = CLAMP (rows, 16, MAX_BAND_ROWS);
  }
  job.n_bands = (region->height + job.band_rows - 1) / job.band_rows;
  n_threads = MIN (n_threads, job.n_bands);
  if (n_threads <= 1)
    render_worker (&job);
  else
    {
      GThread *threads[64];
      for (int i = 1; i < n_threads; i++)
        threads[i] = g_thread_new ("smp-render", render_worker, &job);
      render_worker (&job);
      for (int i = 1; i < n_threads; i++)
        g_thread_join (threads[i]);
    }
  smp_footprints_free (job.footprints);
  if (g_atomic_int_get (&job.cancelled))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_CANCELLED, _("the render was cancelled"));
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_design_render_layers (const SmpDesign *design,
                          const SmpRect   *region,
                          double           scale,
                          guint            n_layers,
                          const guint     *session_masks,
                          SmpPixelFormat   format,
                          void *const     *pixels,
                          gsize            rowstride,
                          GError         **error)
{
  return smp_design_render_layers_over (design, region, scale, n_layers, session_masks, format, pixels,
                                        rowstride, NULL, error);
}

gboolean
smp_design_render_over (const SmpDesign *design,
                        const SmpRect   *region,
                        double           scale,
                        guint            session_mask,
                        SmpPixelFormat   format,
                        void            *pixels,
                        gsize            rowstride,
                        const SmpPhoto  *photo,
                        GError         **error)
{
  g_return_val_if_fail (pixels != NULL, FALSE);
  return smp_design_render_layers_over (design, region, scale, 1, &session_mask, format, &pixels, rowstride,
                                        photo, error);
}

gboolean
smp_design_render (const SmpDesign *design,
                   const SmpRect   *region,
                   double           scale,
                   guint            session_mask,
                   SmpPixelFormat   format,
                   void            *pixels,
                   gsize            rowstride,
                   GError         **error)
{
  g_return_val_if_fail (pixels != NULL, FALSE);
  return smp_design_render_layers (design, region, scale, 1, &session_mask, format, &pixels, rowstride, error);
}
