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

/* The chunks: each worker renders and composites whole chunks, one engine thread each
 * (the peers use every core too); the main thread writes them in order. A chunk's slot
 * is reused once the chunk SLOTS before it is written, so memory stays bounded. */
typedef struct
{
  SmpDesign *design;
  int        width, height, n_chunks, n_slots;
  GMutex     lock;
  GCond      cond;
  int        next, written;
  int       *ready;  /* per slot: the chunk composited in it, or -1 */
  guint8   **rgb;    /* per slot: 3 · width · CHUNK_ROWS bytes */
} Pipeline;

static void
composite (const guint8 *layer, guint8 *rgb, gsize n)
{
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
}

static gpointer
worker (gpointer data)
{
  Pipeline *p = data;
  g_autofree guint8 *layer = g_malloc (4 * (gsize) p->width * CHUNK_ROWS);

  for (;;)
    {
      int      i, slot;
      SmpRect  chunk;
      g_autoptr (GError) error = NULL;

      g_mutex_lock (&p->lock);
      i = p->next++;
      while (i < p->n_chunks && i - p->written >= p->n_slots)
        g_cond_wait (&p->cond, &p->lock);
      g_mutex_unlock (&p->lock);
      if (i >= p->n_chunks)
        return NULL;
      slot = i % p->n_slots;
      chunk = (SmpRect) { 0, i * CHUNK_ROWS, p->width, MIN (CHUNK_ROWS, p->height - i * CHUNK_ROWS) };
      if (!smp_design_render (p->design, &chunk, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8, layer,
                              4 * (gsize) p->width, &error))
        {
          fprintf (stderr, "smp-bench-pipeline: %s\n", error->message);
          exit (2);
        }
      composite (layer, p->rgb[slot], (gsize) p->width * chunk.height);
      g_mutex_lock (&p->lock);
      p->ready[slot] = i;
      g_cond_broadcast (&p->cond);
      g_mutex_unlock (&p->lock);
    }
}

/* Reads the map straight into its array and swaps it in place (PGM is big-endian). */
static guint16 *
read_pgm16 (const char *path, int *w, int *h)
{
  FILE    *f = fopen (path, "rb");
  int      maxval;
  guint16 *out = NULL;
  gsize    n;

  if (!f || fscanf (f, "P5 %d %d %d", w, h, &maxval) != 3 || maxval != 65535 || *w <= 0 || *h <= 0 ||
      *w > 1 << 16 || *h > 1 << 16 || fgetc (f) == EOF)
    goto bad;
  n = (gsize) *w * *h;
  out = g_try_new (guint16, n);
  if (!out || fread (out, 2, n, f) != n)
    goto bad;
  fclose (f);
  for (gsize i = 0; i < n; i++)
    out[i] = GUINT16_FROM_BE (out[i]);
  return out;
bad:
  fprintf (stderr, "smp-bench-pipeline: %s is not a 16-bit binary PGM\n", path);
  exit (2);
}

static gpointer
make_pattern (gpointer data)
{
  return smp_pattern_new (*(const guint32 *) data);
}

int
main (int argc, char **argv)
{
  int w, h, n_workers;
  g_autofree guint16 *map = NULL;
  g_autoptr (SmpPattern) pattern = NULL;
  g_autoptr (SmpDesign) d = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree GThread **threads = NULL;
  GThread *pattern_thread;
  SmpParams p;
  Pipeline pipe = { 0 };
  FILE *out;

  if (argc != 3)
    {
      fprintf (stderr, "usage: smp-bench-pipeline MAP.pgm OUT.ppm\n");
      return 2;
    }
  smp_params_init_defaults (&p);
  p.px_per_mm = 10; /* as bench-engine's stress case: 0.25 mm impressions, 2.5 px */
  p.sessions = 1;
  /* The seed's pattern is made while the map is read. */
  pattern_thread = g_thread_new ("pattern", make_pattern, &p.seed);
  map = read_pgm16 (argv[1], &w, &h);
  pattern = g_thread_join (pattern_thread);
  d = smp_design_new_from_levels (&p, map, w, h, w, pattern, &error);
  if (!d)
    {
      fprintf (stderr, "smp-bench-pipeline: %s\n", error->message);
      return 2;
    }
  smp_design_set_threads (d, 1);
  out = fopen (argv[2], "wb");
  if (!out)
    {
      fprintf (stderr, "smp-bench-pipeline: cannot write %s\n", argv[2]);
      return 2;
    }
  fprintf (out, "P6\n%d %d\n255\n", w, h);

  n_workers = MAX ((int) g_get_num_processors (), 1);
  pipe.design = d;
  pipe.width = w;
  pipe.height = h;
  pipe.n_chunks = (h + CHUNK_ROWS - 1) / CHUNK_ROWS;
  pipe.n_slots = 2 * n_workers;
  pipe.ready = g_new (int, pipe.n_slots);
  pipe.rgb = g_new (guint8 *, pipe.n_slots);
  for (int s = 0; s < pipe.n_slots; s++)
    {
      pipe.ready[s] = -1;
      pipe.rgb[s] = g_malloc (3 * (gsize) w * CHUNK_ROWS);
    }
  g_mutex_init (&pipe.lock);
  g_cond_init (&pipe.cond);
  threads = g_new (GThread *, n_workers);
  for (int t = 0; t < n_workers; t++)
    threads[t] = g_thread_new ("chunk", worker, &pipe);

  for (int i = 0; i < pipe.n_chunks; i++)
    {
      const int  slot = i % pipe.n_slots;
      const gsize n = (gsize) w * MIN (CHUNK_ROWS, h - i * CHUNK_ROWS);

      g_mutex_lock (&pipe.lock);
      while (pipe.ready[slot] != i)
        g_cond_wait (&pipe.cond, &pipe.lock);
      g_mutex_unlock (&pipe.lock);
      if (fwrite (pipe.rgb[slot], 3, n, out) != n)
        {
          fprintf (stderr, "smp-bench-pipeline: write failed\n");
          return 2;
        }
      g_mutex_lock (&pipe.lock);
      pipe.ready[slot] = -1;
      pipe.written = i + 1;
      g_cond_broadcast (&pipe.cond);
      g_mutex_unlock (&pipe.lock);
    }
  for (int t = 0; t < n_workers; t++)
    g_thread_join (threads[t]);
  for (int s = 0; s < pipe.n_slots; s++)
    g_free (pipe.rgb[s]);
  g_free (pipe.rgb);
  g_free (pipe.ready);
  g_mutex_clear (&pipe.lock);
  g_cond_clear (&pipe.cond);
  if (fclose (out) != 0)
    {
      fprintf (stderr, "smp-bench-pipeline: write failed\n");
      return 2;
    }
  return 0;
}
