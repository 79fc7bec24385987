/* smp-bench-pipeline.c: the engine's side of the peer benchmark (bench-peers.py) as one whole
 * process, like the peers': read a 16-bit density map, place, render, composite, write 8-bit. */
#include <smp/smp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows rendered and composited at a time: the output streams out, memory stays bounded. */
#define CHUNK_ROWS 256

/* ceil (2^40 / 65025) */
#define DIV_65025_M G_GUINT64_CONSTANT (16909061)

static const guint8 skin[3] = { 220, 170, 140 }; /* the flat photo, sRGB u8 */

static guint16 *
read_pgm16 (const char *path, int *w, int *h)
{
  g_autofree char *data = NULL;
  gsize len;
  int   maxval, off = 0;
  guint16 *out;

  if (!g_file_get_contents (path, &data, &len, NULL) ||
      sscanf (data, "P5 %d %d %d%n", w, h, &maxval, &off) != 3 || maxval != 65535 || *w <= 0 || *h <= 0 ||
      (gsize) off + 1 + 2 * (gsize) *w * *h > len)
    {
      fprintf (stderr, "smp-bench-pipeline: %s is not a 16-bit binary PGM\n", path);
      exit (2);
    }
  out = g_new (guint16, (gsize) *w * *h);
  for (gsize i = 0; i < (gsize) *w * *h; i++) /* PGM is big-endian */
    out[i] = (guint16) (((guint8) data[off + 1 + 2 * i] << 8) | (guint8) data[off + 2 + 2 * i]);
  return out;
}

int
main (int argc, char **argv)
{
  int w, h;
  g_autofree guint16 *map = NULL;
  g_autofree guint8 *layer = NULL, *rgb = NULL;
  g_autoptr (SmpPattern) pattern = NULL;
  g_autoptr (SmpDesign) d = NULL;
  g_autoptr (GError) error = NULL;
  SmpParams p;
  FILE *out;

  if (argc != 3)
    {
      fprintf (stderr, "usage: smp-bench-pipeline MAP.pgm OUT.ppm\n");
      return 2;
    }
  map = read_pgm16 (argv[1], &w, &h);
  smp_params_init_defaults (&p);
  p.px_per_mm = 10; /* as bench-engine's stress case: 0.25 mm impressions, 2.5 px */
  p.sessions = 1;
  pattern = smp_pattern_new (p.seed);
  d = smp_design_new_from_levels (&p, map, w, h, w, pattern, &error);
  if (!d)
    {
      fprintf (stderr, "smp-bench-pipeline: %s\n", error->message);
      return 2;
    }
  out = fopen (argv[2], "wb");
  if (!out)
    {
      fprintf (stderr, "smp-bench-pipeline: cannot write %s\n", argv[2]);
      return 2;
    }
  fprintf (out, "P6\n%d %d\n255\n", w, h);
  layer = g_malloc (4 * (gsize) w * CHUNK_ROWS);
  rgb = g_malloc (3 * (gsize) w * CHUNK_ROWS);
  for (int y = 0; y < h; y += CHUNK_ROWS)
    {
      SmpRect chunk = { 0, y, w, MIN (CHUNK_ROWS, h - y) };
      gsize   n = (gsize) w * chunk.height;

      if (!smp_design_render (d, &chunk, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, layer, 4 * (gsize) w, &error))
        {
          fprintf (stderr, "smp-bench-pipeline: %s\n", error->message);
          return 2;
        }
      /* Multiply with alpha, as GIMP composites the layer: photo × (1 − α + α·c), rounded;
       * x / 65025 as (x · M) >> 40, exact for x < 2^24 (x stays below 255 · 65025 + 32512). */
      for (gsize i = 0; i < n; i++)
        {
          const guint8 *l = layer + 4 * i;
          const guint   a = l[3];
          if (a == 0)
            {
              memcpy (rgb + 3 * i, skin, 3);
              continue;
            }
          for (int k = 0; k < 3; k++)
            {
              const guint64 x = skin[k] * (65025u - a * (255u - l[k])) + 32512u;
              rgb[3 * i + k] = (guint8) ((x * DIV_65025_M) >> 40);
            }
        }
      if (fwrite (rgb, 3, n, out) != n)
        {
          fprintf (stderr, "smp-bench-pipeline: write failed\n");
          return 2;
        }
    }
  if (fclose (out) != 0)
    {
      fprintf (stderr, "smp-bench-pipeline: write failed\n");
      return 2;
    }
  return 0;
}
