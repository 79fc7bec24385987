/* smp-plugin-preview.c: the dialog's live preview: photo from GIMP's thumbnails, dots
 * from smp_design_render on the visible region at the preview's scale, multiplied per session. */
#include "smp-plugin-preview.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define LINEAR_STEPS 16384 /* linear → sRGB table; fine enough for dark, dotted skin */

struct _SmpPluginPreview
{
  GimpDrawable *drawable;
  GtkWidget    *zoom;     /* GimpZoomPreview (a reference held: it outlives the dialog) */
  GtkWidget    *area;     /* its GimpPreviewArea (likewise) */
  GtkWidget    *box;      /* zoom + message */
  GtkWidget    *message;
  GdkRectangle  extents;  /* what the zoom preview shows at factor 1 */

  SmpDesign    *design;
  const SmpMask *clip;
  guint         session_mask;
  guint         idle_id;

  /* The photo of the last view, kept while only the design changes. */
  GBytes       *source;
  int           source_key[6];
  int           source_width, source_height, source_bpp;

  guint8       *layers[SMP_MAX_SESSIONS]; /* one per session, RGBA u8 */
  guint8       *composite;
  gsize         buffer_size;

  gboolean      have_view;
  int           view[4];
  double        view_scale;

  SmpPluginPreviewTiming timing;
  double                 design_ms;
  SmpPluginPreviewRendered rendered;
  gpointer               rendered_data;
};

static float  to_linear[256];
static guint8 from_linear[LINEAR_STEPS + 1];

static gpointer
init_tables (gpointer data)
{
  (void) data;
  for (int i = 0; i < 256; i++)
    {
      double v = i / 255.0;
      to_linear[i] = v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
    }
  for (int i = 0; i <= LINEAR_STEPS; i++)
    {
      double l = (double) i / LINEAR_STEPS;
      double v = l <= 0.0031308 ? l * 12.92 : 1.055 * pow (l, 1 / 2.4) - 0.055;
      from_linear[i] = (guint8) CLAMP (lround (v * 255.0), 0, 255);
    }
  return NULL;
}

static void
ensure_tables (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, init_tables, NULL);
}

static inline guint8
encode (float linear)
{
  return from_linear[(int) (CLAMP (linear, 0.0f, 1.0f) * LINEAR_STEPS + 0.5f)];
}

void
smp_plugin_preview_multiply (guint8       *photo,
                             int           bpp,
                             gsize         photo_stride,
                             const guint8 *layer,
                             gsize         layer_stride,
                             int           width,
                             int           height)
{
  int colour = bpp >= 3 ? 3 : 1;

  g_return_if_fail (bpp >= 1 && bpp <= 4);
  ensure_tables ();
  for (int y = 0; y < height; y++)
    {
      guint8       *p = photo + y * photo_stride;
      const guint8 *l = layer + y * layer_stride;

      for (int x = 0; x < width; x++, p += bpp, l += 4)
        {
          float a = l[3] * (1.0f / 255.0f);

          if (l[3] == 0)
            continue;
          for (int c = 0; c < colour; c++)
            {
              /* Grey photos take the layer's first channel: the plug-in writes grey shades. */
              float dot = to_linear[l[c]];
              p[c] = encode (to_linear[p[c]] * (1.0f - a + a * dot));
            }
        }
    }
}

/* The output multiplies each dot's alpha by the selection's coverage under it;
 * here the coverage is sampled at each preview pixel's centre in image px. */
static void
clip_to_mask (guint8 *layer, int width, int height, const SmpRect *region, double scale,
              const SmpMask *mask)
{
  for (int y = 0; y < height; y++)
    {
      guint8 *l = layer + (gsize) y * width * 4;
      double  iy = (region->y + y + 0.5) / scale;

      for (int x = 0; x < width; x++, l += 4)
        if (l[3] != 0)
          l[3] = (guint8) lround (l[3] * smp_mask_sample (mask, (region->x + x + 0.5) / scale, iy));
    }
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
log_timing (const SmpPluginPreviewTiming *t)
{
  const char *path = g_getenv ("SMP_PREVIEW_LOG");

  g_debug ("preview %dx%d at %.4f px/px: %" G_GSIZE_FORMAT " dots, render %.2f ms, photo %.2f ms, total %.2f ms",
           t->width, t->height, t->scale, t->dots, t->render_ms, t->source_ms, t->total_ms);
  if (path != NULL && *path != '\0')
    {
      FILE *log = fopen (path, "a");

      if (log != NULL)
        {
          fprintf (log, "preview width=%d height=%d scale=%.5f dots=%" G_GSIZE_FORMAT
                   " render_ms=%.3f source_ms=%.3f total_ms=%.3f design_ms=%.3f"
                   " screen_x=%d screen_y=%d\n",
                   t->width, t->height, t->scale, t->dots, t->render_ms, t->source_ms, t->total_ms,
                   t->design_ms, t->screen_x, t->screen_y);
          fclose (log);
        }
    }
}

/* The zoom preview's visible source area, computed as GimpZoomPreview does. */
static void
get_source_area (SmpPluginPreview *self, int *x, int *y, int *w, int *h)
{
  double zoom = gimp_zoom_preview_get_factor (GIMP_ZOOM_PREVIEW (self->zoom));

  gimp_preview_untransform (GIMP_PREVIEW (self->zoom), 0, 0, x, y);
  *w = self->extents.width / zoom;
  *h = self->extents.height / zoom;
}

static gboolean
fetch_source (SmpPluginPreview *self, int sx, int sy, int sw, int sh, int width, int height)
{
  int key[6] = { sx, sy, sw, sh, width, height };

  if (self->source != NULL && memcmp (key, self->source_key, sizeof key) == 0)
    return TRUE;
  g_clear_pointer (&self->source, g_bytes_unref);
  self->source = gimp_drawable_get_sub_thumbnail_data (self->drawable, sx, sy, sw, sh, width, height,
                                                       &self->source_width, &self->source_height,
                                                       &self->source_bpp);
  if (self->source == NULL || self->source_bpp < 1 || self->source_bpp > 4
      || g_bytes_get_size (self->source) < (gsize) self->source_width * self->source_height * self->source_bpp)
    {
      g_clear_pointer (&self->source, g_bytes_unref);
      return FALSE;
    }
  memcpy (self->source_key, key, sizeof key);
  return TRUE;
}

static GimpImageType
type_for_bpp (int bpp)
{
  switch (bpp)
    {
    case 1: return GIMP_GRAY_IMAGE;
    case 2: return GIMP_GRAYA_IMAGE;
    case 3: return GIMP_RGB_IMAGE;
    default: return GIMP_RGBA_IMAGE;
    }
}

static void
render (SmpPluginPreview *self)
{
  GimpPreview *gpreview = GIMP_PREVIEW (self->zoom);
  GtkWidget   *area = gimp_preview_get_area (gpreview);
  gint64       start = g_get_monotonic_time (), step;
  int          width, height, sx, sy, sw, sh, w, h, bpp;
  double       scale;
  gsize        need;

  gimp_preview_get_size (gpreview, &width, &height);
  if (width < 1 || height < 1 || !gtk_widget_get_realized (area))
    return;
  get_source_area (self, &sx, &sy, &sw, &sh);
  if (sw < 1 || sh < 1)
    return;

  memset (&self->timing, 0, sizeof self->timing);
  self->timing.design_ms = self->design_ms;
  self->design_ms = 0.0; /* counted once: scrolling does not remake the design */
  if (!fetch_source (self, sx, sy, sw, sh, width, height))
    return;
  self->timing.source_ms = ms_since (start);
  w = self->source_width;
  h = self->source_height;
  bpp = self->source_bpp;

  need = (gsize) w * h * 4;
  if (need > self->buffer_size)
    {
      for (int k = 0; k < SMP_MAX_SESSIONS; k++)
        {
          g_free (self->layers[k]);
          self->layers[k] = g_malloc (need);
        }
      g_free (self->composite);
      self->composite = g_malloc (need);
      self->buffer_size = need;
    }
  memcpy (self->composite, g_bytes_get_data (self->source, NULL), (gsize) w * h * bpp);

  /* GIMP scales the source area onto the returned thumbnail: that is our scale. */
  scale = (double) w / sw;
  self->have_view = TRUE;
  self->view[0] = sx;
  self->view[1] = sy;
  self->view[2] = sw;
  self->view[3] = sh;
  self->view_scale = scale;

  step = g_get_monotonic_time ();
  if (self->design != NULL && gimp_preview_get_update (gpreview))
    {
      const SmpParams *params = smp_design_get_params (self->design);
      SmpRect          region = { (int) lround (sx * scale), (int) lround (sy * scale), w, h };

      guint            masks[SMP_MAX_SESSIONS];
      void            *outs[SMP_MAX_SESSIONS];
      int              n = 0;
      g_autoptr (GError) error = NULL;

      /* A layer per session, multiplied in turn: each session is its own Multiply
       * layer in the output, so this is what the canvas will show. One placement
       * pass feeds them all; the engine spreads the bands over the cores. */
      for (int k = 0; k < params->sessions; k++)
        if (self->session_mask & SMP_SESSION_BIT (k))
          {
            masks[n] = SMP_SESSION_BIT (k);
            outs[n++] = self->layers[k];
          }
      if (n > 0 && !smp_design_render_layers (self->design, &region, scale, n, masks, SMP_PIXEL_RGBA_U8,
                                              outs, (gsize) w * 4, &error))
        gtk_label_set_text (GTK_LABEL (self->message), error->message);
      else
        for (int i = 0; i < n; i++)
          {
            if (self->clip != NULL)
              clip_to_mask (outs[i], w, h, &region, scale, self->clip);
            smp_plugin_preview_multiply (self->composite, bpp, (gsize) w * bpp, outs[i], (gsize) w * 4, w, h);
          }
    }
  self->timing.render_ms = ms_since (step);

  gimp_preview_area_draw (GIMP_PREVIEW_AREA (area), 0, 0, w, h, type_for_bpp (bpp),
                          self->composite, w * bpp);
  self->timing.width = w;
  self->timing.height = h;
  self->timing.scale = scale;
  self->timing.total_ms = ms_since (start);
  gdk_window_get_origin (gtk_widget_get_window (area), &self->timing.screen_x, &self->timing.screen_y);

  if (self->design != NULL && (g_getenv ("SMP_PREVIEW_LOG") != NULL || g_getenv ("G_MESSAGES_DEBUG") != NULL))
    {
      SmpRect visible = { sx, sy, sw, sh };
      self->timing.dots = smp_design_count (self->design, &visible, NULL);
    }
  log_timing (&self->timing);
  if (self->rendered != NULL)
    self->rendered (self, self->rendered_data);
}

static void
invalidated (GimpPreview *gpreview, SmpPluginPreview *self)
{
  (void) gpreview;
  render (self);
}

static gboolean
refresh_idle (gpointer data)
{
  SmpPluginPreview *self = data;

  self->idle_id = 0;
  render (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (SmpPluginPreview *self)
{
  /* Below GTK's input and redraw priorities: keystrokes are handled first, and a
   * burst of changes collapses into one render. */
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_LOW, refresh_idle, self, NULL);
}

void
smp_plugin_preview_set_rendered_callback (SmpPluginPreview        *self,
                                          SmpPluginPreviewRendered callback,
                                          gpointer                 data)
{
  g_return_if_fail (self != NULL);
  self->rendered = callback;
  self->rendered_data = data;
}

static void
area_mapped (GtkWidget *area, SmpPluginPreview *self)
{
  (void) area;
  /* A render asked for before the dialog showed had nowhere to draw. */
  schedule (self);
}

SmpPluginPreview *
smp_plugin_preview_new (GimpDrawable *drawable)
{
  SmpPluginPreview *self;
  int               x, y, w, h;

  g_return_val_if_fail (GIMP_IS_DRAWABLE (drawable), NULL);

  ensure_tables ();
  self = g_new0 (SmpPluginPreview, 1);
  self->drawable = g_object_ref (drawable);
  self->session_mask = SMP_SESSIONS_ALL;

  if (gimp_drawable_mask_intersect (drawable, &x, &y, &w, &h))
    self->extents = (GdkRectangle) { x, y, w, h };
  else
    self->extents = (GdkRectangle) { 0, 0, gimp_drawable_get_width (drawable),
                                     gimp_drawable_get_height (drawable) };

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_object_ref_sink (self->box);
  self->zoom = gimp_zoom_preview_new_from_drawable (drawable);
  gtk_widget_set_name (self->zoom, "smp-preview");
  gtk_box_pack_start (GTK_BOX (self->box), self->zoom, FALSE, FALSE, 0);
  /* The preview asks to expand; keep it at its size, top-aligned, in tall dialogs. */
  gtk_widget_set_vexpand (self->box, FALSE);
  gtk_widget_set_valign (self->box, GTK_ALIGN_START);
  gtk_widget_show (self->zoom);
  self->message = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (self->message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->message), 0.0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->message), 50);
  gtk_box_pack_start (GTK_BOX (self->box), self->message, FALSE, FALSE, 0);
  gtk_widget_show (self->message);
  gtk_widget_show (self->box);

  g_object_ref (self->zoom);
  self->area = g_object_ref (gimp_preview_get_area (GIMP_PREVIEW (self->zoom)));
  g_signal_connect (self->zoom, "invalidated", G_CALLBACK (invalidated), self);
  g_signal_connect (self->area, "map", G_CALLBACK (area_mapped), self);
  return self;
}

void
smp_plugin_preview_free (SmpPluginPreview *self)
{
  if (self == NULL)
    return;
  if (self->idle_id != 0)
    g_source_remove (self->idle_id);
  /* The dialog may be destroyed already: the widgets are then disposed but alive. */
  g_signal_handlers_disconnect_by_data (self->zoom, self);
  g_signal_handlers_disconnect_by_data (self->area, self);
  g_object_unref (self->area);
  g_object_unref (self->zoom);
  g_clear_pointer (&self->design, smp_design_free);
  g_clear_pointer (&self->source, g_bytes_unref);
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    g_free (self->layers[k]);
  g_free (self->composite);
  g_object_unref (self->box);
  g_object_unref (self->drawable);
  g_free (self);
}

GtkWidget *
smp_plugin_preview_get_widget (SmpPluginPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->box;
}

void
smp_plugin_preview_set_design (SmpPluginPreview *self,
                               SmpDesign        *design,
                               const SmpMask    *clip,
                               const char       *message)
{
  g_return_if_fail (self != NULL);

  if (self->design != design)
    g_clear_pointer (&self->design, smp_design_free);
  self->design = design;
  self->clip = clip;
  gtk_label_set_text (GTK_LABEL (self->message), message ? message : "");
  schedule (self);
}

void
smp_plugin_preview_set_design_ms (SmpPluginPreview *self, double design_ms)
{
  g_return_if_fail (self != NULL);
  self->design_ms = design_ms;
}

void
smp_plugin_preview_set_sessions (SmpPluginPreview *self, guint session_mask)
{
  g_return_if_fail (self != NULL);

  if (self->session_mask == session_mask)
    return;
  self->session_mask = session_mask;
  schedule (self);
}

const SmpPluginPreviewTiming *
smp_plugin_preview_get_timing (SmpPluginPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->timing;
}

void
smp_plugin_preview_zoom_actual_pixels (SmpPluginPreview *self)
{
  GimpZoomModel *model;
  int            width, height;

  g_return_if_fail (self != NULL);

  model = gimp_zoom_preview_get_model (GIMP_ZOOM_PREVIEW (self->zoom));
  gimp_preview_get_size (GIMP_PREVIEW (self->zoom), &width, &height);
  if (model != NULL && width > 0)
    gimp_zoom_model_zoom (model, GIMP_ZOOM_TO, MAX (1.0, (double) self->extents.width / width));
}

void
smp_plugin_preview_zoom_fit (SmpPluginPreview *self)
{
  GimpZoomModel *model;

  g_return_if_fail (self != NULL);

  model = gimp_zoom_preview_get_model (GIMP_ZOOM_PREVIEW (self->zoom));
  if (model != NULL)
    gimp_zoom_model_zoom (model, GIMP_ZOOM_TO, 1.0);
}
