/* smp-match.h: learning a look from a photo of healed SMP: the impressions measured
 * (blob detection, robust statistics) and the look's parameters fitted to them (docs/match.md). */
#pragma once

#include <glib.h>
#include "smp-params.h"

G_BEGIN_DECLS

/* What the measuring reads: a photo in linear-light RGB and where the work is. */
typedef struct
{
  const float *rgb;        /* 3 floats a pixel, linear light */
  int          width, height;
  gsize        stride;     /* floats per row */
  const float *treated;    /* width × height weights 0..1 (the selection), row stride `width` */
  const float *untreated;  /* nullable, same layout: untreated skin; NULL: a ring outside `treated` */
  double       px_per_mm;  /* the photo's scale; <= 0: unknown (refused) */
} SmpMatchInput;

/* Below these the measuring refuses (SMP_ERROR_MEASURE). */
#define SMP_MATCH_MIN_IMPRESSIONS   30
#define SMP_MATCH_MIN_CORE_PX       2.5   /* a healed core must look this many px across (half maximum) */
#define SMP_MATCH_MIN_SKIN_MM2      4.0   /* of untreated skin to compare with */
/* Depth is fitted only where the cores look this many px across: below it the skin's
 * texture, noise and compression soften their edges more than depth does
 * (tests/unit/test-match.c): the look keeps its depth, and work there that is faint
 * against the skin or softer-edged than the look (deep work) is refused by the fit. */
#define SMP_MATCH_DEPTH_MIN_CORE_PX 6.5

typedef struct
{
  guint  impressions;          /* detected in the measured area */
  double area_cm2;             /* skin measured: the selection minus bare skin and highlights */
  double excluded_share;       /* of the selection left out (bare skin, highlights) */
  double density_per_cm2, density_err;
  double core_diameter_mm, core_diameter_err; /* healed core: the deposit's diameter */
  double core_spread, core_spread_err;        /* relative (CV) spread of the core diameters */
  double edge_mm;              /* σ of the core's soft edge (blur, spread, optics) */
  double core_softness;        /* the core profile's 25% ÷ 75% radius: 1 a sharp disc, 2.2 a Gaussian */
  double core_transmittance[3];/* in the middle of a core, per channel */
  double transmittance[3];     /* mean over the measured area ÷ untreated skin, per channel */
  double transmittance_err[3];
  double mean_drop;            /* 1 − mean luminance ÷ skin's, linear light */
  double shadow_share;         /* share of the darkening not in the cores (the wide shadow) */
  double spacing_mm;           /* median nearest-neighbour distance */
  double spacing_cv;           /* its robust CV: lower is more regular */
  double clark_evans;          /* mean NN distance ÷ a random pattern's: 1 random, > 1.5 even */
  double skin[3];              /* the untreated skin's median, linear */
  double skin_noise[3];        /* σ of its pixel-to-pixel noise, linear (sensor, compression) */
  double contrast;             /* std of the darkening over 1 mm cells ÷ mean drop */
  double skin_contrast;        /* median impression response ÷ the untreated skin's false-alarm level */
} SmpMatchMeasure;

/* Measures the work. SMP_ERROR_MEASURE with what is missing: the scale, untreated
 * skin, enough impressions, or enough resolution (naming the px/mm it needs). */
gboolean smp_match_measure (const SmpMatchInput *input, SmpMatchMeasure *out, GError **error);

typedef struct
{
  double          density_per_cm2;  /* the look's: impressions per cm² of skin */
  double          core_diameter_mm; /* the look's healed core (what the photo shows) */
  SmpMatchMeasure model;       /* the fitted look rendered at the photo's scale and measured the same way */
  double          residual;    /* RMS relative difference photo vs model over the statistics above */
  gboolean        depth_measured; /* TRUE: depth fitted to the cores' edges; FALSE: kept (cores too small) */
} SmpMatchFit;

/* The look's parameters (the rows flagged SMP_PARAM_LOOK) that reproduce `m`, the
 * measure of `photo`, as healed work: density, core size and spread, depth (where
 * the cores are large enough), ink shade and opacity; `look` holds the starting
 * values (defaults or a look) and keeps what cannot be measured. The model is
 * rendered over blocks of the photo's own untreated skin. `fit` (nullable) gets the
 * check. Shade is written in linear light. SMP_ERROR_MEASURE (naming the px/mm it
 * needs) when the cores are too small for depth yet softer-edged than the look can
 * make them: deep work or a soft photo, whose count and size cannot be told. */
gboolean smp_match_fit (const SmpMatchInput   *photo,
                        const SmpMatchMeasure *m,
                        SmpParams             *look,
                        SmpMatchFit           *fit,
                        GError               **error);

/* ---- Looks written by people (user looks folder) ---------------------------- */

/* A file-safe id from a look's name ("My healed work" → "my-healed-work"), never
 * empty, only [a-z0-9-]. */
char    *smp_look_id_from_name (const char *name);
/* TRUE when `id` may name a look file: non-empty, no '/', '\\', "..", no leading '.'. */
gboolean smp_look_id_is_safe   (const char *id);
/* Writes `look`'s look keys (shade as sRGB hex: `look->shade` is given in linear
 * light when `shade_linear`) as <dir>/<id>.smp-preset, creating `dir`. The id
 * comes from `name`; an existing file gets a -2, -3… suffix unless `replace`.
 * `reserved` (nullable, NULL-terminated) are ids taken elsewhere (the shipped
 * looks): they get a suffix too. The file is re-read through the look loader
 * before it counts as saved; on any failure nothing is left behind. Returns the id. */
char    *smp_look_save (const SmpParams   *look,
                        gboolean           shade_linear,
                        const char        *dir,
                        const char        *name,
                        const char        *description,
                        gboolean           replace,
                        const char *const *reserved,
                        GError           **error);

G_END_DECLS
