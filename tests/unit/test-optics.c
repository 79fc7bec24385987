/* test-optics.c: the impression's optics, measured on composites over synthetic skin:
 * darkening per stage and look, colour, shadow reach, scale invariance, depth, shine. */
#include "test-util.h"

#include <string.h>

static const double lum[3] = { 0.2126, 0.7152, 0.0722 };

/* Linear-light skin (sRGB about #dfae94: L* 74, a warm light skin) with pores and
 * mottling: a flat patch, deterministic. */
static float *
skin_patch (int w, int h, double px_per_mm)
{
  float *rgb = g_new (float, (gsize) w * h * 3);
  static const double base[3] = { 0.737, 0.423, 0.296 };

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double u = x / px_per_mm, v = y / px_per_mm; /* mm */
        double t = 1.0 + 0.05 * sin (u * 2.1 + 0.7 * sin (v * 1.3)) * cos (v * 1.7) +
                   0.03 * sin (u * 9.0 + v * 7.0);
        for (int k = 0; k < 3; k++)
          rgb[((gsize) y * w + x) * 3 + k] = (float) (base[k] * t);
      }
  return rgb;
}

/* Per-pixel transmittance of a linear RGBA float layer under Multiply. */
static inline void
transmittance (const float *px, double t[3])
{
  for (int k = 0; k < 3; k++)
    t[k] = 1.0 - px[3] + px[3] * px[k];
}

static float *
render_linear (const SmpDesign *d, const SmpRect *r, const SmpPhoto *photo)
{
  float *px = g_new (float, (gsize) r->width * r->height * 4);
  g_autoptr (GError) error = NULL;

  g_assert_true (smp_design_render_over (d, r, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_FLOAT, px,
                                         16 * (gsize) r->width, photo, &error));
  g_assert_no_error (error);
  return px;
}

static double
srgb_to_linear (double c)
{
  return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* A design at `px_per_mm` whose field is uniform everywhere below y = 0. */
static SmpDesign *
uniform_design (const SmpParams *base, double px_per_mm)
{
  SmpParams p = *base;
  g_autoptr (SmpHairline) h = test_straight_hairline (-1000.0 * px_per_mm);
  g_autoptr (GError) error = NULL;
  SmpDesign *d;

  p.px_per_mm = px_per_mm;
  p.scalp_side = SMP_SCALP_SIDE_RIGHT;
  /* Shades are written as sRGB colours (presets, the dialog); these layers are linear. */
  for (int k = 0; k < 3; k++)
    p.shade[k] = srgb_to_linear (p.shade[k]);
  d = smp_design_new (&p, h, NULL, NULL, &error);
  g_assert_no_error (error);
  smp_design_set_output_linear (d, TRUE);
  return d;
}

typedef struct
{
  double drop;      /* 1 − mean luminance of composite ÷ photo's */
  double t[3];      /* mean transmittance per channel */
} Patch;

/* The composite over a textured skin patch of side_mm at the centre of the
 * uniform field. */
static Patch
patch_drop (const SmpParams *p, double px_per_mm, double side_mm)
{
  int n = (int) lround (side_mm * px_per_mm);
  SmpRect r = { (int) lround (20 * px_per_mm), (int) lround (20 * px_per_mm), n, n };
  g_autoptr (SmpDesign) d = uniform_design (p, px_per_mm);
  g_autofree float *px = render_linear (d, &r, NULL);
  g_autofree float *skin = skin_patch (n, n, px_per_mm);
  double before = 0, after = 0, sum[3] = { 0 }, wsum[3] = { 0 };
  Patch out;

  for (gsize i = 0; i < (gsize) n * n; i++)
    {
      double t[3];
      transmittance (px + 4 * i, t);
      for (int k = 0; k < 3; k++)
        {
          before += lum[k] * skin[3 * i + k];
          after += lum[k] * skin[3 * i + k] * t[k];
          sum[k] += skin[3 * i + k] * t[k];
          wsum[k] += skin[3 * i + k];
        }
    }
  out.drop = 1.0 - after / before;
  for (int k = 0; k < 3; k++)
    out.t[k] = sum[k] / wsum[k];
  return out;
}

static void
defaults_at (SmpParams *p, SmpStage stage)
{
  smp_params_init_defaults (p);
  p->stage = stage;
}

static void
test_stage_drops (void)
{
  static const double scales[] = { 12.0, 5.0 };
  SmpParams p;

  for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
    {
      Patch st[3];
      for (int k = 0; k < 3; k++)
        {
          defaults_at (&p, k);
          st[k] = patch_drop (&p, scales[s], 40.0);
          g_printerr ("# flat patch, defaults, %g px/mm, %s: luminance drop %.1f%%, mean B/R %.3f\n",
                      scales[s], smp_stage_to_string (k), 100 * st[k].drop, st[k].t[2] / st[k].t[0]);
        }
      g_assert_cmpfloat (st[SMP_STAGE_HEALED].drop, >=, 0.08);
      g_assert_cmpfloat (st[SMP_STAGE_HEALED].drop, <=, 0.30);
      g_assert_cmpfloat (st[SMP_STAGE_FRESH].drop, >, st[SMP_STAGE_HEALED].drop);
      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat (st[k].drop, <=, 0.35);
    }
}

static GPtrArray *
shipped_presets (void)
{
  const char *dir = g_getenv ("SMP_PATTERNS_DIR");
  g_autofree char *presets = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *list;

  if (!dir)
    return NULL;
  presets = g_build_filename (dir, "presets", NULL);
  list = smp_preset_load_dir (presets, &error);
  g_assert_no_error (error);
  return list;
}

/* Every shipped look, every stage: never a helmet; the shaved look reads healed too. */
static void
test_preset_drops (void)
{
  g_autoptr (GPtrArray) presets = shipped_presets ();

  if (!presets)
    {
      g_test_skip ("SMP_PATTERNS_DIR is not set");
      return;
    }
  for (guint i = 0; i < presets->len; i++)
    {
      const SmpPreset *preset = g_ptr_array_index (presets, i);
      const char *id = smp_preset_get_id (preset);
      double drop[3];

      for (int k = 0; k < 3; k++)
        {
          SmpParams p;
          smp_params_init_defaults (&p);
          g_assert_true (smp_preset_apply (preset, &p, NULL));
          p.stage = k;
          drop[k] = patch_drop (&p, 12.0, 40.0).drop;
          g_assert_cmpfloat (drop[k], <=, 0.35);
        }
      g_printerr ("# look %-16s fresh %.1f%%  healed %.1f%%  aged %.1f%%\n", id, 100 * drop[0], 100 * drop[1],
                  100 * drop[2]);
      g_assert_cmpfloat (drop[SMP_STAGE_FRESH], >, drop[SMP_STAGE_HEALED]);
      if (!strcmp (id, "shaved-natural"))
        {
          g_assert_cmpfloat (drop[SMP_STAGE_HEALED], >=, 0.08);
          g_assert_cmpfloat (drop[SMP_STAGE_HEALED], <=, 0.30);
        }
    }
}

/* Isolated impressions (5 dots/cm², no overlaps) at 30 px/mm over flat skin. */
typedef struct
{
  double core_ratio;   /* blue ÷ red transmittance in the cores */
  double core_t[3];
  double peak;         /* mean of the dots' peak luminance darkening */
  double spread_mm;    /* RMS radius of the darkening */
  double reach_mm;     /* farthest radius where the mean darkening is still >= 1% */
  double core_mm;      /* mean core radius */
  double at_twice;     /* darkening at twice the core radius, ÷ peak */
} Isolated;

static Isolated
isolated (const SmpParams *base)
{
  const double ppm = 30.0;
  SmpParams p = *base;
  SmpRect   r = { 600, 600, 1800, 1800 }; /* 60 × 60 mm */
  SmpRect   inner = { 660, 660, 1680, 1680 };
  g_autoptr (SmpDesign) d = NULL;
  g_autofree float *px = NULL;
  g_autoptr (GArray) dots = NULL;
  double prof[200] = { 0 }, cnt[200] = { 0 }, m0 = 0, m2 = 0, rc = 0;
  double ct[3] = { 0 }, nc = 0, peak = 0;
  Isolated out = { 0 };

  p.density_per_cm2 = 5;
  p.size_jitter = 0;
  p.sessions = 1;
  d = uniform_design (&p, ppm);
  px = render_linear (d, &r, NULL);
  dots = smp_design_place (d, &inner);
  g_assert_cmpuint (dots->len, >, 40);
  for (guint i = 0; i < dots->len; i++)
    {
      const SmpDot *dot = &g_array_index (dots, SmpDot, i);
      double a = sqrt (dot->radius_x * dot->radius_y), dpk = 0;
      int R = (int) (3.0 * ppm); /* 3 mm: dots are ~45 mm apart at 5/cm² */

      rc += a / ppm / dots->len;
      for (int y = (int) dot->y - R; y <= (int) dot->y + R; y++)
        for (int x = (int) dot->x - R; x <= (int) dot->x + R; x++)
          {
            double dx = x + 0.5 - dot->x, dy = y + 0.5 - dot->y, rr = hypot (dx, dy), t[3], dl;
            int bin;
            if (rr > R || x < r.x || y < r.y || x >= r.x + r.width || y >= r.y + r.height)
              continue;
            transmittance (px + 4 * ((gsize) (y - r.y) * r.width + (x - r.x)), t);
            dl = 1.0 - (lum[0] * t[0] + lum[1] * t[1] + lum[2] * t[2]);
            bin = (int) (rr / ppm / 0.02); /* 0.02 mm bins */
            if (bin < 200)
              prof[bin] += dl, cnt[bin]++;
            m0 += dl, m2 += dl * rr * rr;
            dpk = MAX (dpk, dl);
            if (rr <= 0.5 * a)
              {
                for (int k = 0; k < 3; k++)
                  ct[k] += t[k];
                nc++;
              }
          }
      peak += dpk / dots->len;
    }
  g_assert_cmpfloat (nc, >, 0);
  for (int k = 0; k < 3; k++)
    out.core_t[k] = ct[k] / nc;
  out.core_ratio = out.core_t[2] / out.core_t[0];
  out.peak = peak;
  out.spread_mm = sqrt (m2 / m0) / ppm;
  out.core_mm = rc;
  for (int b = 0; b < 200; b++)
    if (cnt[b] > 0 && prof[b] / cnt[b] >= 0.01)
      out.reach_mm = (b + 1) * 0.02;
  {
    int b = (int) (2 * rc / 0.02);
    out.at_twice = cnt[b] > 0 ? prof[b] / cnt[b] / peak : 0;
  }
  return out;
}

static void
test_colour (void)
{
  SmpParams p;
  Isolated  s[3];

  for (int k = 0; k < 3; k++)
    {
      defaults_at (&p, k);
      s[k] = isolated (&p);
      g_printerr ("# %s cores: transmittance R %.3f G %.3f B %.3f, B/R %.3f; peak darkening %.3f; "
                  "core radius %.3f mm, shadow reach %.2f mm, at 2x core radius %.0f%% of the peak\n",
                  smp_stage_to_string (k), s[k].core_t[0], s[k].core_t[1], s[k].core_t[2], s[k].core_ratio,
                  s[k].peak, s[k].core_mm, s[k].reach_mm, 100 * s[k].at_twice);
    }
  g_assert_cmpfloat (s[SMP_STAGE_FRESH].core_ratio, >=, 1.0);
  g_assert_cmpfloat (s[SMP_STAGE_HEALED].core_ratio, >=, 1.10);
  g_assert_cmpfloat (s[SMP_STAGE_AGED].core_ratio, >=, 1.20);
  /* Healed cores are about half the fresh size, and lighter. */
  g_assert_cmpfloat (fabs (s[SMP_STAGE_HEALED].core_mm / s[SMP_STAGE_FRESH].core_mm - 0.5), <, 0.05);
  g_assert_cmpfloat (s[SMP_STAGE_HEALED].peak, <, s[SMP_STAGE_FRESH].peak);
  /* The shadow: faint, and reaching at least twice the healed core's radius. */
  g_assert_cmpfloat (s[SMP_STAGE_HEALED].reach_mm, >=, 2 * s[SMP_STAGE_HEALED].core_mm);
  g_assert_cmpfloat (s[SMP_STAGE_HEALED].at_twice, <, 0.6);
}

static void
test_depth (void)
{
  static const double depths[] = { 0.15, 0.25, 0.4, 0.6, 0.9, 1.2 };
  Isolated prev = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      SmpParams p;
      Isolated  s;
      double    drop;

      defaults_at (&p, SMP_STAGE_HEALED);
      p.pigment_depth_mm = depths[i];
      s = isolated (&p);
      drop = patch_drop (&p, 12.0, 30.0).drop;
      g_printerr ("# healed at depth %.2f mm: spread %.3f mm, peak darkening %.3f, core B/R %.3f, patch drop %.1f%%\n",
                  depths[i], s.spread_mm, s.peak, s.core_ratio, 100 * drop);
      if (i > 0)
        {
          g_assert_cmpfloat (s.spread_mm, >, prev.spread_mm);
          g_assert_cmpfloat (s.peak, <, prev.peak);
        }
      prev = s;
    }
}

static void
test_scale_invariance (void)
{
  static const double scales[] = { 1, 2, 5, 12, 30 };

  for (int st = 0; st < 3; st++)
    {
      SmpParams p;
      double drops[G_N_ELEMENTS (scales)], ratio[G_N_ELEMENTS (scales)], mean = 0;

      defaults_at (&p, st);
      for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
        {
          Patch pt = patch_drop (&p, scales[i], 40.0);
          drops[i] = pt.drop, ratio[i] = pt.t[2] / pt.t[0];
          mean += drops[i] / G_N_ELEMENTS (scales);
        }
      g_printerr ("# scale invariance, %s:", smp_stage_to_string (st));
      for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
        g_printerr ("  %g px/mm %.2f%% (B/R %.3f)", scales[i], 100 * drops[i], ratio[i]);
      g_printerr ("\n");
      for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
        {
          g_assert_cmpfloat (fabs (drops[i] / mean - 1), <=, 0.05);
          g_assert_cmpfloat (fabs (ratio[i] / ratio[G_N_ELEMENTS (scales) - 1] - 1), <=, 0.01);
        }
    }
}

/* Each dot's darkening integral lands in the pixels, whatever its size in pixels. */
static void
test_absorption (void)
{
  static const double scales[] = { 1, 3, 10, 30 };

  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      SmpParams p;
      double ppm = scales[i];
      SmpRect r = { 0, 0, (int) (70 * ppm), (int) (70 * ppm) };
      SmpRect inner = { (int) (10 * ppm), (int) (10 * ppm), (int) (50 * ppm), (int) (50 * ppm) };
      g_autofree float *cov = g_new (float, (gsize) inner.width * inner.height);
      SmpMask mask = { cov, inner.x, inner.y, inner.width, inner.height, inner.width, NULL };
      g_autoptr (SmpHairline) h = test_straight_hairline (-100000.0);
      g_autoptr (SmpDesign) d = NULL;
      g_autoptr (GArray) dots = NULL;
      g_autofree float *px = NULL;
      double want[3] = { 0 }, got[3] = { 0 };

      for (gsize k = 0; k < (gsize) inner.width * inner.height; k++)
        cov[k] = 1.0f;
      smp_params_init_defaults (&p);
      p.px_per_mm = ppm;
      p.density_per_cm2 = 3;  /* about 6 mm apart: no overlaps */
      p.scalp_side = SMP_SCALP_SIDE_RIGHT;
      p.stage = SMP_STAGE_HEALED;
      d = smp_design_new (&p, h, &mask, NULL, NULL);
      smp_design_set_output_linear (d, TRUE);
      dots = smp_design_place (d, &r);
      px = render_linear (d, &r, NULL);
      for (guint k = 0; k < dots->len; k++)
        for (int c = 0; c < 3; c++)
          want[c] += g_array_index (dots, SmpDot, k).core_dark[c] + g_array_index (dots, SmpDot, k).shadow_dark[c];
      for (gsize k = 0; k < (gsize) r.width * r.height; k++)
        {
          double t[3];
          transmittance (px + 4 * k, t);
          for (int c = 0; c < 3; c++)
            got[c] += 1 - t[c];
        }
      g_printerr ("# absorption at %g px/mm: %u dots, red %.1f of %.1f px² (%+.2f%%), blue %+.2f%%\n", ppm,
                  dots->len, got[0], want[0], 100 * (got[0] / want[0] - 1), 100 * (got[2] / want[2] - 1));
      g_assert_cmpuint (dots->len, >, 30);
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat (fabs (got[c] / want[c] - 1), <=, 0.02);
    }
}

/* 8-bit sRGB layers (dithered alpha) darken as much as linear float ones. */
static void
test_u8_mean (void)
{
  const double ppm = 12;
  SmpParams p;
  SmpRect r = { 240, 240, 360, 360 };
  g_autofree float *lin = NULL;
  g_autofree guint8 *u8 = g_new (guint8, (gsize) r.width * r.height * 4);
  g_autoptr (SmpDesign) d = NULL, e = NULL;
  double tl = 0, tu = 0;

  defaults_at (&p, SMP_STAGE_HEALED);
  d = uniform_design (&p, ppm);
  lin = render_linear (d, &r, NULL);
  {
    SmpParams q = p;
    g_autoptr (SmpHairline) h = test_straight_hairline (-1000.0 * ppm);
    q.px_per_mm = ppm;
    q.scalp_side = SMP_SCALP_SIDE_RIGHT;
    e = smp_design_new (&q, h, NULL, NULL, NULL);
  }
  g_assert_true (smp_design_render (e, &r, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, u8, 4 * r.width, NULL));
  for (gsize i = 0; i < (gsize) r.width * r.height; i++)
    {
      double t[3], a = u8[4 * i + 3] / 255.0;
      transmittance (lin + 4 * i, t);
      for (int k = 0; k < 3; k++)
        {
          double c = srgb_to_linear (u8[4 * i + k] / 255.0);
          tl += lum[k] * t[k];
          tu += lum[k] * (1 - a + a * c);
        }
    }
  tl /= (double) r.width * r.height, tu /= (double) r.width * r.height;
  g_printerr ("# 8-bit sRGB layer: drop %.2f%%; linear float layer %.2f%%\n", 100 * (1 - tu), 100 * (1 - tl));
  g_assert_cmpfloat (fabs ((1 - tu) / (1 - tl) - 1), <=, 0.03);
}

/* Shine: a synthetic photo, diffuse skin × shading plus a known neutral lobe. */
static void
test_shine (void)
{
  const int W = 600, H = 600;
  const double ppm = 12, peak = 0.35;
  static const double skin[3] = { 0.60, 0.36, 0.26 };
  SmpParams p;
  SmpRect r = { 300, 300, W, H };
  g_autofree float *photo = g_new (float, (gsize) W * H * 3);
  g_autofree float *lobe = g_new (float, (gsize) W * H);
  g_autofree float *plain = NULL, *shiny = NULL;
  g_autoptr (SmpDesign) d = NULL;
  SmpPhoto ph = { photo, r.x, r.y, W, H, 3 * (gsize) W, { 0 } };
  double worst_in = 0, worst_out = 0, est_peak = 0, chroma_sum;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        double u = (x - W / 2.0) / W, v = (y - H / 2.0) / H;
        double shading = 0.55 + 0.4 * (1 - u * u - v * v) + 0.03 * sin (x * 0.3) * cos (y * 0.21);
        double s = peak * exp (-(pow (x - 380.0, 2) + pow (y - 250.0, 2)) / (2 * 45.0 * 45.0));
        lobe[(gsize) y * W + x] = (float) s;
        for (int k = 0; k < 3; k++)
          photo[((gsize) y * W + x) * 3 + k] = (float) (skin[k] * shading + s);
      }
  g_assert_true (smp_shine_estimate_chroma (photo, (gsize) W * H, 3, NULL, ph.chroma));
  chroma_sum = skin[0] + skin[1] + skin[2];
  g_printerr ("# estimated diffuse chromaticity %.4f %.4f %.4f (true %.4f %.4f %.4f)\n", ph.chroma[0], ph.chroma[1],
              ph.chroma[2], skin[0] / chroma_sum, skin[1] / chroma_sum, skin[2] / chroma_sum);
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat (fabs (ph.chroma[k] - skin[k] / chroma_sum), <, 0.01);

  defaults_at (&p, SMP_STAGE_FRESH);
  d = uniform_design (&p, ppm);
  plain = render_linear (d, &r, NULL);
  shiny = render_linear (d, &r, &ph);
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      double t[3], ts[3], s = lobe[i];
      float  est = smp_shine_specular (photo + 3 * i, ph.chroma);
      transmittance (plain + 4 * i, t);
      transmittance (shiny + 4 * i, ts);
      est_peak = MAX (est_peak, est);
      for (int k = 0; k < 3; k++)
        {
          double P = photo[3 * i + k];
          double want = (P - s) * t[k] + s, got = P * ts[k];
          if (s > 0.02)
            worst_in = MAX (worst_in, fabs (got - want));
          else if (s == 0.0)
            worst_out = MAX (worst_out, fabs (ts[k] - t[k]));
        }
    }
  g_printerr ("# shine: worst composite error in the highlight %.4f (linear), outside %.2g; "
              "estimated lobe peak %.3f of %.3f\n", worst_in, worst_out, est_peak, peak);
  g_assert_cmpfloat (worst_in, <=, 0.02);
  g_assert_cmpfloat (worst_out, ==, 0.0);
  g_assert_cmpfloat (fabs (est_peak / peak - 1), <=, 0.2);
  /* Without shine the highlight is darkened like the rest: the correction matters. */
  {
    gsize at = (gsize) 250 * W + 380;
    double t[3], ts[3];
    transmittance (plain + 4 * at, t);
    transmittance (shiny + 4 * at, ts);
    g_assert_cmpfloat (ts[1], >=, t[1]);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/optics/stage-drops", test_stage_drops);
  g_test_add_func ("/optics/preset-drops", test_preset_drops);
  g_test_add_func ("/optics/colour", test_colour);
  g_test_add_func ("/optics/depth", test_depth);
  g_test_add_func ("/optics/scale-invariance", test_scale_invariance);
  g_test_add_func ("/optics/absorption", test_absorption);
  g_test_add_func ("/optics/u8-mean", test_u8_mean);
  g_test_add_func ("/optics/shine", test_shine);
  return g_test_run ();
}
