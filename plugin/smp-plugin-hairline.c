/* smp-plugin-hairline.c: the plug-in-smp-hairline procedure: its arguments, the
 * run, the non-destructive output layers and re-editing a stored proposal. */
#include "smp-plugin-hairline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "smp-plugin-dialog.h"
#include "smp-plugin-guides.h"
#include "smp-plugin-io.h"

/* ---- Arguments -------------------------------------------------------------- */

/* The design arguments come from the engine's parameter table, in its order;
 * ranges are scaled to the argument's units (fractions as percent). */
static void
add_design_arguments (GimpProcedure *procedure, GeglColor *default_color)
{
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    switch (s->type)
      {
      case SMP_PARAM_DOUBLE:
        {
          gboolean zero_auto = (s->flags & SMP_PARAM_ARG_ZERO_AUTO) != 0;
          gimp_procedure_add_double_argument (procedure, s->arg, s->label, s->blurb,
                                              zero_auto ? 0.0 : s->min * s->arg_factor,
                                              s->max * s->arg_factor,
                                              zero_auto ? 0.0 : s->default_value * s->arg_factor,
                                              G_PARAM_READWRITE);
        }
        break;
      case SMP_PARAM_INT:
        gimp_procedure_add_int_argument (procedure, s->arg, s->label, s->blurb, (int) s->min,
                                         (int) s->max, (int) s->default_value, G_PARAM_READWRITE);
        break;
      case SMP_PARAM_SEED: /* GIMP's int arguments stop at G_MAXINT */
        gimp_procedure_add_int_argument (procedure, s->arg, s->label, s->blurb, 0, G_MAXINT,
                                         (int) MIN (s->default_value, G_MAXINT), G_PARAM_READWRITE);
        break;
      case SMP_PARAM_CHOICE:
        {
          GimpChoice *choice = gimp_choice_new ();
          for (int i = 0; s->choices[i].name; i++)
            gimp_choice_add (choice, s->choices[i].name, i, s->choices[i].label, s->choices[i].help);
          gimp_procedure_add_choice_argument (procedure, s->arg, s->label, s->blurb, choice,
                                              s->choices[(int) s->default_value].name,
                                              G_PARAM_READWRITE);
        }
        break;
      case SMP_PARAM_SHADE:
        gimp_procedure_add_color_argument (procedure, s->arg, s->label, s->blurb, FALSE,
                                           default_color, G_PARAM_READWRITE);
        break;
      case SMP_PARAM_SPLIT:
        gimp_procedure_add_string_argument (procedure, s->arg, s->label, s->blurb, "",
                                            G_PARAM_READWRITE);
        break;
      }
}

/* An engine validation message names the key in engine units; callers know the
 * argument, in its units. */
static void
set_argument_error (const SmpParams *params, const GError *engine_error, GError **error)
{
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    {
      gsize n = strlen (s->key);

      if (smp_param_is_numeric (s) && !strncmp (engine_error->message, s->key, n) &&
          !strncmp (engine_error->message + n, " is ", 4))
        {
          const char *sep = *s->arg_unit && strcmp (s->arg_unit, "%") ? " " : "";
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       "%s is %g%s%s, but must lie between %g and %g%s%s", s->arg,
                       smp_param_get (params, s) * s->arg_factor, sep, s->arg_unit,
                       s->min * s->arg_factor, s->max * s->arg_factor, sep, s->arg_unit);
          return;
        }
    }
  g_propagate_error (error, g_error_copy (engine_error));
}

/* The engine's default pigment, read as sRGB: carbon black diluted. */
static GeglColor *
default_shade (void)
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
static void
normalize_shade (GimpProcedureConfig *config)
{
  g_autoptr (GeglColor) shade = NULL;
  double r, g, b, a = 1.0;

  g_object_get (config, "shade", &shade, NULL);
  if (shade)
    gegl_color_get_rgba (shade, &r, &g, &b, &a);
  if (!shade || a <= 0.0)
    {
      g_autoptr (GeglColor) fallback = default_shade ();
      g_object_set (config, "shade", fallback, NULL);
    }
}

static GimpValueArray *hairline_run (GimpProcedure        *procedure,
                                     GimpRunMode           run_mode,
                                     GimpImage            *image,
                                     GimpDrawable        **drawables,
                                     GimpProcedureConfig  *config,
                                     gpointer              run_data);

GimpProcedure *
smp_plugin_hairline_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;
  g_autoptr (GeglColor) shade = NULL;

  procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN,
                                        hairline_run, NULL, NULL);
  gimp_procedure_set_image_types (procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (procedure, GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  gimp_procedure_set_menu_label (procedure, "_Hairline…");
  gimp_procedure_add_menu_path (procedure, SMP_PLUGIN_MENU_PATH);
  gimp_procedure_set_documentation (
    procedure,
    "Simulate scalp micropigmentation behind a hairline path",
    "Stipples follicle-like pigment dots behind the hairline drawn as a path: "
    "sentinel dots ahead of the line, a transition zone, then full density, in "
    "physical units. The result goes into a new layer group \"SMP proposal\" "
    "above the photo, one Multiply layer per session; the photo is never "
    "changed. Running it on an existing proposal group (or a layer in it) "
    "replaces that proposal. A non-empty selection confines the dots.",
    name);
  gimp_procedure_set_attribution (procedure, SMP_PLUGIN_AUTHOR, SMP_PLUGIN_COPYRIGHT,
                                  SMP_PLUGIN_DATE);

  gimp_procedure_add_path_argument (procedure, "path", "Hairline pat_h",
                                    "The hairline; none means the selected path, "
                                    "else the image's only path",
                                    TRUE, G_PARAM_READWRITE);
  /* GeglColor needs GEGL, and this runs before any run function. */
  gegl_init (NULL, NULL);
  shade = default_shade ();
  add_design_arguments (procedure, shade);
  gimp_procedure_add_string_argument (procedure, "preset", "Loo_k (preset)",
                                      "Id of a shipped look (a file name in patterns/presets "
                                      "without .smp-preset); empty: none. In scripted runs its "
                                      "values override the matching arguments",
                                      "", G_PARAM_READWRITE);
  smp_plugin_design_aids_add_arguments (procedure); /* "feminine", "guides" */
  return procedure;
}

/* ---- Config <-> engine parameters ---------------------------------------- */

/* "50/35/15", "0.5, 0.35, 0.15": shares for the first `sessions` sessions. */
static gboolean
parse_session_split (const char *text, int sessions, double split[SMP_MAX_SESSIONS], GError **error)
{
  g_auto (GStrv) parts = NULL;
  double values[SMP_MAX_SESSIONS] = { 0 };
  double sum = 0.0;
  int    n = 0;

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
                       "session-split is “%s”, but must be up to %d shares such as “50/35/15”",
                       text, SMP_MAX_SESSIONS);
          return FALSE;
        }
      values[n++] = v;
    }
  if (n < sessions)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   "session-split “%s” gives %d share%s for %d sessions",
                   text, n, n == 1 ? "" : "s", sessions);
      return FALSE;
    }
  for (int k = 0; k < n; k++)
    sum += values[k];
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    /* Artists write percentages; fractions sum to about 1. */
    split[k] = k < n ? (sum > 1.5 ? values[k] / 100.0 : values[k]) : 0.0;
  return TRUE;
}

static gboolean
apply_preset (const char *id, SmpParams *params, GError **error)
{
  g_autofree char *dir = smp_plugin_get_patterns_dir ();
  g_autofree char *file = g_strconcat (id, ".smp-preset", NULL);
  g_autofree char *path = g_build_filename (dir, "presets", file, NULL);
  g_autoptr (SmpPreset) preset = NULL;

  if (strchr (id, '/') || strchr (id, '\\') || !strcmp (id, "..") || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   "There is no preset “%s” (looked for %s)", id, path);
      return FALSE;
    }
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
smp_plugin_hairline_params_from_config (GimpProcedureConfig   *config,
                                        const SmpPluginTarget *target,
                                        GimpRunMode            run_mode,
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
          shade = default_shade ();
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
          source = SMP_SCALE_FROM_FALLBACK;
          smp_plugin_warn (run_mode,
                           "The image has no scale: using %g px/mm. Calibrate it "
                           "(Scalp Micropigmentation → Calibrate) or give px-per-mm, "
                           "or dot sizes and density will be wrong.",
                           SMP_PLUGIN_FALLBACK_PX_PER_MM);
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
smp_plugin_hairline_config_set_params (GimpProcedureConfig   *config,
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

/* ---- The target ------------------------------------------------------------ */

static gboolean
rect_intersect (const SmpRect *a, const SmpRect *b, SmpRect *out)
{
  int x0 = MAX (a->x, b->x), y0 = MAX (a->y, b->y);
  int x1 = MIN (a->x + a->width, b->x + b->width);
  int y1 = MIN (a->y + a->height, b->y + b->height);

  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  *out = (SmpRect) { x0, y0, x1 - x0, y1 - y0 };
  return TRUE;
}

/* The layer right below `item` among its siblings: the photo a proposal sits on. */
static GimpDrawable *
layer_below (GimpImage *image, GimpItem *item)
{
  GimpItem     *parent = gimp_item_get_parent (item);
  GimpItem    **siblings;
  GimpDrawable *below = NULL;

  siblings = parent ? gimp_item_get_children (parent) : (GimpItem **) gimp_image_get_layers (image);
  for (gsize i = 0; siblings && siblings[i]; i++)
    if (gimp_item_get_id (siblings[i]) == gimp_item_get_id (item))
      {
        below = siblings[i + 1] ? GIMP_DRAWABLE (siblings[i + 1]) : NULL;
        break;
      }
  g_free (siblings);
  return below;
}

void
smp_plugin_target_free (SmpPluginTarget *target)
{
  if (!target)
    return;
  g_free (target->coverage);
  g_free (target);
}

SmpPluginTarget *
smp_plugin_target_new (GimpImage *image, GimpDrawable *drawable, GError **error)
{
  g_autoptr (SmpPluginTarget) t = g_new0 (SmpPluginTarget, 1);
  int      image_w = gimp_image_get_width (image);
  int      image_h = gimp_image_get_height (image);
  SmpRect  image_rect = { 0, 0, image_w, image_h };
  SmpRect  layer_rect;
  gboolean non_empty = FALSE;
  int      x1, y1, x2, y2;

  t->image = image;

  if (!GIMP_IS_LAYER (drawable))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   "Select the photo layer to design on (not a channel or a layer mask)");
      return NULL;
    }
  if (!smp_plugin_format_for_image (image, drawable, &t->format, error))
    return NULL;
  if (image_w < 2 || image_h < 2)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   "The image is only %d×%d pixels: too small to hold a hairline design",
                   image_w, image_h);
      return NULL;
    }

  t->proposal = smp_plugin_find_proposal_group (GIMP_ITEM (drawable));
  if (t->proposal)
    {
      t->client = layer_below (image, GIMP_ITEM (t->proposal));
      if (!t->client)
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                       "The SMP proposal has no photo layer below it: move the group "
                       "right above the client's photo");
          return NULL;
        }
    }
  else
    t->client = drawable;

  gimp_drawable_get_offsets (t->client, &t->offset_x, &t->offset_y);
  layer_rect = (SmpRect) { t->offset_x, t->offset_y,
                           gimp_drawable_get_width (t->client),
                           gimp_drawable_get_height (t->client) };
  if (!rect_intersect (&layer_rect, &image_rect, &layer_rect))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, "The layer lies wholly outside the canvas");
      return NULL;
    }
  t->layer_rect = (SmpRect) { layer_rect.x - t->offset_x, layer_rect.y - t->offset_y,
                              layer_rect.width, layer_rect.height };
  t->canvas = t->layer_rect;

  /* An empty selection means the whole image, as everywhere in GIMP. */
  if (gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) && non_empty)
    {
      SmpRect selection = { x1, y1, x2 - x1, y2 - y1 };
      SmpRect area;

      if (!rect_intersect (&layer_rect, &selection, &area))
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                       "The selection does not touch the photo layer: select the area "
                       "to treat, or select none to treat the whole layer");
          return NULL;
        }
      /* Only the part that can hold dots is read: memory follows the treated area. */
      t->coverage = smp_plugin_io_read_selection (image, &area);
      t->has_mask = TRUE;
      t->mask = (SmpMask) { t->coverage, area.x - t->offset_x, area.y - t->offset_y,
                            area.width, area.height, (gsize) area.width };
      t->canvas = (SmpRect) { t->mask.x, t->mask.y, area.width, area.height };
    }
  return g_steal_pointer (&t);
}

SmpHairline *
smp_plugin_target_read_hairline (const SmpPluginTarget *target,
                                 GimpPath              *path,
                                 char                 **path_name,
                                 GError               **error)
{
  g_autoptr (SmpHairline) hairline = NULL;
  g_autofree char *name = NULL;
  GimpPath *stored = NULL;
  double    x0, y0, x1, y1;
  const SmpRect *r = &target->layer_rect;

  /* Re-editing without a path given: the path the proposal was made from. */
  if (!path && target->proposal)
    {
      g_autoptr (SmpProposal) record = smp_plugin_proposal_read (target->proposal, NULL);

      if (record && *record->path_name)
        stored = gimp_image_get_path_by_name (target->image, record->path_name);
    }

  path = smp_plugin_pick_path (target->image, path ? path : stored, error);
  if (!path)
    return NULL;
  name = gimp_item_get_name (GIMP_ITEM (path));
  hairline = smp_plugin_hairline_from_path (path, target->offset_x, target->offset_y, error);
  if (!hairline)
    return NULL;

  smp_hairline_get_bounds (hairline, &x0, &y0, &x1, &y1);
  if (x1 < r->x || y1 < r->y || x0 > r->x + r->width || y0 > r->y + r->height)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   "The path “%s” lies wholly outside the photo layer: draw the hairline "
                   "on the photo", name);
      return NULL;
    }
  if (path_name)
    *path_name = g_steal_pointer (&name);
  return g_steal_pointer (&hairline);
}

/* ---- Output ------------------------------------------------------------------- */

/* Area on the scalp side inside the canvas (and selection), in cm², sampled on
 * a grid of about 1 mm (coarser on huge canvases). */
static double
treated_area_cm2 (const SmpPluginTarget *target, const SmpHairline *hairline, double px_per_mm)
{
  const SmpRect *c = &target->canvas;
  double step = MAX (px_per_mm, sqrt ((double) c->width * c->height / 250000.0));
  double sum = 0.0;

  step = MAX (step, 1.0);
  for (double y = c->y + step / 2; y < c->y + c->height; y += step)
    for (double x = c->x + step / 2; x < c->x + c->width; x += step)
      if (smp_hairline_signed_distance_px (hairline, x, y) >= 0.0)
        sum += target->has_mask ? smp_mask_sample (&target->mask, x, y) : 1.0;
  return sum * step * step / (px_per_mm * px_per_mm) / 100.0;
}

/* "Session 2", or "Session 2 #1": GIMP keeps layer names unique in an image,
 * so a second proposal's sessions carry a suffix. */
static gboolean
is_session_layer (GimpItem *item)
{
  g_autofree char *name = gimp_item_get_name (item);
  int  k, n = 0, end = 0;
  char tail;

  if (sscanf (name, SMP_PLUGIN_SESSION_NAME_FMT "%n", &k, &end) != 1 || end == 0)
    return FALSE;
  if (name[end] == '\0')
    return TRUE;
  return sscanf (name + end, " #%d%n%c", &n, &end, &tail) == 1;
}

/* The record of what was just written: the design, where it came from and what
 * it holds. The design checks add to it before it is attached. */
static SmpProposal *
make_record (const SmpPluginTarget *target,
             const SmpDesign       *design,
             const SmpHairline     *hairline,
             const SmpRect         *extent,
             const char            *path_name,
             const char            *preset,
             SmpScaleSource         scale_source)
{
  const SmpParams *params = smp_design_get_params (design);
  SmpProposal     *record = smp_proposal_new ();
  gsize            per_session[SMP_MAX_SESSIONS] = { 0 };
  g_autoptr (GeglColor) color = smp_plugin_shade_to_color (&target->format, params->shade);

  record->params = *params;
  g_free (record->path_name);
  record->path_name = g_strdup (path_name ? path_name : "");
  g_free (record->preset_id);
  record->preset_id = g_strdup (preset ? preset : "");
  record->scale_source = scale_source;
  record->treated_area_cm2 = treated_area_cm2 (target, hairline, params->px_per_mm);
  record->total_dots = (gint64) smp_design_count (design, extent, per_session);
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    record->dots_per_session[k] = (gint64) per_session[k];
  /* The shade in [SMP Design] is in the layers' encoding; keep the colour as
   * people know it too, so a re-edit survives a change of precision and the
   * sheet shows what the artist chose. */
  gegl_color_get_pixel (color, babl_format ("R'G'B' u8"), record->shade_srgb);
  record->has_shade_srgb = TRUE;
  record->extent[0] = extent->x + target->offset_x;
  record->extent[1] = extent->y + target->offset_y;
  record->extent[2] = extent->width;
  record->extent[3] = extent->height;
  record->has_extent = TRUE;
  return record;
}

/* Writes the proposal; the caller holds the undo group. On failure what was
 * added is removed again. */
static GimpGroupLayer *
write_proposal (const SmpPluginTarget *target,
                const SmpDesign       *design,
                const SmpRect         *extent,
                GError               **error)
{
  const SmpParams *params = smp_design_get_params (design);
  GimpImage       *image = target->image;
  GimpGroupLayer  *group = target->proposal;
  GPtrArray       *old_sessions = g_ptr_array_new ();
  GPtrArray       *kept = g_ptr_array_new ();
  GPtrArray       *added = g_ptr_array_new ();
  gboolean         ok = TRUE;

  if (group)
    {
      g_autofree GimpItem **children = gimp_item_get_children (GIMP_ITEM (group));

      for (gsize i = 0; children && children[i]; i++)
        g_ptr_array_add (is_session_layer (children[i]) ? old_sessions : kept, children[i]);
    }
  else
    {
      GimpItem *parent = gimp_item_get_parent (GIMP_ITEM (target->client));

      group = gimp_group_layer_new (image, SMP_PLUGIN_GROUP_NAME);
      /* Pass-through with Multiply sessions: each session's pigment darkens the
       * skin and the sessions below it, as layered pigment does on skin (an
       * overlap of two sessions reads darker). A Multiply group over Normal
       * children would composite overlaps as paint over paint instead. */
      gimp_layer_set_mode (GIMP_LAYER (group), GIMP_LAYER_MODE_PASS_THROUGH);
      gimp_image_insert_layer (image, GIMP_LAYER (group), GIMP_LAYER (parent),
                               gimp_image_get_item_position (image, GIMP_ITEM (target->client)));
    }

  for (int k = 0; k < params->sessions && ok; k++)
    {
      g_autofree char *name = g_strdup_printf (SMP_PLUGIN_SESSION_NAME_FMT, k + 1);
      GimpLayer *layer = gimp_layer_new (image, name, extent->width, extent->height,
                                         target->format.layer_type, 100.0,
                                         GIMP_LAYER_MODE_MULTIPLY);

      /* Each new session goes on top of the previous one: Session 1 lowest. */
      gimp_image_insert_layer (image, layer, GIMP_LAYER (group), 0);
      gimp_layer_set_offsets (layer, extent->x + target->offset_x, extent->y + target->offset_y);
      g_ptr_array_add (added, layer);
      ok = smp_plugin_io_write_layer (design, SMP_SESSION_BIT (k), extent, &target->format,
                                      target->has_mask ? &target->mask : NULL, layer,
                                      (double) k / params->sessions,
                                      (double) (k + 1) / params->sessions, error);
    }

  if (ok)
    {
      /* Only now that the new sessions exist do the old ones go; then the new
       * ones can take the plain names the old ones held. */
      for (guint i = 0; i < old_sessions->len; i++)
        gimp_image_remove_layer (image, old_sessions->pdata[i]);
      if (old_sessions->len > 0)
        for (guint k = 0; k < added->len; k++)
          {
            g_autofree char *name = g_strdup_printf (SMP_PLUGIN_SESSION_NAME_FMT, (int) k + 1);
            gimp_item_set_name (added->pdata[k], name);
          }
      /* Guides and other helpers' layers stay above the dots. */
      for (guint i = kept->len; i-- > 0;)
        gimp_image_reorder_item (image, kept->pdata[i], GIMP_ITEM (group), 0);
      /* The proposal is what the artist works on next: running the procedure
       * again from the menu then re-edits it instead of stacking another. */
      {
        const GimpLayer *selected[] = { GIMP_LAYER (group), NULL };
        gimp_image_set_selected_layers (image, selected);
      }
    }
  else if (!target->proposal)
    gimp_image_remove_layer (image, GIMP_LAYER (group));
  else
    for (guint i = 0; i < added->len; i++)
      gimp_image_remove_layer (image, added->pdata[i]);

  g_ptr_array_unref (old_sessions);
  g_ptr_array_unref (kept);
  g_ptr_array_unref (added);
  return ok ? group : NULL;
}

/* ---- The run ------------------------------------------------------------------ */

/* For the tests: SMP_PLUGIN_MEMORY_REPORT=FILE appends this process's peak
 * resident memory and the written extent, so that "memory bounded by chunks,
 * not by the image" is measured rather than assumed. */
static void
report_peak_memory (const SmpRect *extent)
{
  const char      *file = g_getenv ("SMP_PLUGIN_MEMORY_REPORT");
  g_autofree char *status = NULL;
  const char      *line;
  FILE            *out;

  if (!file || !*file || !g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  line = strstr (status, "VmHWM:");
  out = fopen (file, "a");
  if (!out)
    return;
  fprintf (out, "extent %d %d %d %d peak_kb %ld\n", extent->x, extent->y, extent->width,
           extent->height, line ? strtol (line + 6, NULL, 10) : -1L);
  fclose (out);
}

static GimpValueArray *
fail (GimpProcedure *procedure, GimpPDBStatusType status, GError *error)
{
  return gimp_procedure_new_return_values (procedure, status, error);
}

static GimpValueArray *
hairline_run (GimpProcedure        *procedure,
              GimpRunMode           run_mode,
              GimpImage            *image,
              GimpDrawable        **drawables,
              GimpProcedureConfig  *config,
              gpointer              run_data)
{
  g_autoptr (SmpPluginTarget) target = NULL;
  g_autoptr (SmpHairline) hairline = NULL;
  g_autoptr (SmpDesign) design = NULL;
  g_autoptr (GimpPath) path = NULL;
  g_autofree char *path_name = NULL;
  g_autofree char *preset = NULL;
  SmpScaleSource scale_source;
  SmpParams params;
  SmpRect   extent;
  GError   *error = NULL;
  GimpGroupLayer *group;
  gboolean  ok;

  (void) run_data;
  gegl_init (NULL, NULL);

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   "Procedure '%s' works on one layer: select only the photo layer",
                   gimp_procedure_get_name (procedure));
      return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
    }

  target = smp_plugin_target_new (image, drawables[0], &error);
  if (!target)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  g_object_get (config, "path", &path, NULL);
  normalize_shade (config);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      g_autoptr (GError) early = NULL;
      g_autofree GimpPath **paths = gimp_image_get_paths (image);

      /* The dialog lets the artist choose among the paths, so only an image
       * without any stops here; a path found now starts the dialog's choice. */
      hairline = smp_plugin_target_read_hairline (target, path, &path_name, &early);
      if (!hairline && gimp_core_object_array_get_length ((GObject **) paths) == 0)
        return fail (procedure, GIMP_PDB_EXECUTION_ERROR, g_steal_pointer (&early));
      if (hairline && !path)
        g_object_set (config, "path", gimp_image_get_path_by_name (image, path_name), NULL);
      g_clear_pointer (&hairline, smp_hairline_unref);
      g_clear_pointer (&path_name, g_free);

      if (target->proposal)
        {
          g_autoptr (GError) unreadable = NULL;
          g_autoptr (SmpProposal) record = smp_plugin_proposal_read (target->proposal, &unreadable);

          /* Re-edit: start from the proposal's own values, not the last run's. */
          if (record)
            {
              smp_plugin_hairline_config_set_params (config, target, &record->params, record->scale_source);
              if (record->has_shade_srgb)
                {
                  g_autoptr (GeglColor) color = gegl_color_new (NULL);

                  gegl_color_set_pixel (color, babl_format ("R'G'B' u8"), record->shade_srgb);
                  g_object_set (config, "shade", color, NULL);
                }
              g_object_set (config, "preset", record->preset_id, NULL);
            }
          else
            smp_plugin_warn (run_mode, "The proposal's stored design cannot be read (%s). The dialog "
                                       "starts from the last-used values; OK replaces the proposal.",
                             unreadable->message);
        }
      if (!smp_plugin_dialog_run (procedure, config, image, target->client))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
      g_clear_object (&path);
      g_object_get (config, "path", &path, NULL);
    }

  hairline = smp_plugin_target_read_hairline (target, path, &path_name, &error);
  if (!hairline)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  if (!smp_plugin_hairline_params_from_config (config, target, run_mode,
                                               run_mode == GIMP_RUN_NONINTERACTIVE,
                                               &params, &scale_source, &error))
    return fail (procedure, GIMP_PDB_CALLING_ERROR, error);
  g_object_get (config, "preset", &preset, NULL);

  gimp_progress_init ("Stippling the SMP hairline proposal");
  design = smp_design_new (&params, hairline, target->has_mask ? &target->mask : NULL, NULL, &error);
  if (!design)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);

  if (!smp_design_get_extent (design, &target->canvas, &extent))
    {
      if (target->has_mask)
        g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                     "The selection lies entirely on the forehead side of the hairline: "
                     "select part of the scalp side, or select none");
      else
        g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                     "No dot falls on the photo: the scalp side of the hairline lies "
                     "outside it (check scalp-side)");
      return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }

  gimp_image_undo_group_start (image);
  group = write_proposal (target, design, &extent, &error);
  ok = group != NULL;
  if (ok)
    {
      g_autoptr (SmpProposal) record =
        make_record (target, design, hairline, &extent, path_name, preset, scale_source);

      /* design checks (into the record) and the optional guides layer */
      smp_plugin_design_aids_apply (config, run_mode, image, group, path_name, &params, record);
      smp_plugin_proposal_attach (group, record);
    }
  gimp_image_undo_group_end (image);
  gimp_progress_update (1.0);

  if (!ok)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  report_peak_memory (&extent);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}
