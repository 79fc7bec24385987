/* smp-pattern-private.h (internal): the pattern's layout, shared with the design.
 * A toroidal unit tile of points in rank order, bucketed into cells by position. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <smp/smp-pattern.h>

G_BEGIN_DECLS

struct _SmpPattern
{
  gatomicrefcount ref;
  guint32         seed;
  guint           n;          /* points */
  float          *u, *v;      /* by rank */
  int             grid;       /* cells per side */
  guint32        *cell_start; /* grid*grid + 1 offsets into cell_rank */
  guint32        *cell_rank;  /* ranks per cell, ascending */
};

G_END_DECLS
