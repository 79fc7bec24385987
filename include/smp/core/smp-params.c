/* smp-params.c: design parameters: defaults from docs/domain.md, ranges, validation,
 * key-file serialisation (presets, the proposal parasite) and the fade profile. */
#include <smp/smp-params.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define GROUP_DEFAULT "SMP Design"

#define F(field) offsetof (SmpParams, field)

static const SmpParamChoice side_choices[] = {
  { "auto", N_("Auto"), N_("The side holding most of the selection, else the side toward the image top") },
  { "left", N_("Left of the path"), N_("Left of the path's direction, as seen on screen") },
  { "right", N_("Right of the path"), N_("Right of the path's direction") },
  { NULL, NULL, NULL },
};

static const SmpParamChoice stage_choices[] = {
  { "fresh", N_("Fresh"),
    N_("The day of the session: full-size deposits, dark and nearly neutral, with ink still up to the surface") },
  { "healed", N_("Healed"),
    N_("4-8 weeks on, what the client lives with: scabs took some ink, cores are about half the size "
    "(0.10-0.15 mm), 2-3 shades lighter and cooler, seen through regrown skin") },
  { "aged", N_("Aged"),
    N_("Years on: the pigment has spread and faded and sits deeper, so it reads lighter and bluer") },
  { NULL, NULL, NULL },
};

static const SmpParamChoice head_choices[] = {
  { "auto", N_("Auto"), N_("The head model fitted to this photo (Fit Head Model…) when there is one, else flat") },
  { "flat", N_("Flat"),
    N_("The photo as a flat surface at one scale: for top views and close-ups, where the scalp faces the camera") },
  { "fitted", N_("Fitted head"),
    N_("The fitted head model: density per cm² of skin, dots foreshortened where the head curves away, "
    "distances along the skin") },
  { NULL, NULL, NULL },
};

/* The table, in scripting-argument order (positional Script-Fu calls depend on
 * it: append, never insert). Ranges are the craft's plausible span; anything
 * outside is a typo, not a style. Mnemonics are chosen to be free in the
 * dialog: Reset r, Cancel c, Load l, Save s, Help h, Preview p, OK e / u,
 * canvas v, looks k, 1:1 zoom 1. */
static const SmpParamSpec specs[] = {
  { "px_per_mm", "px-per-mm", SMP_PARAM_DOUBLE, F (px_per_mm), 0.5, 200.0, 10.0, "px/mm", 1, "px/mm",
    SMP_PARAM_ARG_ZERO_AUTO, N_("Scale (px/mm)"),
    N_("Photo scale in pixels per mm. 0 uses the scale stored by calibration "
    "(plug-in-smp-calibrate), else 10 px/mm with a warning"), NULL, NULL },
  { "density_per_cm2", "density", SMP_PARAM_DOUBLE, F (density_per_cm2), 1.0, SMP_DENSITY_CEILING_PER_CM2,
    70.0, "dots/cm²", 1, "dots/cm²", SMP_PARAM_LOOK, N_("_Density (dots/cm²)"),
    N_("Impressions per cm² at full density (natural scalp: 60-110)"), "dots", NULL },
  { "dot_diameter_mm", "dot-diameter", SMP_PARAM_DOUBLE, F (dot_diameter_mm), 0.05, 1.5, 0.25, "mm", 1, "mm",
    SMP_PARAM_LOOK, N_("Dot d_iameter (mm)"), N_("Diameter of a fresh impression in mm (about 0.25)"), "dots", NULL },
  { "size_jitter", "size-jitter", SMP_PARAM_DOUBLE, F (size_jitter), 0.0, 0.6, 0.2, "", 100, "%",
    SMP_PARAM_LOOK, N_("Size _jitter (± %)"), N_("Variation of the dot diameter, ± percent"), "dots", NULL },
  { "shade", "shade", SMP_PARAM_SHADE, F (shade), 0, 1, 0, "", 1, "",
    SMP_PARAM_LOOK, N_("Sh_ade"),
    N_("Pigment colour (diluted carbon black: a near-black grey). "
    "A fully transparent colour means this default"), "shade", NULL },
  { "opacity", "opacity", SMP_PARAM_DOUBLE, F (opacity), 0.0, 1.0, 0.75, "", 100, "%",
    SMP_PARAM_LOOK, N_("Opacity (%)"),
    N_("Ink opacity of the last session as tattooed, percent; earlier sessions are lighter"), "shade", NULL },
  { "softness", "softness", SMP_PARAM_DOUBLE, F (softness), 0.0, 1.0, 0.35, "", 100, "%",
    SMP_PARAM_LOOK, N_("Sof_tness (%)"), N_("Pigment spread at the impression's edge, percent"), "dots", NULL },
  { "fade_width_mm", "fade-width", SMP_PARAM_DOUBLE, F (fade_width_mm), 0.0, 30.0, 8.0, "mm", 1, "mm",
    SMP_PARAM_LOOK, N_("Fade _width (mm)"), N_("Depth of the transition zone behind the line, in mm"), "fade", NULL },
  { "sentinel", "sentinel", SMP_PARAM_DOUBLE, F (sentinel), 0.0, 0.5, 0.03, "", 100, "%",
    SMP_PARAM_LOOK, /* xgettext:no-c-format */ N_("Se_ntinels (% of full)"),
    N_("Density of the sparse sentinel dots ahead of the line, percent of full density"), "fade", NULL },
  { "irregularity_mm", "irregularity", SMP_PARAM_DOUBLE, F (irregularity_mm), 0.0, 10.0, 3.0, "mm", 1, "mm",
    SMP_PARAM_LOOK, N_("Irregularit_y (mm)"), N_("Macro undulation of the line in mm (wavelength about 20 mm)"),
    "fade", NULL },
  { "scalp_side", "scalp-side", SMP_PARAM_CHOICE, F (scalp_side), 0, SMP_SCALP_SIDE_RIGHT, SMP_SCALP_SIDE_AUTO,
    "", 1, "", SMP_PARAM_LOOK, N_("Scalp side"), N_("Which side of the path is scalp"), "hairline", side_choices },
  { "sessions", "sessions", SMP_PARAM_INT, F (sessions), 1, SMP_MAX_SESSIONS, 3, "", 1, "",
    SMP_PARAM_LOOK, N_("Num_ber of sessions"), N_("Number of treatment sessions, one layer each"), "sessions", NULL },
  { "stage", "stage", SMP_PARAM_CHOICE, F (stage), 0, SMP_STAGE_AGED, SMP_STAGE_FRESH, "", 1, "",
    SMP_PARAM_LOOK, N_("Stage"), N_("How the work looks: as tattooed, healed or aged"), "shade", stage_choices },
  { "seed", "seed", SMP_PARAM_SEED, F (seed), 0, G_MAXUINT32, 1, "", 1, "", 0, N_("Seed"),
    N_("Seed of the dot pattern: the same seed gives the same dots"), "seed", NULL },
  { "sentinel_depth_mm", "sentinel-depth", SMP_PARAM_DOUBLE, F (sentinel_depth_mm), 0.0, 6.0, 3.0, "mm", 1, "mm",
    SMP_PARAM_LOOK, N_("Sentinel _zone (mm ahead)"), N_("How far ahead of the drawn line sentinel dots reach, in mm"),
    "fade", NULL },
  { "micro_irregularity_mm", "micro-irregularity", SMP_PARAM_DOUBLE, F (micro_irregularity_mm), 0.0, 3.0, 1.0,
    "mm", 1, "mm", SMP_PARAM_LOOK, N_("_Micro irregularity (mm)"), N_("Raggedness of the line at the 1 mm scale, in mm"),
    "fade", NULL },
  { "under_hair", "under-hair", SMP_PARAM_DOUBLE, F (under_hair), 0.05, 1.0, 1.0, "", 100, "%",
    SMP_PARAM_LOOK, /* xgettext:no-c-format */ N_("Under hair (% of full)"),
    N_("Density under existing hair, percent of the shaved look: 100 shaved, 30-50 under thinning hair"),
    "dots", NULL },
  { "session_split", "session-split", SMP_PARAM_SPLIT, F (session_split), 0, 1, 0, "", 1, "",
    SMP_PARAM_LOOK, N_("Split (%, e.g. 50/35/15)"),
    N_("Share of the dots per session, e.g. \"50/35/15\" (percent or fractions); empty: the default split"),
    "sessions", NULL },
  { "pigment_depth_mm", "pigment-depth", SMP_PARAM_DOUBLE, F (pigment_depth_mm), 0.1, 1.5, 0.2, "mm", 1, "mm",
    SMP_PARAM_LOOK, N_("Pigment depth (mm)"),
    N_("Where the ink rests under the skin surface, in mm: 0.15-0.3 is the papillary dermis (crisp grey dots); "
    "deeper work shows larger, softer, bluer marks that merge (blown out, the helmet look)"), "shade", NULL },
  { "head_model", "head-model", SMP_PARAM_CHOICE, F (head_model), 0, SMP_HEAD_MODEL_FITTED, SMP_HEAD_MODEL_AUTO,
    "", 1, "", 0, N_("Head model"),
    N_("The surface the dots lie on: auto (the fitted head model when the image has one, else flat), flat, "
    "or fitted (Fit Head Model…)"), "hairline", head_choices },
  { NULL, NULL, 0, 0, 0, 0, 0, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL },
};

static const double default_split[SMP_MAX_SESSIONS] = { 0.50, 0.35, 0.15, 0.10 };

const SmpParamSpec *
smp_params_get_specs (void)
{
  return specs;
}

const SmpParamSpec *
smp_params_find_spec (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  for (const SmpParamSpec *s = specs; s->key; s++)
    if (strcmp (s->key, key) == 0)
      return s;
  return NULL;
}

const SmpParamSpec *
smp_params_find_arg (const char *arg)
{
  g_return_val_if_fail (arg != NULL, NULL);
  for (const SmpParamSpec *s = specs; s->key; s++)
    if (strcmp (s->arg, arg) == 0)
      return s;
  return NULL;
}

gboolean
smp_param_is_numeric (const SmpParamSpec *spec)
{
  return spec->type == SMP_PARAM_DOUBLE || spec->type == SMP_PARAM_INT || spec->type == SMP_PARAM_SEED;
}

const SmpParamSpec *
smp_params_find_range (const char *key)
{
  const SmpParamSpec *s = smp_params_find_spec (key);

  return s && smp_param_is_numeric (s) ? s : NULL;
}

double
smp_param_get (const SmpParams *params, const SmpParamSpec *spec)
{
  const guint8 *field = (const guint8 *) params + spec->offset;

  switch (spec->type)
    {
    case SMP_PARAM_DOUBLE: return *(const double *) field;
    case SMP_PARAM_INT:    return *(const int *) field;
    case SMP_PARAM_SEED:   return *(const guint32 *) field;
    case SMP_PARAM_CHOICE: return *(const int *) field; /* enums are int-sized */
    case SMP_PARAM_SHADE:
    case SMP_PARAM_SPLIT:  break;
    }
  g_return_val_if_reached (NAN);
}

void
smp_param_set (SmpParams *params, const SmpParamSpec *spec, double value)
{
  guint8 *field = (guint8 *) params + spec->offset;

  switch (spec->type)
    {
    case SMP_PARAM_DOUBLE: *(double *) field = value; return;
    case SMP_PARAM_INT:
    case SMP_PARAM_CHOICE: *(int *) field = (int) CLAMP (value, -1e6, 1e6); return;
    case SMP_PARAM_SEED:   *(guint32 *) field = (guint32) CLAMP (value, 0, G_MAXUINT32); return;
    case SMP_PARAM_SHADE:
    case SMP_PARAM_SPLIT:  break;
    }
  g_return_if_reached ();
}

const char *
smp_param_choice_name (const SmpParamSpec *spec, int value)
{
  g_return_val_if_fail (spec->type == SMP_PARAM_CHOICE, "invalid");
  for (int i = 0; spec->choices[i].name; i++)
    if (i == value)
      return spec->choices[i].name;
  return "invalid";
}

int
smp_param_choice_lookup (const SmpParamSpec *spec, const char *name)
{
  g_return_val_if_fail (spec->type == SMP_PARAM_CHOICE, -1);
  for (int i = 0; name && spec->choices[i].name; i++)
    if (g_ascii_strcasecmp (spec->choices[i].name, name) == 0)
      return i;
  return -1;
}

/* "auto, left or right" */
static char *
choice_names (const SmpParamSpec *spec)
{
  GString *out = g_string_new (NULL);
  int      n = 0;

  while (spec->choices[n].name)
    n++;
  for (int i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", spec->choices[i].name);
  return g_string_free (out, FALSE);
}

void
smp_params_init_defaults (SmpParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  for (const SmpParamSpec *s = specs; s->key; s++)
    if (s->type != SMP_PARAM_SHADE && s->type != SMP_PARAM_SPLIT)
      smp_param_set (params, s, s->default_value);
  memcpy (params->session_split, default_split, sizeof default_split);
  /* Carbon black diluted: a near-black, slightly cool neutral. */
  params->shade[0] = 0.11;
  params->shade[1] = 0.11;
  params->shade[2] = 0.12;
}

static gboolean
check_range (const SmpParamSpec *s, double value, GError **error)
{
  if (!isfinite (value) || value < s->min || value > s->max)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("%s is %g%s%s, but must lie between %g and %g%s%s"), s->key, value,
                   *s->unit ? " " : "", s->unit, s->min, s->max,
                   *s->unit ? " " : "", s->unit);
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_params_validate (const SmpParams *params, GError **error)
{
  double split_sum = 0.0;

  g_return_val_if_fail (params != NULL, FALSE);

  for (const SmpParamSpec *s = specs; s->key; s++)
    {
      double v;

      switch (s->type)
        {
        case SMP_PARAM_DOUBLE:
        case SMP_PARAM_INT:
          if (!check_range (s, smp_param_get (params, s), error))
            return FALSE;
          break;
        case SMP_PARAM_CHOICE:
          v = smp_param_get (params, s);
          if (v < s->min || v > s->max)
            {
              g_autofree char *human = g_strdelimit (g_strdup (s->key), "_", ' ');
              g_autofree char *names = choice_names (s);
              g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("%s %d is not %s"),
                           human, (int) v, names);
              return FALSE;
            }
          break;
        case SMP_PARAM_SHADE:
          for (int k = 0; k < 3; k++)
            if (!isfinite (params->shade[k]) || params->shade[k] < 0.0 || params->shade[k] > 1.0)
              {
                g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                             _("shade component %d is %g, but must lie between 0 and 1"),
                             k, params->shade[k]);
                return FALSE;
              }
          break;
        case SMP_PARAM_SEED:
        case SMP_PARAM_SPLIT:
          break; /* every guint32 is a seed; the split is checked below, after sessions */
        }
    }
  for (int k = 0; k < params->sessions; k++)
    {
      double s = params->session_split[k];
      if (!isfinite (s) || s < 0.0 || s > 1.0)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       _("session %d's share is %g, but must lie between 0 and 1"), k + 1, s);
          return FALSE;
        }
      split_sum += s;
    }
  if (split_sum <= 1e-6)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("the session split gives no dots to any session"));
      return FALSE;
    }
  return TRUE;
}

double
smp_params_session_share (const SmpParams *params, int session)
{
  double sum = 0.0;
  int    n = CLAMP (params->sessions, 1, SMP_MAX_SESSIONS);

  if (session < 0 || session >= n)
    return 0.0;
  for (int k = 0; k < n; k++)
    sum += MAX (params->session_split[k], 0.0);
  return sum > 0.0 ? MAX (params->session_split[session], 0.0) / sum : 0.0;
}

double
smp_params_session_opacity (const SmpParams *params, int session)
{
  int n = CLAMP (params->sessions, 1, SMP_MAX_SESSIONS);

  if (session < 0 || session >= n)
    return 0.0;
  /* More pigment, same dilution: from 82% of the set opacity up to all of it. */
  return params->opacity * (n > 1 ? 0.82 + 0.18 * session / (n - 1) : 1.0);
}

const char *
smp_head_model_choice_to_string (SmpHeadModelChoice choice)
{
  return smp_param_choice_name (smp_params_find_spec ("head_model"), choice);
}

const char *
smp_scalp_side_to_string (SmpScalpSide side)
{
  return smp_param_choice_name (smp_params_find_spec ("scalp_side"), side);
}

const char *
smp_stage_to_string (SmpStage stage)
{
  return smp_param_choice_name (smp_params_find_spec ("stage"), stage);
}

gboolean
smp_params_parse_session_split (const char *key,
                                const char *text,
                                int         sessions,
                                double      split[SMP_MAX_SESSIONS],
                                GError    **error)
{
  g_auto (GStrv) parts = NULL;
  double   values[SMP_MAX_SESSIONS] = { 0 };
  gboolean percent = FALSE;
  int      n = 0;

  g_return_val_if_fail (key != NULL && split != NULL, FALSE);
  if (!text)
    text = "";
  parts = g_strsplit_set (text, "/,; ", -1);
  for (int i = 0; parts[i]; i++)
    {
      char  *end = NULL;
      double v;

      if (!*parts[i])
        continue;
      v = g_ascii_strtod (parts[i], &end);
      if (!end || *end || !isfinite (v) || v < 0.0 || n >= SMP_MAX_SESSIONS)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       _("%s is “%.*s%s”, but must be up to %d shares such as “50/35/15”"),
                       key, 64, text, strlen (text) > 64 ? "…" : "", SMP_MAX_SESSIONS);
          return FALSE;
        }
      values[n++] = v;
    }
  if (n < sessions)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   g_dngettext (GETTEXT_PACKAGE, "%s “%.*s%s” gives %d share for %d sessions",
                                "%s “%.*s%s” gives %d shares for %d sessions", n),
                   key, 64, text, strlen (text) > 64 ? "…" : "", n, sessions);
      return FALSE;
    }
  for (int k = 0; k < n; k++)
    percent |= values[k] > 1.0;
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    /* Artists write percentages; a share is at most 1, so a larger one says so.
     * (Not "the sum exceeds 1.5": fractions 0.96;0.05;0.51;0.03 would reload as
     * percentages, 100 times smaller on every save and load; found by tests/fuzz.) */
    split[k] = k < n ? (percent ? values[k] / 100.0 : values[k]) : 0.0;
  return TRUE;
}

static gboolean
key_error (GError **error, const char *origin, const char *key, const char *what)
{
  g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("%s%skey \"%s\": %s"),
               origin ? origin : "", origin ? ": " : "", key, what);
  return FALSE;
}

/* One row's key into `p`; FALSE with the key named when the value is unreadable. */
static gboolean
load_key (SmpParams *p, const SmpParamSpec *s, GKeyFile *key_file, const char *group,
          const char *origin, GError **error)
{
  g_autoptr (GError) local = NULL;

  switch (s->type)
    {
    case SMP_PARAM_DOUBLE:
    case SMP_PARAM_INT:
      {
        double v = g_key_file_get_double (key_file, group, s->key, &local);
        if (local)
          return key_error (error, origin, s->key, "not a number");
        if (s->type == SMP_PARAM_INT && v != floor (v))
          return key_error (error, origin, s->key, "not a whole number");
        smp_param_set (p, s, v);
        return TRUE;
      }
    case SMP_PARAM_SEED:
      {
        gint64 v = g_key_file_get_int64 (key_file, group, s->key, &local);
        if (local || v < 0 || v > G_MAXUINT32)
          return key_error (error, origin, s->key, "not a whole number from 0 to 4294967295");
        p->seed = (guint32) v;
        return TRUE;
      }
    case SMP_PARAM_CHOICE:
      {
        g_autofree char *name = g_key_file_get_string (key_file, group, s->key, NULL);
        int v = smp_param_choice_lookup (s, name);
        if (v < 0)
          {
            g_autofree char *names = choice_names (s);
            g_autofree char *what = g_strconcat ("not ", names, NULL);
            return key_error (error, origin, s->key, what);
          }
        smp_param_set (p, s, v);
        return TRUE;
      }
    case SMP_PARAM_SHADE:
      {
        g_autofree char *hex = g_key_file_get_string (key_file, group, s->key, NULL);
        unsigned rr, gg, bb;
        if (!hex || strlen (hex) != 7 || sscanf (hex, "#%2x%2x%2x", &rr, &gg, &bb) != 3)
          return key_error (error, origin, s->key, "not a colour like #1c1c1e");
        p->shade[0] = rr / 255.0;
        p->shade[1] = gg / 255.0;
        p->shade[2] = bb / 255.0;
        return TRUE;
      }
    case SMP_PARAM_SPLIT:
      {
        /* The PDB's rule, against the sessions set by now (rows come in table
         * order, sessions before the split). */
        g_autofree char *text = g_key_file_get_value (key_file, group, s->key, NULL);
        if (!smp_params_parse_session_split (s->key, text, p->sessions, p->session_split, &local))
          {
            g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s%s%s",
                         origin ? origin : "", origin ? ": " : "", local->message);
            return FALSE;
          }
        return TRUE;
      }
    }
  g_return_val_if_reached (FALSE);
}

gboolean
smp_params_load_key_file (SmpParams  *params,
                          GKeyFile   *key_file,
                          const char *group,
                          const char *origin,
                          GError    **error)
{
  SmpParams p = *params;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (params != NULL && key_file != NULL, FALSE);
  if (!group)
    group = GROUP_DEFAULT;
  if (!g_key_file_has_group (key_file, group))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("%s%sno [%s] group"),
                   origin ? origin : "", origin ? ": " : "", group);
      return FALSE;
    }

  for (const SmpParamSpec *s = specs; s->key; s++)
    if (g_key_file_has_key (key_file, group, s->key, NULL) &&
        !load_key (&p, s, key_file, group, origin, error))
      return FALSE;

  if (!smp_params_validate (&p, &local))
    {
      /* Name the file as well as the parameter. */
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s%s%s",
                   origin ? origin : "", origin ? ": " : "", local->message);
      return FALSE;
    }
  *params = p;
  return TRUE;
}

void
smp_params_save_key_file (const SmpParams *params, GKeyFile *key_file, const char *group)
{
  g_return_if_fail (params != NULL && key_file != NULL);
  if (!group)
    group = GROUP_DEFAULT;
  for (const SmpParamSpec *s = specs; s->key; s++)
    switch (s->type)
      {
      case SMP_PARAM_DOUBLE:
        g_key_file_set_double (key_file, group, s->key, smp_param_get (params, s));
        break;
      case SMP_PARAM_INT:
        g_key_file_set_integer (key_file, group, s->key, (int) smp_param_get (params, s));
        break;
      case SMP_PARAM_SEED:
        g_key_file_set_int64 (key_file, group, s->key, params->seed);
        break;
      case SMP_PARAM_CHOICE:
        g_key_file_set_string (key_file, group, s->key,
                               smp_param_choice_name (s, (int) smp_param_get (params, s)));
        break;
      case SMP_PARAM_SHADE:
        {
          char hex[8];
          g_snprintf (hex, sizeof hex, "#%02x%02x%02x",
                      (int) lround (CLAMP (params->shade[0], 0, 1) * 255),
                      (int) lround (CLAMP (params->shade[1], 0, 1) * 255),
                      (int) lround (CLAMP (params->shade[2], 0, 1) * 255));
          g_key_file_set_string (key_file, group, s->key, hex);
        }
        break;
      case SMP_PARAM_SPLIT:
        g_key_file_set_double_list (key_file, group, s->key, (double *) params->session_split,
                                    CLAMP (params->sessions, 1, SMP_MAX_SESSIONS));
        break;
      }
}

char *
smp_params_to_string (const SmpParams *params)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  smp_params_save_key_file (params, kf, NULL);
  return g_key_file_to_data (kf, NULL, NULL);
}

gboolean
smp_params_from_string (SmpParams *params, const char *text, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (params != NULL && text != NULL, FALSE);
  if (!g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("stored design is not readable: %s"),
                   local->message);
      return FALSE;
    }
  return smp_params_load_key_file (params, kf, NULL, NULL, error);
}

static double
smoothstep (double t)
{
  t = CLAMP (t, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

double
smp_params_profile_density (const SmpParams *params, double depth_mm)
{
  if (depth_mm < -params->sentinel_depth_mm)
    return 0.0;
  if (depth_mm < 0.0)
    return params->sentinel;
  if (params->fade_width_mm <= 0.0 || depth_mm >= params->fade_width_mm)
    return 1.0;
  return params->sentinel + (1.0 - params->sentinel) * smoothstep (depth_mm / params->fade_width_mm);
}

double
smp_params_profile_dot_scale (const SmpParams *params, double depth_mm)
{
  /* Single-needle work at the front: impressions ramp from 60% to full size. */
  if (depth_mm < 0.0)
    return 0.6;
  if (params->fade_width_mm <= 0.0 || depth_mm >= params->fade_width_mm)
    return 1.0;
  return 0.6 + 0.4 * smoothstep (depth_mm / params->fade_width_mm);
}
