/* smp-face.h: the face frame (glabella + outer eye corners) and the design aids
 * measured against it: hairline templates, mirroring, and the design checks. */
#pragma once

#include <glib.h>
#include "smp-params.h"

G_BEGIN_DECLS

/* Mid-frontal point above the glabella: 70 mm aggressive, 80 typical, 100 conservative. */
#define SMP_FACE_DEFAULT_HEIGHT_MM 80.0
/* Landmarks farther out lie outside any image (GIMP's largest is 524,288 px). */
#define SMP_FACE_MAX_COORDINATE_PX 1e7
/* Eye corners closer than this cannot carry a frame. */
#define SMP_FACE_MIN_EYE_DISTANCE_PX 4.0

/* Design-check limits (see smp_face_check_design). */
#define SMP_FACE_MIN_HEIGHT_MM           70.0
#define SMP_FACE_MIN_HEIGHT_FEMININE_MM  50.0
#define SMP_FACE_MIN_IRREGULARITY_MM     1.0
#define SMP_FACE_MAX_ASYMMETRY_MM        2.0
#define SMP_FACE_MIN_FADE_MM             3.0

#define SMP_FACE_FRAME_GROUP "SMP Face Frame"

/* ---- The face frame ------------------------------------------------------ */

/* Three landmarks in image px. "Left" and "right" are as seen in the image: on a
 * frontal photo eye_left is the client's right eye.
 *
 * Geometry derived from them (SmpFaceAxes): the face MIDLINE is the perpendicular
 * bisector of the two outer eye corners; "up" is perpendicular to the eye line,
 * toward the scalp; heights are measured along "up" from the glabella's level.
 * The glabella's sideways offset from the midline is ignored (on a frontal photo
 * it is small): it sets the height origin only. */
typedef struct
{
  double glabella_x, glabella_y;
  double eye_left_x, eye_left_y;
  double eye_right_x, eye_right_y;
} SmpFaceFrame;

typedef struct
{
  double origin_x, origin_y; /* on the midline, at the glabella's level */
  double across_x, across_y; /* unit vector toward eye_right */
  double up_x, up_y;         /* unit vector toward the scalp */
  double half_width_px;      /* half the eye-corner distance */
} SmpFaceAxes;

/* A frame from three points (x, y pairs) in ANY order. The glabella is the point
 * opposite the longest side (the outer eye corners are the farthest apart). "Up"
 * is the side of the eye line the glabella lies on when it sits clearly off it
 * (at least 5% of the eye distance; the glabella is above the outer eye corners),
 * else the side toward the image top. Left/right follow from "up". Fails with
 * SMP_ERROR_BAD_GEOMETRY as smp_face_frame_validate does. */
gboolean smp_face_frame_from_points (SmpFaceFrame *frame,
                                     const double  xy[6],
                                     GError      **error);

/* SMP_ERROR_BAD_GEOMETRY on non-finite coordinates or ones beyond
 * SMP_FACE_MAX_COORDINATE_PX, eye corners closer than
 * SMP_FACE_MIN_EYE_DISTANCE_PX, a glabella not between the eye corners (its
 * foot on the eye line outside the middle 60%) or farther from the eye line
 * than the eyes are apart. */
gboolean smp_face_frame_validate (const SmpFaceFrame *frame, GError **error);

/* Valid frames only. */
void smp_face_frame_get_axes (const SmpFaceFrame *frame, SmpFaceAxes *axes);

/* Image px <-> face px: `across` from the midline (positive toward eye_right),
 * `up` above the glabella's level. */
void smp_face_axes_to_face   (const SmpFaceAxes *axes, double x, double y,
                              double *across, double *up);
void smp_face_axes_to_image  (const SmpFaceAxes *axes, double across, double up,
                              double *x, double *y);
/* Reflection about the face midline, in image px. */
void smp_face_axes_reflect   (const SmpFaceAxes *axes, double x, double y,
                              double *rx, double *ry);

/* Key-file text, group [SMP Face Frame]: glabella_x/y, eye_left_x/y, eye_right_x/y. */
char    *smp_face_frame_to_string   (const SmpFaceFrame *frame);
/* SMP_ERROR_PRESET naming a missing or bad key; then validates. */
gboolean smp_face_frame_from_string (SmpFaceFrame *frame,
                                     const char   *text,
                                     GError      **error);

/* ---- Curves: GIMP's Bézier layout ---------------------------------------- */

/* Curves are arrays of doubles, 6 per anchor in GIMP's order:
 * control-in x, y, anchor x, y, control-out x, y (image px). */

/* Points along an open Bézier curve, no two more than `max_step_px` apart, as
 * (x, y) pairs; the anchors are among them. */
GArray *smp_face_curve_flatten (const double *points, gsize n_anchors, double max_step_px);

/* The full hairline from a half: the half (an open curve on one side of the
 * midline, drawn from the midline outward or inward) is reflected about the
 * midline and joined to itself at its end nearer the midline. Both halves keep
 * their exact coordinates: ends within 0.01 px of the midline merge into one
 * anchor, other ends are joined by a straight segment across it. The result runs
 * from the viewer's left to the right. SMP_ERROR_BAD_GEOMETRY when the half has
 * fewer than two anchors, non-finite points, lies on the midline or reaches
 * across it (an anchor more than 10% of the half eye distance on the other side). */
GArray *smp_face_mirror_half (const SmpFaceFrame *frame,
                              const double       *points,
                              gsize               n_anchors,
                              GError            **error);

/* ---- Templates (patterns/templates/<id>.smp-template) -------------------- */

typedef struct _SmpFaceTemplate SmpFaceTemplate;

/* A template placed on a face: the curve and its landmark anchors. */
typedef struct
{
  GArray *points;        /* doubles, 6 per anchor (see above) */
  guint   n_anchors;
  guint   mid_frontal;   /* anchor on the midline */
  guint   temple_left;   /* anchors on the eye-corner verticals */
  guint   temple_right;
} SmpFaceCurve;

/* SMP_ERROR_PRESET naming the file and the key at fault. */
SmpFaceTemplate *smp_face_template_load (const char *path, GError **error);
void             smp_face_template_free (SmpFaceTemplate *face_template);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpFaceTemplate, smp_face_template_free)

const char *smp_face_template_get_id          (const SmpFaceTemplate *face_template); /* file name without extension */
const char *smp_face_template_get_name        (const SmpFaceTemplate *face_template);
const char *smp_face_template_get_description (const SmpFaceTemplate *face_template);

/* Every *.smp-template in `dir`, sorted by id; stops at the first bad file. */
GPtrArray *smp_face_template_load_dir (const char *dir, GError **error);

/* The template on `frame`: its x unit becomes half the eye-corner distance, its
 * heights are scaled so that the mid-frontal point lies `height_mm` above the
 * glabella's level (at `px_per_mm`); the temple points land on the verticals
 * through the outer eye corners. SMP_ERROR_BAD_GEOMETRY for a bad frame,
 * SMP_ERROR_INVALID_PARAMETER for a scale or height out of range
 * (px_per_mm 0.5..200, height_mm 20..200). */
SmpFaceCurve *smp_face_template_place (const SmpFaceTemplate *face_template,
                                       const SmpFaceFrame    *frame,
                                       double                 px_per_mm,
                                       double                 height_mm,
                                       GError               **error);
void          smp_face_curve_free     (SmpFaceCurve *curve);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpFaceCurve, smp_face_curve_free)

/* ---- Measurements over a drawn hairline (polyline of x, y pairs, image px) -- */
/* Each walks the points once or twice without copying them: time about linear in
 * the points plus the 0.5 mm samples (the asymmetry's nearest-point queries use a
 * segment hierarchy capped at 65,536 leaves, about 4 MB), whatever the length. A
 * line longer than 131 m is sampled more coarsely (at most 262,144 samples); one
 * whose length is not finite is not measured. */

/* Height above the glabella's level of the LOWEST crossing of the line with the
 * face midline, in mm. FALSE when the line does not cross the midline. */
gboolean smp_face_measure_height_mm (const SmpFaceFrame *frame,
                                     const double       *xy,
                                     gsize               n_points,
                                     double              px_per_mm,
                                     double             *height_mm);

/* How much the drawn line undulates across the front, in mm (amplitude-like).
 * Definition: the line is resampled every 0.5 mm of arc length; at each sample a
 * quadratic in arc length is fitted (least squares, x and y separately) to the
 * samples within ±25 mm, and the residual is the sample's distance from the fit.
 * A quadratic over 50 mm follows a designed curve (rounded, M) but not the 15-30 mm
 * undulation of a natural hairline, nor its 1 mm raggedness. The result is
 * √2 × the RMS residual over the FRONT — the samples within 80% of the way from
 * the midline to the eye-corner verticals (the whole line without a frame) — so
 * that a sine wave of amplitude A measures about A. NAN when the front is shorter
 * than 10 mm. */
double smp_face_measure_irregularity_mm (const SmpFaceFrame *frame,
                                         const double       *xy,
                                         gsize               n_points,
                                         double              px_per_mm);

/* Left/right asymmetry about the midline, in mm: the largest distance from a
 * sample of the line's front (every 0.5 mm, within the eye-corner verticals) to
 * the line's mirror image. FALSE when the line does not reach both sides of the
 * midline. */
gboolean smp_face_measure_asymmetry_mm (const SmpFaceFrame *frame,
                                        const double       *xy,
                                        gsize               n_points,
                                        double              px_per_mm,
                                        double             *asymmetry_mm);

/* ---- Design checks --------------------------------------------------------- */

typedef enum
{
  SMP_FACE_CHECK_HEIGHT,       /* mid-frontal point too low */
  SMP_FACE_CHECK_STRAIGHTNESS, /* straighter than a natural hairline */
  SMP_FACE_CHECK_SYMMETRY,     /* left and right differ by more than 2 mm */
  SMP_FACE_CHECK_FADE,         /* no transition zone */
  SMP_FACE_N_CHECKS
} SmpFaceCheck;

#define SMP_FACE_CHECK_BIT(c) (1u << (c))

typedef struct
{
  SmpFaceCheck check;
  double       measured; /* mm */
  double       limit;    /* mm */
  char        *message;  /* one human-readable sentence with the advice */
} SmpFaceFinding;

/* "height", "straightness", "symmetry", "fade". */
const char *smp_face_check_get_key (SmpFaceCheck check);

/* Runs every check that applies and returns the findings (SmpFaceFinding *,
 * owning) — empty for a good design. `checks_run` (optional) receives the
 * SMP_FACE_CHECK_BIT()s of the checks that could run:
 *   HEIGHT:       needs a frame and a line crossing the midline. Fires when the
 *                 lowest crossing is under 70 mm above the glabella (50 mm when
 *                 `feminine`).
 *   STRAIGHTNESS: needs 10 mm of front. Fires when BOTH the drawn line's
 *                 irregularity (smp_face_measure_irregularity_mm) and
 *                 params->irregularity_mm (what the render adds) are under 1 mm.
 *   SYMMETRY:     needs a frame and a line on both sides. Fires over 2 mm.
 *   FADE:         always. Fires when params->fade_width_mm is under 3 mm.
 * `frame` is nullable. SMP_ERROR_BAD_GEOMETRY for fewer than two points, non-finite
 * points or ones beyond SMP_FACE_MAX_COORDINATE_PX, or a bad frame; SMP_ERROR_INVALID_PARAMETER for px_per_mm <= 0. */
GPtrArray *smp_face_check_design (const double       *xy,
                                  gsize               n_points,
                                  const SmpFaceFrame *frame,
                                  const SmpParams    *params,
                                  double              px_per_mm,
                                  gboolean            feminine,
                                  guint              *checks_run,
                                  GError            **error);

/* The findings as text, one line each ("" when there are none). */
char *smp_face_findings_to_text (const GPtrArray *findings);

/* Writes `group` (e.g. "SMP Checks"): checked=<keys run>; findings=<count>;
 * and one key per finding, named by smp_face_check_get_key, holding its message. */
void smp_face_findings_save_key_file (const GPtrArray *findings,
                                      guint            checks_run,
                                      GKeyFile        *key_file,
                                      const char      *group);

G_END_DECLS
