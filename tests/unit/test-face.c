/* test-face.c: the face frame, the shipped hairline templates, mirroring and the
 * design checks (smp-face). Geometry is re-derived here independently of the engine. */
#include <smp/smp.h>
#include <smp/smp-face.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *const required_templates[] = {
  "juvenile-straight", "rounded", "widows-peak", "mature-m", "feminine-oval", NULL
};

/* A face as the test builds it: eye midpoint, tilt, half eye distance, glabella
 * height above the eye line and sideways offset, all in px; plus the scale. */
typedef struct
{
  double cx, cy, angle, half_width, glabella_up, glabella_side, px_per_mm;
} Face;

static const Face face_upright = { 600, 700, 0.0, 225, 75, 0, 5.0 };
/* Tilted 17°, another scale, the glabella a little off the midline. */
static const Face face_tilted = { 420, 900, 0.30, 200, 60, 7, 4.3 };

static void
face_across (const Face *f, double *ax, double *ay)
{
  *ax = cos (f->angle);
  *ay = sin (f->angle);
}

static void
face_up (const Face *f, double *ux, double *uy)
{
  /* Image y points down: up is the across axis turned a quarter turn toward -y. */
  *ux = sin (f->angle);
  *uy = -cos (f->angle);
}

static SmpFaceFrame
face_frame (const Face *f)
{
  double ax, ay, ux, uy;
  SmpFaceFrame fr;

  face_across (f, &ax, &ay);
  face_up (f, &ux, &uy);
  fr.eye_left_x = f->cx - f->half_width * ax;
  fr.eye_left_y = f->cy - f->half_width * ay;
  fr.eye_right_x = f->cx + f->half_width * ax;
  fr.eye_right_y = f->cy + f->half_width * ay;
  fr.glabella_x = f->cx + f->glabella_up * ux + f->glabella_side * ax;
  fr.glabella_y = f->cy + f->glabella_up * uy + f->glabella_side * ay;
  return fr;
}

/* Face coordinates (px) of an image point, from the test's own construction:
 * across from the eye midpoint, up from the glabella's level. */
static void
face_coords (const Face *f, double x, double y, double *across, double *up)
{
  double ax, ay, ux, uy;

  face_across (f, &ax, &ay);
  face_up (f, &ux, &uy);
  *across = (x - f->cx) * ax + (y - f->cy) * ay;
  *up = (x - f->cx) * ux + (y - f->cy) * uy - f->glabella_up;
}

static void
face_point (const Face *f, double across, double up, double *x, double *y)
{
  double ax, ay, ux, uy;

  face_across (f, &ax, &ay);
  face_up (f, &ux, &uy);
  *x = f->cx + across * ax + (up + f->glabella_up) * ux;
  *y = f->cy + across * ay + (up + f->glabella_up) * uy;
}

/* Lowest height (mm) at which the polyline crosses the face midline. */
static gboolean
midline_height_mm (const Face *f, const double *xy, gsize n, double *height)
{
  gboolean found = FALSE;

  for (gsize i = 0; i + 1 < n; i++)
    {
      double a0, u0, a1, u1;

      face_coords (f, xy[2 * i], xy[2 * i + 1], &a0, &u0);
      face_coords (f, xy[2 * i + 2], xy[2 * i + 3], &a1, &u1);
      if ((a0 <= 0 && a1 > 0) || (a0 >= 0 && a1 < 0))
        {
          double u = u0 + a0 / (a0 - a1) * (u1 - u0);

          if (!found || u < *height * f->px_per_mm)
            *height = u / f->px_per_mm;
          found = TRUE;
        }
    }
  return found;
}

static char *
templates_dir (void)
{
  const char *dir = g_getenv ("SMP_PATTERNS_DIR");

  if (dir == NULL)
    {
      g_test_skip ("SMP_PATTERNS_DIR is not set");
      return NULL;
    }
  return g_build_filename (dir, "templates", NULL);
}

static GPtrArray *
load_shipped (void)
{
  g_autofree char *dir = templates_dir ();
  g_autoptr (GError) error = NULL;
  GPtrArray *list;

  if (dir == NULL)
    return NULL;
  list = smp_face_template_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static void
default_params (SmpParams *p, double px_per_mm)
{
  smp_params_init_defaults (p);
  p->px_per_mm = px_per_mm;
  p->irregularity_mm = 3.0;
  p->fade_width_mm = 8.0;
}

/* ---- Frame ------------------------------------------------------------------- */

static void
test_frame_any_order (void)
{
  const Face *faces[] = { &face_upright, &face_tilted };
  static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

  for (guint f = 0; f < G_N_ELEMENTS (faces); f++)
    {
      SmpFaceFrame truth = face_frame (faces[f]);
      double pts[3][2] = { { truth.glabella_x, truth.glabella_y },
                           { truth.eye_left_x, truth.eye_left_y },
                           { truth.eye_right_x, truth.eye_right_y } };

      for (int o = 0; o < 6; o++)
        {
          g_autoptr (GError) error = NULL;
          SmpFaceFrame fr;
          double xy[6];

          for (int k = 0; k < 3; k++)
            {
              xy[2 * k] = pts[orders[o][k]][0];
              xy[2 * k + 1] = pts[orders[o][k]][1];
            }
          g_assert_true (smp_face_frame_from_points (&fr, xy, &error));
          g_assert_no_error (error);
          g_assert_cmpfloat (fr.glabella_x, ==, truth.glabella_x);
          g_assert_cmpfloat (fr.glabella_y, ==, truth.glabella_y);
          g_assert_cmpfloat (fr.eye_left_x, ==, truth.eye_left_x);
          g_assert_cmpfloat (fr.eye_left_y, ==, truth.eye_left_y);
          g_assert_cmpfloat (fr.eye_right_x, ==, truth.eye_right_x);
          g_assert_cmpfloat (fr.eye_right_y, ==, truth.eye_right_y);
        }
    }
}

static void
test_frame_up_side (void)
{
  /* A face turned 100° (past a quarter turn): the glabella still says where up is. */
  Face f = { 500, 500, G_PI * 100 / 180, 150, 50, 0, 3 };
  SmpFaceFrame truth = face_frame (&f), fr;
  double xy[6] = { truth.eye_right_x, truth.eye_right_y, truth.glabella_x, truth.glabella_y,
                   truth.eye_left_x, truth.eye_left_y };
  SmpFaceAxes axes;
  double a, u;

  g_assert_true (smp_face_frame_from_points (&fr, xy, NULL));
  g_assert_cmpfloat_with_epsilon (fr.eye_left_x, truth.eye_left_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (fr.eye_left_y, truth.eye_left_y, 1e-9);
  smp_face_frame_get_axes (&fr, &axes);
  smp_face_axes_to_face (&axes, fr.glabella_x, fr.glabella_y, &a, &u);
  g_assert_cmpfloat_with_epsilon (u, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (a, 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (axes.half_width_px, 150, 1e-9);

  /* Glabella on the eye line: up is toward the image top, left is the smaller x. */
  {
    double flat[6] = { 700, 300, 400, 300, 550, 301 };

    g_assert_true (smp_face_frame_from_points (&fr, flat, NULL));
    g_assert_cmpfloat (fr.eye_left_x, ==, 400);
    g_assert_cmpfloat (fr.eye_right_x, ==, 700);
    g_assert_cmpfloat (fr.glabella_y, ==, 301);
  }
}

static void
test_frame_degenerate (void)
{
  const double bad[][6] = {
    { 100, 100, 101, 100, 100.5, 101 },   /* eye corners 1 px apart */
    { 100, 100, 100, 100, 100, 100 },     /* all in one place */
    { 0, 0, 300, 0, 290, 0 },             /* "glabella" at an eye */
    { NAN, 0, 300, 0, 150, -30 },
    { 0, 0, 300, 0, 150, INFINITY },
    /* Finite but beyond any image: the validation's products overflowed to a NaN
     * that passed in one eye order (tests/fuzz, face-frame/crash-huge-coordinates). */
    { 1.3407807929942597e+157, 1500, 7.698254349906404e+218, 2.3834506656051337e+180, 1300.0003638479639, 1540 },
    { 1000, 1500, 700, 1540, 1300, 2e7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      SmpFaceFrame fr = { 1, 2, 3, 4, 5, 6 };

      g_assert_false (smp_face_frame_from_points (&fr, bad[i], &error));
      g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
      g_assert_cmpfloat (fr.glabella_x, ==, 1); /* untouched */
    }
  {
    /* Every eye order of the overflowing frame is refused by the validator itself. */
    SmpFaceFrame fr = { 1.3407807929942597e+157, 1500, 2.3834506656051337e+180, 1540,
                        7.698254349906404e+218, 1300.0003638479639 };
    g_assert_false (smp_face_frame_validate (&fr, NULL));
    fr = (SmpFaceFrame) { 1.3407807929942597e+157, 1500, 1300.0003638479639, 1540,
                          7.698254349906404e+218, 2.3834506656051337e+180 };
    g_assert_false (smp_face_frame_validate (&fr, NULL));
  }
  {
    g_autoptr (GError) error = NULL;
    SmpFaceFrame fr = { 150, 1000, 0, 0, 300, 0 }; /* glabella far from the eye line */

    g_assert_false (smp_face_frame_validate (&fr, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  }
}

static void
test_frame_string (void)
{
  SmpFaceFrame fr = face_frame (&face_tilted), back;
  g_autofree char *text = smp_face_frame_to_string (&fr);
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (strstr (text, "[SMP Face Frame]"));
  g_assert_true (smp_face_frame_from_string (&back, text, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (&fr, &back, sizeof fr) == 0);

  {
    g_autoptr (GError) e = NULL;
    g_assert_false (smp_face_frame_from_string (&back, "[SMP Face Frame]\nglabella_x=1\nglabella_y=2\n", &e));
    g_assert_error (e, SMP_ERROR, SMP_ERROR_PRESET);
    g_assert_nonnull (strstr (e->message, "eye_left_x"));
  }
  {
    g_autoptr (GError) e = NULL;
    g_assert_false (smp_face_frame_from_string (&back,
                    "[SMP Face Frame]\nglabella_x=1\nglabella_y=2\neye_left_x=1\neye_left_y=2\n"
                    "eye_right_x=1\neye_right_y=2\n", &e));
    g_assert_error (e, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  }
}

/* ---- Templates ------------------------------------------------------------------ */

static void
test_templates_shipped (void)
{
  g_autoptr (GPtrArray) list = load_shipped ();

  if (list == NULL)
    return;
  for (int i = 0; required_templates[i]; i++)
    {
      gboolean found = FALSE;

      for (guint k = 0; k < list->len; k++)
        if (!strcmp (smp_face_template_get_id (g_ptr_array_index (list, k)), required_templates[i]))
          {
            const SmpFaceTemplate *t = g_ptr_array_index (list, k);

            found = TRUE;
            g_assert_cmpstr (smp_face_template_get_name (t), !=, "");
            g_assert_cmpstr (smp_face_template_get_description (t), !=, "");
          }
      if (!found)
        g_error ("template %s is not shipped", required_templates[i]);
    }
}

/* Every template on two faces at two heights: the mid-frontal point (measured on
 * the flattened curve) at the height, the temple anchors on the eye verticals. */
static void
test_templates_place (void)
{
  g_autoptr (GPtrArray) list = load_shipped ();
  const Face *faces[] = { &face_upright, &face_tilted };
  const double heights[] = { 80, 65 };
  double worst_height = 0, worst_temple = 0;

  if (list == NULL)
    return;
  for (guint k = 0; k < list->len; k++)
    for (guint f = 0; f < G_N_ELEMENTS (faces); f++)
      for (guint h = 0; h < G_N_ELEMENTS (heights); h++)
        {
          const SmpFaceTemplate *t = g_ptr_array_index (list, k);
          const Face *face = faces[f];
          SmpFaceFrame fr = face_frame (face);
          g_autoptr (GError) error = NULL;
          g_autoptr (SmpFaceCurve) curve = smp_face_template_place (t, &fr, face->px_per_mm, heights[h], &error);
          g_autoptr (GArray) flat = NULL;
          const double *p;
          double height = NAN, a, u;

          g_assert_no_error (error);
          g_assert_nonnull (curve);
          g_assert_cmpuint (curve->points->len, ==, 6 * curve->n_anchors);
          g_assert_cmpuint (curve->n_anchors % 2, ==, 1);
          p = (const double *) curve->points->data;
          flat = smp_face_curve_flatten (p, curve->n_anchors, 0.25);

          g_assert_true (midline_height_mm (face, (double *) flat->data, flat->len / 2, &height));
          worst_height = MAX (worst_height, fabs (height - heights[h]));
          g_assert_cmpfloat (fabs (height - heights[h]), <, 1.0);

          /* Temple anchors: on the verticals through the eye corners, on their own side. */
          face_coords (face, p[6 * curve->temple_left + 2], p[6 * curve->temple_left + 3], &a, &u);
          worst_temple = MAX (worst_temple, fabs (a + face->half_width) / face->px_per_mm);
          g_assert_cmpfloat (fabs (a + face->half_width) / face->px_per_mm, <, 1.0);
          g_assert_cmpfloat (u, >, 0);
          face_coords (face, p[6 * curve->temple_right + 2], p[6 * curve->temple_right + 3], &a, &u);
          worst_temple = MAX (worst_temple, fabs (a - face->half_width) / face->px_per_mm);
          g_assert_cmpfloat (fabs (a - face->half_width) / face->px_per_mm, <, 1.0);

          /* The line runs from the viewer's left to the right and is symmetric. */
          face_coords (face, p[2], p[3], &a, &u);
          g_assert_cmpfloat (a, <, 0);
          {
            double worst_sym = 0;
            g_assert_true (smp_face_measure_asymmetry_mm (&fr, (double *) flat->data, flat->len / 2,
                                                          face->px_per_mm, &worst_sym));
            g_assert_cmpfloat (worst_sym, <, 0.1);
          }
          if (f == 0 && h == 0)
            g_test_message ("%s: drawn irregularity %.2f mm", smp_face_template_get_id (t),
                            smp_face_measure_irregularity_mm (&fr, (double *) flat->data, flat->len / 2,
                                                              face->px_per_mm));
        }
  g_test_message ("template accuracy: mid-frontal height within %.4f mm, temple points within %.6f mm",
                  worst_height, worst_temple);
  g_print ("# template accuracy over %u templates x 2 faces x 2 heights: height error %.4f mm, "
           "temple error %.6f mm\n", list->len, worst_height, worst_temple);
}

static void
test_templates_bad_input (void)
{
  g_autoptr (GPtrArray) list = load_shipped ();
  const SmpFaceTemplate *t;
  SmpFaceFrame fr = face_frame (&face_upright), flat = { 100, 100, 100, 100, 101, 100 };
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;

  if (list == NULL)
    return;
  t = g_ptr_array_index (list, 0);
  g_assert_null (smp_face_template_place (t, &flat, 5, 80, &e1));
  g_assert_error (e1, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  g_assert_null (smp_face_template_place (t, &fr, 0, 80, &e2));
  g_assert_error (e2, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_null (smp_face_template_place (t, &fr, 5, -3, &e3));
  g_assert_error (e3, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
}

static void
test_templates_broken_files (void)
{
  static const struct { const char *text; const char *key; } cases[] = {
    { "[SMP Template]\nhalf=0,80;0.5,78;1,70\n", "name" },
    { "[SMP Template]\nname=X\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0,80;0.5;1,70\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0.1,80;0.5,78;1,70\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0,80;0.5,78;0.9,70\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0,-5;0.5,78;1,70\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0,80;0.5,abc;1,70\n", "half" },
    { "[SMP Template]\nname=X\nhalf=0,80;-0.5,78;1,70\n", "half" },
    { "not a key file", "broken" },
  };
  g_autofree char *dir = g_dir_make_tmp ("smp-face-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "broken.smp-template", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SmpFaceTemplate) t = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      t = smp_face_template_load (path, &error);
      g_assert_null (t);
      g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
      g_assert_nonnull (strstr (error->message, "broken.smp-template"));
      g_assert_nonnull (strstr (error->message, cases[i].key));
    }
  /* The directory loader stops at the bad file. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) list = smp_face_template_load_dir (dir, &error);

    g_assert_null (list);
    g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  }
  /* A good one with a corner and trailing separator. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SmpFaceTemplate) t = NULL;

    g_assert_true (g_file_set_contents (path, "[SMP Template]\nname=Ok\nhalf=0,60!; 0.5,62; 1,55; 1.1,40;\n", -1, NULL));
    t = smp_face_template_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (smp_face_template_get_id (t), ==, "broken");
    g_assert_cmpstr (smp_face_template_get_description (t), ==, "");
  }
  g_remove (path);
  g_rmdir (dir);
}

/* ---- Mirror ------------------------------------------------------------------------ */

static void
reflect (const Face *f, double x, double y, double *rx, double *ry)
{
  double a, u;

  face_coords (f, x, y, &a, &u);
  face_point (f, -a, u, rx, ry);
}

/* A right half (face coords in px): from near the midline out to the temple, with handles. */
static double *
make_half (const Face *f, double start_across, gboolean outward, gsize *n)
{
  const double face[][6] = {
    { start_across - 20, 400, start_across, 400, start_across + 25, 398 },
    { 60, 392, 90, 385, 120, 378 },
    { 150, 365, 180, 350, 200, 335 },
    { 215, 320, 225, 300, 228, 280 },
  };
  double *p = g_new (double, 6 * G_N_ELEMENTS (face));

  for (guint i = 0; i < G_N_ELEMENTS (face); i++)
    {
      guint src = outward ? i : G_N_ELEMENTS (face) - 1 - i;

      for (int k = 0; k < 3; k++)
        {
          int from = outward ? k : 2 - k;
          face_point (f, face[src][2 * from], face[src][2 * from + 1] - f->glabella_up,
                      &p[6 * i + 2 * k], &p[6 * i + 2 * k + 1]);
        }
    }
  *n = G_N_ELEMENTS (face);
  return p;
}

static void
check_mirror (const Face *f, const double *half, gsize n, gboolean outward, gboolean on_midline,
              gboolean left_side)
{
  SmpFaceFrame fr = face_frame (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) full = smp_face_mirror_half (&fr, half, n, &error);
  const double *p;
  gsize m, worst_i = 0;
  double worst = 0, a, u;

  g_assert_no_error (error);
  g_assert_nonnull (full);
  m = full->len / 6;
  g_assert_cmpuint (m, ==, on_midline ? 2 * n - 1 : 2 * n);
  p = (const double *) full->data;

  /* Runs from the viewer's left to the right. */
  face_coords (f, p[2], p[3], &a, &u);
  g_assert_cmpfloat (a, <, 0);

  /* The full curve must contain the half, and the half's exact reflection, point by
   * point (handles included). Compare every control point of the output against
   * the original half or its reflection. */
  for (gsize i = 0; i < n; i++)
    {
      /* Original anchor index i, as ordered from the midline outward. */
      gsize oi = outward ? i : n - 1 - i;
      const double *o = half + 6 * oi;
      /* In the output, the original half occupies the right (or left) part. */
      gsize right_i = (on_midline ? n - 1 : n) + i;   /* midline outward, on the right side */
      gsize left_i = n - 1 - i;                       /* midline outward, on the left side */
      const double *same = p + 6 * (left_side ? left_i : right_i);
      const double *mirr = p + 6 * (left_side ? right_i : left_i);

      for (int k = 0; k < 3; k++)
        {
          /* The copy keeps the half's direction when it runs left to right. */
          gboolean same_dir = left_side ? !outward : outward;
          int ks = same_dir ? k : 2 - k, km = same_dir ? 2 - k : k;
          double rx, ry, d;

          if (on_midline && i == 0 && ((left_side && k == 2) || (!left_side && k == 0)))
            continue; /* the merged anchor's handle toward the mirror side */
          d = hypot (same[2 * k] - o[2 * ks], same[2 * k + 1] - o[2 * ks + 1]);
          if (d > worst) worst = d, worst_i = i;
          if (on_midline && i == 0)
            continue;
          reflect (f, o[2 * km], o[2 * km + 1], &rx, &ry);
          d = hypot (mirr[2 * k] - rx, mirr[2 * k + 1] - ry);
          if (d > worst) worst = d, worst_i = i;
        }
    }
  g_test_message ("mirror: worst control-point error %.2e px (anchor %" G_GSIZE_FORMAT ")", worst, worst_i);
  g_assert_cmpfloat (worst, <, 1e-6);

  /* The flattened full line is symmetric to well under 0.5 px. */
  {
    g_autoptr (GArray) flat = smp_face_curve_flatten (p, m, 0.5);
    double asym;

    g_assert_true (smp_face_measure_asymmetry_mm (&fr, (double *) flat->data, flat->len / 2, 1.0, &asym));
    g_assert_cmpfloat (asym, <, 0.05);
  }
}

static void
test_mirror (void)
{
  const Face *faces[] = { &face_upright, &face_tilted };

  for (guint f = 0; f < G_N_ELEMENTS (faces); f++)
    for (int outward = 0; outward < 2; outward++)
      for (int on_mid = 0; on_mid < 2; on_mid++)
        {
          const Face *face = faces[f];
          gsize n;
          g_autofree double *half = make_half (face, on_mid ? 0.0 : 6.0, outward, &n);
          g_autofree double *left = g_new (double, 6 * n);

          check_mirror (face, half, n, outward, on_mid, FALSE);
          /* The same half drawn on the left side. */
          for (gsize i = 0; i < 3 * n; i++)
            reflect (face, half[2 * i], half[2 * i + 1], &left[2 * i], &left[2 * i + 1]);
          check_mirror (face, left, n, outward, on_mid, TRUE);
        }
}

static void
test_mirror_bad_input (void)
{
  SmpFaceFrame fr = face_frame (&face_upright);
  gsize n;
  g_autofree double *half = make_half (&face_upright, 0, TRUE, &n);
  double one[6] = { 600, 300, 600, 300, 600, 300 };
  g_autofree double *across = g_memdup2 (half, 6 * n * sizeof (double));
  double mid[12];
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  g_assert_null (smp_face_mirror_half (&fr, one, 1, &e1));
  g_assert_error (e1, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);

  /* First anchor pushed 60 px over the midline (> 10% of 225 px). */
  face_point (&face_upright, -60, 300, &across[2], &across[3]);
  g_assert_null (smp_face_mirror_half (&fr, across, n, &e2));
  g_assert_error (e2, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);

  for (int i = 0; i < 2; i++)
    {
      double x, y;
      face_point (&face_upright, i ? 3 : -3, 300 + 20 * i, &x, &y);
      for (int k = 0; k < 3; k++)
        mid[6 * i + 2 * k] = x, mid[6 * i + 2 * k + 1] = y;
    }
  g_assert_null (smp_face_mirror_half (&fr, mid, 2, &e3));
  g_assert_error (e3, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);

  across[0] = NAN;
  g_assert_null (smp_face_mirror_half (&fr, across, n, &e4));
  g_assert_error (e4, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
}

/* ---- Measures ----------------------------------------------------------------------- */

/* A polyline in face mm: across from -span to +span, up = fn(across). */
static double *
face_line (const Face *f, double span_mm, double (*fn) (double, gpointer), gpointer data, gsize *n)
{
  const gsize count = (gsize) (2 * span_mm / 0.25) + 1;
  double *xy = g_new (double, 2 * count);

  for (gsize i = 0; i < count; i++)
    {
      double a = -span_mm + i * 0.25;

      face_point (f, a * f->px_per_mm, fn (a, data) * f->px_per_mm, &xy[2 * i], &xy[2 * i + 1]);
    }
  *n = count;
  return xy;
}

typedef struct
{
  double height, amplitude, wavelength, tilt, radius;
} LineShape;

static double
shape_fn (double a, gpointer data)
{
  const LineShape *s = data;
  double u = s->height + s->amplitude * cos (2 * G_PI * a / s->wavelength) + s->tilt * a;

  if (s->radius > 0)
    u -= s->radius - sqrt (s->radius * s->radius - a * a);
  return u;
}

static void
test_measures (void)
{
  const Face *f = &face_tilted;
  SmpFaceFrame fr = face_frame (f);
  gsize n;
  double v;

  {
    LineShape s = { 75, 0, 20, 0, 0 };
    g_autofree double *xy = face_line (f, 60, shape_fn, &s, &n);

    g_assert_true (smp_face_measure_height_mm (&fr, xy, n, f->px_per_mm, &v));
    g_assert_cmpfloat_with_epsilon (v, 75, 1e-6);
    v = smp_face_measure_irregularity_mm (&fr, xy, n, f->px_per_mm);
    g_assert_cmpfloat (v, <, 0.01);
    g_assert_true (smp_face_measure_asymmetry_mm (&fr, xy, n, f->px_per_mm, &v));
    g_assert_cmpfloat (v, <, 0.01);
  }
  {
    /* A round arc (radius 90 mm) is a design, not irregularity. */
    LineShape s = { 80, 0, 20, 0, 90 };
    g_autofree double *xy = face_line (f, 60, shape_fn, &s, &n);

    v = smp_face_measure_irregularity_mm (&fr, xy, n, f->px_per_mm);
    g_test_message ("arc: %.3f mm", v);
    g_assert_cmpfloat (v, <, 0.2);
  }
  for (double lambda = 15; lambda <= 30; lambda += 5)
    {
      /* A natural undulation of amplitude 2 mm measures about 2 mm. */
      LineShape s = { 80, 2.0, lambda, 0, 90 };
      g_autofree double *xy = face_line (f, 60, shape_fn, &s, &n);

      v = smp_face_measure_irregularity_mm (&fr, xy, n, f->px_per_mm);
      g_test_message ("sine 2 mm, wavelength %.0f mm: %.2f mm", lambda, v);
      g_assert_cmpfloat (v, >, 1.4);
      g_assert_cmpfloat (v, <, 2.6);
    }
  {
    /* Tilted by 4°: the left end sits higher than the right; asymmetry = 2 × the tilt at the sides. */
    LineShape s = { 80, 0, 20, -tan (G_PI * 4 / 180), 0 };
    g_autofree double *xy = face_line (f, 60, shape_fn, &s, &n);
    double half_mm = f->half_width / f->px_per_mm, expect = 2 * half_mm * tan (G_PI * 4 / 180);

    g_assert_true (smp_face_measure_asymmetry_mm (&fr, xy, n, f->px_per_mm, &v));
    g_test_message ("tilt: asymmetry %.2f mm (perpendicular bound %.2f)", v, expect);
    g_assert_cmpfloat (v, >, 0.9 * expect * cos (G_PI * 4 / 180));
    g_assert_cmpfloat (v, <, 1.01 * expect);
  }
  {
    /* One side only: no symmetry to judge, no midline crossing. */
    double xy[4];
    face_point (f, 10 * f->px_per_mm, 80 * f->px_per_mm, &xy[0], &xy[1]);
    face_point (f, 40 * f->px_per_mm, 70 * f->px_per_mm, &xy[2], &xy[3]);
    g_assert_false (smp_face_measure_asymmetry_mm (&fr, xy, 2, f->px_per_mm, &v));
    g_assert_false (smp_face_measure_height_mm (&fr, xy, 2, f->px_per_mm, &v));
    g_assert_cmpfloat (smp_face_measure_irregularity_mm (&fr, xy, 2, f->px_per_mm), <, 0.01);
    /* Under 10 mm of front: not measured. */
    face_point (f, 18 * f->px_per_mm, 78 * f->px_per_mm, &xy[2], &xy[3]);
    g_assert_true (isnan (smp_face_measure_irregularity_mm (&fr, xy, 2, f->px_per_mm)));
  }
}

/* ---- Design checks ---------------------------------------------------------------------- */

static guint
fired (GPtrArray *findings)
{
  guint bits = 0;

  for (guint i = 0; i < findings->len; i++)
    {
      const SmpFaceFinding *fi = g_ptr_array_index (findings, i);

      g_assert_nonnull (fi->message);
      g_assert_cmpuint (strlen (fi->message), >, 20);
      bits |= SMP_FACE_CHECK_BIT (fi->check);
    }
  return bits;
}

/* Runs the checks on the polyline and returns the fired bits. */
static guint
run_checks (const double *xy, gsize n, const SmpFaceFrame *fr, const SmpParams *p, gboolean feminine,
            guint expect_run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) findings = NULL;
  guint run = 0;

  findings = smp_face_check_design (xy, n, fr, p, p->px_per_mm, feminine, &run, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (run, ==, expect_run);
  return fired (findings);
}

static GArray *
placed_template (const char *id, const Face *f, double height)
{
  g_autoptr (GPtrArray) list = load_shipped ();
  SmpFaceFrame fr = face_frame (f);

  for (guint k = 0; list && k < list->len; k++)
    if (!strcmp (smp_face_template_get_id (g_ptr_array_index (list, k)), id))
      {
        g_autoptr (SmpFaceCurve) c = smp_face_template_place (g_ptr_array_index (list, k), &fr,
                                                              f->px_per_mm, height, NULL);
        return smp_face_curve_flatten ((double *) c->points->data, c->n_anchors, 0.5);
      }
  return NULL;
}

static void
test_checks (void)
{
  const Face *f = &face_tilted;
  SmpFaceFrame fr = face_frame (f);
  const guint all = (1u << SMP_FACE_N_CHECKS) - 1;
  g_autoptr (GArray) good = placed_template ("rounded", f, 80);
  g_autoptr (GArray) low = placed_template ("rounded", f, 62);
  g_autoptr (GArray) fem = placed_template ("feminine-oval", f, 55);
  g_autoptr (GArray) fem_low = placed_template ("feminine-oval", f, 45);
  g_autoptr (GArray) lopsided = NULL;
  SmpParams p;

  if (good == NULL)
    return;
  default_params (&p, f->px_per_mm);

#define PTS(a) (const double *) (a)->data, (a)->len / 2
  /* A good design is silent, and every check ran. */
  g_assert_cmpuint (run_checks (PTS (good), &fr, &p, FALSE, all), ==, 0);
  g_assert_cmpuint (run_checks (PTS (fem), &fr, &p, TRUE, all), ==, 0);

  /* Too low. */
  g_assert_cmpuint (run_checks (PTS (low), &fr, &p, FALSE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT));
  g_assert_cmpuint (run_checks (PTS (fem), &fr, &p, FALSE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT));
  g_assert_cmpuint (run_checks (PTS (fem_low), &fr, &p, TRUE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT));

  /* Too straight: a smooth drawn line AND little irregularity. */
  p.irregularity_mm = 0.5;
  g_assert_cmpuint (run_checks (PTS (good), &fr, &p, FALSE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_STRAIGHTNESS));
  {
    /* The same with a naturally undulating drawn line is fine. */
    LineShape s = { 80, 2.0, 20, 0, 90 };
    gsize n;
    g_autofree double *xy = face_line (f, 55, shape_fn, &s, &n);

    g_assert_cmpuint (run_checks (xy, n, &fr, &p, FALSE, all), ==, 0);
  }
  p.irregularity_mm = 3.0;

  /* Lopsided: the left half pushed 3.5 mm up. */
  lopsided = g_array_copy (good);
  for (guint i = 0; i < lopsided->len / 2; i++)
    {
      double *q = &g_array_index (lopsided, double, 2 * i), a, u;

      face_coords (f, q[0], q[1], &a, &u);
      if (a < 0)
        face_point (f, a, u + 3.5 * f->px_per_mm * MIN (1.0, -a / 40.0), &q[0], &q[1]);
    }
  g_assert_cmpuint (run_checks (PTS (lopsided), &fr, &p, FALSE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_SYMMETRY));

  /* No transition zone. */
  p.fade_width_mm = 2.0;
  g_assert_cmpuint (run_checks (PTS (good), &fr, &p, FALSE, all), ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE));
  p.fade_width_mm = 3.0;
  g_assert_cmpuint (run_checks (PTS (good), &fr, &p, FALSE, all), ==, 0);

  /* Without a frame only straightness and fade can run. */
  g_assert_cmpuint (run_checks (PTS (low), NULL, &p, FALSE,
                                SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_STRAIGHTNESS) | SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE)),
                    ==, 0);
#undef PTS
}

static void
test_checks_bad_input_and_key_file (void)
{
  SmpParams p;
  SmpFaceFrame fr = face_frame (&face_upright), flat = { 1, 1, 1, 1, 1, 1 };
  double xy[4] = { 0, 0, 100, 0 };
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

  default_params (&p, 5);
  g_assert_null (smp_face_check_design (xy, 1, &fr, &p, 5, FALSE, NULL, &e1));
  g_assert_error (e1, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  g_assert_null (smp_face_check_design (xy, 2, &fr, &p, 0, FALSE, NULL, &e2));
  g_assert_error (e2, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_null (smp_face_check_design (xy, 2, &flat, &p, 5, FALSE, NULL, &e3));
  g_assert_error (e3, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  xy[3] = NAN;
  g_assert_null (smp_face_check_design (xy, 2, &fr, &p, 5, FALSE, NULL, &e4));
  g_assert_error (e4, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  {
    /* Finite but beyond any image: an infinite length that sampling never finished
     * (issue 12; found by tests/fuzz). Refused by the checks, unmeasured by the measures. */
    double far[4] = { 0, 0, 1e300, 1e300 }, v;
    g_autoptr (GError) e5 = NULL;
    g_assert_null (smp_face_check_design (far, 2, &fr, &p, 5, FALSE, NULL, &e5));
    g_assert_error (e5, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
    g_assert_nonnull (strstr (e5->message, "outside any image"));
    far[0] = -1e300, far[1] = 1e300;
    g_assert_true (isnan (smp_face_measure_irregularity_mm (NULL, far, 2, 5)));
    g_assert_false (smp_face_measure_asymmetry_mm (&fr, far, 2, 5, &v));
  }

  {
    /* Straight, flat, low, no fade: three findings into a key file. */
    g_autoptr (GArray) line = NULL;
    g_autoptr (GPtrArray) findings = NULL;
    g_autoptr (GKeyFile) kf = g_key_file_new ();
    g_autofree char *text = NULL, *checked = NULL;
    g_auto (GStrv) keys = NULL;
    double pts[4];
    guint run;

    face_point (&face_upright, -300, 40 * 5, &pts[0], &pts[1]);
    face_point (&face_upright, 300, 40 * 5, &pts[2], &pts[3]);
    p.irregularity_mm = 0;
    p.fade_width_mm = 0;
    findings = smp_face_check_design (pts, 2, &fr, &p, 5, FALSE, &run, NULL);
    g_assert_cmpuint (findings->len, ==, 3);
    g_key_file_set_string (kf, "SMP Checks", "stale", "x");
    smp_face_findings_save_key_file (findings, run, kf, "SMP Checks");
    g_assert_false (g_key_file_has_key (kf, "SMP Checks", "stale", NULL));
    g_assert_cmpint (g_key_file_get_integer (kf, "SMP Checks", "findings", NULL), ==, 3);
    checked = g_key_file_get_string (kf, "SMP Checks", "checked", NULL);
    g_assert_cmpstr (checked, ==, "height;straightness;symmetry;fade;");
    for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
      g_assert_cmpint (g_key_file_has_key (kf, "SMP Checks", smp_face_check_get_key (c), NULL), ==,
                       c != SMP_FACE_CHECK_SYMMETRY);
    text = smp_face_findings_to_text (findings);
    keys = g_strsplit (text, "\n", -1);
    g_assert_cmpuint (g_strv_length (keys), ==, 3);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/face/frame/any-order", test_frame_any_order);
  g_test_add_func ("/face/frame/up-side", test_frame_up_side);
  g_test_add_func ("/face/frame/degenerate", test_frame_degenerate);
  g_test_add_func ("/face/frame/string", test_frame_string);
  g_test_add_func ("/face/template/shipped", test_templates_shipped);
  g_test_add_func ("/face/template/place", test_templates_place);
  g_test_add_func ("/face/template/bad-input", test_templates_bad_input);
  g_test_add_func ("/face/template/broken-files", test_templates_broken_files);
  g_test_add_func ("/face/mirror", test_mirror);
  g_test_add_func ("/face/mirror/bad-input", test_mirror_bad_input);
  g_test_add_func ("/face/measures", test_measures);
  g_test_add_func ("/face/checks", test_checks);
  g_test_add_func ("/face/checks/bad-input-and-key-file", test_checks_bad_input_and_key_file);
  return g_test_run ();
}
