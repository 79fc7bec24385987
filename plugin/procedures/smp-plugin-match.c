/* smp-plugin-match.c: plug-in-smp-match-look, "Match Look from Photo…": learn a look
 * from a photo of the artist's own healed work and save it in their looks folder. */
#include "smp-plugin-match.h"
#include "smp-plugin-inform.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>
#include <string.h>

#include "smp-plugin-common.h"
#include "smp-plugin-io.h"
#include "smp-plugin-looks.h"

#define MARGIN_MM    6.0          /* around the selection: the untreated ring (2-5 mm) and a margin */
#define MAX_PIXELS   (40u << 20)  /* bounded cost: the area read and measured, px */
#define DEFAULT_NAME "My healed work"

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* A channel's coverage (0..1) over `rect` (image px) as one dense raster: the
 * measuring works on the selection's box plus its ring, which the photo read
 * above bounds already; NULL when the memory is not there. */
static float *
channel_coverage (GimpChannel *channel, const SmpRect *rect)
{
  GeglBuffer *buffer;
  float      *coverage = g_try_new (float, (gsize) rect->width * rect->height);

  if (!coverage)
    return NULL;
  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (channel));
  gegl_buffer_get (buffer, GEGL_RECTANGLE (rect->x, rect->y, rect->width, rect->height), 1.0,
                   babl_format ("Y float"), coverage, (gint) (sizeof (float) * rect->width), GEGL_ABYSS_NONE);
  g_object_unref (buffer);
  return coverage;
}

/* Even-odd fill of every stroke of `path` (each taken as closed: an area) over
 * `rect` (image px), sampled at pixel centres. */
static float *
path_coverage (GimpPath *path, const SmpRect *rect)
{
  g_autofree gint *strokes = NULL;
  g_autoptr (GArray) edges = g_array_new (FALSE, FALSE, sizeof (double) * 4);
  g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  gsize n_strokes = 0;
  float *cov = g_try_new0 (float, (gsize) rect->width * rect->height);

  if (!cov)
    return NULL;

  strokes = gimp_path_get_strokes (path, &n_strokes);
  for (gsize s = 0; s < n_strokes; s++)
    {
      g_autofree double *xy = NULL;
      gsize n = 0;
      gboolean closed = FALSE;

      xy = gimp_path_stroke_interpolate (path, strokes[s], 0.5, &n, &closed);
      if (!xy || n < 6)
        continue;
      for (gsize k = 0; k < n / 2; k++)
        {
          gsize j = (k + 1) % (n / 2);
          double e[4] = { xy[2 * k], xy[2 * k + 1], xy[2 * j], xy[2 * j + 1] };
          g_array_append_vals (edges, e, 1);
        }
    }
  for (int y = 0; y < rect->height; y++)
    {
      double cy = rect->y + y + 0.5;
      g_array_set_size (xs, 0);
      for (guint i = 0; i < edges->len; i++)
        {
          const double *e = (const double *) edges->data + 4 * i;
          if ((e[1] <= cy) != (e[3] <= cy))
            {
              double x = e[0] + (cy - e[1]) * (e[2] - e[0]) / (e[3] - e[1]);
              g_array_append_val (xs, x);
            }
        }
      g_array_sort (xs, compare_doubles);
      for (guint i = 0; i + 1 < xs->len; i += 2)
        {
          int x0 = (int) ceil (g_array_index (xs, double, i) - 0.5 - rect->x);
          int x1 = (int) floor (g_array_index (xs, double, i + 1) - 0.5 - rect->x);
          for (int x = MAX (x0, 0); x <= MIN (x1, rect->width - 1); x++)
            cov[(gsize) y * rect->width + x] = 1.0f;
        }
    }
  return cov;
}

static gboolean
match_dialog (GimpProcedure *procedure, GimpProcedureConfig *config)
{
  GtkWidget *dialog;
  gboolean   ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, _("Match Look from Photo"));
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "look-name", "px-per-mm", "untreated-path",
                              "untreated-channel", NULL);
  ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);
  return ok;
}

static GimpValueArray *
fail (GimpProcedure *procedure, GError *error)
{
  return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
}

static GimpValueArray *
match_run (GimpProcedure        *procedure,
           GimpRunMode           run_mode,
           GimpImage            *image,
           GimpDrawable        **drawables,
           GimpProcedureConfig  *config,
           gpointer              run_data)
{
  g_autoptr (GimpPath) untreated_path = NULL;
  g_autoptr (GimpChannel) untreated_channel = NULL;
  g_autofree char *name = NULL, *user_dir = NULL, *id = NULL, *file = NULL, *path = NULL;
  g_autofree char *image_name = NULL, *description = NULL, *report = NULL, *depth_how = NULL;
  g_autofree float *rgb = NULL, *treated = NULL, *untreated = NULL;
  GimpDrawable *photo;
  GError *error = NULL;
  SmpMatchInput in = { 0 };
  SmpMatchMeasure m;
  SmpMatchFit fit;
  SmpParams look;
  SmpRect roi;
  GimpValueArray *result;
  double ppm = 0;
  gboolean non_empty = FALSE;
  int x1, y1, x2, y2, ox = 0, oy = 0, margin;

  (void) run_data;
  if (run_mode == GIMP_RUN_INTERACTIVE && !match_dialog (procedure, config))
    return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
  g_object_get (config, "px-per-mm", &ppm, "untreated-path", &untreated_path, "untreated-channel",
                &untreated_channel, "look-name", &name, NULL);

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1 || !GIMP_IS_LAYER (drawables[0]))
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, _("Choose the photo's layer (one layer) to measure"));
      return fail (procedure, error);
    }
  photo = drawables[0];
  if (!gimp_drawable_is_rgb (photo))
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0,
                           _("The photo must be RGB: the colour of the work is part of the look"));
      return fail (procedure, error);
    }
  if (!name || !*g_strstrip (name))
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, _("Give the look a name"));
      return fail (procedure, error);
    }
  if (!(ppm > 0) && !smp_plugin_calibration_get (image, &ppm, NULL, NULL))
    {
      g_set_error_literal (&error, SMP_ERROR, SMP_ERROR_MEASURE,
                           _("The photo's scale is unknown: calibrate it first (Calibrate Scale… on a ruler in "
                           "the photo) or give px-per-mm"));
      return fail (procedure, error);
    }
  if (!gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) || !non_empty)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0,
                           _("Select the treated scalp to measure (a selection inside the healed work)"));
      return fail (procedure, error);
    }

  /* The selection plus the ring of untreated skin around it, within the layer. */
  gimp_drawable_get_offsets (photo, &ox, &oy);
  margin = (int) ceil (MARGIN_MM * ppm);
  roi.x = MAX (x1 - margin, ox);
  roi.y = MAX (y1 - margin, oy);
  roi.width = MIN (x2 + margin, ox + gimp_drawable_get_width (photo)) - roi.x;
  roi.height = MIN (y2 + margin, oy + gimp_drawable_get_height (photo)) - roi.y;
  if (roi.width <= 0 || roi.height <= 0)
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, _("The selection does not lie on the chosen layer"));
      return fail (procedure, error);
    }
  if ((guint64) roi.width * roi.height > MAX_PIXELS)
    {
      g_set_error (&error, GIMP_PLUG_IN_ERROR, 0,
                   _("The selection is too large to measure (%d × %d px with its surroundings): select an area of "
                   "at most about %.0f × %.0f mm; a few cm² of work are plenty"),
                   roi.width, roi.height, sqrt (MAX_PIXELS) / ppm, sqrt (MAX_PIXELS) / ppm);
      return fail (procedure, error);
    }

  gimp_progress_init (_("Measuring the impressions"));
  {
    GeglBuffer *buffer = gimp_drawable_get_buffer (photo);
    const Babl *linear = babl_format_with_space ("RGB float", babl_format_get_space (gimp_drawable_get_format (photo)));

    rgb = g_try_new (float, (gsize) roi.width * roi.height * 3);
    if (!rgb)
      {
        g_object_unref (buffer);
        g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, _("Not enough memory to read the photo"));
        return fail (procedure, error);
      }
    gegl_buffer_get (buffer, GEGL_RECTANGLE (roi.x - ox, roi.y - oy, roi.width, roi.height), 1.0, linear, rgb,
                     GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_CLAMP);
    g_object_unref (buffer);
  }
  treated = channel_coverage (GIMP_CHANNEL (gimp_image_get_selection (image)), &roi);
  if (untreated_channel)
    untreated = channel_coverage (untreated_channel, &roi);
  else if (untreated_path)
    untreated = path_coverage (untreated_path, &roi);

  if (!treated || ((untreated_channel || untreated_path) && !untreated))
    {
      g_set_error_literal (&error, GIMP_PLUG_IN_ERROR, 0, _("Not enough memory to read the selection"));
      return fail (procedure, error);
    }
  in.rgb = rgb, in.width = roi.width, in.height = roi.height, in.stride = (gsize) roi.width * 3;
  in.treated = treated, in.untreated = untreated, in.px_per_mm = ppm;
  if (!smp_match_measure (&in, &m, &error))
    return fail (procedure, error);
  gimp_progress_update (0.5);
  gimp_progress_set_text (_("Fitting the look"));
  smp_params_init_defaults (&look);
  if (!smp_match_fit (&in, &m, &look, &fit, &error))
    return fail (procedure, error);
  gimp_progress_update (0.95);

  image_name = gimp_image_get_name (image);
  description = g_strdup_printf (
    "Matched from %s (%.1f px/mm): %u impressions, %.0f ± %.0f per cm², healed cores %.2f mm (± %.0f%%), "
    "transmittance R %.2f G %.2f B %.2f, residual %.2f.",
    image_name, ppm, m.impressions, fit.density_per_cm2, m.density_err, fit.core_diameter_mm,
    100 * m.core_spread, m.transmittance[0], m.transmittance[1], m.transmittance[2], fit.residual);
  user_dir = smp_plugin_looks_user_dir ();
  id = smp_plugin_looks_save (&look, TRUE, name, description, &error);
  if (!id)
    return fail (procedure, error);
  file = g_strconcat (id, ".smp-preset", NULL);
  path = g_build_filename (user_dir, file, NULL);
  gimp_progress_end ();

  depth_how = fit.depth_measured
                ? g_strdup (_("fitted to the cores' edges"))
                : g_strdup_printf (_("kept: the cores are under %.1f px across here, too small to tell depth; "
                                     "a closer photo lets it be measured"),
                                   SMP_MATCH_DEPTH_MIN_CORE_PX);
  report = g_strdup_printf (
    _("Look “%s” saved (%s).\n"
    "Measured on %.2f cm² of skin (%.0f%% of the selection left out: bare skin, highlights):\n"
    "  %u impressions: %.1f ± %.1f per cm² (look: %.1f)\n"
    "  healed cores %.3f ± %.3f mm across as seen (look: %.3f mm, fresh dot %.2f mm), spread %.0f%%\n"
    "  transmittance against untreated skin R %.3f ± %.3f, G %.3f ± %.3f, B %.3f ± %.3f (mean drop %.1f%%)\n"
    "  shadow share %.0f%%, spacing %.2f mm (CV %.2f, Clark–Evans %.2f), impressions %.1f× above the skin's "
    "texture (below 1.5: check the untreated skin is bare)\n"
    "  fitted ink: opacity %.0f%%, depth %.2f mm (%s)\n"
    "  residual %.3f (RMS relative difference of the statistics, photo vs the look rendered)"),
    name, path, m.area_cm2, 100 * m.excluded_share, m.impressions, m.density_per_cm2, m.density_err,
    fit.density_per_cm2, m.core_diameter_mm, m.core_diameter_err, fit.core_diameter_mm, look.dot_diameter_mm,
    100 * m.core_spread, m.transmittance[0], m.transmittance_err[0], m.transmittance[1], m.transmittance_err[1],
    m.transmittance[2], m.transmittance_err[2], 100 * m.mean_drop, 100 * m.shadow_share, m.spacing_mm,
    m.spacing_cv, m.clark_evans, m.skin_contrast, 100 * look.opacity, look.pigment_depth_mm,
    depth_how, fit.residual);
  if (run_mode == GIMP_RUN_INTERACTIVE)
    smp_plugin_inform (FALSE, _("Look matched"), name, report);
  else
    smp_plugin_warn (run_mode, "%s", report);

  result = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_DOUBLE (result, 1, fit.density_per_cm2);
  GIMP_VALUES_SET_DOUBLE (result, 2, fit.core_diameter_mm);
  GIMP_VALUES_SET_STRING (result, 3, id);
  GIMP_VALUES_SET_INT (result, 4, (int) m.impressions);
  GIMP_VALUES_SET_DOUBLE (result, 5, isfinite (fit.residual) ? fit.residual : -1.0);
  GIMP_VALUES_SET_STRING (result, 6, path);
  return result;
}

GimpProcedure *
smp_plugin_match_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;

  procedure = smp_plugin_procedure_new (
    plug_in, name, match_run, "RGB*", _("_Match Look from Photo…"),
    _("Learn a look from a close-up photo of your own healed work and save it in your looks folder"),
    _("Select treated scalp on a close-up photo of healed SMP whose scale is known (calibrate it on a ruler "
    "in the photo, or give px-per-mm). The impressions are found and measured (density per cm² of skin, "
    "healed core size and its spread, the shadow, colour against untreated skin: a second selection saved as "
    "a channel, a path around bare skin, or else a ring 2-5 mm outside the selection), a look is fitted to "
    "them through the plug-in's own rendering, and saved under your name in your looks folder, where the "
    "hairline dialog lists it beside the shipped looks. Nothing is written to the image."));

  gimp_procedure_add_double_argument (procedure, "px-per-mm", _("Scale (px/mm)"),
                                      _("Photo scale in pixels per mm; 0 uses the image's calibration "
                                      "(plug-in-smp-calibrate)"),
                                      0.0, 200.0, 0.0, G_PARAM_READWRITE);
  gimp_procedure_add_path_argument (procedure, "untreated-path", _("Untreated skin (_path)"),
                                    _("A closed path around untreated skin near the work (optional)"), TRUE,
                                    G_PARAM_READWRITE);
  gimp_procedure_add_channel_argument (procedure, "untreated-channel", _("Untreated skin (ch_annel)"),
                                       _("A saved selection of untreated skin near the work (optional; wins over "
                                       "the path)"), TRUE, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "look-name", _("Look _name"), _("The name of the new look"),
                                      DEFAULT_NAME, G_PARAM_READWRITE);

  gimp_procedure_add_double_return_value (procedure, "density", _("Density"),
                                          _("Impressions per cm² of skin (the fitted look's)"), 0, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "dot-diameter", _("Dot diameter"),
                                          _("The healed core's diameter, mm (as the photo shows it)"), 0, G_MAXDOUBLE,
                                          0, G_PARAM_READWRITE);
  gimp_procedure_add_string_return_value (procedure, "look-id", _("Look id"),
                                          _("The saved look's id (its file name without .smp-preset)"), NULL,
                                          G_PARAM_READWRITE);
  gimp_procedure_add_int_return_value (procedure, "impressions", _("Impressions"), _("How many were measured"), 0,
                                       G_MAXINT, 0, G_PARAM_READWRITE);
  gimp_procedure_add_double_return_value (procedure, "residual", _("Residual"),
                                          _("RMS relative difference of the local statistics, photo vs the fitted "
                                          "look rendered (-1: not computed)"), -1, G_MAXDOUBLE, 0,
                                          G_PARAM_READWRITE);
  gimp_procedure_add_string_return_value (procedure, "look-file", _("Look file"), _("Where the look was saved"), NULL,
                                          G_PARAM_READWRITE);
  return procedure;
}
