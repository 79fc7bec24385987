/* smp-noise.c: smooth value noise for the hairline's macro and micro irregularity.
 * Seeded, lattice-based, so a point's value never depends on what else is asked. */
#include "smp-noise.h"

#include <math.h>

static inline double
fade (double t)
{
  return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

static inline double
lattice (guint32 seed, gint64 ix, gint64 iy)
{
  return smp_hash_unit (smp_hash4 (seed, (guint32) ix, (guint32) iy, 0x51ed27u));
}

double
smp_value_noise (guint32 seed, double x, double y)
{
  double fx = floor (x), fy = floor (y);
  gint64 ix = (gint64) fx, iy = (gint64) fy;
  double tx = fade (x - fx), ty = fade (y - fy);
  double a = lattice (seed, ix, iy), b = lattice (seed, ix + 1, iy);
  double c = lattice (seed, ix, iy + 1), d = lattice (seed, ix + 1, iy + 1);
  double top = a + (b - a) * tx, bottom = c + (d - c) * tx;

  return top + (bottom - top) * ty;
}

double
smp_fractal_noise (guint32 seed, double x, double y)
{
  /* An irrational-ish octave ratio avoids the two lattices lining up. */
  return (smp_value_noise (seed, x, y) +
          0.4 * smp_value_noise (seed ^ 0xa5a5a5u, x * 2.31 + 17.3, y * 2.31 - 5.1)) / 1.4;
}
