/* smp-noise.h (internal): integer hashing and smooth value noise. Every random
 * choice in the engine is a pure function of (seed, position or index). */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <glib.h>

G_BEGIN_DECLS

static inline guint32
smp_hash32 (guint32 x)
{
  /* lowbias32 (Chris Wellons): well mixed, cheap. */
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static inline guint32
smp_hash4 (guint32 seed, guint32 a, guint32 b, guint32 c)
{
  guint32 h = smp_hash32 (seed ^ 0x9e3779b9U);
  h = smp_hash32 (h ^ a);
  h = smp_hash32 (h ^ (b + 0x85ebca6bU));
  return smp_hash32 (h ^ (c + 0xc2b2ae35U));
}

/* [0, 1) from the top 24 bits. */
static inline float
smp_hash_unit (guint32 h)
{
  return (float) (h >> 8) * (1.0f / 16777216.0f);
}

/* Smooth value noise in [0, 1] on a unit lattice (quintic fade). */
double smp_value_noise (guint32 seed, double x, double y);
/* Two octaves, still in [0, 1]: the undulation of a natural hairline. */
double smp_fractal_noise (guint32 seed, double x, double y);

G_END_DECLS
