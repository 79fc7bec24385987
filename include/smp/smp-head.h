/* smp-head.h: the head model: an ellipsoid seen orthographically, fitted to the head's
 * outline and the face frame, giving the skin's foreshortening at any image point. */
#pragma once

#include <glib.h>
#include "smp-face.h"

G_BEGIN_DECLS

/* Past this cos θ (the skin's angle to the view) the scalp turns away: no dots
 * are placed there (they would pile into the silhouette). */
#define SMP_HEAD_MIN_COS 0.15
/* Outline points read at most (more are thinned evenly). */
#define SMP_HEAD_MAX_POINTS 100000
/* Longest stored record, bytes. */
#define SMP_HEAD_MAX_RECORD 4096
#define SMP_HEAD_GROUP "SMP Head Model"
#define SMP_HEAD_VERSION 1

/* The head as an ellipsoid whose axes follow the face frame: `across` (toward the
 * frame's eye_right), `up` (toward the scalp) and the view direction. Its outline
 * in the image is the ellipse of semi-axes radius_across_px, radius_up_px round
 * the centre; radius_depth_px is not visible in a frontal view and is taken equal
 * to radius_across_px (docs/head-model.md says why). Image px throughout. */
typedef struct
{
  double centre_x, centre_y;
  double across_x, across_y;  /* unit */
  double up_x, up_y;          /* unit, perpendicular to across */
  double radius_across_px;
  double radius_up_px;
  double radius_depth_px;
  double rms_error_px;        /* the outline points' RMS distance from the fitted outline */
  guint  n_points;            /* outline points the fit used */
} SmpHeadModel;

/* What the model says about one image point on the scalp. */
typedef struct
{
  double cos_theta;     /* of the angle between the skin's normal and the view */
  double slope_x, slope_y; /* unit image direction in which the skin turns away (0, 0 facing the view) */
  /* mm of skin → image px, row-major [dx/du, dx/dv, dy/du, dy/dv], in the tangent
   * frame that unrolls the skin onto the image axes: px_per_mm · (I − (1 − cos θ) s sᵀ). */
  double jacobian[4];
} SmpHeadLocal;

/* Fits the model to `n_points` (x, y) outline points (image px) on the head's
 * silhouette and the face frame (midline, roll; the face must lie inside the
 * head: the glabella inside the outline, the outer eye corners within its width).
 * The centre is on the frame's midline, the axes follow its roll; the
 * across and up radii and the centre's height are fitted (least squares on the
 * radial distance to the outline), so three points determine a model.
 * SMP_ERROR_BAD_GEOMETRY with a message saying what is wrong: a NULL or invalid
 * frame, non-finite points, fewer than three distinct points, points on a line,
 * an outline no ellipse round the face's midline fits (not convex round it), an
 * outline that does not contain the face frame, or an absurd size. */
gboolean smp_head_model_fit (SmpHeadModel       *model,
                             const SmpFaceFrame *frame,
                             const double       *xy,
                             gsize               n_points,
                             GError            **error);

/* SMP_ERROR_BAD_GEOMETRY on non-finite or out-of-range fields (coordinates
 * beyond SMP_FACE_MAX_COORDINATE_PX, radii under 4 px, axes not orthonormal,
 * a depth more than 3× or under a third of the across radius). */
gboolean smp_head_model_validate (const SmpHeadModel *model, GError **error);

/* The local map at image point (x, y). FALSE (and cos_theta 0 or the value
 * found) outside the outline or where cos θ < SMP_HEAD_MIN_COS. */
gboolean smp_head_model_local (const SmpHeadModel *model,
                               double              x,
                               double              y,
                               double              px_per_mm,
                               SmpHeadLocal       *local);

/* An impression's ellipse (semi-axes a, b px at the flat scale, a's axis at
 * `angle`) laid on the skin at `local`, as the image shows it. */
void smp_head_local_foreshorten (const SmpHeadLocal *local, double *radius_a, double *radius_b, double *angle);

/* cos θ at (x, y): 0 outside the outline. */
double smp_head_model_cos (const SmpHeadModel *model, double x, double y);

/* Length in mm of the skin over the image segment (x0, y0)–(x1, y1): the
 * segment lifted onto the ellipsoid (points past the outline are clamped onto
 * it). At least the segment's own length / px_per_mm. */
double smp_head_model_skin_length_mm (const SmpHeadModel *model,
                                      double x0, double y0, double x1, double y1,
                                      double px_per_mm);

/* Coordinates on the skin, mm: azimuthal equidistant about the point of the
 * head facing the view (true distances from it, little distortion over the
 * front of the head): noise and wavelengths measured on the skin use them. */
void smp_head_model_skin_coords (const SmpHeadModel *model,
                                 double x, double y, double px_per_mm,
                                 double *u_mm, double *v_mm);

/* The inverse: the image point whose skin coordinates are (u_mm, v_mm). FALSE
 * on the far side (more than a quarter turn from the point facing the view). */
gboolean smp_head_model_from_skin_coords (const SmpHeadModel *model,
                                          double u_mm, double v_mm, double px_per_mm,
                                          double *x, double *y);

/* The outline (n points, closed) or the contour where cos θ = `cos_theta`
 * (0 < cos_theta < 1), as (x, y) pairs. */
GArray *smp_head_model_outline (const SmpHeadModel *model, guint n);
GArray *smp_head_model_contour (const SmpHeadModel *model, double cos_theta, guint n);

/* Key-file text, group [SMP Head Model]: version, centre_x/y, across_x/y,
 * up_x/y, radius_across_px, radius_up_px, radius_depth_px, rms_error_px,
 * n_points. Parsing is for untrusted text: longer than SMP_HEAD_MAX_RECORD, a
 * missing or bad key, an unknown version: SMP_ERROR_PRESET naming it; then
 * validates. `model` is unchanged on failure. */
char    *smp_head_model_to_string   (const SmpHeadModel *model);
/* The same group inside a larger key file (the proposal record). */
void     smp_head_model_save_key_file (const SmpHeadModel *model, GKeyFile *key_file);
gboolean smp_head_model_load_key_file (SmpHeadModel *model, GKeyFile *key_file, GError **error);
gboolean smp_head_model_from_string (SmpHeadModel *model,
                                     const char   *text,
                                     GError      **error);

G_END_DECLS
