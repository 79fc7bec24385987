/* test-match.c: learning a look from a photo (issue 16): the engine's own healed renders
 * over textured, noisy, JPEG-degraded skin are measured and fitted; refusals; saved looks. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const double lum[3] = { 0.2126, 0.7152, 0.0722 };

static double
to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

static double
to_srgb (double v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow (v, 1 / 2.4) - 0.055;
}

/* Linear skin (about sRGB #dfae94) with mottling and pores, deterministic. */
static void
skin_at (double u, double v, double out[3])
{
  static const double base[3] = { 0.737, 0.423, 0.296 };
  double t = 1.0 + 0.05 * sin (u * 2.1 + 0.7 * sin (v * 1.3)) * cos (v * 1.7) + 0.03 * sin (u * 9.0 + v * 7.0);
  for (int k = 0; k < 3; k++)
    out[k] = base[k] * t;
}

/* ---- A JPEG-like degradation, written here: 8-bit sRGB, YCbCr (BT.601 full range,
 * 4:4:4), 8 × 8 block DCT quantised with the standard tables at quality 85. ---------- */

static const int q_luma[64] = {
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99 };
static const int q_chroma[64] = {
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99 };

static void
jpeg_like (float *plane, int w, int h, const int *table, int quality)
{
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  double c[8][8], q[64];

  for (int i = 0; i < 64; i++)
    q[i] = CLAMP ((table[i] * scale + 50) / 100, 1, 255);
  for (int u = 0; u < 8; u++)
    for (int x = 0; x < 8; x++)
      c[u][x] = (u ? sqrt (2.0 / 8) : sqrt (1.0 / 8)) * cos ((2 * x + 1) * u * G_PI / 16);
  for (int by = 0; by + 8 <= h; by += 8)
    for (int bx = 0; bx + 8 <= w; bx += 8)
      {
        double blk[8][8], tmp[8][8], co[8][8];
        for (int y = 0; y < 8; y++)
          for (int x = 0; x < 8; x++)
            blk[y][x] = plane[(gsize) (by + y) * w + bx + x] - 128.0;
        for (int v = 0; v < 8; v++)
          for (int x = 0; x < 8; x++)
            {
              double s = 0;
              for (int y = 0; y < 8; y++)
                s += c[v][y] * blk[y][x];
              tmp[v][x] = s;
            }
        for (int v = 0; v < 8; v++)
          for (int u = 0; u < 8; u++)
            {
              double s = 0;
              for (int x = 0; x < 8; x++)
                s += c[u][x] * tmp[v][x];
              co[v][u] = round (s / q[v * 8 + u]) * q[v * 8 + u];
            }
        for (int y = 0; y < 8; y++)
          for (int u = 0; u < 8; u++)
            {
              double s = 0;
              for (int v = 0; v < 8; v++)
                s += c[v][y] * co[v][u];
              tmp[y][u] = s;
            }
        for (int y = 0; y < 8; y++)
          for (int x = 0; x < 8; x++)
            {
              double s = 0;
              for (int u = 0; u < 8; u++)
                s += c[u][x] * tmp[y][u];
              plane[(gsize) (by + y) * w + bx + x] = (float) CLAMP (round (s + 128.0), 0, 255);
            }
      }
}

/* Photo noise (σ 1.5/255 in sRGB, deterministic) and the JPEG-like step, in place on linear RGB. */
static void
degrade (float *rgb, int w, int h, guint32 seed)
{
  const gsize n = (gsize) w * h;
  g_autofree float *Y = g_new (float, n), *Cb = g_new (float, n), *Cr = g_new (float, n);
  g_autoptr (GRand) rnd = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < n; i++)
    {
      double s[3];
      for (int k = 0; k < 3; k++)
        {
          double g = g_rand_double (rnd) + g_rand_double (rnd) + g_rand_double (rnd) - 1.5; /* σ 0.5 */
          s[k] = CLAMP (round (to_srgb (rgb[3 * i + k]) * 255 + 3.0 * g), 0, 255);
        }
      Y[i] = (float) (0.299 * s[0] + 0.587 * s[1] + 0.114 * s[2]);
      Cb[i] = (float) (128 - 0.168736 * s[0] - 0.331264 * s[1] + 0.5 * s[2]);
      Cr[i] = (float) (128 + 0.5 * s[0] - 0.418688 * s[1] - 0.081312 * s[2]);
    }
  if (!g_getenv ("TEST_MATCH_NO_JPEG"))
    {
      jpeg_like (Y, w, h, q_luma, 85);
      jpeg_like (Cb, w, h, q_chroma, 85);
      jpeg_like (Cr, w, h, q_chroma, 85);
    }
  for (gsize i = 0; i < n; i++)
    {
      double r = Y[i] + 1.402 * (Cr[i] - 128), g = Y[i] - 0.344136 * (Cb[i] - 128) - 0.714136 * (Cr[i] - 128),
             b = Y[i] + 1.772 * (Cb[i] - 128);
      rgb[3 * i + 0] = (float) to_linear (CLAMP (round (r), 0, 255) / 255.0);
      rgb[3 * i + 1] = (float) to_linear (CLAMP (round (g), 0, 255) / 255.0);
      rgb[3 * i + 2] = (float) to_linear (CLAMP (round (b), 0, 255) / 255.0);
    }
}

/* ---- A photographed patch of the engine's own healed work ------------------------------- */

typedef struct
{
  const char *name;
  double density, core_mm, depth_mm;
  const char *shade; /* sRGB hex */
} Setting;

/* Four settings: density 30–150, healed core 0.10–0.30 mm, three shades, two depths. */
static const Setting settings[] = {
  { "sparse-large", 30, 0.30, 0.2, "#1c1c1e" },
  { "medium", 70, 0.22, 0.5, "#2a2a2d" },
  { "dense", 110, 0.15, 0.2, "#3a3f4a" },
  { "dense-fine", 150, 0.10, 0.5, "#1c1c1e" },
};

typedef enum
{
  SPOIL_NONE,
  SPOIL_BARE,      /* 20% of the selection is untreated skin */
  SPOIL_HIGHLIGHT, /* a specular highlight over about 20% of it */
} Spoil;

typedef struct
{
  int w, h, edge;           /* px; untreated skin band at x < edge */
  float *rgb;               /* the degraded photo, linear */
  float *clean_t;           /* true per-pixel transmittance */
  float *treated;           /* the selection */
  float *work;              /* where impressions were placed (the design's mask) */
  double density, core_mm;  /* truth from the placed impressions */
  double t[3], drop;        /* truth over the selection (undegraded) */
  SmpParams params;
} Photo;

static void
photo_clear (Photo *p)
{
  g_free (p->rgb);
  g_free (p->clean_t);
  g_free (p->treated);
  g_free (p->work);
}

static void
look_params (const Setting *s, SmpParams *p)
{
  guint r, g, b;
  smp_params_init_defaults (p);
  g_assert_true (sscanf (s->shade, "#%02x%02x%02x", &r, &g, &b) == 3);
  p->shade[0] = to_linear (r / 255.0), p->shade[1] = to_linear (g / 255.0), p->shade[2] = to_linear (b / 255.0);
  p->density_per_cm2 = s->density;
  p->pigment_depth_mm = s->depth_mm;
  /* The healed core is half the fresh dot (docs/optics.md). */
  p->dot_diameter_mm = 2.0 * s->core_mm;
  p->stage = SMP_STAGE_HEALED;
}

static float *
layer_t (const SmpParams *base, double ppm, const SmpRect *r, const float *coverage)
{
  const SmpMask mask = { coverage, r->x, r->y, r->width, r->height, (gsize) r->width, NULL };
  SmpParams p = *base;
  g_autoptr (SmpHairline) line = test_straight_hairline (-1000.0 * ppm);
  g_autoptr (GError) error = NULL;
  g_autoptr (SmpDesign) d = NULL;
  g_autofree float *px = g_new (float, (gsize) r->width * r->height * 4);
  float *t = g_new (float, (gsize) r->width * r->height * 3);

  p.px_per_mm = ppm;
  p.scalp_side = SMP_SCALP_SIDE_RIGHT;
  d = smp_design_new (&p, line, coverage ? &mask : NULL, NULL, &error);
  g_assert_no_error (error);
  smp_design_set_output_linear (d, TRUE);
  g_assert_true (smp_design_render (d, r, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_FLOAT, px, 16 * (gsize) r->width,
                                    &error));
  for (gsize i = 0; i < (gsize) r->width * r->height; i++)
    for (int k = 0; k < 3; k++)
      t[3 * i + k] = 1.0f - px[4 * i + 3] + px[4 * i + 3] * px[4 * i + k];
  return t;
}

/* The mean drop of transmittance `t` over the selection of `ph`, on its skin. */
static double
drop_over (const Photo *ph, const float *t, double ppm, double tk[3])
{
  double before = 0, after = 0, s[3] = { 0 }, ws[3] = { 0 };
  for (int y = 0; y < ph->h; y++)
    for (int x = 0; x < ph->w; x++)
      {
        gsize i = (gsize) y * ph->w + x;
        double sk[3];
        if (ph->treated[i] < 0.5f || ph->work[i] < 0.5f)
          continue;
        skin_at (x / ppm, y / ppm, sk);
        for (int k = 0; k < 3; k++)
          {
            before += lum[k] * sk[k], after += lum[k] * sk[k] * t[3 * i + k];
            s[k] += sk[k] * t[3 * i + k], ws[k] += sk[k];
          }
      }
  if (tk)
    for (int k = 0; k < 3; k++)
      tk[k] = s[k] / ws[k];
  return 1.0 - after / before;
}

static void
make_photo (const Setting *s, double ppm, Spoil spoil, Photo *ph)
{
  const double side_mm = CLAMP (sqrt (160.0 / s->density) * 10.0, 11.0, 22.0), skin_mm = 5.0;
  SmpRect r;
  g_autoptr (SmpHairline) line = test_straight_hairline (-1000.0 * ppm);
  g_autoptr (SmpDesign) d = NULL;
  g_autoptr (GArray) dots = NULL;
  double area = 0, nd = 0, dsum = 0;
  int bare_from;

  memset (ph, 0, sizeof *ph);
  look_params (s, &ph->params);
  ph->w = (int) lround ((side_mm + skin_mm) * ppm);
  ph->h = (int) lround (side_mm * ppm);
  ph->edge = (int) lround (skin_mm * ppm);
  bare_from = (int) lround (ph->w - 0.5 * ppm - 0.2 * (ph->w - ph->edge - ppm));
  r = (SmpRect) { 0, 0, ph->w, ph->h };
  ph->work = g_new0 (float, (gsize) ph->w * ph->h);
  for (int y = 0; y < ph->h; y++)
    for (int x = 0; x < ph->w; x++)
      ph->work[(gsize) y * ph->w + x] = x >= ph->edge && !(spoil == SPOIL_BARE && x >= bare_from);
  ph->clean_t = layer_t (&ph->params, ppm, &r, ph->work);
  ph->rgb = g_new (float, (gsize) ph->w * ph->h * 3);
  ph->treated = g_new0 (float, (gsize) ph->w * ph->h);

  for (int y = 0; y < ph->h; y++)
    for (int x = 0; x < ph->w; x++)
      {
        gsize i = (gsize) y * ph->w + x;
        double sk[3], u = x / ppm, v = y / ppm;
        gboolean sel = x >= ph->edge + 0.5 * ppm && x < ph->w - 0.5 * ppm && y >= 0.5 * ppm && y < ph->h - 0.5 * ppm;
        double spec = 0;

        if (spoil == SPOIL_HIGHLIGHT)
          {
            /* A neutral lobe (peak 0.35, linear) centred in the selection's right half. */
            double cx = (ph->edge + 0.75 * (ph->w - ph->edge)) / ppm, cy = 0.5 * ph->h / ppm;
            double sg = 0.12 * side_mm; /* brighter than 1/e² over about 18% of it */
            spec = 0.35 * exp (-((u - cx) * (u - cx) + (v - cy) * (v - cy)) / (2 * sg * sg));
          }
        skin_at (u, v, sk);
        for (int k = 0; k < 3; k++)
          ph->rgb[3 * i + k] = (float) (sk[k] * ph->clean_t[3 * i + k] + spec);
        ph->treated[i] = sel ? 1.0f : 0.0f;
      }

  /* Truth from the impressions themselves, over the treated part of the selection. */
  {
    SmpParams p = ph->params;
    const SmpMask mask = { ph->work, 0, 0, ph->w, ph->h, (gsize) ph->w, NULL };
    p.px_per_mm = ppm, p.scalp_side = SMP_SCALP_SIDE_RIGHT;
    d = smp_design_new (&p, line, &mask, NULL, NULL);
  }
  dots = smp_design_place (d, &r);
  for (gsize i = 0; i < (gsize) ph->w * ph->h; i++)
    area += ph->treated[i] >= 0.5f && ph->work[i] > 0.5f;
  for (guint i = 0; i < dots->len; i++)
    {
      const SmpDot *dot = &g_array_index (dots, SmpDot, i);
      int x = (int) dot->x, y = (int) dot->y;
      gsize j = (gsize) y * ph->w + x;
      if (x < 0 || y < 0 || x >= ph->w || y >= ph->h || ph->treated[j] < 0.5f || ph->work[j] < 0.5f)
        continue;
      nd++;
      dsum += 2.0 * sqrt (dot->radius_x * dot->radius_y) / ppm;
    }
  ph->density = nd / (area / (ppm * ppm) / 100.0);
  ph->core_mm = dsum / nd;
  ph->drop = drop_over (ph, ph->clean_t, ppm, ph->t);
  degrade (ph->rgb, ph->w, ph->h, (guint32) (s->density * 1000 + ppm));
}

typedef struct
{
  double density, core, t[3], drop;
  gboolean depth_measured;
  double depth_mm; /* the fitted look's */
  gboolean refused; /* the fit refused (its message names a px/mm); nothing else is set */
} Errors;

/* The README's picture (TEST_MATCH_PICTURE=file.ppm, at TEST_MATCH_PICTURE_PPM px/mm,
 * default 20): the photo (degraded) on the left, the fitted look over the same skin on the right, the treated part only. */
static void
write_picture (const char *path, const Photo *ph, const float *fit_t, double ppm)
{
  const int x0 = ph->edge - (int) (2 * ppm), w = ph->w - x0, gap = 8;
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  fprintf (f, "P6 %d %d 255\n", 2 * w + gap, ph->h);
  for (int y = 0; y < ph->h; y++)
    {
      for (int x = x0; x < ph->w; x++)
        for (int k = 0; k < 3; k++)
          fputc ((int) lround (CLAMP (to_srgb (ph->rgb[3 * ((gsize) y * ph->w + x) + k]), 0, 1) * 255), f);
      for (int x = 0; x < gap; x++)
        fputc (255, f), fputc (255, f), fputc (255, f);
      for (int x = x0; x < ph->w; x++)
        {
          double sk[3];
          skin_at (x / ppm, y / ppm, sk);
          for (int k = 0; k < 3; k++)
            fputc ((int) lround (CLAMP (to_srgb (sk[k] * fit_t[3 * ((gsize) y * ph->w + x) + k]), 0, 1) * 255), f);
        }
    }
  fclose (f);
}

/* Measures and fits one photo; the relative / absolute errors against the truth. */
static Errors
round_trip (const Setting *s, double ppm, Spoil spoil, gboolean verbose)
{
  Photo ph;
  SmpMatchInput in = { 0 };
  SmpMatchMeasure m;
  SmpMatchFit fit;
  SmpParams look;
  g_autoptr (GError) error = NULL;
  g_autofree float *fit_t = NULL;
  Errors e;
  double t_truth[3], fit_drop;

  make_photo (s, ppm, spoil, &ph);
  in.rgb = ph.rgb, in.width = ph.w, in.height = ph.h, in.stride = (gsize) ph.w * 3;
  in.treated = ph.treated, in.px_per_mm = ppm;
  if (!smp_match_measure (&in, &m, &error))
    g_printerr ("# %s at %g px/mm: %s\n", s->name, ppm, error->message);
  g_assert_no_error (error);

  smp_params_init_defaults (&look);
  memset (&e, 0, sizeof e);
  if (!smp_match_fit (&in, &m, &look, &fit, &error))
    {
      g_assert_error (error, SMP_ERROR, SMP_ERROR_MEASURE);
      g_printerr ("# %-12s %4.0f px/mm %-9s | fit refused: %s\n", s->name, ppm,
                  spoil == SPOIL_NONE ? "clean" : spoil == SPOIL_BARE ? "20%-bare" : "highlight", error->message);
      e.refused = strstr (error->message, "px/mm") != NULL;
      g_assert_true (e.refused);
      photo_clear (&ph);
      return e;
    }
  look.px_per_mm = ppm;
  look.stage = SMP_STAGE_HEALED;
  {
    SmpRect r = { 0, 0, ph.w, ph.h };
    fit_t = layer_t (&look, ppm, &r, ph.work);
  }
  fit_drop = drop_over (&ph, fit_t, ppm, NULL);
  memcpy (t_truth, ph.t, sizeof t_truth);
  if (g_getenv ("TEST_MATCH_PICTURE") && spoil == SPOIL_NONE &&
      ppm == (g_getenv ("TEST_MATCH_PICTURE_PPM") ? g_ascii_strtod (g_getenv ("TEST_MATCH_PICTURE_PPM"), NULL) : 20) &&
      !g_strcmp0 (g_getenv ("TEST_MATCH_PICTURE_SETTING"), s->name))
    write_picture (g_getenv ("TEST_MATCH_PICTURE"), &ph, fit_t, ppm);

  e.density = fit.density_per_cm2 / ph.density - 1;
  e.core = fit.core_diameter_mm / ph.core_mm - 1;
  for (int k = 0; k < 3; k++)
    e.t[k] = m.transmittance[k] - t_truth[k];
  e.drop = fit_drop / ph.drop - 1;
  e.depth_measured = fit.depth_measured, e.depth_mm = look.pigment_depth_mm;
  if (verbose)
    g_printerr ("# %-12s %4.0f px/mm %-9s | density %6.1f (measured %6.1f, true %6.1f, %+5.1f%%) | core %.3f (measured "
                "%.3f±%.3f mm, true %.3f, %+5.1f%%) | T %.3f %.3f %.3f (err %+.3f %+.3f %+.3f) | drop %.1f%% fitted %.1f%% (%+5.1f%%) | "
                "n %u skin-contrast %.1f spread %.2f edge %.3f/%.3f mm noise %.4f soft %.2f jit %.2f depth %.2f shadow %.2f CE %.2f resid %.3f excl %.0f%%\n",
                s->name, ppm, spoil == SPOIL_NONE ? "clean" : spoil == SPOIL_BARE ? "20%-bare" : "highlight",
                fit.density_per_cm2, m.density_per_cm2, ph.density, 100 * e.density, fit.core_diameter_mm,
                m.core_diameter_mm, m.core_diameter_err,
                ph.core_mm, 100 * e.core, m.transmittance[0], m.transmittance[1], m.transmittance[2], e.t[0],
                e.t[1], e.t[2], 100 * ph.drop, 100 * fit_drop, 100 * e.drop, m.impressions, m.skin_contrast, m.core_spread,
                m.edge_mm, fit.model.edge_mm, m.skin_noise[1], m.core_softness, look.size_jitter, look.pigment_depth_mm, m.shadow_share, m.clark_evans, fit.residual, 100 * m.excluded_share);
  photo_clear (&ph);
  return e;
}

/* Within the tolerances times `factor`; says which figure is out. */
static gboolean
within (const Setting *s, const Errors *e, double factor)
{
  const double tol_density = 0.10, tol_core = 0.15;
  gboolean ok = TRUE;
  if (e->refused)
    {
      g_printerr ("#   refused\n");
      return FALSE;
    }
  if (!(fabs (e->density) <= tol_density * factor))
    g_printerr ("#   density out: %+.1f%%\n", 100 * e->density), ok = FALSE;
  if (!(fabs (e->core) <= tol_core * factor))
    g_printerr ("#   core out: %+.1f%%\n", 100 * e->core), ok = FALSE;
  for (int k = 0; k < 3; k++)
    if (!(fabs (e->t[k]) <= 0.05 * factor))
      g_printerr ("#   transmittance %d out: %+.3f\n", k, e->t[k]), ok = FALSE;
  /* Where it was measured, the depth itself: deep reads deep (±0.15 mm, times the
   * factor but never as shallow as 0.3 mm), shallow shallow (0.3 mm or less). */
  const double deep_lo = MAX (s->depth_mm - 0.15 * factor, 0.3) - 1e-9, deep_hi = s->depth_mm + 0.15 * factor + 1e-9;
  if (e->depth_measured && (s->depth_mm > 0.35 ? !(e->depth_mm >= deep_lo && e->depth_mm <= deep_hi) : !(e->depth_mm <= 0.3)))
    g_printerr ("#   depth out: %.2f mm fitted, %.2f mm true\n", e->depth_mm, s->depth_mm), ok = FALSE;
  if (!(fabs (e->drop) <= 0.10 * factor))
    g_printerr ("#   fitted drop out: %+.1f%%\n", 100 * e->drop), ok = FALSE;
  return ok;
}

static const double scales[] = { 10, 20, 40 };

/* A healed core must be SMP_MATCH_MIN_CORE_PX across to be measured. */
static gboolean
resolvable (const Setting *s, double ppm)
{
  return s->core_mm * ppm >= 2.5;
}

/* Where the cores are too small for the photo's scale, the measuring must refuse
 * (or, if it measures, be within the tolerances): never a silent wrong look. */
static gboolean
refused_or_within (const Setting *s, double ppm)
{
  Photo ph;
  SmpMatchInput in = { 0 };
  SmpMatchMeasure m;
  g_autoptr (GError) error = NULL;
  gboolean measured;

  make_photo (s, ppm, SPOIL_NONE, &ph);
  in.rgb = ph.rgb, in.width = ph.w, in.height = ph.h, in.stride = (gsize) ph.w * 3;
  in.treated = ph.treated, in.px_per_mm = ppm;
  measured = smp_match_measure (&in, &m, &error);
  photo_clear (&ph);
  if (!measured)
    {
      g_printerr ("# %-12s %4.0f px/mm clean     | refused: %s\n", s->name, ppm, error->message);
      return error->code == SMP_ERROR_MEASURE && strstr (error->message, "px/mm") != NULL;
    }
  {
    /* Measured at the margin (deep work, whose blur makes its cores look large
     * enough): the fit refuses it (deep work only), or holds the tolerances. */
    Errors e = round_trip (s, ppm, SPOIL_NONE, TRUE);
    return (e.refused && s->depth_mm > 0.35) || within (s, &e, 1.0);
  }
}

static void
test_round_trip (void)
{
  int failures = 0;

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    for (guint j = 0; j < G_N_ELEMENTS (scales); j++)
      if (resolvable (&settings[i], scales[j]))
        {
          Errors e = round_trip (&settings[i], scales[j], SPOIL_NONE, TRUE);
          /* Only deep work with cores too small for its depth may be refused (soft
           * edges: its count and size cannot be told); shallow work and any work at
           * 40 px/mm, where deep cores are wide enough for depth, must be matched. */
          if (e.refused && settings[i].depth_mm > 0.35 && scales[j] < 40)
            continue;
          failures += !within (&settings[i], &e, 1.0);
          if (scales[j] >= 40 && settings[i].depth_mm > 0.35 && !e.depth_measured)
            g_printerr ("#   depth not measured at %.0f px/mm\n", scales[j]), failures++;
        }
      else
        failures += !refused_or_within (&settings[i], scales[j]);
  g_assert_cmpint (failures, ==, 0);
}

static void
test_robust (void)
{
  int failures = 0;

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    for (Spoil sp = SPOIL_BARE; sp <= SPOIL_HIGHLIGHT; sp++)
      {
        /* Deep work at 40 px/mm: below, its soft cores are refused (test_round_trip). */
        double ppm = resolvable (&settings[i], 20) && settings[i].depth_mm < 0.35 ? 20 : 40;
        Errors e = round_trip (&settings[i], ppm, sp, TRUE);
        failures += !within (&settings[i], &e, 2.0);
      }
  g_assert_cmpint (failures, ==, 0);
}

static void
assert_refused (const SmpMatchInput *in, const char *needle)
{
  g_autoptr (GError) error = NULL;
  SmpMatchMeasure m;

  g_assert_false (smp_match_measure (in, &m, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_MEASURE);
  g_printerr ("# refused: %s\n", error->message);
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_refusals (void)
{
  Photo ph;
  SmpMatchInput in = { 0 };
  g_autofree float *none = NULL, *tiny = NULL;

  /* Too low a resolution: 0.10 mm cores at 10 px/mm are one pixel across. */
  make_photo (&settings[3], 10, SPOIL_NONE, &ph);
  in.rgb = ph.rgb, in.width = ph.w, in.height = ph.h, in.stride = (gsize) ph.w * 3;
  in.treated = ph.treated, in.px_per_mm = 10;
  assert_refused (&in, "needs at least");
  {
    g_autoptr (GError) error = NULL;
    SmpMatchMeasure m;
    g_assert_false (smp_match_measure (&in, &m, &error));
    /* It names a px/mm above the photo's and at least what 2 px across a 0.10 mm core take. */
    g_assert_nonnull (strstr (error->message, "px/mm"));
  }
  photo_clear (&ph);

  make_photo (&settings[0], 20, SPOIL_NONE, &ph);
  in.rgb = ph.rgb, in.width = ph.w, in.height = ph.h, in.stride = (gsize) ph.w * 3;
  in.treated = ph.treated, in.px_per_mm = 20;
  /* Scale unknown. */
  in.px_per_mm = 0;
  assert_refused (&in, "scale is unknown");
  in.px_per_mm = 20;
  /* No untreated skin: a given untreated area that is empty, and a selection that fills the photo. */
  none = g_new0 (float, (gsize) ph.w * ph.h);
  in.untreated = none;
  assert_refused (&in, "no untreated skin");
  in.untreated = NULL;
  {
    g_autofree float *all = g_new (float, (gsize) ph.w * ph.h);
    for (gsize i = 0; i < (gsize) ph.w * ph.h; i++)
      all[i] = 1.0f;
    in.treated = all;
    assert_refused (&in, "no untreated skin");
    in.treated = ph.treated;
  }
  /* "Untreated" skin that holds impressions: the top 4 mm of the work, outside a
   * selection below it. */
  {
    g_autofree float *sel = g_new0 (float, (gsize) ph.w * ph.h);
    g_autofree float *dotted = g_new0 (float, (gsize) ph.w * ph.h);
    for (int y = 0; y < ph.h; y++)
      for (int x = ph.edge + 20; x < ph.w - 10; x++)
        {
          if (y < 4 * 20)
            dotted[(gsize) y * ph.w + x] = 1.0f;
          else if (y >= 6 * 20 && y < ph.h - 10)
            sel[(gsize) y * ph.w + x] = 1.0f;
        }
    in.treated = sel;
    in.untreated = dotted;
    assert_refused (&in, "impressions"); /* too few found, or they barely stand out */
    in.untreated = NULL;
    in.treated = ph.treated;
  }
  /* Too few impressions: a 4 × 4 mm selection of 30 dots/cm² work holds about 5. */
  tiny = g_new0 (float, (gsize) ph.w * ph.h);
  for (int y = 40; y < 40 + 80; y++)
    for (int x = ph.edge + 40; x < ph.edge + 120; x++)
      tiny[(gsize) y * ph.w + x] = 1.0f;
  in.treated = tiny;
  assert_refused (&in, "impressions found");
  photo_clear (&ph);
}

/* The saved look reads back through the look loader and validates like a shipped one. */
static void
test_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("smp-looks-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL, *id2 = NULL, *path = NULL;
  g_autoptr (SmpPreset) preset = NULL;
  g_autoptr (GPtrArray) list = NULL;
  SmpParams look, back;

  smp_params_init_defaults (&look);
  look.density_per_cm2 = 93.5;
  look.dot_diameter_mm = 0.41;
  look.shade[0] = 0.02, look.shade[1] = 0.03, look.shade[2] = 0.05; /* linear */
  look.seed = 77; /* not a look key: never written */
  look.px_per_mm = 33;
  id = smp_look_save (&look, TRUE, dir, "My healed work / v2", "Matched", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "my-healed-work-v2");
  g_assert_true (smp_look_id_is_safe (id));
  id2 = smp_look_save (&look, TRUE, dir, "My healed work / v2", "Matched", FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id2, ==, "my-healed-work-v2-2");
  path = g_build_filename (dir, "my-healed-work-v2.smp-preset", NULL);
  preset = smp_preset_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smp_preset_get_name (preset), ==, "My healed work / v2");
  smp_params_init_defaults (&back);
  g_assert_true (smp_preset_apply (preset, &back, &error));
  g_assert_cmpfloat_with_epsilon (back.density_per_cm2, 93.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (back.dot_diameter_mm, 0.41, 1e-9);
  g_assert_cmpuint (back.seed, ==, 1);             /* the default, not 77 */
  g_assert_cmpfloat (back.px_per_mm, ==, 10.0);
  for (int k = 0; k < 3; k++) /* sRGB hex: within half a step */
    g_assert_cmpfloat (fabs (to_linear (back.shade[k]) - look.shade[k]), <, 0.004);
  list = smp_preset_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_false (smp_look_id_is_safe ("../evil"));
  g_assert_false (smp_look_id_is_safe ("a\\b"));
  g_assert_false (smp_look_id_is_safe (".hidden"));
  {
    g_autofree char *evil = smp_look_id_from_name ("../../etc/passwd");
    g_assert_true (smp_look_id_is_safe (evil));
  }
  g_assert_null (smp_look_save (&look, TRUE, dir, "  ", NULL, FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  {
    /* A shipped look's id is not taken over: the saved one gets a suffix. */
    const char *const shipped[] = { "shaved-natural", NULL };
    g_autofree char *id3 = smp_look_save (&look, TRUE, dir, "Shaved natural", NULL, FALSE, shipped, &error);
    g_autofree char *p3 = NULL;
    g_assert_no_error (error);
    g_assert_cmpstr (id3, ==, "shaved-natural-2");
    p3 = g_build_filename (dir, "shaved-natural-2.smp-preset", NULL);
    g_unlink (p3);
  }
  /* A look that does not validate is refused and leaves no file. */
  look.density_per_cm2 = 999;
  g_assert_null (smp_look_save (&look, TRUE, dir, "Bad", NULL, FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *f = g_strconcat (smp_preset_get_id (g_ptr_array_index (list, i)), ".smp-preset", NULL);
      g_autofree char *p = g_build_filename (dir, f, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/match/round-trip", test_round_trip);
  g_test_add_func ("/match/robust", test_robust);
  g_test_add_func ("/match/refusals", test_refusals);
  g_test_add_func ("/match/save", test_save);
  return g_test_run ();
}
