/* smp-design.h: a complete stipple design (parameters + density field + pattern)
 * that places follicle dots and renders any region of them into a caller's buffer. */
#pragma once

#include <glib.h>
#include "smp-error.h"
#include "smp-params.h"
#include "smp-hairline.h"
#include "smp-mask.h"
#include "smp-pattern.h"
#include "smp-shine.h"
#include "smp-head.h"

G_BEGIN_DECLS

typedef struct _SmpDesign SmpDesign;

typedef struct
{
  int x, y, width, height;
} SmpRect;

/* One placed impression, in the design's pixel space. */
typedef struct
{
  float   x, y;         /* centre, px */
  float   radius_x;     /* semi-axes of the impression's ellipse, px */
  float   radius_y;
  float   angle;        /* of radius_x's axis, radians */
  float   softness;     /* 0..1 edge spread */
  float   alpha;        /* ink opacity of this impression as tattooed, 0..1 */
  float   shade[3];     /* ink colour, in the output's encoding */
  /* The optics (docs/optics.md): per channel (R, G, B), the darkening the deposit
   * adds up to over the image, in px² at scale 1: its core and its wide shadow. */
  float   core_dark[3];
  float   shadow_dark[3];
  float   blur;         /* σ of the core's edge blur, px */
  float   lobe[4];      /* small angular radius harmonics (cos2, sin2, cos3, sin3) */
  float   depth_mm;     /* signed distance behind the drawn line (NAN for density maps) */
  guint32 rank;         /* pattern rank: lower ranks are placed first */
  guint8  session;      /* 0-based */
  /* On a head (smp-head.h): how much narrower the wide shadow is along x and y,
   * 0..1 (0: round, as on the flat model). */
  float   shadow_squash[2];
} SmpDot;

typedef enum
{
  SMP_PIXEL_RGBA_U8,
  SMP_PIXEL_RGBA_U16,
  SMP_PIXEL_RGBA_FLOAT,
  SMP_PIXEL_YA_U8,     /* grey images: Y from the shade's Rec.709 luminance */
  SMP_PIXEL_YA_U16,
  SMP_PIXEL_YA_FLOAT,
} SmpPixelFormat;

#define SMP_SESSIONS_ALL 0xFu
#define SMP_SESSION_BIT(k) (1u << (k)) /* k is 0-based */

gsize smp_pixel_format_get_bpp (SmpPixelFormat format);

/* A design from a hairline. `hairline` is referenced and its side resolved here
 * (from params->scalp_side and `mask`). `mask` (nullable) is borrowed: keep it
 * alive while the design lives. `pattern` (nullable) is referenced; without one,
 * a pattern for params->seed is made. Validates `params`. */
SmpDesign *smp_design_new (const SmpParams *params,
                           SmpHairline     *hairline,
                           const SmpMask   *mask,
                           SmpPattern      *pattern,
                           GError         **error);

/* How many threads one render may use (the plug-in passes GIMP's preference,
 * gimp_get_num_processors ()); 0, the default, means g_get_num_processors ().
 * The pixels do not depend on it: bands are independent. Set it before rendering. */
void smp_design_set_threads (SmpDesign *design, int n_threads);
/* The count a render uses (at most 64, and 1 for small areas): never below 1. */
int  smp_design_get_threads (const SmpDesign *design);

/* A design from a 16-bit density map, read as a dither reads a grey level: a
 * pixel of value v asks for (65535 - v) / 65535 dots per pixel. Dot size and
 * shade come from `params`; its px_per_mm converts dot_diameter_mm. `levels` is
 * borrowed. Fails when the map asks for no dots at all. */
SmpDesign *smp_design_new_from_levels (const SmpParams *params,
                                       const guint16   *levels,
                                       int              width,
                                       int              height,
                                       gsize            stride,
                                       SmpPattern      *pattern,
                                       GError         **error);

void smp_design_free (SmpDesign *design);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpDesign, smp_design_free)

/* The output's transfer: FALSE (the default) for sRGB-encoded pixels (8-bit and
 * perceptual images), TRUE for linear light. params->shade is in the same
 * encoding. The optics work in linear light and encode on output. */
void             smp_design_set_output_linear (SmpDesign *design, gboolean linear);

/* Puts the design on a head (smp-head.h; copied): density is per cm² of skin
 * (image density = skin density / cos θ), impressions are laid on the skin and
 * foreshortened by the local map, the fade, sentinel reach and irregularity are
 * measured along the skin, and nothing is placed where cos θ < SMP_HEAD_MIN_COS
 * or off the outline. NULL: the flat model, exactly as made. Hairline designs
 * only; fails on an invalid model. Call before placing or rendering. */
gboolean            smp_design_set_head (SmpDesign *design, const SmpHeadModel *head, GError **error);
const SmpHeadModel *smp_design_get_head (const SmpDesign *design);

const SmpParams *smp_design_get_params  (const SmpDesign *design);
SmpPattern      *smp_design_get_pattern (const SmpDesign *design);

/* The dots whose centres fall in `region` (image px), in the design's fixed
 * order. Same dots, same order, whatever region they are asked through. */
GArray *smp_design_place (const SmpDesign *design, const SmpRect *region);

/* Count the dots whose centres fall in `region`, per session (nullable). */
gsize smp_design_count (const SmpDesign *design,
                        const SmpRect   *region,
                        gsize            per_session[SMP_MAX_SESSIONS]);

/* The smallest rectangle holding every pixel any dot can touch, clipped to
 * `canvas`; FALSE when no dot falls on the canvas. */
gboolean smp_design_get_extent (const SmpDesign *design,
                                const SmpRect   *canvas,
                                SmpRect         *extent);

/* Renders the sessions in `session_mask` into `pixels`, which holds `region`.
 * `region` is in output pixels; an image point (x, y) lands at (x·scale, y·scale),
 * so scale 1 is the final result and scale < 1 a zoomed-out preview. Pixels are
 * straight (not premultiplied) colour + alpha; pixels outside dots are written
 * fully transparent. A region renders bit-identically to the same crop of a larger
 * render. Uses every core for large regions. */
gboolean smp_design_render (const SmpDesign *design,
                            const SmpRect   *region,
                            double           scale,
                            guint            session_mask,
                            SmpPixelFormat   format,
                            void            *pixels,
                            gsize            rowstride,
                            GError         **error);

/* The same over the photo it will be multiplied onto: where the photo shows
 * shine (SmpPhoto, smp-shine.h), the pigment darkens only its diffuse part, so
 * the composite photo × layer is (photo − s)·t + s. `photo` may be NULL. */
gboolean smp_design_render_over (const SmpDesign *design,
                                 const SmpRect   *region,
                                 double           scale,
                                 guint            session_mask,
                                 SmpPixelFormat   format,
                                 void            *pixels,
                                 gsize            rowstride,
                                 const SmpPhoto  *photo,
                                 GError         **error);

/* The same for several outputs in one placement pass: layer k gets the sessions
 * in session_masks[k], into pixels[k] (all `region`-sized, same format and
 * rowstride). Each output is identical to smp_design_render with its mask. */
gboolean smp_design_render_layers (const SmpDesign *design,
                                   const SmpRect   *region,
                                   double           scale,
                                   guint            n_layers,
                                   const guint     *session_masks,
                                   SmpPixelFormat   format,
                                   void *const     *pixels,
                                   gsize            rowstride,
                                   GError         **error);
/* …over a photo (nullable), as smp_design_render_over. */
gboolean smp_design_render_layers_over (const SmpDesign *design,
                                        const SmpRect   *region,
                                        double           scale,
                                        guint            n_layers,
                                        const guint     *session_masks,
                                        SmpPixelFormat   format,
                                        void *const     *pixels,
                                        gsize            rowstride,
                                        const SmpPhoto  *photo,
                                        GError         **error);

/* What a render may be given besides its pixels; zero-initialise it. */
typedef struct
{
  const SmpPhoto  *photo;          /* nullable: as smp_design_render_over */
  SmpProgressFunc  progress;       /* nullable: called after each band, on the calling thread */
  gpointer         progress_data;
} SmpRenderOptions;

/* smp_design_render_layers_over with options (nullable): the one full form the
 * others call. Cancelled by the progress callback: FALSE with SMP_ERROR_CANCELLED. */
gboolean smp_design_render_layers_with (const SmpDesign        *design,
                                        const SmpRect          *region,
                                        double                  scale,
                                        guint                   n_layers,
                                        const guint            *session_masks,
                                        SmpPixelFormat          format,
                                        void *const            *pixels,
                                        gsize                   rowstride,
                                        const SmpRenderOptions *options,
                                        GError                **error);

G_END_DECLS
