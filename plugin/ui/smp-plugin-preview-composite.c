/* smp-plugin-preview-composite.c: the preview's compositing (babl only, no GIMP): the photo into
 * linear light once a fetch, the sessions multiplied over it and shown, strip by strip over the cores. */
#include "smp-plugin-preview-composite.h"

#include <smp/smp-params.h>
#include <string.h>

#define MAX_LAYERS 8       /* a layer per session at most */
G_STATIC_ASSERT (MAX_LAYERS >= SMP_MAX_SESSIONS);
#define MAX_THREADS 8
#define STRIP_ROWS 16      /* 16 rows of 1300 px of RGBA float: 333 KB, in a core's L2 */

/* The per-pixel steps of the two passes. */

/* One photo pixel p (linear RGBA float) times the layers' pixels at byte `off` of
 * their rows lrow[0..n), in turn, by babl's values from the table (checked at start);
 * a layer without a dot there is skipped. */
static inline void
multiply_px (float *p, const guint8 *const *lrow, gsize off, int n, const SmpPluginPreviewColour *colour)
{
  for (int i = 0; i < n; i++)
    {
      const guint8 *l = lrow[i] + off;
      float         a;

      if (l[3] == 0 || !((a = colour->layer_alpha[l[3]]) > 0.0f))
        continue;
      for (int c = 0; c < 3; c++)
        p[c] *= 1.0f - a + a * colour->layer_colour[l[c]];
    }
}

/* A composite pixel into the screen's R'G'B'A u8 by table (smp-plugin-preview-colour.h). */
static inline void
display_px (const float *f, const SmpPluginPreviewColour *colour, guint8 *q)
{
  q[3] = smp_plugin_preview_colour_display (colour->alpha_step, colour->alpha_bucket, f[3]);
  for (int k = 0; k < 3; k++)
    q[k] = smp_plugin_preview_colour_display (colour->colour_step, colour->colour_bucket, f[k]);
}

/* An R'G'B'A u8 pixel as cairo's RGB24 word, alpha over mid grey. */
static inline guint32
pack_px (const guint8 *p)
{
  int r = p[0], g = p[1], b = p[2], a = p[3];

  if (a != 255)
    {
      r = (r * a + 128 * (255 - a)) / 255;
      g = (g * a + 128 * (255 - a)) / 255;
      b = (b * a + 128 * (255 - a)) / 255;
    }
  return 0xff000000u | ((guint32) r << 16) | ((guint32) g << 8) | (guint32) b;
}

void
smp_plugin_preview_multiply (float                        *photo,
                             const guint8 *const          *layers,
                             int                           n,
                             gsize                         layer_stride,
                             const Babl                   *layer_format,
                             const SmpPluginPreviewColour *colour,
                             int                           width,
                             int                           height)
{
  const Babl       *fish;
  g_autofree float *dots = NULL;

  g_return_if_fail (photo != NULL && layers != NULL && layer_format != NULL && n <= MAX_LAYERS);
  for (int i = 0; i < n; i++)
    g_return_if_fail (layers[i] != NULL);
  if (colour != NULL && colour->layer_exact)
    {
      /* babl's values by table (checked at start), only where a dot is; each pixel
       * takes the layers in turn, as passes a layer each would (the same products). */
      for (int y = 0; y < height; y++)
        {
          float        *row = photo + (gsize) y * width * 4;
          const guint8 *lrow[MAX_LAYERS];

          for (int i = 0; i < n; i++)
            lrow[i] = layers[i] + y * layer_stride;
          for (int x = 0; x < width; x++)
            multiply_px (row + 4 * (gsize) x, lrow, 4 * (gsize) x, n, colour);
        }
      return;
    }
  fish = babl_fish (layer_format, babl_format_with_space ("RGBA float", babl_format_get_space (layer_format)));
  dots = g_new (float, 4 * (gsize) width);
  for (int i = 0; i < n; i++)
    for (int y = 0; y < height; y++)
      {
        float       *p = photo + (gsize) y * width * 4;
        const float *l = dots;

        babl_process (fish, layers[i] + y * layer_stride, dots, width);
        for (int x = 0; x < width; x++, p += 4, l += 4)
          {
            float a = l[3];

            if (a <= 0.0f)
              continue;
            for (int c = 0; c < 3; c++)
              p[c] *= 1.0f - a + a * l[c];
          }
      }
}

/* `rows` rows of the composite (linear RGBA float in the image's space) into a cairo
 * RGB24 surface's rows in sRGB; alpha is shown over mid grey. `row` holds w pixels. */
static void
show_rows (const float *pixels, const Babl *fish, const SmpPluginPreviewColour *colour, int w, int rows,
           guint8 *data, int stride, guint8 *row)
{
  for (int y = 0; y < rows; y++)
    {
      const guint8 *p = row;
      guint32      *out = (guint32 *) (data + (gsize) y * stride);

      if (colour->display_exact)
        {
          /* babl's rounding by table (smp-plugin-preview-colour.h): a refresh's largest cost otherwise. */
          const float *f = pixels + (gsize) y * w * 4;
          guint8      *q = row;

          for (int x = 0; x < w; x++, f += 4, q += 4)
            display_px (f, colour, q);
        }
      else
        babl_process (fish, pixels + (gsize) y * w * 4, row, w);
      for (int x = 0; x < w; x++, p += 4)
        out[x] = pack_px (p);
    }
}

typedef struct
{
  const Babl   *fish;
  const guint8 *source;
  gsize         source_stride;
  float        *linear;
  int           w, h, parts;
  gint          next;
} Conversion;

static gpointer
convert_parts (gpointer data)
{
  Conversion *c = data;

  for (int k; (k = g_atomic_int_add (&c->next, 1)) < c->parts;)
    {
      const int y0 = (int) ((gint64) c->h * k / c->parts), y1 = (int) ((gint64) c->h * (k + 1) / c->parts);
      babl_process (c->fish, c->source + (gsize) y0 * c->source_stride, c->linear + (gsize) y0 * c->w * 4,
                    (long) c->w * (y1 - y0));
    }
  return NULL;
}

/* Runs func on data in the caller and `n_helpers` more threads. */
static void
run_threads (GThreadFunc func, gpointer data, int n_helpers)
{
  GThread *helpers[MAX_THREADS];

  n_helpers = CLAMP (n_helpers, 0, MAX_THREADS);
  for (int t = 0; t < n_helpers; t++)
    helpers[t] = g_thread_new ("smp-preview", func, data);
  func (data);
  for (int t = 0; t < n_helpers; t++)
    g_thread_join (helpers[t]);
}

void
smp_plugin_preview_convert_photo (const guint8 *source,
                                  gsize         source_stride,
                                  const Babl   *photo_format,
                                  float        *linear,
                                  const Babl   *work_format,
                                  int           width,
                                  int           height,
                                  int           n_threads)
{
  /* Rows of a few hundred pixels are not worth a thread. */
  const int  helpers = MIN (n_threads, height / 128 + 1) - 1;
  Conversion c = { babl_fish (photo_format, work_format), source, source_stride, linear, width, height,
                   4 * (MAX (helpers, 0) + 1), 0 };

  g_return_if_fail (source != NULL && linear != NULL);
  if (source_stride == (gsize) width * babl_format_get_bytes_per_pixel (photo_format) && helpers <= 0)
    {
      babl_process (c.fish, source, linear, (long) width * height);
      return;
    }
  run_threads (convert_parts, &c, helpers);
}

typedef struct
{
  const float                  *linear;
  const guint8                 *layers[MAX_LAYERS];
  int                           n, w, h;
  const Babl                   *layer_format, *fish;
  const SmpPluginPreviewColour *colour;
  guint8                       *out;
  int                           out_stride;
  gint                          next_strip;
} Composite;

static gpointer
composite_strips (gpointer data)
{
  Composite         *c = data;
  g_autofree float  *strip = g_malloc (sizeof (float) * 4 * (gsize) c->w * STRIP_ROWS);
  g_autofree guint8 *row = g_malloc ((gsize) c->w * 4);

  for (;;)
    {
      const int     y0 = STRIP_ROWS * g_atomic_int_add (&c->next_strip, 1);
      const guint8 *strip_layers[MAX_LAYERS];
      int           rows;

      if (y0 >= c->h)
        return NULL;
      rows = MIN (STRIP_ROWS, c->h - y0);
      memcpy (strip, c->linear + (gsize) y0 * c->w * 4, sizeof (float) * 4 * (gsize) c->w * rows);
      for (int i = 0; i < c->n; i++)
        strip_layers[i] = c->layers[i] + (gsize) y0 * c->w * 4;
      if (c->n > 0)
        smp_plugin_preview_multiply (strip, strip_layers, c->n, (gsize) c->w * 4, c->layer_format, c->colour, c->w,
                                     rows);
      show_rows (strip, c->fish, c->colour, c->w, rows, c->out + (gsize) y0 * c->out_stride, c->out_stride, row);
    }
}

void
smp_plugin_preview_composite (const float                  *linear,
                              const guint8 *const          *layers,
                              int                           n,
                              const Babl                   *layer_format,
                              const Babl                   *work_format,
                              const SmpPluginPreviewColour *colour,
                              int                           width,
                              int                           height,
                              guint8                       *out,
                              int                           out_stride,
                              int                           n_threads)
{
  Composite c = { linear, { NULL }, n, width, height, layer_format,
                  babl_fish (work_format, babl_format ("R'G'B'A u8")), colour, out, out_stride, 0 };

  g_return_if_fail (linear != NULL && out != NULL && colour != NULL && n >= 0 && n <= MAX_LAYERS);
  for (int i = 0; i < n; i++)
    c.layers[i] = layers[i];
  /* A small view is not worth a thread. */
  run_threads (composite_strips, &c, MIN (n_threads, height / (8 * STRIP_ROWS) + 1) - 1);
}

void
smp_plugin_preview_composite_whole (float                        *composite,
                                    const guint8 *const          *layers,
                                    int                           n,
                                    const Babl                   *layer_format,
                                    const Babl                   *work_format,
                                    const SmpPluginPreviewColour *colour,
                                    int                           width,
                                    int                           height,
                                    guint8                       *out,
                                    int                           out_stride)
{
  g_autofree guint8 *row = g_malloc ((gsize) width * 4);

  g_return_if_fail (composite != NULL && out != NULL && colour != NULL);
  if (n > 0)
    smp_plugin_preview_multiply (composite, layers, n, (gsize) width * 4, layer_format, colour, width, height);
  show_rows (composite, babl_fish (work_format, babl_format ("R'G'B'A u8")), colour, width, height, out, out_stride,
             row);
}
