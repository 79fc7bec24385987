/* smp-match-private.h: what the measuring and the fitting share inside the engine:
 * robust statistics, the untreated skin and the Gaussian blur. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "smp-match-private.h is the engine's own: include <smp/smp-match.h>"
#endif

#include <smp/smp-match.h>

/* The median of n values (reorders them); NAN when n is 0. */
double smp_match_median (float *v, gsize n);
/* Median and 1.4826 × MAD (a Gaussian's σ) of n values (reorders them). */
void   smp_match_median_mad (float *v, gsize n, double *median, double *sigma);
/* The measuring's treated pixels: the selection's coverage at least one half. */
static inline gboolean
smp_match_is_treated (const SmpMatchInput *in, gsize i)
{
  return in->treated[i] >= 0.5f;
}
/* The untreated skin the measuring compares with (1 = skin): in->untreated less the
 * treated pixels, else a ring 2–5 mm outside them. skin_mask: width × height. */
void   smp_match_skin_mask (const SmpMatchInput *in, const guint8 *treated, guint8 *skin_mask);
/* In-place separable Gaussian blur of a w × h float image (edges clamped). */
void   smp_match_blur (float *img, int w, int h, double sigma, float *scratch);
