/* smp-params.h: the artist's design parameters, in physical units, with their
 * ranges, defaults, validation and key-file (preset / parasite) serialisation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SMP_MAX_SESSIONS 4
/* The blue-noise pattern is laid out for this density; any requested density is
 * a rank threshold into it, so raising density only adds dots. */
#define SMP_DENSITY_CEILING_PER_CM2 200.0

typedef enum
{
  SMP_SCALP_SIDE_AUTO,  /* the side holding most of the mask, else the side toward the image top */
  SMP_SCALP_SIDE_LEFT,  /* left of the stroke direction, as seen on screen */
  SMP_SCALP_SIDE_RIGHT,
} SmpScalpSide;

/* Which surface the design lies on (smp-head.h): the plug-in resolves it. */
typedef enum
{
  SMP_HEAD_MODEL_AUTO,   /* the image's fitted head model when it has one, else flat */
  SMP_HEAD_MODEL_FLAT,   /* the image plane at one scale (top views, close-ups) */
  SMP_HEAD_MODEL_FITTED, /* the fitted model; an error when the image has none */
} SmpHeadModelChoice;

typedef enum
{
  SMP_STAGE_FRESH,  /* the day of the session: full-size, dark, near-neutral deposits */
  SMP_STAGE_HEALED, /* 4-8 weeks: cores about half the size, lighter, cooler (docs/optics.md) */
  SMP_STAGE_AGED,   /* years: spread, lighter still, bluer */
} SmpStage;

typedef struct
{
  double       px_per_mm;             /* photo scale */
  double       density_per_cm2;       /* dots per cm² at full density */
  double       dot_diameter_mm;       /* fresh impression diameter */
  double       size_jitter;           /* 0..1, relative diameter variation (±) */
  double       shade[3];              /* pigment colour, 0..1, in the output's own encoding */
  double       opacity;               /* 0..1, of the last session; earlier ones are lighter */
  double       softness;              /* 0..1, pigment spread at the impression's edge */
  double       fade_width_mm;         /* depth of the transition zone behind the line */
  double       sentinel;              /* 0..1, density of sentinel dots relative to full */
  double       sentinel_depth_mm;     /* how far ahead of the drawn line sentinels reach */
  double       irregularity_mm;       /* macro undulation of the effective line (wavelength ~20 mm) */
  double       micro_irregularity_mm; /* raggedness at the 1 mm scale */
  double       under_hair;            /* 0..1 density factor for work under existing hair; 1 = shaved */
  double       pigment_depth_mm;      /* where the ink rests under the skin surface: 0.15-0.3 ideal, deeper blurs */
  SmpScalpSide scalp_side;
  int          sessions;              /* 1..SMP_MAX_SESSIONS */
  double       session_split[SMP_MAX_SESSIONS]; /* share of dots per session; normalised over `sessions` */
  SmpStage     stage;
  guint32      seed;
  SmpHeadModelChoice head_model;
} SmpParams;

/* The parameter table: one row per parameter owns everything about it (key,
 * field, range, default, unit, scripting argument, label, help, dialog section).
 * Validation, key files, presets, the PDB arguments, the dialog's fields, the
 * design sheet and the README's argument table all come from it, so adding a
 * parameter is one row plus its use. */
typedef enum
{
  SMP_PARAM_DOUBLE, /* a double field */
  SMP_PARAM_INT,    /* an int field (sessions) */
  SMP_PARAM_SEED,   /* a guint32 field */
  SMP_PARAM_CHOICE, /* an enum field, stored by name */
  SMP_PARAM_SHADE,  /* double[3]; "#rrggbb" (sRGB) in key files */
  SMP_PARAM_SPLIT,  /* double[SMP_MAX_SESSIONS]; a list of shares in key files */
} SmpParamType;

typedef struct
{
  const char *name;  /* stored and scripting name */
  const char *label; /* as the dialog shows it */
  const char *help;  /* what it means, in the craft's words */
} SmpParamChoice;

/* Flags of a row. */
#define SMP_PARAM_ARG_ZERO_AUTO (1u << 0) /* the argument's 0 means "from the image" (px-per-mm) */
#define SMP_PARAM_LOOK          (1u << 1) /* part of a look: presets may set it */

typedef struct
{
  const char           *key;           /* key files, presets and the stored proposal */
  const char           *arg;           /* the PDB argument, also the dialog's property */
  SmpParamType          type;
  gsize                 offset;        /* of the field in SmpParams */
  double                min;           /* engine units; for choices the last value */
  double                max;
  double                default_value;
  const char           *unit;          /* engine unit: "mm", "dots/cm²", "" for fractions */
  double                arg_factor;    /* argument = engine value × arg_factor (100: fractions as %) */
  const char           *arg_unit;      /* the argument's unit, for labels and docs */
  guint                 flags;
  const char           *label;         /* dialog label, with its mnemonic */
  const char           *blurb;         /* PDB help and tooltip */
  const char           *section;       /* dialog section id; NULL: the dialog shows it its own way */
  const SmpParamChoice *choices;       /* SMP_PARAM_CHOICE: by enum value, ends with a NULL name */
} SmpParamSpec;

void                smp_params_init_defaults (SmpParams *params);
/* The table, in scripting-argument order, ending with a NULL key. */
const SmpParamSpec *smp_params_get_specs     (void);
const SmpParamSpec *smp_params_find_spec     (const char *key);
const SmpParamSpec *smp_params_find_arg      (const char *arg);
/* Numeric rows (double, int, seed) by key, else NULL. */
const SmpParamSpec *smp_params_find_range    (const char *key);
gboolean            smp_param_is_numeric     (const SmpParamSpec *spec);
/* A numeric or choice field as a double (engine units), and back. */
double              smp_param_get            (const SmpParams *params, const SmpParamSpec *spec);
void                smp_param_set            (SmpParams *params, const SmpParamSpec *spec, double value);
/* A choice's name for `value`, or "invalid". */
const char         *smp_param_choice_name    (const SmpParamSpec *spec, int value);
int                 smp_param_choice_lookup  (const SmpParamSpec *spec, const char *name);

/* FALSE with SMP_ERROR_INVALID_PARAMETER naming the parameter, its value and range. */
gboolean smp_params_validate (const SmpParams *params, GError **error);

/* Session k's (0-based) share of all dots, normalised over params->sessions. */
double   smp_params_session_share (const SmpParams *params, int session);
/* Session k's pigment opacity (fresh): each later session is a little darker,
 * the last one at params->opacity. */
double   smp_params_session_opacity (const SmpParams *params, int session);

/* The one rule for a session split, wherever it is written (the PDB's
 * "session-split", a key file's "session_split"): up to SMP_MAX_SESSIONS
 * non-negative shares separated by '/', ',', ';' or spaces, at least one per
 * session of `sessions`; percentages (any share over 1) are divided by 100,
 * so a saved split (fractions) reads back unchanged. Fills `split` (unused sessions 0). SMP_ERROR_INVALID_PARAMETER naming
 * `key` and the text otherwise; `split` is unchanged then. */
gboolean smp_params_parse_session_split (const char *key,
                                         const char *text,
                                         int         sessions,
                                         double      split[SMP_MAX_SESSIONS],
                                         GError    **error);

/* Key files: group "SMP Design". Loading sets only the keys present, then validates.
 * Errors name the key (and `origin`, e.g. a file name, when given). */
gboolean smp_params_load_key_file (SmpParams  *params,
                                   GKeyFile   *key_file,
                                   const char *group,
                                   const char *origin,
                                   GError    **error);
void     smp_params_save_key_file (const SmpParams *params,
                                   GKeyFile        *key_file,
                                   const char      *group);
char    *smp_params_to_string     (const SmpParams *params);
gboolean smp_params_from_string   (SmpParams  *params,
                                   const char *text,
                                   GError    **error);

const char *smp_scalp_side_to_string (SmpScalpSide side);
const char *smp_stage_to_string      (SmpStage stage);
const char *smp_head_model_choice_to_string (SmpHeadModelChoice choice);

/* Relative density (0..1 of full) at `depth_mm` behind the drawn line (negative:
 * ahead of it), with no irregularity, mask or under-hair factor. */
double smp_params_profile_density  (const SmpParams *params, double depth_mm);
/* Dot-diameter factor at that depth: hairline dots are finer. */
double smp_params_profile_dot_scale (const SmpParams *params, double depth_mm);

G_END_DECLS
