/* smp-aids-private.h (internal): small helpers the design-aid sources share.
 * Private to the engine. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <glib.h>
#include <math.h>

static inline gboolean
all_finite (const double *v, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}
