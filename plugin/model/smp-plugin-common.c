/* smp-plugin-common.c: what every SMP procedure shares: names, parasites,
 * calibration, output format choice, shade conversion and hairline path reading. */
#include "smp-plugin-common.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

char *
smp_plugin_get_patterns_dir (void)
{
  /* GIMP starts plug-ins by absolute path: the data sits beside the binary. */
  g_autofree char *dir = g_path_get_dirname (gimp_get_progname ());

  return g_build_filename (dir, "patterns", NULL);
}

void
smp_plugin_warn (GimpRunMode run_mode, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    gimp_message (text);
  else
    g_printerr ("%s: warning: %s\n", SMP_PLUGIN_BINARY, text);
}

void
smp_plugin_test_log (const char *format, ...)
{
  const char *path = g_getenv ("SMP_PREVIEW_LOG");
  FILE       *log;
  va_list     args;

  if (path == NULL || *path == '\0' || (log = fopen (path, "a")) == NULL)
    return;
  va_start (args, format);
  vfprintf (log, format, args);
  va_end (args);
  fputc ('\n', log);
  fclose (log);
}

/* GIMP sorts a menu's plug-in entries by their menu path and label, so each
 * procedure gets a section ("[1-calibrate]"…) named in the workflow's order: the
 * menu reads Calibrate, Fit Head, Template, Mirror, Hairline, Export, then Match
 * Look (a setup step, not a consultation's) whatever the labels
 * (and their translations) say. Procedures not listed come last. The names are
 * the procedures' (their headers in procedures/: model/ cannot include them). */
static const char *
menu_section (const char *name)
{
  static const struct { const char *name, *section; } order[] = {
    { "plug-in-smp-calibrate", "[1-calibrate]" },
    { "plug-in-smp-fit-head", "[2-fit-head]" },           /* optional: the head's curve */
    { "plug-in-smp-hairline-template", "[3-template]" },  /* optional: a line to start from */
    { "plug-in-smp-mirror-hairline", "[4-mirror]" },      /* optional: one half drawn */
    { "plug-in-smp-hairline", "[5-hairline]" },           /* the proposal */
    { "plug-in-smp-design-sheet", "[6-sheet]" },          /* the hand-over */
    { "plug-in-smp-match-look", "[7-match-look]" },       /* once, from the artist's own work */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (name, order[i].name) == 0)
      return order[i].section;
  return "[9-more]";
}

GimpProcedure *
smp_plugin_procedure_new (GimpPlugIn      *plug_in,
                          const char      *name,
                          GimpRunImageFunc run,
                          const char      *image_types,
                          const char      *menu_label,
                          const char      *blurb,
                          const char      *help)
{
  GimpProcedure *procedure = gimp_image_procedure_new (plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run, NULL, NULL);

  gimp_procedure_set_image_types (procedure, image_types ? image_types : "*");
  gimp_procedure_set_sensitivity_mask (procedure,
                                       image_types ? GIMP_PROCEDURE_SENSITIVE_DRAWABLE
                                                   : GIMP_PROCEDURE_SENSITIVE_DRAWABLE |
                                                     GIMP_PROCEDURE_SENSITIVE_DRAWABLES |
                                                     GIMP_PROCEDURE_SENSITIVE_NO_DRAWABLES);
  gimp_procedure_set_menu_label (procedure, menu_label);
  {
    g_autofree char *path = g_strconcat (SMP_PLUGIN_MENU_PATH, menu_section (name), NULL);

    gimp_procedure_add_menu_path (procedure, path);
  }
  gimp_procedure_set_documentation (procedure, blurb, help, name);
  gimp_procedure_set_attribution (procedure, SMP_PLUGIN_AUTHOR, SMP_PLUGIN_COPYRIGHT, SMP_PLUGIN_DATE);
  return procedure;
}

/* ---- Parasites ------------------------------------------------------------ */

/* Reads and frees `parasite` (nullable): its text as a key file, or NULL. */
static GKeyFile *
take_key_file (GimpParasite *parasite)
{
  g_autoptr (GKeyFile) key_file = NULL;
  g_autofree char *text = NULL;
  gconstpointer    data;
  guint32          size = 0;

  if (!parasite)
    return NULL;
  data = gimp_parasite_get_data (parasite, &size);
  /* Not NUL-terminated on the wire. */
  text = data && size > 0 ? g_strndup (data, size) : NULL;
  gimp_parasite_free (parasite);
  if (!text)
    return NULL;
  key_file = g_key_file_new ();
  if (!g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_steal_pointer (&key_file);
}

static GimpParasite *
parasite_from_key_file (const char *parasite_name, GKeyFile *key_file)
{
  gsize            length = 0;
  g_autofree char *text = g_key_file_to_data (key_file, &length, NULL);

  return gimp_parasite_new (parasite_name,
                            GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                            (guint32) length, text);
}

GKeyFile *
smp_plugin_item_get_key_file (GimpItem *item, const char *parasite_name)
{
  g_return_val_if_fail (GIMP_IS_ITEM (item), NULL);
  return take_key_file (gimp_item_get_parasite (item, parasite_name));
}

GKeyFile *
smp_plugin_image_get_key_file (GimpImage *image, const char *parasite_name)
{
  g_return_val_if_fail (GIMP_IS_IMAGE (image), NULL);
  return take_key_file (gimp_image_get_parasite (image, parasite_name));
}

/* Attaches to an item (item != NULL) or the image, then frees the parasite. */
static gboolean
attach (GimpItem *item, GimpImage *image, GimpParasite *parasite)
{
  gboolean ok = item ? gimp_item_attach_parasite (item, parasite) : gimp_image_attach_parasite (image, parasite);

  gimp_parasite_free (parasite);
  return ok;
}

gboolean
smp_plugin_item_set_key_file (GimpItem *item, const char *parasite_name, GKeyFile *key_file)
{
  g_return_val_if_fail (GIMP_IS_ITEM (item) && key_file != NULL, FALSE);
  return attach (item, NULL, parasite_from_key_file (parasite_name, key_file));
}

gboolean
smp_plugin_image_set_key_file (GimpImage *image, const char *parasite_name, GKeyFile *key_file)
{
  g_return_val_if_fail (GIMP_IS_IMAGE (image) && key_file != NULL, FALSE);
  return attach (NULL, image, parasite_from_key_file (parasite_name, key_file));
}

/* ---- Calibration ------------------------------------------------------------ */

gboolean
smp_plugin_calibration_get (GimpImage *image,
                            double    *px_per_mm,
                            double    *distance_mm,
                            char     **method)
{
  g_autoptr (GKeyFile) key_file = NULL;
  const SmpParamSpec *range = smp_params_find_range ("px_per_mm");
  GError *local = NULL;
  double  scale;

  g_return_val_if_fail (GIMP_IS_IMAGE (image), FALSE);
  if (method)
    *method = NULL;

  key_file = smp_plugin_image_get_key_file (image, SMP_PLUGIN_CALIBRATION_PARASITE);
  if (!key_file)
    return FALSE;
  scale = g_key_file_get_double (key_file, SMP_PLUGIN_CALIBRATION_GROUP, "px_per_mm", &local);
  if (local)
    {
      g_error_free (local);
      return FALSE;
    }
  /* A stored scale outside the engine's range is as good as none. */
  if (!isfinite (scale) || scale < range->min || scale > range->max)
    return FALSE;

  if (px_per_mm)
    *px_per_mm = scale;
  if (distance_mm)
    {
      *distance_mm = g_key_file_get_double (key_file, SMP_PLUGIN_CALIBRATION_GROUP,
                                            "distance_mm", &local);
      if (local)
        {
          g_clear_error (&local);
          *distance_mm = 0.0;
        }
    }
  if (method)
    *method = g_key_file_get_string (key_file, SMP_PLUGIN_CALIBRATION_GROUP, "method", NULL);
  return TRUE;
}

gboolean
smp_plugin_calibration_set (GimpImage  *image,
                            double      px_per_mm,
                            double      distance_mm,
                            const char *method,
                            GError    **error)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  const SmpParamSpec *range = smp_params_find_range ("px_per_mm");

  g_return_val_if_fail (GIMP_IS_IMAGE (image), FALSE);

  if (!isfinite (px_per_mm) || px_per_mm < range->min || px_per_mm > range->max)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("The measured scale is %g px/mm, but must lie between %g and %g px/mm"),
                   px_per_mm, range->min, range->max);
      return FALSE;
    }
  g_key_file_set_double (key_file, SMP_PLUGIN_CALIBRATION_GROUP, "px_per_mm", px_per_mm);
  g_key_file_set_double (key_file, SMP_PLUGIN_CALIBRATION_GROUP, "distance_mm",
                         isfinite (distance_mm) ? distance_mm : 0.0);
  g_key_file_set_string (key_file, SMP_PLUGIN_CALIBRATION_GROUP, "method",
                         method ? method : "");
  if (!smp_plugin_image_set_key_file (image, SMP_PLUGIN_CALIBRATION_PARASITE, key_file))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("The calibration could not be stored on the image"));
      return FALSE;
    }
  /* The same scale as GIMP's own resolution, so the calibration shows outside the
   * plug-in: rulers, pointer position and the Measure tool read real millimetres
   * with the unit set to mm, and Image > Print Size prints the photo life size. */
  gimp_image_set_resolution (image, px_per_mm * 25.4, px_per_mm * 25.4);
  return TRUE;
}

/* ---- Proposal groups ------------------------------------------------------- */

/* Where a group's record lives: an image parasite named after the group's
 * tattoo ("smp-design-<tattoo>"). GIMP 3.0 cannot undo an undoable ITEM parasite
 * cleanly: undo and redo re-attach it through gimp_item_parasite_attach
 * (push_undo FALSE), which still ends the undo group it only starts when pushing
 * undo ("gimp_image_undo_group_end: assertion 'private->group_count > 0' failed",
 * once per re-attached record). Image parasites are undone without a group.
 * Tattoos are kept in the XCF and by undo, and never reused in an image. */
static char *
record_parasite_name (GimpGroupLayer *group)
{
  return g_strdup_printf (SMP_PLUGIN_DESIGN_PARASITE "-%u", gimp_item_get_tattoo (GIMP_ITEM (group)));
}

/* The record's parasite: on the image, else on the group (files written before
 * the record moved to the image). NULL when there is none. */
static GimpParasite *
record_parasite (GimpGroupLayer *group)
{
  g_autofree char *name = record_parasite_name (group);
  GimpImage    *image = gimp_item_get_image (GIMP_ITEM (group));
  GimpParasite *parasite = image ? gimp_image_get_parasite (image, name) : NULL;

  return parasite ? parasite : gimp_item_get_parasite (GIMP_ITEM (group), SMP_PLUGIN_DESIGN_PARASITE);
}

GimpGroupLayer *
smp_plugin_find_proposal_group (GimpItem *item)
{
  for (GimpItem *it = item; it; it = gimp_item_get_parent (it))
    {
      GimpParasite *parasite;

      if (!gimp_item_is_group (it) || !GIMP_IS_GROUP_LAYER (it))
        continue;
      parasite = record_parasite (GIMP_GROUP_LAYER (it));
      if (parasite)
        {
          gimp_parasite_free (parasite);
          return GIMP_GROUP_LAYER (it);
        }
    }
  return NULL;
}

SmpProposal *
smp_plugin_proposal_read (GimpGroupLayer *group, GError **error)
{
  GimpParasite *parasite;
  SmpProposal  *proposal = NULL;
  const char   *data;
  guint32       size = 0;

  g_return_val_if_fail (GIMP_IS_GROUP_LAYER (group), NULL);
  parasite = record_parasite (group);
  data = parasite ? gimp_parasite_get_data (parasite, &size) : NULL;
  if (!data || size == 0)
    g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                 _("The layer group has no readable SMP design attached"));
  else
    proposal = smp_proposal_from_string (data, size, error); /* not NUL-terminated */
  if (parasite)
    gimp_parasite_free (parasite);
  return proposal;
}

gboolean
smp_plugin_proposal_attach (GimpGroupLayer *group, const SmpProposal *proposal)
{
  g_autofree char *text = smp_proposal_to_string (proposal);
  g_autofree char *name = record_parasite_name (group);

  return attach (NULL, gimp_item_get_image (GIMP_ITEM (group)),
                 gimp_parasite_new (name, GIMP_PARASITE_PERSISTENT | GIMP_PARASITE_UNDOABLE,
                                    (guint32) strlen (text), text));
}

/* ---- Output format ------------------------------------------------------- */

gboolean
smp_plugin_format_for_image (GimpImage       *image,
                             GimpDrawable    *drawable,
                             SmpPluginFormat *format,
                             GError         **error)
{
  GimpImageBaseType base = gimp_image_get_base_type (image);
  GimpPrecision     precision = gimp_image_get_precision (image);
  const Babl       *space = babl_format_get_space (gimp_drawable_get_format (drawable));
  const char       *trc;   /* "" linear, "'" non-linear, "~" perceptual */
  const char       *type;
  char              name[64];
  gboolean          grey;

  if (base == GIMP_INDEXED)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The image is indexed (a limited palette cannot hold soft pigment "
                   "dots); convert it with Image → Mode → RGB first"));
      return FALSE;
    }
  grey = base == GIMP_GRAY;

  /* The engine writes straight colour + alpha in the layer's own encoding, so
   * GEGL copies bytes instead of converting: 8 and 16 bit integers natively,
   * every other precision through float (GEGL converts float to half, u32 or
   * double cheaply, and those are rare for photos). */
  switch (precision)
    {
    case GIMP_PRECISION_U8_LINEAR:
    case GIMP_PRECISION_U16_LINEAR:
    case GIMP_PRECISION_U32_LINEAR:
    case GIMP_PRECISION_HALF_LINEAR:
    case GIMP_PRECISION_FLOAT_LINEAR:
    case GIMP_PRECISION_DOUBLE_LINEAR:
      trc = "";
      break;
    case GIMP_PRECISION_U8_PERCEPTUAL:
    case GIMP_PRECISION_U16_PERCEPTUAL:
    case GIMP_PRECISION_U32_PERCEPTUAL:
    case GIMP_PRECISION_HALF_PERCEPTUAL:
    case GIMP_PRECISION_FLOAT_PERCEPTUAL:
    case GIMP_PRECISION_DOUBLE_PERCEPTUAL:
      trc = "~";
      break;
    default:
      trc = "'";
      break;
    }

  switch (precision)
    {
    case GIMP_PRECISION_U8_LINEAR:
    case GIMP_PRECISION_U8_NON_LINEAR:
    case GIMP_PRECISION_U8_PERCEPTUAL:
      type = "u8";
      format->engine_format = grey ? SMP_PIXEL_YA_U8 : SMP_PIXEL_RGBA_U8;
      break;
    case GIMP_PRECISION_U16_LINEAR:
    case GIMP_PRECISION_U16_NON_LINEAR:
    case GIMP_PRECISION_U16_PERCEPTUAL:
      type = "u16";
      format->engine_format = grey ? SMP_PIXEL_YA_U16 : SMP_PIXEL_RGBA_U16;
      break;
    default:
      type = "float";
      format->engine_format = grey ? SMP_PIXEL_YA_FLOAT : SMP_PIXEL_RGBA_FLOAT;
      break;
    }

  if (grey)
    g_snprintf (name, sizeof name, "Y%sA %s", trc, type);
  else
    g_snprintf (name, sizeof name, "R%sG%sB%sA %s", trc, trc, trc, type);
  format->pixel_format = babl_format_with_space (name, space);

  if (grey)
    g_snprintf (name, sizeof name, "Y%s double", trc);
  else
    g_snprintf (name, sizeof name, "R%sG%sB%s double", trc, trc, trc);
  format->shade_format = babl_format_with_space (name, space);

  format->grey = grey;
  format->linear = trc[0] == '\0';
  format->layer_type = grey ? GIMP_GRAYA_IMAGE : GIMP_RGBA_IMAGE;
  format->bpp = smp_pixel_format_get_bpp (format->engine_format);
  g_warn_if_fail (format->bpp == (gsize) babl_format_get_bytes_per_pixel (format->pixel_format));
  return TRUE;
}

void
smp_plugin_shade_from_color (const SmpPluginFormat *format,
                             GeglColor             *color,
                             double                 shade[3])
{
  double pixel[3] = { 0.0, 0.0, 0.0 };

  gegl_color_get_pixel (color, format->shade_format, pixel);
  if (format->grey)
    pixel[1] = pixel[2] = pixel[0];
  for (int k = 0; k < 3; k++)
    shade[k] = CLAMP (pixel[k], 0.0, 1.0);
}

GeglColor *
smp_plugin_shade_to_color (const SmpPluginFormat *format,
                           const double           shade[3])
{
  GeglColor *color = gegl_color_new (NULL);

  gegl_color_set_pixel (color, format->shade_format, shade);
  return color;
}

/* ---- The hairline path ------------------------------------------------------- */

GimpPath *
smp_plugin_pick_path (GimpImage *image, GimpPath *path, GError **error)
{
  g_autofree GimpPath **selected = NULL;
  g_autofree GimpPath **all = NULL;
  gsize n_selected, n_all;

  if (path)
    {
      if (gimp_item_get_image (GIMP_ITEM (path)) != image)
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                       _("The path given belongs to another image"));
          return NULL;
        }
      return path;
    }

  selected = gimp_image_get_selected_paths (image);
  n_selected = gimp_core_object_array_get_length ((GObject **) selected);
  if (n_selected == 1)
    return selected[0];

  all = gimp_image_get_paths (image);
  n_all = gimp_core_object_array_get_length ((GObject **) all);
  if (n_all == 1)
    return all[0];

  if (n_all == 0)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The image has no path: draw the hairline with the Paths tool first"));
  else if (n_selected == 0)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The image has %lu paths and none is selected: "
                 "select the hairline path in the Paths dialog"), (gulong) n_all);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("%lu paths are selected: select only the hairline path"),
                 (gulong) n_selected);
  return NULL;
}

SmpHairline *
smp_plugin_hairline_from_path (GimpPath *path,
                               int       offset_x,
                               int       offset_y,
                               GError  **error)
{
  g_autoptr (SmpHairline) hairline = smp_hairline_new ();
  g_autoptr (GError) first_error = NULL;
  g_autofree gint *strokes = NULL;
  g_autofree char *name = gimp_item_get_name (GIMP_ITEM (path));
  gsize n_strokes = 0;

  strokes = gimp_path_get_strokes (path, &n_strokes);
  for (gsize i = 0; i < n_strokes; i++)
    {
      g_autofree double *xy = NULL;
      g_autoptr (GError) local = NULL;
      gsize    n_coords = 0;
      gboolean closed = FALSE;

      /* A quarter pixel keeps the polyline within sub-pixel dots' reach of the curve. */
      xy = gimp_path_stroke_interpolate (path, strokes[i], 0.25, &n_coords, &closed);
      if (!xy || n_coords < 4)
        continue;
      for (gsize k = 0; k + 1 < n_coords; k += 2)
        {
          xy[k] -= offset_x;
          xy[k + 1] -= offset_y;
        }
      if (!smp_hairline_add_stroke (hairline, xy, n_coords / 2, closed, &local) && !first_error)
        first_error = g_steal_pointer (&local);
    }

  if (smp_hairline_get_n_strokes (hairline) == 0 || !(smp_hairline_get_length_px (hairline) > 0.0))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The path “%s” has no length: draw the hairline with at least two "
                   "separate points%s%s%s"), name,
                   first_error ? " (" : "", first_error ? first_error->message : "",
                   first_error ? ")" : "");
      return NULL;
    }
  return g_steal_pointer (&hairline);
}
