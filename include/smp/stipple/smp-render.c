/* smp-render.c: impressions as soft, slightly irregular ellipses, anti-aliased and
 * coverage-preserving down to sub-pixel size, composited into a float band. */
#include "smp-render-private.h"

#include <math.h>
#include <string.h>

gsize
smp_pixel_format_get_bpp (SmpPixelFormat format)
{
  switch (format)
    {
    case SMP_PIXEL_RGBA_U8: return 4;
    case SMP_PIXEL_RGBA_U16: return 8;
    case SMP_PIXEL_RGBA_FLOAT: return 16;
    case SMP_PIXEL_YA_U8: return 2;
    case SMP_PIXEL_YA_U16: return 4;
    case SMP_PIXEL_YA_FLOAT: return 8;
    }
  return 0;
}

void
smp_band_init (SmpBand *band, int x0, int width, int max_height)
{
  memset (band, 0, sizeof *band);
  band->x0 = x0;
  band->width = width;
  band->height = max_height;
  band->accum = g_new0 (float, (gsize) width * max_height * 4);
  band->span_x0 = g_new (int, max_height);
  band->span_x1 = g_new (int, max_height);
  for (int r = 0; r < max_height; r++)
    band->span_x0[r] = G_MAXINT, band->span_x1[r] = G_MININT;
}

void
smp_band_clear (SmpBand *band)
{
  g_clear_pointer (&band->accum, g_free);
  g_clear_pointer (&band->span_x0, g_free);
  g_clear_pointer (&band->span_x1, g_free);
  g_clear_pointer (&band->scratch, g_free);
}

static inline void
composite (SmpBand *band, int x, int y, float a, const float *shade)
{
  float *px;
  float  keep;
  int    row = y - band->y0, col = x - band->x0;

  if (row < 0 || row >= band->height || col < 0 || col >= band->width || !(a > 0.0f))
    return;
  a = MIN (a, 1.0f);
  keep = 1.0f - a;
  px = band->accum + ((gsize) row * band->width + col) * 4;
  px[0] = px[0] * keep + shade[0] * a;
  px[1] = px[1] * keep + shade[1] * a;
  px[2] = px[2] * keep + shade[2] * a;
  px[3] = px[3] * keep + a;
  band->span_x0[row] = MIN (band->span_x0[row], col);
  band->span_x1[row] = MAX (band->span_x1[row], col);
}

static inline float
smoothstepf (float t)
{
  t = CLAMP (t, 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

void
smp_band_add_dot (SmpBand *band, const SmpDot *dot, double scale)
{
  const double cx = dot->x * scale, cy = dot->y * scale;
  const float  rx = (float) (dot->radius_x * scale), ry = (float) (dot->radius_y * scale);
  const float  total = (float) (G_PI * rx * ry) * dot->alpha; /* the alpha this dot must add up to */
  const float  rmax = MAX (rx, ry), rmin = MIN (rx, ry);
  float  lobe_amp, h, reach, sum = 0.0f, k;
  gboolean lobes;
  int    i0, j0, i1, j1, fw, fh;

  if (!(total > 0.0f))
    return;
  if (rmax < 0.75f)
    {
      /* Sub-pixel impression: a tent splat spreads its exact area over the
       * four nearest pixels, smoothly with position. */
      double fx = cx - 0.5, fy = cy - 0.5;
      int    ix = (int) floor (fx), iy = (int) floor (fy);
      float  tx = (float) (fx - ix), ty = (float) (fy - iy);

      composite (band, ix, iy, total * (1 - tx) * (1 - ty), dot->shade);
      composite (band, ix + 1, iy, total * tx * (1 - ty), dot->shade);
      composite (band, ix, iy + 1, total * (1 - tx) * ty, dot->shade);
      composite (band, ix + 1, iy + 1, total * tx * ty, dot->shade);
      return;
    }

  /* Edge band: pigment spread plus half a pixel of anti-aliasing on each side. */
  h = dot->softness * 0.6f + 0.5f / rmin;
  /* Lobes only show on impressions several pixels wide. */
  lobes = rmin >= 2.0f;
  lobe_amp = lobes ? hypotf (dot->lobe[0], dot->lobe[1]) + hypotf (dot->lobe[2], dot->lobe[3]) : 0.0f;
  reach = rmax * (1.0f + lobe_amp) * (1.0f + h);
  i0 = (int) floor (cx - reach), i1 = (int) floor (cx + reach);
  j0 = (int) floor (cy - reach), j1 = (int) floor (cy + reach);
  /* Skip impressions wholly outside this band (cheap, and exact). */
  if (j1 < band->y0 || j0 >= band->y0 + band->height || i1 < band->x0 || i0 >= band->x0 + band->width)
    return;
  fw = i1 - i0 + 1;
  fh = j1 - j0 + 1;
  if (band->scratch_len < (gsize) fw * fh)
    {
      g_free (band->scratch);
      band->scratch_len = MAX ((gsize) fw * fh, 256);
      band->scratch = g_new (float, band->scratch_len);
    }
  {
    const float c = cosf (dot->angle), s = sinf (dot->angle);
    const float cu = c / rx, su = s / rx, cv = c / ry, sv = s / ry;
    const float inner = 1.0f - h, inv_band = 1.0f / (2.0f * h);
    const float outer2 = (1.0f + h) * (1.0f + h) * (1.0f + lobe_amp) * (1.0f + lobe_amp);
    const float dx0 = (float) (i0 + 0.5 - cx), dy0 = (float) (j0 + 0.5 - cy);

    /* Evaluate over the WHOLE footprint, even the part outside this band: the
     * normalisation must not depend on which region is being rendered. */
    for (int j = 0; j < fh; j++)
      {
        const float dy = dy0 + j;
        float *row = band->scratch + j * fw;
        for (int i = 0; i < fw; i++)
          {
            const float dx = dx0 + i;
            const float u = dx * cu + dy * su, v = dy * cv - dx * sv;
            const float r2 = u * u + v * v;
            float val;

            if (r2 >= outer2)
              val = 0.0f;
            else if (r2 > 0.0f)
              {
                float r = sqrtf (r2);
                if (lobes)
                  {
                    float ir = 1.0f / r, ir2 = ir * ir, ir3 = ir2 * ir;
                    float g = 1.0f + (dot->lobe[0] * (u * u - v * v) + dot->lobe[1] * 2.0f * u * v) * ir2 +
                              (dot->lobe[2] * u * (u * u - 3.0f * v * v) +
                               dot->lobe[3] * v * (3.0f * u * u - v * v)) * ir3;
                    r /= g;
                  }
                val = 1.0f - smoothstepf ((r - inner) * inv_band);
              }
            else
              val = 1.0f;
            row[i] = val;
            sum += val;
          }
      }
  }
  if (!(sum > 0.0f))
    return;
  k = total / sum; /* coverage preserved: the pixels add up to the dot's area */
  for (int j = MAX (j0, band->y0); j <= MIN (j1, band->y0 + band->height - 1); j++)
    for (int i = MAX (i0, band->x0); i <= MIN (i1, band->x0 + band->width - 1); i++)
      {
        float a = k * band->scratch[(j - j0) * fw + (i - i0)];
        if (a > 0.0f)
          composite (band, i, j, a, dot->shade);
      }
}

static inline guint16
to_u16 (float v)
{
  return (guint16) (CLAMP (v, 0.0f, 1.0f) * 65535.0f + 0.5f);
}

static inline guint8
to_u8 (float v)
{
  return (guint8) (CLAMP (v, 0.0f, 1.0f) * 255.0f + 0.5f);
}

void
smp_band_emit (SmpBand *band, SmpPixelFormat format, guint8 *first_row, gsize rowstride)
{
  const gsize bpp = smp_pixel_format_get_bpp (format);

  for (int r = 0; r < band->height; r++)
    {
      guint8 *row = first_row + (gsize) r * rowstride;
      int     a = band->span_x0[r], b = band->span_x1[r];

      if (a > b)
        {
          memset (row, 0, bpp * band->width);
          continue;
        }
      memset (row, 0, bpp * a);
      memset (row + bpp * (b + 1), 0, bpp * (band->width - b - 1));
      for (int x = a; x <= b; x++)
        {
          float *px = band->accum + ((gsize) r * band->width + x) * 4;
          float  al = px[3], rgb[3] = { 0, 0, 0 }, y;
          guint8 *out = row + bpp * x;

          /* A pixel whose alpha rounds away is fully transparent, colour included. */
          if ((format == SMP_PIXEL_RGBA_U8 || format == SMP_PIXEL_YA_U8) && al < 0.5f / 255.0f)
            al = 0.0f;
          else if ((format == SMP_PIXEL_RGBA_U16 || format == SMP_PIXEL_YA_U16) && al < 0.5f / 65535.0f)
            al = 0.0f;
          if (al > 0.0f)
            for (int k = 0; k < 3; k++)
              rgb[k] = px[k] / px[3]; /* straight colour */
          y = 0.2126f * rgb[0] + 0.7152f * rgb[1] + 0.0722f * rgb[2];
          switch (format)
            {
            case SMP_PIXEL_RGBA_U8:
              out[0] = to_u8 (rgb[0]), out[1] = to_u8 (rgb[1]), out[2] = to_u8 (rgb[2]), out[3] = to_u8 (al);
              break;
            case SMP_PIXEL_RGBA_U16:
              {
                guint16 v[4] = { to_u16 (rgb[0]), to_u16 (rgb[1]), to_u16 (rgb[2]), to_u16 (al) };
                memcpy (out, v, sizeof v);
              }
              break;
            case SMP_PIXEL_RGBA_FLOAT:
              {
                float v[4] = { rgb[0], rgb[1], rgb[2], MIN (al, 1.0f) };
                memcpy (out, v, sizeof v);
              }
              break;
            case SMP_PIXEL_YA_U8:
              out[0] = to_u8 (y), out[1] = to_u8 (al);
              break;
            case SMP_PIXEL_YA_U16:
              {
                guint16 v[2] = { to_u16 (y), to_u16 (al) };
                memcpy (out, v, sizeof v);
              }
              break;
            case SMP_PIXEL_YA_FLOAT:
              {
                float v[2] = { y, MIN (al, 1.0f) };
                memcpy (out, v, sizeof v);
              }
              break;
            }
          memset (px, 0, 4 * sizeof (float));
        }
      band->span_x0[r] = G_MAXINT;
      band->span_x1[r] = G_MININT;
    }
}
