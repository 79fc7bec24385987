/* smp-params.c: design parameters: defaults from DOMAIN.md, ranges, validation,
 * key-file serialisation (presets, the proposal parasite) and the fade profile. */
#include <smp/smp-params.h>
#include <smp/smp-error.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GROUP_DEFAULT "SMP Design"

/* Ranges are the craft's plausible span; anything outside is a typo, not a style. */
static const SmpParamRange ranges[] = {
  { "px_per_mm",             0.5,  200.0, 10.0,  "px/mm" },
  { "density_per_cm2",       1.0,  SMP_DENSITY_CEILING_PER_CM2, 70.0, "dots/cm²" },
  { "dot_diameter_mm",       0.05, 1.5,   0.25,  "mm" },
  { "size_jitter",           0.0,  0.6,   0.2,   "" },
  { "opacity",               0.0,  1.0,   0.85,  "" },
  { "softness",              0.0,  1.0,   0.35,  "" },
  { "fade_width_mm",         0.0,  30.0,  8.0,   "mm" },
  { "sentinel",              0.0,  0.5,   0.03,  "" },
  { "sentinel_depth_mm",     0.0,  6.0,   3.0,   "mm" },
  { "irregularity_mm",       0.0,  10.0,  3.0,   "mm" },
  { "micro_irregularity_mm", 0.0,  3.0,   1.0,   "mm" },
  { "under_hair",            0.05, 1.0,   1.0,   "" },
  { "sessions",              1,    SMP_MAX_SESSIONS, 3, "" },
  { NULL, 0, 0, 0, NULL },
};

static const double default_split[SMP_MAX_SESSIONS] = { 0.50, 0.35, 0.15, 0.10 };

const SmpParamRange *
smp_params_get_ranges (void)
{
  return ranges;
}

const SmpParamRange *
smp_params_find_range (const char *key)
{
  for (const SmpParamRange *r = ranges; r->key; r++)
    if (strcmp (r->key, key) == 0)
      return r;
  return NULL;
}

static double *
field_of (SmpParams *p, const char *key)
{
  if (!strcmp (key, "px_per_mm")) return &p->px_per_mm;
  if (!strcmp (key, "density_per_cm2")) return &p->density_per_cm2;
  if (!strcmp (key, "dot_diameter_mm")) return &p->dot_diameter_mm;
  if (!strcmp (key, "size_jitter")) return &p->size_jitter;
  if (!strcmp (key, "opacity")) return &p->opacity;
  if (!strcmp (key, "softness")) return &p->softness;
  if (!strcmp (key, "fade_width_mm")) return &p->fade_width_mm;
  if (!strcmp (key, "sentinel")) return &p->sentinel;
  if (!strcmp (key, "sentinel_depth_mm")) return &p->sentinel_depth_mm;
  if (!strcmp (key, "irregularity_mm")) return &p->irregularity_mm;
  if (!strcmp (key, "micro_irregularity_mm")) return &p->micro_irregularity_mm;
  if (!strcmp (key, "under_hair")) return &p->under_hair;
  return NULL;
}

void
smp_params_init_defaults (SmpParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  for (const SmpParamRange *r = ranges; r->key; r++)
    {
      double *f = field_of (params, r->key);
      if (f)
        *f = r->default_value;
    }
  params->sessions = 3;
  memcpy (params->session_split, default_split, sizeof default_split);
  /* Carbon black diluted: a near-black, slightly cool neutral. */
  params->shade[0] = 0.11;
  params->shade[1] = 0.11;
  params->shade[2] = 0.12;
  params->scalp_side = SMP_SCALP_SIDE_AUTO;
  params->stage = SMP_STAGE_FRESH;
  params->seed = 1;
}

static gboolean
check_range (const char *key, double value, GError **error)
{
  const SmpParamRange *r = smp_params_find_range (key);

  if (!isfinite (value) || value < r->min || value > r->max)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "%s is %g%s%s, but must lie between %g and %g%s%s", key, value,
                   *r->unit ? " " : "", r->unit, r->min, r->max,
                   *r->unit ? " " : "", r->unit);
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_params_validate (const SmpParams *params, GError **error)
{
  SmpParams *p = (SmpParams *) params; /* field_of only reads through it here */
  double     split_sum = 0.0;

  g_return_val_if_fail (params != NULL, FALSE);

  for (const SmpParamRange *r = ranges; r->key; r++)
    {
      double *f = field_of (p, r->key);
      if (f && !check_range (r->key, *f, error))
        return FALSE;
    }
  if (!check_range ("sessions", params->sessions, error))
    return FALSE;
  for (int k = 0; k < 3; k++)
    if (!isfinite (params->shade[k]) || params->shade[k] < 0.0 || params->shade[k] > 1.0)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                     "shade component %d is %g, but must lie between 0 and 1",
                     k, params->shade[k]);
        return FALSE;
      }
  for (int k = 0; k < params->sessions; k++)
    {
      double s = params->session_split[k];
      if (!isfinite (s) || s < 0.0 || s > 1.0)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       "session %d's share is %g, but must lie between 0 and 1", k + 1, s);
          return FALSE;
        }
      split_sum += s;
    }
  if (split_sum <= 1e-6)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "the session split gives no dots to any session");
      return FALSE;
    }
  if ((int) params->scalp_side < SMP_SCALP_SIDE_AUTO || params->scalp_side > SMP_SCALP_SIDE_RIGHT)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "scalp side %d is not auto, left or right", (int) params->scalp_side);
      return FALSE;
    }
  if ((int) params->stage < SMP_STAGE_FRESH || params->stage > SMP_STAGE_AGED)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "stage %d is not fresh, healed or aged", (int) params->stage);
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

static const char *side_names[] = { "auto", "left", "right" };
static const char *stage_names[] = { "fresh", "healed", "aged" };

const char *
smp_scalp_side_to_string (SmpScalpSide side)
{
  return (guint) side < G_N_ELEMENTS (side_names) ? side_names[side] : "invalid";
}

const char *
smp_stage_to_string (SmpStage stage)
{
  return (guint) stage < G_N_ELEMENTS (stage_names) ? stage_names[stage] : "invalid";
}

static int
lookup_name (const char *const *names, int n, const char *value)
{
  for (int i = 0; i < n; i++)
    if (g_ascii_strcasecmp (names[i], value) == 0)
      return i;
  return -1;
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
                       "%s is “%.*s%s”, but must be up to %d shares such as “50/35/15”",
                       key, 64, text, strlen (text) > 64 ? "…" : "", SMP_MAX_SESSIONS);
          return FALSE;
        }
      values[n++] = v;
    }
  if (n < sessions)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "%s “%.*s%s” gives %d share%s for %d sessions",
                   key, 64, text, strlen (text) > 64 ? "…" : "", n, n == 1 ? "" : "s", sessions);
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
  g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s%skey \"%s\": %s",
               origin ? origin : "", origin ? ": " : "", key, what);
  return FALSE;
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
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s%sno [%s] group",
                   origin ? origin : "", origin ? ": " : "", group);
      return FALSE;
    }

  for (const SmpParamRange *r = ranges; r->key; r++)
    {
      double v;
      if (!g_key_file_has_key (key_file, group, r->key, NULL))
        continue;
      v = g_key_file_get_double (key_file, group, r->key, &local);
      if (local)
        return key_error (error, origin, r->key, "not a number");
      if (!strcmp (r->key, "sessions"))
        {
          if (v != floor (v))
            return key_error (error, origin, r->key, "not a whole number");
          p.sessions = (int) CLAMP (v, -1e6, 1e6);
        }
      else
        *field_of (&p, r->key) = v;
    }

  if (g_key_file_has_key (key_file, group, "shade", NULL))
    {
      g_autofree char *hex = g_key_file_get_string (key_file, group, "shade", NULL);
      unsigned rr, gg, bb;
      if (!hex || strlen (hex) != 7 || sscanf (hex, "#%2x%2x%2x", &rr, &gg, &bb) != 3)
        return key_error (error, origin, "shade", "not a colour like #1c1c1e");
      p.shade[0] = rr / 255.0;
      p.shade[1] = gg / 255.0;
      p.shade[2] = bb / 255.0;
    }
  if (g_key_file_has_key (key_file, group, "session_split", NULL))
    {
      /* The PDB's rule, against the sessions set by now (this file's or before). */
      g_autofree char *text = g_key_file_get_value (key_file, group, "session_split", NULL);
      if (!smp_params_parse_session_split ("session_split", text, p.sessions, p.session_split, &local))
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s%s%s",
                       origin ? origin : "", origin ? ": " : "", local->message);
          return FALSE;
        }
    }
  if (g_key_file_has_key (key_file, group, "scalp_side", NULL))
    {
      g_autofree char *s = g_key_file_get_string (key_file, group, "scalp_side", NULL);
      int v = s ? lookup_name (side_names, G_N_ELEMENTS (side_names), s) : -1;
      if (v < 0)
        return key_error (error, origin, "scalp_side", "not auto, left or right");
      p.scalp_side = v;
    }
  if (g_key_file_has_key (key_file, group, "stage", NULL))
    {
      g_autofree char *s = g_key_file_get_string (key_file, group, "stage", NULL);
      int v = s ? lookup_name (stage_names, G_N_ELEMENTS (stage_names), s) : -1;
      if (v < 0)
        return key_error (error, origin, "stage", "not fresh, healed or aged");
      p.stage = v;
    }
  if (g_key_file_has_key (key_file, group, "seed", NULL))
    {
      gint64 v = g_key_file_get_int64 (key_file, group, "seed", &local);
      if (local || v < 0 || v > G_MAXUINT32)
        return key_error (error, origin, "seed", "not a whole number from 0 to 4294967295");
      p.seed = (guint32) v;
    }

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
  char hex[8];
  SmpParams *p = (SmpParams *) params;

  g_return_if_fail (params != NULL && key_file != NULL);
  if (!group)
    group = GROUP_DEFAULT;
  for (const SmpParamRange *r = ranges; r->key; r++)
    {
      if (!strcmp (r->key, "sessions"))
        g_key_file_set_integer (key_file, group, r->key, params->sessions);
      else
        g_key_file_set_double (key_file, group, r->key, *field_of (p, r->key));
    }
  g_snprintf (hex, sizeof hex, "#%02x%02x%02x",
              (int) lround (CLAMP (params->shade[0], 0, 1) * 255),
              (int) lround (CLAMP (params->shade[1], 0, 1) * 255),
              (int) lround (CLAMP (params->shade[2], 0, 1) * 255));
  g_key_file_set_string (key_file, group, "shade", hex);
  g_key_file_set_double_list (key_file, group, "session_split",
                              p->session_split, CLAMP (params->sessions, 1, SMP_MAX_SESSIONS));
  g_key_file_set_string (key_file, group, "scalp_side", smp_scalp_side_to_string (params->scalp_side));
  g_key_file_set_string (key_file, group, "stage", smp_stage_to_string (params->stage));
  g_key_file_set_int64 (key_file, group, "seed", params->seed);
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
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "stored design is not readable: %s",
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
