/* smp-plugin-preview.c: the dialog's live preview: a GtkDrawingArea view (zoom, Fit, 1:1, drag to pan,
 * before/after) of GIMP's thumbnails with smp_design_render's dots at the view's scale, multiplied per session. */
#include "smp-plugin-preview.h"
#include "smp-plugin-preview-composite.h"
#include "smp-plugin-common.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define VIEW_MIN_W   360   /* px: the view's smallest size; it grows with the dialog */
#define VIEW_MIN_H   270
#define ZOOM_STEP    1.5
#define ZOOM_MAX     8.0   /* 800%: single dots fill the view */
#define FRAME_MAX    1.0   /* framing never magnifies past the photo's own pixels */
#define SOURCE_TILE  1024  /* GIMP's sub-thumbnails are at most 1024 px a side */

typedef enum
{
  VIEW_FIT,    /* the whole drawable, refitted when the view is resized */
  VIEW_FRAME,  /* the frame (hairline + margin), refitted likewise */
  VIEW_FREE,   /* the artist's zoom and centre, kept on resize */
} ViewMode;

struct _SmpPluginPreview
{
  GimpDrawable *drawable;
  int           drawable_w, drawable_h;
  GtkWidget    *box;      /* toolbar + view + message (a reference held: it outlives the dialog) */
  GtkWidget    *area;     /* the GtkDrawingArea */
  GtkWidget    *message;
  GtkWidget    *zoom_label;
  GtkWidget    *before_toggle;

  SmpDesign    *design;
  const SmpMask *clip;
  guint         session_mask;
  guint         idle_id;

  /* The view: `scale` view px per drawable px, centred on (cx, cy) drawable px. */
  ViewMode      mode;
  double        scale, cx, cy;
  gboolean      have_frame;
  double        frame[4];
  int           alloc_w, alloc_h;   /* the allocation the view was last fitted to */
  gboolean      dragging;
  double        drag_x, drag_y, drag_cx, drag_cy;

  /* The photo of the last view, kept while only the design changes. */
  GBytes       *source;
  int           source_key[6];
  int           source_width, source_height, source_bpp;
  guint         source_serial;            /* counts the fetches: which photo `linear` holds */

  guint8       *layers[SMP_MAX_SESSIONS]; /* one per session, RGBA u8 in layer_format */
  float        *linear;                   /* the source in work_format (RGBA float), made once a fetch */
  guint         linear_serial;            /* the fetch it was made from (0: none) */
  gsize         buffer_size;

  /* Colour, by babl in the image's own space: the thumbnails come in the
   * drawable's format (precision, TRC, space), the dots in the output's encoding,
   * they multiply in linear light (work_format) and are shown as sRGB. */
  const Babl   *photo_format;
  const Babl   *layer_format;
  const Babl   *work_format;
  SmpPluginPreviewColour colour; /* the same conversions by table, where they stand in */

  /* What draw() paints: the composite at (surface_x, surface_y) view px, scaled
   * by surface_zoom (1 unless the thumbnail came smaller than asked). */
  cairo_surface_t *surface;
  int              surface_x, surface_y;
  double           surface_zoom;

  SmpPluginPreviewTiming timing;
  double                 design_ms;
  SmpPluginPreviewRendered rendered;
  gpointer               rendered_data;
};

/* The format GIMP's sub-thumbnails come in (measured on both series):
 * GIMP 3.0 sends the drawable's own format (precision, TRC and colour space,
 * though its thumbnail format names sRGB); GIMP 3.2 sends its thumbnail format,
 * in 8 bits whatever the precision while naming the drawable's ("RGB float",
 * 3 bytes a pixel), so a probe's size picks the 8-bit non-linear variant. */
static const Babl *
thumbnail_format (GimpDrawable *drawable)
{
  const Babl        *format = gimp_drawable_get_thumbnail_format (drawable);
  g_autoptr (GBytes) probe = NULL;
  int                w = 0, h = 0, bpp = 0, channels;

  if (format == NULL || (gimp_major_version == 3 && gimp_minor_version < 2))
    return gimp_drawable_get_format (drawable);
  probe = gimp_drawable_get_sub_thumbnail_data (drawable, 0, 0, 1, 1, 1, 1, &w, &h, &bpp);
  channels = babl_format_get_n_components (format);
  if (probe != NULL && bpp != babl_format_get_bytes_per_pixel (format) && bpp == channels)
    {
      const char *name = channels == 1 ? "Y' u8" : channels == 2 ? "Y'A u8" : channels == 3 ? "R'G'B' u8"
                                                                                         : "R'G'B'A u8";
      format = babl_format_with_space (name, babl_format_get_space (format));
    }
  return format;
}

/* The engine's RGBA u8 dots as the output encodes them (smp_plugin_format_for_image's
 * rule): linear light on linear images, else the image's TRC, in its space. */
static const Babl *
layer_format_for (const Babl *drawable_format)
{
  const char *model = babl_get_name (babl_format_get_model (drawable_format));
  const char *name = strchr (model, '~') ? "R~G~B~A u8" : strchr (model, '\'') ? "R'G'B'A u8" : "RGBA u8";

  return babl_format_with_space (name, babl_format_get_space (drawable_format));
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
  g_debug ("preview %dx%d at %.4f px/px: %" G_GSIZE_FORMAT " dots, render %.2f ms, photo %.2f ms, total %.2f ms",
           t->width, t->height, t->scale, t->dots, t->render_ms, t->source_ms, t->total_ms);
  smp_plugin_test_log ("preview width=%d height=%d scale=%.5f dots=%" G_GSIZE_FORMAT
                       " render_ms=%.3f composite_ms=%.3f source_ms=%.3f total_ms=%.3f design_ms=%.3f"
                       " screen_x=%d screen_y=%d view_x=%d view_y=%d view_w=%d view_h=%d"
                       " area_w=%d area_h=%d before=%d",
                       t->width, t->height, t->scale, t->dots, t->render_ms, t->composite_ms, t->source_ms,
                       t->total_ms, t->design_ms, t->screen_x, t->screen_y, t->view_x, t->view_y, t->view_w, t->view_h,
                       t->area_w, t->area_h, t->before ? 1 : 0);
}

/* ---- The view's geometry ----------------------------------------------------------- */

static double
fit_scale (SmpPluginPreview *self, double w, double h)
{
  int aw = gtk_widget_get_allocated_width (self->area);
  int ah = gtk_widget_get_allocated_height (self->area);

  if (aw < 1 || ah < 1 || w <= 0 || h <= 0)
    return 0.0;
  return MIN (aw / w, ah / h);
}

static void
update_zoom_label (SmpPluginPreview *self)
{
  g_autofree char *text = g_strdup_printf ("%.0f%%", self->scale * 100.0);

  gtk_label_set_text (GTK_LABEL (self->zoom_label), text);
}

/* Recomputes scale and centre for the fitted modes, from the current allocation. */
static void
apply_mode (SmpPluginPreview *self)
{
  double s;

  switch (self->mode)
    {
    case VIEW_FIT:
      s = fit_scale (self, self->drawable_w, self->drawable_h);
      if (s > 0)
        {
          self->scale = s;
          self->cx = self->drawable_w / 2.0;
          self->cy = self->drawable_h / 2.0;
        }
      break;
    case VIEW_FRAME:
      s = fit_scale (self, self->frame[2], self->frame[3]);
      if (s > 0)
        {
          self->scale = MIN (s, FRAME_MAX);
          self->cx = self->frame[0] + self->frame[2] / 2.0;
          self->cy = self->frame[1] + self->frame[3] / 2.0;
        }
      break;
    case VIEW_FREE:
      break;
    }
  self->cx = CLAMP (self->cx, 0.0, (double) self->drawable_w);
  self->cy = CLAMP (self->cy, 0.0, (double) self->drawable_h);
  update_zoom_label (self);
}

/* ---- The photo ----------------------------------------------------------------------- */

/* One sub-thumbnail of exactly dw × dh px, into `out` (stride `out_stride`) at (ox, oy). */
static gboolean
fetch_tile (SmpPluginPreview *self, int sx, int sy, int sw, int sh, int dw, int dh,
            guint8 *out, gsize out_stride, int ox, int oy, int bpp)
{
  g_autoptr (GBytes) tile = NULL;
  int                tw = 0, th = 0, tbpp = 0;
  const guint8      *data;

  tile = gimp_drawable_get_sub_thumbnail_data (self->drawable, sx, sy, sw, sh, dw, dh, &tw, &th, &tbpp);
  if (tile == NULL || tw != dw || th != dh || tbpp != bpp || g_bytes_get_size (tile) < (gsize) tw * th * tbpp)
    return FALSE;
  data = g_bytes_get_data (tile, NULL);
  for (int y = 0; y < th; y++)
    memcpy (out + (gsize) (oy + y) * out_stride + (gsize) ox * tbpp, data + (gsize) y * tw * tbpp,
            (gsize) tw * tbpp);
  return TRUE;
}

/* The photo's (sx, sy, sw, sh) at width × height px. GIMP's sub-thumbnails are
 * at most SOURCE_TILE px a side, so a large view is fetched in tiles whose
 * edges fall on whole source and view pixels of the same grid. */
static gboolean
fetch_source (SmpPluginPreview *self, int sx, int sy, int sw, int sh, int width, int height)
{
  int      key[6] = { sx, sy, sw, sh, width, height };
  int      nx = (width + SOURCE_TILE - 1) / SOURCE_TILE, ny = (height + SOURCE_TILE - 1) / SOURCE_TILE;
  /* Thumbnails come in GIMP's thumbnail format for the drawable; each tile is checked against it. */
  int      bpp = babl_format_get_bytes_per_pixel (self->photo_format);
  gsize    stride = (gsize) width * bpp;
  guint8  *pixels;

  if (self->source != NULL && memcmp (key, self->source_key, sizeof key) == 0)
    return TRUE;
  g_clear_pointer (&self->source, g_bytes_unref);
  pixels = g_malloc (stride * height);
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++)
      {
        /* Tile edges in source px, and the view px they land on. */
        int x0 = sx + (int) ((gint64) sw * i / nx), x1 = sx + (int) ((gint64) sw * (i + 1) / nx);
        int y0 = sy + (int) ((gint64) sh * j / ny), y1 = sy + (int) ((gint64) sh * (j + 1) / ny);
        int d0 = (int) ((gint64) width * (x0 - sx) / sw), d1 = (int) ((gint64) width * (x1 - sx) / sw);
        int e0 = (int) ((gint64) height * (y0 - sy) / sh), e1 = (int) ((gint64) height * (y1 - sy) / sh);

        if (x1 <= x0 || y1 <= y0 || d1 <= d0 || e1 <= e0)
          continue;
        if (!fetch_tile (self, x0, y0, x1 - x0, y1 - y0, d1 - d0, e1 - e0, pixels, stride, d0, e0, bpp))
          {
            g_free (pixels);
            return FALSE;
          }
      }
  self->source = g_bytes_new_take (pixels, (gsize) width * height * bpp);
  self->source_serial++;
  self->source_width = width;
  self->source_height = height;
  self->source_bpp = bpp;
  memcpy (self->source_key, key, sizeof key);
  return TRUE;
}

/* The view as a cairo surface (smp-plugin-preview-composite.c): the photo, converted
 * once a fetch, with the `n` session layers multiplied over it. */
static cairo_surface_t *
composite_surface (SmpPluginPreview *self, void *const *layers, int n, int w, int h)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);

  cairo_surface_flush (surface);
  smp_plugin_preview_composite (self->linear, (const guint8 *const *) layers, n, self->layer_format,
                                self->work_format, &self->colour, w, h, cairo_image_surface_get_data (surface),
                                cairo_image_surface_get_stride (surface), gimp_get_num_processors ());
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* ---- The render: one function for every view, the engine's render at the view's scale --- */

static void
render (SmpPluginPreview *self)
{
  gint64  start = g_get_monotonic_time (), step;
  int     aw = gtk_widget_get_allocated_width (self->area);
  int     ah = gtk_widget_get_allocated_height (self->area);
  int     sx, sy, sw, sh, dw, dh, w, h;
  double  x0, y0, s, scale;
  gsize   need;
  void   *outs[SMP_MAX_SESSIONS];
  int     n = 0, shown = 0;

  if (aw < 2 || ah < 2 || !gtk_widget_get_realized (self->area))
    return;
  if (aw != self->alloc_w || ah != self->alloc_h)
    {
      self->alloc_w = aw;
      self->alloc_h = ah;
      apply_mode (self);
    }
  s = self->scale;
  if (s <= 0)
    return;

  /* The drawable px the view covers, clipped to the drawable. */
  x0 = self->cx - aw / (2.0 * s);
  y0 = self->cy - ah / (2.0 * s);
  sx = MAX (0, (int) floor (x0));
  sy = MAX (0, (int) floor (y0));
  sw = MIN (self->drawable_w, (int) ceil (x0 + aw / s)) - sx;
  sh = MIN (self->drawable_h, (int) ceil (y0 + ah / s)) - sy;
  if (sw < 1 || sh < 1)
    return;
  dw = MAX (1, (int) lround (sw * s));
  dh = MAX (1, (int) lround (sh * s));

  memset (&self->timing, 0, sizeof self->timing);
  self->timing.design_ms = self->design_ms;
  self->design_ms = 0.0; /* counted once: panning does not remake the design */
  if (!fetch_source (self, sx, sy, sw, sh, dw, dh))
    return;
  self->timing.source_ms = ms_since (start);
  w = self->source_width;
  h = self->source_height;

  need = (gsize) w * h * 4;
  if (need > self->buffer_size)
    {
      for (int k = 0; k < SMP_MAX_SESSIONS; k++)
        {
          g_free (self->layers[k]);
          self->layers[k] = g_malloc (need);
        }
      g_free (self->linear);
      self->linear = g_malloc (need * sizeof (float));
      self->linear_serial = 0;
      self->buffer_size = need;
    }
  if (self->linear_serial != self->source_serial)
    {
      /* Only the design changes between most refreshes: the photo is converted once. */
      step = g_get_monotonic_time ();
      smp_plugin_preview_convert_photo (g_bytes_get_data (self->source, NULL), (gsize) w * self->source_bpp,
                                        self->photo_format, self->linear, self->work_format, w, h,
                                        gimp_get_num_processors ());
      self->linear_serial = self->source_serial;
      self->timing.composite_ms = ms_since (step);
    }

  /* GIMP scales the source area onto the returned thumbnail: that is the render's
   * scale (the view's, unless GIMP gave a smaller thumbnail than asked). */
  scale = (double) w / sw;
  self->timing.before = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->before_toggle));

  step = g_get_monotonic_time ();
  if (self->design != NULL && !self->timing.before)
    {
      const SmpParams *params = smp_design_get_params (self->design);
      SmpRect          region = { (int) lround (sx * scale), (int) lround (sy * scale), w, h };
      guint            masks[SMP_MAX_SESSIONS];
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
        {
          if (self->clip != NULL)
            for (int i = 0; i < n; i++)
              clip_to_mask (outs[i], w, h, &region, scale, self->clip);
          shown = n;
        }
    }
  self->timing.render_ms = ms_since (step);

  /* All sessions in one pass over the composite, as it is shown. */
  step = g_get_monotonic_time ();
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->surface = composite_surface (self, outs, shown, w, h);
  self->timing.composite_ms += ms_since (step);
  self->surface_x = (int) lround ((sx - x0) * s);
  self->surface_y = (int) lround ((sy - y0) * s);
  self->surface_zoom = s / scale;
  gtk_widget_queue_draw (self->area);

  self->timing.width = w;
  self->timing.height = h;
  self->timing.scale = scale;
  self->timing.view_x = sx;
  self->timing.view_y = sy;
  self->timing.view_w = sw;
  self->timing.view_h = sh;
  self->timing.area_w = aw;
  self->timing.area_h = ah;
  self->timing.total_ms = ms_since (start);
  gdk_window_get_origin (gtk_widget_get_window (self->area), &self->timing.screen_x, &self->timing.screen_y);
  {
    /* The area may not own its GdkWindow: add its place in the window's. */
    GtkAllocation a;

    gtk_widget_get_allocation (self->area, &a);
    if (!gtk_widget_get_has_window (self->area))
      {
        self->timing.screen_x += a.x;
        self->timing.screen_y += a.y;
      }
    self->timing.screen_x += self->surface_x;
    self->timing.screen_y += self->surface_y;
  }

  if (self->design != NULL && (g_getenv ("SMP_PREVIEW_LOG") != NULL || g_getenv ("G_MESSAGES_DEBUG") != NULL))
    {
      SmpRect visible = { sx, sy, sw, sh };
      self->timing.dots = self->timing.before ? 0 : smp_design_count (self->design, &visible, NULL);
    }
  log_timing (&self->timing);
  if (self->rendered != NULL)
    self->rendered (self, self->rendered_data);
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

/* ---- The view widget's events ------------------------------------------------------ */

static gboolean
area_draw (GtkWidget *area, cairo_t *cr, SmpPluginPreview *self)
{
  GtkStyleContext *style = gtk_widget_get_style_context (area);

  gtk_render_background (style, cr, 0, 0, gtk_widget_get_allocated_width (area),
                         gtk_widget_get_allocated_height (area));
  if (self->surface == NULL)
    return FALSE;
  cairo_save (cr);
  cairo_translate (cr, self->surface_x, self->surface_y);
  if (fabs (self->surface_zoom - 1.0) > 1e-6)
    cairo_scale (cr, self->surface_zoom, self->surface_zoom);
  cairo_set_source_surface (cr, self->surface, 0, 0);
  /* Pixels as rendered: a dot's edge is the engine's, not a smoothing filter's. */
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
  return FALSE;
}

static void
area_size_allocate (GtkWidget *area, GdkRectangle *allocation, SmpPluginPreview *self)
{
  (void) area;
  if (allocation->width != self->alloc_w || allocation->height != self->alloc_h)
    schedule (self);
}

static void
area_mapped (GtkWidget *area, SmpPluginPreview *self)
{
  (void) area;
  /* A render asked for before the dialog showed had nowhere to draw. */
  schedule (self);
}

/* Zooms to `scale`, keeping the drawable point under view px (vx, vy) in place. */
static void
zoom_at (SmpPluginPreview *self, double scale, double vx, double vy)
{
  int    aw = gtk_widget_get_allocated_width (self->area);
  int    ah = gtk_widget_get_allocated_height (self->area);
  double fit = fit_scale (self, self->drawable_w, self->drawable_h);
  double px, py;

  if (self->scale <= 0)
    return;
  scale = CLAMP (scale, MIN (fit, 1.0) / 2.0, ZOOM_MAX);
  px = self->cx + (vx - aw / 2.0) / self->scale;
  py = self->cy + (vy - ah / 2.0) / self->scale;
  self->cx = px - (vx - aw / 2.0) / scale;
  self->cy = py - (vy - ah / 2.0) / scale;
  self->scale = scale;
  self->mode = VIEW_FREE;
  apply_mode (self);
  schedule (self);
}

static gboolean
area_scroll (GtkWidget *area, GdkEventScroll *event, SmpPluginPreview *self)
{
  (void) area;
  if (event->direction == GDK_SCROLL_UP)
    zoom_at (self, self->scale * ZOOM_STEP, event->x, event->y);
  else if (event->direction == GDK_SCROLL_DOWN)
    zoom_at (self, self->scale / ZOOM_STEP, event->x, event->y);
  else
    return FALSE;
  return TRUE;
}

static gboolean
area_press (GtkWidget *area, GdkEventButton *event, SmpPluginPreview *self)
{
  if (event->button != 1 || event->type != GDK_BUTTON_PRESS)
    return FALSE;
  gtk_widget_grab_focus (area);
  self->dragging = TRUE;
  self->drag_x = event->x;
  self->drag_y = event->y;
  self->drag_cx = self->cx;
  self->drag_cy = self->cy;
  return TRUE;
}

static gboolean
area_release (GtkWidget *area, GdkEventButton *event, SmpPluginPreview *self)
{
  (void) area;
  if (event->button == 1)
    self->dragging = FALSE;
  return FALSE;
}

static gboolean
area_motion (GtkWidget *area, GdkEventMotion *event, SmpPluginPreview *self)
{
  (void) area;
  if (!self->dragging || self->scale <= 0)
    return FALSE;
  /* Dragging moves the photo with the pointer. */
  self->cx = self->drag_cx - (event->x - self->drag_x) / self->scale;
  self->cy = self->drag_cy - (event->y - self->drag_y) / self->scale;
  self->mode = VIEW_FREE;
  apply_mode (self);
  schedule (self);
  return TRUE;
}

static void
zoom_in_clicked (GtkButton *button, SmpPluginPreview *self)
{
  (void) button;
  zoom_at (self, self->scale * ZOOM_STEP, gtk_widget_get_allocated_width (self->area) / 2.0,
           gtk_widget_get_allocated_height (self->area) / 2.0);
}

static void
zoom_out_clicked (GtkButton *button, SmpPluginPreview *self)
{
  (void) button;
  zoom_at (self, self->scale / ZOOM_STEP, gtk_widget_get_allocated_width (self->area) / 2.0,
           gtk_widget_get_allocated_height (self->area) / 2.0);
}

static void
fit_clicked (GtkButton *button, SmpPluginPreview *self)
{
  (void) button;
  smp_plugin_preview_zoom_fit (self);
}

static void
actual_clicked (GtkButton *button, SmpPluginPreview *self)
{
  (void) button;
  smp_plugin_preview_zoom_actual_pixels (self);
}

static void
frame_clicked (GtkButton *button, SmpPluginPreview *self)
{
  (void) button;
  smp_plugin_preview_zoom_frame (self);
}

static void
before_toggled (GtkToggleButton *toggle, SmpPluginPreview *self)
{
  (void) toggle;
  schedule (self);
}

static GtkWidget *
tool_button (GtkWidget *row, const char *label, const char *tooltip, GCallback clicked, gpointer data)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect (button, "clicked", clicked, data);
  gtk_box_pack_start (GTK_BOX (row), button, FALSE, FALSE, 0);
  return button;
}

SmpPluginPreview *
smp_plugin_preview_new (GimpDrawable *drawable)
{
  SmpPluginPreview *self;
  GtkWidget        *row, *frame;

  g_return_val_if_fail (GIMP_IS_DRAWABLE (drawable), NULL);

  self = g_new0 (SmpPluginPreview, 1);
  self->drawable = g_object_ref (drawable);
  self->photo_format = thumbnail_format (drawable);
  self->layer_format = layer_format_for (gimp_drawable_get_format (drawable));
  self->work_format = babl_format_with_space ("RGBA float", babl_format_get_space (self->layer_format));
  smp_plugin_preview_colour_init (&self->colour, self->layer_format, self->work_format);
  self->drawable_w = gimp_drawable_get_width (drawable);
  self->drawable_h = gimp_drawable_get_height (drawable);
  self->session_mask = SMP_SESSIONS_ALL;
  /* The whole drawable, whatever the selection: a small selection is a small part
   * of the view, not a small view. */
  self->mode = VIEW_FIT;
  self->cx = self->drawable_w / 2.0;
  self->cy = self->drawable_h / 2.0;
  self->surface_zoom = 1.0;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_object_ref_sink (self->box);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  tool_button (row, "−", _("Zoom out (or scroll down over the preview)"), G_CALLBACK (zoom_out_clicked), self);
  tool_button (row, "+", _("Zoom in (or scroll up over the preview)"), G_CALLBACK (zoom_in_clicked), self);
  tool_button (row, _("Fit"), _("Show the whole photo"), G_CALLBACK (fit_clicked), self);
  tool_button (row, "1:_1", _("Zoom the preview to the photo's own pixels: dots at their true size"),
               G_CALLBACK (actual_clicked), self);
  tool_button (row, _("Hairline"), _("Frame the hairline and the zones around it"), G_CALLBACK (frame_clicked), self);
  self->zoom_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->zoom_label, "smp-preview-zoom");
  gtk_box_pack_start (GTK_BOX (row), self->zoom_label, FALSE, FALSE, 6);
  /* How to move the view, said beside it: a tooltip on the view itself would pop
   * up over the photo wherever the pointer rests (GIMP's pointer is often there,
   * where the artist last selected) and hide part of what the client looks at;
   * under Xvfb it even stays an unpainted black box. */
  {
    GtkWidget *hint = gtk_label_new (_("Drag to pan, scroll to zoom"));

    gtk_widget_set_name (hint, "smp-preview-hint");
    gtk_style_context_add_class (gtk_widget_get_style_context (hint), "dim-label");
    gtk_box_pack_start (GTK_BOX (row), hint, FALSE, FALSE, 6);
  }
  self->before_toggle = gtk_toggle_button_new_with_mnemonic (_("Before (_photo only)"));
  gtk_widget_set_name (self->before_toggle, "smp-preview-before");
  gtk_widget_set_tooltip_text (self->before_toggle,
                               _("Show the client's photo without the proposal; release to see it again"));
  g_signal_connect (self->before_toggle, "toggled", G_CALLBACK (before_toggled), self);
  gtk_box_pack_end (GTK_BOX (row), self->before_toggle, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (self->box), row, FALSE, FALSE, 0);

  self->area = gtk_drawing_area_new ();
  gtk_widget_set_name (self->area, "smp-preview");
  gtk_widget_set_size_request (self->area, VIEW_MIN_W, VIEW_MIN_H);
  gtk_widget_set_hexpand (self->area, TRUE);
  gtk_widget_set_vexpand (self->area, TRUE);
  gtk_widget_set_can_focus (self->area, TRUE);
  gtk_widget_add_events (self->area, GDK_BUTTON_PRESS_MASK | GDK_BUTTON_RELEASE_MASK
                                     | GDK_POINTER_MOTION_MASK | GDK_SCROLL_MASK);
  g_signal_connect (self->area, "draw", G_CALLBACK (area_draw), self);
  g_signal_connect (self->area, "size-allocate", G_CALLBACK (area_size_allocate), self);
  g_signal_connect (self->area, "map", G_CALLBACK (area_mapped), self);
  g_signal_connect (self->area, "scroll-event", G_CALLBACK (area_scroll), self);
  g_signal_connect (self->area, "button-press-event", G_CALLBACK (area_press), self);
  g_signal_connect (self->area, "button-release-event", G_CALLBACK (area_release), self);
  g_signal_connect (self->area, "motion-notify-event", G_CALLBACK (area_motion), self);
  frame = gtk_frame_new (NULL);
  gtk_frame_set_shadow_type (GTK_FRAME (frame), GTK_SHADOW_IN);
  gtk_container_add (GTK_CONTAINER (frame), self->area);
  gtk_box_pack_start (GTK_BOX (self->box), frame, TRUE, TRUE, 0);
  /* Held: the dialog's destruction disposes them before smp_plugin_preview_free. */
  g_object_ref (self->area);
  g_object_ref (self->before_toggle);

  self->message = gtk_label_new (NULL);
  gtk_widget_set_name (self->message, "smp-preview-message");
  gtk_label_set_line_wrap (GTK_LABEL (self->message), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->message), 0.0);
  gtk_label_set_max_width_chars (GTK_LABEL (self->message), 80);
  gtk_box_pack_start (GTK_BOX (self->box), self->message, FALSE, FALSE, 0);
  gtk_widget_show_all (self->box);
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
  g_signal_handlers_disconnect_by_data (self->area, self);
  g_signal_handlers_disconnect_by_data (self->before_toggle, self);
  g_object_unref (self->before_toggle);
  g_object_unref (self->area);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->design, smp_design_free);
  g_clear_pointer (&self->source, g_bytes_unref);
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    g_free (self->layers[k]);
  g_free (self->linear);
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
smp_plugin_preview_set_rendered_callback (SmpPluginPreview        *self,
                                          SmpPluginPreviewRendered callback,
                                          gpointer                 data)
{
  g_return_if_fail (self != NULL);
  self->rendered = callback;
  self->rendered_data = data;
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

void
smp_plugin_preview_set_frame (SmpPluginPreview *self, double x, double y, double width, double height)
{
  double x1, y1;

  g_return_if_fail (self != NULL);

  /* Clipped to the drawable: margin beyond the photo shows nothing. */
  x1 = MIN (x + width, (double) self->drawable_w);
  y1 = MIN (y + height, (double) self->drawable_h);
  x = MAX (x, 0.0);
  y = MAX (y, 0.0);
  if (x1 - x < 1.0 || y1 - y < 1.0)
    return;
  self->frame[0] = x;
  self->frame[1] = y;
  self->frame[2] = x1 - x;
  self->frame[3] = y1 - y;
  if (!self->have_frame && self->mode == VIEW_FIT)
    self->mode = VIEW_FRAME; /* the first frame opens the view on it */
  self->have_frame = TRUE;
  apply_mode (self);
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
  g_return_if_fail (self != NULL);

  /* Around the frame's centre when there is one: that is where the dots are. */
  if (self->have_frame && self->mode != VIEW_FREE)
    {
      self->cx = self->frame[0] + self->frame[2] / 2.0;
      self->cy = self->frame[1] + self->frame[3] / 2.0;
    }
  self->scale = 1.0;
  self->mode = VIEW_FREE;
  apply_mode (self);
  schedule (self);
}

void
smp_plugin_preview_zoom_fit (SmpPluginPreview *self)
{
  g_return_if_fail (self != NULL);
  self->mode = VIEW_FIT;
  apply_mode (self);
  schedule (self);
}

void
smp_plugin_preview_zoom_frame (SmpPluginPreview *self)
{
  g_return_if_fail (self != NULL);
  self->mode = self->have_frame ? VIEW_FRAME : VIEW_FIT;
  apply_mode (self);
  schedule (self);
}
