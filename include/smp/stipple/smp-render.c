/* smp-render.c: impressions as a soft, slightly irregular core plus a faint wide shadow,
 * each preserving its darkening integral down to sub-pixel size, written as Multiply layers. */
#include "smp-render-private.h"

#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* On x86-64 the 8-bit emit has AVX2 copies of its widest loops, chosen per band at run time. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__)
#define SMP_AVX2_EMIT 1
#include <immintrin.h>
#else
#define SMP_AVX2_EMIT 0
#endif

/* Gaussian shadows are cut at this many σ (and renormalised: nothing is lost). */
#define SHADOW_CUT 2.5
/* A core's edge band never exceeds twice its radius, however deep the blur. */
#define MAX_EDGE 2.0
/* Cores flag the 32-column blocks they write, so emit converts and re-zeroes only those. */
#define BLOCK_SHIFT 5
#define BLOCK (1 << BLOCK_SHIFT)
/* Footprints at least this many pixels that a band cuts share their normalisation. */
#define FOOTPRINT_SHARED_MIN 1024

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

static int
shadow_cell (double shadow_sigma)
{
  /* About a σ per cell: a Gaussian sampled that finely and read back bilinearly
   * is smooth, and a dot's shadow touches at most ~12 × 12 cells. */
  return (int) CLAMP (floor (shadow_sigma), 1, 256);
}

static int
shadow_radius_cells (double sigma_cells)
{
  return (int) ceil (SHADOW_CUT * sigma_cells);
}

double
smp_band_shadow_reach (double shadow_sigma)
{
  int F = shadow_cell (shadow_sigma);
  /* The footprint's cells plus the bilinear read-back's cell. */
  return (shadow_radius_cells (shadow_sigma / F) + 2.0) * F;
}

static float *
zeroed_floats (gsize n)
{
  float *p = g_new (float, n);
  memset (p, 0, sizeof (float) * n);
  return p;
}

void
smp_band_init (SmpBand *band, int x0, int width, int max_height, double shadow_sigma,
               const SmpEncoder *encoder, const SmpPhoto *photo)
{
  int F;

  memset (band, 0, sizeof *band);
  band->x0 = x0;
  band->width = width;
  band->height = band->max_height = max_height;
  /* Zeroed by writing, not by calloc: calloc's fresh pages map the shared zero page on
   * the first read (acc += …) and fault again, with a TLB flush across the render's
   * threads, on the first write. */
  band->accum = zeroed_floats ((gsize) width * max_height * 3);
  band->span_x0 = g_new (int, max_height);
  band->span_x1 = g_new (int, max_height);
  band->n_blocks = (width + BLOCK - 1) / BLOCK;
  band->touched = g_new0 (guint8, (gsize) band->n_blocks * max_height);
  for (int r = 0; r < max_height; r++)
    band->span_x0[r] = G_MAXINT, band->span_x1[r] = G_MININT;
  band->encoder = encoder;
  band->photo = photo;
#if SMP_AVX2_EMIT
  /* SMP_ENGINE_NO_AVX2 (tests): the SSE2 code, to compare the two. */
  band->avx2 = __builtin_cpu_supports ("avx2") && !g_getenv ("SMP_ENGINE_NO_AVX2");
#endif

  band->shadow_sigma = shadow_sigma;
  band->cell = F = shadow_cell (shadow_sigma);
  /* Cells whose centres bracket the band's pixel centres, one spare each side. */
  band->cx0 = (int) floor ((x0 + 0.5) / F - 0.5);
  band->cw = (int) floor ((x0 + width - 0.5) / F - 0.5) + 2 - band->cx0;
  band->ch_max = max_height / F + 3;
  band->shadow = zeroed_floats ((gsize) band->cw * band->ch_max * 3);
  band->cspan_x0 = g_new (int, band->ch_max);
  band->cspan_x1 = g_new (int, band->ch_max);
  for (int r = 0; r < band->ch_max; r++)
    band->cspan_x0[r] = G_MAXINT, band->cspan_x1[r] = G_MININT;
  band->col_cell = g_new (int, width);
  band->col_frac = g_new (float, width);
  for (int i = 0; i < width; i++)
    {
      double u = (x0 + i + 0.5) / F - 0.5, fl = floor (u);
      band->col_cell[i] = (int) fl - band->cx0;
      band->col_frac[i] = (float) (u - fl);
    }
  /* One spare: the SSE2 emit loads a cell's three floats as four. */
  band->row_shadow = g_new0 (float, (gsize) band->cw * 3 + 1);
  band->col_w8 = g_new (gint32, width);
  for (int i = 0; i < width; i++)
    band->col_w8[i] = (gint32) lrintf (band->col_frac[i] * 256.0f);
#ifndef __SSE2__
  band->cell_u8 = g_new0 (gint32, (gsize) band->cw * 4);
  band->col_run_end = g_new (int, width);
  for (int i = width - 1; i >= 0; i--)
    band->col_run_end[i] = i + 1 < width && band->col_cell[i + 1] == band->col_cell[i] ? band->col_run_end[i + 1] : i;
#else
  band->cell_pair = g_aligned_alloc0 (band->cw, 8 * sizeof (float), 16);
  band->col_wf = g_aligned_alloc (width, 4 * sizeof (float), 16);
  band->col_pair = g_new (const float *, width);
  for (int i = 0; i < width; i++)
    {
      for (int k = 0; k < 4; k++)
        band->col_wf[4 * i + k] = (float) band->col_w8[i];
      band->col_pair[i] = band->cell_pair + 8 * band->col_cell[i];
    }
#endif
  /* A 16 × 16 ordered dither (Bayer) for 8-bit alpha, so faint shadows keep their
   * mean darkening instead of rounding away; tied to output positions, so crops
   * still match. */
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      {
        int v = 0;
        for (int bit = 0; bit < 4; bit++)
          {
            int bx = (x >> bit) & 1, by = (y >> bit) & 1;
            v |= ((bx ^ by) << (2 * (3 - bit) + 1)) | (by << (2 * (3 - bit)));
          }
        band->dither[16 * y + x] = (v + 0.5f) / 256.0f;
      }
}

void
smp_band_begin (SmpBand *band, int y0, int height)
{
  const int F = band->cell;

  band->y0 = y0;
  band->height = height;
  band->cy0 = (int) floor ((y0 + 0.5) / F - 0.5);
  band->ch = (int) floor ((y0 + height - 0.5) / F - 0.5) + 2 - band->cy0;
  g_assert (band->ch <= band->ch_max);
}

void
smp_band_clear (SmpBand *band)
{
  g_clear_pointer (&band->accum, g_free);
  g_clear_pointer (&band->span_x0, g_free);
  g_clear_pointer (&band->span_x1, g_free);
  g_clear_pointer (&band->touched, g_free);
  g_clear_pointer (&band->scratch, g_free);
  g_clear_pointer (&band->shadow, g_free);
  g_clear_pointer (&band->cspan_x0, g_free);
  g_clear_pointer (&band->cspan_x1, g_free);
  g_clear_pointer (&band->col_cell, g_free);
  g_clear_pointer (&band->col_frac, g_free);
  g_clear_pointer (&band->row_shadow, g_free);
  g_clear_pointer (&band->cell_u8, g_free);
  g_clear_pointer (&band->col_w8, g_free);
  g_clear_pointer (&band->col_run_end, g_free);
  g_clear_pointer (&band->cell_pair, g_aligned_free);
  g_clear_pointer (&band->col_wf, g_aligned_free);
  g_clear_pointer (&band->col_pair, g_free);
  g_clear_pointer (&band->gauss, g_free);
  g_clear_pointer (&band->cell_w, g_free);
}

/* Transmittances multiply: D ← 1 − (1 − D)(1 − δ); channels `plane` floats apart. */
static inline void
darken (float *px, gsize plane, float w, const float *dark)
{
  for (int k = 0; k < 3; k++)
    {
      float d = MIN (w * dark[k], 1.0f);
      px[k * plane] += d * (1.0f - px[k * plane]);
    }
}

static inline void
composite (SmpBand *band, int x, int y, float w, const float *dark)
{
  int row = y - band->y0, col = x - band->x0;

  if (row < 0 || row >= band->height || col < 0 || col >= band->width || !(w > 0.0f))
    return;
  darken (band->accum + (gsize) row * band->width * 3 + col, band->width, w, dark);
  band->touched[(gsize) row * band->n_blocks + (col >> BLOCK_SHIFT)] = 1;
  band->span_x0[row] = MIN (band->span_x0[row], col);
  band->span_x1[row] = MAX (band->span_x1[row], col);
}

static inline void
composite_cell (SmpBand *band, int I, int J, float w, const float *dark)
{
  int row = J - band->cy0, col = I - band->cx0;

  if (row < 0 || row >= band->ch || col < 0 || col >= band->cw || !(w > 0.0f))
    return;
  darken (band->shadow + ((gsize) row * band->cw + col) * 3, 1, w, dark);
  band->cspan_x0[row] = MIN (band->cspan_x0[row], col);
  band->cspan_x1[row] = MAX (band->cspan_x1[row], col);
}

static inline float
smoothstepf (float t)
{
  t = CLAMP (t, 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

/* darken() along one channel's row: the same operations, element by element, written so
 * the compiler can use vector instructions (a zero weight adds exactly nothing: acc stays
 * in [0, 1] and never holds −0). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__ ((optimize ("tree-vectorize", "vect-cost-model=dynamic")))
#endif
static void
darken_plane (float *restrict acc, const float *restrict fp, int n, float k, float dark)
{
  for (int i = 0; i < n; i++)
    {
      const float w = k * fp[i];
      const float d = MIN (w * dark, 1.0f);
      acc[i] += d * (1.0f - acc[i]);
    }
}

#ifdef __SSE2__
/* darken_plane over the three channels (planes stride apart) at once, four pixels a
 * vector, the same operations lane by lane (MIN as minps in its order). A last part
 * vector goes whole where the row has room (fp readable three floats past n): its
 * lanes past n take weight 0 and add exactly nothing, so acc keeps its value there. */
static inline void
darken_row3 (float *restrict acc, gsize stride, const float *restrict fp, int n, int room, float k,
             const float *dark)
{
  const __m128 kv = _mm_set1_ps (k), one = _mm_set1_ps (1.0f);
  const __m128 dk0 = _mm_set1_ps (dark[0]), dk1 = _mm_set1_ps (dark[1]), dk2 = _mm_set1_ps (dark[2]);
  int          i = 0;

#define DARKEN_LANES(W, I)                                                              \
  do                                                                                    \
    {                                                                                   \
      float *a_ = acc + (I);                                                            \
      __m128 a0 = _mm_loadu_ps (a_), a1 = _mm_loadu_ps (a_ + stride),                   \
             a2 = _mm_loadu_ps (a_ + 2 * stride);                                       \
      a0 = _mm_add_ps (a0, _mm_mul_ps (_mm_min_ps (_mm_mul_ps (W, dk0), one), _mm_sub_ps (one, a0))); \
      a1 = _mm_add_ps (a1, _mm_mul_ps (_mm_min_ps (_mm_mul_ps (W, dk1), one), _mm_sub_ps (one, a1))); \
      a2 = _mm_add_ps (a2, _mm_mul_ps (_mm_min_ps (_mm_mul_ps (W, dk2), one), _mm_sub_ps (one, a2))); \
      _mm_storeu_ps (a_, a0), _mm_storeu_ps (a_ + stride, a1), _mm_storeu_ps (a_ + 2 * stride, a2); \
    }                                                                                   \
  while (0)

  for (; i + 4 <= n; i += 4)
    {
      const __m128 w = _mm_mul_ps (kv, _mm_loadu_ps (fp + i));
      DARKEN_LANES (w, i);
    }
  if (i < n)
    {
      if (i + 4 <= room)
        {
          const __m128 keep = _mm_cmplt_ps (_mm_setr_ps (0.0f, 1.0f, 2.0f, 3.0f), _mm_set1_ps ((float) (n - i)));
          const __m128 w = _mm_and_ps (keep, _mm_mul_ps (kv, _mm_loadu_ps (fp + i)));
          DARKEN_LANES (w, i);
        }
      else
        for (int c = 0; c < 3; c++)
          darken_plane (acc + c * stride + i, fp + i, n - i, k, dark[c]);
    }
#undef DARKEN_LANES
}
#endif

/* darken() over a run of shadow cells (3 floats each), fused: element e of the run
 * takes MIN (wy·gx[e]·dark[e], 1) with gx and dark given per element (each cell's
 * weight and colour, replicated three times), the same operations in the same
 * order as composite_cell, vectorisable. A zero weight adds exactly nothing.
 * On x86-64 an AVX2 copy is picked at load time (eight lanes; AVX2 alone has no
 * FMA, so nothing is contracted and both copies round alike). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__ ((optimize ("tree-vectorize", "vect-cost-model=dynamic")))
#endif
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__ ((target_clones ("avx2", "default")))
#endif
#endif
static void
darken_cells (float *restrict cells, const float *restrict gx, const float *restrict dark, float wy, int n)
{
  for (int e = 0; e < n; e++)
    {
      const float w = wy * gx[e];
      const float d = MIN (w * dark[e], 1.0f);
      cells[e] += d * (1.0f - cells[e]);
    }
}

/* The wide shadow, on the coarse grid: a Gaussian sampled at the cell centres
 * and normalised over the whole footprint, so that its cells add up to the
 * shadow's integral wherever the band cuts it. */
static void
add_shadow (SmpBand *band, const SmpDot *dot, double scale)
{
  const int    F = band->cell;
  const double area = scale * scale / ((double) F * F); /* image px² → per-cell level */
  const double gu = dot->x * scale / F - 0.5, gv = dot->y * scale / F - 0.5;
  const double sc = band->shadow_sigma / F;
  float  dark[3];
  int    R, iu, iv, n;
  double *gx, *gy, sx = 0, sy = 0;
  float  *gxf, *gx3, *dk3;

  for (int k = 0; k < 3; k++)
    dark[k] = (float) (dot->shadow_dark[k] * area);
  if (!(dark[0] > 0.0f || dark[1] > 0.0f || dark[2] > 0.0f))
    return;
  iu = (int) floor (gu), iv = (int) floor (gv);
  if (sc < 0.5)
    {
      /* Narrower than a cell: a tent over the four nearest, exact in area. */
      float tx = (float) (gu - iu), ty = (float) (gv - iv);
      composite_cell (band, iu, iv, (1 - tx) * (1 - ty), dark);
      composite_cell (band, iu + 1, iv, tx * (1 - ty), dark);
      composite_cell (band, iu, iv + 1, (1 - tx) * ty, dark);
      composite_cell (band, iu + 1, iv + 1, tx * ty, dark);
      return;
    }
  R = shadow_radius_cells (sc);
  /* Cells iv-R+1 .. iv+R: cheap rejection first. */
  if (iv + R < band->cy0 || iv - R + 1 >= band->cy0 + band->ch ||
      iu + R < band->cx0 || iu - R + 1 >= band->cx0 + band->cw)
    return;
  n = 2 * R;
  /* The cell rows this shadow darkens, fetched while its weights are worked out
   * (the rows lie a band's width apart: each read would wait on memory). */
  {
    const int j0 = MAX (0, band->cy0 - (iv - R + 1)), j1 = MIN (n, band->cy0 + band->ch - (iv - R + 1));
    const float *cells = band->shadow + ((gsize) (iv - R + 1 + j0 - band->cy0) * band->cw +
                                         (gsize) MAX (0, iu - R + 1 - band->cx0)) * 3;

    for (int j = j0; j < j1; j++, cells += (gsize) band->cw * 3)
      __builtin_prefetch (cells, 1), __builtin_prefetch (cells + 3 * n - 1, 1);
  }
  if (band->gauss_len < (gsize) 2 * n)
    {
      g_free (band->gauss);
      g_free (band->cell_w);
      band->gauss_len = 2 * n;
      band->gauss = g_new (double, band->gauss_len);
      band->cell_w = g_new (float, 7 * (gsize) n);
    }
  gx = band->gauss, gy = band->gauss + n;
  for (int i = 0; i < n; i++)
    {
      double du = (iu - R + 1 + i) - gu, dv = (iv - R + 1 + i) - gv;
      /* Foreshortened on a head (axis-aligned): narrower within the same footprint,
       * never under half a cell (sampled at cell centres, it would vanish). */
      const double scx = MAX (sc * (1.0 - dot->shadow_squash[0]), 0.5);
      const double scy = MAX (sc * (1.0 - dot->shadow_squash[1]), 0.5);
      gx[i] = exp (-du * du / (2 * scx * scx));
      gy[i] = exp (-dv * dv / (2 * scy * scy));
      sx += gx[i], sy += gy[i];
    }
  gxf = band->cell_w, gx3 = gxf + n, dk3 = gx3 + 3 * n;
  for (int i = 0; i < n; i++)
    {
      gxf[i] = (float) gx[i];
      for (int k = 0; k < 3; k++)
        gx3[3 * i + k] = gxf[i], dk3[3 * i + k] = dark[k];
    }
  {
    /* composite_cell's work with its bounds (the loops keep inside) and spans per row. */
    const int i_first = MAX (0, band->cx0 - (iu - R + 1)), col0 = iu - R + 1 - band->cx0;
    const int i_end = MIN (n, band->cx0 + band->cw - (iu - R + 1));

    for (int j = MAX (0, band->cy0 - (iv - R + 1)); j < n && iv - R + 1 + j < band->cy0 + band->ch; j++)
      {
        const float wy = (float) (gy[j] / (sx * sy));
        const int   row = iv - R + 1 + j - band->cy0;
        float      *cells = band->shadow + (gsize) row * band->cw * 3;
        int         first = i_first, last = i_end - 1; /* the run of cells with weight, in i */

        while (first <= last && !(wy * gxf[first] > 0.0f))
          first++;
        while (last >= first && !(wy * gxf[last] > 0.0f))
          last--;
        if (first > last)
          continue;
        darken_cells (cells + (gsize) (col0 + first) * 3, gx3 + 3 * first, dk3 + 3 * first, wy,
                      3 * (last - first + 1));
        band->cspan_x0[row] = MIN (band->cspan_x0[row], col0 + first);
        band->cspan_x1[row] = MAX (band->cspan_x1[row], col0 + last);
      }
  }
}

/* One core's outline, for evaluating its footprint pixel by pixel. */
typedef struct
{
  float    c, s, cu, su, cv, sv, inner, inv_band, outer2, dx0, dy0;
  float    lobe[4];
  gboolean lobes;
} Shape;

/* The core's unnormalised weight at footprint pixel (i, j): the reference the SSE2
 * footprint_value4 follows lane by lane (marked unused: clang warns on an unused
 * static inline, and the SSE2 build calls only the vector form). */
static inline G_GNUC_UNUSED float
footprint_value (const Shape *sh, int i, int j)
{
  const float dy = sh->dy0 + j, dx = sh->dx0 + i;
  const float u = dx * sh->cu + dy * sh->su, v = dy * sh->cv - dx * sh->sv;
  const float r2 = u * u + v * v;

  if (r2 >= sh->outer2)
    return 0.0f;
  if (r2 > 0.0f)
    {
      float r = sqrtf (r2);
      if (sh->lobes)
        {
          float ir = 1.0f / r, ir2 = ir * ir, ir3 = ir2 * ir;
          float g = 1.0f + (sh->lobe[0] * (u * u - v * v) + sh->lobe[1] * 2.0f * u * v) * ir2 +
                    (sh->lobe[2] * u * (u * u - 3.0f * v * v) +
                     sh->lobe[3] * v * (3.0f * u * u - v * v)) * ir3;
          r /= g;
        }
      return 1.0f - smoothstepf ((r - sh->inner) * sh->inv_band);
    }
  return 1.0f - smoothstepf (-sh->inner * sh->inv_band);
}

#ifdef __SSE2__
/* A Shape's terms, broadcast once per impression. */
typedef struct
{
  __m128 dx0, cu, sv, outer2, inner, inv_band, c0, lobe0, lobe1x2, lobe2, lobe3;
} Shape4;

/* footprint_value at the four pixels fi (their i as floats) of a row (dysu = dy·su,
 * dycv = dy·cv, the row's terms): lane by lane the same single-precision operations in
 * the same order (sqrt and ÷ correctly rounded, the clamps as min/max in CLAMP's order),
 * the branches as selects, so each lane is the scalar value exactly. */
static inline __attribute__ ((always_inline)) __m128
footprint_value4 (const Shape4 *q, __m128 fi, __m128 dysu, __m128 dycv, gboolean lobes)
{
  const __m128 one = _mm_set1_ps (1.0f), zero = _mm_setzero_ps ();
  const __m128 dx = _mm_add_ps (q->dx0, fi);
  const __m128 u = _mm_add_ps (_mm_mul_ps (dx, q->cu), dysu);
  const __m128 v = _mm_sub_ps (dycv, _mm_mul_ps (dx, q->sv));
  const __m128 uu = _mm_mul_ps (u, u), vv = _mm_mul_ps (v, v);
  /* Without lobes, a NaN r2 is taken as 0, whose value is the centre's: there the
   * formula gives it exactly ((0 − inner)·inv_band is −inner·inv_band, or ±0 when
   * inner is 0, the same value after the smoothstep), so no select is needed. */
  const __m128 r2 = lobes ? _mm_add_ps (uu, vv)
                          : _mm_and_ps (_mm_add_ps (uu, vv), _mm_cmpord_ps (_mm_add_ps (uu, vv), _mm_add_ps (uu, vv)));
  const __m128 out = _mm_cmpge_ps (r2, q->outer2);
  __m128 r, t, val;

  if (_mm_movemask_ps (out) == 0xf)
    return zero; /* all four outside: exactly 0 */
  r = _mm_sqrt_ps (r2);
  if (lobes)
    {
      const __m128 ir = _mm_div_ps (one, r), ir2 = _mm_mul_ps (ir, ir), ir3 = _mm_mul_ps (ir2, ir);
      const __m128 three = _mm_set1_ps (3.0f);
      const __m128 a = _mm_add_ps (_mm_mul_ps (q->lobe0, _mm_sub_ps (uu, vv)),
                                   _mm_mul_ps (_mm_mul_ps (q->lobe1x2, u), v));
      const __m128 b = _mm_add_ps (
        _mm_mul_ps (_mm_mul_ps (q->lobe2, u), _mm_sub_ps (uu, _mm_mul_ps (_mm_mul_ps (three, v), v))),
        _mm_mul_ps (_mm_mul_ps (q->lobe3, v), _mm_sub_ps (_mm_mul_ps (_mm_mul_ps (three, u), u), vv)));
      const __m128 g = _mm_add_ps (_mm_add_ps (one, _mm_mul_ps (a, ir2)), _mm_mul_ps (b, ir3));
      r = _mm_div_ps (r, g);
    }
  t = _mm_mul_ps (_mm_sub_ps (r, q->inner), q->inv_band);
  t = _mm_min_ps (one, _mm_max_ps (zero, t)); /* t > 1 ? 1 : t < 0 ? 0 : t, NaN kept */
  val = _mm_sub_ps (one, _mm_mul_ps (_mm_mul_ps (t, t), _mm_sub_ps (_mm_set1_ps (3.0f), _mm_mul_ps (_mm_set1_ps (2.0f), t))));
  if (lobes)
    {
      const __m128 pos = _mm_cmpgt_ps (r2, zero);
      val = _mm_or_ps (_mm_and_ps (pos, val), _mm_andnot_ps (pos, q->c0));
    }
  return _mm_andnot_ps (out, val);
}

/* sum + v[0] + … + v[n-1], one lane at a time in order (n ≥ 1). */
static inline __m128
add_lanes (__m128 sum, __m128 v, int n)
{
  sum = _mm_add_ss (sum, v);
  if (n > 1)
    sum = _mm_add_ss (sum, _mm_shuffle_ps (v, v, 1));
  if (n > 2)
    sum = _mm_add_ss (sum, _mm_movehl_ps (v, v));
  if (n > 3)
    sum = _mm_add_ss (sum, _mm_shuffle_ps (v, v, 3));
  return sum;
}

static inline __attribute__ ((always_inline)) void
footprint_rect_lanes (const Shape *sh, float *fp, int fw, int ja, int jb, int ia, int ib, float *sum,
                      gboolean lobes)
{
  Shape4 q;
  __m128 s = _mm_set_ss (sum ? *sum : 0.0f);

  q.dx0 = _mm_set1_ps (sh->dx0), q.cu = _mm_set1_ps (sh->cu), q.sv = _mm_set1_ps (sh->sv);
  q.outer2 = _mm_set1_ps (sh->outer2), q.inner = _mm_set1_ps (sh->inner);
  q.inv_band = _mm_set1_ps (sh->inv_band);
  q.c0 = _mm_set1_ps (1.0f - smoothstepf (-sh->inner * sh->inv_band));
  q.lobe0 = _mm_set1_ps (sh->lobe[0]), q.lobe1x2 = _mm_set1_ps (sh->lobe[1] * 2.0f);
  q.lobe2 = _mm_set1_ps (sh->lobe[2]), q.lobe3 = _mm_set1_ps (sh->lobe[3]);
  for (int j = ja; j <= jb; j++)
    {
      const float  dy = sh->dy0 + j;
      const __m128 dysu = _mm_set1_ps (dy * sh->su), dycv = _mm_set1_ps (dy * sh->cv);
      float       *row = fp + (gsize) j * fw;
      __m128       fi = _mm_add_ps (_mm_set1_ps ((float) ia), _mm_setr_ps (0.0f, 1.0f, 2.0f, 3.0f));

      /* Whole vectors: past ib they write up to three floats of slack (the row's
       * next pixels, outside the rectangle, or the next row's first, written later). */
      int          i = ia;

      for (; i + 3 <= ib; i += 4, fi = _mm_add_ps (fi, _mm_set1_ps (4.0f)))
        {
          const __m128 v = footprint_value4 (&q, fi, dysu, dycv, lobes);
          _mm_storeu_ps (row + i, v);
          if (sum)
            s = add_lanes (s, v, 4);
        }
      if (i <= ib)
        {
          const __m128 v = footprint_value4 (&q, fi, dysu, dycv, lobes);
          _mm_storeu_ps (row + i, v);
          if (sum)
            s = add_lanes (s, v, ib - i + 1);
        }
    }
  if (sum)
    *sum = _mm_cvtss_f32 (s);
}
#endif

/* footprint_value over rows ja .. jb, columns ia .. ib, into fp (rows fw apart; three
 * floats of slack after the last); with sum, adds the values to *sum in order, row by
 * row, left to right. */
static void
footprint_rect (const Shape *sh, float *fp, int fw, int ja, int jb, int ia, int ib, float *sum)
{
#ifdef __SSE2__
  if (sh->lobes)
    footprint_rect_lanes (sh, fp, fw, ja, jb, ia, ib, sum, TRUE);
  else
    footprint_rect_lanes (sh, fp, fw, ja, jb, ia, ib, sum, FALSE);
#else
  for (int j = ja; j <= jb; j++)
    for (int i = ia; i <= ib; i++)
      {
        const float val = footprint_value (sh, i, j);
        fp[j * fw + i] = val;
        if (sum)
          *sum += val;
      }
#endif
}

/* ---- Large impressions' normalisations, shared by a render's bands ---- */

typedef struct
{
  guint32 v[5]; /* centre, rank, radius and angle: one impression at one scale */
} FootprintKey;

struct _SmpFootprints
{
  GMutex      lock;
  GHashTable *sums; /* FootprintKey* → float sum */
};

static inline guint32
smp_float_bits (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  return u;
}

static guint
key_hash (gconstpointer p)
{
  const FootprintKey *k = p;
  guint32 h = 2166136261u;
  for (int i = 0; i < 5; i++)
    h = (h ^ k->v[i]) * 16777619u;
  return h;
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (FootprintKey)) == 0;
}

typedef struct
{
  FootprintKey key;
  float        sum;
} FootprintEntry;

SmpFootprints *
smp_footprints_new (void)
{
  SmpFootprints *f = g_new0 (SmpFootprints, 1);

  g_mutex_init (&f->lock);
  /* The entry holds its key: one allocation each, freed with the table. */
  f->sums = g_hash_table_new_full (key_hash, key_equal, g_free, NULL);
  return f;
}

void
smp_footprints_free (SmpFootprints *f)
{
  if (!f)
    return;
  g_hash_table_destroy (f->sums);
  g_mutex_clear (&f->lock);
  g_free (f);
}

static gboolean
footprints_lookup (SmpFootprints *f, const FootprintKey *key, float *sum)
{
  const FootprintEntry *e;

  g_mutex_lock (&f->lock);
  e = g_hash_table_lookup (f->sums, key);
  if (e)
    *sum = e->sum;
  g_mutex_unlock (&f->lock);
  return e != NULL;
}

static void
footprints_insert (SmpFootprints *f, const FootprintKey *key, float sum)
{
  FootprintEntry *e = g_new (FootprintEntry, 1);

  e->key = *key;
  e->sum = sum;
  g_mutex_lock (&f->lock);
  /* Two bands may both have made it: the same value, the first one stays. */
  if (!g_hash_table_contains (f->sums, key))
    g_hash_table_insert (f->sums, e, e);
  else
    g_free (e);
  g_mutex_unlock (&f->lock);
}

/* A core of a pixel or more: its footprint evaluated, normalised and composited (apart
 * from smp_band_add_dot, whose many sub-pixel impressions stay light). */
static void __attribute__ ((noinline))
add_core (SmpBand *band, const SmpDot *dot, double scale, double cx, double cy, float rx, float ry,
          const float *dark)
{
  const float rmax = MAX (rx, ry), rmin = MIN (rx, ry);
  float  lobe_amp, h, reach, sum = 0.0f, k;
  gboolean lobes;
  int    i0, j0, i1, j1, fw, fh;

  /* Edge band: pigment spread, the skin's short blur (a smoothstep of half-width
   * h·r is close to a Gaussian edge of σ ≈ h·r/2) and half a pixel of anti-aliasing. */
  h = MIN (dot->softness * 0.6f + 2.0f * dot->blur * (float) scale / rmin + 0.5f / rmin, MAX_EDGE);
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
      /* Three floats of slack for footprint_rect; zeroed, so the lanes read past a row
       * (masked off) are never undefined memory. */
      band->scratch = g_new0 (float, band->scratch_len + 3);
    }
  {
    Shape sh;
    const int ja = MAX (j0, band->y0) - j0, jb = MIN (j1, band->y0 + band->height - 1) - j0;
    const int ia = MAX (i0, band->x0) - i0, ib = MIN (i1, band->x0 + band->width - 1) - i0;
    const gboolean whole = ja == 0 && jb == fh - 1 && ia == 0 && ib == fw - 1;

    sh.c = cosf (dot->angle), sh.s = sinf (dot->angle);
    sh.cu = sh.c / rx, sh.su = sh.s / rx, sh.cv = sh.c / ry, sh.sv = sh.s / ry;
    sh.inner = 1.0f - h, sh.inv_band = 1.0f / (2.0f * h);
    sh.outer2 = (1.0f + h) * (1.0f + h) * (1.0f + lobe_amp) * (1.0f + lobe_amp);
    sh.dx0 = (float) (i0 + 0.5 - cx), sh.dy0 = (float) (j0 + 0.5 - cy);
    sh.lobes = lobes;
    memcpy (sh.lobe, dot->lobe, sizeof sh.lobe);

    if (!whole && band->footprints && (gsize) fw * fh >= FOOTPRINT_SHARED_MIN)
      {
        /* A large impression this band cuts: its normalisation (the WHOLE footprint's
         * sum, in the same order) is made once per render and shared by every band it
         * touches; each band evaluates only its own pixels of it (the same values). */
        FootprintKey key = { { smp_float_bits (dot->x), smp_float_bits (dot->y), dot->rank,
                               smp_float_bits (rx), smp_float_bits (dot->angle) } };
        if (!footprints_lookup (band->footprints, &key, &sum))
          {
            /* The whole footprint into the scratch (the band's pixels among them). */
            sum = 0.0f;
            footprint_rect (&sh, band->scratch, fw, 0, fh - 1, 0, fw - 1, &sum);
            footprints_insert (band->footprints, &key, sum);
          }
        else
          footprint_rect (&sh, band->scratch, fw, ja, jb, ia, ib, NULL);
      }
    else
      /* Evaluate over the WHOLE footprint, even the part outside this band: the
       * normalisation must not depend on which region is being rendered. */
      footprint_rect (&sh, band->scratch, fw, 0, fh - 1, 0, fw - 1, &sum);
  }
  if (!(sum > 0.0f))
    return;
  k = 1.0f / sum; /* darkening preserved: the pixels add up to the core's integral */
  {
#ifdef __SSE2__
    const __m128 kv = _mm_set1_ps (k);
#endif
    /* composite's work with its bounds (the loops keep inside), spans and block flags per row. */
    const int ia = MAX (i0, band->x0), ib = MIN (i1, band->x0 + band->width - 1);

    for (int j = MAX (j0, band->y0); j <= MIN (j1, band->y0 + band->height - 1); j++)
      {
        const int    row = j - band->y0;
        const float *fp = band->scratch + (gsize) (j - j0) * fw - i0;
        float       *acc = band->accum + (gsize) row * band->width * 3 - band->x0;
        int          first = G_MAXINT, last = G_MININT;

#ifdef __SSE2__
        /* The same tests, four pixels a vector (reading up to the scratch's slack, the
         * lanes past ib masked off): the first pixel with weight from the left, then the
         * last from the right, down to the first. */
        for (int i = ia; i <= ib; i += 4)
          {
            int m = _mm_movemask_ps (_mm_cmpgt_ps (_mm_mul_ps (kv, _mm_loadu_ps (fp + i)), _mm_setzero_ps ()));
            if (ib - i < 3)
              m &= (1 << (ib - i + 1)) - 1;
            if (m)
              {
                first = i + __builtin_ctz ((unsigned) m);
                break;
              }
          }
        if (first <= ib)
          {
            int i = ib - 3, m;
            for (; i > first; i -= 4)
              {
                m = _mm_movemask_ps (_mm_cmpgt_ps (_mm_mul_ps (kv, _mm_loadu_ps (fp + i)), _mm_setzero_ps ()));
                if (m)
                  {
                    last = i + 31 - __builtin_clz ((unsigned) m);
                    break;
                  }
              }
            if (last == G_MININT)
              {
                /* Left unread: first .. i + 3 (fewer than four pixels, the first among them). */
                m = _mm_movemask_ps (_mm_cmpgt_ps (_mm_mul_ps (kv, _mm_loadu_ps (fp + first)), _mm_setzero_ps ()));
                m &= (1 << (i + 3 - first + 1)) - 1;
                last = first + 31 - __builtin_clz ((unsigned) m);
              }
          }
#else
        for (int i = ia; i <= ib; i++)
          if (k * fp[i] > 0.0f)
            {
              first = i;
              break;
            }
        for (int i = ib; i >= first && first <= ib; i--)
          if (k * fp[i] > 0.0f)
            {
              last = i;
              break;
            }
#endif
        if (first <= last)
#ifdef __SSE2__
          darken_row3 (acc + first, band->width, fp + first, last - first + 1,
                       band->x0 + band->width - first, k, dark);
#else
          for (int c = 0; c < 3; c++)
            darken_plane (acc + (gsize) c * band->width + first, fp + first, last - first + 1, k, dark[c]);
#endif
        if (first <= last)
          {
            guint8 *touched = band->touched + (gsize) row * band->n_blocks;
            first -= band->x0, last -= band->x0;
            /* Every block from the first to the last written column: a block flagged
             * without a core pixel still emits exactly (emit_u8_mixed's per-pixel test). */
            /* Mostly one block or two: stored directly, memset only between. */
            touched[first >> BLOCK_SHIFT] = 1;
            touched[last >> BLOCK_SHIFT] = 1;
            if ((last >> BLOCK_SHIFT) - (first >> BLOCK_SHIFT) > 1)
              memset (touched + (first >> BLOCK_SHIFT) + 1, 1, (last >> BLOCK_SHIFT) - (first >> BLOCK_SHIFT) - 1);
            band->span_x0[row] = MIN (band->span_x0[row], first);
            band->span_x1[row] = MAX (band->span_x1[row], last);
          }
      }
  }
}

void
smp_band_add_dot (SmpBand *band, const SmpDot *dot, double scale)
{
  const double cx = dot->x * scale, cy = dot->y * scale;
  const float  rx = (float) (dot->radius_x * scale), ry = (float) (dot->radius_y * scale);
  const float  rmax = MAX (rx, ry);
  const float  area = (float) (scale * scale);
  float  dark[3];

  if (rmax < 0.75f)
    {
      /* The tent's pixels (three planes, two rows), fetched while the shadow is worked out. */
      const int row = (int) floor (cy - 0.5) - band->y0, col = (int) floor (cx - 0.5) - band->x0;
      if (row >= 0 && row + 1 < band->height && col >= 0 && col < band->width)
        for (int k = 0; k < 3; k++)
          {
            __builtin_prefetch (band->accum + ((gsize) row * 3 + k) * band->width + col, 1);
            __builtin_prefetch (band->accum + ((gsize) (row + 1) * 3 + k) * band->width + col, 1);
          }
    }
  add_shadow (band, dot, scale);
  for (int c = 0; c < 3; c++)
    dark[c] = dot->core_dark[c] * area; /* output px²: what this core's pixels add up to */
  if (!(dark[0] > 0.0f || dark[1] > 0.0f || dark[2] > 0.0f) || !(rmax > 0.0f))
    return;
  if (rmax < 0.75f)
    {
      /* Sub-pixel impression: a tent splat spreads its exact darkening over the
       * four nearest pixels, smoothly with position. */
      double fx = cx - 0.5, fy = cy - 0.5;
      int    ix = (int) floor (fx), iy = (int) floor (fy);
      float  tx = (float) (fx - ix), ty = (float) (fy - iy);

      composite (band, ix, iy, (1 - tx) * (1 - ty), dark);
      composite (band, ix + 1, iy, tx * (1 - ty), dark);
      composite (band, ix, iy + 1, (1 - tx) * ty, dark);
      composite (band, ix + 1, iy + 1, tx * ty, dark);
      return;
    }

  add_core (band, dot, scale, cx, cy, rx, ry, dark);
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


/* Adds row r's shadow to its cores' darkening over columns a..b (the planes R, G,
 * B of `acc`): between cell rows J0 and J0+1 with weight fv, then along the row
 * with each column's own, region-independent, fraction. Core and shadow are
 * shares of one deposit's integral, so they add. */
static void
add_row_shadow (SmpBand *band, float *acc, int J0, float fv, int a, int b)
{
  float       *rs = band->row_shadow;
  const float *s0 = band->shadow + (gsize) J0 * band->cw * 3, *s1 = s0 + (gsize) band->cw * 3;
  const int    c0 = band->col_cell[a], c1 = band->col_cell[b] + 1;
  const float *fu = band->col_frac;
  float       *R = acc, *G = acc + band->width, *B = acc + 2 * band->width;
  int          x = a;

  for (int i = 3 * c0; i < 3 * (c1 + 1); i++)
    rs[i] = s0[i] + (s1[i] - s0[i]) * fv;
  for (int c = c0; c < c1 && x <= b; c++)
    {
      const float *l = rs + 3 * c;
      const float  r0 = l[0], g0 = l[1], b0 = l[2], dr = l[3] - l[0], dg = l[4] - l[1], db = l[5] - l[2];
      /* The last column whose left cell is c: centres up to (c + 1.5)·F − 0.5. */
      const int    end = MIN (b, (int) ceil ((c + band->cx0 + 1.5) * band->cell - 0.5) - 1 - band->x0);
      for (; x <= end; x++)
        {
          const float f = fu[x];
          R[x] += r0 + dr * f;
          G[x] += g0 + dg * f;
          B[x] += b0 + db * f;
        }
    }
}

/* Shine lies above the pigment: only the diffuse share of the photo darkens. */
static inline void
keep_shine (const SmpPhoto *photo, const float *pr, int X, float *d)
{
  const float *p;
  float        s;

  if (!pr || X < photo->x || X >= photo->x + photo->width)
    return;
  p = pr + (gsize) (X - photo->x) * 3;
  s = smp_shine_specular (p, photo->chroma);
  if (s > 0.0f)
    for (int k = 0; k < 3; k++)
      d[k] *= p[k] > 0.0f ? 1.0f - MIN (s / p[k], 1.0f) : 0.0f;
}

#if SMP_AVX2_EMIT
/* row_shadow_cells' lerp eight floats a vector (the same operations). */
__attribute__ ((target ("avx2"))) static void
row_shadow_cells_avx2 (float *rs, const float *s0, const float *s1, float fv, int i, int end)
{
  const __m256 f = _mm256_set1_ps (fv);

  for (; i + 8 <= end; i += 8)
    {
      const __m256 a = _mm256_loadu_ps (s0 + i);
      _mm256_storeu_ps (rs + i, _mm256_add_ps (a, _mm256_mul_ps (_mm256_sub_ps (_mm256_loadu_ps (s1 + i), a), f)));
    }
  for (; i < end; i++)
    rs[i] = s0[i] + (s1[i] - s0[i]) * fv;
}
#endif

/* Row r's shadow per cell (between cell rows J0 and J0+1, weight fv) into
 * band->row_shadow over the cells columns a..b read. */
static void
row_shadow_cells (SmpBand *band, int J0, float fv, int a, int b)
{
  float       *rs = band->row_shadow;
  const float *s0 = band->shadow + (gsize) J0 * band->cw * 3, *s1 = s0 + (gsize) band->cw * 3;

#if SMP_AVX2_EMIT
  if (band->avx2)
    {
      row_shadow_cells_avx2 (rs, s0, s1, fv, 3 * band->col_cell[a], 3 * (band->col_cell[b] + 2));
      return;
    }
#endif
  for (int i = 3 * band->col_cell[a]; i < 3 * (band->col_cell[b] + 2); i++)
    rs[i] = s0[i] + (s1[i] - s0[i]) * fv;
}

static inline void
to_rgba_u8 (const guint8 *lut, const float *d, float dith, guint8 *o)
{
  const float m = MAX (d[0], MAX (d[1], d[2]));
  const int   al = (int) (MIN (m, 1.0f) * 255.0f + dith);
  float       inv;

  if (al <= 0)
    {
      memset (o, 0, 4);
      return;
    }
  /* Multiply with alpha: photo × (1 − α + α·c); c carries the colour. */
  inv = SMP_ENCODE_STEPS / m;
  o[0] = lut[(int) ((m - d[0]) * inv + 0.5f)];
  o[1] = lut[(int) ((m - d[1]) * inv + 0.5f)];
  o[2] = lut[(int) ((m - d[2]) * inv + 0.5f)];
  o[3] = (guint8) MIN (al, 255);
}

/* One shadow-only pixel, lerped between its two cells' 8-bit outputs `l` (R, G, B,
 * alpha × 256 each) by w/256; `dith` is the dither threshold × 65536. A cell with
 * no shadow has no colour of its own (its R is −1): it takes its partner's, which
 * is what the exact path gives (d = w·d' has the colour of d'). Choosing it from
 * the pair alone keeps the colour independent of where the region starts. (Both
 * empty: alpha is 0, the colour unread.) The plain C path's; the SSE2 one follows it. */
static inline G_GNUC_UNUSED void
shadow_px_u8 (const gint32 *l, gint32 w, gint32 dith, guint8 *o)
{
  const gint32  v = 256 - w;
  const int     al = (l[3] * v + l[7] * w + dith) >> 16;
  const gint32 *c0 = l[0] < 0 ? l + 4 : l, *c1 = l[4] < 0 ? l : l + 4;

  if (al <= 0)
    {
      memset (o, 0, 4);
      return;
    }
  o[0] = (guint8) ((c0[0] * v + c1[0] * w + 128) >> 8);
  o[1] = (guint8) ((c0[1] * v + c1[1] * w + 128) >> 8);
  o[2] = (guint8) ((c0[2] * v + c1[2] * w + 128) >> 8);
  o[3] = (guint8) MIN (al, 255);
}

#ifdef __SSE2__
/* The row's dither for the shadow lerp, per column phase: 0, 0, 0 and the threshold
 * / 65536 (the alpha lane's scale); 23 so eight pixels in a row never wrap. */
typedef __m128 ShadowDither;
#define SHADOW_DITHER_N 23

static inline ShadowDither
shadow_dither (gint32 dith)
{
  return _mm_setr_ps (0.0f, 0.0f, 0.0f, (float) dith / 65536.0f);
}

/* shadow_px_u8 in 4 float lanes (R, G, B, alpha) from the cell's pair (cell_pair):
 * base + step·w + dither, truncated. The operands are integers over 2^8 (colour)
 * or 2^16 (alpha) below 2^24, so every step is exact and truncation is the shift. */
static inline __m128i
shadow_px_sse2 (const float *pair, const float *w, ShadowDither dith)
{
  const __m128 t = _mm_add_ps (_mm_load_ps (pair), _mm_mul_ps (_mm_load_ps (pair + 4), _mm_load_ps (w)));

  return _mm_cvttps_epi32 (_mm_add_ps (t, dith));
}

/* Four pixels' lanes to 8 bits (saturation is MIN (al, 255)); alpha 0 (or below,
 * both cells empty) is the transparent pixel, colour and all. */
static inline __m128i
shadow_pack_sse2 (__m128i p0, __m128i p1, __m128i p2, __m128i p3)
{
  const __m128i px = _mm_packus_epi16 (_mm_packs_epi32 (p0, p1), _mm_packs_epi32 (p2, p3));

  return _mm_andnot_si128 (_mm_cmpeq_epi32 (_mm_srli_epi32 (px, 24), _mm_setzero_si128 ()), px);
}

static inline void
shadow_px_store (const SmpBand *band, const ShadowDither *dith, int x, guint8 *o)
{
  const __m128i p = shadow_px_sse2 (band->col_pair[x], band->col_wf + 4 * x,
                                    dith[(band->x0 + x) & 15]);
  const guint32 px = (guint32) _mm_cvtsi128_si32 (shadow_pack_sse2 (p, p, p, p));

  memcpy (o, &px, 4);
}

/* One cell's shadow as 8-bit output (the plain C shadow_cells' values), pre-scaled for
 * its pair's lerp: colour + ½ and alpha / 2^8. *has: the cell has colour. */
static inline __m128
shadow_cell_sse2 (const guint8 *lut, const float *d, gboolean *has)
{
  const __m128  scale = _mm_setr_ps (1.0f, 1.0f, 1.0f, 1.0f / 256.0f), half = _mm_setr_ps (0.5f, 0.5f, 0.5f, 0.0f);
  const float   mx = MAX (d[0], MAX (d[1], d[2])), m = MIN (mx, 1.0f);
  const gint32  al = (gint32) (m * 255.0f * 256.0f + 0.5f);
  __m128        cur;

  *has = m > 0.0f;
  if (*has)
    {
      /* The three LUT indices (mx − d) · inv + ½ at once (the fourth lane is unused). */
      const __m128  inv = _mm_set1_ps (SMP_ENCODE_STEPS / mx);
      const __m128i i = _mm_cvttps_epi32 (
        _mm_add_ps (_mm_mul_ps (_mm_sub_ps (_mm_set1_ps (mx), _mm_loadu_ps (d)), inv), _mm_set1_ps (0.5f)));

      cur = _mm_cvtepi32_ps (_mm_setr_epi32 (lut[_mm_cvtsi128_si32 (i)], lut[_mm_cvtsi128_si32 (_mm_shuffle_epi32 (i, 1))],
                                             lut[_mm_cvtsi128_si32 (_mm_shuffle_epi32 (i, 2))], al));
    }
  else
    cur = _mm_cvtepi32_ps (_mm_setr_epi32 (0, 0, 0, al));
  return _mm_add_ps (_mm_mul_ps (cur, scale), half);
}

/* The pair of the cell left of `cur`'s: a colourless cell takes its partner's colour,
 * alpha stays its own; base and step ((p1 − p0) / 2^8), all exact. */
static inline void
shadow_pair_sse2 (float *o, __m128 prev, gboolean prev_has, __m128 cur, gboolean has)
{
  /* Lending is rare (a shadow's edge): a branch, not masks. */
  const __m128 colour = _mm_castsi128_ps (_mm_setr_epi32 (-1, -1, -1, 0));
  const __m128 p0 = prev_has ? prev : _mm_or_ps (_mm_and_ps (colour, cur), _mm_andnot_ps (colour, prev));
  const __m128 p1 = has ? cur : _mm_or_ps (_mm_and_ps (colour, prev), _mm_andnot_ps (colour, cur));

  _mm_store_ps (o, p0);
  _mm_store_ps (o + 4, _mm_mul_ps (_mm_sub_ps (p1, p0), _mm_set1_ps (1.0f / 256.0f)));
}

#if SMP_AVX2_EMIT
static int shadow_cells_avx2 (SmpBand *band, int c, int c1, __m128 *prev_io, gboolean *prev_has_io,
                              gboolean *any_io);
#endif

/* Cells c0..c1 of the row's shadow as 8-bit output (the plain C shadow_cells' values),
 * straight into each pair's lerp as shadow_px_u8 takes it. FALSE: no cell has colour.
 * One-pixel cells put every pixel centre on its cell's (weight 0): the pixel is its
 * cell's base, and a colourless cell has alpha 0; the steps stay 0 from the allocation. */
static gboolean
shadow_cells (SmpBand *band, int c0, int c1)
{
  const guint8  *lut = band->encoder->to_u8;
  float         *pair = band->cell_pair;
  const gboolean own = band->cell == 1;
  gboolean       prev_has, any;
  __m128         prev = shadow_cell_sse2 (lut, band->row_shadow + 3 * c0, &prev_has);
  int            c = c0 + 1;

  if (own)
    _mm_store_ps (pair + 8 * c0, prev);
  any = prev_has;
#if SMP_AVX2_EMIT
  if (band->avx2)
    c = shadow_cells_avx2 (band, c, c1, &prev, &prev_has, &any);
#endif
  for (; c <= c1; c++)
    {
      gboolean has;
      __m128   cur = shadow_cell_sse2 (lut, band->row_shadow + 3 * c, &has);

      if (own)
        _mm_store_ps (pair + 8 * c, cur);
      else
        shadow_pair_sse2 (pair + 8 * (c - 1), prev, prev_has, cur, has);
      prev = cur, prev_has = has, any |= has;
    }
  return any;
}

#if SMP_AVX2_EMIT
/* shadow_cells' cells from c eight a step while eight fit up to c1 (the same operations
 * lane by lane, so the same values; the LUT read as 32-bit gathers, masked to the byte:
 * SmpEncoder's slack), the cell before c carried in *prev. Returns the next cell. */
__attribute__ ((target ("avx2"))) static int
shadow_cells_avx2 (SmpBand *band, int c, int c1, __m128 *prev_io, gboolean *prev_has_io, gboolean *any_io)
{
  const guint8  *lut = band->encoder->to_u8;
  const float   *rs = band->row_shadow;
  float         *pair = band->cell_pair;
  const gboolean own = band->cell == 1;
  const __m256i  idx0 = _mm256_setr_epi32 (0, 3, 6, 1, 4, 7, 2, 5), idx1 = _mm256_setr_epi32 (1, 4, 7, 2, 5, 0, 3, 6);
  const __m256i  idx2 = _mm256_setr_epi32 (2, 5, 0, 3, 6, 1, 4, 7), left = _mm256_setr_epi32 (0, 0, 1, 2, 3, 4, 5, 6);
  const __m256   one = _mm256_set1_ps (1.0f), half = _mm256_set1_ps (0.5f), step = _mm256_set1_ps (1.0f / 256.0f);
  const __m256   steps = _mm256_set1_ps ((float) SMP_ENCODE_STEPS), zero = _mm256_setzero_ps ();
  const __m256i  byte = _mm256_set1_epi32 (0xff);
  __m128         prev = *prev_io;
  gboolean       prev_has = *prev_has_io, any = *any_io;

  for (; c + 7 <= c1; c += 8)
    {
      /* Cells c..c+7's three floats, de-interleaved into a vector a channel. */
      const __m256 A = _mm256_loadu_ps (rs + 3 * c), B = _mm256_loadu_ps (rs + 3 * c + 8),
                   C = _mm256_loadu_ps (rs + 3 * c + 16);
      const __m256 d0 = _mm256_permutevar8x32_ps (_mm256_blend_ps (_mm256_blend_ps (A, B, 0x92), C, 0x24), idx0);
      const __m256 d1 = _mm256_permutevar8x32_ps (_mm256_blend_ps (_mm256_blend_ps (A, B, 0x24), C, 0x49), idx1);
      const __m256 d2 = _mm256_permutevar8x32_ps (_mm256_blend_ps (_mm256_blend_ps (A, B, 0x49), C, 0x92), idx2);
      const __m256 mx = _mm256_max_ps (d0, _mm256_max_ps (d1, d2)), m = _mm256_min_ps (mx, one);
      const __m256i al = _mm256_cvttps_epi32 (
        _mm256_add_ps (_mm256_mul_ps (_mm256_mul_ps (m, _mm256_set1_ps (255.0f)), _mm256_set1_ps (256.0f)), half));
      const __m256 has = _mm256_cmp_ps (m, zero, _CMP_GT_OQ);
      const __m256 inv = _mm256_div_ps (steps, mx);
      const __m256 dk[3] = { d0, d1, d2 };
      __m256       v[4];
      const int    hm = _mm256_movemask_ps (has);

      for (int k = 0; k < 3; k++)
        {
          /* Colourless lanes read entry 0 and keep colour 0 (the SSE2 step's). */
          const __m256i i = _mm256_and_si256 (
            _mm256_cvttps_epi32 (_mm256_add_ps (_mm256_mul_ps (_mm256_sub_ps (mx, dk[k]), inv), half)),
            _mm256_castps_si256 (has));
          const __m256i l = _mm256_and_si256 (_mm256_and_si256 (_mm256_i32gather_epi32 ((const int *) lut, i, 1), byte),
                                              _mm256_castps_si256 (has));
          v[k] = _mm256_add_ps (_mm256_cvtepi32_ps (l), half);
        }
      v[3] = _mm256_mul_ps (_mm256_cvtepi32_ps (al), step);
      any |= hm != 0;
      if (own)
        {
          /* Four floats a cell: a 4 × 8 transpose, then a store a cell. */
          const __m256 t0 = _mm256_unpacklo_ps (v[0], v[1]), t1 = _mm256_unpackhi_ps (v[0], v[1]);
          const __m256 t2 = _mm256_unpacklo_ps (v[2], v[3]), t3 = _mm256_unpackhi_ps (v[2], v[3]);
          const __m256 r[4] = { _mm256_shuffle_ps (t0, t2, _MM_SHUFFLE (1, 0, 1, 0)),
                                _mm256_shuffle_ps (t0, t2, _MM_SHUFFLE (3, 2, 3, 2)),
                                _mm256_shuffle_ps (t1, t3, _MM_SHUFFLE (1, 0, 1, 0)),
                                _mm256_shuffle_ps (t1, t3, _MM_SHUFFLE (3, 2, 3, 2)) };
          for (int j = 0; j < 4; j++)
            {
              _mm_store_ps (pair + 8 * (c + j), _mm256_castps256_ps128 (r[j]));
              _mm_store_ps (pair + 8 * (c + j + 4), _mm256_extractf128_ps (r[j], 1));
            }
        }
      else
        {
          /* Lane j's pair is cell c+j−1's: its left partner is the lane before (lane 0's,
           * the carried cell). */
          const __m256 pv = _mm256_castps128_ps256 (prev);
          const __m256 ph = _mm256_blend_ps (_mm256_permutevar8x32_ps (has, left),
                                             prev_has ? _mm256_castsi256_ps (_mm256_set1_epi32 (-1)) : zero, 0x01);
          __m256 o[8], t[8];

          for (int k = 0; k < 4; k++)
            {
              const __m256 p = _mm256_blend_ps (_mm256_permutevar8x32_ps (v[k], left),
                                                _mm256_permutevar8x32_ps (pv, _mm256_set1_epi32 (k)), 0x01);
              const __m256 p0 = k < 3 ? _mm256_blendv_ps (v[k], p, ph) : p;
              const __m256 p1 = k < 3 ? _mm256_blendv_ps (p, v[k], has) : v[k];
              o[k] = p0;
              o[4 + k] = _mm256_mul_ps (_mm256_sub_ps (p1, p0), step);
            }
          /* Eight floats a cell: an 8 × 8 transpose, then a store a cell. */
          for (int k = 0; k < 8; k += 2)
            t[k] = _mm256_unpacklo_ps (o[k], o[k + 1]), t[k + 1] = _mm256_unpackhi_ps (o[k], o[k + 1]);
          for (int k = 0; k < 8; k += 4)
            {
              o[k] = _mm256_shuffle_ps (t[k], t[k + 2], _MM_SHUFFLE (1, 0, 1, 0));
              o[k + 1] = _mm256_shuffle_ps (t[k], t[k + 2], _MM_SHUFFLE (3, 2, 3, 2));
              o[k + 2] = _mm256_shuffle_ps (t[k + 1], t[k + 3], _MM_SHUFFLE (1, 0, 1, 0));
              o[k + 3] = _mm256_shuffle_ps (t[k + 1], t[k + 3], _MM_SHUFFLE (3, 2, 3, 2));
            }
          for (int j = 0; j < 4; j++)
            {
              _mm256_storeu_ps (pair + 8 * (c - 1 + j), _mm256_permute2f128_ps (o[j], o[4 + j], 0x20));
              _mm256_storeu_ps (pair + 8 * (c + 3 + j), _mm256_permute2f128_ps (o[j], o[4 + j], 0x31));
            }
        }
      /* Carry cell c+7. */
      {
        float last[4];
        for (int k = 0; k < 4; k++)
          last[k] = _mm256_cvtss_f32 (_mm256_permutevar8x32_ps (v[k], _mm256_set1_epi32 (7)));
        prev = _mm_loadu_ps (last);
        prev_has = (hm >> 7) & 1;
      }
    }
  *prev_io = prev, *prev_has_io = prev_has, *any_io = any;
  return c;
}
#endif

/* Pixels x..x+3 holding only shadow, in one store; d: x's dither phase. */
static inline void
shadow_px4_store (const float *const *pair, const float *wf, const ShadowDither *d, int x, guint8 *row)
{
  const __m128i       p0 = shadow_px_sse2 (pair[x], wf + 4 * x, d[0]);
  const __m128i       p1 = shadow_px_sse2 (pair[x + 1], wf + 4 * (x + 1), d[1]);
  const __m128i       p2 = shadow_px_sse2 (pair[x + 2], wf + 4 * (x + 2), d[2]);
  const __m128i       p3 = shadow_px_sse2 (pair[x + 3], wf + 4 * (x + 3), d[3]);

  _mm_storeu_si128 ((__m128i *) (row + 4 * x), shadow_pack_sse2 (p0, p1, p2, p3));
}

#if SMP_AVX2_EMIT
/* Eight shadow-only pixels from x, two a vector (the SSE2 code's operations lane by
 * lane, and its packing, then put in order). */
__attribute__ ((target ("avx2"))) static inline __m256i
shadow8_avx2 (const SmpBand *band, int x, const ShadowDither *dith)
{
  const float *const *pair = band->col_pair;
  const float        *wf = band->col_wf;
  const float        *d = (const float *) (dith + ((band->x0 + x) & 15));
  __m256i             p[4], px;

  for (int j = 0; j < 4; j++)
    {
      const int    i = x + 2 * j;
      const __m256 t = _mm256_add_ps (_mm256_loadu2_m128 (pair[i + 1], pair[i]),
                                      _mm256_mul_ps (_mm256_loadu2_m128 (pair[i + 1] + 4, pair[i] + 4),
                                                     _mm256_loadu_ps (wf + 4 * i)));
      p[j] = _mm256_cvttps_epi32 (_mm256_add_ps (t, _mm256_loadu_ps (d + 8 * j)));
    }
  /* Packed as the SSE2 code packs (pixels 0 2 4 6 | 1 3 5 7), then put in order. */
  px = _mm256_permutevar8x32_epi32 (_mm256_packus_epi16 (_mm256_packs_epi32 (p[0], p[1]),
                                                         _mm256_packs_epi32 (p[2], p[3])),
                                    _mm256_setr_epi32 (0, 4, 1, 5, 2, 6, 3, 7));
  return _mm256_andnot_si256 (_mm256_cmpeq_epi32 (_mm256_srli_epi32 (px, 24), _mm256_setzero_si256 ()), px);
}

/* emit_u8_shadow eight pixels a step: columns from x while eight fit up to b; returns the next. */
__attribute__ ((target ("avx2"))) static int
emit_u8_shadow_avx2 (const SmpBand *band, guint8 *row, int x, int b, const ShadowDither *dith)
{
  for (; x + 7 <= b; x += 8)
    _mm256_storeu_si256 ((__m256i *) (row + 4 * x), shadow8_avx2 (band, x, dith));
  return x;
}
#endif

/* Columns a..b of a row no core touched: the shadow alone, four pixels a store. */
static void
emit_u8_shadow (const SmpBand *band, guint8 *row, int a, int b, const ShadowDither *dith)
{
  const float *const *pair = band->col_pair;
  const float        *wf = band->col_wf;
  const int           x0 = band->x0;
  int                 x = a;

#if SMP_AVX2_EMIT
  if (band->avx2)
    x = emit_u8_shadow_avx2 (band, row, x, b, dith);
#endif
  for (; x + 7 <= b; x += 8)
    {
      const ShadowDither *d = dith + ((x0 + x) & 15);
      shadow_px4_store (pair, wf, d, x, row);
      shadow_px4_store (pair, wf, d + 4, x + 4, row);
    }
  if (x + 3 <= b)
    shadow_px4_store (pair, wf, dith + ((x0 + x) & 15), x, row), x += 4;
  for (; x <= b; x++)
    shadow_px_store (band, dith, x, row + 4 * x);
}
#else
/* The row's dither for the shadow lerp: the threshold × 65536, per column phase. */
typedef gint32 ShadowDither;
#define SHADOW_DITHER_N 16

static inline ShadowDither
shadow_dither (gint32 dith)
{
  return dith;
}

static inline void
shadow_px_store (const SmpBand *band, const ShadowDither *dith, int x, guint8 *o)
{
  shadow_px_u8 (band->cell_u8 + 4 * band->col_cell[x], band->col_w8[x], dith[(band->x0 + x) & 15], o);
}


/* Columns a..b of a row no core touched: the shadow alone, one run of columns per
 * cell, with that cell's lerp set up once (l·v + l'·w = 256·l + (l' − l)·w exactly, in
 * integers: the values shadow_px_u8 gives). */
static void
emit_u8_shadow (const SmpBand *band, guint8 *row, int a, int b, const ShadowDither *dith)
{
  const int    *cell = band->col_cell, *run_end = band->col_run_end;
  const gint32 *w8 = band->col_w8;
  const int     x0 = band->x0;

  for (int x = a; x <= b;)
    {
      const gint32 *l = band->cell_u8 + 4 * cell[x];
      const gint32 *c0 = l[0] < 0 ? l + 4 : l, *c1 = l[4] < 0 ? l : l + 4; /* as shadow_px_u8 */
      const gint32  r0 = 256 * c0[0] + 128, g0 = 256 * c0[1] + 128, b0 = 256 * c0[2] + 128, a0 = 256 * l[3];
      const gint32  dr = c1[0] - c0[0], dg = c1[1] - c0[1], db = c1[2] - c0[2], da = l[7] - l[3];
      const int     end = MIN (b, run_end[x]);

      for (; x <= end; x++)
        {
          const gint32 w = w8[x];
          const int    al = (a0 + da * w + dith[(x0 + x) & 15]) >> 16;
          guint32      px = 0;

          if (al > 0)
            px = (guint32) ((r0 + dr * w) >> 8) | (guint32) ((g0 + dg * w) >> 8) << 8 |
                 (guint32) ((b0 + db * w) >> 8) << 16 | (guint32) MIN (al, 255) << 24;
          px = GUINT32_TO_LE (px);
          memcpy (row + 4 * x, &px, 4);
        }
    }
}

#endif

/* A pixel holding a core, exactly: its darkening plus (with `shadow`) its shadow. */
static inline void
core_px_u8 (const SmpBand *band, const float *acc, gboolean shadow, int x, const float *dith, guint8 *o)
{
  float d[3] = { acc[x], acc[x + band->width], acc[x + 2 * band->width] };

  if (shadow)
    {
      const float *l = band->row_shadow + 3 * band->col_cell[x];
      const float  fu = band->col_frac[x];
      for (int k = 0; k < 3; k++)
        d[k] += l[k] + (l[3 + k] - l[k]) * fu;
    }
  to_rgba_u8 (band->encoder->to_u8, d, dith[(band->x0 + x) & 15], o);
}

#if SMP_AVX2_EMIT
/* emit_u8_mixed's shadowed columns from x, eight a step while eight fit up to b: the
 * pixels holding a core as core_px_u8 makes them (the same operations lane by lane;
 * the row's shadow and the LUT by gathers), the others as shadow8_avx2, chosen per
 * pixel. `dith2`: the row's float dither, 24 long (no wrap within eight). Returns the
 * next column. */
__attribute__ ((target ("avx2"))) static int
emit_u8_mixed_avx2 (const SmpBand *band, const float *acc, guint8 *row, int x, int b, const float *dith2,
                    const ShadowDither *dith_i)
{
  const int    *lut = (const int *) band->encoder->to_u8;
  const float  *rs = band->row_shadow;
  const __m256  zero = _mm256_setzero_ps (), one = _mm256_set1_ps (1.0f), half = _mm256_set1_ps (0.5f);
  const __m256  steps = _mm256_set1_ps ((float) SMP_ENCODE_STEPS);
  const __m256i byte = _mm256_set1_epi32 (0xff), max8 = _mm256_set1_epi32 (255);

  for (; x + 7 <= b; x += 8)
    {
      const __m256 r = _mm256_loadu_ps (acc + x);
      const __m256 core = _mm256_cmp_ps (r, zero, _CMP_NEQ_UQ);
      __m256i      l3, o, al;
      __m256       d[3], m, inv;
      __m256i      ok;

      if (!_mm256_movemask_ps (core))
        {
          _mm256_storeu_si256 ((__m256i *) (row + 4 * x), shadow8_avx2 (band, x, dith_i));
          continue;
        }
      /* d += l + (l' − l) · fu, the cell pair left and right of each pixel's centre. */
      l3 = _mm256_mullo_epi32 (_mm256_loadu_si256 ((const __m256i *) (band->col_cell + x)), _mm256_set1_epi32 (3));
      {
        const __m256 fu = _mm256_loadu_ps (band->col_frac + x);
        for (int k = 0; k < 3; k++)
          {
            const __m256 a = k == 0 ? r : _mm256_loadu_ps (acc + x + (gsize) k * band->width);
            const __m256 l = _mm256_i32gather_ps (rs + k, l3, 4), l1 = _mm256_i32gather_ps (rs + 3 + k, l3, 4);
            d[k] = _mm256_add_ps (a, _mm256_add_ps (l, _mm256_mul_ps (_mm256_sub_ps (l1, l), fu)));
          }
      }
      /* to_rgba_u8 */
      m = _mm256_max_ps (d[0], _mm256_max_ps (d[1], d[2]));
      al = _mm256_cvttps_epi32 (_mm256_add_ps (_mm256_mul_ps (_mm256_min_ps (m, one), _mm256_set1_ps (255.0f)),
                                               _mm256_loadu_ps (dith2 + ((band->x0 + x) & 15))));
      ok = _mm256_cmpgt_epi32 (al, _mm256_setzero_si256 ());
      inv = _mm256_div_ps (steps, m);
      o = _mm256_min_epi32 (al, max8);
      for (int k = 2; k >= 0; k--)
        {
          /* Pixels with no alpha read entry 0 and come out transparent. */
          const __m256i i = _mm256_and_si256 (
            _mm256_cvttps_epi32 (_mm256_add_ps (_mm256_mul_ps (_mm256_sub_ps (m, d[k]), inv), half)), ok);
          o = _mm256_or_si256 (_mm256_slli_epi32 (o, 8), _mm256_and_si256 (_mm256_i32gather_epi32 (lut, i, 1), byte));
        }
      o = _mm256_and_si256 (o, ok);
      o = _mm256_blendv_epi8 (shadow8_avx2 (band, x, dith_i), o, _mm256_castps_si256 (core));
      _mm256_storeu_si256 ((__m256i *) (row + 4 * x), o);
    }
  return x;
}
#endif

/* Columns a..b of a row where cores may lie: pixels holding a core take the exact path. */
static inline void
emit_u8_mixed (const SmpBand *band, const float *acc, gboolean shadow, guint8 *row, int a, int b,
               const float *dith, const float *dith2, const ShadowDither *dith_i)
{
#ifdef __SSE2__
  if (shadow)
    {
      int x = a;

#if SMP_AVX2_EMIT
      if (band->avx2)
        x = emit_u8_mixed_avx2 (band, acc, row, x, b, dith2, dith_i);
#else
      (void) dith2;
#endif

      /* Four pixels without a core go in one store (tiny dots leave few such). */
      for (; x + 3 <= b; x += 4)
        if (!_mm_movemask_ps (_mm_cmpneq_ps (_mm_loadu_ps (acc + x), _mm_setzero_ps ())))
          shadow_px4_store (band->col_pair, band->col_wf, dith_i + ((band->x0 + x) & 15), x, row);
        else
          for (int i = x; i < x + 4; i++)
            if (acc[i] != 0.0f)
              core_px_u8 (band, acc, TRUE, i, dith, row + 4 * i);
            else
              shadow_px_store (band, dith_i, i, row + 4 * i);
      a = x;
    }
#endif
  for (int x = a; x <= b; x++)
    {
      if (acc[x] != 0.0f || !shadow)
        core_px_u8 (band, acc, shadow, x, dith, row + 4 * x);
      else
        shadow_px_store (band, dith_i, x, row + 4 * x);
    }
}

/* The common case (8-bit RGBA without a photo: the preview, and the layers of
 * 8-bit images when shine is off), kept tight. Pixels holding a core take the
 * exact path; pixels holding only shadow, most of them, lerp the output their
 * two cells would have (the shadow is smooth on the cell scale: the difference
 * is far below a level of 8 bits, and it depends on the output position only). */
static void
emit_row_rgba_u8 (SmpBand *band, const float *acc, const guint8 *touched, gboolean shadow, guint8 *row, int a,
                  int b, int y)
{
  const float  *dith = band->dither + 16 * (y & 15);
  ShadowDither  dith_i[SHADOW_DITHER_N];
  float         dith2[24];

  if (shadow)
    shadow = shadow_cells (band, band->col_cell[a], band->col_cell[b] + 1);
  for (int i = 0; i < SHADOW_DITHER_N; i++)
    dith_i[i] = shadow_dither ((gint32) (dith[i & 15] * 65536.0f));
#if SMP_AVX2_EMIT
  if (band->avx2)
    for (int i = 0; i < 24; i++)
      dith2[i] = dith[i & 15];
#endif
  for (int x = a; x <= b;)
    {
      const int blk = x >> BLOCK_SHIFT;
      int       end = MIN (b, (blk << BLOCK_SHIFT) + BLOCK - 1);

      if (touched[blk])
        emit_u8_mixed (band, acc, shadow, row, x, end, dith, dith2, dith_i);
      else
        {
          /* Untouched blocks side by side go as one run. */
          while (end < b && !touched[(end + 1) >> BLOCK_SHIFT])
            end = MIN (b, end + BLOCK);
          if (shadow)
            emit_u8_shadow (band, row, x, end, dith_i);
          else
            memset (row + 4 * x, 0, 4 * (gsize) (end - x + 1));
        }
      x = end + 1;
    }
}

static void
emit_row_any (SmpBand *band, SmpPixelFormat format, const float *acc, guint8 *row, int a, int b, int y,
              const float *pr)
{
  const gsize bpp = smp_pixel_format_get_bpp (format);
  const gboolean grey = format == SMP_PIXEL_YA_U8 || format == SMP_PIXEL_YA_U16 || format == SMP_PIXEL_YA_FLOAT;

  for (int x = a; x <= b; x++)
    {
      float   d[3], al, dmax, rgb[3];
      guint8 *out = row + bpp * x;

      d[0] = MIN (acc[x], 1.0f);
      d[1] = MIN (acc[x + band->width], 1.0f);
      d[2] = MIN (acc[x + 2 * band->width], 1.0f);
      keep_shine (band->photo, pr, band->x0 + x, d);
      dmax = MAX (d[0], MAX (d[1], d[2]));
      /* Grey: all the darkening is in alpha, over black. */
      al = MIN (grey ? 0.2126f * d[0] + 0.7152f * d[1] + 0.0722f * d[2] : dmax, 1.0f);
      if (format == SMP_PIXEL_YA_U8)
        al = floorf (al * 255.0f + band->dither[16 * (y & 15) + ((band->x0 + x) & 15)]) / 255.0f;
      else if ((format == SMP_PIXEL_RGBA_U16 || format == SMP_PIXEL_YA_U16) && al < 0.5f / 65535.0f)
        al = 0.0f;
      if (!(al > 0.0f))
        {
          memset (out, 0, bpp);
          continue;
        }
      for (int k = 0; k < 3; k++)
        rgb[k] = smp_encoder_apply (band->encoder, 1.0f - d[k] / dmax);
      switch (format)
        {
        case SMP_PIXEL_RGBA_U8:
          out[0] = to_u8 (rgb[0]), out[1] = to_u8 (rgb[1]), out[2] = to_u8 (rgb[2]), out[3] = to_u8 (al);
          break;
        case SMP_PIXEL_RGBA_U16:
          {
            guint16 v16[4] = { to_u16 (rgb[0]), to_u16 (rgb[1]), to_u16 (rgb[2]), to_u16 (al) };
            memcpy (out, v16, sizeof v16);
          }
          break;
        case SMP_PIXEL_RGBA_FLOAT:
          {
            float v4[4] = { rgb[0], rgb[1], rgb[2], al };
            memcpy (out, v4, sizeof v4);
          }
          break;
        case SMP_PIXEL_YA_U8:
          out[0] = 0, out[1] = to_u8 (al);
          break;
        case SMP_PIXEL_YA_U16:
          {
            guint16 v2[2] = { 0, to_u16 (al) };
            memcpy (out, v2, sizeof v2);
          }
          break;
        case SMP_PIXEL_YA_FLOAT:
          {
            float v2[2] = { 0.0f, al };
            memcpy (out, v2, sizeof v2);
          }
          break;
        }
    }
}

void
smp_band_emit (SmpBand *band, SmpPixelFormat format, guint8 *first_row, gsize rowstride)
{
  const gsize bpp = smp_pixel_format_get_bpp (format);
  const int   F = band->cell;
  const SmpPhoto *photo = band->photo;

  for (int r = 0; r < band->height; r++)
    {
      guint8 *row = first_row + (gsize) r * rowstride;
      const int y = band->y0 + r;
      double v = (y + 0.5) / F - 0.5, vf = floor (v);
      int    J0 = (int) vf - band->cy0, J1 = J0 + 1;
      int    a = band->span_x0[r], b = band->span_x1[r];
      int    ca = MIN (band->cspan_x0[J0], band->cspan_x0[J1]);
      int    cb = MAX (band->cspan_x1[J0], band->cspan_x1[J1]);
      float *acc = band->accum + (gsize) r * band->width * 3;
      guint8 *touched = band->touched + (gsize) r * band->n_blocks;
      const float *pr = NULL;

      gboolean shadow = FALSE;

      if (ca <= cb)
        {
          /* Pixels whose bracketing cells hold shadow. */
          int sa = MAX ((int) floor ((ca + band->cx0 - 0.5) * F - 0.5) - band->x0, 0);
          int sb = MIN ((int) ceil ((cb + band->cx0 + 1.5) * F - 0.5) - band->x0, band->width - 1);
          a = MIN (a, sa), b = MAX (b, sb);
          a = MAX (a, 0), b = MIN (b, band->width - 1);
          shadow = TRUE;
        }
      if (a > b)
        {
          memset (row, 0, bpp * band->width);
          band->span_x0[r] = G_MAXINT;
          band->span_x1[r] = G_MININT;
          continue;
        }
      memset (row, 0, bpp * a);
      memset (row + bpp * (b + 1), 0, bpp * (band->width - b - 1));
      if (photo && y >= photo->y && y < photo->y + photo->height)
        pr = photo->rgb + (gsize) (y - photo->y) * photo->stride;
      if (format == SMP_PIXEL_RGBA_U8 && !pr)
        {
          if (shadow)
            row_shadow_cells (band, J0, (float) (v - vf), a, b);
          emit_row_rgba_u8 (band, acc, touched, shadow, row, a, b, y);
        }
      else if (shadow)
        {
          /* The shadow goes into every column of acc: all of a..b is converted and re-zeroed. */
          add_row_shadow (band, acc, J0, (float) (v - vf), a, b);
          emit_row_any (band, format, acc, row, a, b, y, pr);
          for (int k = 0; k < 3; k++)
            memset (acc + (gsize) k * band->width + a, 0, sizeof (float) * (b - a + 1));
          memset (touched, 0, band->n_blocks);
        }
      else
        /* Untouched blocks hold no darkening: transparent, as the full conversion gives. */
        for (int x = a; x <= b;)
          {
            const int blk = x >> BLOCK_SHIFT, end = MIN (b, (blk << BLOCK_SHIFT) + BLOCK - 1);
            if (touched[blk])
              emit_row_any (band, format, acc, row, x, end, y, pr);
            else
              memset (row + bpp * x, 0, bpp * (end - x + 1));
            x = end + 1;
          }
      /* Only blocks a core wrote hold anything to re-zero. */
      for (int blk = a >> BLOCK_SHIFT; blk <= b >> BLOCK_SHIFT; blk++)
        if (touched[blk])
          {
            const int x0 = blk << BLOCK_SHIFT, n = MIN (BLOCK, band->width - x0);
            for (int k = 0; k < 3; k++)
              memset (acc + (gsize) k * band->width + x0, 0, sizeof (float) * n);
            touched[blk] = 0;
          }
      band->span_x0[r] = G_MAXINT;
      band->span_x1[r] = G_MININT;
    }
  /* Only the cells the shadows wrote (each cell row's span) hold anything to re-zero. */
  for (int r = 0; r < band->ch; r++)
    {
      if (band->cspan_x0[r] <= band->cspan_x1[r])
        memset (band->shadow + ((gsize) r * band->cw + band->cspan_x0[r]) * 3, 0,
                sizeof (float) * 3 * (gsize) (band->cspan_x1[r] - band->cspan_x0[r] + 1));
      band->cspan_x0[r] = G_MAXINT, band->cspan_x1[r] = G_MININT;
    }
}
