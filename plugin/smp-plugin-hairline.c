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

/* The numeric arguments and the engine fields behind them. Ranges and defaults
 * come from the engine's table (smp_params_get_ranges), the one source of truth. */
typedef struct
{
  const char *name;   /* PDB argument */
  const char *key;    /* engine key (SmpParamRange.key) */
  gsize       offset; /* of the double in SmpParams */
  double      scale;  /* argument = engine value × scale */
  const char *label;
  const char *blurb;
} DoubleArg;

#define FIELD(f) offsetof (SmpParams, f)

static const DoubleArg double_args[] = {
  { "px-per-mm", "px_per_mm", FIELD (px_per_mm), 1.0, "_Scale (px/mm)",
    "Photo scale in pixels per mm. 0 uses the scale stored by calibration "
    "(plug-in-smp-calibrate), else 10 px/mm with a warning" },
  { "density", "density_per_cm2", FIELD (density_per_cm2), 1.0, "_Density (dots/cm²)",
    "Impressions per cm² at full density (natural scalp: 60-110)" },
  { "dot-diameter", "dot_diameter_mm", FIELD (dot_diameter_mm), 1.0, "Dot d_iameter (mm)",
    "Diameter of a fresh impression in mm (about 0.25)" },
  { "size-jitter", "size_jitter", FIELD (size_jitter), 1.0, "Size _jitter",
    "Relative variation of the dot diameter (±), 0..1" },
  { "opacity", "opacity", FIELD (opacity), 100.0, "O_pacity (%)",
    "Pigment opacity of the last session in percent; earlier sessions are lighter" },
  { "softness", "softness", FIELD (softness), 1.0, "Sof_tness",
    "Pigment spread at the impression's edge, 0..1" },
  { "fade-width", "fade_width_mm", FIELD (fade_width_mm), 1.0, "Fade _width (mm)",
    "Depth of the transition zone behind the line, in mm" },
  { "sentinel", "sentinel", FIELD (sentinel), 1.0, "Se_ntinels",
    "Density of the sparse sentinel dots ahead of the line, relative to full density" },
  { "irregularity", "irregularity_mm", FIELD (irregularity_mm), 1.0, "Irregularit_y (mm)",
    "Macro undulation of the line in mm (wavelength about 20 mm)" },
  /* Additions beyond the table. */
  { "sentinel-depth", "sentinel_depth_mm", FIELD (sentinel_depth_mm), 1.0, "Sentinel _zone (mm)",
    "How far ahead of the drawn line sentinel dots reach, in mm" },
  { "micro-irregularity", "micro_irregularity_mm", FIELD (micro_irregularity_mm), 1.0,
    "_Micro irregularity (mm)", "Raggedness of the line at the 1 mm scale, in mm" },
  { "under-hair", "under_hair", FIELD (under_hair), 1.0, "Under hair",
    "Density factor for work under existing hair: 1 is the shaved look, 0.3-0.5 under thinning hair" },
};

static const DoubleArg *
find_double_arg (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (double_args); i++)
    if (!strcmp (double_args[i].name, name))
      return &double_args[i];
  g_return_val_if_reached (NULL);
}

static void
add_double_argument (GimpProcedure *procedure, const char *name)
{
  const DoubleArg     *arg = find_double_arg (name);
  const SmpParamRange *range = smp_params_find_range (arg->key);
  double               min = range->min * arg->scale;

  /* 0 is the "use the calibration" sentinel. */
  if (!strcmp (name, "px-per-mm"))
    min = 0.0;
  gimp_procedure_add_double_argument (procedure, arg->name, arg->label, arg->blurb,
                                      min, range->max * arg->scale,
                                      !strcmp (name, "px-per-mm") ? 0.0
                                                                   : range->default_value * arg->scale,
                                      G_PARAM_READWRITE);
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
  GimpProcedure       *procedure;
  const SmpParamRange *sessions = smp_params_find_range ("sessions");
  g_autoptr (GeglColor) shade = NULL;
  SmpParams            defaults;

  smp_params_init_defaults (&defaults);
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
  add_double_argument (procedure, "px-per-mm");
  add_double_argument (procedure, "density");
  add_double_argument (procedure, "dot-diameter");
  add_double_argument (procedure, "size-jitter");

  /* GeglColor needs GEGL, and this runs before any run function. */
  gegl_init (NULL, NULL);
  shade = default_shade ();
  gimp_procedure_add_color_argument (procedure, "shade", "Sh_ade",
                                     "Pigment colour (diluted carbon black: a near-black grey). "
                                     "A fully transparent colour means this default",
                                     FALSE, shade, G_PARAM_READWRITE);

  add_double_argument (procedure, "opacity");
  add_double_argument (procedure, "softness");
  add_double_argument (procedure, "fade-width");
  add_double_argument (procedure, "sentinel");
  add_double_argument (procedure, "irregularity");

  gimp_procedure_add_choice_argument (
    procedure, "scalp-side", "Sca_lp side", "Which side of the path is scalp",
    gimp_choice_new_with_values (
      "auto", SMP_SCALP_SIDE_AUTO, "Auto",
      "The side holding most of the selection, else the side toward the image top",
      "left", SMP_SCALP_SIDE_LEFT, "Left of the path", "Left of the path's direction, as seen on screen",
      "right", SMP_SCALP_SIDE_RIGHT, "Right of the path", "Right of the path's direction",
      NULL),
    "auto", G_PARAM_READWRITE);

  gimp_procedure_add_int_argument (procedure, "sessions", "Num_ber of sessions",
                                   "Number of treatment sessions, one layer each",
                                   (int) sessions->min, (int) sessions->max,
                                   (int) sessions->default_value, G_PARAM_READWRITE);

  gimp_procedure_add_choice_argument (
    procedure, "stage", "Stage", "How the work looks: as tattooed, healed or aged",
    gimp_choice_new_with_values (
      "fresh", SMP_STAGE_FRESH, "Fresh", "As tattooed",
      "healed", SMP_STAGE_HEALED, "Healed", "About 50% lighter and 40% smaller",
      "aged", SMP_STAGE_AGED, "Aged", "Softer and spread",
      NULL),
    "fresh", G_PARAM_READWRITE);

  gimp_procedure_add_int_argument (procedure, "seed", "_Random seed",
                                   "Seed of the dot pattern: the same seed gives the same dots",
                                   0, G_MAXINT, (int) MIN (defaults.seed, (guint32) G_MAXINT),
                                   G_PARAM_READWRITE);

  add_double_argument (procedure, "sentinel-depth");
  add_double_argument (procedure, "micro-irregularity");
  add_double_argument (procedure, "under-hair");

  gimp_procedure_add_string_argument (procedure, "session-split", "Session split",
                                      "Share of the dots per session, e.g. \"50/35/15\" "
                                      "(percent or fractions); empty: the default split",
                                      "", G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "preset", "Loo_k (preset)",
                                      "Id of a shipped look (a file name in patterns/presets "
                                      "without .smp-preset); empty: none. In scripted runs its "
                                      "values override the matching arguments",
                                      "", G_PARAM_READWRITE);
  smp_plugin_design_aids_add_arguments (procedure); /* "feminine", "guides" */
  return procedure;
}

/* ---- Config <-> engine parameters ---------------------------------------- */

const char *
smp_plugin_scale_source_to_string (SmpPluginScaleSource source)
{
  switch (source)
    {
    case SMP_PLUGIN_SCALE_ARGUMENT:    return "argument";
    case SMP_PLUGIN_SCALE_CALIBRATION: return "calibration";
    case SMP_PLUGIN_SCALE_FALLBACK:    return "default";
    }
  return "argument";
}

static SmpPluginScaleSource
scale_source_from_string (const char *text)
{
  if (text && !strcmp (text, "calibration"))
    return SMP_PLUGIN_SCALE_CALIBRATION;
  if (text && !strcmp (text, "default"))
    return SMP_PLUGIN_SCALE_FALLBACK;
  return SMP_PLUGIN_SCALE_ARGUMENT;
}

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
                                        SmpPluginScaleSource  *scale_source,
                                        GError               **error)
{
  g_autoptr (GeglColor) shade = NULL;
  g_autofree char *split = NULL;
  g_autofree char *preset = NULL;
  g_autoptr (GError) local = NULL;
  SmpPluginScaleSource source = SMP_PLUGIN_SCALE_ARGUMENT;
  SmpParams p;
  int       sessions, seed;

  smp_params_init_defaults (&p);
  for (gsize i = 0; i < G_N_ELEMENTS (double_args); i++)
    {
      double v = 0.0;

      g_object_get (config, double_args[i].name, &v, NULL);
      *(double *) ((guint8 *) &p + double_args[i].offset) = v / double_args[i].scale;
    }
  g_object_get (config,
                "sessions", &sessions,
                "seed", &seed,
                "shade", &shade,
                "session-split", &split,
                "preset", &preset,
                NULL);
  p.sessions = sessions;
  p.seed = (guint32) MAX (seed, 0);
  p.scalp_side = gimp_procedure_config_get_choice_id (config, "scalp-side");
  p.stage = gimp_procedure_config_get_choice_id (config, "stage");
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
        source = SMP_PLUGIN_SCALE_CALIBRATION;
      else
        {
          p.px_per_mm = SMP_PLUGIN_FALLBACK_PX_PER_MM;
          source = SMP_PLUGIN_SCALE_FALLBACK;
          smp_plugin_warn (run_mode,
                           "The image has no scale: using %g px/mm. Calibrate it "
                           "(Scalp Micropigmentation → Calibrate) or give px-per-mm, "
                           "or dot sizes and density will be wrong.",
                           SMP_PLUGIN_FALLBACK_PX_PER_MM);
        }
    }

  if (!smp_params_validate (&p, &local))
    {
      const char *message = local->message;

      /* Name the argument the caller knows rather than the engine's key. */
      for (gsize i = 0; i < G_N_ELEMENTS (double_args); i++)
        {
          gsize n = strlen (double_args[i].key);

          if (!strncmp (message, double_args[i].key, n) && message[n] == ' '
              && double_args[i].scale == 1.0)
            {
              g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                           "%s%s", double_args[i].name, message + n);
              return FALSE;
            }
        }
      g_propagate_error (error, g_steal_pointer (&local));
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
                                       SmpPluginScaleSource   scale_source)
{
  g_autoptr (GeglColor) shade = smp_plugin_shade_to_color (&target->format, params->shade);
  g_autoptr (GString) split = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (double_args); i++)
    {
      double v = *(const double *) ((const guint8 *) params + double_args[i].offset);

      g_object_set (config, double_args[i].name, v * double_args[i].scale, NULL);
    }
  if (scale_source == SMP_PLUGIN_SCALE_CALIBRATION)
    g_object_set (config, "px-per-mm", 0.0, NULL);

  for (int k = 0; k < params->sessions; k++)
    g_string_append_printf (split, "%s%g", k ? "/" : "",
                            round (smp_params_session_share (params, k) * 1000.0) / 10.0);
  g_object_set (config,
                "sessions", params->sessions,
                "seed", (int) MIN (params->seed, (guint32) G_MAXINT),
                "shade", shade,
                "scalp-side", smp_scalp_side_to_string (params->scalp_side),
                "stage", smp_stage_to_string (params->stage),
                "session-split", split->str,
                NULL);
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
      g_autoptr (GKeyFile) key_file =
        smp_plugin_item_get_key_file (GIMP_ITEM (target->proposal), SMP_PLUGIN_DESIGN_PARASITE);
      g_autofree char *stored_name =
        key_file ? g_key_file_get_string (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "path", NULL) : NULL;

      if (stored_name && *stored_name)
        stored = gimp_image_get_path_by_name (target->image, stored_name);
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

static void
attach_design (GimpGroupLayer        *group,
               const SmpPluginTarget *target,
               const SmpDesign       *design,
               const SmpHairline     *hairline,
               const SmpRect         *extent,
               const char            *path_name,
               const char            *preset,
               SmpPluginScaleSource   scale_source)
{
  const SmpParams *params = smp_design_get_params (design);
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  g_autofree char *design_text = smp_params_to_string (params);
  gsize  per_session[SMP_MAX_SESSIONS] = { 0 };
  gint   counts[SMP_MAX_SESSIONS];
  gsize  total;

  g_key_file_load_from_data (key_file, design_text, -1, G_KEY_FILE_NONE, NULL);
  total = smp_design_count (design, extent, per_session);
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    counts[k] = (gint) MIN (per_session[k], (gsize) G_MAXINT);

  g_key_file_set_integer (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "version", 1);
  g_key_file_set_string (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "path", path_name ? path_name : "");
  g_key_file_set_string (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "preset", preset ? preset : "");
  g_key_file_set_string (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "px_per_mm_source",
                         smp_plugin_scale_source_to_string (scale_source));
  g_key_file_set_double (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "treated_area_cm2",
                         round (treated_area_cm2 (target, hairline, params->px_per_mm) * 100.0) / 100.0);
  g_key_file_set_int64 (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "total_dots", (gint64) total);
  g_key_file_set_integer_list (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "dots_per_session",
                               counts, (gsize) params->sessions);
  /* The shade in the design group is in the layers' encoding; keep the colour
   * as people know it too, so a re-edit survives a change of precision. */
  {
    g_autoptr (GeglColor) color = smp_plugin_shade_to_color (&target->format, params->shade);
    guint8 rgb[3];
    char   hex[8];

    gegl_color_get_pixel (color, babl_format ("R'G'B' u8"), rgb);
    g_snprintf (hex, sizeof hex, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    g_key_file_set_string (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "shade_srgb", hex);
  }
  g_key_file_set_integer_list (key_file, SMP_PLUGIN_PROPOSAL_GROUP, "extent",
                               (gint[]) { extent->x + target->offset_x, extent->y + target->offset_y,
                                          extent->width, extent->height }, 4);
  smp_plugin_item_set_key_file (GIMP_ITEM (group), SMP_PLUGIN_DESIGN_PARASITE, key_file);
}

/* Writes the proposal; the caller holds the undo group. On failure what was
 * added is removed again. */
static gboolean
write_proposal (const SmpPluginTarget *target,
                const SmpDesign       *design,
                const SmpHairline     *hairline,
                const SmpRect         *extent,
                const char            *path_name,
                const char            *preset,
                SmpPluginScaleSource   scale_source,
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
      attach_design (group, target, design, hairline, extent, path_name, preset, scale_source);
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
  return ok;
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
  SmpPluginScaleSource scale_source;
  SmpParams params;
  SmpRect   extent;
  GError   *error = NULL;
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
          g_autoptr (GKeyFile) stored = NULL;
          SmpParams stored_params;

          /* Re-edit: start from the proposal's own values, not the last run's. */
          if (smp_plugin_proposal_get_params (target->proposal, &stored_params, &stored, NULL))
            {
              g_autofree char *source =
                g_key_file_get_string (stored, SMP_PLUGIN_PROPOSAL_GROUP, "px_per_mm_source", NULL);
              g_autofree char *stored_preset =
                g_key_file_get_string (stored, SMP_PLUGIN_PROPOSAL_GROUP, "preset", NULL);

              g_autofree char *srgb_hex =
                g_key_file_get_string (stored, SMP_PLUGIN_PROPOSAL_GROUP, "shade_srgb", NULL);
              unsigned r, g, b;

              smp_plugin_hairline_config_set_params (config, target, &stored_params,
                                                     scale_source_from_string (source));
              if (srgb_hex && sscanf (srgb_hex, "#%2x%2x%2x", &r, &g, &b) == 3)
                {
                  g_autoptr (GeglColor) color = gegl_color_new (NULL);
                  guint8 rgb[3] = { r, g, b };

                  gegl_color_set_pixel (color, babl_format ("R'G'B' u8"), rgb);
                  g_object_set (config, "shade", color, NULL);
                }
              g_object_set (config, "preset", stored_preset ? stored_preset : "", NULL);
            }
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
  ok = write_proposal (target, design, hairline, &extent, path_name, preset, scale_source, &error);
  if (ok) /* design checks ([SMP Checks]) and the optional guides layer */
    smp_plugin_design_aids_apply (config, run_mode, image, target->client, path_name, &params);
  gimp_image_undo_group_end (image);
  gimp_progress_update (1.0);

  if (!ok)
    return fail (procedure, GIMP_PDB_EXECUTION_ERROR, error);
  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_displays_flush ();
  report_peak_memory (&extent);
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
}
