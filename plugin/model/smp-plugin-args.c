/* smp-plugin-args.c: the design arguments of plug-in-smp-hairline, made from the
 * engine's parameter table, and the mapping between a config and SmpParams. */
#include "smp-plugin-args.h"
#include <glib/gi18n-lib.h>
#include "smp-plugin-looks.h"

#include <math.h>
#include <string.h>

/* ---- Arguments -------------------------------------------------------------- */

/* The design arguments come from the engine's parameter table, in its order;
 * ranges are scaled to the argument's units (fractions as percent). */
void
smp_plugin_args_add_design (GimpProcedure *procedure, GeglColor *default_color)
{
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    switch (s->type)
      {
      case SMP_PARAM_DOUBLE:
        {
          gboolean zero_auto = (s->flags & SMP_PARAM_ARG_ZERO_AUTO) != 0;
          gimp_procedure_add_double_argument (procedure, s->arg, _(s->label), _(s->blurb),
                                              zero_auto ? 0.0 : s->min * s->arg_factor,
                                              s->max * s->arg_factor,
                                              zero_auto ? 0.0 : s->default_value * s->arg_factor,
                                              G_PARAM_READWRITE);
        }
        break;
      case SMP_PARAM_INT:
        gimp_procedure_add_int_argument (procedure, s->arg, _(s->label), _(s->blurb), (int) s->min,
                                         (int) s->max, (int) s->default_value, G_PARAM_READWRITE);
        break;
      case SMP_PARAM_SEED: /* GIMP's int arguments stop at G_MAXINT */
        gimp_procedure_add_int_argument (procedure, s->arg, _(s->label), _(s->blurb), 0, G_MAXINT,
                                         (int) MIN (s->default_value, G_MAXINT), G_PARAM_READWRITE);
        break;
      case SMP_PARAM_CHOICE:
        {
          GimpChoice *choice = gimp_choice_new ();
          for (int i = 0; s->choices[i].name; i++)
            gimp_choice_add (choice, s->choices[i].name, i, _(s->choices[i].label), _(s->choices[i].help));
          gimp_procedure_add_choice_argument (procedure, s->arg, _(s->label), _(s->blurb), choice,
                                              s->choices[(int) s->default_value].name,
                                              G_PARAM_READWRITE);
        }
        break;
      case SMP_PARAM_SHADE:
        gimp_procedure_add_color_argument (procedure, s->arg, _(s->label), _(s->blurb), FALSE,
                                           default_color, G_PARAM_READWRITE);
        break;
      case SMP_PARAM_SPLIT:
        gimp_procedure_add_string_argument (procedure, s->arg, _(s->label), _(s->blurb), "",
                                            G_PARAM_READWRITE);
        break;
      }
}

/* An engine validation message names the key in engine units; callers know the
 * argument, in its units. The row at fault is found as the engine finds it (the
 * first one out of range, in table order), not by reading the message, which
 * may be translated. */
static void
set_argument_error (const SmpParams *params, const GError *engine_error, GError **error)
{
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    {
      double v;

      if (s->type == SMP_PARAM_SHADE)
        {
          gboolean bad = FALSE;

          for (int k = 0; k < 3; k++)
            bad |= !isfinite (params->shade[k]) || params->shade[k] < 0.0 || params->shade[k] > 1.0;
          if (bad)
            break;
          continue;
        }
      if (s->type != SMP_PARAM_DOUBLE && s->type != SMP_PARAM_INT && s->type != SMP_PARAM_CHOICE)
        continue;
      v = smp_param_get (params, s);
      if (isfinite (v) && v >= s->min && v <= s->max)
        continue;
      if (s->type == SMP_PARAM_CHOICE)
        break;
      {
        const char *sep = *s->arg_unit && strcmp (s->arg_unit, "%") ? " " : "";
        g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                     _("%s is %g%s%s, but must lie between %g and %g%s%s"), s->arg,
                     v * s->arg_factor, sep, s->arg_unit,
                     s->min * s->arg_factor, s->max * s->arg_factor, sep, s->arg_unit);
        return;
      }
    }
  g_propagate_error (error, g_error_copy (engine_error));
}

/* The engine's default pigment, read as sRGB: carbon black diluted. */
GeglColor *
smp_plugin_args_default_shade (void)
{
  GeglColor *color = gegl_color_new (NULL);
  SmpParams  defaults;
  double     rgba[4];

  smp_params_init_defaults (&defaults);
  rgba[0] = defaults.shade[0], rgba[1] = defaults.shade[1], rgba[2] = defaults.shade[2];
  rgba[3] = 1.0;
  /* With alpha in the encoding, the zeros GIMP 3.0.4 sends for this default
   * read as transparent: recognisably "unset" (see params_from_config). */
  gegl_color_set_pixel (color, babl_format ("R'G'B'A double"), rgba);
  return color;
}

/* An unset shade (see params_from_config) becomes the default in the config
 * itself, so that the dialog shows the pigment that will be used. */
void
smp_plugin_args_normalize_shade (GimpProcedureConfig *config)
{
  g_autoptr (GeglColor) shade = NULL;
  double r, g, b, a = 1.0;

  g_object_get (config, "shade", &shade, NULL);
  if (shade)
    gegl_color_get_rgba (shade, &r, &g, &b, &a);
  if (!shade || a <= 0.0)
    {
      g_autoptr (GeglColor) fallback = smp_plugin_args_default_shade ();
      g_object_set (config, "shade", fallback, NULL);
    }
}

/* ---- Config <-> engine parameters ---------------------------------------- */

/* "50/35/15", "0.5, 0.35, 0.15": shares for the first `sessions` sessions. The
 * rule is the engine's, the same as for key files. */
static gboolean
parse_session_split (const char *text, int sessions, double split[SMP_MAX_SESSIONS], GError **error)
{
  return smp_params_parse_session_split ("session-split", text, sessions, split, error);
}

static gboolean
apply_preset (const char *id, SmpParams *params, GError **error)
{
  g_autofree char *path = smp_plugin_looks_find (id, error);
  g_autoptr (SmpPreset) preset = NULL;

  if (!path)
    return FALSE;
  preset = smp_preset_load (path, error);
  return preset && smp_preset_apply (preset, params, error);
}

/* Shades written by people (presets, stored sRGB hex) are sRGB R'G'B'; the
 * engine wants the output's own encoding. */
static void
shade_from_srgb (const SmpPluginFormat *format, const double srgb[3], double shade[3])
{
  g_autoptr (GeglColor) color = gegl_color_new (NULL);

  gegl_color_set_pixel (color, babl_format ("R'G'B' double"), srgb);
  smp_plugin_shade_from_color (format, color, shade);
}

gboolean
smp_plugin_args_to_params (GimpProcedureConfig   *config,
                                        const SmpPluginTarget *target,
                                        gboolean               apply_preset_arg,
                                        SmpParams             *params,
                                        SmpScaleSource  *scale_source,
                                        GError               **error)
{
  g_autoptr (GeglColor) shade = NULL;
  g_autofree char *split = NULL;
  g_autofree char *preset = NULL;
  g_autoptr (GError) local = NULL;
  SmpScaleSource source = SMP_SCALE_FROM_ARGUMENT;
  SmpParams p;

  smp_params_init_defaults (&p);
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    switch (s->type)
      {
      case SMP_PARAM_DOUBLE:
        {
          double v = 0.0;
          g_object_get (config, s->arg, &v, NULL);
          smp_param_set (&p, s, v / s->arg_factor);
        }
        break;
      case SMP_PARAM_INT:
      case SMP_PARAM_SEED:
        {
          int v = 0;
          g_object_get (config, s->arg, &v, NULL);
          smp_param_set (&p, s, MAX (v, 0));
        }
        break;
      case SMP_PARAM_CHOICE:
        smp_param_set (&p, s, gimp_procedure_config_get_choice_id (config, s->arg));
        break;
      case SMP_PARAM_SHADE:
        g_object_get (config, s->arg, &shade, NULL);
        break;
      case SMP_PARAM_SPLIT:
        g_object_get (config, s->arg, &split, NULL);
        break;
      }
  g_object_get (config, "preset", &preset, NULL);
  if (shade)
    {
      double r, g, b, a = 0.0;

      /* GIMP 3.0.4 sends colour argument defaults over the wire as zeros, so a
       * caller that leaves "shade" alone hands us transparent black. Take an
       * unset (fully transparent) shade as the default pigment. */
      gegl_color_get_rgba (shade, &r, &g, &b, &a);
      if (a <= 0.0)
        {
          g_object_unref (shade);
          shade = smp_plugin_args_default_shade ();
        }
      smp_plugin_shade_from_color (&target->format, shade, p.shade);
    }
  if (split && *g_strstrip (split) &&
      !parse_session_split (split, p.sessions, p.session_split, error))
    return FALSE;
  if (apply_preset_arg && preset && *g_strstrip (preset))
    {
      double before[3] = { p.shade[0], p.shade[1], p.shade[2] };

      if (!apply_preset (preset, &p, error))
        return FALSE;
      if (memcmp (before, p.shade, sizeof before) != 0)
        {
          double srgb[3] = { p.shade[0], p.shade[1], p.shade[2] };
          shade_from_srgb (&target->format, srgb, p.shade);
        }
    }

  if (p.px_per_mm == 0.0)
    {
      if (smp_plugin_calibration_get (target->image, &p.px_per_mm, NULL, NULL))
        source = SMP_SCALE_FROM_CALIBRATION;
      else
        {
          p.px_per_mm = SMP_PLUGIN_FALLBACK_PX_PER_MM;
          source = SMP_SCALE_FROM_FALLBACK; /* the run warns; the dialog shows it */
        }
    }

  if (!smp_params_validate (&p, &local))
    {
      set_argument_error (&p, local, error);
      return FALSE;
    }
  *params = p;
  if (scale_source)
    *scale_source = source;
  return TRUE;
}

void
smp_plugin_args_from_params (GimpProcedureConfig   *config,
                                       const SmpPluginTarget *target,
                                       const SmpParams       *params,
                                       SmpScaleSource   scale_source)
{
  g_autoptr (GeglColor) shade = smp_plugin_shade_to_color (&target->format, params->shade);
  g_autoptr (GString) split = g_string_new (NULL);

  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    switch (s->type)
      {
      case SMP_PARAM_DOUBLE:
        g_object_set (config, s->arg, smp_param_get (params, s) * s->arg_factor, NULL);
        break;
      case SMP_PARAM_INT:
      case SMP_PARAM_SEED:
        g_object_set (config, s->arg, (int) MIN (smp_param_get (params, s), G_MAXINT), NULL);
        break;
      case SMP_PARAM_CHOICE:
        g_object_set (config, s->arg, smp_param_choice_name (s, (int) smp_param_get (params, s)), NULL);
        break;
      case SMP_PARAM_SHADE:
        g_object_set (config, s->arg, shade, NULL);
        break;
      case SMP_PARAM_SPLIT:
        for (int k = 0; k < params->sessions; k++)
          g_string_append_printf (split, "%s%g", k ? "/" : "",
                                  round (smp_params_session_share (params, k) * 1000.0) / 10.0);
        g_object_set (config, s->arg, split->str, NULL);
        break;
      }
  if (scale_source == SMP_SCALE_FROM_CALIBRATION)
    g_object_set (config, "px-per-mm", 0.0, NULL);
}

