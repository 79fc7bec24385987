/* bench-preview-composite.c: the dialog preview's compositing at its default view (GUI bench's
 * 1299×702 at 0.216 over 6000×4000 at 12 px/mm, three session layers), old way against new, in turn. */
#include "smp-plugin-preview-composite.h"

#include <smp/smp.h>
#include "bench-hairline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 1299
#define H 702

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}


/* The three session layers of the GUI bench's default view, from the engine. */
static void
render_layers (guint8 *layers[3])
{
  SmpHairline *h = hairline_from (gui_bench_curve, 6000);
  SmpParams    p;
  SmpRect      region = { 0, 124, W, H };
  const guint  masks[3] = { SMP_SESSION_BIT (0), SMP_SESSION_BIT (1), SMP_SESSION_BIT (2) };
  void        *outs[3] = { layers[0], layers[1], layers[2] };
  SmpPattern  *pattern;
  SmpDesign   *d;

  smp_params_init_defaults (&p);
  p.px_per_mm = 12;
  p.density_per_cm2 = 72;
  pattern = smp_pattern_new (p.seed);
  d = smp_design_new (&p, h, NULL, pattern, NULL);
  if (!d || !smp_design_render_layers (d, &region, 0.216, 3, masks, SMP_PIXEL_RGBA_U8, outs, 4 * W, NULL))
    abort ();
  smp_design_free (d);
  smp_pattern_unref (pattern);
  smp_hairline_unref (h);
}

static void
report (const char *what, double *t, int rounds, double *median)
{
  qsort (t, (size_t) rounds, sizeof *t, cmp_double);
  *median = t[rounds / 2];
  printf ("preview-composite  %-44s min %.2f  median %.2f  max %.2f ms\n", what, t[0], *median, t[rounds - 1]);
}

int
main (int argc, char **argv)
{
  const int     rounds = argc > 1 ? atoi (argv[1]) : 21;
  const int     n_threads = (int) g_get_num_processors ();
  const Babl   *photo_format, *layer_format, *work_format;
  SmpPluginPreviewColour colour;
  guint8       *layers[3], *photo;
  float        *linear, *composite;
  guint8       *out[3];
  double       *t[3], med[3];
  char          load[64] = "?";
  FILE         *f;
  int           differ = 0;

  if (rounds < 1)
    return 2;
  babl_init ();
  /* An 8-bit sRGB photo, as the GUI bench's: thumbnails in R'G'B' u8, the dots in the
   * image's encoding, multiplied in linear light. */
  photo_format = babl_format ("R'G'B' u8");
  layer_format = babl_format ("R'G'B'A u8");
  work_format = babl_format ("RGBA float");
  smp_plugin_preview_colour_init (&colour, layer_format, work_format);
  photo = g_malloc ((gsize) W * H * 3);
  for (gsize i = 0; i < (gsize) W * H; i++)
    {
      /* the GUI bench's skin, with a little texture so the conversion is not of one value */
      photo[3 * i] = (guint8) (219 + (i * 7) % 5), photo[3 * i + 1] = (guint8) (171 + (i * 13) % 5);
      photo[3 * i + 2] = (guint8) (140 + (i * 3) % 5);
    }
  for (int k = 0; k < 3; k++)
    {
      layers[k] = g_malloc ((gsize) W * H * 4);
      out[k] = g_malloc ((gsize) W * H * 4);
      t[k] = g_new (double, rounds);
    }
  render_layers (layers);
  linear = g_new (float, (gsize) W * H * 4);
  composite = g_new (float, (gsize) W * H * 4);
  smp_plugin_preview_convert_photo (photo, (gsize) W * 3, photo_format, linear, work_format, W, H, n_threads);

  for (int r = 0; r < rounds; r++)
    {
      double t0;

      /* Before: every refresh converted the photo, then whole-image passes. */
      t0 = now_ms ();
      babl_process (babl_fish (photo_format, work_format), photo, composite, (long) W * H);
      smp_plugin_preview_composite_whole (composite, (const guint8 *const *) layers, 3, layer_format, work_format,
                                          &colour, W, H, out[0], 4 * W);
      t[0][r] = now_ms () - t0;
      /* Now: the photo kept in linear light, strips in cache, one thread and then all. */
      t0 = now_ms ();
      smp_plugin_preview_composite (linear, (const guint8 *const *) layers, 3, layer_format, work_format, &colour, W,
                                    H, out[1], 4 * W, 1);
      t[1][r] = now_ms () - t0;
      t0 = now_ms ();
      smp_plugin_preview_composite (linear, (const guint8 *const *) layers, 3, layer_format, work_format, &colour, W,
                                    H, out[2], 4 * W, n_threads);
      t[2][r] = now_ms () - t0;
      differ |= memcmp (out[0], out[1], (gsize) W * H * 4) != 0;
      differ |= memcmp (out[0], out[2], (gsize) W * H * 4) != 0;
    }
  if ((f = fopen ("/proc/loadavg", "r")))
    {
      if (!fgets (load, sizeof load, f))
        strcpy (load, "?");
      load[strcspn (load, "\n")] = '\0';
      fclose (f);
    }
  printf ("preview-composite  %dx%d, three session layers from the engine, %d rounds in turn (colour tables: dots %s, "
          "screen %s)\n", W, H, rounds, colour.layer_exact ? "yes" : "no", colour.display_exact ? "yes" : "no");
  report ("before: photo converted, whole-image passes", t[0], rounds, &med[0]);
  report ("photo kept, strips, one thread", t[1], rounds, &med[1]);
  {
    g_autofree char *what = g_strdup_printf ("photo kept, strips, %d threads", n_threads);
    report (what, t[2], rounds, &med[2]);
  }
  printf ("preview-composite  medians against before: %.3fx one thread, %.3fx %d threads; output %s  (load %s)\n",
          med[1] / med[0], med[2] / med[0], n_threads, differ ? "DIFFERS" : "identical", load);
  for (int k = 0; k < 3; k++)
    {
      g_free (layers[k]);
      g_free (out[k]);
      g_free (t[k]);
    }
  g_free (photo);
  g_free (linear);
  g_free (composite);
  return differ ? 1 : 0;
}
