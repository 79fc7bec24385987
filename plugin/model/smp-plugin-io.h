/* smp-plugin-io.h: pixel IO between the engine and GIMP: the selection read as
 * tiled float coverage, and session layers written in bounded row chunks. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

#include "smp-plugin-common.h"

G_BEGIN_DECLS

/* A selection's coverage (0..1) as a tiled SmpMask (`mask`, in image px until
 * the caller moves its origin), with the tiles it owns. */
typedef struct
{
  SmpMask       mask;
  const float **tiles;
  gsize         n_tiles;
  float        *zero, *one;   /* the shared uniform tiles */
} SmpPluginCoverage;

void smp_plugin_coverage_free (SmpPluginCoverage *coverage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPluginCoverage, smp_plugin_coverage_free)

/* The selection's coverage over `rect` (image px). Memory: the tiles along the
 * selection's edges plus one strip of the rectangle's width; NULL with a message
 * when even that cannot be had. */
SmpPluginCoverage *smp_plugin_io_read_selection (GimpImage     *image,
                                                 const SmpRect *rect,
                                                 GError       **error);
/* The same from any image-sized channel (a stored treated area). */
SmpPluginCoverage *smp_plugin_io_read_coverage (GimpChannel   *channel,
                                                const SmpRect *rect,
                                                GError       **error);

/* Multiplies the alpha of `pixels` (holding `region`, design px, in `format`)
 * by the mask's coverage, so that nothing lands outside the selection and its
 * feathered edge fades the dots. */
void smp_plugin_io_clip_alpha (void          *pixels,
                               gsize          rowstride,
                               const SmpRect *region,
                               SmpPixelFormat format,
                               const SmpMask *mask);

/* The skin's diffuse chromaticity under `extent` of `photo` (an RGB drawable),
 * from a grid of small blocks inside `clip` (nullable); FALSE when the photo
 * shows no skin to tell shine from. The same for every session of a run: each
 * block read is a round trip to the core, so a run estimates once. */
gboolean smp_plugin_io_estimate_shine (GimpDrawable  *photo,
                                       const SmpRect *extent,
                                       const SmpMask *clip,
                                       double         chroma[3]);

/* Renders the sessions in `session_mask` of `design` over `extent` (design px)
 * into `layer`, whose buffer covers exactly `extent`. Works in chunks of rows so
 * memory stays bounded whatever the image size; `clip` (nullable) is applied
 * per pixel. Reports progress from progress_from to progress_to. With `photo`
 * and `chroma` (both nullable; RGB only), the photo the layer will be multiplied
 * onto and its skin's chromaticity (smp_plugin_io_estimate_shine): where it shows
 * shine, the pigment darkens only its diffuse part (docs/optics.md). The photo is
 * read, never written. */
gboolean smp_plugin_io_write_layer_over (const SmpDesign       *design,
                                         guint                  session_mask,
                                         const SmpRect         *extent,
                                         const SmpPluginFormat *format,
                                         const SmpMask         *clip,
                                         GimpLayer             *layer,
                                         GimpDrawable          *photo,
                                         const double          *chroma,
                                         double                 progress_from,
                                         double                 progress_to,
                                         GError               **error);

G_END_DECLS
