/* smp-render-private.h (internal): rasterising impressions (core + wide shadow) into
 * a float band of per-channel darkening and writing it out as Multiply colour + alpha. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <smp/smp-design.h>
#include "smp-impression-private.h"

G_BEGIN_DECLS

/* Large impressions' normalisations, shared by the bands of one render (thread-safe),
 * so a footprint several bands cut is evaluated whole once, not in every band. */
typedef struct _SmpFootprints SmpFootprints;

SmpFootprints *smp_footprints_new  (void);
void           smp_footprints_free (SmpFootprints *footprints);

/* Darkening D = 1 − transmittance, 3 floats (R, G, B) a pixel, for rows
 * y0..y0+height of a region; impressions combine as transmittances multiply.
 * The cores live on the pixel grid; the shadows, smooth by nature, on a coarse
 * grid of `cell` × `cell` output pixels aligned to the output's origin (so any
 * region sees the same cells), read back bilinearly. Kept all-zero between uses. */
typedef struct
{
  float *accum;
  int    x0, y0, width, height, max_height;
  int   *span_x0, *span_x1;
  guint8 *touched;      /* per row, per 32-column block: did a core write there? */
  int    n_blocks;      /* blocks a row */
  float *scratch;       /* one impression's footprint */
  gsize  scratch_len;

  int    cell;          /* output px per shadow cell */
  double shadow_sigma;  /* output px */
  float *shadow;        /* 3 floats a cell */
  int    cx0, cy0, cw, ch, ch_max;
  int   *cspan_x0, *cspan_x1;
  int   *col_cell;      /* per band column: the shadow cell left of its centre … */
  float *col_frac;      /* … and the weight of the one right of it */
  float *row_shadow;    /* one output row's shadow, per cell, 3 floats */
  float  dither[256];   /* 16 × 16 ordered dither thresholds for 8-bit alpha */
  gint32 *cell_u8;      /* plain C only: one row's shadow per cell as 8-bit output: R, G, B, alpha × 256 */
  gint32 *col_w8;       /* per band column: col_frac in 1/256 */
  int    *col_run_end;  /* plain C only: per band column, the last column with the same col_cell */
  float  *cell_pair;    /* SSE2 only, 16-byte aligned: per cell, the shadow lerp towards the next
                         * cell as 4 floats of base and 4 of step (R, G, B, alpha), pre-scaled */
  float  *col_wf;       /* SSE2 only, 16-byte aligned: col_w8 as floats, 4 copies a column */
  const float **col_pair; /* SSE2 only: per band column, its left cell's cell_pair */
  gboolean avx2;        /* x86-64: the CPU has AVX2, the emit's AVX2 copies run */
  double *gauss;        /* weights scratch */
  float  *cell_w;       /* shadow scratch: the column weights as floats, then replicated and the colour, 3 a cell */
  gsize  gauss_len;

  const SmpEncoder *encoder;
  const SmpPhoto   *photo;  /* nullable: keep the photo's shine on top */
  SmpFootprints    *footprints; /* nullable, borrowed: shared normalisations */
} SmpBand;

/* `shadow_sigma`: the shadows' σ in output px. `encoder` and `photo` are borrowed. */
void smp_band_init  (SmpBand *band, int x0, int width, int max_height, double shadow_sigma,
                     const SmpEncoder *encoder, const SmpPhoto *photo);
/* Starts rows y0..y0+height (height <= max_height). */
void smp_band_begin (SmpBand *band, int y0, int height);
void smp_band_clear (SmpBand *band);
/* How far (output px) a shadow reaches from its impression's centre. */
double smp_band_shadow_reach (double shadow_sigma);
/* Adds one impression at output scale `scale`. */
void smp_band_add_dot (SmpBand *band, const SmpDot *dot, double scale);
/* Writes the band's rows and re-zeroes it. */
void smp_band_emit (SmpBand *band, SmpPixelFormat format, guint8 *first_row, gsize rowstride);

G_END_DECLS
