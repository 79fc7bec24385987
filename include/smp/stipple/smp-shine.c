/* smp-shine.c: the skin's diffuse chromaticity over the treated area and each
 * pixel's neutral specular part (Shafer's dichromatic reflection model). */
#include <smp/smp-shine.h>

#include <math.h>
#include <stdlib.h>

/* Below these the fit is camera noise, not shine: a fraction of the pixel's
 * mean level plus an absolute floor (linear light). */
#define NOISE_RELATIVE 0.01
#define NOISE_ABSOLUTE 0.002

typedef struct
{
  float sat;
  float c[3];
} Sample;

static int
by_sat (const void *a, const void *b)
{
  float x = ((const Sample *) a)->sat, y = ((const Sample *) b)->sat;
  return x < y ? -1 : x > y;
}

static int
by_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

gboolean
smp_shine_estimate_chroma (const float *rgb, gsize n, gsize step, const float *weights, double chroma[3])
{
  g_autofree Sample *s = g_new (Sample, MAX (n, 1));
  g_autofree float  *v = NULL;
  gsize m = 0, top, cnt;

  g_return_val_if_fail (rgb != NULL && chroma != NULL && step >= 3, FALSE);
  for (gsize i = 0; i < n; i++)
    {
      const float *p = rgb + i * step;
      float sum = p[0] + p[1] + p[2];

      if (weights && !(weights[i] > 0.0f))
        continue;
      /* Too dark to measure, or clipped (a clipped highlight has lost its colour). */
      if (!(sum > 0.03f) || p[0] >= 0.995f || p[1] >= 0.995f || p[2] >= 0.995f)
        continue;
      for (int k = 0; k < 3; k++)
        s[m].c[k] = p[k] / sum;
      /* Distance from neutral: shine only moves a pixel towards it. */
      s[m].sat = hypotf (hypotf (s[m].c[0] - 1.0f / 3, s[m].c[1] - 1.0f / 3), s[m].c[2] - 1.0f / 3);
      m++;
    }
  if (m < 16)
    return FALSE;
  qsort (s, m, sizeof *s, by_sat);
  /* The most saturated quarter is diffuse skin; its median is robust to the few
   * outliers (a mole, a vein) at the very top. */
  top = m - m / 4;
  cnt = m - top;
  v = g_new (float, cnt);
  for (int k = 0; k < 3; k++)
    {
      for (gsize i = 0; i < cnt; i++)
        v[i] = s[top + i].c[k];
      qsort (v, cnt, sizeof *v, by_float);
      chroma[k] = v[cnt / 2];
    }
  {
    double sum = chroma[0] + chroma[1] + chroma[2];
    for (int k = 0; k < 3; k++)
      chroma[k] /= sum;
  }
  return TRUE;
}

float
smp_shine_specular (const float rgb[3], const double chroma[3])
{
  /* Least squares for rgb = m·d + s·1 with Σd = 1: the normal equations
   * [Σd² 1; 1 3] [m s]ᵀ = [Σ rgb·d, Σ rgb]ᵀ. */
  double dd = chroma[0] * chroma[0] + chroma[1] * chroma[1] + chroma[2] * chroma[2];
  double pd = rgb[0] * chroma[0] + rgb[1] * chroma[1] + rgb[2] * chroma[2];
  double ps = (double) rgb[0] + rgb[1] + rgb[2];
  double det = 3.0 * dd - 1.0, s, lo;

  if (!(det > 1e-9))
    return 0.0f; /* a neutral skin colour: shine cannot be told apart */
  s = (dd * ps - pd) / det;
  s -= NOISE_RELATIVE * ps / 3.0 + NOISE_ABSOLUTE;
  lo = MIN (rgb[0], MIN (rgb[1], rgb[2]));
  return (float) CLAMP (s, 0.0, MAX (lo, 0.0));
}
