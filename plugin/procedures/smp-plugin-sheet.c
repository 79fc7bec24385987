/* smp-plugin-sheet.c: plug-in-smp-design-sheet: gathers a stored proposal (design,
 * plan, checks, before/after views, hairline) and hands it to the engine's sheet. */
#include "smp-plugin-sheet.h"
#include "smp-plugin-inform.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>
#include <smp/smp-sheet.h>
#include <string.h>

#include "smp-plugin-common.h"
#include "smp-plugin-io.h"

#define DEFAULT_MARGIN_MM 20.0

/* ---- the proposal ------------------------------------------------------------- */

static void
collect_proposals (GimpItem **items, GPtrArray *out)
{
  for (gsize i = 0; items && items[i]; i++)
    {
      GimpGroupLayer *group;

      if (!gimp_item_is_group (items[i]))
        continue;
      group = smp_plugin_find_proposal_group (items[i]);
      if (group && (GimpItem *) group == items[i])
        g_ptr_array_add (out, group);
      else
        {
          g_autofree GimpItem **children = gimp_item_get_children (items[i]);
          collect_proposals (children, out);
        }
    }
}

/* The selected proposal (or the one holding a selected layer), else the only one. */
static GimpGroupLayer *
pick_proposal (GimpImage *image, GimpDrawable **drawables, GError **error)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();
  g_autofree GimpLayer **layers = NULL;

  for (gsize i = 0; drawables && drawables[i]; i++)
    {
      GimpGroupLayer *group = smp_plugin_find_proposal_group (GIMP_ITEM (drawables[i]));
      if (group)
        return group;
    }
  layers = gimp_image_get_layers (image);
  collect_proposals ((GimpItem **) layers, found);
  if (found->len == 1)
    return g_ptr_array_index (found, 0);
  if (found->len == 0)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("This image has no “%s” group: design the hairline first "
                 "(Filters ▸ Render ▸ Scalp Micropigmentation ▸ Hairline…)"), SMP_PLUGIN_GROUP_NAME);
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("This image holds %u proposals: select the “%s” group to export"),
                 found->len, SMP_PLUGIN_GROUP_NAME);
  return NULL;
}

/* The layer of `copy` (a duplicate of `image`) at the place `item` has in `image`:
 * the same positions from the top of the layer tree down. */
static GimpLayer *
find_in_copy (GimpImage *image, GimpImage *copy, GimpItem *item)
{
  g_autoptr (GArray) positions = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree GimpLayer **top = NULL;
  GimpItem *found = NULL;

  for (GimpItem *it = item; it; it = gimp_item_get_parent (it))
    {
      int pos = gimp_image_get_item_position (image, it);
      g_array_prepend_val (positions, pos);
    }
  top = gimp_image_get_layers (copy);
  for (guint i = 0; i < positions->len; i++)
    {
      int pos = g_array_index (positions, int, i);
      g_autofree GimpItem **children = found ? gimp_item_get_children (found) : NULL;
      GimpItem **level = found ? children : (GimpItem **) top;
      int n = 0;

      while (level && level[n])
        n++;
      if (pos < 0 || pos >= n)
        return NULL;
      found = level[pos];
    }
  return found && GIMP_IS_LAYER (found) ? GIMP_LAYER (found) : NULL;
}

/* A duplicate of the image flattened with the proposal (all its sessions
 * showing) or without it: its one layer, the duplicate in `dup` (the caller
 * deletes it). The user's image is untouched. */
static GimpLayer *
flatten_copy (GimpImage *image, GimpGroupLayer *group, gboolean with_proposal, GimpImage **dup_out,
              GError **error)
{
  GimpImage *dup = gimp_image_duplicate (image);
  GimpLayer *copy, *flat;

  *dup_out = NULL;
  if (!dup)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Could not copy the image for the sheet"));
      return NULL;
    }
  gimp_image_undo_disable (dup);
  copy = find_in_copy (image, dup, GIMP_ITEM (group));
  if (!copy)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Could not find the proposal in the copy of the image"));
      gimp_image_delete (dup);
      return NULL;
    }
  if (with_proposal)
    {
      g_autofree GimpItem **children = gimp_item_get_children (GIMP_ITEM (copy));

      for (GimpItem *it = GIMP_ITEM (copy); it; it = gimp_item_get_parent (it))
        gimp_item_set_visible (it, TRUE);
      for (gsize i = 0; children && children[i]; i++)
        {
          g_autofree char *name = gimp_item_get_name (children[i]);
          int k;
          if (sscanf (name, SMP_PLUGIN_SESSION_NAME_FMT, &k) == 1)
            gimp_item_set_visible (children[i], TRUE);
        }
    }
  else
    gimp_image_remove_layer (dup, copy);

  flat = gimp_image_flatten (dup);
  if (!flat)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Could not flatten a copy of the image"));
      gimp_image_delete (dup);
      return NULL;
    }
  *dup_out = dup;
  return flat;
}

/* About 8 MiB of photo per strip read. */
#define STRIP_BYTES (8u << 20)

/* `region` (image px) of `flat` as R'G'B'A u8, averaged over factor × factor
 * blocks (1: as it is; the last blocks may be partial): ceil(w / factor) ×
 * ceil(h / factor) px. Read in strips of whole blocks, each through its own
 * buffer, so memory is the view and one strip whatever the photo's size. */
static guint8 *
read_view (GimpLayer *flat, const GeglRectangle *region, int factor, int *view_w, int *view_h,
           double progress_from, double progress_to, GError **error)
{
  const int w = region->width, h = region->height;
  const int vw = (w + factor - 1) / factor, vh = (h + factor - 1) / factor;
  const int blocks = (int) CLAMP (STRIP_BYTES / ((gsize) w * 4 * factor), 1, (gsize) vh);
  const int strip_rows = blocks * factor;
  g_autofree guint8 *view = g_try_malloc ((gsize) vw * vh * 4);
  g_autofree guint8 *strip = g_try_malloc ((gsize) w * strip_rows * 4);
  g_autofree guint64 *sum = g_try_new (guint64, (gsize) vw * 4);
  int ox = 0, oy = 0;

  if (!view || !strip || !sum)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Not enough memory for a %d × %d view"), vw, vh);
      return NULL;
    }
  gimp_drawable_get_offsets (GIMP_DRAWABLE (flat), &ox, &oy);
  for (int y0 = 0; y0 < h; y0 += strip_rows)
    {
      int rows = MIN (strip_rows, h - y0);
      GeglBuffer *buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (flat));
      const Babl *native = gegl_buffer_get_format (buffer);

      /* An 8-bit photo is read in its own format and widened here: the first
       * converting read costs this process ~350 MB at once (as for the selection). */
      if (native == babl_format ("R'G'B' u8"))
        {
          gegl_buffer_get (buffer, GEGL_RECTANGLE (region->x - ox, region->y - oy + y0, w, rows), 1.0,
                           native, strip, w * 4, GEGL_ABYSS_NONE);
          for (int r = 0; r < rows; r++)
            {
              guint8 *line = strip + (gsize) r * w * 4;
              for (int x = w; x-- > 0;)
                {
                  line[4 * x + 3] = 255;
                  line[4 * x + 2] = line[3 * x + 2];
                  line[4 * x + 1] = line[3 * x + 1];
                  line[4 * x] = line[3 * x];
                }
            }
        }
      else
        gegl_buffer_get (buffer, GEGL_RECTANGLE (region->x - ox, region->y - oy + y0, w, rows), 1.0,
                         babl_format ("R'G'B'A u8"), strip, w * 4, GEGL_ABYSS_NONE);
      g_object_unref (buffer);
      gimp_progress_update (progress_from + (progress_to - progress_from) * (y0 + rows) / h);
      if (factor == 1)
        {
          memcpy (view + (gsize) y0 * vw * 4, strip, (gsize) rows * w * 4);
          continue;
        }
      for (int by = 0; by * factor < rows; by++)
        {
          int r1 = MIN (rows, (by + 1) * factor);
          guint8 *out = view + ((gsize) (y0 / factor + by) * vw) * 4;

          memset (sum, 0, sizeof (guint64) * vw * 4);
          /* alpha-weighted, so transparent pixels do not darken their block */
          for (int r = by * factor; r < r1; r++)
            {
              const guint8 *px = strip + (gsize) r * w * 4;
              for (int x = 0; x < w; x++, px += 4)
                {
                  guint64 *acc = sum + (gsize) (x / factor) * 4;
                  acc[0] += (guint64) px[0] * px[3];
                  acc[1] += (guint64) px[1] * px[3];
                  acc[2] += (guint64) px[2] * px[3];
                  acc[3] += px[3];
                }
            }
          for (int vx = 0; vx < vw; vx++)
            {
              const guint64 *acc = sum + (gsize) vx * 4;
              guint64 n = (guint64) (MIN (w, (vx + 1) * factor) - vx * factor) * (guint64) (r1 - by * factor);
              for (int c = 0; c < 3; c++)
                out[vx * 4 + c] = acc[3] ? (guint8) ((acc[c] + acc[3] / 2) / acc[3]) : 0;
              out[vx * 4 + 3] = (guint8) ((acc[3] + n / 2) / n);
            }
        }
    }
  *view_w = vw, *view_h = vh;
  return g_steal_pointer (&view);
}

/* The region the proposal's layers cover, in image px. */
static gboolean
proposal_bounds (GimpGroupLayer *group, const SmpProposal *record, GeglRectangle *bounds)
{
  g_autofree GimpItem **children = NULL;
  gboolean any = FALSE;

  if (record->has_extent) /* bounded by the record's reader */
    {
      *bounds = (GeglRectangle) { record->extent[0], record->extent[1], record->extent[2], record->extent[3] };
      return TRUE;
    }
  children = gimp_item_get_children (GIMP_ITEM (group));
  for (gsize i = 0; children && children[i]; i++)
    {
      int ox, oy;
      GeglRectangle r;

      if (!GIMP_IS_DRAWABLE (children[i]))
        continue;
      gimp_drawable_get_offsets (GIMP_DRAWABLE (children[i]), &ox, &oy);
      r = (GeglRectangle) { ox, oy, gimp_drawable_get_width (GIMP_DRAWABLE (children[i])),
                            gimp_drawable_get_height (GIMP_DRAWABLE (children[i])) };
      if (any)
        gegl_rectangle_bounding_box (bounds, bounds, &r);
      else
        *bounds = r;
      any = TRUE;
    }
  return any;
}

/* The hairline path: the one the proposal names, else the selected or only one. */
static GimpPath *
proposal_path (GimpImage *image, const SmpProposal *record, GError **error)
{
  const char *name = record->path_name;
  g_autoptr (GError) local = NULL;
  GimpPath *path = NULL;

  if (name && *name)
    path = gimp_image_get_path_by_name (image, name);
  if (!path)
    path = smp_plugin_pick_path (image, NULL, &local);
  if (!path)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The proposal's hairline path%s%s%s is gone: the sheet draws the hairline, "
                 "so keep (or redraw) the path"), name && *name ? " “" : "", name && *name ? name : "",
                 name && *name ? "”" : "");
  return path;
}

/* The path's strokes as polylines in the region's px (owned by `store`). */
static GArray *
path_strokes (GimpPath *path, const GeglRectangle *region, GPtrArray *store)
{
  GArray *strokes = g_array_new (FALSE, TRUE, sizeof (SmpSheetStroke));
  g_autofree gint *ids = NULL;
  gsize n_ids = 0;

  ids = gimp_path_get_strokes (path, &n_ids);
  for (gsize i = 0; i < n_ids; i++)
    {
      gsize n = 0;
      gboolean closed = FALSE;
      double *xy = gimp_path_stroke_interpolate (path, ids[i], 0.5, &n, &closed);
      SmpSheetStroke st;

      if (!xy || n < 4)
        {
          g_free (xy);
          continue;
        }
      for (gsize k = 0; k + 1 < n; k += 2)
        {
          xy[k] -= region->x;
          xy[k + 1] -= region->y;
        }
      g_ptr_array_add (store, xy);
      st = (SmpSheetStroke) { xy, n / 2, closed };
      g_array_append_val (strokes, st);
    }
  return strokes;
}

/* The pigment colour in sRGB, as the artist chose it. Records always carry it;
 * without it the design's shade (in the layers' encoding) is the best guess. */
static void
shade_to_srgb (const SmpProposal *record, double srgb[3])
{
  for (int c = 0; c < 3; c++)
    srgb[c] = record->has_shade_srgb ? record->shade_srgb[c] / 255.0 : CLAMP (record->params.shade[c], 0.0, 1.0);
}

static char *
preset_name (const char *id)
{
  g_autofree char *dir = NULL, *file = NULL;
  g_autoptr (SmpPreset) preset = NULL;

  if (!id || !*id)
    return NULL;
  /* The record's reader refuses ids that leave the looks folder. */
  dir = smp_plugin_get_patterns_dir ();
  file = g_strdup_printf ("%s%cpresets%c%s.smp-preset", dir, G_DIR_SEPARATOR, G_DIR_SEPARATOR, id); /* NOTR: a file name */
  preset = smp_preset_load (file, NULL);
  return g_strdup (preset ? smp_preset_get_name (preset) : id);
}

/* The findings' messages (NULL when no checks ran) and what ran. */
static char **
read_checks (const SmpProposal *record, char **checks_run)
{
  GPtrArray *out, *run;

  *checks_run = NULL;
  if (!record->checks_ran)
    return NULL;
  out = g_ptr_array_new ();
  run = g_ptr_array_new ();
  for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
    {
      if (record->check_messages[c])
        g_ptr_array_add (out, g_strdup (record->check_messages[c]));
      if (record->checks_run & SMP_FACE_CHECK_BIT (c))
        g_ptr_array_add (run, (gpointer) smp_face_check_get_key (c));
    }
  g_ptr_array_add (run, NULL);
  if (run->len > 1)
    *checks_run = g_strjoinv (", ", (char **) run->pdata);
  g_ptr_array_free (run, TRUE);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* ---- the run ---------------------------------------------------------------------- */

/* ---- what is kept per image ------------------------------------------------------ */

#define SHEET_PARASITE "smp-sheet"
#define SHEET_GROUP    "SMP Sheet"

/* The client's name, the notes and the file belong to one client's photo: they
 * live in the image ("smp-sheet" parasite) and a photo without one starts them
 * empty, so a sheet never carries the previous client's data. The artist (and
 * paper, margin) stay as GIMP's last-used values: the same studio signs every
 * sheet. The date is today's unless typed, so it is cleared too. */
static void
sheet_restore (GimpImage *image, GimpProcedureConfig *config)
{
  g_autoptr (GKeyFile) kf = smp_plugin_image_get_key_file (image, SHEET_PARASITE);
  g_autofree char *client = NULL, *notes = NULL, *path = NULL, *date = NULL;
  g_autoptr (GFile) file = NULL;

  if (kf != NULL)
    {
      client = g_key_file_get_string (kf, SHEET_GROUP, "client", NULL);
      notes = g_key_file_get_string (kf, SHEET_GROUP, "notes", NULL);
      path = g_key_file_get_string (kf, SHEET_GROUP, "file", NULL);
      date = g_key_file_get_string (kf, SHEET_GROUP, "date", NULL);
    }
  if (path != NULL && *path != '\0')
    file = g_file_new_for_path (path);
  g_object_set (config, "client-name", client ? client : "", "notes", notes ? notes : "",
                "date", date ? date : "", "file", file, NULL);
}

/* Persistent (saved in the XCF) but not undoable: exporting does not add an undo step. */
static void
sheet_remember (GimpImage *image, GimpProcedureConfig *config, const char *path)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *client = NULL, *notes = NULL, *date = NULL, *text = NULL;
  gsize length = 0;
  GimpParasite *parasite;

  g_object_get (config, "client-name", &client, "notes", &notes, "date", &date, NULL);
  g_key_file_set_string (kf, SHEET_GROUP, "client", client ? client : "");
  g_key_file_set_string (kf, SHEET_GROUP, "notes", notes ? notes : "");
  g_key_file_set_string (kf, SHEET_GROUP, "date", date ? date : "");
  g_key_file_set_string (kf, SHEET_GROUP, "file", path);
  text = g_key_file_to_data (kf, &length, NULL);
  parasite = gimp_parasite_new (SHEET_PARASITE, GIMP_PARASITE_PERSISTENT, (guint32) length, text);
  gimp_image_attach_parasite (image, parasite);
  gimp_parasite_free (parasite);
}

/* ---- the dialog ----------------------------------------------------------------------- */

/* TRUE when the file chosen does not exist yet or the artist agrees to replace it. */
static gboolean
confirm_overwrite (GtkWidget *parent, GimpProcedureConfig *config)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *name = NULL;
  GtkWidget *ask;
  int response;

  g_object_get (config, "file", &file, NULL);
  if (file == NULL || !g_file_query_exists (file, NULL))
    return TRUE;
  name = g_file_get_parse_name (file);
  ask = gtk_message_dialog_new (GTK_WINDOW (parent), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                _("“%s” already exists. Replace it?"), name);
  gtk_window_set_title (GTK_WINDOW (ask), _("Replace the design sheet?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (ask),
                                            _("The sheet there, perhaps another client's, will be lost."));
  gtk_dialog_add_buttons (GTK_DIALOG (ask), _("_Keep it"), GTK_RESPONSE_CANCEL, _("_Replace"), GTK_RESPONSE_ACCEPT,
                          NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (ask), GTK_RESPONSE_CANCEL);
  response = gtk_dialog_run (GTK_DIALOG (ask));
  gtk_widget_destroy (ask);
  return response == GTK_RESPONSE_ACCEPT;
}

static gboolean
sheet_dialog (GimpProcedure *procedure, GimpProcedureConfig *config)
{
  GtkWidget *dialog, *notes, *label, *scroller;
  gboolean ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  dialog = gimp_procedure_dialog_new (procedure, config, _("Export Design Sheet"));
  notes = gimp_procedure_dialog_get_widget (GIMP_PROCEDURE_DIALOG (dialog), "notes", GTK_TYPE_TEXT_VIEW);
  /* A text view has no label of its own, and one line is too little for notes. */
  label = gimp_procedure_dialog_get_label (GIMP_PROCEDURE_DIALOG (dialog), "notes-label",
                                           _("_Notes printed on the sheet:"), FALSE, TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), notes);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (notes), GTK_WRAP_WORD_CHAR);
  gtk_widget_set_size_request (notes, 360, -1);
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), "file", "client-name", "artist", "date",
                              "notes-label", "notes", "paper", "margin-mm", "language", NULL);
  /* Several lines tall, scrolling beyond. */
  scroller = gtk_scrolled_window_new (NULL, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 96);
  gtk_scrolled_window_set_shadow_type (GTK_SCROLLED_WINDOW (scroller), GTK_SHADOW_IN);
  {
    GtkWidget *parent = gtk_widget_get_parent (notes);
    int        position = 0;

    gtk_container_child_get (GTK_CONTAINER (parent), notes, "position", &position, NULL);
    g_object_ref (notes);
    gtk_container_remove (GTK_CONTAINER (parent), notes);
    gtk_container_add (GTK_CONTAINER (scroller), notes);
    g_object_unref (notes);
    gtk_box_pack_start (GTK_BOX (parent), scroller, FALSE, FALSE, 0);
    gtk_box_reorder_child (GTK_BOX (parent), scroller, position);
    gtk_widget_show_all (scroller);
  }
  do
    ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  while (ok && !confirm_overwrite (dialog, config));
  gtk_widget_destroy (dialog);
  return ok;
}

static gboolean
sheet_progress (double done, gpointer data)
{
  (void) data;
  gimp_progress_update (0.6 + 0.4 * done);
  return TRUE;
}

static gboolean
export_sheet (GimpImage *image, GimpDrawable **drawables, GimpProcedureConfig *config, char **written,
              GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *client = NULL, *artist = NULL, *date = NULL, *notes = NULL;
  g_autofree char *path_str = NULL, *preset = NULL;
  g_autofree char *checks_run = NULL, *language = NULL;
  g_autoptr (SmpCatalog) catalog = NULL;
  g_auto (GStrv) checks = NULL;
  g_autoptr (SmpProposal) record = NULL;
  g_autoptr (SmpHairline) hairline = NULL;
  g_autoptr (GPtrArray) store = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) strokes = NULL;
  g_autofree guint8 *before = NULL, *after = NULL, *detail = NULL;
  GimpGroupLayer *group;
  GimpPath *path;
  SmpParams params;
  SmpSheet sheet;
  GeglRectangle region, bounds;
  double margin_mm, px0, py0, px1, py1, shade[3];
  int paper;

  g_object_get (config, "file", &file, "client-name", &client, "artist", &artist, "date", &date,
                "notes", &notes, "margin-mm", &margin_mm, "language", &language, NULL);
  paper = gimp_procedure_config_get_choice_id (config, "paper");
  /* The sheet's language: its own catalog, read from the plug-in's locale/
   * folder, so the dialog stays in the UI language (no LANGUAGE switching). */
  if (language && *language)
    {
      g_autofree char *dir = g_path_get_dirname (gimp_get_progname ());
      g_autofree char *locale = g_build_filename (dir, "locale", NULL);

      catalog = smp_catalog_new_for_language (locale, GETTEXT_PACKAGE, g_strstrip (language), error);
      if (!catalog)
        return FALSE;
    }
  if (!file || !(path_str = g_file_get_path (file)))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("Choose a local file to write the design sheet to"));
      return FALSE;
    }
  {
    g_autofree char *lower = g_ascii_strdown (path_str, -1);
    if (!g_str_has_suffix (lower, ".pdf") && !g_str_has_suffix (lower, ".png"))
      {
        g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                     _("“%s”: a design sheet is written as PDF or PNG; use a name ending in .pdf or .png"),
                     path_str);
        return FALSE;
      }
  }

  group = pick_proposal (image, drawables, error);
  if (!group || !(record = smp_plugin_proposal_read (group, error)))
    return FALSE;
  if (!record->complete)
    {
      g_autofree char *name = gimp_item_get_name (GIMP_ITEM (group));
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The proposal “%s” is incomplete (a run stopped before it finished): run "
                   "Hairline on it again to redo it, then export the sheet"), name);
      return FALSE;
    }
  params = record->params;
  path = proposal_path (image, record, error);
  if (!path)
    return FALSE;

  gimp_progress_init (_("Exporting the design sheet"));
  /* the region: the proposal and its hairline, with a margin of photo around them */
  if (!proposal_bounds (group, record, &bounds))
    bounds = (GeglRectangle) { 0, 0, gimp_image_get_width (image), gimp_image_get_height (image) };
  {
    g_autoptr (SmpHairline) h = smp_plugin_hairline_from_path (path, 0, 0, error);
    double m = margin_mm * params.px_per_mm;

    if (!h)
      return FALSE;
    smp_hairline_get_bounds (h, &px0, &py0, &px1, &py1);
    px0 = MIN (px0, bounds.x) - m;
    py0 = MIN (py0, bounds.y) - m;
    px1 = MAX (px1, bounds.x + bounds.width) + m;
    py1 = MAX (py1, bounds.y + bounds.height) + m;
    region.x = (int) CLAMP (floor (px0), 0, gimp_image_get_width (image) - 1);
    region.y = (int) CLAMP (floor (py0), 0, gimp_image_get_height (image) - 1);
    region.width = (int) CLAMP (ceil (px1), region.x + 1, gimp_image_get_width (image)) - region.x;
    region.height = (int) CLAMP (ceil (py1), region.y + 1, gimp_image_get_height (image)) - region.y;
  }

  strokes = path_strokes (path, &region, store);

  preset = preset_name (record->preset_id);
  checks = read_checks (record, &checks_run);
  shade_to_srgb (record, shade);

  smp_sheet_init (&sheet);
  sheet.strokes = (const SmpSheetStroke *) strokes->data;
  sheet.n_strokes = strokes->len;
  /* The zones come from the hairline with its scalp side resolved as the run
   * resolved it: the stored treated area decides "auto", else the image top. */
  hairline = smp_plugin_hairline_from_path (path, region.x, region.y, error);
  if (!hairline)
    return FALSE;
  {
    GimpChannel *area = *record->area_channel && record->has_area_bounds
                          ? gimp_image_get_channel_by_name (image, record->area_channel) : NULL;
    g_autoptr (SmpPluginCoverage) coverage = NULL;
    SmpRect r = { region.x, region.y, region.width, region.height };

    if (area && !(coverage = smp_plugin_io_read_coverage (area, &r, error)))
      return FALSE;
    if (coverage)
      coverage->mask.x = coverage->mask.y = 0; /* the crop's px, as the hairline */
    smp_hairline_resolve_side (hairline, params.scalp_side, coverage ? &coverage->mask : NULL, params.px_per_mm);
  }
  sheet.hairline = hairline;
  sheet.params = params;
  /* a typed-in scale or a calibration is a measured one; the fallback is a guess */
  sheet.calibrated = record->scale_source != SMP_SCALE_FROM_FALLBACK;
  sheet.treated_area_cm2 = record->treated_area_cm2; /* bounded by the record's reader */
  sheet.on_head = record->on_head;
  sheet.n_sessions = smp_sheet_plan_sessions (&params, shade, sheet.treated_area_cm2, sheet.sessions);
  sheet.checks = (const char *const *) checks;
  sheet.checks_run = checks_run;
  sheet.preset = preset;
  sheet.client = client;
  sheet.artist = artist;
  sheet.date = date;
  sheet.notes = notes;
  sheet.paper = paper == SMP_PAPER_LETTER ? SMP_PAPER_LETTER : SMP_PAPER_A4;
  sheet.catalog = catalog;

  /* The views: the region read scaled down to what the page can show; only the
   * 1:1 detail at the photo's resolution. Memory stays bounded by the page,
   * not the photo (issue 12 row 4). */
  {
    int factor = (MAX (region.width, region.height) + SMP_SHEET_VIEW_MAX_PX - 1) / SMP_SHEET_VIEW_MAX_PX;
    int vw = 0, vh = 0, dx = 0, dy = 0, side = 0;
    GimpImage *dup = NULL;
    GimpLayer *flat;

    factor = MAX (factor, 1);
    flat = flatten_copy (image, group, FALSE, &dup, error);
    if (flat)
      before = read_view (flat, &region, factor, &vw, &vh, 0.0, 0.3, error);
    if (dup)
      gimp_image_delete (dup);
    if (!before)
      return FALSE;
    flat = flatten_copy (image, group, TRUE, &dup, error);
    if (flat)
      after = read_view (flat, &region, factor, &vw, &vh, 0.3, 0.6, error);
    if (after)
      {
        sheet.before = (SmpSheetImage) { before, vw, vh, (gsize) vw * 4 };
        sheet.after = (SmpSheetImage) { after, vw, vh, (gsize) vw * 4 };
        sheet.crop_width = region.width;
        sheet.crop_height = region.height;
        if (factor > 1 && smp_sheet_detail_rect (&sheet, &dx, &dy, &side, error))
          {
            GeglRectangle square = { region.x + dx, region.y + dy, side, side };
            int w = 0, h = 0;

            detail = read_view (flat, &square, 1, &w, &h, 0.6, 0.6, error);
            sheet.detail = (SmpSheetImage) { detail, side, side, (gsize) side * 4 };
            sheet.detail_left = dx, sheet.detail_top = dy;
          }
      }
    if (dup)
      gimp_image_delete (dup);
    if (!after || (factor > 1 && !detail))
      return FALSE;
  }

  /* The page itself: 0.6 to 1 of the bar. GIMP's Cancel kills the plug-in
   * (there is no hook to poll), so this never stops the sheet; a killed export
   * leaves its hidden temporary file, which the next export removes. */
  sheet.progress = sheet_progress;
  if (!smp_sheet_write (&sheet, path_str, error))
    return FALSE;
  gimp_progress_update (1.0);
  *written = g_steal_pointer (&path_str);
  return TRUE;
}

static GimpValueArray *
sheet_run (GimpProcedure        *procedure,
           GimpRunMode           run_mode,
           GimpImage            *image,
           GimpDrawable        **drawables,
           GimpProcedureConfig  *config,
           gpointer              run_data)
{
  GError *error = NULL;
  g_autofree char *written = NULL;
  GimpValueArray *values;

  (void) run_data;
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      sheet_restore (image, config);
      if (!sheet_dialog (procedure, config))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL, NULL);
    }
  if (!export_sheet (image, drawables, config, &written, &error))
    {
      /* GIMP shows the error's text in interactive runs */
      return gimp_procedure_new_return_values (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      sheet_remember (image, config, written);
      /* Where the file went, as information (GIMP's messages carry a warning icon). */
      g_autofree char *text = g_strdup_printf (_("Design sheet written to %s"), written);
      smp_plugin_inform (FALSE, _("Design sheet exported"), text, NULL);
    }
  values = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS, NULL);
  GIMP_VALUES_SET_STRING (values, 1, written);
  return values;
}

GimpProcedure *
smp_plugin_sheet_procedure_new (GimpPlugIn *plug_in, const char *name)
{
  GimpProcedure *procedure;

  procedure = smp_plugin_procedure_new (plug_in, name, sheet_run, NULL, _("Export _Design Sheet…"),
                                       _("Export the consultation design sheet. Prepare an SMP proposal made by Hairline…"),
    _("Writes a one-page consultation sheet (PDF, or PNG by the file name) for an "
    "\"SMP proposal\" group: before and after views, the hairline with its "
    "transition zone, a 10 × 10 mm close-up of it at true size with a scale bar, the "
    "session plan, the parameters, the design checks, the client, artist, date "
    "and notes. The proposal is the selected group (or the one holding the "
    "selected layer), else the image's only one. The image is not changed."));
  gimp_procedure_set_attribution (procedure, SMP_PLUGIN_AUTHOR, SMP_PLUGIN_COPYRIGHT, SMP_PLUGIN_DATE);

  gimp_procedure_add_file_argument (procedure, "file", _("_File"),
                                    _("The sheet to write: a name ending in .pdf or .png"),
                                    GIMP_FILE_CHOOSER_ACTION_SAVE, FALSE, NULL, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "client-name", _("Clien_t"), _("The client's name"), "",
                                      G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "artist", _("_Artist"), _("The artist or studio"), "",
                                      G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "date", _("_Date"),
                                      _("The consultation date as printed (empty: today, YYYY-MM-DD)"), "",
                                      G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "notes", _("_Notes"), _("Notes printed on the sheet"), "",
                                      G_PARAM_READWRITE);
  gimp_procedure_add_choice_argument (procedure, "paper", _("_Paper"), _("The page size"),
                                      gimp_choice_new_with_values ("a4", SMP_PAPER_A4, "A4", NULL,
                                                                   "letter", SMP_PAPER_LETTER, _("Letter"), NULL,
                                                                   NULL),
                                      "a4", G_PARAM_READWRITE);
  gimp_procedure_add_double_argument (procedure, "margin-mm", _("_Margin (mm)"),
                                      _("Photo shown around the proposal and its hairline, mm"),
                                      0.0, 200.0, DEFAULT_MARGIN_MM, G_PARAM_READWRITE);
  gimp_procedure_add_string_argument (procedure, "language", _("Sheet lan_guage"),
                                      _("Language the sheet is printed in, e.g. \"de\", \"pt_BR\" or \"en\"; "
                                        "empty: the language of GIMP's interface"),
                                      "", G_PARAM_READWRITE);
  gimp_procedure_add_string_return_value (procedure, "path", _("Path"), _("The file the sheet was written to"),
                                          "", G_PARAM_READWRITE);
  return procedure;
}
