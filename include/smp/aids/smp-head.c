/* smp-head.c: the head model: fitting an orthographic ellipsoid to an outline and the
 * face frame, its local foreshortening, skin lengths and coordinates, and its record. */
#include <smp/smp-head.h>
#include <smp/smp-error.h>

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#define SKIN_STEPS 32          /* segments of a lifted image segment */
#define MIN_RADIUS_PX 4.0
#define MAX_RADIUS_EYES 40.0   /* a head radius beyond 40 half eye widths (~1.9 m) is a bad trace */

/* ---- geometry ------------------------------------------------------------ */

static void
to_model (const SmpHeadModel *m, double x, double y, double *u, double *w)
{
  double dx = x - m->centre_x, dy = y - m->centre_y;

  *u = dx * m->across_x + dy * m->across_y;
  *w = dx * m->up_x + dy * m->up_y;
}

/* q = (u/A)² + (w/B)²: < 1 inside the outline. */
static double
outline_q (const SmpHeadModel *m, double u, double w)
{
  double a = u / m->radius_across_px, b = w / m->radius_up_px;
  return a * a + b * b;
}

double
smp_head_model_cos (const SmpHeadModel *m, double x, double y)
{
  double u, w, q, zc, nu, nw, nz;

  g_return_val_if_fail (m != NULL, 0.0);
  to_model (m, x, y, &u, &w);
  q = outline_q (m, u, w);
  if (!(q < 1.0))
    return 0.0;
  zc = sqrt (1.0 - q);                     /* z / C */
  nu = u / (m->radius_across_px * m->radius_across_px);
  nw = w / (m->radius_up_px * m->radius_up_px);
  nz = zc / m->radius_depth_px;
  return nz / sqrt (nu * nu + nw * nw + nz * nz);
}

gboolean
smp_head_model_local (const SmpHeadModel *m, double x, double y, double px_per_mm, SmpHeadLocal *local)
{
  double u, w, q, nu, nw, nz, nl, c, sx = 0, sy = 0;

  g_return_val_if_fail (m != NULL && local != NULL, FALSE);
  memset (local, 0, sizeof *local);
  to_model (m, x, y, &u, &w);
  q = outline_q (m, u, w);
  if (!(q < 1.0))
    return FALSE;
  nu = u / (m->radius_across_px * m->radius_across_px);
  nw = w / (m->radius_up_px * m->radius_up_px);
  nz = sqrt (1.0 - q) / m->radius_depth_px;
  nl = hypot (nu, nw);
  c = nz / sqrt (nl * nl + nz * nz);
  local->cos_theta = c;
  if (nl > 0)
    {
      /* The normal's image part points where the skin turns away. */
      sx = (nu * m->across_x + nw * m->up_x) / nl;
      sy = (nu * m->across_y + nw * m->up_y) / nl;
    }
  local->slope_x = sx, local->slope_y = sy;
  local->jacobian[0] = px_per_mm * (1.0 - (1.0 - c) * sx * sx);
  local->jacobian[1] = px_per_mm * (-(1.0 - c) * sx * sy);
  local->jacobian[2] = local->jacobian[1];
  local->jacobian[3] = px_per_mm * (1.0 - (1.0 - c) * sy * sy);
  return c >= SMP_HEAD_MIN_COS;
}

void
smp_head_local_foreshorten (const SmpHeadLocal *local, double *radius_a, double *radius_b, double *angle)
{
  const double c = local->cos_theta, sx = local->slope_x, sy = local->slope_y;
  /* P = I − (1 − c) s sᵀ, M = P R(angle) diag(a, b); the image ellipse's shape is M Mᵀ. */
  const double p00 = 1 - (1 - c) * sx * sx, p01 = -(1 - c) * sx * sy, p11 = 1 - (1 - c) * sy * sy;
  const double ca = cos (*angle), sa = sin (*angle);
  const double m00 = (p00 * ca + p01 * sa) * *radius_a, m10 = (p01 * ca + p11 * sa) * *radius_a;
  const double m01 = (-p00 * sa + p01 * ca) * *radius_b, m11 = (-p01 * sa + p11 * ca) * *radius_b;
  const double s00 = m00 * m00 + m01 * m01, s01 = m00 * m10 + m01 * m11, s11 = m10 * m10 + m11 * m11;
  const double mean = 0.5 * (s00 + s11), dev = hypot (0.5 * (s00 - s11), s01);

  *radius_a = sqrt (mean + dev);
  *radius_b = sqrt (MAX (mean - dev, 0.0));
  *angle = 0.5 * atan2 (2 * s01, s00 - s11);
}

/* The visible surface point over (u, w), clamped onto the outline. */
static void
lift (const SmpHeadModel *m, double u, double w, double p[3])
{
  double q = outline_q (m, u, w);

  if (q > 1.0)
    {
      double k = 1.0 / sqrt (q);
      u *= k, w *= k, q = 1.0;
    }
  p[0] = u, p[1] = w, p[2] = m->radius_depth_px * sqrt (MAX (0.0, 1.0 - q));
}

double
smp_head_model_skin_length_mm (const SmpHeadModel *m, double x0, double y0, double x1, double y1,
                               double px_per_mm)
{
  double u0, w0, u1, w1, prev[3], len = 0;

  g_return_val_if_fail (m != NULL && px_per_mm > 0, 0.0);
  to_model (m, x0, y0, &u0, &w0);
  to_model (m, x1, y1, &u1, &w1);
  lift (m, u0, w0, prev);
  for (int i = 1; i <= SKIN_STEPS; i++)
    {
      double t = (double) i / SKIN_STEPS, p[3];
      lift (m, u0 + (u1 - u0) * t, w0 + (w1 - w0) * t, p);
      len += sqrt ((p[0] - prev[0]) * (p[0] - prev[0]) + (p[1] - prev[1]) * (p[1] - prev[1]) +
                   (p[2] - prev[2]) * (p[2] - prev[2]));
      memcpy (prev, p, sizeof p);
    }
  /* Clamping onto the outline can only shorten: the flat length is a floor. */
  return MAX (len, hypot (x1 - x0, y1 - y0)) / px_per_mm;
}

void
smp_head_model_skin_coords (const SmpHeadModel *m, double x, double y, double px_per_mm,
                            double *u_mm, double *v_mm)
{
  double u, w, p[3], nu, nw, nz, rho, psi;

  g_return_if_fail (m != NULL && u_mm != NULL && v_mm != NULL && px_per_mm > 0);
  to_model (m, x, y, &u, &w);
  lift (m, u, w, p);
  nu = p[0] / m->radius_across_px, nw = p[1] / m->radius_up_px, nz = p[2] / m->radius_depth_px;
  rho = hypot (nu, nw);
  psi = atan2 (rho, nz);
  if (rho < 1e-12)
    {
      *u_mm = u / px_per_mm, *v_mm = w / px_per_mm;
      return;
    }
  /* Exact azimuthal equidistant on a sphere; each axis keeps its own radius. */
  *u_mm = psi * nu / rho * m->radius_across_px / px_per_mm;
  *v_mm = psi * nw / rho * m->radius_up_px / px_per_mm;
}

gboolean
smp_head_model_from_skin_coords (const SmpHeadModel *m, double u_mm, double v_mm, double px_per_mm,
                                 double *x, double *y)
{
  double U, V, psi, k, u, w;

  g_return_val_if_fail (m != NULL && x != NULL && y != NULL && px_per_mm > 0, FALSE);
  U = u_mm * px_per_mm / m->radius_across_px;
  V = v_mm * px_per_mm / m->radius_up_px;
  psi = hypot (U, V);
  if (!(psi < G_PI / 2))
    return FALSE;
  /* On the unit sphere the point psi from the pole lies sin psi from the axis. */
  k = psi > 1e-12 ? sin (psi) / psi : 1.0;
  u = m->radius_across_px * k * U;
  w = m->radius_up_px * k * V;
  *x = m->centre_x + u * m->across_x + w * m->up_x;
  *y = m->centre_y + u * m->across_y + w * m->up_y;
  return TRUE;
}

GArray *
smp_head_model_outline (const SmpHeadModel *m, guint n)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (m != NULL, xy);
  n = CLAMP (n, 8, 4096);
  for (guint i = 0; i < n; i++)
    {
      double a = 2 * G_PI * i / n;
      double u = m->radius_across_px * cos (a), w = m->radius_up_px * sin (a);
      double p[2] = { m->centre_x + u * m->across_x + w * m->up_x, m->centre_y + u * m->across_y + w * m->up_y };
      g_array_append_vals (xy, p, 2);
    }
  return xy;
}

GArray *
smp_head_model_contour (const SmpHeadModel *m, double cos_theta, guint n)
{
  GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (m != NULL, xy);
  if (!(cos_theta > 0 && cos_theta < 1))
    return xy;
  n = CLAMP (n, 8, 4096);
  for (guint i = 0; i < n; i++)
    {
      double a = 2 * G_PI * i / n, lo = 0, hi = 1;
      double p[2];

      /* cos θ falls monotonically from the front pole to the outline along any azimuth. */
      for (int it = 0; it < 50; it++)
        {
          double r = 0.5 * (lo + hi), nu = r * cos (a), nw = r * sin (a);
          double c = smp_head_model_cos (m, m->centre_x + nu * m->radius_across_px * m->across_x +
                                                nw * m->radius_up_px * m->up_x,
                                         m->centre_y + nu * m->radius_across_px * m->across_y +
                                           nw * m->radius_up_px * m->up_y);
          if (c > cos_theta)
            lo = r;
          else
            hi = r;
        }
      {
        double r = 0.5 * (lo + hi), u = r * cos (a) * m->radius_across_px, w = r * sin (a) * m->radius_up_px;
        p[0] = m->centre_x + u * m->across_x + w * m->up_x;
        p[1] = m->centre_y + u * m->across_y + w * m->up_y;
      }
      g_array_append_vals (xy, p, 2);
    }
  return xy;
}

/* ---- fitting ------------------------------------------------------------- */

/* Solves the 3 × 3 system a·x = b by Gaussian elimination with pivoting;
 * FALSE when it is (numerically) singular. */
static gboolean
solve3 (double a[3][3], double b[3], double x[3])
{
  double scale = 0;

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      scale = MAX (scale, fabs (a[i][j]));
  if (!(scale > 0))
    return FALSE;
  for (int c = 0; c < 3; c++)
    {
      int p = c;
      for (int r = c + 1; r < 3; r++)
        if (fabs (a[r][c]) > fabs (a[p][c]))
          p = r;
      if (!(fabs (a[p][c]) > 1e-12 * scale))
        return FALSE;
      if (p != c)
        {
          for (int j = 0; j < 3; j++)
            {
              double t = a[c][j];
              a[c][j] = a[p][j], a[p][j] = t;
            }
          {
            double t = b[c];
            b[c] = b[p], b[p] = t;
          }
        }
      for (int r = c + 1; r < 3; r++)
        {
          double f = a[r][c] / a[c][c];
          for (int j = c; j < 3; j++)
            a[r][j] -= f * a[c][j];
          b[r] -= f * b[c];
        }
    }
  for (int r = 2; r >= 0; r--)
    {
      double s = b[r];
      for (int j = r + 1; j < 3; j++)
        s -= a[r][j] * x[j];
      x[r] = s / a[r][r];
    }
  return isfinite (x[0]) && isfinite (x[1]) && isfinite (x[2]);
}

/* Radial distance of (u, w) from the outline u²/A² + (w − t)²/B² = 1, along the ray from its centre. */
static double
radial_residual (double u, double w, const double k[3])
{
  double dw = w - k[2], d = hypot (u, dw), q = (u / k[0]) * (u / k[0]) + (dw / k[1]) * (dw / k[1]);

  return q > 0 ? d * (1.0 - 1.0 / sqrt (q)) : -MIN (k[0], k[1]);
}

static double
sum_sq (const double *uw, gsize n, const double k[3])
{
  double s = 0;
  for (gsize i = 0; i < n; i++)
    {
      double r = radial_residual (uw[2 * i], uw[2 * i + 1], k);
      s += r * r;
    }
  return s;
}

/* Levenberg–Marquardt on (A, B, t), numeric derivatives: the algebraic fit is
 * biased on a partial arc with noise, the radial distance is not (much). */
static void
refine (const double *uw, gsize n, double k[3])
{
  double lambda = 1e-3, cost = sum_sq (uw, n, k);

  for (int it = 0; it < 100; it++)
    {
      double jtj[3][3] = { { 0 } }, jtr[3] = { 0 }, step[3], trial[3], h[3];
      gboolean improved = FALSE;

      for (int j = 0; j < 3; j++)
        h[j] = 1e-7 * MAX (fabs (k[j]), MAX (k[0], k[1]));
      for (gsize i = 0; i < n; i++)
        {
          double u = uw[2 * i], w = uw[2 * i + 1], r = radial_residual (u, w, k), g[3];
          for (int j = 0; j < 3; j++)
            {
              double kp[3] = { k[0], k[1], k[2] };
              kp[j] += h[j];
              g[j] = (radial_residual (u, w, kp) - r) / h[j];
            }
          for (int a = 0; a < 3; a++)
            {
              jtr[a] += g[a] * r;
              for (int b = 0; b < 3; b++)
                jtj[a][b] += g[a] * g[b];
            }
        }
      for (int tries = 0; tries < 10 && !improved; tries++)
        {
          double m[3][3], rhs[3];
          for (int a = 0; a < 3; a++)
            {
              for (int b = 0; b < 3; b++)
                m[a][b] = jtj[a][b] + (a == b ? lambda * (jtj[a][a] + 1e-12) : 0);
              rhs[a] = -jtr[a];
            }
          if (!solve3 (m, rhs, step))
            {
              lambda *= 10;
              continue;
            }
          for (int j = 0; j < 3; j++)
            trial[j] = k[j] + step[j];
          if (trial[0] > 0 && trial[1] > 0)
            {
              double c = sum_sq (uw, n, trial);
              if (c < cost)
                {
                  improved = TRUE;
                  if (cost - c < 1e-14 * (cost + 1e-300))
                    it = 1000; /* converged */
                  cost = c;
                  memcpy (k, trial, sizeof trial);
                  lambda = MAX (lambda / 10, 1e-9);
                  break;
                }
            }
          lambda *= 10;
        }
      if (!improved)
        break;
    }
}

gboolean
smp_head_model_fit (SmpHeadModel *model, const SmpFaceFrame *frame, const double *xy, gsize n_points,
                    GError **error)
{
  SmpFaceAxes axes;
  g_autofree double *uw = NULL;
  double rep[3][2], cov[3] = { 0 }, mean[2] = { 0 }, ext = 0, s, lmin;
  double ata[3][3] = { { 0 } }, atb[3] = { 0 }, sol[3], k[3], t, c2, rms;
  gsize  n, stride, n_rep = 0;
  double g_across, g_up, eyes[3][2];
  SmpHeadModel m;

  g_return_val_if_fail (model != NULL, FALSE);
  if (!frame)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: no face frame (mark the glabella and the outer eye corners first)"));
      return FALSE;
    }
  if (!smp_face_frame_validate (frame, error))
    return FALSE;
  if (!xy || n_points < 3)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the outline has %lu points; trace at least three on the "
                      "head's silhouette"), (unsigned long) (xy ? n_points : 0));
      return FALSE;
    }
  smp_face_frame_get_axes (frame, &axes);
  stride = (n_points + SMP_HEAD_MAX_POINTS - 1) / SMP_HEAD_MAX_POINTS;
  n = (n_points + stride - 1) / stride;
  uw = g_new (double, 2 * n);
  for (gsize i = 0; i < n; i++)
    {
      double x = xy[2 * i * stride], y = xy[2 * i * stride + 1];
      if (!isfinite (x) || !isfinite (y) || fabs (x) > SMP_FACE_MAX_COORDINATE_PX ||
          fabs (y) > SMP_FACE_MAX_COORDINATE_PX)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                       _("Head model: outline point %lu (%g, %g) is not a position in an image"),
                       (unsigned long) (i * stride + 1), x, y);
          return FALSE;
        }
      smp_face_axes_to_face (&axes, x, y, &uw[2 * i], &uw[2 * i + 1]);
      /* Up to three representatives more than half a pixel apart. */
      if (n_rep < 3)
        {
          gboolean fresh = TRUE;
          for (gsize r = 0; r < n_rep; r++)
            if (hypot (rep[r][0] - uw[2 * i], rep[r][1] - uw[2 * i + 1]) <= 0.5)
              fresh = FALSE;
          if (fresh)
            rep[n_rep][0] = uw[2 * i], rep[n_rep][1] = uw[2 * i + 1], n_rep++;
        }
      mean[0] += uw[2 * i], mean[1] += uw[2 * i + 1];
    }
  if (n_rep < 3)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the outline has only %lu distinct point%s; trace at least three "
                      "on the head's silhouette"), (unsigned long) n_rep, n_rep == 1 ? "" : "s");
      return FALSE;
    }
  mean[0] /= n, mean[1] /= n;
  for (gsize i = 0; i < n; i++)
    {
      double du = uw[2 * i] - mean[0], dw = uw[2 * i + 1] - mean[1];
      cov[0] += du * du, cov[1] += du * dw, cov[2] += dw * dw;
      ext = MAX (ext, hypot (du, dw));
    }
  for (int j = 0; j < 3; j++)
    cov[j] /= n;
  /* The spread across the best line through the points. */
  lmin = 0.5 * (cov[0] + cov[2]) - sqrt (0.25 * (cov[0] - cov[2]) * (cov[0] - cov[2]) + cov[1] * cov[1]);
  if (!(sqrt (MAX (lmin, 0.0)) > MAX (0.5, 0.002 * ext)))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the outline points lie on a line; trace the curve of the head's top and sides"));
      return FALSE;
    }

  /* Algebraic fit, centre on the midline, axes along the frame:
   * α u² + β w² + γ w = 1, in units of the outline's size. */
  s = MAX (ext, hypot (mean[0], mean[1]));
  for (gsize i = 0; i < n; i++)
    {
      double u = uw[2 * i] / s, w = uw[2 * i + 1] / s, row[3] = { u * u, w * w, w };
      for (int a = 0; a < 3; a++)
        {
          atb[a] += row[a];
          for (int b = 0; b < 3; b++)
            ata[a][b] += row[a] * row[b];
        }
    }
  if (!solve3 (ata, atb, sol))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: these outline points do not determine a head (points mirrored about the "
                   "face's midline say the same thing); add points at other heights on the silhouette"));
      return FALSE;
    }
  if (sol[0] < 0 && sol[1] < 0)
    {
      /* An ellipse after all, but one that leaves out the face's own midline point. */
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the outline passes above the face (the glabella lies outside it), so it "
                   "cannot contain the face frame; trace the head's own silhouette round the face"));
      return FALSE;
    }
  if (!(sol[0] > 0) || !(sol[1] > 0))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: no head outline round the face's midline fits these points; trace the "
                   "silhouette of the head's top and sides (a convex curve round the face)"));
      return FALSE;
    }
  t = -sol[2] / (2 * sol[1]);
  c2 = 1 + sol[1] * t * t;
  k[0] = sqrt (c2 / sol[0]) * s;
  k[1] = sqrt (c2 / sol[1]) * s;
  k[2] = t * s;
  refine (uw, n, k);
  if (!(isfinite (k[0]) && isfinite (k[1]) && isfinite (k[2])) ||
      k[0] > MAX_RADIUS_EYES * axes.half_width_px || k[1] > MAX_RADIUS_EYES * axes.half_width_px ||
      k[0] > SMP_FACE_MAX_COORDINATE_PX || k[1] > SMP_FACE_MAX_COORDINATE_PX || fabs (k[2]) > SMP_FACE_MAX_COORDINATE_PX)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the outline is far too flat for a head round this face (fitted radius %.0f px "
                   "against eye corners %.0f px apart); trace more of its curve"),
                   MAX (k[0], k[1]), 2 * axes.half_width_px);
      return FALSE;
    }
  if (k[0] < MIN_RADIUS_PX || k[1] < MIN_RADIUS_PX)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the fitted outline is smaller than %g px"), MIN_RADIUS_PX);
      return FALSE;
    }
  /* The face lies on the head: the glabella inside the outline, the outer eye
   * corners within its width (below the cranium the silhouette follows the face,
   * not the ellipsoid, so they need not lie inside the ellipse itself). */
  smp_face_axes_to_face (&axes, frame->glabella_x, frame->glabella_y, &g_across, &g_up);
  eyes[0][0] = g_across, eyes[0][1] = g_up;
  smp_face_axes_to_face (&axes, frame->eye_left_x, frame->eye_left_y, &eyes[1][0], &eyes[1][1]);
  smp_face_axes_to_face (&axes, frame->eye_right_x, frame->eye_right_y, &eyes[2][0], &eyes[2][1]);
  {
    double a = eyes[0][0] / k[0], b = (eyes[0][1] - k[2]) / k[1];
    if (!(a * a + b * b < 1.0))
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     _("Head model: the glabella lies outside the fitted head outline, so this outline cannot "
                     "contain the face frame; trace the head's own silhouette round the face"));
        return FALSE;
      }
    for (int e = 1; e < 3; e++)
      if (!(fabs (eyes[e][0]) < k[0]))
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                       _("Head model: the fitted head outline (%.0f px wide) is narrower than the outer eye "
                       "corners (%.0f px apart), so it cannot contain the face frame; trace the head's own "
                       "silhouette round the face"), 2 * k[0], 2 * axes.half_width_px);
          return FALSE;
        }
  }
  if (k[1] > 4 * k[0] || k[0] > 4 * k[1])
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: the fitted outline (%.0f × %.0f px) is not head-shaped; trace more of the "
                   "silhouette"), 2 * k[0], 2 * k[1]);
      return FALSE;
    }
  rms = sqrt (sum_sq (uw, n, k) / n);

  m.across_x = axes.across_x, m.across_y = axes.across_y;
  m.up_x = axes.up_x, m.up_y = axes.up_y;
  m.centre_x = axes.origin_x + k[2] * axes.up_x;
  m.centre_y = axes.origin_y + k[2] * axes.up_y;
  m.radius_across_px = k[0];
  m.radius_up_px = k[1];
  m.radius_depth_px = k[0];
  m.rms_error_px = rms;
  m.n_points = (guint) n;
  if (!smp_head_model_validate (&m, error))
    return FALSE;
  *model = m;
  return TRUE;
}

/* ---- validation and the record ------------------------------------------- */

gboolean
smp_head_model_validate (const SmpHeadModel *m, GError **error)
{
  double coords[2];

  g_return_val_if_fail (m != NULL, FALSE);
  coords[0] = m->centre_x, coords[1] = m->centre_y;
  for (int i = 0; i < 2; i++)
    if (!isfinite (coords[i]) || fabs (coords[i]) > SMP_FACE_MAX_COORDINATE_PX)
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                     _("Head model: the centre (%g, %g) is not a position in an image"), m->centre_x, m->centre_y);
        return FALSE;
      }
  if (!(fabs (hypot (m->across_x, m->across_y) - 1) < 1e-6) || !(fabs (hypot (m->up_x, m->up_y) - 1) < 1e-6) ||
      !(fabs (m->across_x * m->up_x + m->across_y * m->up_y) < 1e-6))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: its axes (%g, %g) and (%g, %g) are not perpendicular unit vectors"),
                   m->across_x, m->across_y, m->up_x, m->up_y);
      return FALSE;
    }
  if (!(m->radius_across_px >= MIN_RADIUS_PX && m->radius_across_px <= SMP_FACE_MAX_COORDINATE_PX) ||
      !(m->radius_up_px >= MIN_RADIUS_PX && m->radius_up_px <= SMP_FACE_MAX_COORDINATE_PX))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: radii %g × %g px are not a head's (%g to %g px)"), m->radius_across_px,
                   m->radius_up_px, MIN_RADIUS_PX, SMP_FACE_MAX_COORDINATE_PX);
      return FALSE;
    }
  if (!(m->radius_depth_px >= m->radius_across_px / 3 && m->radius_depth_px <= 3 * m->radius_across_px))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: depth radius %g px is not within a third to 3× the across radius %g px"),
                   m->radius_depth_px, m->radius_across_px);
      return FALSE;
    }
  if (!(m->rms_error_px >= 0 && m->rms_error_px <= SMP_FACE_MAX_COORDINATE_PX) ||
      m->n_points < 3 || m->n_points > SMP_HEAD_MAX_POINTS)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY,
                   _("Head model: fit error %g px from %u points is not a fit"), m->rms_error_px, m->n_points);
      return FALSE;
    }
  return TRUE;
}

static const char *const model_keys[9] = {
  "centre_x", "centre_y", "across_x", "across_y", "up_x", "up_y",
  "radius_across_px", "radius_up_px", "radius_depth_px",
};

static double *
model_field (SmpHeadModel *m, int i)
{
  double *f[9] = { &m->centre_x, &m->centre_y, &m->across_x, &m->across_y, &m->up_x, &m->up_y,
                   &m->radius_across_px, &m->radius_up_px, &m->radius_depth_px };
  return f[i];
}

char *
smp_head_model_to_string (const SmpHeadModel *model)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  g_return_val_if_fail (model != NULL, NULL);
  smp_head_model_save_key_file (model, kf);
  return g_key_file_to_data (kf, NULL, NULL);
}

void
smp_head_model_save_key_file (const SmpHeadModel *model, GKeyFile *kf)
{
  SmpHeadModel m;

  g_return_if_fail (model != NULL && kf != NULL);
  m = *model;
  g_key_file_set_integer (kf, SMP_HEAD_GROUP, "version", SMP_HEAD_VERSION);
  for (int i = 0; i < 9; i++)
    g_key_file_set_double (kf, SMP_HEAD_GROUP, model_keys[i], *model_field (&m, i));
  g_key_file_set_double (kf, SMP_HEAD_GROUP, "rms_error_px", m.rms_error_px);
  g_key_file_set_integer (kf, SMP_HEAD_GROUP, "n_points", (int) m.n_points);
}

static gboolean
read_double (GKeyFile *kf, const char *key, double *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  double v = g_key_file_get_double (kf, SMP_HEAD_GROUP, key, &local);

  if (local || !isfinite (v))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("Head model: key \"%s\" in group [%s]: %s"), key,
                   SMP_HEAD_GROUP, local ? local->message : "not a finite number");
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
smp_head_model_from_string (SmpHeadModel *model, const char *text, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  gsize  len;

  g_return_val_if_fail (model != NULL && text != NULL, FALSE);
  len = strnlen (text, SMP_HEAD_MAX_RECORD + 1);
  if (len > SMP_HEAD_MAX_RECORD)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("Head model: the record is longer than %d bytes"),
                   SMP_HEAD_MAX_RECORD);
      return FALSE;
    }
  if (!g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("Head model: %s"), local->message);
      return FALSE;
    }
  return smp_head_model_load_key_file (model, kf, error);
}

gboolean
smp_head_model_load_key_file (SmpHeadModel *model, GKeyFile *kf, GError **error)
{
  SmpHeadModel m;
  double v;

  g_return_val_if_fail (model != NULL && kf != NULL, FALSE);
  if (!read_double (kf, "version", &v, error))
    return FALSE;
  if (v != SMP_HEAD_VERSION)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("Head model: record version %g is not one this plug-in reads (%d)"), v, SMP_HEAD_VERSION);
      return FALSE;
    }
  for (int i = 0; i < 9; i++)
    if (!read_double (kf, model_keys[i], model_field (&m, i), error))
      return FALSE;
  if (!read_double (kf, "rms_error_px", &m.rms_error_px, error) || !read_double (kf, "n_points", &v, error))
    return FALSE;
  if (!(v >= 3 && v <= SMP_HEAD_MAX_POINTS && v == floor (v)))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("Head model: key \"n_points\" in group [%s]: %g is not "
                   "a count of 3 to %d"), SMP_HEAD_GROUP, v, SMP_HEAD_MAX_POINTS);
      return FALSE;
    }
  m.n_points = (guint) v;
  if (!smp_head_model_validate (&m, error))
    return FALSE;
  *model = m;
  return TRUE;
}
