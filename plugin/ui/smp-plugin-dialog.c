/* smp-plugin-dialog.c: the consultation dialog of plug-in-smp-hairline: sections in the
 * craft's terms, shipped looks, a live preview and an optional on-canvas preview. */
#include "smp-plugin-dialog.h"
#include <glib/gi18n-lib.h>

#include <libgimp/gimpui.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "smp-plugin-common.h"
#include "smp-plugin-args.h"
#include "smp-plugin-target.h"
#include "smp-plugin-head.h"
#include "smp-plugin-io.h"
#include "smp-plugin-preview.h"
#include "smp-plugin-looks.h"

#define DIALOG_MAX_W        1700 /* px: the default size, within 90% of the monitor */
#define DIALOG_MAX_H        1000
#define FRAME_MARGIN_MM     12.0 /* around the hairline when the preview opens: sentinels, fade and scalp */
#define CANVAS_DELAY_MS     350  /* on-canvas re-render after the last change */
#define CANVAS_GROUP_NAME   "SMP proposal (preview)"
#define RULER_MAX_PX        260

typedef struct
{
  GimpProcedure       *procedure;
  GimpProcedureConfig *config;
  GimpImage           *image;
  SmpPluginTarget     *target;
  GtkWidget           *dialog;
  SmpPluginPreview    *preview;

  /* Hairline section */
  GtkWidget           *path_combo;
  GtkWidget           *head_note;     /* which surface the dots lie on */
  /* Scale section */
  GtkWidget           *scale_spin;
  GtkWidget           *follow_check;
  GtkWidget           *scale_note;
  GtkWidget           *ruler;
  GtkWidget           *ruler_note;
  gboolean             have_calibration;
  double               calibration_px_per_mm;
  char                *calibration_method;
  /* Sessions section */
  GtkWidget           *split_note;
  /* Presets */
  GtkWidget           *preset_list;
  GtkWidget           *preset_note;
  GPtrArray           *presets;
  /* Preview controls */
  GtkWidget           *timing_label;
  GtkWidget           *canvas_check;
  GtkWidget           *error_bar;     /* why OK is off, when it is */
  GtkWidget           *error_label;
  gboolean             framed;        /* the preview was framed on the hairline */
  int                  stage_shown;   /* -1: as set */
  guint                session_mask;

  /* What the preview is built from, kept across changes that do not touch it. */
  SmpHairline         *hairline;
  int                  hairline_path_id;
  SmpParams            params;       /* in the output's encoding */
  gboolean             params_ok;
  SmpScaleSource scale_source;

  guint                update_id;
  gboolean             syncing;      /* writing widgets from the config */

  /* On-canvas preview: temporary layers, added and removed with undo frozen. */
  GimpGroupLayer      *canvas_group;
  GimpGroupLayer      *hidden_proposal;
  guint                canvas_id;
  /* While the canvas preview is on, the dialog is compact and at the screen's edge. */
  gboolean             compact;
  int                  full_x, full_y, full_w, full_h;
  int                  compact_right, compact_top;
} SmpDialog;

static void schedule_update (SmpDialog *d);
static void preview_shade (SmpDialog *d, double shade[3]);

/* ---- Parameter reading --------------------------------------------------------- */

/* The run's own conversion of the config; a missing scale is shown by the Scale
 * section instead of a message. */
static gboolean
read_params (SmpDialog *d, SmpParams *params, SmpScaleSource *source, GError **error)
{
  return smp_plugin_args_to_params (d->config, d->target, FALSE, params, source, error);
}

/* ---- Hairline section: the path chooser ------------------------------------------- */

static void
fill_path_combo (SmpDialog *d)
{
  g_autofree GimpPath **paths = gimp_image_get_paths (d->image);

  for (gsize i = 0; paths && paths[i]; i++)
    {
      g_autofree char *id = g_strdup_printf ("%d", gimp_item_get_id (GIMP_ITEM (paths[i])));
      g_autofree char *name = gimp_item_get_name (GIMP_ITEM (paths[i]));

      gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (d->path_combo), id, name);
    }
}

static void
path_combo_changed (GtkComboBox *combo, SmpDialog *d)
{
  const char *id = gtk_combo_box_get_active_id (combo);
  GimpItem   *item;

  if (d->syncing || id == NULL)
    return;
  item = gimp_item_get_by_id ((gint32) g_ascii_strtoll (id, NULL, 10));
  if (item != NULL && GIMP_IS_PATH (item))
    g_object_set (d->config, "path", item, NULL);
}

static void
sync_path_combo (SmpDialog *d, GimpPath *path)
{
  g_autofree char *id = path ? g_strdup_printf ("%d", gimp_item_get_id (GIMP_ITEM (path))) : NULL;

  d->syncing = TRUE;
  if (id == NULL || !gtk_combo_box_set_active_id (GTK_COMBO_BOX (d->path_combo), id))
    gtk_combo_box_set_active (GTK_COMBO_BOX (d->path_combo), -1);
  d->syncing = FALSE;
}

/* Reads the hairline of the config's path (or the one the run would pick), only
 * when the path changed. Returns the error text when there is none. */
static char *
update_hairline (SmpDialog *d)
{
  g_autoptr(GimpPath) path = NULL;
  g_autoptr(GError)   error = NULL;
  g_autofree char    *name = NULL;
  SmpHairline        *hairline;
  int                 id;

  g_object_get (d->config, "path", &path, NULL);
  id = path ? gimp_item_get_id (GIMP_ITEM (path)) : -1;
  if (d->hairline != NULL && id == d->hairline_path_id)
    return NULL;

  hairline = smp_plugin_target_read_hairline (d->target, path, &name, &error);
  g_clear_pointer (&d->hairline, smp_hairline_unref);
  d->hairline_path_id = id;
  if (hairline == NULL)
    {
      sync_path_combo (d, path);
      return g_strdup (error->message);
    }
  d->hairline = hairline;
  if (path == NULL && name != NULL)
    {
      /* The run would pick this path too: show it, and make the choice explicit so
       * the run and the dialog cannot disagree. */
      GimpPath *picked = gimp_image_get_path_by_name (d->image, name);

      if (picked != NULL)
        {
          d->hairline_path_id = gimp_item_get_id (GIMP_ITEM (picked));
          d->syncing = TRUE;
          g_object_set (d->config, "path", picked, NULL);
          d->syncing = FALSE;
          path = g_object_ref (picked);
        }
    }
  sync_path_combo (d, path);
  return NULL;
}

/* ---- Scale section ------------------------------------------------------------------ */

static void
follow_toggled (GtkToggleButton *toggle, SmpDialog *d)
{
  if (d->syncing)
    return;
  if (gtk_toggle_button_get_active (toggle))
    g_object_set (d->config, "px-per-mm", 0.0, NULL);
  else
    g_object_set (d->config, "px-per-mm", gtk_spin_button_get_value (GTK_SPIN_BUTTON (d->scale_spin)), NULL);
}

static void
scale_spin_changed (GtkSpinButton *spin, SmpDialog *d)
{
  if (d->syncing || gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (d->follow_check)))
    return;
  g_object_set (d->config, "px-per-mm", gtk_spin_button_get_value (spin), NULL);
}

static void
sync_scale (SmpDialog *d)
{
  double           px_per_mm = 0.0;
  g_autofree char *note = NULL;

  g_object_get (d->config, "px-per-mm", &px_per_mm, NULL);
  d->syncing = TRUE;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (d->follow_check), px_per_mm == 0.0 && d->have_calibration);
  gtk_widget_set_sensitive (d->scale_spin, px_per_mm != 0.0 || !d->have_calibration);
  if (px_per_mm != 0.0)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (d->scale_spin), px_per_mm);
  else
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (d->scale_spin),
                               d->have_calibration ? d->calibration_px_per_mm
                                                   : SMP_PLUGIN_FALLBACK_PX_PER_MM);
  d->syncing = FALSE;

  if (px_per_mm == 0.0 && !d->have_calibration)
    note = g_strdup_printf (_("<b>No calibration:</b> %g px/mm is assumed, so sizes and density "
                            "are guesses. Calibrate the photo (Filters ▸ Render ▸ Scalp "
                            "Micropigmentation ▸ Calibrate Scale…) or type the scale."),
                            SMP_PLUGIN_FALLBACK_PX_PER_MM);
  else if (px_per_mm == 0.0)
    note = g_markup_printf_escaped (_("From the photo's calibration (%s)."),
                                    d->calibration_method ? d->calibration_method : "stored");
  else if (d->have_calibration)
    note = g_strdup_printf (_("Typed; the calibration says %.2f px/mm."), d->calibration_px_per_mm);
  else
    note = g_strdup (_("Typed by hand: the photo has no calibration."));
  gtk_label_set_markup (GTK_LABEL (d->scale_note), note);
  gtk_widget_queue_draw (d->ruler);
  if (d->params_ok)
    {
      g_autofree char *mm = g_strdup_printf (_("At 100%% zoom 1 mm is %.1f px; a %.2f mm dot is %.1f px."),
                                             d->params.px_per_mm, d->params.dot_diameter_mm,
                                             d->params.dot_diameter_mm * d->params.px_per_mm);
      gtk_label_set_text (GTK_LABEL (d->ruler_note), mm);
    }
}

/* What one mm looks like on this photo: a 1 mm-ticked ruler and one fresh dot,
 * at the photo's own pixels (100% zoom). */
static gboolean
draw_ruler (GtkWidget *widget, cairo_t *cr, SmpDialog *d)
{
  double                px = d->params_ok ? d->params.px_per_mm : 0.0;
  double                dot = d->params_ok ? d->params.dot_diameter_mm * px : 0.0;
  int                   mm, height = gtk_widget_get_allocated_height (widget);
  g_autofree char      *text = NULL;
  PangoLayout          *layout;
  GdkRGBA               fg;
  GtkStyleContext      *style = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (style, gtk_style_context_get_state (style), &fg);
  gdk_cairo_set_source_rgba (cr, &fg);
  if (px <= 0.0)
    return FALSE;

  mm = CLAMP ((int) floor (RULER_MAX_PX / px), 1, 10);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, 4.5, 6.5);
  cairo_line_to (cr, 4.5 + mm * px, 6.5);
  for (int i = 0; i <= mm; i++)
    {
      double x = floor (4 + i * px) + 0.5;
      cairo_move_to (cr, x, 6.5);
      cairo_line_to (cr, x, (i % 5 == 0) ? 18.5 : 13.5);
    }
  cairo_stroke (cr);
  /* A fresh impression at the same scale. */
  cairo_arc (cr, 4 + mm * px + 16 + MAX (dot, 1.0) / 2, 12, MAX (dot, 1.0) / 2, 0, 2 * G_PI);
  cairo_fill (cr);

  text = g_strdup_printf ("%d mm", mm);
  layout = gtk_widget_create_pango_layout (widget, text);
  cairo_move_to (cr, 4, 22);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
  (void) height;
  return FALSE;
}

/* ---- Seed and sessions -------------------------------------------------------------- */

static void
new_variation (GtkButton *button, SmpDialog *d)
{
  (void) button;
  g_object_set (d->config, "seed", g_random_int_range (1, G_MAXINT), NULL);
}

static void
update_split_note (SmpDialog *d)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!d->params_ok)
    return;
  for (int k = 0; k < d->params.sessions; k++)
    g_string_append_printf (text, _("%sSession %d: %.0f%%"), k ? ",  " : "", k + 1,
                            100.0 * smp_params_session_share (&d->params, k));
  gtk_label_set_text (GTK_LABEL (d->split_note), text->str);
}

/* ---- Presets -------------------------------------------------------------------------- */

/* The look the values came from is the one marked (bold, "✓"), whatever row the
 * keyboard or the pointer highlights: the list selects nothing, so a highlight
 * never passes for a loaded look. Follows the config's "preset" (a click, Save as
 * look…, Reset, saved settings, a re-edit). */
static void
mark_loaded_look (SmpDialog *d)
{
  g_autofree char *current = NULL;
  const char      *loaded = NULL;
  GList           *rows;

  if (d->preset_list == NULL)
    return;
  g_object_get (d->config, "preset", &current, NULL);
  rows = gtk_container_get_children (GTK_CONTAINER (d->preset_list));
  for (GList *l = rows; l; l = l->next)
    {
      const SmpPreset *preset = g_object_get_data (G_OBJECT (l->data), "smp-preset");
      GtkWidget       *label = gtk_bin_get_child (GTK_BIN (l->data));
      const char      *text = g_object_get_data (G_OBJECT (l->data), "smp-preset-text");
      gboolean         on = preset && current && !strcmp (current, smp_preset_get_id (preset));
      g_autofree char *markup = on ? g_markup_printf_escaped ("<b>✓ %s</b>", text)
                                   : g_markup_printf_escaped ("    %s", text);

      gtk_label_set_markup (GTK_LABEL (label), markup);
      if (on)
        loaded = smp_preset_get_id (preset);
    }
  g_list_free (rows);
  smp_plugin_test_log ("look-marked id=%s", loaded ? loaded : "-");
}

static void
preset_changed (GObject *config, GParamSpec *pspec, SmpDialog *d)
{
  (void) config, (void) pspec;
  mark_loaded_look (d);
}

/* The note under the list keeps one height (four lines; longer text ellipsised,
 * whole in its tooltip), so a look's description never shifts what lies below. */
static void
set_preset_note (SmpDialog *d, const char *text)
{
  gtk_label_set_text (GTK_LABEL (d->preset_note), text);
  gtk_widget_set_tooltip_text (d->preset_note, text);
}

static void
preset_note_allocated (GtkWidget *note, GdkRectangle *allocation, SmpDialog *d)
{
  (void) note, (void) d;
  smp_plugin_test_log ("look-note height=%d", allocation->height);
}

static void
preset_activated (GtkListBox *box, GtkListBoxRow *row, SmpDialog *d)
{
  const SmpPreset  *preset = g_object_get_data (G_OBJECT (row), "smp-preset");
  g_autoptr(GError) error = NULL;
  SmpScaleSource source = SMP_SCALE_FROM_ARGUMENT;
  double            px_per_mm = 0.0;
  double            before_shade[3];
  SmpParams         params;

  (void) box;
  if (preset == NULL)
    return;
  /* Over the current values, so what a look leaves alone (scale, seed, path) stays. */
  if (!read_params (d, &params, &source, NULL))
    {
      smp_params_init_defaults (&params);
      g_object_get (d->config, "px-per-mm", &params.px_per_mm, "seed", &params.seed, NULL);
    }
  g_object_get (d->config, "px-per-mm", &px_per_mm, NULL);
  memcpy (before_shade, params.shade, sizeof before_shade);
  if (!smp_preset_apply (preset, &params, &error))
    {
      set_preset_note (d, error->message);
      return;
    }
  g_object_freeze_notify (G_OBJECT (d->config));
  smp_plugin_args_from_params (d->config, d->target, &params, source);
  if (memcmp (before_shade, params.shade, sizeof before_shade) != 0)
    {
      /* Preset shades are sRGB (R'G'B'), not the output's encoding. */
      g_autoptr(GeglColor) color = gegl_color_new (NULL);

      gegl_color_set_pixel (color, babl_format ("R'G'B' double"), params.shade);
      g_object_set (d->config, "shade", color, NULL);
    }
  if (px_per_mm == 0.0)
    g_object_set (d->config, "px-per-mm", 0.0, NULL); /* keep following the calibration */
  g_object_set (d->config, "preset", smp_preset_get_id (preset), NULL);
  g_object_thaw_notify (G_OBJECT (d->config));
  set_preset_note (d, smp_preset_get_description (preset));
}

/* The label's mnemonic lands on a row (the chosen look, else the first), so the
 * keyboard can walk the list with the arrows and apply a look with Return. */
static gboolean
preset_list_mnemonic (GtkWidget *list, gboolean group_cycling, SmpDialog *d)
{
  g_autofree char *current = NULL;
  GtkListBoxRow   *row = NULL;

  (void) group_cycling;
  g_object_get (d->config, "preset", &current, NULL);
  for (int i = 0; current && (row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i)) != NULL; i++)
    {
      const SmpPreset *preset = g_object_get_data (G_OBJECT (row), "smp-preset");
      if (preset && !strcmp (current, smp_preset_get_id (preset)))
        break;
    }
  if (row == NULL)
    row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0);
  if (row == NULL)
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (row));
  return TRUE;
}

/* Return on a look applies it, as a click does, instead of pressing OK. */
static gboolean
preset_list_key (GtkWidget *list, GdkEventKey *event, SmpDialog *d)
{
  GtkWidget *row = gtk_container_get_focus_child (GTK_CONTAINER (list));

  (void) d;
  if (row == NULL || !(event->keyval == GDK_KEY_Return || event->keyval == GDK_KEY_KP_Enter
                       || event->keyval == GDK_KEY_ISO_Enter))
    return FALSE;
  gtk_widget_activate (row);
  return TRUE;
}

static GtkWidget *
preset_row (SmpPreset *preset, gboolean user)
{
  GtkWidget *row = gtk_list_box_row_new ();
  g_autofree char *text = user ? g_strdup_printf (_("%s (yours)"), smp_preset_get_name (preset))
                               : g_strdup (smp_preset_get_name (preset));
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_top (label, 2);
  gtk_widget_set_margin_bottom (label, 2);
  gtk_container_add (GTK_CONTAINER (row), label);
  gtk_widget_set_tooltip_text (row, smp_preset_get_description (preset));
  g_object_set_data (G_OBJECT (row), "smp-preset", preset);
  g_object_set_data_full (G_OBJECT (row), "smp-preset-text", g_steal_pointer (&text), g_free);
  return row;
}

/* "Save as look…": the current look parameters into the artist's looks folder,
 * listed at once (and by every later dialog: the folder is read at start). */
static void
save_look_clicked (GtkButton *button, SmpDialog *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char  *dir = smp_plugin_looks_user_dir ();
  g_autofree char  *id = NULL, *file = NULL, *path = NULL;
  SmpScaleSource    source;
  SmpParams         params;
  GtkWidget        *ask, *entry, *area;
  const char       *name;
  int               response;

  (void) button;
  if (!read_params (d, &params, &source, &error))
    {
      set_preset_note (d, error->message);
      return;
    }
  ask = gtk_dialog_new_with_buttons ("Save as Look", GTK_WINDOW (d->dialog), GTK_DIALOG_MODAL,
                                     "_Cancel", GTK_RESPONSE_CANCEL, "_Save", GTK_RESPONSE_OK, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (ask), GTK_RESPONSE_OK);
  area = gtk_dialog_get_content_area (GTK_DIALOG (ask));
  gtk_container_set_border_width (GTK_CONTAINER (area), 12);
  gtk_box_pack_start (GTK_BOX (area), gtk_label_new (_("Name of the look:")), FALSE, FALSE, 4);
  entry = gtk_entry_new ();
  gtk_entry_set_text (GTK_ENTRY (entry), "My look");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_box_pack_start (GTK_BOX (area), entry, FALSE, FALSE, 4);
  gtk_widget_show_all (area);
  response = gtk_dialog_run (GTK_DIALOG (ask));
  name = gtk_entry_get_text (GTK_ENTRY (entry));
  if (response == GTK_RESPONSE_OK)
    {
      /* Look files hold sRGB shades, whatever the image's encoding. */
      preview_shade (d, params.shade);
      id = smp_plugin_looks_save (&params, FALSE, name, "Saved from the Hairline dialog", &error);
    }
  gtk_widget_destroy (ask);
  if (response != GTK_RESPONSE_OK)
    return;
  if (!id)
    {
      set_preset_note (d, error->message);
      return;
    }
  file = g_strconcat (id, ".smp-preset", NULL);
  path = g_build_filename (dir, file, NULL);
  {
    SmpPreset *preset = smp_preset_load (path, &error);
    g_autofree char *note = NULL;
    GtkWidget *row;

    if (!preset)
      {
        set_preset_note (d, error->message);
        return;
      }
    g_ptr_array_add (d->presets, preset);
    row = preset_row (preset, TRUE);
    gtk_list_box_insert (GTK_LIST_BOX (d->preset_list), row, -1);
    gtk_widget_show_all (row);
    g_object_set (d->config, "preset", id, NULL);
    mark_loaded_look (d); /* the same id again notifies nothing */
    note = g_strdup_printf (_("Saved as %s"), path);
    set_preset_note (d, note);
  }
}

static GtkWidget *
make_preset_list (SmpDialog *d)
{
  g_autoptr(GError) error = NULL;
  GtkWidget        *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget        *save;
  guint             n_shipped = 0;

  d->presets = smp_plugin_looks_load_all (&n_shipped, &error);
  d->preset_list = gtk_list_box_new ();
  gtk_widget_set_name (d->preset_list, "smp-presets");
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (d->preset_list), TRUE);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (d->preset_list), GTK_SELECTION_NONE);

  for (guint i = 0; i < d->presets->len; i++)
    {
      SmpPreset *preset = g_ptr_array_index (d->presets, i);
      GtkWidget *row = preset_row (preset, i >= n_shipped);

      gtk_list_box_insert (GTK_LIST_BOX (d->preset_list), row, -1);
    }
  g_signal_connect (d->preset_list, "row-activated", G_CALLBACK (preset_activated), d);
  g_signal_connect (d->preset_list, "mnemonic-activate", G_CALLBACK (preset_list_mnemonic), d);
  g_signal_connect (d->preset_list, "key-press-event", G_CALLBACK (preset_list_key), d);

  d->preset_note = gtk_label_new (error ? error->message
                                        : _("Click a look to load its values; adjust from there. "
                                          "Your own settings: the menu at the top."));
  gtk_label_set_line_wrap (GTK_LABEL (d->preset_note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (d->preset_note), 40);
  gtk_label_set_xalign (GTK_LABEL (d->preset_note), 0.0);
  gtk_label_set_yalign (GTK_LABEL (d->preset_note), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (d->preset_note), PANGO_ELLIPSIZE_END);
  gtk_label_set_lines (GTK_LABEL (d->preset_note), 4);
  {
    /* Four lines tall whatever it says (its font's line height). */
    PangoLayout *layout = gtk_widget_create_pango_layout (d->preset_note, "Xg\nXg\nXg\nXg");
    int          height = 0;
    pango_layout_get_pixel_size (layout, NULL, &height);
    gtk_widget_set_size_request (d->preset_note, -1, height);
    g_object_unref (layout);
  }
  g_signal_connect (d->preset_note, "size-allocate", G_CALLBACK (preset_note_allocated), d);
  g_signal_connect (d->config, "notify::preset", G_CALLBACK (preset_changed), d);
  {
    /* The looks offered, for the GUI tests. */
    g_autoptr (GString) shipped = g_string_new (NULL), yours = g_string_new (NULL);

    for (guint i = 0; i < d->presets->len; i++)
      {
        GString *list = i < n_shipped ? shipped : yours;
        g_string_append_printf (list, "%s%s", list->len ? "," : "",
                                smp_preset_get_id (g_ptr_array_index (d->presets, i)));
      }
    smp_plugin_test_log ("looks shipped=%s yours=%s", shipped->str, yours->str);
  }
  save = gtk_button_new_with_label (_("Save as look…"));
  gtk_widget_set_name (save, "smp-save-look");
  gtk_widget_set_tooltip_text (save, _("Save the current look values under a name in your own looks folder"));
  gtk_widget_set_halign (save, GTK_ALIGN_START);
  g_signal_connect (save, "clicked", G_CALLBACK (save_look_clicked), d);
  gtk_box_pack_start (GTK_BOX (box), d->preset_list, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), save, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), d->preset_note, FALSE, FALSE, 0);
  gtk_widget_show_all (box);
  mark_loaded_look (d);
  return box;
}

/* ---- On-canvas preview ----------------------------------------------------------------- */

/* The preview's layer edits are kept out of the undo stack by freezing it only
 * around each edit, not for as long as the preview shows: GIMP's Undo History
 * empties while the stack is frozen, and the artist's history should stay in view. */
static void
quiet_begin (SmpDialog *d)
{
  gimp_image_undo_freeze (d->image);
}

static void
quiet_end (SmpDialog *d)
{
  gimp_image_undo_thaw (d->image);
}

/* For the GUI tests: the canvas preview's layers and whether the image's undo stack
 * is live while they show. */
static void
log_canvas (SmpDialog *d, const char *what)
{
  smp_plugin_test_log ("canvas %s undo_enabled=%d", what, gimp_image_undo_is_enabled (d->image));
}

static void
remove_canvas_layers (SmpDialog *d)
{
  gboolean shown = d->canvas_group != NULL || d->hidden_proposal != NULL;

  if (d->canvas_id != 0)
    {
      g_source_remove (d->canvas_id);
      d->canvas_id = 0;
    }
  if (!shown)
    return;
  quiet_begin (d);
  if (d->canvas_group != NULL)
    {
      if (gimp_item_is_valid (GIMP_ITEM (d->canvas_group)))
        gimp_image_remove_layer (d->image, GIMP_LAYER (d->canvas_group));
      d->canvas_group = NULL;
    }
  if (d->hidden_proposal != NULL)
    {
      if (gimp_item_is_valid (GIMP_ITEM (d->hidden_proposal)))
        gimp_item_set_visible (GIMP_ITEM (d->hidden_proposal), TRUE);
      d->hidden_proposal = NULL;
    }
  /* The image is back as it was: the undo history stays valid. */
  quiet_end (d);
  log_canvas (d, "removed");
  gimp_displays_flush ();
}

static gboolean
write_canvas_layers (gpointer data)
{
  SmpDialog          *d = data;
  g_autoptr(SmpDesign) design = NULL;
  g_autoptr(GError)   error = NULL;
  GimpGroupLayer     *group;
  SmpParams           params;
  SmpRect             extent;
  const SmpMask      *mask = d->target->has_mask ? &d->target->mask : NULL;
  gboolean            shine = TRUE;

  d->canvas_id = 0;
  if (!d->params_ok || d->hairline == NULL)
    return G_SOURCE_REMOVE;
  params = d->params;
  if (d->stage_shown >= 0)
    params.stage = d->stage_shown;
  design = smp_design_new (&params, d->hairline, mask, smp_plugin_target_get_pattern (d->target, params.seed),
                           &error);
  if (design == NULL ||
      !smp_plugin_head_put_on (design, d->image, d->target->offset_x, d->target->offset_y, NULL, NULL, &error) ||
      !smp_design_get_extent (design, &d->target->canvas, &extent))
    return G_SOURCE_REMOVE;
  smp_design_set_output_linear (design, d->target->format.linear);
  smp_design_set_threads (design, gimp_get_num_processors ()); /* GIMP's thread preference */
  g_object_get (d->config, "shine", &shine, NULL);

  quiet_begin (d);
  if (d->target->proposal != NULL && d->hidden_proposal == NULL
      && gimp_item_get_visible (GIMP_ITEM (d->target->proposal)))
    {
      /* Re-edit: the old proposal would darken the new one twice. */
      d->hidden_proposal = d->target->proposal;
      gimp_item_set_visible (GIMP_ITEM (d->hidden_proposal), FALSE);
    }
  if (d->canvas_group != NULL && gimp_item_is_valid (GIMP_ITEM (d->canvas_group)))
    gimp_image_remove_layer (d->image, GIMP_LAYER (d->canvas_group));

  /* The same writer as the run's, so the canvas shows exactly what OK writes. */
  group = smp_plugin_target_new_group (d->target, CANVAS_GROUP_NAME);
  d->canvas_group = group;
  smp_plugin_target_write_sessions (d->target, group, design, &extent, d->session_mask, FALSE, shine, NULL,
                                    &error);
  quiet_end (d);
  log_canvas (d, "shown");
  gimp_displays_flush ();
  return G_SOURCE_REMOVE;
}

static void
schedule_canvas (SmpDialog *d)
{
  if (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (d->canvas_check)))
    return;
  if (d->canvas_id != 0)
    g_source_remove (d->canvas_id);
  /* Full-resolution layers are slow on big photos: wait for a pause in the edits. */
  d->canvas_id = g_timeout_add (CANVAS_DELAY_MS, write_canvas_layers, d);
}

/* With the proposal on the canvas the dialog's own preview is a copy, and the
 * dialog (large by default) would hide what the client is to see: it drops its
 * preview, shrinks to its controls and moves to the right edge of its monitor,
 * as a docked panel; switched off, it comes back as it was. */
static void
set_compact (SmpDialog *d, gboolean compact)
{
  GtkWindow   *window = GTK_WINDOW (d->dialog);
  GdkWindow   *gdk_window = gtk_widget_get_window (d->dialog);
  GdkMonitor  *monitor;
  GdkRectangle area;

  if (compact == d->compact || gdk_window == NULL)
    return;
  d->compact = compact;
  if (!compact)
    {
      gtk_widget_show (smp_plugin_preview_get_widget (d->preview));
      gtk_window_resize (window, d->full_w, d->full_h);
      gtk_window_move (window, d->full_x, d->full_y);
      return;
    }
  gtk_window_get_position (window, &d->full_x, &d->full_y);
  gtk_window_get_size (window, &d->full_w, &d->full_h);
  monitor = gdk_display_get_monitor_at_window (gtk_widget_get_display (d->dialog), gdk_window);
  gdk_monitor_get_workarea (monitor, &area);
  gtk_widget_hide (smp_plugin_preview_get_widget (d->preview));
  /* As narrow as the controls allow; as tall as the work area, for the controls. */
  gtk_window_resize (window, 1, area.height);
  /* Its width is known once resized: compact_configured puts it flush right. */
  d->compact_right = area.x + area.width;
  d->compact_top = area.y;
  gtk_window_move (window, area.x + area.width - d->full_w / 2, area.y);
}

static gboolean
compact_configured (GtkWidget *dialog, GdkEventConfigure *event, SmpDialog *d)
{
  if (d->compact && event->x + event->width != d->compact_right)
    gtk_window_move (GTK_WINDOW (dialog), d->compact_right - event->width, d->compact_top);
  return FALSE;
}

static void
canvas_toggled (GtkToggleButton *toggle, SmpDialog *d)
{
  set_compact (d, gtk_toggle_button_get_active (toggle));
  if (gtk_toggle_button_get_active (toggle))
    schedule_canvas (d);
  else
    remove_canvas_layers (d);
}

/* ---- Preview controls -------------------------------------------------------------------- */

static void
sessions_shown_toggled (GtkToggleButton *toggle, SmpDialog *d)
{
  if (!gtk_toggle_button_get_active (toggle))
    return;
  d->session_mask = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (toggle), "smp-mask"));
  smp_plugin_preview_set_sessions (d->preview, d->session_mask);
  schedule_canvas (d);
}

static void
stage_shown_changed (GtkComboBox *combo, SmpDialog *d)
{
  d->stage_shown = gtk_combo_box_get_active (combo) - 1;
  schedule_update (d);
}

static void
preview_rendered (SmpPluginPreview *preview, gpointer data)
{
  SmpDialog                    *d = data;
  const SmpPluginPreviewTiming *t = smp_plugin_preview_get_timing (preview);
  g_autofree char              *text = g_strdup_printf (_("Preview %d×%d at %.0f%%: %.1f ms"),
                                                        t->width, t->height, t->scale * 100.0,
                                                        t->total_ms);

  gtk_label_set_text (GTK_LABEL (d->timing_label), text);
}

static GtkWidget *
make_preview_controls (SmpDialog *d)
{
  static const struct { const char *label; guint mask; } shown[] = {
    { N_("Session 1"), SMP_SESSION_BIT (0) },
    { N_("Sessions 1–2"), SMP_SESSION_BIT (0) | SMP_SESSION_BIT (1) },
    { N_("All sessions"), SMP_SESSIONS_ALL },
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *stage;
  GSList    *group = NULL;

  gtk_box_pack_start (GTK_BOX (row), gtk_label_new (_("Show:")), FALSE, FALSE, 0);
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      GtkWidget *radio = gtk_radio_button_new_with_label (group, _(shown[i].label));

      group = gtk_radio_button_get_group (GTK_RADIO_BUTTON (radio));
      g_object_set_data (G_OBJECT (radio), "smp-mask", GUINT_TO_POINTER (shown[i].mask));
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (radio), shown[i].mask == SMP_SESSIONS_ALL);
      g_signal_connect (radio, "toggled", G_CALLBACK (sessions_shown_toggled), d);
      gtk_box_pack_start (GTK_BOX (row), radio, FALSE, FALSE, 0);
    }
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_pack_start (GTK_BOX (row), gtk_label_new (_("Stage shown:")), FALSE, FALSE, 0);
  stage = gtk_combo_box_text_new ();
  gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (stage), _("As designed"));
  gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (stage), _("Fresh"));
  gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (stage), _("Healed"));
  gtk_combo_box_text_append_text (GTK_COMBO_BOX_TEXT (stage), _("Aged"));
  gtk_combo_box_set_active (GTK_COMBO_BOX (stage), 0);
  gtk_widget_set_tooltip_text (stage, _("Preview only: show the client how the work looks fresh, "
                                      "healed or aged without changing the design"));
  g_signal_connect (stage, "changed", G_CALLBACK (stage_shown_changed), d);
  gtk_box_pack_start (GTK_BOX (row), stage, FALSE, FALSE, 0);

  d->canvas_check = gtk_check_button_new_with_mnemonic (_("Show on the can_vas"));
  gtk_widget_set_tooltip_text (d->canvas_check,
                               _("Render the proposal into temporary layers on the image, "
                               "for the client to see full-screen; they go away on Cancel"));
  g_signal_connect (d->canvas_check, "toggled", G_CALLBACK (canvas_toggled), d);
  gtk_box_pack_end (GTK_BOX (row), d->canvas_check, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);

  d->timing_label = gtk_label_new (NULL);
  gtk_widget_set_name (d->timing_label, "smp-preview-timing");
  gtk_label_set_xalign (GTK_LABEL (d->timing_label), 0.0);
  gimp_label_set_attributes (GTK_LABEL (d->timing_label), PANGO_ATTR_SCALE, PANGO_SCALE_SMALL, -1);
  gtk_box_pack_start (GTK_BOX (box), d->timing_label, FALSE, FALSE, 0);
  gtk_widget_show_all (box);
  return box;
}

/* ---- The update: config → design → preview ------------------------------------------------ */

/* The shade as the preview composites it: non-linear sRGB, as an 8-bit layer holds it. */
static void
preview_shade (SmpDialog *d, double shade[3])
{
  g_autoptr(GeglColor) color = NULL;

  g_object_get (d->config, "shade", &color, NULL);
  if (color == NULL)
    return;
  if (d->target->format.grey)
    {
      double y = 0.0;
      gegl_color_get_pixel (color, babl_format ("Y' double"), &y);
      shade[0] = shade[1] = shade[2] = CLAMP (y, 0.0, 1.0);
    }
  else
    {
      gegl_color_get_pixel (color, babl_format ("R'G'B' double"), shade);
      for (int k = 0; k < 3; k++)
        shade[k] = CLAMP (shade[k], 0.0, 1.0);
    }
}

/* OK is off exactly while `problem` (nullable) says why, in the bar above all else:
 * what the run would refuse is said before it runs. Logged for the GUI tests. */
static void
set_problem (SmpDialog *d, const char *problem)
{
  gtk_dialog_set_response_sensitive (GTK_DIALOG (d->dialog), GTK_RESPONSE_OK, problem == NULL);
  gtk_label_set_text (GTK_LABEL (d->error_label), problem ? problem : "");
  gtk_widget_set_visible (d->error_bar, problem != NULL);
  /* The message last: it holds spaces. */
  smp_plugin_test_log ("dialog ok=%d problem=%s", problem == NULL, problem ? problem : "");
}

/* The preview opens on the hairline: its bounds with a margin that holds the
 * sentinels ahead and the fade behind, whatever the path's length. */
static void
frame_hairline (SmpDialog *d)
{
  double x0, y0, x1, y1, m;

  if (d->framed || d->hairline == NULL || !d->params_ok
      || !smp_hairline_get_bounds (d->hairline, &x0, &y0, &x1, &y1))
    return;
  m = MAX (FRAME_MARGIN_MM * d->params.px_per_mm, 0.1 * MAX (x1 - x0, y1 - y0));
  smp_plugin_preview_set_frame (d->preview, x0 - m, y0 - m, x1 - x0 + 2 * m, y1 - y0 + 2 * m);
  d->framed = TRUE;
}

static gboolean
update_now (gpointer data)
{
  SmpDialog        *d = data;
  g_autoptr(GError) error = NULL;
  g_autofree char  *problem = NULL;
  SmpDesign        *design = NULL;
  SmpParams         shown;
  SmpRect           extent;
  gint64            start;

  d->update_id = 0;
  problem = update_hairline (d);
  d->params_ok = read_params (d, &d->params, &d->scale_source, &error);
  sync_scale (d);
  update_split_note (d);
  if (!d->params_ok)
    {
      set_problem (d, error->message);
      smp_plugin_preview_set_design (d->preview, NULL, NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  if (problem != NULL)
    {
      set_problem (d, problem);
      smp_plugin_preview_set_design (d->preview, NULL, NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  frame_hairline (d);

  shown = d->params;
  preview_shade (d, shown.shade);
  if (d->stage_shown >= 0)
    shown.stage = d->stage_shown;
  start = g_get_monotonic_time ();
  /* The pattern is the slow part to make: the target keeps it while the seed stays,
   * and the run uses the same one. */
  design = smp_design_new (&shown, d->hairline, d->target->has_mask ? &d->target->mask : NULL,
                           smp_plugin_target_get_pattern (d->target, shown.seed), &error);
  /* The run's own head model and check: the same surface, and a design with no dot
   * on the canvas is refused there. */
  {
    gboolean     on_head = FALSE;
    SmpHeadModel head;

    if (design != NULL &&
        !smp_plugin_head_put_on (design, d->image, d->target->offset_x, d->target->offset_y, &on_head, &head,
                                 &error))
      g_clear_pointer (&design, smp_design_free);
    if (design != NULL && d->head_note != NULL)
      {
        g_autofree char *text = smp_plugin_head_describe (on_head, &head, shown.px_per_mm);
        g_autofree char *line = g_strconcat ("Surface: ", text, NULL);
        gtk_label_set_text (GTK_LABEL (d->head_note), line);
      }
  }
  /* The run's own check: a design with no dot on the canvas is refused there. */
  if (design != NULL && !smp_plugin_target_get_extent (d->target, design, d->hairline, &extent, &error))
    g_clear_pointer (&design, smp_design_free);
  if (design != NULL)
    {
      smp_design_set_threads (design, gimp_get_num_processors ()); /* GIMP's thread preference */
      /* dots and shade in the output's encoding, as the preview reads them (babl) */
      smp_design_set_output_linear (design, d->target->format.linear);
    }
  set_problem (d, design ? NULL : error->message);
  smp_plugin_preview_set_design_ms (d->preview, (g_get_monotonic_time () - start) / 1000.0);
  smp_plugin_preview_set_design (d->preview, design, d->target->has_mask ? &d->target->mask : NULL, NULL);
  schedule_canvas (d);
  return G_SOURCE_REMOVE;
}

static void
schedule_update (SmpDialog *d)
{
  /* Coalesced and below input priority: typing stays fluid, each burst of
   * changes costs one rebuild. */
  if (d->update_id == 0)
    d->update_id = g_idle_add_full (G_PRIORITY_LOW, update_now, d, NULL);
}

static void
config_changed (GObject *config, GParamSpec *pspec, SmpDialog *d)
{
  (void) config;
  if (d->syncing && !strcmp (pspec->name, "path"))
    return;
  if (!strcmp (pspec->name, "path"))
    g_clear_pointer (&d->hairline, smp_hairline_unref);
  schedule_update (d);
}

/* ---- Layout ---------------------------------------------------------------------------------- */

static GtkWidget *
section (GimpProcedureDialog *dialog, const char *id, const char *title, const char *first, ...)
{
  g_autofree char *box_id = g_strconcat (id, "-box", NULL);
  g_autofree char *title_id = g_strconcat (id, "-title", NULL);
  g_autofree char *frame_id = g_strconcat (id, "-frame", NULL);
  GList           *list = NULL;
  GtkWidget       *box;
  va_list          args;

  /* The parameter table's fields of this section, in its order, then the extras. */
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    if (s->section && !strcmp (s->section, id))
      list = g_list_append (list, (gpointer) s->arg);
  va_start (args, first);
  for (const char *name = first; name; name = va_arg (args, const char *))
    list = g_list_append (list, (gpointer) name);
  va_end (args);

  gimp_procedure_dialog_get_label (dialog, title_id, title, FALSE, FALSE);
  box = gimp_procedure_dialog_fill_box_list (dialog, box_id, list);
  gimp_procedure_dialog_fill_frame (dialog, frame_id, title_id, FALSE, box_id);
  g_list_free (list);
  return box;
}

/* The widgets of the parameter table's fields: labels and units come from the
 * table (fractions are percent arguments already). */
static void
make_fields (GimpProcedureDialog *dialog)
{
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    {
      if (!s->section)
        continue;
      switch (s->type)
        {
        case SMP_PARAM_DOUBLE:
        case SMP_PARAM_INT:
          gimp_procedure_dialog_get_scale_entry (dialog, s->arg, 1.0);
          break;
        case SMP_PARAM_SHADE:
          gimp_procedure_dialog_get_color_widget (dialog, s->arg, TRUE, GIMP_COLOR_AREA_FLAT);
          break;
        case SMP_PARAM_CHOICE:
        case SMP_PARAM_SEED:
        case SMP_PARAM_SPLIT:
          gimp_procedure_dialog_get_widget (dialog, s->arg, G_TYPE_NONE);
          break;
        }
    }
}

/* Large by default, so the preview gets most of it: 90% of the monitor's work
 * area, up to DIALOG_MAX_W × DIALOG_MAX_H. */
static void
set_default_size (SmpDialog *d)
{
  GdkDisplay  *display = gtk_widget_get_display (d->dialog);
  GdkMonitor  *monitor = gdk_display_get_primary_monitor (display);
  GdkRectangle area = { 0, 0, DIALOG_MAX_W, DIALOG_MAX_H };

  if (monitor == NULL)
    monitor = gdk_display_get_monitor (display, 0);
  if (monitor != NULL)
    gdk_monitor_get_workarea (monitor, &area);
  gtk_window_set_default_size (GTK_WINDOW (d->dialog), MIN (DIALOG_MAX_W, area.width * 9 / 10),
                               MIN (DIALOG_MAX_H, area.height * 9 / 10));
}

static gboolean
has_property (SmpDialog *d, const char *name)
{
  return g_object_class_find_property (G_OBJECT_GET_CLASS (d->config), name) != NULL;
}

static void
build (SmpDialog *d)
{
  GimpProcedureDialog *dialog = GIMP_PROCEDURE_DIALOG (d->dialog);
  GtkWidget           *box, *row, *button, *label, *controls, *content, *scroller, *paned;

  make_fields (dialog);

  /* Presets */
  label = gimp_procedure_dialog_get_label (dialog, "presets-hint", _("Start from a loo_k:"), FALSE, TRUE);
  box = section (dialog, "presets", _("Looks"), "presets-hint", NULL);
  gtk_box_pack_start (GTK_BOX (box), make_preset_list (d), FALSE, FALSE, 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), d->preset_list);

  /* Hairline: the path (no GIMP widget exists for paths), the scalp side and the
   * design aids' options when the procedure has them. */
  box = section (dialog, "hairline", _("Hairline"),
                 has_property (d, "feminine") ? "feminine" : NULL,
                 has_property (d, "guides") ? "guides" : NULL, NULL);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Path:"));
  d->path_combo = gtk_combo_box_text_new ();
  gtk_widget_set_name (d->path_combo, "smp-path");
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), d->path_combo);
  fill_path_combo (d);
  g_signal_connect (d->path_combo, "changed", G_CALLBACK (path_combo_changed), d);
  gtk_box_pack_start (GTK_BOX (row), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), d->path_combo, TRUE, TRUE, 0);
  gtk_widget_show_all (row);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), row, 0);
  /* What the dots will cover, said before anything covers the whole photo. */
  label = gtk_label_new (NULL);
  gtk_widget_set_name (label, "smp-area-note");
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  {
    g_autofree char *text =
      d->target->area ? g_strdup (_("Treated area: the one stored with the proposal. Select another area to change it."))
      : d->target->has_mask ? g_strdup_printf (_("Treated area: the selection, %d × %d px."),
                                               d->target->canvas.width, d->target->canvas.height)
      : g_strdup (_("No selection: dots cover the whole scalp side of the photo, background and ears too. "
                  "Select the scalp first to confine them."));
    gtk_label_set_text (GTK_LABEL (label), text);
  }
  gtk_widget_show (label);
  gtk_box_pack_start (GTK_BOX (box), label, FALSE, FALSE, 0);
  gtk_box_reorder_child (GTK_BOX (box), label, 1);
  /* Which surface the dots lie on (the head-model field), kept up to date by the preview. */
  d->head_note = gtk_label_new (NULL);
  gtk_widget_set_name (d->head_note, "smp-head-note");
  gtk_label_set_line_wrap (GTK_LABEL (d->head_note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (d->head_note), 40);
  gtk_label_set_xalign (GTK_LABEL (d->head_note), 0.0);
  gtk_widget_show (d->head_note);
  gtk_box_pack_start (GTK_BOX (box), d->head_note, FALSE, FALSE, 0);

  /* Scale: px/mm, where it comes from, and what a mm looks like. */
  gimp_procedure_dialog_get_label (dialog, "scale-hint", _("Photo scale (pixels per mm):"), FALSE, FALSE);
  box = section (dialog, "scale", _("Scale"), "scale-hint", NULL);
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  d->scale_spin = gtk_spin_button_new_with_range (0.5, 200.0, 0.1);
  gtk_widget_set_name (d->scale_spin, "smp-px-per-mm");
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (d->scale_spin), 2);
  g_signal_connect (d->scale_spin, "value-changed", G_CALLBACK (scale_spin_changed), d);
  d->follow_check = gtk_check_button_new_with_label (_("From the calibration"));
  gtk_widget_set_sensitive (d->follow_check, d->have_calibration);
  g_signal_connect (d->follow_check, "toggled", G_CALLBACK (follow_toggled), d);
  gtk_box_pack_start (GTK_BOX (row), d->scale_spin, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), gtk_label_new ("px/mm"), FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), d->follow_check, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (box), row, FALSE, FALSE, 0);
  d->scale_note = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (d->scale_note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (d->scale_note), 40);
  gtk_label_set_xalign (GTK_LABEL (d->scale_note), 0.0);
  gtk_box_pack_start (GTK_BOX (box), d->scale_note, FALSE, FALSE, 0);
  d->ruler = gtk_drawing_area_new ();
  gtk_widget_set_size_request (d->ruler, RULER_MAX_PX + 40, 40);
  gtk_widget_set_tooltip_text (d->ruler, _("One fresh dot and a ruler in mm, at the photo's own pixels"));
  g_signal_connect (d->ruler, "draw", G_CALLBACK (draw_ruler), d);
  gtk_box_pack_start (GTK_BOX (box), d->ruler, FALSE, FALSE, 0);
  d->ruler_note = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (d->ruler_note), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (d->ruler_note), 40);
  gtk_label_set_xalign (GTK_LABEL (d->ruler_note), 0.0);
  gtk_box_pack_start (GTK_BOX (box), d->ruler_note, FALSE, FALSE, 0);
  gtk_widget_show_all (box);

  /* Dots, Shade, Fade */
  section (dialog, "dots", _("Dots"), NULL);
  section (dialog, "shade", _("Shade"), has_property (d, "shine") ? "shine" : NULL, NULL);
  section (dialog, "fade", _("Fade"), NULL);

  /* Sessions: number and split */
  box = section (dialog, "sessions", _("Sessions"), NULL);
  d->split_note = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (d->split_note), 0.0);
  gtk_widget_show (d->split_note);
  gtk_box_pack_start (GTK_BOX (box), d->split_note, FALSE, FALSE, 0);

  /* Seed: with a one-click new variation */
  box = section (dialog, "seed", _("Variation"), NULL);
  button = gtk_button_new_with_label (_("New variation"));
  gtk_widget_set_name (button, "smp-new-variation");
  gtk_widget_set_tooltip_text (button, _("Another dot pattern with the same design"));
  g_signal_connect (button, "clicked", G_CALLBACK (new_variation), d);
  gtk_widget_show (button);
  gtk_box_pack_start (GTK_BOX (box), button, FALSE, FALSE, 0);

  gimp_procedure_dialog_fill_box (dialog, "column-a", "presets-frame", "hairline-frame",
                                  "scale-frame", "seed-frame", NULL);
  gimp_procedure_dialog_fill_box (dialog, "column-b", "dots-frame", "shade-frame",
                                  "fade-frame", "sessions-frame", NULL);
  controls = gimp_procedure_dialog_fill_box (dialog, "controls", "column-a", "column-b", NULL);
  gtk_box_set_spacing (GTK_BOX (controls), 12);
  /* fill() packs the controls into the content area; they move into the paned's
   * scrolled side, so the preview can take the rest of the dialog. */
  gimp_procedure_dialog_fill (dialog, "controls", NULL);
  content = gtk_dialog_get_content_area (GTK_DIALOG (d->dialog));
  g_object_ref (controls);
  gtk_container_remove (GTK_CONTAINER (gtk_widget_get_parent (controls)), controls);

  /* The preview on the left takes what the controls leave: it grows with the
   * dialog, and the divider gives it more at the controls' expense. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_pack_start (GTK_BOX (box), smp_plugin_preview_get_widget (d->preview), TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (box), make_preview_controls (d), FALSE, FALSE, 0);
  gtk_widget_show (box);

  scroller = gtk_scrolled_window_new (NULL, NULL);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 200);
  gtk_container_add (GTK_CONTAINER (scroller), controls);
  g_object_unref (controls);
  {
    /* Keyboard focus (mnemonics, Tab) scrolls the field it lands on into view. */
    GtkWidget *viewport = gtk_bin_get_child (GTK_BIN (scroller));

    gtk_container_set_focus_vadjustment (GTK_CONTAINER (viewport),
                                         gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)));
  }
  gtk_widget_set_margin_start (controls, 6);
  gtk_widget_set_margin_end (controls, 6);
  gtk_widget_show_all (scroller);

  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_name (paned, "smp-paned");
  gtk_paned_pack1 (GTK_PANED (paned), box, TRUE, FALSE);
  gtk_paned_pack2 (GTK_PANED (paned), scroller, FALSE, FALSE);
  gtk_widget_show (paned);

  /* What stops OK, said above everything else. */
  d->error_bar = gtk_info_bar_new ();
  gtk_widget_set_name (d->error_bar, "smp-error");
  gtk_info_bar_set_message_type (GTK_INFO_BAR (d->error_bar), GTK_MESSAGE_ERROR);
  d->error_label = gtk_label_new (NULL);
  gtk_widget_set_name (d->error_label, "smp-error-text");
  gtk_label_set_line_wrap (GTK_LABEL (d->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (d->error_label), 0.0);
  gtk_container_add (GTK_CONTAINER (gtk_info_bar_get_content_area (GTK_INFO_BAR (d->error_bar))),
                     d->error_label);
  gtk_widget_show (d->error_label);
  gtk_widget_set_no_show_all (d->error_bar, TRUE);

  gtk_box_pack_start (GTK_BOX (content), d->error_bar, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (content), paned, TRUE, TRUE, 0);
  set_default_size (d);
  g_signal_connect (d->dialog, "configure-event", G_CALLBACK (compact_configured), d);
}

/* ---- Entry point --------------------------------------------------------------------------------- */

gboolean
smp_plugin_dialog_run (GimpProcedure       *procedure,
                       GimpProcedureConfig *config,
                       SmpPluginTarget     *target)
{
  SmpDialog         d = { 0 };
  gboolean          ok;

  gimp_ui_init (SMP_PLUGIN_BINARY);
  d.target = target; /* the run's own: one target per run */
  d.procedure = procedure;
  d.config = config;
  d.image = target->image;
  d.stage_shown = -1;
  d.session_mask = SMP_SESSIONS_ALL;
  d.hairline_path_id = -2;
  d.have_calibration = smp_plugin_calibration_get (d.image, &d.calibration_px_per_mm, NULL,
                                                   &d.calibration_method);

  d.dialog = gimp_procedure_dialog_new (procedure, config,
                                        d.target->proposal ? _("SMP Hairline – re-edit proposal")
                                                           : _("SMP Hairline – consultation"));
  gimp_procedure_dialog_set_ok_label (GIMP_PROCEDURE_DIALOG (d.dialog),
                                      d.target->proposal ? _("_Update proposal") : _("Cr_eate proposal"));
  d.preview = smp_plugin_preview_new (d.target->client);
  smp_plugin_preview_set_rendered_callback (d.preview, preview_rendered, &d);
  build (&d);

  g_signal_connect (config, "notify", G_CALLBACK (config_changed), &d);
  update_now (&d);
  gtk_widget_show (d.dialog);

  ok = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (d.dialog));

  g_signal_handlers_disconnect_by_data (config, &d);
  if (d.update_id != 0)
    g_source_remove (d.update_id);
  /* On OK the run writes the real proposal in one undo step; the preview layers
   * must be gone first either way. */
  remove_canvas_layers (&d);
  gtk_widget_destroy (d.dialog);
  smp_plugin_preview_free (d.preview);
  g_clear_pointer (&d.hairline, smp_hairline_unref);
  g_clear_pointer (&d.presets, g_ptr_array_unref);
  g_free (d.calibration_method);
  return ok;
}
