/* bench-count.c: one small engine case per run, for instruction counts (count-instructions.py
 * runs it under `valgrind --tool=callgrind --instr-atstart=no`) and output hashes. */
#include <smp/smp.h>
#include "bench-hairline.h"

#if defined(__has_include) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only the public API that every engine version since the bands has: this file also
 * builds against an older checkout, so both sides of a ratio run the same case (before
 * the optics model, build it with -DBENCH_COUNT_NO_SHINE: `identity` then has no photo). */

/* Instrumentation is switched on for the counted work only; it is process-wide, so the
 * render's worker threads are counted too. */
#define COUNTED __attribute__ ((noinline, used))

static guint64
fnv1a (guint64 h, const guint8 *p, gsize n)
{
  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}



static SmpDesign *
design_or_die (const SmpParams *p, SmpHairline *h, SmpPattern *pattern)
{
  g_autoptr (GError) error = NULL;
  SmpDesign *d = smp_design_new (p, h, NULL, pattern, &error);
  if (!d)
    {
      fprintf (stderr, "bench-count: %s\n", error->message);
      exit (2);
    }
  return d;
}

static SmpDesign *
rerender (const SmpParams *p, SmpHairline *h, SmpPattern *pattern, const SmpRect *region, double scale,
          guint n, const guint *masks, void *const *outs)
{
  SmpDesign *d = design_or_die (p, h, pattern);
  if (!smp_design_render_layers (d, region, scale, n, masks, SMP_PIXEL_RGBA_U8, outs, 4 * (gsize) region->width,
                                 NULL))
    abort ();
  return d;
}

/* One re-render after a density change: the design remade, pattern and hairline index kept. */
static COUNTED SmpDesign *
counted_rerender (const SmpParams *p, SmpHairline *h, SmpPattern *pattern, const SmpRect *region, double scale,
                  guint n, const guint *masks, void *const *outs)
{
  SmpDesign *d;

  CALLGRIND_START_INSTRUMENTATION;
  d = rerender (p, h, pattern, region, scale, n, masks, outs);
  CALLGRIND_STOP_INSTRUMENTATION;
  return d;
}

static COUNTED SmpPattern *
counted_pattern (guint32 seed)
{
  SmpPattern *pattern;

  CALLGRIND_START_INSTRUMENTATION;
  pattern = smp_pattern_new (seed);
  CALLGRIND_STOP_INSTRUMENTATION;
  return pattern;
}

typedef struct
{
  const char *name, *what;
  int         photo_w, photo_h;
  double      px_per_mm;
  double (*curve) (double);
  SmpRect     region;
  double      scale;
  int         layers;    /* 0: one buffer, all sessions; else one layer per session */
  double      density, dot_mm;
  int         stage;     /* -1: default */
} Case;

static const Case cases[] = {
  { "preview", "bench-engine's preview: 800x600 at 20 px/mm, scale 1, all sessions in one buffer, after a density change",
    6000, 4000, 20, wavy, { 2600, 1000, 800, 600 }, 1.0, 0, 65, 0, -1 },
  { "preview-fit", "the dialog's default view of the GUI bench: 6000x4000 at 12 px/mm seen whole at scale 0.125 (750x500), three session layers, after a density change",
    6000, 4000, 12, gui_bench_curve, { 0, 0, 750, 500 }, 0.125, 3, 72, 0, -1 },
  { "preview-dialog", "the GUI bench's default view as the dialog now frames it: 1299x702 at scale 0.216 over 6000x4000 at 12 px/mm, three session layers, after a density change",
    6000, 4000, 12, gui_bench_curve, { 0, 124, 1299, 702 }, 0.216, 3, 72, 0, -1 },
  { "realistic-crop", "realistic's design (20 px/mm, defaults): a 1500x1000 region across the hairline, three session layers",
    6000, 4000, 20, wavy, { 2250, 900, 1500, 1000 }, 1.0, 3, 0, 0, -1 },
  { "wide-chunk", "a plug-in chunk of a 12000-px-wide photo at 5 px/mm: 12000x128 across the hairline, three session layers",
    12000, 4000, 5, wavy, { 0, 1300, 12000, 128 }, 1.0, 3, 0, 0, -1 },
  { "footprint", "issue 12 row 15: 1.5 mm aged impressions at 200 px/mm, density 200: a 1200x900 region behind the line",
    6000, 4000, 200, wavy, { 2400, 0, 1200, 900 }, 1.0, 0, 200, 1.5, SMP_STAGE_AGED },
};

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* `time CASE ROUNDS`: the counted re-render ROUNDS times more, in turn with the 8-bit
 * emit's AVX2 copies and without them (SMP_ENGINE_NO_AVX2: its SSE2 code; both give the
 * same bytes), each re-render timed alone: the same input, the same work. */
static void
time_rerenders (const Case *c, const SmpParams *p, SmpHairline *h, SmpPattern *pattern, guint n,
                const guint *masks, void *const *outs, int rounds)
{
  g_autofree double *t = g_new (double, 2 * (gsize) rounds);
  const char *side[2] = { "AVX2 emit", "SSE2 emit" };
  double med[2];
  char   load[64] = "?";
  FILE  *f;

  for (int r = 0; r < rounds; r++)
    for (int k = 0; k < 2; k++)
      {
        gint64 t0;
        if (k)
          g_setenv ("SMP_ENGINE_NO_AVX2", "1", TRUE);
        t0 = g_get_monotonic_time ();
        smp_design_free (rerender (p, h, pattern, &c->region, c->scale, n, masks, outs));
        t[k * rounds + r] = (g_get_monotonic_time () - t0) / 1000.0;
        g_unsetenv ("SMP_ENGINE_NO_AVX2");
      }
  if ((f = fopen ("/proc/loadavg", "r")))
    {
      if (!fgets (load, sizeof load, f))
        strcpy (load, "?");
      load[strcspn (load, "\n")] = '\0';
      fclose (f);
    }
  for (int k = 0; k < 2; k++)
    {
      double *v = t + k * rounds;
      qsort (v, (size_t) rounds, sizeof *v, cmp_double);
      med[k] = v[rounds / 2];
      printf ("time  %s  %-12s re-render min %.2f  median %.2f  max %.2f ms (%d rounds in turn)\n", c->name,
              side[k], v[0], med[k], v[rounds - 1], rounds);
    }
  printf ("time  %s  AVX2 / SSE2 medians %.3fx  (load %s)\n", c->name, med[0] / med[1], load);
}

static int
run_case (const Case *c, int time_rounds)
{
  SmpParams p;
  g_autoptr (SmpHairline) h = hairline_from (c->curve, c->photo_w);
  g_autoptr (SmpPattern) pattern = NULL;
  const int n = c->layers ? c->layers : 1;
  const guint masks[3] = { c->layers ? SMP_SESSION_BIT (0) : SMP_SESSIONS_ALL, SMP_SESSION_BIT (1),
                           SMP_SESSION_BIT (2) };
  gsize    size = 4 * (gsize) c->region.width * c->region.height;
  guint8  *buf[3];
  void    *outs[3];
  guint64  hash = 0xcbf29ce484222325ull;
  gsize    dots;

  smp_params_init_defaults (&p);
  p.px_per_mm = c->px_per_mm;
  if (c->dot_mm > 0)
    p.dot_diameter_mm = c->dot_mm;
  if (c->stage >= 0)
    p.stage = (SmpStage) c->stage;
  for (int k = 0; k < n; k++)
    outs[k] = buf[k] = g_malloc (size);
  pattern = smp_pattern_new (p.seed);
  {
    /* Warm: the hairline's index is built, as in the dialog after its first refresh. */
    g_autoptr (SmpDesign) warm = rerender (&p, h, pattern, &c->region, c->scale, n, masks, outs);
  }
  if (c->density > 0)
    p.density_per_cm2 = c->density;
  {
    g_autoptr (SmpDesign) d = counted_rerender (&p, h, pattern, &c->region, c->scale, n, masks, outs);
    SmpRect seen = { (int) floor (c->region.x / c->scale), (int) floor (c->region.y / c->scale),
                     (int) ceil (c->region.width / c->scale), (int) ceil (c->region.height / c->scale) };
    dots = smp_design_count (d, &seen, NULL);
  }
  if (time_rounds > 0)
    time_rerenders (c, &p, h, pattern, n, masks, outs, time_rounds);
  for (int k = 0; k < n; k++)
    {
      hash = fnv1a (hash, buf[k], size);
      g_free (buf[k]);
    }
  printf ("%s  dots %" G_GSIZE_FORMAT "  output fnv1a %016" G_GINT64_MODIFIER "x  (%s)\n", c->name, dots, hash,
          c->what);
  return 0;
}

static double
flat (double x)
{
  (void) x;
  return 4000;
}

/* Issue 12 row 15 in full, timed (too large for callgrind): 1.5 mm aged impressions at
 * 200 px/mm, density 200, a 4000x3800 region behind a straight line. */
static int
row15 (void)
{
  SmpParams p;
  g_autoptr (SmpHairline) h = hairline_from (flat, 4000);
  g_autoptr (SmpPattern) pattern = smp_pattern_new (1);
  g_autoptr (SmpDesign) d = NULL;
  SmpRect region = { 0, 0, 4000, 3800 };
  g_autofree guint8 *buf = g_malloc (4 * (gsize) region.width * region.height);
  gint64 t0;
  double t;

  smp_params_init_defaults (&p);
  p.px_per_mm = 200;
  p.dot_diameter_mm = 1.5;
  p.density_per_cm2 = 200;
  p.stage = SMP_STAGE_AGED;
  t0 = g_get_monotonic_time ();
  d = design_or_die (&p, h, pattern);
  if (!smp_design_render (d, &region, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, buf, 4 * (gsize) region.width,
                          NULL))
    abort ();
  t = (g_get_monotonic_time () - t0) / 1e6;
  printf ("row15  %.2f s  dots %" G_GSIZE_FORMAT "  output fnv1a %016" G_GINT64_MODIFIER "x  (1.5 mm aged at 200 px/mm, "
          "density 200, 4000x3800)\n", t, smp_design_count (d, &region, NULL),
          fnv1a (0xcbf29ce484222325ull, buf, 4 * (gsize) region.width * region.height));
  return 0;
}

/* bench-engine's stress map at a quarter of its size (1500x1000, one dot per 16 px² at
 * full), one session in one buffer: the design from levels and the render counted. */
static COUNTED SmpDesign *
counted_levels (const SmpParams *p, const guint16 *map, int w, int h, SmpPattern *pattern, guint8 *out)
{
  SmpDesign *d;
  SmpRect    all = { 0, 0, w, h };

  CALLGRIND_START_INSTRUMENTATION;
  d = smp_design_new_from_levels (p, map, w, h, w, pattern, NULL);
  if (!d || !smp_design_render (d, &all, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, out, 4 * (gsize) w, NULL))
    abort ();
  CALLGRIND_STOP_INSTRUMENTATION;
  return d;
}

static int
stress_small (void)
{
  const int w = 1500, h = 1000;
  g_autofree guint16 *map = g_new (guint16, (gsize) w * h);
  g_autofree guint8 *out = g_malloc (4 * (gsize) w * h);
  g_autoptr (SmpPattern) pattern = NULL;
  g_autoptr (SmpDesign) d = NULL;
  SmpParams p;
  SmpRect all = { 0, 0, w, h };

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double yh = 350 + 62.5 * sin (x / 225.0) + 15 * sin (x / 34.25);
        double dd = y < yh ? 1 : pow (MAX (0, 1 - (y - yh) / 150), 1.5);
        int ins = pow ((x - 750) / 675.0, 2) + pow ((y - 300) / 375.0, 2) < 1;
        double m = round (255 * dd * ins);
        map[(gsize) y * w + x] = (guint16) (65535 * (1 - m / 255 / 16));
      }
  smp_params_init_defaults (&p);
  p.px_per_mm = 10;
  p.sessions = 1;
  pattern = smp_pattern_new (p.seed);
  d = counted_levels (&p, map, w, h, pattern, out);
  printf ("stress-small  dots %" G_GSIZE_FORMAT "  output fnv1a %016" G_GINT64_MODIFIER "x  (bench-engine's stress "
          "map at 1500x1000, 10 px/mm, one session)\n", smp_design_count (d, &all, NULL),
          fnv1a (0xcbf29ce484222325ull, out, 4 * (gsize) w * h));
  return 0;
}

/* Output hashes over formats, scales, photo or none, a density map and a region: two
 * builds print the same lines when their output is bit-identical. */
static int
identity (void)
{
  const SmpPixelFormat formats[] = { SMP_PIXEL_RGBA_U8, SMP_PIXEL_RGBA_U16, SMP_PIXEL_RGBA_FLOAT,
                                     SMP_PIXEL_YA_U8, SMP_PIXEL_YA_U16, SMP_PIXEL_YA_FLOAT };
  const double scales[] = { 1.0, 0.37, 0.125, 2.5 };
  g_autoptr (SmpHairline) h = hairline_from (wavy, 6000);
  g_autoptr (SmpPattern) pattern = smp_pattern_new (7);
  const int W = 640, H = 400;
  g_autofree float *photo_rgb = g_new (float, 3 * (gsize) W * H);
  g_autofree guint8 *buf = g_malloc (16 * (gsize) W * H);

  for (int y = 0; y < H; y++) /* skin with a highlight, for the shine path */
    for (int x = 0; x < W; x++)
      {
        double hl = 0.5 * exp (-(pow (x - 300, 2) + pow (y - 200, 2)) / (2 * 80.0 * 80.0));
        float *px = photo_rgb + 3 * ((gsize) y * W + x);
        px[0] = (float) (0.55 + hl), px[1] = (float) (0.38 + hl), px[2] = (float) (0.28 + hl);
      }
  for (int stage = 0; stage < 3; stage++)
    for (guint si = 0; si < G_N_ELEMENTS (scales); si++)
      for (guint fi = 0; fi < G_N_ELEMENTS (formats); fi++)
        for (int with_photo = 0; with_photo < 2; with_photo++)
          {
            SmpParams p;
            const double sc = scales[si];
            SmpRect region = { (int) (2700 * sc) - W / 2, (int) (1450 * sc) - H / 2, W, H };
#ifndef BENCH_COUNT_NO_SHINE
            SmpPhoto photo = { photo_rgb, region.x, region.y, W, H, 3 * (gsize) W, { 0.45, 0.32, 0.23 } };
#endif
            gsize bpp = smp_pixel_format_get_bpp (formats[fi]);
            g_autoptr (SmpDesign) d = NULL;

            smp_params_init_defaults (&p);
            p.seed = 7;
            p.px_per_mm = 12;
            p.stage = (SmpStage) stage;
            d = design_or_die (&p, h, pattern);
            memset (buf, 0x5a, 16 * (gsize) W * H);
#ifndef BENCH_COUNT_NO_SHINE
            if (!smp_design_render_over (d, &region, sc, SMP_SESSIONS_ALL, formats[fi], buf, bpp * W,
                                         with_photo ? &photo : NULL, NULL))
              abort ();
#else
            if (with_photo || !smp_design_render (d, &region, sc, SMP_SESSIONS_ALL, formats[fi], buf, bpp * W, NULL))
              continue;
#endif
            printf ("identity stage %d scale %.3f format %u photo %d  fnv1a %016" G_GINT64_MODIFIER "x\n", stage,
                    sc, fi, with_photo, fnv1a (0xcbf29ce484222325ull, buf, bpp * W * H));
          }
  {
    /* A density map (the stress case, small) in one buffer. */
    const int mw = 900, mh = 600;
    g_autofree guint16 *map = g_new (guint16, (gsize) mw * mh);
    g_autofree guint8 *out = g_malloc (4 * (gsize) mw * mh);
    SmpParams p;
    SmpRect all = { 0, 0, mw, mh };
    g_autoptr (SmpDesign) d = NULL;

    for (int y = 0; y < mh; y++)
      for (int x = 0; x < mw; x++)
        {
          double yh = 210 + 40 * sin (x / 135.0), dd = y < yh ? 1 : pow (MAX (0, 1 - (y - yh) / 90), 1.5);
          map[(gsize) y * mw + x] = (guint16) (65535 * (1 - round (255 * dd) / 255 / 16));
        }
    smp_params_init_defaults (&p);
    p.px_per_mm = 10;
    p.sessions = 1;
    d = smp_design_new_from_levels (&p, map, mw, mh, mw, pattern, NULL);
    if (!d || !smp_design_render (d, &all, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, out, 4 * mw, NULL))
      abort ();
    printf ("identity density map %dx%d  fnv1a %016" G_GINT64_MODIFIER "x\n", mw, mh,
            fnv1a (0xcbf29ce484222325ull, out, 4 * (gsize) mw * mh));
  }
  return 0;
}

int
main (int argc, char **argv)
{
  const char *which = argc > 1 ? argv[1] : "";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (!strcmp (which, cases[i].name))
      return run_case (&cases[i], 0);
  if (!strcmp (which, "time") && argc > 2)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      if (!strcmp (argv[2], cases[i].name))
        return run_case (&cases[i], argc > 3 ? CLAMP (atoi (argv[3]), 1, 1000) : 15);
  if (!strcmp (which, "pattern"))
    {
      g_autoptr (SmpPattern) a = counted_pattern (1);
      printf ("pattern  (the blue-noise tile for one seed)\n");
      return 0;
    }
  if (!strcmp (which, "stress-small"))
    return stress_small ();
  if (!strcmp (which, "row15"))
    return row15 ();
  if (!strcmp (which, "identity"))
    return identity ();
  if (!strcmp (which, "list"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        printf ("%s\n", cases[i].name);
      printf ("stress-small\npattern\n");
      return 0;
    }
  fprintf (stderr, "usage: bench-count list | identity | row15 | time CASE [ROUNDS] | CASE\n");
  return 2;
}
