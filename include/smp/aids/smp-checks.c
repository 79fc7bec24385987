/* smp-checks.c: measurements along a drawn hairline (height, irregularity,
 * asymmetry) and the design checks built on them, bounded by the line's length. */
#include <smp/smp-face.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include "smp-aids-private.h"

#include <math.h>
#include <string.h>

/* Resampling step and fit window of the irregularity measure, mm. */
#define SAMPLE_STEP_MM       0.5
#define IRREGULARITY_HALF_MM 25.0
#define FRONT_FRACTION       0.8
#define MIN_FRONT_MM         10.0

/* ---- Measurements ---------------------------------------------------------- */

/* Every measure walks the caller's polyline once or twice and keeps no copy of
 * it: its memory is a sliding window and a capped segment hierarchy, whatever the
 * line's length or point density (GIMP interpolates every fraction of a pixel). */

typedef struct
{
  const SmpFaceAxes *axes; /* NULL: image coordinates (the rotation-free measures) */
  const double      *xy;
  gsize              n;
  double             px_per_mm;
} Line;

/* Point i in mm: face coordinates (across, up) with a frame, else image ones. */
static inline void
line_point (const Line *l, gsize i, double *a, double *u)
{
  if (l->axes)
    smp_face_axes_to_face (l->axes, l->xy[2 * i], l->xy[2 * i + 1], a, u);
  else
    *a = l->xy[2 * i], *u = l->xy[2 * i + 1];
  *a /= l->px_per_mm;
  *u /= l->px_per_mm;
}

typedef void (*SampleFunc) (double a, double u, gpointer data);

/* At most this many samples per measure: 131 m of line at 0.5 mm, far beyond any
 * head. A longer line (two points can span 10^7 px) is sampled more coarsely, so
 * the cost stays bounded by the points plus this, never by the length alone. */
#define MAX_SAMPLES 262144

/* The sample spacing for `step` mm on this line: wider when the line is longer than
 * MAX_SAMPLES steps; NAN when its length is not finite (then nothing is measured). */
static double
line_step (const Line *l, double step)
{
  double length = 0, pa, pu;

  line_point (l, 0, &pa, &pu);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double qa, qu;
      line_point (l, i + 1, &qa, &qu);
      length += hypot (qa - pa, qu - pu);
      pa = qa, pu = qu;
    }
  if (!isfinite (length))
    return NAN;
  return MAX (step, length / MAX_SAMPLES);
}

/* Calls `f` for points every `step` mm of arc along the line, from its start;
 * `with_end` adds the end point even when it falls short of a step. */
static void
walk_samples (const Line *l, double step, gboolean with_end, SampleFunc f, gpointer data)
{
  double carry = 0; /* arc length since the last sample */
  double pa, pu;

  line_point (l, 0, &pa, &pu);
  f (pa, pu, data);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double qa, qu, dx, dy, len, at;

      line_point (l, i + 1, &qa, &qu);
      dx = qa - pa, dy = qu - pu;
      len = hypot (dx, dy), at = step - carry;
      for (; at <= len; at += step)
        f (pa + dx * at / len, pu + dy * at / len, data);
      carry = len - (at - step);
      pa = qa, pu = qu;
    }
  if (with_end && carry > 1e-9)
    f (pa, pu, data);
}

static gboolean
lowest_crossing (const Line *l, double *height)
{
  gboolean found = FALSE;
  double best = G_MAXDOUBLE, a0, u0;

  line_point (l, 0, &a0, &u0);
  for (gsize i = 0; i + 1 < l->n; i++)
    {
      double a1, u1, u;

      line_point (l, i + 1, &a1, &u1);
      if (a0 == 0 && a1 == 0)
        u = MIN (u0, u1);
      else if ((a0 <= 0 && a1 >= 0) || (a0 >= 0 && a1 <= 0))
        u = u0 + a0 / (a0 - a1) * (u1 - u0);
      else
        u = NAN; /* no crossing here */
      if (!isnan (u))
        {
          if (u < best)
            best = u;
          found = TRUE;
        }
      a0 = a1, u0 = u1;
    }
  if (found)
    *height = best;
  return found;
}

gboolean
smp_face_measure_height_mm (const SmpFaceFrame *frame,
                            const double       *xy,
                            gsize               n_points,
                            double              px_per_mm,
                            double             *height_mm)
{
  SmpFaceAxes axes;

  g_return_val_if_fail (frame != NULL && height_mm != NULL && px_per_mm > 0, FALSE);
  if (xy == NULL || n_points < 2)
    return FALSE;
  smp_face_frame_get_axes (frame, &axes);
  return lowest_crossing (&(Line) { &axes, xy, n_points, px_per_mm }, height_mm);
}

/* Solves the least-squares quadratic's constant term from the moment sums. */
static double
quadratic_at_zero (const double s[5], const double r[3])
{
  /* | s0 s1 s2 |   | c0 |   | r0 |
   * | s1 s2 s3 | · | c1 | = | r1 |
   * | s2 s3 s4 |   | c2 |   | r2 |   (Cramer's rule for c0) */
  double det = s[0] * (s[2] * s[4] - s[3] * s[3]) - s[1] * (s[1] * s[4] - s[3] * s[2])
             + s[2] * (s[1] * s[3] - s[2] * s[2]);
  double num = r[0] * (s[2] * s[4] - s[3] * s[3]) - s[1] * (r[1] * s[4] - s[3] * r[2])
             + s[2] * (r[1] * s[3] - s[2] * r[2]);

  return fabs (det) > 1e-12 ? num / det : r[0] / s[0];
}

/* The irregularity's samples in a window of ±IRREGULARITY_HALF_MM: each sample is
 * judged once the samples after it have arrived, so only the window is kept. */
#define IRREGULARITY_HALF ((gsize) 50) /* IRREGULARITY_HALF_MM / SAMPLE_STEP_MM samples */
#define IRREGULARITY_RING (2 * IRREGULARITY_HALF + 1)

typedef struct
{
  double   step_mm;        /* SAMPLE_STEP_MM, or wider on an absurdly long line */
  double   front_limit_mm; /* |across| within this counts; INFINITY without a frame */
  double   s[2 * IRREGULARITY_RING];
  gboolean front[IRREGULARITY_RING];
  gsize    n;              /* samples seen */
  double   sum;
  gsize    count;
} Irregularity;

/* Sample i's residual from the quadratic fitted over its window (up to `last`). */
static void
irregularity_judge (Irregularity *r, gsize i, gsize last)
{
  const gsize half = IRREGULARITY_HALF;
  gsize  j0 = i > half ? i - half : 0, j1 = MIN (last, i + half);
  double m[5] = { 0 }, rx[3] = { 0 }, ry[3] = { 0 }, fx, fy, *si;

  if (!r->front[i % IRREGULARITY_RING])
    return;
  for (gsize j = j0; j <= j1; j++)
    {
      /* Samples are equally spaced in arc length: t is their offset in mm. */
      double t = ((double) j - (double) i) * r->step_mm, tk = 1;
      const double *sj = &r->s[2 * (j % IRREGULARITY_RING)];

      for (int k = 0; k < 5; k++, tk *= t)
        {
          m[k] += tk;
          if (k < 3)
            {
              rx[k] += tk * sj[0];
              ry[k] += tk * sj[1];
            }
        }
    }
  fx = quadratic_at_zero (m, rx);
  fy = quadratic_at_zero (m, ry);
  si = &r->s[2 * (i % IRREGULARITY_RING)];
  r->sum += (si[0] - fx) * (si[0] - fx) + (si[1] - fy) * (si[1] - fy);
  r->count++;
}

static void
irregularity_sample (double a, double u, gpointer data)
{
  Irregularity *r = data;
  gsize k = r->n % IRREGULARITY_RING;

  r->s[2 * k] = a;
  r->s[2 * k + 1] = u;
  r->front[k] = fabs (a) <= r->front_limit_mm;
  r->n++;
  if (r->n > IRREGULARITY_HALF)
    irregularity_judge (r, r->n - 1 - IRREGULARITY_HALF, r->n - 1);
}

double
smp_face_measure_irregularity_mm (const SmpFaceFrame *frame,
                                  const double       *xy,
                                  gsize               n_points,
                                  double              px_per_mm)
{
  g_autofree Irregularity *r = g_new0 (Irregularity, 1);
  SmpFaceAxes axes;
  Line line;

  g_return_val_if_fail (px_per_mm > 0, NAN);
  if (xy == NULL || n_points < 2)
    return NAN;
  r->front_limit_mm = INFINITY;
  if (frame)
    {
      smp_face_frame_get_axes (frame, &axes);
      r->front_limit_mm = FRONT_FRACTION * axes.half_width_px / px_per_mm;
    }
  line = (Line) { frame ? &axes : NULL, xy, n_points, px_per_mm };
  r->step_mm = line_step (&line, SAMPLE_STEP_MM);
  if (isnan (r->step_mm))
    return NAN;
  walk_samples (&line, r->step_mm, FALSE, irregularity_sample, r);
  /* The last samples, whose windows end at the line's end. */
  for (gsize i = r->n > IRREGULARITY_HALF ? r->n - IRREGULARITY_HALF : 0; i < r->n; i++)
    irregularity_judge (r, i, r->n - 1);
  if ((double) r->count * r->step_mm < MIN_FRONT_MM)
    return NAN;
  return sqrt (2 * r->sum / r->count);
}

/* Nearest-segment queries over the caller's polyline: a complete binary tree of
 * bounding boxes over runs of consecutive segments (a drawn line's neighbours are
 * near each other), at most SEGMENT_TREE_LEAVES leaves, so its size is capped
 * whatever the point count. A query descends nearer boxes first and skips boxes
 * farther than the best so far. */
#define SEGMENT_TREE_LEAVES 65536
#define SEGMENT_TREE_MIN_RUN 16

typedef struct
{
  const double *xy;  /* image px */
  gsize         n_segments;
  gsize         run; /* segments per leaf */
  gsize         n_leaves_pow2;
  double       *box; /* 4 per node, nodes 1 .. 2 * n_leaves_pow2 - 1 (heap order) */
} SegmentTree;

static void
segment_tree_init (SegmentTree *t, const double *xy, gsize n_points)
{
  gsize leaves;

  t->xy = xy;
  t->n_segments = n_points - 1;
  t->run = MAX (SEGMENT_TREE_MIN_RUN, (t->n_segments + SEGMENT_TREE_LEAVES - 1) / SEGMENT_TREE_LEAVES);
  leaves = (t->n_segments + t->run - 1) / t->run;
  for (t->n_leaves_pow2 = 1; t->n_leaves_pow2 < leaves; t->n_leaves_pow2 *= 2)
    ;
  t->box = g_new (double, 4 * 2 * t->n_leaves_pow2);
  for (gsize leaf = 0; leaf < t->n_leaves_pow2; leaf++)
    {
      double *b = &t->box[4 * (t->n_leaves_pow2 + leaf)];
      gsize   i0 = leaf * t->run, i1 = MIN (t->n_segments, i0 + t->run); /* segments i0 .. i1-1 */

      b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
      for (gsize i = i0; i < i1 + (i1 > i0); i++) /* their points i0 .. i1 */
        {
          b[0] = MIN (b[0], xy[2 * i]), b[1] = MIN (b[1], xy[2 * i + 1]);
          b[2] = MAX (b[2], xy[2 * i]), b[3] = MAX (b[3], xy[2 * i + 1]);
        }
    }
  for (gsize node = t->n_leaves_pow2 - 1; node >= 1; node--)
    {
      const double *l = &t->box[8 * node], *r = &t->box[8 * node + 4];
      double *b = &t->box[4 * node];
      b[0] = MIN (l[0], r[0]), b[1] = MIN (l[1], r[1]);
      b[2] = MAX (l[2], r[2]), b[3] = MAX (l[3], r[3]);
    }
}

static inline double
box_dist2 (const double *b, double x, double y)
{
  double dx = MAX (MAX (b[0] - x, x - b[2]), 0.0), dy = MAX (MAX (b[1] - y, y - b[3]), 0.0);
  return dx * dx + dy * dy; /* an empty box (INFINITY .. -INFINITY) is infinitely far */
}

static inline double
point_segment_dist2 (double px, double py, double ax, double ay, double bx, double by)
{
  double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;

  if (l2 > 0)
    t = CLAMP (((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0);
  px -= ax + t * dx, py -= ay + t * dy;
  return px * px + py * py;
}

/* The squared distance from (x, y) to the line; once some segment is within
 * `enough2` the search stops (the caller only needs to know it is that near). */
static double
segment_tree_nearest2 (const SegmentTree *t, double x, double y, double enough2)
{
  gsize  stack[2 * 64];
  int    sp = 0;
  double best = INFINITY;

  stack[sp++] = 1;
  while (sp > 0)
    {
      gsize node = stack[--sp];

      if (!(box_dist2 (&t->box[4 * node], x, y) < best))
        continue;
      if (node >= t->n_leaves_pow2)
        {
          gsize i0 = (node - t->n_leaves_pow2) * t->run, i1 = MIN (t->n_segments, i0 + t->run);
          const double *p = t->xy;

          for (gsize i = i0; i < i1; i++)
            best = MIN (best, point_segment_dist2 (x, y, p[2 * i], p[2 * i + 1], p[2 * i + 2], p[2 * i + 3]));
          if (best <= enough2)
            return best;
        }
      else
        {
          /* The nearer child is searched first: pushed last. */
          gsize l = 2 * node, r = 2 * node + 1;
          gboolean left_first = box_dist2 (&t->box[4 * l], x, y) <= box_dist2 (&t->box[4 * r], x, y);
          stack[sp++] = left_first ? r : l;
          stack[sp++] = left_first ? l : r;
        }
    }
  return best;
}

typedef struct
{
  const SmpFaceAxes *axes;
  const SegmentTree *tree;
  double             px_per_mm;
  double             half_width_mm;
  double             worst2;  /* px² */
  gboolean           any;
} Asymmetry;

static void
asymmetry_sample (double a, double u, gpointer data)
{
  Asymmetry *m = data;
  double x, y;

  if (fabs (a) > m->half_width_mm)
    return;
  /* The distance to the line's mirror image, (across, up) -> (-across, up), is the
   * mirrored sample's distance to the line: face axes are a rigid motion. A sample
   * already within the worst so far cannot raise the maximum: stop there. */
  smp_face_axes_to_image (m->axes, -a * m->px_per_mm, u * m->px_per_mm, &x, &y);
  m->worst2 = MAX (m->worst2, segment_tree_nearest2 (m->tree, x, y, m->worst2));
  m->any = TRUE;
}

gboolean
smp_face_measure_asymmetry_mm (const SmpFaceFrame *frame,
                               const double       *xy,
                               gsize               n_points,
                               double              px_per_mm,
                               double             *asymmetry_mm)
{
  SmpFaceAxes axes;
  SegmentTree tree;
  Asymmetry   m = { 0 };
  Line        line;
  double      min_a = 0, max_a = 0, step;

  g_return_val_if_fail (frame != NULL && asymmetry_mm != NULL && px_per_mm > 0, FALSE);
  if (xy == NULL || n_points < 2)
    return FALSE;
  smp_face_frame_get_axes (frame, &axes);
  line = (Line) { &axes, xy, n_points, px_per_mm };
  for (gsize i = 0; i < n_points; i++)
    {
      double a, u;
      line_point (&line, i, &a, &u);
      min_a = MIN (min_a, a);
      max_a = MAX (max_a, a);
    }
  /* A line that stays on one side (a half, a temple) has no symmetry to judge. */
  if (min_a > -1.0 || max_a < 1.0)
    return FALSE;

  step = line_step (&line, SAMPLE_STEP_MM);
  if (isnan (step))
    return FALSE;
  segment_tree_init (&tree, xy, n_points);
  m = (Asymmetry) { &axes, &tree, px_per_mm, axes.half_width_px / px_per_mm, 0, FALSE };
  walk_samples (&line, step, TRUE, asymmetry_sample, &m);
  g_free (tree.box);
  if (!m.any)
    return FALSE;
  *asymmetry_mm = sqrt (m.worst2) / px_per_mm;
  return TRUE;
}

/* ---- Design checks ------------------------------------------------------------ */

static const char *const check_keys[SMP_FACE_N_CHECKS] = {
  "height", "straightness", "symmetry", "fade"
};

const char *
smp_face_check_get_key (SmpFaceCheck check)
{
  g_return_val_if_fail ((unsigned) check < SMP_FACE_N_CHECKS, NULL);
  return check_keys[check];
}

static void
finding_free (gpointer data)
{
  SmpFaceFinding *f = data;

  g_free (f->message);
  g_free (f);
}

static void
add_finding (GPtrArray *findings, SmpFaceCheck check, double measured, double limit, char *message)
{
  SmpFaceFinding *f = g_new0 (SmpFaceFinding, 1);

  f->check = check;
  f->measured = measured;
  f->limit = limit;
  f->message = message;
  g_ptr_array_add (findings, f);
}

GPtrArray *
smp_face_check_design (const double       *xy,
                       gsize               n_points,
                       const SmpFaceFrame *frame,
                       const SmpParams    *params,
                       double              px_per_mm,
                       gboolean            feminine,
                       guint              *checks_run,
                       GError            **error)
{
  g_autoptr (GPtrArray) findings = NULL;
  guint run = 0;
  double value;

  g_return_val_if_fail (params != NULL, NULL);

  if (checks_run)
    *checks_run = 0;
  if (xy == NULL || n_points < 2 || !all_finite (xy, 2 * n_points))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Design checks: the hairline needs at least two points with finite coordinates"));
      return NULL;
    }
  for (gsize i = 0; i < 2 * n_points; i++)
    if (fabs (xy[i]) > SMP_FACE_MAX_COORDINATE_PX)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     _("Design checks: point %lu of the hairline lies at %g px, outside any "
                     "image (%g px at most)"), (gulong) (i / 2 + 1), xy[i], SMP_FACE_MAX_COORDINATE_PX);
        return NULL;
      }
  if (!isfinite (px_per_mm) || px_per_mm <= 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER,
                   _("Design checks: the scale is %g px/mm, but must be positive"), px_per_mm);
      return NULL;
    }
  if (frame && !smp_face_frame_validate (frame, error))
    return NULL;

  findings = g_ptr_array_new_with_free_func (finding_free);

  if (frame && smp_face_measure_height_mm (frame, xy, n_points, px_per_mm, &value))
    {
      double limit = feminine ? SMP_FACE_MIN_HEIGHT_FEMININE_MM : SMP_FACE_MIN_HEIGHT_MM;

      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT);
      if (value < limit)
        add_finding (findings, SMP_FACE_CHECK_HEIGHT, value, limit,
                     feminine
                     ? g_strdup_printf ("Too low: the mid-frontal point is %.0f mm above the glabella, under %.0f mm. "
                                        "Women's hairlines sit around 55 mm; never start too low.", value, limit)
                     : g_strdup_printf ("Too low: the mid-frontal point is %.0f mm above the glabella, under %.0f mm. "
                                        "70 mm is aggressive, 80 mm typical, 100 mm conservative; never start too low.",
                                        value, limit));
    }

  value = smp_face_measure_irregularity_mm (frame, xy, n_points, px_per_mm);
  if (isfinite (value))
    {
      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_STRAIGHTNESS);
      if (value < SMP_FACE_MIN_IRREGULARITY_MM && params->irregularity_mm < SMP_FACE_MIN_IRREGULARITY_MM)
        add_finding (findings, SMP_FACE_CHECK_STRAIGHTNESS, value, SMP_FACE_MIN_IRREGULARITY_MM,
                     g_strdup_printf ("Straighter than natural: the drawn line undulates by %.1f mm across the front "
                                      "and the irregularity adds %.1f mm (both under %.0f mm). Natural hairlines "
                                      "undulate by a few mm: raise the irregularity to 2-4 mm.",
                                      value, params->irregularity_mm, SMP_FACE_MIN_IRREGULARITY_MM));
    }

  if (frame && smp_face_measure_asymmetry_mm (frame, xy, n_points, px_per_mm, &value))
    {
      run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_SYMMETRY);
      if (value > SMP_FACE_MAX_ASYMMETRY_MM)
        add_finding (findings, SMP_FACE_CHECK_SYMMETRY, value, SMP_FACE_MAX_ASYMMETRY_MM,
                     g_strdup_printf ("Lopsided: left and right differ by up to %.1f mm about the face midline "
                                      "(natural hairlines stay within %.0f mm). Mirror Hairline makes a symmetric "
                                      "line; the irregularity then adds natural variation.",
                                      value, SMP_FACE_MAX_ASYMMETRY_MM));
    }

  run |= SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE);
  if (params->fade_width_mm < SMP_FACE_MIN_FADE_MM)
    add_finding (findings, SMP_FACE_CHECK_FADE, params->fade_width_mm, SMP_FACE_MIN_FADE_MM,
                 g_strdup_printf ("No transition zone: the fade is %.1f mm wide, under %.0f mm. A hard edge "
                                  "reads as a helmet; feather the hairline over 5-10 mm.",
                                  params->fade_width_mm, SMP_FACE_MIN_FADE_MM));

  if (checks_run)
    *checks_run = run;
  return g_steal_pointer (&findings);
}

char *
smp_face_findings_to_text (const GPtrArray *findings)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; findings && i < findings->len; i++)
    {
      const SmpFaceFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, f->message);
    }
  return g_string_free (text, FALSE);
}

void
smp_face_findings_save_key_file (const GPtrArray *findings,
                                 guint            checks_run,
                                 GKeyFile        *key_file,
                                 const char      *group)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();

  g_return_if_fail (key_file != NULL && group != NULL);

  g_key_file_remove_group (key_file, group, NULL);
  for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
    if (checks_run & SMP_FACE_CHECK_BIT (c))
      g_ptr_array_add (keys, (gpointer) check_keys[c]);
  g_key_file_set_string_list (key_file, group, "checked",
                              (const char *const *) keys->pdata, keys->len);
  g_key_file_set_integer (key_file, group, "findings", findings ? (int) findings->len : 0);
  for (guint i = 0; findings && i < findings->len; i++)
    {
      const SmpFaceFinding *f = g_ptr_array_index ((GPtrArray *) findings, i);

      g_key_file_set_string (key_file, group, check_keys[f->check], f->message);
    }
}
