/* test-design.c: placement and rendering, measured: density accuracy, blue-noise
 * quality, the hairline profile, mask, stability, sessions and coverage. */
#include "test-util.h"

#include <string.h>

/* 50 × 50 mm at 10 px/mm, well inside the uniform field. */
static const SmpRect field = { 1000, 1000, 500, 500 };

static void
test_density_accuracy (void)
{
  static const double densities[] = { 10, 70, 150 };
  g_autoptr (SmpPattern) pattern = smp_pattern_new (7);

  for (guint i = 0; i < G_N_ELEMENTS (densities); i++)
    {
      SmpParams p;
      test_uniform_params (&p, densities[i]);
      g_autoptr (SmpDesign) d = test_uniform_design (&p, pattern);
      double expected = densities[i] * 25.0; /* 25 cm² */
      gsize  n = smp_design_count (d, &field, NULL);
      double err = (n - expected) / expected;

      g_test_message ("density %g dots/cm²: %" G_GSIZE_FORMAT " dots, expected %.0f, error %+.2f%%",
                      densities[i], n, expected, 100 * err);
      g_assert_cmpfloat (fabs (err), <=, 0.03);
    }
}

static void
test_quality (void)
{
  static const double densities[] = { 10, 70, 150, 200 };

  for (guint i = 0; i < G_N_ELEMENTS (densities); i++)
    {
      SmpParams p;
      test_uniform_params (&p, densities[i]);
      /* A larger field: 100 × 100 mm. */
      SmpRect r = { 0, 0, 1000, 1000 };
      g_autoptr (SmpDesign) d = test_uniform_design (&p, NULL);
      g_autoptr (GArray) dots = smp_design_place (d, &r);
      g_autofree double *nn = test_nn_distances ((SmpDot *) dots->data, dots->len, 20.0);
      double min = INFINITY, mean = 0, var = 0, rho, cv;

      for (guint k = 0; k < dots->len; k++)
        min = MIN (min, nn[k]), mean += nn[k];
      mean /= dots->len;
      for (guint k = 0; k < dots->len; k++)
        var += (nn[k] - mean) * (nn[k] - mean);
      cv = sqrt (var / dots->len) / mean;
      rho = min / test_hex_spacing (1000.0 * 1000.0, dots->len);
      g_test_message ("density %g: %u dots, rho %.3f, NN-distance CV %.3f", densities[i], dots->len, rho, cv);
      g_printerr ("# quality at %g dots/cm²: rho = %.3f, NN CV = %.3f\n", densities[i], rho, cv);
      g_assert_cmpfloat (rho, >=, 0.65);
      /* Blue noise, not a lattice: a perfect grid would have CV 0, white noise ~0.52. */
      g_assert_cmpfloat (cv, >, 0.03);
      g_assert_cmpfloat (cv, <, 0.25);
    }
}

/* Hairline at y = 1000 px, scalp below, 1 m wide: density in 1 mm bands. */
static void
test_profile (void)
{
  SmpParams p;
  test_uniform_params (&p, 70);
  p.irregularity_mm = 0;
  p.micro_irregularity_mm = 0;
  p.fade_width_mm = 8;
  p.sentinel = 0.05;
  p.sentinel_depth_mm = 3;
  g_autoptr (SmpHairline) h = test_straight_hairline (1000.0);
  g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, NULL, NULL);
  SmpRect r = { 0, 900, 10000, 250 }; /* 1000 mm wide, -10..+15 mm */
  g_autoptr (GArray) dots = smp_design_place (d, &r);
  double band_count[25] = { 0 };
  double sentinel_count = 0;

  for (guint k = 0; k < dots->len; k++)
    {
      const SmpDot *dot = &g_array_index (dots, SmpDot, k);
      double depth = (dot->y - 1000.0) / 10.0;
      g_assert_cmpfloat (depth, >=, -p.sentinel_depth_mm); /* nothing ahead of the sentinels */
      band_count[(int) floor (depth + 10)]++;
      if (depth < 0)
        sentinel_count++;
    }
  for (int b = 0; b < 25; b++)
    {
      double depth0 = b - 10.0, expected = 0, measured;
      double area_cm2 = 1000.0 * 1.0 / 100.0;
      for (int s = 0; s < 100; s++) /* the band's mean requested profile */
        expected += smp_params_profile_density (&p, depth0 + (s + 0.5) / 100.0) / 100.0;
      measured = band_count[b] / area_cm2 / p.density_per_cm2;
      g_test_message ("band %+3.0f..%+3.0f mm: measured %.3f, requested %.3f", depth0, depth0 + 1,
                      measured, expected);
      /* Tolerance: 3% of full density plus 6% of the band's own level. */
      g_assert_cmpfloat (fabs (measured - expected), <=, 0.03 + 0.06 * expected);
    }
  {
    double expected = p.sentinel * p.density_per_cm2 * (1000.0 * p.sentinel_depth_mm / 100.0);
    g_test_message ("sentinel band: %.0f dots, expected %.0f", sentinel_count, expected);
    g_assert_cmpfloat (fabs (sentinel_count - expected), <=, 0.15 * expected);
  }
}

/* The defaults (irregularity on): still nothing past the sentinel depth, and the
 * effective line really undulates. */
static void
test_profile_irregular (void)
{
  SmpParams p;
  test_uniform_params (&p, 70);
  g_autoptr (SmpHairline) h = test_straight_hairline (1000.0);
  g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, NULL, NULL);
  SmpRect r = { 0, 900, 10000, 300 };
  g_autoptr (GArray) dots = smp_design_place (d, &r);
  double col_depth[20];

  /* Depth of the shallowest dense dot in each 50 mm column: the line's wander. */
  for (int c = 0; c < 20; c++)
    col_depth[c] = INFINITY;
  for (guint k = 0; k < dots->len; k++)
    {
      const SmpDot *dot = &g_array_index (dots, SmpDot, k);
      g_assert_cmpfloat (dot->depth_mm, >=, -p.sentinel_depth_mm);
      g_assert_cmpfloat (fabs (dot->depth_mm - (dot->y - 1000.0) / 10.0), <, 1e-3);
    }
  {
    /* Column density at 4 mm depth varies along the line. */
    double counts[20] = { 0 }, mean = 0, var = 0;
    for (guint k = 0; k < dots->len; k++)
      {
        const SmpDot *dot = &g_array_index (dots, SmpDot, k);
        if (dot->depth_mm >= 2 && dot->depth_mm < 6)
          counts[(int) (dot->x / 500)]++;
      }
    for (int c = 0; c < 20; c++)
      mean += counts[c] / 20;
    for (int c = 0; c < 20; c++)
      var += (counts[c] - mean) * (counts[c] - mean) / 20;
    g_test_message ("transition-zone column counts: mean %.1f, sd %.1f", mean, sqrt (var));
    g_assert_cmpfloat (sqrt (var), >, 0.1 * mean);
  }
  (void) col_depth;
}

static void
test_mask (void)
{
  SmpParams p;
  test_uniform_params (&p, 70);
  g_autofree float *cov = g_new (float, 500 * 500);
  SmpMask mask = { cov, 1000, 1000, 500, 500, 500, NULL };
  g_autoptr (SmpHairline) h = test_straight_hairline (-10000.0);
  gsize n_half = 0, n_full = 0;

  /* Left third: 0; middle third: 0.5; right third: 1. */
  for (int y = 0; y < 500; y++)
    for (int x = 0; x < 500; x++)
      cov[y * 500 + x] = x < 166 ? 0.0f : x < 333 ? 0.5f : 1.0f;
  g_autoptr (SmpDesign) d = smp_design_new (&p, h, &mask, NULL, NULL);
  g_autoptr (GArray) dots = smp_design_place (d, &field);
  for (guint k = 0; k < dots->len; k++)
    {
      const SmpDot *dot = &g_array_index (dots, SmpDot, k);
      g_assert_cmpfloat (smp_mask_sample (&mask, dot->x, dot->y), >, 0.0f);
      if (dot->x < 1000 + 333)
        n_half++;
      else
        n_full++;
    }
  {
    double half = n_half / (16.7 * 50 / 100.0) / 70.0, full = n_full / (16.7 * 50 / 100.0) / 70.0;
    g_test_message ("mask 0.5 → %.3f of full density; mask 1 → %.3f", half, full);
    g_assert_cmpfloat (fabs (half - 0.5), <=, 0.05);
    g_assert_cmpfloat (fabs (full - 1.0), <=, 0.05);
  }
  /* Outside the raster the mask is 0: nothing at all there. */
  {
    SmpRect outside = { 0, 0, 900, 900 };
    g_assert_cmpuint (smp_design_count (d, &outside, NULL), ==, 0);
  }
}

/* A tiled mask (uniform tiles shared, as the plug-in reads a large selection)
 * answers exactly as the dense raster: the same value everywhere, the same dots. */
static void
test_mask_tiled (void)
{
  const int T = SMP_MASK_TILE, w = 5 * T + 17, h = 3 * T + 5;
  SmpParams p;
  g_autofree float *cov = g_new (float, (gsize) w * h);
  gsize per_row = (gsize) (w + T - 1) / T, n_rows = (gsize) (h + T - 1) / T;
  g_autofree const float **tiles = g_new0 (const float *, per_row * n_rows);
  g_autoptr (GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (SmpHairline) h1 = test_straight_hairline (-10000.0);
  g_autoptr (SmpHairline) h2 = test_straight_hairline (-10000.0);

  /* A disc with a soft edge: tiles wholly 0, wholly 1 and mixed, ragged last ones. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double d = hypot (x - w / 2.0, y - h / 2.0);
        cov[(gsize) y * w + x] = (float) CLAMP ((h / 2.0 - d) / 6.0, 0.0, 1.0);
      }
  for (gsize ty = 0; ty < n_rows; ty++)
    for (gsize tx = 0; tx < per_row; tx++)
      {
        float *tile = g_new0 (float, (gsize) T * T);
        for (int r = 0; r < T && (int) ty * T + r < h; r++)
          for (int k = 0; k < T && (int) tx * T + k < w; k++)
            tile[r * T + k] = cov[(ty * T + r) * w + tx * T + k];
        g_ptr_array_add (owned, tile);
        tiles[ty * per_row + tx] = tile;
      }
  SmpMask dense = { cov, 300, 200, w, h, (gsize) w, NULL };
  SmpMask tiled = { NULL, 300, 200, w, h, 0, (const float *const *) tiles };

  for (int y = 190; y < 200 + h + 10; y++)
    for (int x = 290; x < 300 + w + 10; x++)
      g_assert_cmpfloat (smp_mask_sample (&dense, x + 0.5, y + 0.5), ==, smp_mask_sample (&tiled, x + 0.5, y + 0.5));

  test_uniform_params (&p, 70);
  p.px_per_mm = 20;
  g_autoptr (SmpDesign) a = smp_design_new (&p, h1, &dense, NULL, NULL);
  g_autoptr (SmpDesign) b = smp_design_new (&p, h2, &tiled, NULL, NULL);
  SmpRect r = { 300, 200, w, h };
  g_autoptr (GArray) da = smp_design_place (a, &r);
  g_autoptr (GArray) db = smp_design_place (b, &r);
  g_assert_cmpuint (da->len, >, 20);
  g_assert_cmpuint (da->len, ==, db->len);
  g_assert_cmpmem (da->data, da->len * sizeof (SmpDot), db->data, db->len * sizeof (SmpDot));
}

static guint8 *
render (const SmpDesign *d, const SmpRect *r, SmpPixelFormat fmt, guint sessions)
{
  gsize   bpp = smp_pixel_format_get_bpp (fmt);
  guint8 *px = g_malloc0 (bpp * r->width * r->height);
  g_autoptr (GError) error = NULL;

  g_assert_true (smp_design_render (d, r, 1.0, sessions, fmt, px, bpp * r->width, &error));
  g_assert_no_error (error);
  return px;
}

static SmpDesign *
hairline_design (guint32 seed, double density)
{
  SmpParams p;
  g_autoptr (SmpHairline) h = smp_hairline_new ();
  double xy[] = { 0, 400, 300, 330, 700, 420, 1200, 350 }; /* wavy, across the region */

  test_uniform_params (&p, density);
  p.seed = seed;
  p.scalp_side = SMP_SCALP_SIDE_AUTO;
  g_assert_true (smp_hairline_add_stroke (h, xy, 4, FALSE, NULL));
  return smp_design_new (&p, h, NULL, NULL, NULL);
}

static void
test_stability (void)
{
  SmpRect full = { 0, 0, 1100, 800 }; /* large enough for several threads */
  g_autoptr (SmpDesign) a = hairline_design (11, 70);
  g_autoptr (SmpDesign) b = hairline_design (11, 70);
  g_autoptr (SmpDesign) c = hairline_design (12, 70);
  static const SmpPixelFormat formats[] = { SMP_PIXEL_RGBA_U8, SMP_PIXEL_RGBA_U16, SMP_PIXEL_RGBA_FLOAT,
                                            SMP_PIXEL_YA_U8 };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      gsize bpp = smp_pixel_format_get_bpp (formats[f]);
      g_autofree guint8 *pa = render (a, &full, formats[f], SMP_SESSIONS_ALL);
      g_autofree guint8 *pb = render (b, &full, formats[f], SMP_SESSIONS_ALL);
      g_autofree guint8 *pc = render (c, &full, formats[f], SMP_SESSIONS_ALL);
      gsize size = bpp * full.width * full.height, nonzero = 0;

      for (gsize i = 0; i < size; i++)
        nonzero += pa[i] != 0;
      g_assert_cmpuint (nonzero, >, size / 100); /* there is something to compare */
      g_assert_true (memcmp (pa, pb, size) == 0);
      g_assert_false (memcmp (pa, pc, size) == 0);

      /* Regions, including ones cutting through dots and band edges, match the crop. */
      {
        static const SmpRect subs[] = { { 123, 77, 200, 150 }, { 0, 300, 1100, 131 }, { 517, 389, 1, 1 },
                                        { 1000, 700, 100, 100 } };
        for (guint s = 0; s < G_N_ELEMENTS (subs); s++)
          {
            g_autofree guint8 *ps = render (a, &subs[s], formats[f], SMP_SESSIONS_ALL);
            for (int y = 0; y < subs[s].height; y++)
              g_assert_true (memcmp (ps + bpp * subs[s].width * y,
                                     pa + bpp * (full.width * (subs[s].y + y) + subs[s].x),
                                     bpp * subs[s].width) == 0);
          }
      }
    }
}

/* The render's threads while it runs: tasks of this process, sampled. */
typedef struct
{
  volatile gint stop;
  int           peak;
} TaskWatch;

static int
count_tasks (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  int n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

static gpointer
watch_tasks (gpointer data)
{
  TaskWatch *w = data;

  while (!g_atomic_int_get (&w->stop))
    {
      w->peak = MAX (w->peak, count_tasks ());
      g_usleep (100);
    }
  return NULL;
}

/* Threads follow the caller's count (GIMP's preference in the plug-in), the
 * default is the machine's, and the pixels do not depend on it. */
static void
test_threads (void)
{
  SmpRect full = { 0, 0, 1100, 800 };
  g_autoptr (SmpDesign) d = hairline_design (11, 70);
  g_autofree guint8 *ref = NULL;
  gsize size = smp_pixel_format_get_bpp (SMP_PIXEL_RGBA_U8) * full.width * full.height;
  static const int counts[] = { 1, 2, 3, 7 };

  g_assert_cmpint (smp_design_get_threads (d), ==, (int) g_get_num_processors ());
  ref = render (d, &full, SMP_PIXEL_RGBA_U8, SMP_SESSIONS_ALL);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      TaskWatch w = { 0, 0 };
      GThread *watcher;
      g_autofree guint8 *px = NULL;
      int before;

      smp_design_set_threads (d, counts[i]);
      g_assert_cmpint (smp_design_get_threads (d), ==, counts[i]);
      before = count_tasks ();
      watcher = g_thread_new ("watch", watch_tasks, &w);
      px = render (d, &full, SMP_PIXEL_RGBA_U8, SMP_SESSIONS_ALL);
      g_atomic_int_set (&w.stop, 1);
      g_thread_join (watcher);
      g_assert_true (memcmp (px, ref, size) == 0);
      /* this thread, the watcher and at most counts[i] - 1 workers */
      g_assert_cmpint (w.peak, <=, before + 1 + counts[i] - 1);
    }
  smp_design_set_threads (d, 0);
  g_assert_cmpint (smp_design_get_threads (d), ==, (int) g_get_num_processors ());
}

static void
test_layers_one_pass (void)
{
  SmpRect r = { 100, 150, 900, 600 };
  g_autoptr (SmpDesign) d = hairline_design (21, 90);
  const guint masks[3] = { SMP_SESSION_BIT (0), SMP_SESSION_BIT (1) | SMP_SESSION_BIT (2), SMP_SESSIONS_ALL };
  gsize size = 4 * (gsize) r.width * r.height;
  g_autofree guint8 *a = g_malloc (size), *b = g_malloc (size), *c = g_malloc (size);
  void *const outs[3] = { a, b, c };

  g_assert_true (smp_design_render_layers (d, &r, 1.0, 3, masks, SMP_PIXEL_RGBA_U8, outs, 4 * r.width, NULL));
  for (int k = 0; k < 3; k++)
    {
      g_autofree guint8 *one = render (d, &r, SMP_PIXEL_RGBA_U8, masks[k]);
      g_assert_true (memcmp (one, outs[k], size) == 0);
    }
  g_assert_false (memcmp (a, c, size) == 0); /* the masks really differ */
}

static gboolean
contains_dot (GArray *dots, const SmpDot *dot)
{
  for (guint k = 0; k < dots->len; k++)
    {
      const SmpDot *o = &g_array_index (dots, SmpDot, k);
      if (o->x == dot->x && o->y == dot->y && o->rank == dot->rank)
        return TRUE;
    }
  return FALSE;
}

static void
test_progressive (void)
{
  SmpRect r = { 0, 0, 600, 600 };
  g_autoptr (SmpDesign) lo = hairline_design (5, 40);
  g_autoptr (SmpDesign) hi = hairline_design (5, 90);
  g_autoptr (GArray) a = smp_design_place (lo, &r);
  g_autoptr (GArray) b = smp_design_place (hi, &r);

  g_assert_cmpuint (a->len, >, 100);
  g_assert_cmpuint (b->len, >, a->len);
  for (guint k = 0; k < a->len; k++)
    g_assert_true (contains_dot (b, &g_array_index (a, SmpDot, k)));
  /* And the other way: lowering density only removes. */
  {
    guint kept = 0;
    for (guint k = 0; k < b->len; k++)
      kept += contains_dot (a, &g_array_index (b, SmpDot, k));
    g_assert_cmpuint (kept, ==, a->len);
  }
}

static void
test_sessions (void)
{
  SmpParams p;
  SmpRect r = { 0, 0, 1000, 1000 };
  gsize per[SMP_MAX_SESSIONS], total;

  test_uniform_params (&p, 70);
  g_autoptr (SmpDesign) d = test_uniform_design (&p, NULL);
  total = smp_design_count (d, &r, per);
  for (int k = 0; k < p.sessions; k++)
    {
      double share = (double) per[k] / total;
      g_test_message ("session %d: %.3f of dots (requested %.3f)", k + 1, share,
                      smp_params_session_share (&p, k));
      g_assert_cmpfloat (fabs (share - smp_params_session_share (&p, k)), <=, 0.02);
    }

  /* Later sessions fill between earlier dots: at least half the local spacing. */
  {
    g_autoptr (GArray) dots = smp_design_place (d, &r);
    double spacing = test_hex_spacing (1.0, p.density_per_cm2 / 100.0) * p.px_per_mm; /* px */
    double worst = INFINITY;
    for (guint i = 0; i < dots->len; i++)
      {
        const SmpDot *a = &g_array_index (dots, SmpDot, i);
        if (a->session == 0)
          continue;
        for (guint j = 0; j < dots->len; j++)
          {
            const SmpDot *b = &g_array_index (dots, SmpDot, j);
            if (b->session < a->session && fabs (a->x - b->x) < spacing && fabs (a->y - b->y) < spacing)
              worst = MIN (worst, hypot (a->x - b->x, a->y - b->y) / spacing);
          }
      }
    g_test_message ("closest later-session dot to an earlier one: %.3f of the local spacing", worst);
    g_assert_cmpfloat (worst, >=, 0.5);
  }
  /* Later sessions are darker. */
  {
    g_autoptr (GArray) dots = smp_design_place (d, &r);
    double alpha[SMP_MAX_SESSIONS] = { 0 };
    for (guint i = 0; i < dots->len; i++)
      alpha[g_array_index (dots, SmpDot, i).session] += g_array_index (dots, SmpDot, i).alpha;
    for (int k = 0; k + 1 < p.sessions; k++)
      g_assert_cmpfloat (alpha[k] / per[k], <, alpha[k + 1] / per[k + 1]);
  }
}

/* Each impression's darkening integral (core and shadow, per channel) lands in
 * the pixels whatever its size in pixels: this is what keeps the look the same
 * at every photo scale (docs/optics.md). */
static void
test_coverage (void)
{
  static const double diameters_px[] = { 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0 };

  for (guint i = 0; i < G_N_ELEMENTS (diameters_px); i++)
    for (int soft = 0; soft < 2; soft++)
      {
        SmpParams p;
        /* Fixed 0.25 mm impressions; the photo scale sets their size in pixels. */
        double   px_per_mm = diameters_px[i] / 0.25;
        int      m = (int) ceil (3.0 * px_per_mm) + 2; /* room for the shadows */
        int      side = (int) (60 * px_per_mm);
        g_autofree float *cov = g_new (float, (gsize) side * side);
        SmpMask  mask = { cov, m, m, side, side, side, NULL };
        SmpRect  r = { 0, 0, side + 2 * m, side + 2 * m }, inner = { m, m, side, side };
        g_autoptr (SmpHairline) h = test_straight_hairline (-100000.0);

        for (int k = 0; k < side * side; k++)
          cov[k] = 1.0f;
        test_uniform_params (&p, 5); /* ~5 mm apart: no overlaps */
        p.px_per_mm = px_per_mm;
        p.dot_diameter_mm = 0.25;
        p.size_jitter = 0;
        p.opacity = 1;
        p.softness = soft ? 0.8 : 0.0;
        p.sessions = 1;
        g_autoptr (SmpDesign) d = smp_design_new (&p, h, &mask, NULL, NULL);
        smp_design_set_output_linear (d, TRUE);
        g_autoptr (GArray) dots = smp_design_place (d, &inner);
        g_autofree float *px = (float *) render (d, &r, SMP_PIXEL_RGBA_FLOAT, SMP_SESSIONS_ALL);
        double want[3] = { 0 }, got[3] = { 0 };

        for (guint k = 0; k < dots->len; k++)
          {
            const SmpDot *dot = &g_array_index (dots, SmpDot, k);
            for (int c = 0; c < 3; c++)
              want[c] += dot->core_dark[c] + dot->shadow_dark[c];
          }
        for (int k = 0; k < r.width * r.height; k++)
          for (int c = 0; c < 3; c++)
            got[c] += px[4 * k + 3] * (1 - px[4 * k + c]); /* 1 − transmittance under Multiply */
        g_test_message ("diameter %.1f px, softness %.1f: %u dots, darkening %.2f vs %.2f px² (%+.2f%%)",
                        diameters_px[i], p.softness, dots->len, got[0], want[0], 100 * (got[0] / want[0] - 1));
        g_assert_cmpuint (dots->len, >, 30);
        for (int c = 0; c < 3; c++)
          g_assert_cmpfloat (fabs (got[c] / want[c] - 1), <=, 0.02);
      }
}

static void
test_stages (void)
{
  SmpParams p;
  double mean_r[3], dark[3][3];

  for (int s = 0; s < 3; s++)
    {
      test_uniform_params (&p, 70);
      p.size_jitter = 0;
      p.stage = s;
      g_autoptr (SmpDesign) d = test_uniform_design (&p, NULL);
      g_autoptr (GArray) dots = smp_design_place (d, &field);
      mean_r[s] = 0;
      memset (dark[s], 0, sizeof dark[s]);
      for (guint k = 0; k < dots->len; k++)
        {
          const SmpDot *dot = &g_array_index (dots, SmpDot, k);
          mean_r[s] += sqrt (dot->radius_x * dot->radius_y) / dots->len;
          for (int c = 0; c < 3; c++)
            dark[s][c] += (dot->core_dark[c] + dot->shadow_dark[c]) / dots->len;
        }
      g_test_message ("%s: radius %.3f px, darkening R %.2f G %.2f B %.2f px² per dot", smp_stage_to_string (s),
                      mean_r[s], dark[s][0], dark[s][1], dark[s][2]);
    }
  /* Healed: cores about half the fresh deposit, lighter, cooler (less blue removed
   * for each red); aged: spread beyond healed, lighter, cooler still. */
  g_assert_cmpfloat (fabs (mean_r[SMP_STAGE_HEALED] / mean_r[SMP_STAGE_FRESH] - 0.5), <, 0.02);
  g_assert_cmpfloat (mean_r[SMP_STAGE_AGED], >, mean_r[SMP_STAGE_HEALED]);
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (dark[SMP_STAGE_HEALED][c], <, dark[SMP_STAGE_FRESH][c]);
      g_assert_cmpfloat (dark[SMP_STAGE_AGED][c], <, dark[SMP_STAGE_HEALED][c]);
    }
  g_assert_cmpfloat (dark[SMP_STAGE_HEALED][2] / dark[SMP_STAGE_HEALED][0], <,
                     dark[SMP_STAGE_FRESH][2] / dark[SMP_STAGE_FRESH][0]);
  g_assert_cmpfloat (dark[SMP_STAGE_AGED][2] / dark[SMP_STAGE_AGED][0], <,
                     dark[SMP_STAGE_HEALED][2] / dark[SMP_STAGE_HEALED][0]);
}

static void
test_transparent_outside (void)
{
  g_autoptr (SmpDesign) d = hairline_design (3, 70);
  SmpRect r = { 0, 0, 600, 300 }; /* mostly forehead: above the line at y ~ 330-420 */
  g_autofree guint8 *px = render (d, &r, SMP_PIXEL_RGBA_U8, SMP_SESSIONS_ALL);
  g_autoptr (GArray) dots = smp_design_place (d, &(SmpRect) { -50, -50, 700, 400 });

  /* Every pixel with alpha lies within reach of a dot; the rest is exactly 0. */
  for (int y = 0; y < r.height; y++)
    for (int x = 0; x < r.width; x++)
      {
        const guint8 *q = px + 4 * (y * r.width + x);
        if (q[3] == 0)
          g_assert_true (q[0] == 0 && q[1] == 0 && q[2] == 0);
      }
  (void) dots;
}

static void
test_levels (void)
{
  /* A density map: left half 1/16 dot per px, right half none. */
  const int w = 800, h = 400;
  g_autofree guint16 *levels = g_new (guint16, w * h);
  SmpParams p;
  g_autoptr (GError) error = NULL;
  SmpRect left = { 0, 0, 400, 400 }, right = { 400, 0, 400, 400 };

  for (int i = 0; i < w * h; i++)
    levels[i] = (i % w) < 400 ? (guint16) (65535 * (1 - 1.0 / 16)) : 65535;
  smp_params_init_defaults (&p);
  g_autoptr (SmpDesign) d = smp_design_new_from_levels (&p, levels, w, h, w, NULL, &error);
  g_assert_no_error (error);
  {
    gsize n = smp_design_count (d, &left, NULL);
    double expected = 400.0 * 400 / 16;
    g_assert_cmpfloat (fabs (n - expected) / expected, <=, 0.03);
    g_assert_cmpuint (smp_design_count (d, &right, NULL), ==, 0);
  }
  /* All white asks for nothing: an error, not a crash. */
  for (int i = 0; i < w * h; i++)
    levels[i] = 65535;
  g_assert_null (smp_design_new_from_levels (&p, levels, w, h, w, NULL, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
}

static void
test_render_errors (void)
{
  g_autoptr (SmpDesign) d = hairline_design (1, 70);
  guint8 buf[64];
  g_autoptr (GError) error = NULL;

  g_assert_false (smp_design_render (d, &(SmpRect) { 0, 0, 0, 10 }, 1.0, SMP_SESSIONS_ALL,
                                     SMP_PIXEL_RGBA_U8, buf, 4, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  g_assert_false (smp_design_render (d, &(SmpRect) { 0, 0, 4, 4 }, 0.0, SMP_SESSIONS_ALL,
                                     SMP_PIXEL_RGBA_U8, buf, 16, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_clear_error (&error);
  g_assert_false (smp_design_render (d, &(SmpRect) { 0, 0, 4, 4 }, NAN, SMP_SESSIONS_ALL,
                                     SMP_PIXEL_RGBA_U8, buf, 16, &error));
  g_clear_error (&error);
  g_assert_false (smp_design_render (d, &(SmpRect) { 0, 0, 4, 4 }, 1.0, SMP_SESSIONS_ALL,
                                     SMP_PIXEL_RGBA_U8, buf, 8, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
}

typedef struct
{
  GThread *caller;
  int      calls, stop_after;
  double   last;
  gboolean rising, on_caller;
} Progress;

static gboolean
record_progress (double done, gpointer data)
{
  Progress *p = data;

  p->rising = p->rising && done >= p->last && done <= 1.0;
  p->on_caller = p->on_caller && g_thread_self () == p->caller;
  p->last = done;
  return ++p->calls != p->stop_after;
}

/* A render reports rising progress on the calling thread, reaching 1 (all
 * bands done) when single-threaded; a FALSE from the callback stops it at the
 * next band: SMP_ERROR_CANCELLED and rows never written. */
static void
test_render_progress (void)
{
  SmpParams p;
  g_autoptr (SmpHairline) h = test_straight_hairline (-10000.0);
  SmpRect small = { 0, 0, 300, 600 }, tall = { 0, 0, 400, 8000 };
  gsize size = (gsize) tall.width * tall.height * 4;
  g_autofree guint8 *pixels = g_malloc (size);
  void *out[] = { pixels };
  guint all = SMP_SESSIONS_ALL;
  Progress prog = { g_thread_self (), 0, 0, 0.0, TRUE, TRUE };
  SmpRenderOptions options = { NULL, record_progress, &prog };
  g_autoptr (GError) error = NULL;
  gsize untouched = 0;

  test_uniform_params (&p, 70);
  g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, NULL, NULL);
  /* small: one thread, every band on the caller */
  g_assert_true (smp_design_render_layers_with (d, &small, 1.0, 1, &all, SMP_PIXEL_RGBA_U8, out,
                                                4 * small.width, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpint (prog.calls, >=, 2);
  g_assert_true (prog.rising && prog.on_caller);
  g_assert_cmpfloat (prog.last, ==, 1.0);
  /* the same pixels as without options */
  {
    g_autofree guint8 *ref = g_malloc ((gsize) small.width * small.height * 4);
    g_assert_true (smp_design_render (d, &small, 1.0, all, SMP_PIXEL_RGBA_U8, ref, 4 * small.width, NULL));
    g_assert_cmpmem (ref, (gsize) small.width * small.height * 4, pixels, (gsize) small.width * small.height * 4);
  }

  /* tall, threaded: stop at the first report */
  prog = (Progress) { g_thread_self (), 0, 1, 0.0, TRUE, TRUE };
  memset (pixels, 0xab, size);
  g_assert_false (smp_design_render_layers_with (d, &tall, 1.0, 1, &all, SMP_PIXEL_RGBA_U8, out,
                                                 4 * tall.width, &options, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_CANCELLED);
  g_assert_cmpint (prog.calls, ==, 1);
  g_assert_true (prog.on_caller);
  for (int y = 0; y < tall.height; y++)
    if (pixels[(gsize) y * tall.width * 4] == 0xab && pixels[(gsize) y * tall.width * 4 + 3] == 0xab)
      untouched++;
  g_test_message ("cancelled after one band: %" G_GSIZE_FORMAT " of %d rows never written", untouched, tall.height);
  g_assert_cmpuint (untouched, >, tall.height / 2);
}

/* Region exactness of 8-bit RGBA, every byte: the flat fast path (no photo) lerps
 * the shadow's colour per cell, so a cell holding no shadow must get a colour
 * that does not depend on where the region starts. Overlapping faint shadows
 * (90 dots/cm²) at 5 and 12 px/mm; offsets not multiples of 32 nor of a band. */
static void
test_region_exact_u8 (void)
{
  static const double ppm[] = { 5.0, 12.0 };
  static const SmpRect full = { 0, 0, 900, 560 };
  static const SmpRect subs[] = { { 37, 45, 213, 171 }, { 333, 219, 301, 97 }, { 101, 5, 3, 500 },
                                  { 611, 13, 257, 401 }, { 5, 301, 894, 67 }, { 450, 333, 17, 19 },
                                  { 289, 150, 77, 300 } };
  const gsize stride = 4 * full.width;
  g_autofree float *skin = g_new (float, (gsize) full.width * full.height * 3);
  SmpPhoto photo = { skin, full.x, full.y, full.width, full.height, 3 * (gsize) full.width,
                     { 0.45, 0.33, 0.22 } };

  for (gsize i = 0; i < (gsize) full.width * full.height; i++)
    skin[3 * i] = 0.55f, skin[3 * i + 1] = 0.38f, skin[3 * i + 2] = 0.30f + 0.2f * (float) (i % 7) / 7.0f;
  for (guint s = 0; s < G_N_ELEMENTS (ppm); s++)
    for (int withphoto = 0; withphoto < 2; withphoto++)
      {
        SmpParams p;
        g_autoptr (SmpHairline) h = smp_hairline_new ();
        double xy[] = { 0, 200, 300, 130, 700, 220, 1200, 150 };
        g_autoptr (SmpDesign) d = NULL;
        g_autofree guint8 *a = g_malloc0 (stride * full.height);
        const SmpPhoto *ph = withphoto ? &photo : NULL;
        gsize lit = 0, faint = 0, differ = 0;

        test_uniform_params (&p, 90);
        p.px_per_mm = ppm[s];
        p.seed = 5;
        p.scalp_side = SMP_SCALP_SIDE_AUTO;
        g_assert_true (smp_hairline_add_stroke (h, xy, 4, FALSE, NULL));
        d = smp_design_new (&p, h, NULL, NULL, NULL);
        g_assert_true (smp_design_render_over (d, &full, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, a, stride, ph,
                                               NULL));
        for (gsize i = 3; i < stride * full.height; i += 4)
          lit += a[i] > 0, faint += a[i] > 0 && a[i] < 8;
        g_assert_cmpuint (lit, >, (gsize) full.width * full.height / 10);
        g_assert_cmpuint (faint, >, 100); /* faint shadow to get wrong */
        for (guint r = 0; r < G_N_ELEMENTS (subs); r++)
          {
            const SmpRect *q = &subs[r];
            g_autofree guint8 *c = g_malloc0 (4 * (gsize) q->width * q->height);
            g_assert_true (smp_design_render_over (d, q, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, c,
                                                   4 * (gsize) q->width, ph, NULL));
            for (int y = 0; y < q->height; y++)
              for (int x = 0; x < 4 * q->width; x++)
                differ += c[(gsize) y * 4 * q->width + x] !=
                          a[(gsize) (q->y + y) * stride + 4 * (gsize) q->x + x];
          }
        if (differ)
          g_test_message ("%.0f px/mm, %s: %" G_GSIZE_FORMAT " bytes differ from the crop", ppm[s],
                          withphoto ? "photo" : "no photo", differ);
        g_assert_cmpuint (differ, ==, 0);
      }
}

/* The render's AVX2 copies (shadows into cells, cells to 8 bits, shadow-only runs,
 * pixels holding a core) give the SSE2 code's bytes (SMP_ENGINE_NO_AVX2 picks the
 * latter): one-pixel shadow cells (0.125 of 12 px/mm) and wide ones (40 px/mm), faint
 * shadows at their edges, crops starting at odd columns. */
static void
test_simd_exact_u8 (void)
{
  static const struct { double px_per_mm, scale; SmpRect region; } cases[] = {
    { 12.0, 0.125, { 0, 0, 160, 90 } },  { 12.0, 1.0, { 3, 101, 611, 203 } },
    { 40.0, 0.37, { 77, 41, 513, 301 } }, { 5.0, 2.5, { 905, 20, 407, 233 } },
  };

#if defined(__x86_64__) && defined(__GNUC__)
  if (!__builtin_cpu_supports ("avx2"))
#endif
    {
      g_test_skip ("no AVX2 on this CPU: one emit only");
      return;
    }
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      const SmpRect *q = &cases[k].region;
      const gsize stride = 4 * (gsize) q->width, n = stride * q->height;
      SmpParams p;
      g_autoptr (SmpHairline) h = smp_hairline_new ();
      double xy[] = { 0, 200, 300, 130, 700, 220, 1200, 150 };
      g_autoptr (SmpDesign) d = NULL;
      g_autofree guint8 *fast = g_malloc0 (n), *plain = g_malloc0 (n);
      gsize lit = 0, differ = 0;

      test_uniform_params (&p, 90);
      p.px_per_mm = cases[k].px_per_mm;
      p.seed = 11;
      p.scalp_side = SMP_SCALP_SIDE_AUTO;
      for (guint i = 0; i < G_N_ELEMENTS (xy); i++)
        xy[i] *= cases[k].px_per_mm / 12.0;
      g_assert_true (smp_hairline_add_stroke (h, xy, 4, FALSE, NULL));
      d = smp_design_new (&p, h, NULL, NULL, NULL);
      g_assert_true (smp_design_render (d, q, cases[k].scale, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, fast, stride, NULL));
      g_setenv ("SMP_ENGINE_NO_AVX2", "1", TRUE);
      g_assert_true (smp_design_render (d, q, cases[k].scale, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, plain, stride, NULL));
      g_unsetenv ("SMP_ENGINE_NO_AVX2");
      for (gsize i = 0; i < n; i++)
        differ += fast[i] != plain[i], lit += i % 4 == 3 && fast[i] > 0;
      g_test_message ("%.0f px/mm at %.3f: %" G_GSIZE_FORMAT " px lit, %" G_GSIZE_FORMAT " bytes differ",
                      cases[k].px_per_mm, cases[k].scale, lit, differ);
      g_assert_cmpuint (lit, >, (gsize) q->width * q->height / 10);
      g_assert_cmpuint (differ, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/design/density-accuracy", test_density_accuracy);
  g_test_add_func ("/design/quality", test_quality);
  g_test_add_func ("/design/profile", test_profile);
  g_test_add_func ("/design/profile-irregular", test_profile_irregular);
  g_test_add_func ("/design/mask", test_mask);
  g_test_add_func ("/design/mask-tiled", test_mask_tiled);
  g_test_add_func ("/design/render-progress", test_render_progress);
  g_test_add_func ("/design/stability", test_stability);
  g_test_add_func ("/design/region-exact-u8", test_region_exact_u8);
  g_test_add_func ("/design/simd-exact-u8", test_simd_exact_u8);
  g_test_add_func ("/design/threads", test_threads);
  g_test_add_func ("/design/progressive", test_progressive);
  g_test_add_func ("/design/layers-one-pass", test_layers_one_pass);
  g_test_add_func ("/design/sessions", test_sessions);
  g_test_add_func ("/design/coverage", test_coverage);
  g_test_add_func ("/design/stages", test_stages);
  g_test_add_func ("/design/transparent-outside", test_transparent_outside);
  g_test_add_func ("/design/levels", test_levels);
  g_test_add_func ("/design/render-errors", test_render_errors);
  return g_test_run ();
}
