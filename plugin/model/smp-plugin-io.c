/* smp-plugin-io.c: pixel IO between the engine and GIMP: the selection read as
 * tiled float coverage, and session layers written in bounded row chunks. */
#include "smp-plugin-io.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

/* About 8 MiB of pixels per chunk: big enough to amortise the transfer to
 * GIMP's core, small enough that a 20000 px wide float layer stays cheap. */
#define CHUNK_BYTES (8u << 20)

SmpPluginCoverage *
smp_plugin_io_read_selection (GimpImage *image, const SmpRect *rect, GError **error)
{
  return smp_plugin_io_read_coverage (GIMP_CHANNEL (gimp_image_get_selection (image)), rect, error);
}

void
smp_plugin_coverage_free (SmpPluginCoverage *coverage)
{
  if (!coverage)
    return;
  if (coverage->tiles)
    for (gsize i = 0; i < coverage->n_tiles; i++)
      if (coverage->tiles[i] != coverage->zero && coverage->tiles[i] != coverage->one)
        g_free ((float *) coverage->tiles[i]);
  g_free (coverage->tiles);
  g_free (coverage->zero);
  g_free (coverage->one);
  g_free (coverage);
}

/* A channel's values (one component) as 0..1 floats: the plain types by hand,
 * anything else through babl. */
static void
to_coverage (const Babl *native, const guint8 *raw, float *out, gsize n)
{
  const Babl *type = babl_format_get_n_components (native) == 1 ? babl_format_get_type (native, 0) : NULL;
  const char *name = type ? babl_get_name (type) : "";

  if (g_str_equal (name, "u8"))
    for (gsize i = 0; i < n; i++)
      out[i] = raw[i] / 255.0f;
  else if (g_str_equal (name, "u16"))
    for (gsize i = 0; i < n; i++)
      out[i] = ((const guint16 *) raw)[i] / 65535.0f;
  else if (g_str_equal (name, "u32"))
    for (gsize i = 0; i < n; i++)
      out[i] = (float) (((const guint32 *) raw)[i] / 4294967295.0);
  else if (g_str_equal (name, "float"))
    memcpy (out, raw, n * sizeof (float));
  else if (g_str_equal (name, "double"))
    for (gsize i = 0; i < n; i++)
      out[i] = (float) ((const double *) raw)[i];
  else
    babl_process (babl_fish (native, babl_format ("Y float")), raw, out, (long) n);
}

/* Read in strips of one tile row, each through its own buffer (its tiles leave
 * this process with it); a tile that is all 0 or all 1 is kept as one shared
 * tile, so memory follows the selection's edge, not its box. */
SmpPluginCoverage *
smp_plugin_io_read_coverage (GimpChannel *channel, const SmpRect *rect, GError **error)
{
  const gsize T = SMP_MASK_TILE;
  g_autoptr (SmpPluginCoverage) c = g_new0 (SmpPluginCoverage, 1);
  g_autofree float *strip = NULL;
  g_autofree guint8 *raw = NULL;
  gsize per_row, n_rows;

  g_return_val_if_fail (rect->width > 0 && rect->height > 0, NULL);

  per_row = ((gsize) rect->width + T - 1) / T;
  n_rows = ((gsize) rect->height + T - 1) / T;
  c->n_tiles = per_row * n_rows;
  c->tiles = g_try_new0 (const float *, c->n_tiles);
  strip = g_try_new (float, (gsize) rect->width * T);
  raw = g_try_malloc ((gsize) rect->width * T * 16); /* the widest channel pixel: RGBA float */
  c->zero = g_try_new0 (float, T * T);
  c->one = g_try_new (float, T * T);
  if (!c->tiles || !strip || !raw || !c->zero || !c->one)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("Not enough memory to read a %d × %d selection"), rect->width, rect->height);
      return NULL;
    }
  for (gsize i = 0; i < T * T; i++)
    c->one[i] = 1.0f;

  for (gsize ty = 0; ty < n_rows; ty++)
    {
      int         rows = (int) MIN (T, (gsize) rect->height - ty * T);
      GeglBuffer *buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (channel));

      const Babl *native = gegl_buffer_get_format (buffer);

      /* Read in the channel's own format and convert here: the first converting
       * read (or babl fish) from a channel's format costs this process about 350 MB
       * at once (measured, GIMP 3.0 / babl 0.1.112 on a 20000² selection). */
      gegl_buffer_get (buffer, GEGL_RECTANGLE (rect->x, rect->y + (int) (ty * T), rect->width, rows),
                       1.0, native, raw, (gint) (babl_format_get_bytes_per_pixel (native) * rect->width),
                       GEGL_ABYSS_NONE);
      g_object_unref (buffer);
      to_coverage (native, raw, strip, (gsize) rect->width * rows);
      for (gsize tx = 0; tx < per_row; tx++)
        {
          int    cols = (int) MIN (T, (gsize) rect->width - tx * T);
          float  first = strip[tx * T];
          gboolean uniform = (first == 0.0f || first == 1.0f) && rows == (int) T && cols == (int) T;
          float *tile;

          for (int r = 0; r < rows && uniform; r++)
            for (int k = 0; k < cols && uniform; k++)
              uniform = strip[(gsize) r * rect->width + tx * T + k] == first;
          if (uniform)
            {
              c->tiles[ty * per_row + tx] = first == 0.0f ? c->zero : c->one;
              continue;
            }
          tile = g_try_new0 (float, T * T);
          if (!tile)
            {
              g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                           _("Not enough memory to read a %d × %d selection"), rect->width, rect->height);
              return NULL;
            }
          for (int r = 0; r < rows; r++)
            memcpy (tile + (gsize) r * T, strip + (gsize) r * rect->width + tx * T, sizeof (float) * cols);
          c->tiles[ty * per_row + tx] = tile;
        }
    }
  c->mask = (SmpMask) { NULL, rect->x, rect->y, rect->width, rect->height, 0, c->tiles };
  return g_steal_pointer (&c);
}

static inline float
coverage_at (const SmpMask *mask, int x, int y)
{
  int mx = x - mask->x, my = y - mask->y;

  if (mx < 0 || my < 0 || mx >= mask->width || my >= mask->height)
    return 0.0f;
  return smp_mask_value (mask, (gsize) mx, (gsize) my);
}

void
smp_plugin_io_clip_alpha (void          *pixels,
                          gsize          rowstride,
                          const SmpRect *region,
                          SmpPixelFormat format,
                          const SmpMask *mask)
{
  const gsize bpp = smp_pixel_format_get_bpp (format);

  for (int row = 0; row < region->height; row++)
    {
      guint8 *line = (guint8 *) pixels + (gsize) row * rowstride;

      for (int col = 0; col < region->width; col++)
        {
          float   c = coverage_at (mask, region->x + col, region->y + row);
          guint8 *px = line + (gsize) col * bpp;

          if (c >= 1.0f)
            continue;
          if (!(c > 0.0f))
            {
              memset (px, 0, bpp);
              continue;
            }
          switch (format)
            {
            case SMP_PIXEL_RGBA_U8:
              px[3] = (guint8) lrintf (px[3] * c);
              break;
            case SMP_PIXEL_YA_U8:
              px[1] = (guint8) lrintf (px[1] * c);
              break;
            case SMP_PIXEL_RGBA_U16:
              ((guint16 *) px)[3] = (guint16) lrintf (((guint16 *) px)[3] * c);
              break;
            case SMP_PIXEL_YA_U16:
              ((guint16 *) px)[1] = (guint16) lrintf (((guint16 *) px)[1] * c);
              break;
            case SMP_PIXEL_RGBA_FLOAT:
              ((float *) px)[3] *= c;
              break;
            case SMP_PIXEL_YA_FLOAT:
              ((float *) px)[1] *= c;
              break;
            }
        }
    }
}

static gboolean
all_zero (const guint8 *bytes, gsize n)
{
  /* The engine writes pixels without pigment as all zeros. */
  for (gsize i = 0; i < n; i++)
    if (bytes[i])
      return FALSE;
  return TRUE;
}

/* Sends the chunk's tile columns that hold pigment; a new layer is already
 * transparent in the core, so empty tiles (between sparse later-session dots,
 * the sentinel zone) need not cross the wire. Runs of non-empty columns go in
 * one call each. */
static void
set_nonempty (GeglBuffer   *buffer,
              const guint8 *pixels,
              gsize         rowstride,
              gsize         bpp,
              int           y,
              int           width,
              int           height,
              const Babl   *format)
{
  const int tile_w = MAX ((int) gimp_tile_width (), 1);
  int       run_start = -1;

  /* One step past the last column closes the last run. */
  for (int tx = 0; tx < width + tile_w; tx += tile_w)
    {
      gboolean empty = TRUE;

      for (int r = 0; tx < width && r < height && empty; r++)
        empty = all_zero (pixels + (gsize) r * rowstride + (gsize) tx * bpp,
                          (gsize) MIN (tile_w, width - tx) * bpp);
      if (!empty && run_start < 0)
        run_start = tx;
      else if (empty && run_start >= 0)
        {
          int run_end = MIN (tx, width);

          gegl_buffer_set (buffer, GEGL_RECTANGLE (run_start, y, run_end - run_start, height), 0,
                           format, pixels + (gsize) run_start * bpp, (gint) rowstride);
          run_start = -1;
        }
    }
}

/* The skin's diffuse chromaticity over the treated part of `extent`, in linear
 * light, from small blocks on a grid: a bounded read whatever the photo's size
 * (a scaled read of a huge photo would pull all its tiles into this process). */
#define CHROMA_GRID  40
#define CHROMA_BLOCK 6
static const Babl *
photo_linear (GimpDrawable *photo)
{
  return babl_format_with_space ("RGB float", babl_format_get_space (gimp_drawable_get_format (photo)));
}

gboolean
smp_plugin_io_estimate_shine (GimpDrawable *photo, const SmpRect *extent, const SmpMask *clip, double chroma[3])
{
  const Babl *linear = photo_linear (photo);
  const int n = CHROMA_GRID * CHROMA_GRID * CHROMA_BLOCK * CHROMA_BLOCK;
  g_autofree float *rgb = g_new (float, (gsize) n * 3);
  g_autofree float *weight = g_new (float, n);
  int m = 0;

  /* One buffer for the grid: rows of blocks 38 px apart share tile rows, whose
   * tiles then cross the wire once (about 30 MB of tiles at most, dropped at the end). */
  g_autoptr (GeglBuffer) buffer = gimp_drawable_get_buffer (photo);

  for (int j = 0; j < CHROMA_GRID; j++)
    {
      int y = extent->y + (int) ((j + 0.5) * extent->height / CHROMA_GRID) - CHROMA_BLOCK / 2;

      for (int i = 0; i < CHROMA_GRID; i++)
        {
          int x = extent->x + (int) ((i + 0.5) * extent->width / CHROMA_GRID) - CHROMA_BLOCK / 2;

          gegl_buffer_get (buffer, GEGL_RECTANGLE (x, y, CHROMA_BLOCK, CHROMA_BLOCK), 1.0, linear,
                           rgb + 3 * m, (gint) (sizeof (float) * 3 * CHROMA_BLOCK), GEGL_ABYSS_CLAMP);
          for (int k = 0; k < CHROMA_BLOCK * CHROMA_BLOCK; k++)
            weight[m + k] = clip ? smp_mask_sample (clip, x + k % CHROMA_BLOCK + 0.5, y + k / CHROMA_BLOCK + 0.5)
                                 : 1.0f;
          m += CHROMA_BLOCK * CHROMA_BLOCK;
        }
    }
  return smp_shine_estimate_chroma (rgb, (gsize) m, 3, weight, chroma);
}

/* The run's share of GIMP's progress bar a chunk's render fills. */
typedef struct
{
  double from, span;   /* the chunk's part of the bar */
  double *shown;       /* the last value sent, shared by the chunks */
} ChunkProgress;

/* Called per band; sends only steps of at least 0.5 % (each one is a PDB call).
 * It never cancels: GIMP's Cancel on a plug-in's progress kills the plug-in
 * process (app/plug-in/gimpplugin-progress.c calls gimp_plug_in_close with
 * kill), there is no cooperative hook a plug-in can poll. A killed run leaves
 * its proposal marked incomplete, which the next run replaces. */
static gboolean
chunk_progress (double done, gpointer data)
{
  ChunkProgress *p = data;
  double value = p->from + p->span * done;

  if (value - *p->shown >= 0.005 || value >= 1.0)
    {
      gimp_progress_update (value);
      *p->shown = value;
    }
  return TRUE;
}

gboolean
smp_plugin_io_write_layer_over (const SmpDesign       *design,
                                guint                  session_mask,
                                const SmpRect         *extent,
                                const SmpPluginFormat *format,
                                const SmpMask         *clip,
                                GimpLayer             *layer,
                                GimpDrawable          *photo,
                                const double          *chroma,
                                double                 progress_from,
                                double                 progress_to,
                                GError               **error)
{
  g_autofree guint8 *pixels = NULL;
  g_autofree float  *photo_rgb = NULL;
  GeglBuffer        *photo_buffer = NULL;
  const Babl        *linear = NULL;
  SmpPhoto           shot = { 0 };
  gsize       rowstride = format->bpp * (gsize) extent->width;
  int         tile_h = MAX ((int) gimp_tile_height (), 1);
  int         chunk_rows;
  gboolean    ok = TRUE;
  double      shown = progress_from;
  /* Where a run's time goes (G_MESSAGES_DEBUG=smp): photo read, engine render, pixel transfer. */
  gint64      us_photo = 0, us_render = 0, us_write = 0, t0;

  /* Whole tile rows per chunk, so that every tile is sent to the core once. */
  chunk_rows = (int) MIN ((gsize) extent->height, MAX (CHUNK_BYTES / MAX (rowstride, 1), 1));
  if (chunk_rows > tile_h)
    chunk_rows -= chunk_rows % tile_h;
  pixels = g_try_malloc (rowstride * (gsize) chunk_rows);
  if (!pixels)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Not enough memory for %d rows of a %d px wide layer"),
                   chunk_rows, extent->width);
      return FALSE;
    }
  if (photo && chroma && !format->grey)
    {
      /* Shine: the photo under the layer, in linear light (grey photos carry no
       * colour to tell shine from skin by). */
      linear = photo_linear (photo);
      memcpy (shot.chroma, chroma, sizeof shot.chroma);
      if (!(photo_rgb = g_try_new (float, (gsize) extent->width * chunk_rows * 3)))
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Not enough memory for %d rows of a %d px wide photo"),
                       chunk_rows, extent->width);
          return FALSE;
        }
    }

  for (int row = 0; row < extent->height && ok; row += chunk_rows)
    {
      SmpRect     chunk = { extent->x, extent->y + row, extent->width,
                            MIN (chunk_rows, extent->height - row) };
      GeglBuffer *buffer;

      t0 = g_get_monotonic_time ();
      if (photo_rgb)
        {
          /* A buffer per chunk, as for the layer: the photo's tiles do not pile up
           * in this process's cache. */
          photo_buffer = gimp_drawable_get_buffer (photo);
          gegl_buffer_get (photo_buffer, GEGL_RECTANGLE (chunk.x, chunk.y, chunk.width, chunk.height), 1.0,
                           linear, photo_rgb, (gint) (sizeof (float) * 3 * chunk.width), GEGL_ABYSS_CLAMP);
          g_clear_object (&photo_buffer);
          shot.rgb = photo_rgb;
          shot.x = chunk.x, shot.y = chunk.y, shot.width = chunk.width, shot.height = chunk.height;
          shot.stride = 3 * (gsize) chunk.width;
        }
      us_photo += g_get_monotonic_time () - t0, t0 = g_get_monotonic_time ();
      {
        ChunkProgress progress = { progress_from + (progress_to - progress_from) * row / extent->height,
                                   (progress_to - progress_from) * chunk.height / extent->height, &shown };
        /* No span, no progress: the dialog's canvas preview must not make GIMP pop up
         * a progress box of its own (whose Cancel would kill the plug-in). */
        SmpRenderOptions options = { photo_rgb ? &shot : NULL, progress_to > progress_from ? chunk_progress : NULL,
                                     &progress };
        void *out[] = { pixels };

        ok = smp_design_render_layers_with (design, &chunk, 1.0, 1, &session_mask, format->engine_format,
                                            out, rowstride, &options, error);
      }
      if (!ok)
        break;
      if (clip)
        smp_plugin_io_clip_alpha (pixels, rowstride, &chunk, format->engine_format, clip);
      us_render += g_get_monotonic_time () - t0, t0 = g_get_monotonic_time ();
      /* A buffer per chunk: the plug-in's GEGL cache is as large as the core's,
       * so one buffer for the whole layer would keep every written tile in this
       * process until the end. Dropping it sends the chunk's tiles to the core
       * and frees them. Chunks are whole tile rows and runs whole tile columns,
       * so no tile is read back. */
      buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
      set_nonempty (buffer, pixels, rowstride, format->bpp, row, chunk.width, chunk.height,
                    format->pixel_format);
      g_object_unref (buffer);
      us_write += g_get_monotonic_time () - t0;
    }
  if (ok)
    gimp_drawable_update (GIMP_DRAWABLE (layer), 0, 0, extent->width, extent->height);
  g_debug ("layer %d×%d: photo read %.3f s, engine render %.3f s, transfer %.3f s", extent->width,
           extent->height, us_photo / 1e6, us_render / 1e6, us_write / 1e6);
  return ok;
}
