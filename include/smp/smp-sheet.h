/* smp-sheet.h: the consultation design sheet (one page, PDF or PNG): before and
 * after views, hairline overlay, 1:1 detail, session plan, parameters and checks. */
#pragma once

#include <glib.h>
#include "smp-error.h"
#include "smp-params.h"
#include "smp-hairline.h"
#include "smp-catalog.h"

G_BEGIN_DECLS

typedef enum
{
  SMP_PAPER_A4,     /* 210 × 297 mm */
  SMP_PAPER_LETTER, /* 8.5 × 11 in */
} SmpPaper;

/* PNG sheets are rendered at this resolution (A4: 1240 × 1754 px). */
#define SMP_SHEET_PNG_DPI 150.0
/* PDF points per mm: the 1:1 detail and its scale bar are drawn in these. */
#define SMP_SHEET_PT_PER_MM (72.0 / 25.4)
/* The 1:1 detail patch's side on the client's scalp. */
#define SMP_SHEET_DETAIL_MM 10.0

/* A borrowed RGBA u8 image (straight alpha, sRGB). */
typedef struct
{
  const guint8 *pixels;
  int           width, height;
  gsize         rowstride;
} SmpSheetImage;

/* One stroke of the drawn hairline, `n_points` (x, y) pairs in the images' px. */
typedef struct
{
  const double *xy;
  gsize         n_points;
  gboolean      closed;
} SmpSheetStroke;

/* The largest treated area a sheet accepts: GIMP's largest image (524,288 px a
 * side) at the smallest scale (0.5 px/mm) covers 1.1e10 cm². Stored numbers
 * beyond it (1e308 from a hostile parasite) are refused, not printed. */
#define SMP_SHEET_MAX_TREATED_AREA_CM2 1.1e10

/* One row of the session plan. */
typedef struct
{
  double share;            /* of all dots, 0..1 */
  double dots_per_cm2;     /* added in this session, at full density */
  double dot_diameter_mm;  /* fresh */
  double shade_srgb[3];    /* pigment colour, sRGB 0..1 (the swatch and its hex) */
  double opacity;          /* 0..1 */
  double impressions;      /* estimated count over the treated area */
} SmpSheetSession;

typedef struct
{
  /* Before (the photo) and after (with the proposal): the same crop, same size. */
  SmpSheetImage         before;
  SmpSheetImage         after;
  /* The hairline as drawn, in the crop's px. */
  const SmpSheetStroke *strokes;
  guint                 n_strokes;
  /* The hairline with its scalp side resolved as the run resolved it (for the
   * zones). Optional: without it one is built from `strokes` and
   * params.scalp_side (AUTO: toward the top). */
  SmpHairline          *hairline;
  /* The design; params.px_per_mm is the photo's scale. */
  SmpParams             params;
  gboolean              calibrated;      /* FALSE: the scale is a default guess */
  gboolean              on_head;         /* the design lay on a fitted head model (smp-head.h) */
  double                treated_area_cm2;
  /* The plan; n_sessions 0 = computed by smp_sheet_plan_sessions (). */
  SmpSheetSession       sessions[SMP_MAX_SESSIONS];
  int                   n_sessions;
  /* Centre of the 1:1 detail (the close-up of the transition zone) in the crop's
   * px; NAN = chosen on the hairline (smp_sheet_detail_rect). */
  double                detail_x, detail_y;
  /* A large photo: `before` and `after` may be the crop read scaled down (to at
   * most SMP_SHEET_VIEW_MAX_PX a side), the crop itself being crop_width ×
   * crop_height photo px (0 = the views' own size; strokes, hairline and detail
   * centre stay in crop px). The 1:1 detail is then given at the photo's
   * resolution: `detail`, the after image's square from smp_sheet_detail_rect. */
  int                   crop_width, crop_height;
  SmpSheetImage         detail;
  int                   detail_left, detail_top;  /* its corner, crop px */
  /* NULL-terminated design-check findings (nullable: no checks ran; empty: all
   * passed) and which checks ran, as printed (nullable, e.g. "height, fade"). */
  const char *const    *checks;
  const char           *checks_run;
  /* Text fields, all nullable. */
  const char           *preset;
  const char           *client;
  const char           *artist;
  const char           *date;
  const char           *notes;
  SmpPaper              paper;
  /* The language the sheet is printed in (borrowed; nullable: the UI's own,
   * through the process's gettext). Clients are not always in the artist's locale. */
  const SmpCatalog     *catalog;
  /* Nullable: told the share written at each stage; FALSE stops the sheet
   * (SMP_ERROR_CANCELLED, no file written or left behind). */
  SmpProgressFunc       progress;
  gpointer              progress_data;
} SmpSheet;

/* Fills `sheet` with empty text, NAN detail centre, A4 and default params. */
void smp_sheet_init (SmpSheet *sheet);

/* The default plan: session k places share_k of the dots at the design's full
 * density, with the design's dot size and shade, each session a little darker
 * (as the renderer does), estimated impressions = area × density × share.
 * `shade_srgb` is the pigment colour in sRGB. An area that is not a number or
 * negative counts as 0, one over SMP_SHEET_MAX_TREATED_AREA_CM2 as that limit.
 * Returns the number of rows. */
int smp_sheet_plan_sessions (const SmpParams *params,
                             const double     shade_srgb[3],
                             double           treated_area_cm2,
                             SmpSheetSession  rows[SMP_MAX_SESSIONS]);

/* Views larger than this on their long side add nothing on the page (its widest
 * box at its highest resolution is under 1800 px): a caller reads the crop
 * scaled down to this. */
#define SMP_SHEET_VIEW_MAX_PX 2048

/* The square (crop px) the 1:1 detail shows, as smp_sheet_write would choose it
 * from the views (detail_x/y when given, else a close-up straddling the
 * hairline, centred in its transition zone where the proposal shows, nearest the
 * hairline's middle): the caller reads that square of the after image at full
 * resolution into `detail`. Fails as smp_sheet_write does on unusable input. */
gboolean smp_sheet_detail_rect (const SmpSheet *sheet,
                                int            *x,
                                int            *y,
                                int            *side,
                                GError        **error);

/* Writes the sheet to `path`: ".pdf" (vector text, embedded images, the paper's
 * size) or ".png" (SMP_SHEET_PNG_DPI), by the extension, case-insensitively.
 * Writes a temporary file beside `path` and renames it at the end: on failure
 * no file is left behind. SMP_ERROR_INVALID_PARAMETER for another extension or
 * unusable input (images missing or of different sizes, no hairline),
 * SMP_ERROR_IO naming the path when it cannot be written. */
gboolean smp_sheet_write (const SmpSheet *sheet, const char *path, GError **error);

G_END_DECLS
