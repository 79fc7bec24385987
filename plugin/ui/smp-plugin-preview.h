/* smp-plugin-preview.h: the dialog's live preview: a resizable, zoomable, pannable view of the
 * photo with the proposal composited as GIMP will show it (each session multiplied over the photo). */
#pragma once

#include <libgimp/gimpui.h>
#include <smp/smp.h>
#include "smp-plugin-preview-colour.h"

G_BEGIN_DECLS

typedef struct _SmpPluginPreview SmpPluginPreview;

/* Timing and geometry of the last refresh, for the log and the report. */
typedef struct
{
  int    width, height;   /* rendered pixels (the photo's part of the view) */
  double scale;           /* preview px per image px */
  double source_ms;       /* fetching the photo (0 when cached) */
  double render_ms;       /* the engine's render of the sessions shown (and the selection's clip) */
  double composite_ms;    /* the photo's conversion (once a fetch), the multiply and the display conversion */
  double total_ms;        /* fetch + render + composite + draw */
  double design_ms;       /* making the design this refresh shows (set by the dialog) */
  gsize  dots;            /* dots in the visible region */
  int    screen_x, screen_y; /* the rendered pixels' top-left on screen (GUI tests) */
  int    view_x, view_y;  /* the rendered pixels' top-left in drawable px */
  int    view_w, view_h;  /* the rendered region in drawable px */
  int    area_w, area_h;  /* the view widget's allocation */
  gboolean before;        /* the photo alone was shown (the before/after control) */
} SmpPluginPreviewTiming;

/* A preview of `drawable`. The design it shows lives in the drawable's pixel
 * space (image coordinates minus the drawable's offsets), as the output does.
 * Its size does not depend on the selection: it grows with the dialog. */
SmpPluginPreview *smp_plugin_preview_new (GimpDrawable *drawable);
void              smp_plugin_preview_free (SmpPluginPreview *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPluginPreview, smp_plugin_preview_free)

/* The view with its toolbar and message (owned by the container it is packed into). */
GtkWidget *smp_plugin_preview_get_widget (SmpPluginPreview *preview);

/* Shows `design` (taken over; NULL shows the bare photo). Its shade must be in
 * the preview's encoding: non-linear sRGB, like an 8-bit layer. `clip`
 * (nullable, borrowed: keep it alive) fades dots by the selection's coverage as
 * the output does. `message` (nullable) is shown under the preview, e.g. why
 * there is no design. The refresh happens in an idle callback, so many changes
 * in a row cost one render. */
void smp_plugin_preview_set_design   (SmpPluginPreview *preview,
                                      SmpDesign        *design,
                                      const SmpMask    *clip,
                                      const char       *message);
/* How long making the design given next took, for the timing log. */
void smp_plugin_preview_set_design_ms (SmpPluginPreview *preview, double design_ms);
/* Which sessions are shown: SMP_SESSION_BIT(k) bits, or SMP_SESSIONS_ALL. */
void smp_plugin_preview_set_sessions (SmpPluginPreview *preview,
                                      guint             session_mask);

/* The region (drawable px) the view frames: the hairline and a margin. The view
 * opens on it and its "Hairline" button comes back to it. The first call frames
 * the view unless the artist already zoomed or panned. */
void smp_plugin_preview_set_frame (SmpPluginPreview *preview,
                                   double x, double y, double width, double height);

/* Called after each refresh (timing is then up to date). */
typedef void (*SmpPluginPreviewRendered) (SmpPluginPreview *preview, gpointer data);
void smp_plugin_preview_set_rendered_callback (SmpPluginPreview        *preview,
                                               SmpPluginPreviewRendered callback,
                                               gpointer                 data);

/* Zooms so that one preview pixel is one image pixel (dots at their true size),
 * or to the whole drawable, or to the frame. */
void smp_plugin_preview_zoom_actual_pixels (SmpPluginPreview *preview);
void smp_plugin_preview_zoom_fit           (SmpPluginPreview *preview);
void smp_plugin_preview_zoom_frame         (SmpPluginPreview *preview);

const SmpPluginPreviewTiming *smp_plugin_preview_get_timing (SmpPluginPreview *preview);

G_END_DECLS
