/* smp-sheet.c: the one-page design sheet (cairo + pango): before and after views,
 * hairline overlay, 1:1 close-up of the transition zone, session plan, parameters and
 * checks, drawn in points. */
#include <smp/smp-sheet.h>
#include <smp/smp-error.h>
#include <smp/smp-mask.h>
#include "smp-sheet-private.h"
#include <smp/smp-catalog.h>

#include <cairo.h>
#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#define FONT_FAMILY "Nimbus Sans, Helvetica, Arial, DejaVu Sans, Sans"
#define MARGIN_PT   (15.0 * SMP_SHEET_PT_PER_MM)
#define GAP_PT      12.0
/* Images are embedded at no more than this resolution at their printed size. */
#define EMBED_DPI   300.0
/* Photos are embedded at this resolution: sharp in print, a small file. */
#define PHOTO_DPI   240.0
/* The enlarged close-up: 40 mm on paper for the 10 mm patch. */
#define DETAIL_ZOOM 4.0

/* The palette: ink, greys, one accent, and the overlay's zone colours. */
#define INK        0x1d2630
#define GREY       0x5f6b76
#define LIGHT_GREY 0xc9d0d6
#define RULE_GREY  0xe3e7ea
#define ACCENT     0x234a63
#define WARN       0xb8571a
#define LINE_RED   0xd23a2c
#define ZONE_AMBER 0xe59a2f
#define ZONE_TEAL  0x3a9a9a

/* Sheet text is in the sheet's own language (SmpSheet.catalog; NULL: the UI's),
 * which may differ from the dialog's: T_ looks it up there. xgettext knows T_
 * and TN_ (po/meson.build). */
#define T_(s, text)          smp_catalog_gettext ((s)->sheet->catalog, text)
#define TN_(s, one, many, n) smp_catalog_ngettext ((s)->sheet->catalog, one, many, n)

typedef struct
{
  int x, y, width, height;
} Crop;

typedef struct
{
  cairo_t         *cr;
  PangoContext    *pango;
  const SmpSheet  *sheet;
  SmpHairline     *hairline;   /* resolved */
  double           page_w, page_h;
  double           detail_x, detail_y; /* centre, crop px */
  int              cw, ch;             /* the crop's size in photo px (the views may be smaller) */
  Crop             detail;             /* the 1:1 detail's square, crop px */
  gboolean         cancelled;          /* the caller's progress callback said stop */
  double           device_dpi;         /* of the target: EMBED_DPI for PDF, the PNG's dpi */
  gint64          *diff_sat;           /* summed-area table of |after - before|, (w+1)×(h+1) */
} Sheet;

/* The stage as the sheet names it: the parameter table's label, translated. */
static const char *
stage_label (const Sheet *s, SmpStage stage)
{
  const SmpParamSpec *spec = smp_params_find_spec ("stage");

  if ((int) stage < 0 || (int) stage > (int) spec->max)
    return smp_stage_to_string (stage);
  return T_ (s, spec->choices[stage].label);
}

/* Sum of |after - before| over the crop-px box [x0, x1) × [y0, y1), clipped;
 * over the view pixels that box covers when the views are scaled down. */
static gint64
diff_in (const Sheet *s, int x0, int y0, int x1, int y1)
{
  int w = s->sheet->after.width, h = s->sheet->after.height;
  gsize stride = (gsize) w + 1;

  x0 = CLAMP (x0, 0, s->cw); x1 = CLAMP (x1, 0, s->cw);
  y0 = CLAMP (y0, 0, s->ch); y1 = CLAMP (y1, 0, s->ch);
  if (x1 <= x0 || y1 <= y0)
    return 0;
  x0 = (int) ((gint64) x0 * w / s->cw), x1 = (int) (((gint64) x1 * w + s->cw - 1) / s->cw);
  y0 = (int) ((gint64) y0 * h / s->ch), y1 = (int) (((gint64) y1 * h + s->ch - 1) / s->ch);
  return s->diff_sat[y1 * stride + x1] - s->diff_sat[y0 * stride + x1]
         - s->diff_sat[y1 * stride + x0] + s->diff_sat[y0 * stride + x0];
}

static gboolean
build_diff_sat (Sheet *s, GError **error)
{
  const SmpSheet *sh = s->sheet;
  int w = sh->after.width, h = sh->after.height;
  gint64 *sat = g_try_new0 (gint64, (gsize) (w + 1) * (h + 1));

  if (!sat)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("not enough memory for %d×%d views: pass them scaled down (SMP_SHEET_VIEW_MAX_PX)"), w, h);
      return FALSE;
    }
  for (int y = 0; y < h; y++)
    {
      const guint8 *a = sh->after.pixels + (gsize) y * sh->after.rowstride;
      const guint8 *b = sh->before.pixels + (gsize) y * sh->before.rowstride;
      gint64 run = 0;
      for (int x = 0; x < w; x++)
        {
          run += abs (a[4 * x] - b[4 * x]) + abs (a[4 * x + 1] - b[4 * x + 1]) + abs (a[4 * x + 2] - b[4 * x + 2]);
          sat[(gsize) (y + 1) * (w + 1) + x + 1] = sat[(gsize) y * (w + 1) + x + 1] + run;
        }
    }
  s->diff_sat = sat;
  return TRUE;
}

/* Tells the caller's progress callback the share done; FALSE once it said stop. */
static gboolean
step (Sheet *s, double done)
{
  if (!s->cancelled && s->sheet->progress && !s->sheet->progress (done, s->sheet->progress_data))
    s->cancelled = TRUE;
  return !s->cancelled;
}

/* ---- small drawing helpers ------------------------------------------------ */

static void
set_rgb (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0);
}

static void
set_rgba (cairo_t *cr, guint32 rgb, double alpha)
{
  cairo_set_source_rgba (cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0,
                         alpha);
}

typedef enum { TEXT_PLAIN, TEXT_MARKUP } TextKind;

typedef struct
{
  double         size;       /* pt */
  PangoWeight    weight;
  PangoStyle     style;
  guint32        color;
  PangoAlignment align;
  double         width;      /* pt; 0 = unbounded */
  int            max_lines;  /* 0 = unbounded; else ellipsized */
} TextStyle;

static TextStyle
text_style (double size, PangoWeight weight, guint32 color)
{
  TextStyle t = { size, weight, PANGO_STYLE_NORMAL, color, PANGO_ALIGN_LEFT, 0, 0 };
  return t;
}

static PangoLayout *
make_layout (Sheet *s, const char *text, TextKind kind, const TextStyle *t)
{
  PangoLayout *layout = pango_layout_new (s->pango);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, t->size * PANGO_SCALE);
  pango_font_description_set_weight (font, t->weight);
  pango_font_description_set_style (font, t->style);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (t->width > 0)
    {
      pango_layout_set_width (layout, (int) (t->width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  if (t->max_lines > 0)
    {
      pango_layout_set_height (layout, -t->max_lines);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_set_alignment (layout, t->align);
  if (kind == TEXT_MARKUP)
    pango_layout_set_markup (layout, text, -1);
  else
    pango_layout_set_text (layout, text, -1);
  return layout;
}

/* Draws text with its top-left at (x, y); returns its height in pt. */
static double
draw_text (Sheet *s, double x, double y, const char *text, TextKind kind, const TextStyle *t)
{
  PangoLayout *layout = make_layout (s, text, kind, t);
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  cairo_save (s->cr);
  set_rgb (s->cr, t->color);
  cairo_move_to (s->cr, x, y);
  pango_cairo_show_layout (s->cr, layout);
  cairo_restore (s->cr);
  g_object_unref (layout);
  return (double) h / PANGO_SCALE;
}

static double
text_width (Sheet *s, const char *text, TextKind kind, const TextStyle *t)
{
  PangoLayout *layout = make_layout (s, text, kind, t);
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  g_object_unref (layout);
  return (double) w / PANGO_SCALE;
}

static double
text_height (Sheet *s, const char *text, TextKind kind, const TextStyle *t)
{
  PangoLayout *layout = make_layout (s, text, kind, t);
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  g_object_unref (layout);
  return (double) h / PANGO_SCALE;
}

/* A small-caps caption above a figure. */
static double
draw_caption (Sheet *s, double x, double y, const char *text)
{
  g_autofree char *upper = g_utf8_strup (text, -1);
  TextStyle t = text_style (7.0, PANGO_WEIGHT_BOLD, GREY);

  /* no letter spacing: it would split words for text extraction and search */
  return draw_text (s, x, y, upper, TEXT_PLAIN, &t);
}

static void
hline (cairo_t *cr, double x0, double x1, double y, double width, guint32 rgb)
{
  cairo_save (cr);
  set_rgb (cr, rgb);
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x0, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* ---- images ----------------------------------------------------------------- */

/* How a source pixel is turned into the page's pixel. */
typedef enum { PIXELS_AS_IS, PIXELS_FADED } PixelStyle;

/* An opaque cairo surface of `crop`, flattened on white. */
static cairo_surface_t *
surface_from_image (const SmpSheetImage *img, const Crop *crop, PixelStyle style)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, crop->width, crop->height);
  guint8 *data;
  int stride;

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < crop->height; y++)
    {
      const guint8 *src = img->pixels + (gsize) (crop->y + y) * img->rowstride + (gsize) crop->x * 4;
      guint32 *dst = (guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < crop->width; x++, src += 4)
        {
          double a = src[3] / 255.0;
          double r = src[0] * a + 255 * (1 - a), g = src[1] * a + 255 * (1 - a), b = src[2] * a + 255 * (1 - a);

          if (style == PIXELS_FADED)
            {
              /* the overlay's base: desaturated and lightened, so the zones read */
              double luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
              r = 255 - 0.5 * (255 - (0.25 * r + 0.75 * luma));
              g = 255 - 0.5 * (255 - (0.25 * g + 0.75 * luma));
              b = 255 - 0.5 * (255 - (0.25 * b + 0.75 * luma));
            }
          dst[x] = 0xff000000u | ((guint32) lround (r) << 16) | ((guint32) lround (g) << 8) | (guint32) lround (b);
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* `src` resampled to at most the pixels a (w_pt × h_pt) box needs at `dpi`. */
static cairo_surface_t *
resample (cairo_surface_t *src, double w_pt, double h_pt, double dpi)
{
  int sw = cairo_image_surface_get_width (src), sh = cairo_image_surface_get_height (src);
  int tw = (int) ceil (w_pt / 72.0 * dpi), th = (int) ceil (h_pt / 72.0 * dpi);
  cairo_surface_t *dst;
  cairo_t *cr;

  if (tw >= sw || th >= sh)
    return cairo_surface_reference (src);
  dst = cairo_image_surface_create (CAIRO_FORMAT_RGB24, tw, th);
  cr = cairo_create (dst);
  cairo_scale (cr, (double) tw / sw, (double) th / sh);
  cairo_set_source_surface (cr, src, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  return dst;
}

/* Paints `surface` stretched over the box (x, y, w, h) in pt. */
static void
paint_surface (cairo_t *cr, cairo_surface_t *surface, double x, double y, double w, double h,
               cairo_filter_t filter)
{
  int sw = cairo_image_surface_get_width (surface), sh = cairo_image_surface_get_height (surface);

  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  cairo_clip (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, w / sw, h / sh);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), filter);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
frame (cairo_t *cr, double x, double y, double w, double h, guint32 rgb, double width)
{
  cairo_save (cr);
  set_rgb (cr, rgb);
  cairo_set_line_width (cr, width);
  /* outside the box, so the image area stays exact */
  cairo_rectangle (cr, x - width / 2, y - width / 2, w + width, h + width);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Draws the whole crop of `img` into the box (x, y, w, h). */
static void
draw_photo (Sheet *s, const SmpSheetImage *img, double x, double y, double w, double h)
{
  Crop full = { 0, 0, img->width, img->height };
  cairo_surface_t *surface = surface_from_image (img, &full, PIXELS_AS_IS);
  cairo_surface_t *small = resample (surface, w, h, MIN (s->device_dpi, PHOTO_DPI));

  paint_surface (s->cr, small, x, y, w, h, CAIRO_FILTER_GOOD);
  cairo_surface_destroy (small);
  cairo_surface_destroy (surface);
  frame (s->cr, x, y, w, h, LIGHT_GREY, 0.5);
}

/* ---- the hairline overlay ------------------------------------------------------ */

static guint32
blend (guint32 base, guint32 tint, double alpha)
{
  guint32 out = 0xff000000u;

  for (int shift = 0; shift <= 16; shift += 8)
    {
      double b = (base >> shift) & 255, t = (tint >> shift) & 255;
      out |= (guint32) lround (b + (t - b) * alpha) << shift;
    }
  return out;
}

/* The faded before image with the zones the design uses: sentinel dots ahead of
 * the line, the transition zone ramping up, full density behind it. */
static void
draw_overlay (Sheet *s, double x, double y, double w, double h)
{
  const SmpSheet *sh = s->sheet;
  const SmpParams *p = &sh->params;
  Crop full = { 0, 0, sh->before.width, sh->before.height };
  cairo_surface_t *faded = surface_from_image (&sh->before, &full, PIXELS_FADED);
  cairo_surface_t *base = resample (faded, w, h, s->device_dpi);
  cairo_surface_t *zones;
  int bw = cairo_image_surface_get_width (base), bh = cairo_image_surface_get_height (base);
  double sx = (double) s->cw / bw, sy = (double) s->ch / bh;
  double fade_px = p->fade_width_mm * p->px_per_mm;
  double sentinel_px = p->sentinel > 0 ? p->sentinel_depth_mm * p->px_per_mm : 0;
  double contour_px = 0.7 * sx; /* half a page pixel, in crop px */
  /* zones are shown where the proposal placed dots (within a few mm), not over
   * the background; a proposal without any visible dot shows them everywhere */
  int near_px = (int) ceil (3.0 * p->px_per_mm), far_px = (int) ceil (8.0 * p->px_per_mm);
  gboolean any = diff_in (s, 0, 0, s->cw, s->ch) > 0;
  guint8 *data;
  int stride;

  cairo_surface_destroy (faded);
  /* a private copy to tint, whether or not resample made one */
  zones = cairo_image_surface_create (CAIRO_FORMAT_RGB24, bw, bh);
  {
    cairo_t *cr = cairo_create (zones);
    cairo_set_source_surface (cr, base, 0, 0);
    cairo_paint (cr);
    cairo_destroy (cr);
  }
  cairo_surface_destroy (base);
  cairo_surface_flush (zones);
  data = cairo_image_surface_get_data (zones);
  stride = cairo_image_surface_get_stride (zones);
  for (int j = 0; j < bh; j++)
    {
      guint32 *row = (guint32 *) (data + (gsize) j * stride);

      for (int i = 0; i < bw; i++)
        {
          double cx = (i + 0.5) * sx, cy = (j + 0.5) * sy;
          double d = smp_hairline_signed_distance_px (s->hairline, cx, cy);
          int r = d < 0 ? far_px : near_px;
          double a;

          if (any && diff_in (s, (int) cx - r, (int) cy - r, (int) cx + r + 1, (int) cy + r + 1) == 0)
            continue;

          if (d >= 0 && d < fade_px)
            {
              a = 0.12 + 0.33 * d / MAX (fade_px, 1e-9);
              row[i] = blend (row[i], ZONE_AMBER, a);
            }
          else if (d >= fade_px)
            row[i] = blend (row[i], ACCENT, 0.30);
          else if (d < 0 && -d <= sentinel_px)
            row[i] = blend (row[i], ZONE_TEAL, 0.28);
          if (fade_px > 0 && fabs (d - fade_px) < contour_px)
            row[i] = blend (row[i], ACCENT, 0.8);
        }
    }
  cairo_surface_mark_dirty (zones);
  paint_surface (s->cr, zones, x, y, w, h, CAIRO_FILTER_GOOD);
  cairo_surface_destroy (zones);

  /* the drawn line, in vector */
  cairo_save (s->cr);
  cairo_rectangle (s->cr, x, y, w, h);
  cairo_clip (s->cr);
  set_rgb (s->cr, LINE_RED);
  cairo_set_line_width (s->cr, 1.1);
  cairo_set_line_join (s->cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (s->cr, CAIRO_LINE_CAP_ROUND);
  for (guint k = 0; k < sh->n_strokes; k++)
    {
      const SmpSheetStroke *st = &sh->strokes[k];
      for (gsize i = 0; i < st->n_points; i++)
        {
          double px = x + st->xy[2 * i] / s->cw * w, py = y + st->xy[2 * i + 1] / s->ch * h;
          if (i == 0)
            cairo_move_to (s->cr, px, py);
          else
            cairo_line_to (s->cr, px, py);
        }
      if (st->closed)
        cairo_close_path (s->cr);
      cairo_stroke (s->cr);
    }
  /* where the detail comes from */
  {
    const Crop *d = &s->detail;
    set_rgb (s->cr, INK);
    cairo_set_line_width (s->cr, 0.8);
    cairo_rectangle (s->cr, x + (double) d->x / s->cw * w, y + (double) d->y / s->ch * h,
                     (double) d->width / s->cw * w, (double) d->height / s->ch * h);
    cairo_stroke (s->cr);
  }
  cairo_restore (s->cr);
  frame (s->cr, x, y, w, h, LIGHT_GREY, 0.5);
}

/* A legend entry (line: 0 swatch, 1 line, 2 square outline) and its text;
 * returns the x after it. */
static double
legend_item (Sheet *s, double x, double y, guint32 rgb, double alpha, int line, const char *text)
{
  TextStyle t = text_style (6.8, PANGO_WEIGHT_NORMAL, GREY);
  double th = text_height (s, text, TEXT_PLAIN, &t);

  cairo_save (s->cr);
  if (line)
    {
      set_rgb (s->cr, rgb);
      cairo_set_line_width (s->cr, line == 2 ? 0.8 : 1.1);
      if (line == 2)
        cairo_rectangle (s->cr, x + 1, y + th / 2 - 3, 6, 6);
      else
        {
          cairo_move_to (s->cr, x, y + th / 2);
          cairo_line_to (s->cr, x + 9, y + th / 2);
        }
      cairo_stroke (s->cr);
    }
  else
    {
      set_rgba (s->cr, rgb, alpha);
      cairo_rectangle (s->cr, x, y + th / 2 - 3.5, 9, 7);
      cairo_fill (s->cr);
    }
  cairo_restore (s->cr);
  draw_text (s, x + 12, y, text, TEXT_PLAIN, &t);
  return x + 12 + text_width (s, text, TEXT_PLAIN, &t) + 9;
}

/* ---- the detail ------------------------------------------------------------------ */

/* The 10 mm square around the detail centre, inside the crop. */
static Crop
detail_crop (Sheet *s)
{
  const SmpSheet *sh = s->sheet;
  int side = (int) CLAMP (lround (SMP_SHEET_DETAIL_MM * sh->params.px_per_mm), 1, G_MAXINT / 2);
  Crop c;

  side = MIN (side, MIN (s->cw, s->ch));
  c.width = c.height = side;
  c.x = (int) CLAMP (lround (s->detail_x - side / 2.0), 0, s->cw - side);
  c.y = (int) CLAMP (lround (s->detail_y - side / 2.0), 0, s->ch - side);
  return c;
}

/* The 1:1 close-up of the transition zone: SMP_SHEET_DETAIL_MM on paper for the
 * same distance on the scalp (when calibrated), an enlarged view of it with the
 * hairline drawn faintly through it, and a scale bar of exactly 10 mm. */
static double
draw_detail (Sheet *s, double x, double y, double zoom_side)
{
  const SmpSheet *sh = s->sheet;
  Crop crop = s->detail;
  Crop whole = { 0, 0, sh->detail.width, sh->detail.height };
  /* given at full resolution, or cut from a full-resolution after image */
  cairo_surface_t *patch = sh->detail.pixels ? surface_from_image (&sh->detail, &whole, PIXELS_AS_IS)
                                             : surface_from_image (&sh->after, &crop, PIXELS_AS_IS);
  double one = SMP_SHEET_DETAIL_MM * SMP_SHEET_PT_PER_MM * crop.width
               / (SMP_SHEET_DETAIL_MM * sh->params.px_per_mm);
  double col = x + zoom_side + GAP_PT;
  double yy = y;
  TextStyle t = text_style (7.2, PANGO_WEIGHT_NORMAL, GREY);
  char buf[256];

  /* enlarged: nearest-neighbour would show pixels, smooth shows dots as they are */
  paint_surface (s->cr, patch, x, y, zoom_side, zoom_side, CAIRO_FILTER_GOOD);
  /* where the line runs through it: thin and dashed, so the dots stay visible */
  cairo_save (s->cr);
  cairo_rectangle (s->cr, x, y, zoom_side, zoom_side);
  cairo_clip (s->cr);
  set_rgba (s->cr, LINE_RED, 0.7);
  cairo_set_line_width (s->cr, 0.7);
  cairo_set_dash (s->cr, (double[]) { 3.0, 2.0 }, 2, 0);
  for (guint k = 0; k < sh->n_strokes && sh->strokes; k++)
    {
      const SmpSheetStroke *st = &sh->strokes[k];
      for (gsize i = 0; i < st->n_points; i++)
        {
          double px = x + (st->xy[2 * i] - crop.x) * zoom_side / crop.width;
          double py = y + (st->xy[2 * i + 1] - crop.y) * zoom_side / crop.height;
          if (i == 0)
            cairo_move_to (s->cr, px, py);
          else
            cairo_line_to (s->cr, px, py);
        }
      if (st->closed)
        cairo_close_path (s->cr);
      cairo_stroke (s->cr);
    }
  cairo_restore (s->cr);
  frame (s->cr, x, y, zoom_side, zoom_side, LIGHT_GREY, 0.5);

  /* actual size: embedded at its own resolution, no resampling */
  paint_surface (s->cr, patch, col, yy, one, one, CAIRO_FILTER_GOOD);
  frame (s->cr, col, yy, one, one, INK, 0.4);
  cairo_surface_destroy (patch);
  yy += one + 7;

  /* the scale bar: a filled bar of exactly 10 mm with end ticks inside it */
  {
    double len = SMP_SHEET_DETAIL_MM * SMP_SHEET_PT_PER_MM, bar_h = 1.6, tick_w = 0.6;
    cairo_save (s->cr);
    set_rgb (s->cr, INK);
    cairo_rectangle (s->cr, col, yy, len, bar_h);
    cairo_rectangle (s->cr, col, yy - 2.4, tick_w, 2.4);
    cairo_rectangle (s->cr, col + len - tick_w, yy - 2.4, tick_w, 2.4);
    cairo_fill (s->cr);
    cairo_restore (s->cr);
    yy += bar_h + 2;
    TextStyle tb = text_style (7.0, PANGO_WEIGHT_BOLD, INK);
    yy += draw_text (s, col, yy, "10 mm", TEXT_PLAIN, &tb) + 5;
  }

  t.width = MAX (40.0, s->page_w - MARGIN_PT - col);
  /* Two sentences rather than a spliced clause, so each language words them whole. */
  g_snprintf (buf, sizeof buf,
              sh->params.sentinel > 0
                ? T_ (s, "Transition zone, 1:1, 10 mm: bare skin, sentinel dots, a %.1f mm fade to full density.")
                : T_ (s, "Transition zone, 1:1, 10 mm: bare skin, a %.1f mm fade to full density."),
              sh->params.fade_width_mm);
  yy += draw_text (s, col, yy, buf, TEXT_PLAIN, &t) + 3;
  if (sh->calibrated)
    {
      g_snprintf (buf, sizeof buf, T_ (s, "Actual size at %.1f px/mm. Print at 100%% (no \"fit to page\")."),
                  sh->params.px_per_mm);
      yy += draw_text (s, col, yy, buf, TEXT_PLAIN, &t);
    }
  else
    {
      TextStyle tw = text_style (7.6, PANGO_WEIGHT_BOLD, WARN);
      tw.width = t.width;
      yy += draw_text (s, col, yy, T_ (s, "Scale not calibrated"), TEXT_PLAIN, &tw);
      g_snprintf (buf, sizeof buf, T_ (s, "Sizes assume %.1f px/mm; calibrate the photo for a true 1:1 detail."),
                  sh->params.px_per_mm);
      yy += draw_text (s, col, yy, buf, TEXT_PLAIN, &t);
    }
  return MAX (zoom_side, yy - y);
}

/* ---- choosing the detail ---------------------------------------------------------- */

/* How far into the scalp (mm, negative: toward the forehead) the close-up is
 * centred: the middle of the transition zone, from the sentinel dots ahead of the
 * line to the end of the fade, kept so that at least 1.5 mm of bare skin stays
 * in the 10 mm square on the forehead side (and 1.5 mm of scalp on the other). */
static double
closeup_offset_mm (const SmpParams *p)
{
  double half = SMP_SHEET_DETAIL_MM / 2;
  double sentinel_mm = p->sentinel > 0 ? p->sentinel_depth_mm : 0.0;
  double want = (p->fade_width_mm - sentinel_mm) / 2;
  double hi = MAX (0.0, half - sentinel_mm - 1.5);

  return CLAMP (want, -(half - 1.5), hi);
}

/* The 10 mm close-up of the transition zone, what clients ask about: a square
 * straddling the hairline, from bare forehead through the sentinel dots and the
 * fade toward full density. Of the places along the line where the proposal
 * shows (at least half the best before/after difference: inside the treated
 * area, not where a selection cut it off), the one nearest the hairline's middle
 * (the centre of its bounds): the front of the design, where a client looks
 * first, rather than a temple end. The centre is then slid along the distance
 * gradient onto the chosen depth. No line in the crop: the middle of the crop. */
static void
find_detail_centre (Sheet *s)
{
  const SmpSheet *sh = s->sheet;
  const SmpParams *p = &sh->params;
  int w = s->cw, h = s->ch;
  double side = MIN (SMP_SHEET_DETAIL_MM * p->px_per_mm, MIN (w, h));
  double target_mm = closeup_offset_mm (p);
  /* at most about 512 × 512 candidates, whatever the crop's size in mm */
  double step = MAX (MAX (side / 4, 1.0), MAX (w, h) / 512.0);
  double tol_mm = 0.75 * step / p->px_per_mm;
  double bx0, by0, bx1, by1, mid_x = w / 2.0, mid_y = h / 2.0;
  double best_score = 0, best_d = G_MAXDOUBLE;
  gboolean found = FALSE;

  if (smp_hairline_get_bounds (s->hairline, &bx0, &by0, &bx1, &by1))
    mid_x = (bx0 + bx1) / 2, mid_y = (by0 + by1) / 2;
  s->detail_x = w / 2.0;
  s->detail_y = h / 2.0;
  /* pass 0 finds the best score on the line, pass 1 the nearest good-enough place */
  for (int pass = 0; pass < 2; pass++)
    for (double cy = side / 2; cy <= h - side / 2 + 1e-9; cy += step)
      for (double cx = side / 2; cx <= w - side / 2 + 1e-9; cx += step)
        {
          double d = smp_hairline_signed_distance_px (s->hairline, cx, cy) / p->px_per_mm;
          int x0 = (int) (cx - side / 2), y0 = (int) (cy - side / 2);
          int x1 = MIN (w, x0 + (int) side), y1 = MIN (h, y0 + (int) side);
          double score, dm;

          if (fabs (d - target_mm) > tol_mm)
            continue;
          score = (double) diff_in (s, x0, y0, x1, y1) / MAX (1, (x1 - x0) * (y1 - y0));
          if (pass == 0)
            {
              best_score = MAX (best_score, score);
              continue;
            }
          if (score <= 0 || score < 0.5 * best_score)
            continue;
          dm = hypot (cx - mid_x, cy - mid_y);
          if (dm < best_d)
            {
              best_d = dm;
              s->detail_x = cx;
              s->detail_y = cy;
              found = TRUE;
            }
        }
  /* onto the chosen depth: a few Newton steps along the distance's gradient */
  for (int k = 0; found && k < 4; k++)
    {
      double e = 0.5, x = s->detail_x, y = s->detail_y;
      double d = smp_hairline_signed_distance_px (s->hairline, x, y);
      double gx = (smp_hairline_signed_distance_px (s->hairline, x + e, y) -
                   smp_hairline_signed_distance_px (s->hairline, x - e, y)) / (2 * e);
      double gy = (smp_hairline_signed_distance_px (s->hairline, x, y + e) -
                   smp_hairline_signed_distance_px (s->hairline, x, y - e)) / (2 * e);
      double g2 = gx * gx + gy * gy, err = target_mm * p->px_per_mm - d;

      if (!(g2 > 1e-6) || fabs (err) < 0.25)
        break;
      s->detail_x = CLAMP (x + err * gx / g2, side / 2, w - side / 2);
      s->detail_y = CLAMP (y + err * gy / g2, side / 2, h - side / 2);
    }
}

/* ---- the plan and the text blocks ---------------------------------------------- */

int
smp_sheet_plan_sessions (const SmpParams *params,
                         const double     shade_srgb[3],
                         double           treated_area_cm2,
                         SmpSheetSession  rows[SMP_MAX_SESSIONS])
{
  int n = CLAMP (params->sessions, 1, SMP_MAX_SESSIONS);
  double full = params->density_per_cm2 * params->under_hair;

  treated_area_cm2 = treated_area_cm2 >= 0 ? MIN (treated_area_cm2, SMP_SHEET_MAX_TREATED_AREA_CM2) : 0.0;

  for (int k = 0; k < n; k++)
    {
      SmpSheetSession *r = &rows[k];
      r->share = smp_params_session_share (params, k);
      r->dots_per_cm2 = full * r->share;
      r->dot_diameter_mm = params->dot_diameter_mm;
      memcpy (r->shade_srgb, shade_srgb, sizeof r->shade_srgb);
      /* as the renderer: each later session a little darker */
      r->opacity = smp_params_session_opacity (params, k);
      r->impressions = MAX (treated_area_cm2, 0.0) * r->dots_per_cm2;
    }
  return n;
}

static char *
format_count (double v)
{
  /* thousands separated by a thin space, independent of the locale */
  g_autofree char *digits = g_strdup_printf ("%.0f", MAX (0.0, round (v)));
  GString *out = g_string_new (NULL);
  int len = (int) strlen (digits);

  for (int i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, "\u2009");
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static double
draw_session_table (Sheet *s, double x, double y, double width, const SmpSheetSession *rows, int n)
{
  static const char *heads[] = { N_("Session"), N_("Share"), N_("Dots/cm\u00b2"), N_("Cumulative"),
                                 N_("Dot \u00d8"), N_("Shade"), N_("Opacity"), N_("Est. impressions") };
  static const double frac[] = { 0.09, 0.09, 0.12, 0.13, 0.11, 0.18, 0.11, 0.17 };
  const int ncol = G_N_ELEMENTS (heads);
  double colx[G_N_ELEMENTS (heads) + 1];
  TextStyle th = text_style (7.0, PANGO_WEIGHT_BOLD, GREY);
  TextStyle tc = text_style (8.6, PANGO_WEIGHT_NORMAL, INK);
  const double row_h = 15.5;
  double yy = y, cumulative = 0, total_share = 0, total_imp = 0;

  colx[0] = x;
  for (int i = 0; i < ncol; i++)
    colx[i + 1] = colx[i] + frac[i] * width;
  for (int i = 0; i < ncol; i++)
    {
      g_autofree char *up = g_utf8_strup (T_ (s, heads[i]), -1);
      th.align = i == 0 || i == 5 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT;
      th.width = colx[i + 1] - colx[i] - 6;
      draw_text (s, colx[i] + (i == 0 ? 0 : i == 5 ? 12 : 3), yy, up, TEXT_PLAIN, &th);
    }
  yy += 12;
  hline (s->cr, x, x + width, yy, 0.8, INK);
  for (int k = 0; k <= n; k++)
    {
      gboolean total = k == n;
      char cell[G_N_ELEMENTS (heads)][96];
      TextStyle t = tc;

      if (!total)
        {
          const SmpSheetSession *r = &rows[k];
          guint8 rgb[3];
          g_autofree char *imp = format_count (r->impressions);
          cumulative += r->dots_per_cm2;
          total_share += r->share;
          total_imp += r->impressions;
          for (int c = 0; c < 3; c++)
            rgb[c] = (guint8) lround (CLAMP (r->shade_srgb[c], 0.0, 1.0) * 255);
          g_snprintf (cell[0], sizeof cell[0], "%d", k + 1);
          g_snprintf (cell[1], sizeof cell[1], "%.0f%%", 100 * r->share);
          g_snprintf (cell[2], sizeof cell[2], "%.1f", r->dots_per_cm2);
          g_snprintf (cell[3], sizeof cell[3], "%.1f", cumulative);
          g_snprintf (cell[4], sizeof cell[4], "%.2f mm", r->dot_diameter_mm);
          g_snprintf (cell[5], sizeof cell[5], "#%02X%02X%02X", rgb[0], rgb[1], rgb[2]);
          g_snprintf (cell[6], sizeof cell[6], "%.0f%%", 100 * r->opacity);
          g_snprintf (cell[7], sizeof cell[7], "%s", imp);
          /* the shade swatch, at the session's opacity over white */
          cairo_save (s->cr);
          cairo_set_source_rgba (s->cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, r->opacity);
          cairo_rectangle (s->cr, colx[5] + 12, yy + 3.6, 16, 8);
          cairo_fill (s->cr);
          set_rgb (s->cr, LIGHT_GREY);
          cairo_set_line_width (s->cr, 0.4);
          cairo_rectangle (s->cr, colx[5] + 12, yy + 3.6, 16, 8);
          cairo_stroke (s->cr);
          cairo_restore (s->cr);
        }
      else
        {
          g_autofree char *imp = format_count (total_imp);
          t.weight = PANGO_WEIGHT_BOLD;
          g_snprintf (cell[0], sizeof cell[0], "%s", T_ (s, "Total"));
          g_snprintf (cell[1], sizeof cell[1], "%.0f%%", 100 * total_share);
          g_snprintf (cell[2], sizeof cell[2], "%s", "");
          g_snprintf (cell[3], sizeof cell[3], "%.1f", cumulative);
          for (int c = 4; c < 7; c++)
            cell[c][0] = '\0';
          g_snprintf (cell[7], sizeof cell[7], "%s", imp);
        }
      for (int i = 0; i < ncol; i++)
        {
          if (!cell[i][0])
            continue;
          t.align = i == 0 || i == 5 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT;
          t.width = colx[i + 1] - colx[i] - 6 - (i == 5 ? 31 : 0);
          draw_text (s, colx[i] + (i == 0 ? 0 : 3) + (i == 5 ? 31 : 0), yy + 2.5, cell[i], TEXT_PLAIN, &t);
        }
      yy += row_h;
      hline (s->cr, x, x + width, yy, total ? 0.8 : 0.4, total ? INK : RULE_GREY);
    }
  return yy - y;
}

/* Label/value rows; returns the height. */
static double
draw_pairs (Sheet *s, double x, double y, double width, const char *const *pairs)
{
  TextStyle tl = text_style (7.8, PANGO_WEIGHT_NORMAL, GREY);
  TextStyle tv = text_style (7.8, PANGO_WEIGHT_BOLD, INK);
  double yy = y, label_w = width * 0.46;

  tl.width = label_w - 4;
  tv.width = width - label_w;
  for (int i = 0; pairs[i]; i += 2)
    {
      double h1 = draw_text (s, x, yy, pairs[i], TEXT_PLAIN, &tl);
      double h2 = draw_text (s, x + label_w, yy, pairs[i + 1], TEXT_PLAIN, &tv);
      yy += MAX (h1, h2) + 2.2;
    }
  return yy - y;
}

static double
draw_checks (Sheet *s, double x, double y, double width, const char *const *checks, const char *checks_run)
{
  TextStyle t = text_style (7.8, PANGO_WEIGHT_NORMAL, INK);
  double yy = y;
  int n = 0, shown = 0;

  t.width = width - 12;
  if (!checks)
    {
      t.color = GREY;
      return draw_text (s, x, yy, T_ (s, "No design checks were run for this proposal."), TEXT_PLAIN, &t);
    }
  for (; checks[n]; n++)
    ;
  if (n == 0)
    {
      cairo_save (s->cr);
      cairo_new_path (s->cr);
      set_rgb (s->cr, ZONE_TEAL);
      cairo_arc (s->cr, x + 3.5, yy + 4.6, 3.2, 0, 2 * G_PI);
      cairo_fill (s->cr);
      cairo_restore (s->cr);
      yy += draw_text (s, x + 12, yy, T_ (s, "All design checks passed."), TEXT_PLAIN, &t) + 3;
    }
  for (int i = 0; i < n && shown < 6; i++, shown++)
    {
      cairo_save (s->cr);
      cairo_new_path (s->cr);
      set_rgb (s->cr, WARN);
      cairo_arc (s->cr, x + 3.5, yy + 4.6, 3.2, 0, 2 * G_PI);
      cairo_fill (s->cr);
      cairo_set_source_rgb (s->cr, 1, 1, 1);
      cairo_rectangle (s->cr, x + 3.05, yy + 2.5, 0.9, 2.6);
      cairo_rectangle (s->cr, x + 3.05, yy + 5.7, 0.9, 0.9);
      cairo_fill (s->cr);
      cairo_restore (s->cr);
      yy += draw_text (s, x + 12, yy, checks[i], TEXT_PLAIN, &t) + 3;
    }
  if (shown < n)
    {
      char buf[64];
      g_snprintf (buf, sizeof buf, TN_ (s, "\u2026 and %d more.", "\u2026 and %d more.", n - shown), n - shown);
      t.color = GREY;
      yy += draw_text (s, x + 12, yy, buf, TEXT_PLAIN, &t) + 3;
    }
  if (checks_run && *checks_run)
    {
      g_autofree char *text = g_strdup_printf (T_ (s, "Checked: %s."), checks_run);
      t.color = GREY;
      t.size = 7.0;
      t.width = width;
      yy += draw_text (s, x, yy + 2, text, TEXT_PLAIN, &t) + 2;
    }
  return yy - y;
}

/* ---- the page -------------------------------------------------------------------- */

static void
draw_page (Sheet *s)
{
  const SmpSheet *sh = s->sheet;
  const SmpParams *p = &sh->params;
  cairo_t *cr = s->cr;
  double x0 = MARGIN_PT, x1 = s->page_w - MARGIN_PT, cw = x1 - x0;
  double y = MARGIN_PT;
  g_autofree char *today = NULL;
  const char *date = sh->date;

  if (!date || !*date)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      date = today = g_date_time_format (now, "%Y-%m-%d");
    }

  /* header: title left, client / artist / date right */
  {
    TextStyle tt = text_style (19, PANGO_WEIGHT_BOLD, ACCENT);
    TextStyle ts = text_style (8.5, PANGO_WEIGHT_NORMAL, GREY);
    TextStyle tl = text_style (6.8, PANGO_WEIGHT_BOLD, GREY);
    TextStyle tv = text_style (9.5, PANGO_WEIGHT_NORMAL, INK);
    const char *labels[] = { T_ (s, "CLIENT"), T_ (s, "ARTIST"), T_ (s, "DATE") };
    const char *values[] = { sh->client && *sh->client ? sh->client : "\u2014",
                             sh->artist && *sh->artist ? sh->artist : "\u2014", date };
    double hx = x0 + cw * 0.56, hy = y;

    double h = draw_text (s, x0, y, T_ (s, "Hairline Design"), TEXT_PLAIN, &tt);
    draw_text (s, x0, y + h + 1, T_ (s, "Scalp micropigmentation \u00b7 consultation record"), TEXT_PLAIN, &ts);
    tv.width = x1 - hx - 48;
    tv.max_lines = 1;
    for (int i = 0; i < 3; i++)
      {
        draw_text (s, hx, hy + 2.2, labels[i], TEXT_PLAIN, &tl);
        hy += draw_text (s, hx + 48, hy, values[i], TEXT_PLAIN, &tv) + 1.5;
      }
    y += MAX (h + 14, hy - y) + 6;
    cairo_save (cr);
    set_rgb (cr, ACCENT);
    cairo_rectangle (cr, x0, y, cw, 1.6);
    cairo_fill (cr);
    cairo_restore (cr);
    y += 10;
  }

  /* the fixed blocks below the figures, measured first so the figures get the rest */
  double table_h = 12 + 15.5 * (sh->n_sessions > 0 ? sh->n_sessions + 1 : p->sessions + 1) + 14;
  double lower_h = table_h + 14 + 118 + 10 + 58 + 40 + 26;
  double aspect = (double) s->cw / s->ch;
  double col_w = (cw - GAP_PT) / 2;
  double avail = s->page_h - MARGIN_PT - y - lower_h;
  double zoom_side = DETAIL_ZOOM * SMP_SHEET_DETAIL_MM * SMP_SHEET_PT_PER_MM;
  /* row 1 gets what is left after row 2's minimum, capped by the aspect */
  double row2_h = MAX (zoom_side, 0);
  double row1_h = MIN (col_w / aspect, avail - row2_h - 40);
  double img_w = row1_h * aspect;

  row1_h = MAX (row1_h, 60.0);
  img_w = MIN (row1_h * aspect, col_w);
  row1_h = img_w / aspect;

  /* row 1: before and after */
  {
    char buf[160];
    double bx = x0 + (col_w - img_w) / 2, ax = x0 + col_w + GAP_PT + (col_w - img_w) / 2;
    draw_caption (s, x0, y, T_ (s, "Before"));
    g_snprintf (buf, sizeof buf, TN_ (s, "After \u00b7 proposal, %d session, %s",
                                      "After \u00b7 proposal, %d sessions, %s", p->sessions),
                p->sessions, stage_label (s, p->stage));
    draw_caption (s, x0 + col_w + GAP_PT, y, buf);
    y += 11;
    draw_photo (s, &sh->before, bx, y, img_w, row1_h);
    if (!step (s, 0.3))
      return;
    draw_photo (s, &sh->after, ax, y, img_w, row1_h);
    y += row1_h + 14;
  }
  if (!step (s, 0.5))
    return;

  /* row 2: overlay with legend | enlarged detail | actual size */
  {
    double ov_w = MIN (col_w, row2_h * aspect), ov_h = ov_w / aspect;
    double dx = x0 + col_w + GAP_PT;
    char buf[128];

    draw_caption (s, x0, y, T_ (s, "Hairline and zones"));
    g_snprintf (buf, sizeof buf, T_ (s, "Transition zone \u00d7%.0f"), DETAIL_ZOOM);
    draw_caption (s, dx, y, buf);
    draw_caption (s, dx + zoom_side + GAP_PT, y, T_ (s, "Actual size"));
    y += 11;
    draw_overlay (s, x0 + (col_w - ov_w) / 2, y, ov_w, ov_h);
    if (!step (s, 0.7))
      return;
    double dh = draw_detail (s, dx, y, zoom_side);
    double ly = y + MAX (ov_h, 0) + 5, lx = x0;
    g_snprintf (buf, sizeof buf, T_ (s, "Transition zone %.1f mm"), p->fade_width_mm);
    lx = legend_item (s, lx, ly, LINE_RED, 1, TRUE, T_ (s, "Hairline"));
    lx = legend_item (s, lx, ly, ZONE_AMBER, 0.45, FALSE, buf);
    if (p->sentinel > 0)
      {
        /* the same figures, rounded the same way, as the parameter table below */
        g_snprintf (buf, sizeof buf, T_ (s, "Sentinels %.1f mm ahead"), p->sentinel_depth_mm);
        lx = legend_item (s, lx, ly, ZONE_TEAL, 0.4, FALSE, buf);
      }
    lx = legend_item (s, lx, ly, ACCENT, 0.35, FALSE, T_ (s, "Full density"));
    legend_item (s, lx, ly, INK, 1, 2, T_ (s, "Close-up"));
    y += MAX (ov_h + 16, dh) + 12;
  }

  /* the session plan */
  {
    SmpSheetSession plan[SMP_MAX_SESSIONS];
    const SmpSheetSession *rows = sh->sessions;
    int n = sh->n_sessions;
    char buf[200];
    TextStyle tn = text_style (7.0, PANGO_WEIGHT_NORMAL, GREY);

    if (n <= 0)
      {
        double shade[3] = { p->shade[0], p->shade[1], p->shade[2] };
        n = smp_sheet_plan_sessions (p, shade, sh->treated_area_cm2, plan);
        rows = plan;
      }
    draw_caption (s, x0, y, T_ (s, "Session plan"));
    /* On a fitted head the area and the densities are the skin's, not the photo's plane. */
    g_snprintf (buf, sizeof buf, T_ (s, "Treated area %.1f cm\u00b2 %s \u00b7 sessions 10\u201330 days apart"),
                sh->treated_area_cm2, sh->on_head ? T_ (s, "of skin (fitted head model)")
                                                    : T_ (s, "(flat photo)"));
    tn.align = PANGO_ALIGN_RIGHT;
    tn.width = cw * 0.6;
    draw_text (s, x1 - cw * 0.6, y, buf, TEXT_PLAIN, &tn);
    y += 13;
    y += draw_session_table (s, x0, y, cw, rows, n);
    tn.align = PANGO_ALIGN_LEFT;
    tn.width = cw;
    y += 3;
    y += draw_text (s, x0, y,
                    T_ (s, "Estimated impressions = treated area \u00d7 dots/cm\u00b2; the transition zone needs fewer. "
                    "Skin heals 2\u20133 shades lighter: later sessions build tone and density."),
                    TEXT_PLAIN, &tn) + 12;
  }

  /* parameters | design checks */
  {
    char v[16][64];
    const char *pairs[34];
    int n = 0;
    double ph, chh;
    double cy = y;

#define PAIR(label, ...) do { int i_ = n / 2; g_snprintf (v[i_], sizeof v[0], __VA_ARGS__); \
                              pairs[n] = label; pairs[n + 1] = v[i_]; n += 2; } while (0)
    if (sh->preset && *sh->preset)
      PAIR (T_ (s, "Preset"), "%s", sh->preset);
    PAIR (T_ (s, "Scale"), "%.2f px/mm%s", p->px_per_mm,
          sh->calibrated ? T_ (s, " (calibrated)") : T_ (s, " (not calibrated)"));
    PAIR (T_ (s, "Density (full)"), T_ (s, "%.0f dots/cm\u00b2"), p->density_per_cm2);
    PAIR (T_ (s, "Dot diameter"), "%.2f mm \u00b1%.0f%%", p->dot_diameter_mm, 100 * p->size_jitter);
    PAIR (T_ (s, "Transition (fade) width"), "%.1f mm", p->fade_width_mm);
    PAIR (T_ (s, "Sentinel dots"), T_ (s, "%.0f%% density, %.1f mm ahead"), 100 * p->sentinel, p->sentinel_depth_mm);
    PAIR (T_ (s, "Irregularity"), T_ (s, "%.1f mm macro, %.1f mm micro"), p->irregularity_mm, p->micro_irregularity_mm);
    PAIR (T_ (s, "Softness"), "%.2f", p->softness);
    if (p->under_hair < 1.0)
      PAIR (T_ (s, "Under-hair factor"), "%.0f%%", 100 * p->under_hair);
    PAIR (T_ (s, "Stage shown"), "%s", stage_label (s, p->stage));
    PAIR (T_ (s, "Sessions"), "%d", p->sessions);
    PAIR (T_ (s, "Seed"), "%u", p->seed);
    pairs[n] = NULL;
#undef PAIR
    draw_caption (s, x0, cy, T_ (s, "Parameters"));
    draw_caption (s, x0 + col_w + GAP_PT, cy, T_ (s, "Design checks"));
    cy += 12;
    ph = draw_pairs (s, x0, cy, col_w, pairs);
    chh = draw_checks (s, x0 + col_w + GAP_PT, cy, col_w, sh->checks, sh->checks_run);
    y = cy + MAX (ph, chh) + 10;
  }

  /* notes, then signatures and the disclaimer at the foot of the page */
  {
    double foot = s->page_h - MARGIN_PT;
    double sig_y = foot - 44;
    TextStyle tn = text_style (8.2, PANGO_WEIGHT_NORMAL, INK);
    double box_h = MAX (24.0, sig_y - 14 - (y + 11));
    int lines;

    draw_caption (s, x0, y, T_ (s, "Notes"));
    y += 11;
    cairo_save (cr);
    set_rgb (cr, 0xf4f6f7);
    cairo_rectangle (cr, x0, y, cw, box_h);
    cairo_fill (cr);
    cairo_restore (cr);
    tn.width = cw - 12;
    lines = MAX (1, (int) floor ((box_h - 8) / (8.2 * 1.25)));
    tn.max_lines = lines;
    if (sh->notes && *sh->notes)
      draw_text (s, x0 + 6, y + 5, sh->notes, TEXT_PLAIN, &tn);

    /* signatures */
    TextStyle tl = text_style (6.8, PANGO_WEIGHT_NORMAL, GREY);
    hline (cr, x0, x0 + col_w * 0.8, sig_y + 14, 0.5, GREY);
    hline (cr, x0 + col_w + GAP_PT, x0 + col_w + GAP_PT + col_w * 0.8, sig_y + 14, 0.5, GREY);
    draw_text (s, x0, sig_y + 16, T_ (s, "Client signature"), TEXT_PLAIN, &tl);
    draw_text (s, x0 + col_w + GAP_PT, sig_y + 16, T_ (s, "Artist signature"), TEXT_PLAIN, &tl);

    /* disclaimer */
    TextStyle td = text_style (7.2, PANGO_WEIGHT_NORMAL, GREY);
    TextStyle tg = td;
    hline (cr, x0, x1, foot - 11, 0.4, RULE_GREY);
    td.style = PANGO_STYLE_ITALIC;
    draw_text (s, x0, foot - 8, T_ (s, "This is a simulation, not a guarantee of the healed result."), TEXT_PLAIN, &td);
    tg.align = PANGO_ALIGN_RIGHT;
    tg.width = cw * 0.4;
    g_autofree char *credit = g_strdup_printf (T_ (s, "SMP Hairline %s for GIMP"), SMP_VERSION);
    draw_text (s, x1 - cw * 0.4, foot - 8, credit, TEXT_PLAIN, &tg);
  }
}

static gboolean
image_ok (const SmpSheetImage *img)
{
  return img->pixels && img->width > 0 && img->height > 0 && img->rowstride >= (gsize) img->width * 4;
}

/* `with_detail`: the full-resolution detail must be there when the views are
 * scaled down (smp_sheet_write); FALSE while it is being chosen. */
static gboolean
validate (const SmpSheet *sheet, gboolean with_detail, GError **error)
{
  const SmpSheetImage *b = &sheet->before, *a = &sheet->after;
  int cw = sheet->crop_width ? sheet->crop_width : b->width;
  int ch = sheet->crop_height ? sheet->crop_height : b->height;

  if (!b->pixels || !a->pixels || b->width <= 0 || b->height <= 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("the design sheet needs a before and an after image"));
      return FALSE;
    }
  if (a->width != b->width || a->height != b->height)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("the before (%d×%d) and after (%d×%d) images differ in size"),
                   b->width, b->height, a->width, a->height);
      return FALSE;
    }
  if (b->rowstride < (gsize) b->width * 4 || a->rowstride < (gsize) a->width * 4)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("an image's row stride is shorter than its rows"));
      return FALSE;
    }
  if (cw < b->width || ch < b->height || cw > (1 << 24) || ch > (1 << 24))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("a %d×%d crop cannot be shown by %d×%d views (views are the crop, scaled down)"),
                   cw, ch, b->width, b->height);
      return FALSE;
    }
  if (with_detail && (cw != b->width || ch != b->height || sheet->detail.pixels))
    {
      const SmpSheetImage *d = &sheet->detail;

      if (!image_ok (d) || d->width != d->height || sheet->detail_left < 0 || sheet->detail_top < 0 ||
          d->width > cw - sheet->detail_left || d->height > ch - sheet->detail_top)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       _("views scaled down from the crop need the 1:1 detail at full resolution: a "
                       "square inside the crop (smp_sheet_detail_rect)"));
          return FALSE;
        }
    }
  if (!sheet->hairline && (sheet->n_strokes == 0 || !sheet->strokes))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("the design sheet needs the hairline"));
      return FALSE;
    }
  if (sheet->n_sessions < 0 || sheet->n_sessions > SMP_MAX_SESSIONS)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("%d sessions: the plan holds 1 to %d"),
                   sheet->n_sessions, SMP_MAX_SESSIONS);
      return FALSE;
    }
  if (!(sheet->treated_area_cm2 >= 0) || !(sheet->treated_area_cm2 <= SMP_SHEET_MAX_TREATED_AREA_CM2))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("treated area %g cm² is not a size (0 to %g cm²)"), sheet->treated_area_cm2,
                   SMP_SHEET_MAX_TREATED_AREA_CM2);
      return FALSE;
    }
  /* A caller's plan is printed as given: every number within what a plan can hold. */
  for (int k = 0; k < sheet->n_sessions; k++)
    {
      const SmpSheetSession *r = &sheet->sessions[k];
      if (!(r->share >= 0 && r->share <= 1) || !(r->opacity >= 0 && r->opacity <= 1) ||
          !(r->dots_per_cm2 >= 0 && r->dots_per_cm2 <= SMP_DENSITY_CEILING_PER_CM2) ||
          !(r->dot_diameter_mm >= 0 && r->dot_diameter_mm <= 100) ||
          !(r->impressions >= 0 &&
            r->impressions <= SMP_SHEET_MAX_TREATED_AREA_CM2 * SMP_DENSITY_CEILING_PER_CM2))
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                       _("session %d of the plan holds a number out of range"), k + 1);
          return FALSE;
        }
    }
  return smp_params_validate (&sheet->params, error);
}

void
smp_sheet_init (SmpSheet *sheet)
{
  g_return_if_fail (sheet != NULL);
  memset (sheet, 0, sizeof *sheet);
  smp_params_init_defaults (&sheet->params);
  sheet->detail_x = sheet->detail_y = NAN;
  sheet->paper = SMP_PAPER_A4;
}

/* What drawing and choosing the detail need: the checked input, the
 * difference table, the resolved hairline, the page and the detail square. */
static gboolean
prepare (Sheet *s, const SmpSheet *sheet, gboolean with_detail, SmpHairline **own_hairline, GError **error)
{
  if (!validate (sheet, with_detail, error))
    return FALSE;

  s->sheet = sheet;
  s->cw = sheet->crop_width ? sheet->crop_width : sheet->before.width;
  s->ch = sheet->crop_height ? sheet->crop_height : sheet->before.height;
  if (sheet->hairline)
    s->hairline = sheet->hairline;
  else
    {
      SmpHairline *own = *own_hairline = smp_hairline_new ();
      for (guint k = 0; k < sheet->n_strokes; k++)
        {
          g_autoptr (GError) local = NULL;
          if (!smp_hairline_add_stroke (own, sheet->strokes[k].xy, sheet->strokes[k].n_points,
                                        sheet->strokes[k].closed, &local) &&
              sheet->n_strokes == 1)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      if (smp_hairline_get_n_strokes (own) == 0)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY, _("no stroke of the hairline can be used"));
          return FALSE;
        }
      /* No resolved hairline given: the side the parameters name, "auto" meaning
       * toward the image top, as a run without a selection resolves it. */
      smp_hairline_resolve_side (own, sheet->params.scalp_side, NULL, sheet->params.px_per_mm);
      s->hairline = own;
    }
  if (!build_diff_sat (s, error))
    return FALSE;
  if (sheet->paper == SMP_PAPER_LETTER)
    s->page_w = 8.5 * 72, s->page_h = 11 * 72;
  else
    s->page_w = 210 * SMP_SHEET_PT_PER_MM, s->page_h = 297 * SMP_SHEET_PT_PER_MM;
  if (isfinite (sheet->detail_x) && isfinite (sheet->detail_y))
    s->detail_x = sheet->detail_x, s->detail_y = sheet->detail_y;
  else
    find_detail_centre (s);
  if (with_detail && sheet->detail.pixels)
    s->detail = (Crop) { sheet->detail_left, sheet->detail_top, sheet->detail.width, sheet->detail.height };
  else
    s->detail = detail_crop (s);
  return TRUE;
}

gboolean
smp_sheet_detail_rect (const SmpSheet *sheet, int *x, int *y, int *side, GError **error)
{
  g_autoptr (SmpHairline) own_hairline = NULL;
  Sheet s = { 0 };
  gboolean ok;

  g_return_val_if_fail (sheet != NULL && x != NULL && y != NULL && side != NULL, FALSE);
  ok = prepare (&s, sheet, FALSE, &own_hairline, error);
  g_free (s.diff_sat);
  if (!ok)
    return FALSE;
  *x = s.detail.x, *y = s.detail.y, *side = s.detail.width;
  return TRUE;
}

gboolean
smp_sheet_write (const SmpSheet *sheet, const char *path, GError **error)
{
  g_autofree char *lower = NULL;
  g_autoptr (SmpHairline) own_hairline = NULL;
  g_autofree gint64 *diff_sat = NULL;
  gboolean pdf;
  Sheet s = { 0 };
  SmpSheetFile w = { 0 };
  cairo_surface_t *surface = NULL;
  cairo_status_t status;

  g_return_val_if_fail (sheet != NULL && path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".pdf"))
    pdf = TRUE;
  else if (g_str_has_suffix (lower, ".png"))
    pdf = FALSE;
  else
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("“%s”: a design sheet is written as PDF or PNG; use a name ending in .pdf or .png"), path);
      return FALSE;
    }
  if (!prepare (&s, sheet, TRUE, &own_hairline, error))
    {
      g_free (s.diff_sat);
      return FALSE;
    }
  diff_sat = s.diff_sat;

  if (!smp_sheet_file_open (&w, path, pdf ? 0 : (guint32) lround (SMP_SHEET_PNG_DPI / 0.0254), error))
    return FALSE;

  if (pdf)
    {
      surface = cairo_pdf_surface_create_for_stream (smp_sheet_file_write, &w, s.page_w, s.page_h);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                      smp_catalog_gettext (sheet->catalog, "SMP hairline design sheet"));
      if (sheet->artist && *sheet->artist)
        cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, sheet->artist);
      cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "SMP Hairline " SMP_VERSION " for GIMP");
      s.device_dpi = EMBED_DPI;
    }
  else
    {
      s.device_dpi = SMP_SHEET_PNG_DPI;
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) lround (s.page_w / 72 * s.device_dpi),
                                            (int) lround (s.page_h / 72 * s.device_dpi));
    }
  s.cr = cairo_create (surface);
  if (!pdf)
    {
      cairo_set_source_rgb (s.cr, 1, 1, 1);
      cairo_paint (s.cr);
      cairo_scale (s.cr, s.device_dpi / 72, s.device_dpi / 72);
    }
  s.pango = pango_cairo_create_context (s.cr);
  /* sizes are in points: one user unit is one point */
  pango_cairo_context_set_resolution (s.pango, 72);
  {
    cairo_font_options_t *fo = cairo_font_options_create ();
    cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options (s.pango, fo);
    cairo_font_options_destroy (fo);
  }

  if (step (&s, 0.1))
    draw_page (&s);

  g_object_unref (s.pango);
  status = cairo_status (s.cr);
  cairo_destroy (s.cr);
  if (status == CAIRO_STATUS_SUCCESS && step (&s, 0.8))
    {
      if (pdf)
        cairo_surface_show_page (surface);
      else
        status = cairo_surface_write_to_png_stream (surface, smp_sheet_file_write, &w);
    }
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (s.cancelled)
    {
      /* a failed commit removes the temporary file: nothing is left */
      smp_sheet_file_commit (&w, CAIRO_STATUS_WRITE_ERROR, NULL);
      g_set_error (error, SMP_ERROR, SMP_ERROR_CANCELLED, _("the design sheet was cancelled; “%s” was not written"),
                   path);
      return FALSE;
    }
  if (!smp_sheet_file_commit (&w, status, error))
    return FALSE;
  step (&s, 1.0);
  return TRUE;
}
