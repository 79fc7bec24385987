/* bench-engine.c: engine figures: realistic (24 MP, 20 px/mm, 3 sessions), stress
 * (a 16-bit density map, dither-style), preview (800 × 600 re-render) and robust (the
 * complexity budgets of issue 12, whose limits test-budget.c enforces). Prints, asserts nothing. */
#include <smp/smp.h>
#include "../common/robust-inputs.h"
#include "bench-hairline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define RUNS 7

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static double
peak_mb (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static double
rss_mb (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");
  if (f)
    {
      if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
      fclose (f);
    }
  return resident * 4096.0 / (1024 * 1024);
}

static const char *
loadavg (char text[16])
{
  FILE *f = fopen ("/proc/loadavg", "r");

  text[0] = '\0';
  if (f)
    {
      if (fscanf (f, "%15s", text) != 1)
        text[0] = '\0';
      fclose (f);
    }
  return text;
}

/* A wavy hairline across a 6000-px-wide frontal photo, as the stress map's. */
static SmpHairline *
realistic_hairline (void)
{
  return hairline_from (wavy, 6000);
}

static void
realistic (void)
{
  const int W = 6000, H = 4000;
  SmpParams p;
  g_autoptr (SmpHairline) h = realistic_hairline ();
  g_autoptr (SmpPattern) pattern = NULL;
  g_autofree guint8 *px = g_malloc (4 * (gsize) W * H);
  g_autofree guint8 *layer2 = g_malloc (4 * (gsize) W * H);
  g_autofree guint8 *layer3 = g_malloc (4 * (gsize) W * H);
  SmpRect all = { 0, 0, W, H };
  double t_comp[RUNS], t_layers[RUNS], t_memset[RUNS], t_pattern;
  char   load[16];
  gsize dots = 0;

  smp_params_init_defaults (&p);
  p.px_per_mm = 20;
  t_pattern = now ();
  pattern = smp_pattern_new (p.seed);
  t_pattern = now () - t_pattern;
  for (int r = 0; r < RUNS; r++)
    {
      double t0 = now ();
      g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, pattern, NULL);
      smp_design_render (d, &all, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, px, 4 * W, NULL);
      t_comp[r] = now () - t0;
      t0 = now ();
      {
        /* What the plug-in does: a layer per session, in one placement pass. */
        const guint masks[3] = { SMP_SESSION_BIT (0), SMP_SESSION_BIT (1), SMP_SESSION_BIT (2) };
        void *const outs[3] = { px, layer2, layer3 };
        smp_design_render_layers (d, &all, 1.0, 3, masks, SMP_PIXEL_RGBA_U8, outs, 4 * W, NULL);
      }
      t_layers[r] = now () - t0;
      /* The physical floor: writing the same (warm) output buffer once, in the same run. */
      t0 = now ();
      memset (px, r, 4 * (gsize) W * H);
      t_memset[r] = now () - t0;
      if (px[4 * (gsize) W * H - 1] != (guint8) r) /* keep the memset */
        abort ();
      if (r == 0)
        dots = smp_design_count (d, &all, NULL);
    }
  printf ("realistic  %.3f s  dots %" G_GSIZE_FORMAT "  peak %.0f MB  (6000x4000 RGBA u8, 20 px/mm, all 3 "
          "sessions in one buffer; three session layers in one pass: %.3f s; pattern for a new seed: %.3f s)\n",
          median (t_comp, RUNS), dots, peak_mb (), median (t_layers, RUNS), t_pattern);
  printf ("realistic  %.2fx a warm memset of the same 92 MB buffer in this run (memset median %.4f s, "
          "render median %.3f s; load %s)\n", median (t_comp, RUNS) / median (t_memset, RUNS),
          median (t_memset, RUNS), median (t_comp, RUNS), loadavg (load));
}

static guint16 *
read_pgm16 (const char *path, int *w, int *h)
{
  g_autofree char *data = NULL;
  gsize len;
  int   maxval, off = 0;
  guint16 *out;

  if (!g_file_get_contents (path, &data, &len, NULL) ||
      sscanf (data, "P5 %d %d %d%n", w, h, &maxval, &off) != 3 || maxval != 65535 ||
      (gsize) off + 1 + 2 * (gsize) *w * *h > len)
    {
      fprintf (stderr, "bench: %s is not a 16-bit binary PGM\n", path);
      exit (2);
    }
  out = g_new (guint16, (gsize) *w * *h);
  for (gsize i = 0; i < (gsize) *w * *h; i++) /* PGM is big-endian */
    out[i] = (guint16) (((guint8) data[off + 1 + 2 * i] << 8) | (guint8) data[off + 2 + 2 * i]);
  return out;
}

/* The map the peer figures were measured on (see the README), made here when
 * no file is given: full density one dot per 16 px², about 500k dots. */
static guint16 *
make_stress_map (int *w, int *h)
{
  guint16 *out;

  *w = 6000, *h = 4000;
  out = g_new (guint16, (gsize) *w * *h);
  for (int y = 0; y < *h; y++)
    for (int x = 0; x < *w; x++)
      {
        double yh = 1400 + 250 * sin (x / 900.0) + 60 * sin (x / 137.0);
        double d = y < yh ? 1 : pow (MAX (0, 1 - (y - yh) / 600), 1.5);
        int ins = pow ((x - 3000) / 2700.0, 2) + pow ((y - 1200) / 1500.0, 2) < 1;
        double m = round (255 * d * ins);
        out[(gsize) y * *w + x] = (guint16) (65535 * (1 - m / 255 / 16));
      }
  return out;
}

static void
stress (const char *path)
{
  int w, h;
  double t_start_rss = rss_mb ();
  g_autofree guint16 *map = path ? read_pgm16 (path, &w, &h) : make_stress_map (&w, &h);
  double map_mb = 2.0 * w * h / (1024 * 1024), out_mb = 4.0 * w * h / (1024 * 1024);
  g_autofree guint8 *px = g_malloc (4 * (gsize) w * h);
  SmpParams p;
  SmpRect all = { 0, 0, w, h };
  double t[RUNS], before;
  gsize dots = 0;
  g_autoptr (SmpPattern) pattern = NULL;

  smp_params_init_defaults (&p);
  p.px_per_mm = 10; /* 0.25 mm impressions: 2.5 px */
  p.sessions = 1;
  pattern = smp_pattern_new (p.seed);
  memset (px, 0, 4 * (gsize) w * h); /* fault the output in before measuring */
  before = rss_mb ();
  for (int r = 0; r < RUNS; r++)
    {
      double t0 = now ();
      g_autoptr (GError) error = NULL;
      g_autoptr (SmpDesign) d = smp_design_new_from_levels (&p, map, w, h, w, pattern, &error);
      if (!d)
        {
          fprintf (stderr, "bench: %s\n", error->message);
          exit (2);
        }
      smp_design_render (d, &all, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, px, 4 * (gsize) w, NULL);
      t[r] = now () - t0;
      if (r == 0)
        dots = smp_design_count (d, &all, NULL);
    }
  printf ("stress     %.3f s  dots %" G_GSIZE_FORMAT "  peak %.0f MB  (%dx%d map %s; output RGBA u8 %.0f MB, "
          "map %.0f MB, engine working set %.0f MB = %.2fx the output; peak / output = %.2f)\n",
          median (t, RUNS), dots, peak_mb (), w, h, path ? path : "synthesised", out_mb, map_mb,
          peak_mb () - before, (peak_mb () - before) / out_mb, (peak_mb () - t_start_rss) / out_mb);
}

static void
preview (void)
{
  SmpParams p;
  g_autoptr (SmpHairline) h = realistic_hairline ();
  g_autoptr (SmpPattern) pattern = NULL;
  SmpRect region = { 2600, 1000, 800, 600 }; /* across the hairline */
  g_autofree guint8 *px = g_malloc (4 * 800 * 600);
  double t[RUNS * 4];
  gsize dots = 0;

  smp_params_init_defaults (&p);
  p.px_per_mm = 20;
  pattern = smp_pattern_new (p.seed);
  {
    g_autoptr (SmpDesign) warm = smp_design_new (&p, h, NULL, pattern, NULL);
    smp_design_render (warm, &region, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, px, 4 * 800, NULL);
  }
  for (int r = 0; r < RUNS * 4; r++)
    {
      double t0 = now ();
      p.density_per_cm2 = 60 + (r % 5) * 5; /* one parameter changes */
      g_autoptr (SmpDesign) d = smp_design_new (&p, h, NULL, pattern, NULL);
      smp_design_render (d, &region, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, px, 4 * 800, NULL);
      t[r] = now () - t0;
      if (r == 0)
        dots = smp_design_count (d, &region, NULL);
    }
  printf ("preview    %.4f s  dots %" G_GSIZE_FORMAT "  peak %.0f MB  (800x600 at 20 px/mm after a density "
          "change; design remade, pattern kept)\n", median (t, RUNS * 4), dots, peak_mb ());
}

/* The cases of tests/unit/test-budget.c, median of three: the figures its limits
 * (about 10× these) were set from. */
static void
robust (void)
{
  double t[3];

  {
    g_autoptr (GArray) xy = robust_zigzag (50000, 4, 3, 0.25);
    for (int r = 0; r < 3; r++)
      {
        g_autoptr (SmpHairline) h = smp_hairline_new ();
        double t0 = now ();
        if (!smp_hairline_add_stroke (h, (double *) xy->data, xy->len / 2, FALSE, NULL))
          abort ();
        t[r] = now () - t0;
      }
    printf ("robust     %.3f s  simplify a 50,000-anchor zigzag (%u points; Douglas-Peucker's worst case)\n",
            median (t, 3), xy->len / 2);
  }
  for (guint n = 100; n <= 1000; n = n == 100 ? 300 : n == 300 ? 1000 : 1001)
    {
      for (int r = 0; r < 3; r++)
        {
          g_autoptr (SmpPattern) pattern = smp_pattern_new (1);
          double w, ht, t0 = now ();
          g_autoptr (SmpHairline) h = robust_patches (n, &w, &ht);
          SmpRect canvas = { -200, -200, (int) w + 400, (int) ht + 400 }, extent;
          SmpParams p;
          g_autoptr (SmpDesign) d = NULL;

          smp_params_init_defaults (&p);
          p.px_per_mm = 10;
          d = smp_design_new (&p, h, NULL, pattern, NULL);
          if (!d || !smp_design_get_extent (d, &canvas, &extent))
            abort ();
          t[r] = now () - t0;
        }
      printf ("robust     %.3f s  design extent with %u closed strokes (strokes added, index and design made)\n", median (t, 3), n);
    }
  {
    static const struct { gsize n; double length; } cases[] = { { 10000, 2000 }, { 100000, 20000 }, { 2000000, 1e6 } };
    SmpFaceFrame fr = robust_frame ();
    SmpParams p;

    smp_params_init_defaults (&p);
    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      for (int frame = 1; frame >= 0; frame--)
        {
          g_autoptr (GArray) xy = robust_face_line (cases[k].n, cases[k].length);
          for (int r = 0; r < 3; r++)
            {
              double t0 = now ();
              g_autoptr (GPtrArray) f = smp_face_check_design ((double *) xy->data, xy->len / 2, frame ? &fr : NULL,
                                                               &p, 10, FALSE, NULL, NULL);
              t[r] = now () - t0;
            }
          printf ("robust     %.4f s  design checks, %" G_GSIZE_FORMAT " points over %.0f px, %s\n", median (t, 3),
                  cases[k].n, cases[k].length, frame ? "with a face frame" : "no frame");
        }
  }
  printf ("robust     peak %.0f MB\n", peak_mb ());
}

int
main (int argc, char **argv)
{
  const char *which = argc > 1 ? argv[1] : "all";

  if (!strcmp (which, "realistic"))
    realistic ();
  else if (!strcmp (which, "stress"))
    stress (argc > 2 ? argv[2] : NULL);
  else if (!strcmp (which, "preview"))
    preview ();
  else if (!strcmp (which, "robust"))
    robust ();
  else
    {
      fprintf (stderr, "usage: bench-engine realistic | stress [MAP.pgm] | preview | robust\n");
      return 2;
    }
  return 0;
}
