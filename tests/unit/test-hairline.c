/* test-hairline.c: hairline geometry: distances, scalp side (explicit, auto with and
 * without a mask, closed patches, several strokes) and bad strokes. */
#include "test-util.h"
#include "../common/robust-inputs.h"

static void
test_distance_and_side (void)
{
  g_autoptr (SmpHairline) h = smp_hairline_new ();
  double xy[] = { 0, 100, 200, 100 };
  gboolean scalp;

  g_assert_true (smp_hairline_add_stroke (h, xy, 2, FALSE, NULL));
  smp_hairline_resolve_side (h, SMP_SCALP_SIDE_AUTO, NULL, 10);
  /* No mask: the side toward the image top is scalp. */
  g_assert_cmpfloat (fabs (smp_hairline_distance_mm (h, 10, 50, 60, &scalp) - 4.0), <, 1e-9);
  g_assert_true (scalp);
  g_assert_cmpfloat (fabs (smp_hairline_distance_mm (h, 10, 50, 130, &scalp) - 3.0), <, 1e-9);
  g_assert_false (scalp);
  /* Past the end, the stroke extends along its tangent. */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 400, 90), >, 0);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 400, 110), <, 0);
  g_assert_cmpfloat (fabs (smp_hairline_signed_distance_px (h, 203, 96) - 5.0), <, 1e-9);

  smp_hairline_resolve_side (h, SMP_SCALP_SIDE_RIGHT, NULL, 10);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 50, 130), >, 0);
  smp_hairline_resolve_side (h, SMP_SCALP_SIDE_LEFT, NULL, 10);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 50, 60), >, 0);
}

static void
test_auto_side_mask (void)
{
  g_autoptr (SmpHairline) h = smp_hairline_new ();
  double xy[] = { 0, 100, 200, 100 };
  g_autofree float *cov = g_new0 (float, 200 * 300);
  SmpMask mask = { cov, 0, 0, 200, 300, 200, NULL };

  /* The treatment mask lies below the line: below is scalp, against the default. */
  for (int y = 100; y < 300; y++)
    for (int x = 0; x < 200; x++)
      cov[y * 200 + x] = 1;
  g_assert_true (smp_hairline_add_stroke (h, xy, 2, FALSE, NULL));
  smp_hairline_resolve_side (h, SMP_SCALP_SIDE_AUTO, &mask, 10);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 50, 150), >, 0);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 50, 50), <, 0);
}

static void
test_closed_patch (void)
{
  /* A scar patch, drawn either way round: inside is scalp. */
  for (int dir = 0; dir < 2; dir++)
    {
      g_autoptr (SmpHairline) h = smp_hairline_new ();
      double cw[] = { 100, 100, 200, 100, 200, 200, 100, 200 };
      double ccw[] = { 100, 100, 100, 200, 200, 200, 200, 100 };
      g_assert_true (smp_hairline_add_stroke (h, dir ? ccw : cw, 4, TRUE, NULL));
      smp_hairline_resolve_side (h, SMP_SCALP_SIDE_LEFT, NULL, 10);
      g_assert_cmpfloat (fabs (smp_hairline_signed_distance_px (h, 150, 150) - 50), <, 1e-9);
      g_assert_cmpfloat (fabs (smp_hairline_signed_distance_px (h, 150, 90) + 10), <, 1e-9);
      g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 90, 90), <, 0); /* near a corner */
      g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 500, 500), <, 0);
    }
}

static void
test_several_strokes (void)
{
  /* Front hairline plus a temple stroke: each point is judged by the nearer. */
  g_autoptr (SmpHairline) h = smp_hairline_new ();
  double front[] = { 300, 300, 700, 300 };
  double temple[] = { 250, 600, 250, 320 }; /* drawn upward: scalp on its left (x < 250) */
  double patch[] = { 1000, 1000, 1100, 1000, 1100, 1100, 1000, 1100 };

  g_assert_true (smp_hairline_add_stroke (h, front, 2, FALSE, NULL));
  g_assert_true (smp_hairline_add_stroke (h, temple, 2, FALSE, NULL));
  g_assert_true (smp_hairline_add_stroke (h, patch, 4, TRUE, NULL));
  g_assert_cmpuint (smp_hairline_get_n_strokes (h), ==, 3);
  smp_hairline_resolve_side (h, SMP_SCALP_SIDE_LEFT, NULL, 10);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 500, 250), >, 0); /* behind the front */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 500, 350), <, 0); /* forehead */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 200, 500), >, 0); /* temple, outside */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (h, 1050, 1050), >, 0); /* inside the patch */
}

static void
test_consistency_with_brute_force (void)
{
  /* The cell index gives exactly the answer of a scan over every segment: compare
   * with a fresh hairline queried before its index exists. */
  g_autoptr (SmpHairline) a = smp_hairline_new ();
  g_autoptr (SmpHairline) b = smp_hairline_new ();
  double xy[400];

  for (int i = 0; i < 200; i++)
    {
      xy[2 * i] = i * 7.0;
      xy[2 * i + 1] = 500 + 80 * sin (i / 9.0) + 15 * sin (i * 1.7);
    }
  g_assert_true (smp_hairline_add_stroke (a, xy, 200, FALSE, NULL));
  g_assert_true (smp_hairline_add_stroke (b, xy, 200, FALSE, NULL));
  smp_hairline_resolve_side (a, SMP_SCALP_SIDE_LEFT, NULL, 10);
  for (int k = 0; k < 20000; k++)
    {
      double x = g_test_rand_double_range (-3000, 4500), y = g_test_rand_double_range (-2000, 3000);
      g_assert_cmpfloat (smp_hairline_signed_distance_px (a, x, y), ==,
                         smp_hairline_signed_distance_px (b, x, y));
    }
}

static void
expect_bad (const double *xy, gsize n, gboolean closed, const char *what)
{
  g_autoptr (SmpHairline) h = smp_hairline_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (smp_hairline_add_stroke (h, xy, n, closed, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  g_test_message ("%s: %s", what, error->message);
  g_assert_cmpuint (smp_hairline_get_n_strokes (h), ==, 0);
}

static void
test_bad_strokes (void)
{
  double one[] = { 5, 5 };
  double same[] = { 5, 5, 5, 5, 5, 5 };
  double nan_pt[] = { 0, 0, NAN, 4 };
  double inf_pt[] = { 0, 0, 4, INFINITY };
  double flat_ring[] = { 0, 0, 10, 0, 20, 0 };

  expect_bad (NULL, 0, FALSE, "empty");
  expect_bad (one, 1, FALSE, "one point");
  expect_bad (same, 3, FALSE, "zero length");
  expect_bad (nan_pt, 2, FALSE, "NaN");
  expect_bad (inf_pt, 2, FALSE, "infinite");
  expect_bad (flat_ring, 3, TRUE, "closed with no area");

  /* Repeated points are dropped; a self-intersecting stroke gives a defined answer. */
  {
    g_autoptr (SmpHairline) h = smp_hairline_new ();
    double rep[] = { 0, 0, 0, 0, 10, 0, 10, 0, 20, 0 };
    double bow[] = { 0, 0, 100, 100, 100, 0, 0, 100 };
    double eight[] = { 0, 0, 100, 100, 200, 0, 0, 50 }; /* crosses itself, net area left */
    g_assert_true (smp_hairline_add_stroke (h, rep, 5, FALSE, NULL));
    g_assert_cmpfloat (smp_hairline_get_length_px (h), ==, 20);
    g_assert_true (smp_hairline_add_stroke (h, bow, 4, FALSE, NULL));
    g_assert_true (smp_hairline_add_stroke (h, eight, 4, TRUE, NULL));
    smp_hairline_resolve_side (h, SMP_SCALP_SIDE_AUTO, NULL, 10);
    for (int k = 0; k < 1000; k++)
      g_assert_true (isfinite (smp_hairline_signed_distance_px (h, g_test_rand_double_range (-50, 150),
                                                                g_test_rand_double_range (-50, 150))));
    /* A NaN query is not a crash either. */
    g_assert_false (smp_hairline_signed_distance_px (h, NAN, 3) > 0);
  }
}

/* Issue 12, rows 6 and 12: a stroke that collapses below the simplification
 * tolerance (a stray out-and-back, an underflowing segment) is refused at the
 * boundary, the hairline unchanged; a real hairline next to it gives the same
 * design whichever order they come in. Before: the stray stroke was accepted with
 * a zero-length segment, whose NaN emptied every cell list when drawn last. */
static void
test_degenerate_strokes (void)
{
  double tiny[] = { 0, 0, 1e-200, 0 };                  /* M 0 0 L 1e-200 0 */
  double stray[] = { 500, 500, 500.05, 500, 500, 500 }; /* out and back within 0.1 px */
  double speck[] = { 500, 500, 500.04, 500.03 };
  g_autoptr (GArray) real = g_array_new (FALSE, FALSE, sizeof (double));
  gsize counts[2];
  double probe[2][3];

  expect_bad (tiny, 2, FALSE, "M 0 0 L 1e-200 0");
  expect_bad (stray, 3, FALSE, "out and back within 0.1 px");
  expect_bad (stray, 3, TRUE, "closed out and back");
  expect_bad (speck, 2, FALSE, "0.05 px speck");

  for (double x = 0; x <= 1000; x += 0.25)
    {
      double y = 300 + 40 * sin (x / 150);
      g_array_append_val (real, x);
      g_array_append_val (real, y);
    }
  for (int order = 0; order < 2; order++)
    {
      g_autoptr (SmpHairline) h = smp_hairline_new ();
      g_autoptr (SmpDesign) d = NULL;
      g_autoptr (GError) error = NULL;
      SmpRect region = { 0, 0, 1000, 600 };
      SmpParams p;

      for (int k = 0; k < 2; k++)
        if ((k == 0) == (order == 0))
          g_assert_true (smp_hairline_add_stroke (h, (double *) real->data, real->len / 2, FALSE, NULL));
        else
          {
            g_assert_false (smp_hairline_add_stroke (h, stray, 3, FALSE, &error));
            g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
            g_assert_nonnull (strstr (error->message, "no length"));
            g_clear_error (&error);
          }
      g_assert_cmpuint (smp_hairline_get_n_strokes (h), ==, 1);
      smp_params_init_defaults (&p);
      p.px_per_mm = 10;
      d = smp_design_new (&p, h, NULL, NULL, &error);
      g_assert_no_error (error);
      counts[order] = smp_design_count (d, &region, NULL);
      probe[order][0] = smp_hairline_signed_distance_px (h, 500, 500);
      probe[order][1] = smp_hairline_signed_distance_px (h, 500.02, 500);
      probe[order][2] = smp_hairline_signed_distance_px (h, 10, 10);
      for (int k = 0; k < 3; k++)
        g_assert_true (isfinite (probe[order][k]));
    }
  g_test_message ("dots with the stray stroke first / last: %" G_GSIZE_FORMAT " / %" G_GSIZE_FORMAT,
                  counts[0], counts[1]);
  g_assert_cmpuint (counts[0], >, 1000);
  g_assert_cmpuint (counts[0], ==, counts[1]);
  g_assert_cmpmem (probe[0], sizeof probe[0], probe[1], sizeof probe[1]);
}

/* Issue 12 row 6's rule, "independent of stroke order", where strokes meet: behind a
 * shared end point both strokes are exactly equally near, and the lower index used
 * to decide the side over a whole wedge (found by tests/fuzz, geometry/
 * crash-shared-end-order). Both orders must now agree everywhere. */
static void
test_shared_end_order (void)
{
  double front[] = { 300, 300, 700, 300 };
  double temple[] = { 300, 300, 250, 600 }; /* starts where the front starts */
  double *strokes[2] = { front, temple };

  for (int side = SMP_SCALP_SIDE_AUTO; side <= SMP_SCALP_SIDE_RIGHT; side++)
    {
      g_autoptr (SmpHairline) a = smp_hairline_new ();
      g_autoptr (SmpHairline) b = smp_hairline_new ();
      gsize differ = 0;

      for (int k = 0; k < 2; k++)
        {
          g_assert_true (smp_hairline_add_stroke (a, strokes[k], 2, FALSE, NULL));
          g_assert_true (smp_hairline_add_stroke (b, strokes[1 - k], 2, FALSE, NULL));
        }
      smp_hairline_resolve_side (a, side, NULL, 10);
      smp_hairline_resolve_side (b, side, NULL, 10);
      for (double y = 0; y < 700; y += 3)
        for (double x = 0; x < 800; x += 3)
          differ += smp_hairline_signed_distance_px (a, x, y) != smp_hairline_signed_distance_px (b, x, y);
      g_test_message ("side %d: %" G_GSIZE_FORMAT " of 62,300 points differ between the two orders", side, differ);
      g_assert_cmpuint (differ, ==, 0);
    }
}

/* The bounded Douglas-Peucker still keeps the line within its 0.1 px tolerance of
 * every drawn point, on its worst case (equal teeth) and on a random walk. */
static void
test_simplify_tolerance (void)
{
  g_autoptr (GArray) zigzag = robust_zigzag (400, 4, 3, 0.25);
  g_autoptr (GArray) walk = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *lines[2] = { zigzag, walk };
  double x = 0, y = 0, a = 0;

  for (int i = 0; i < 20000; i++)
    {
      a += g_test_rand_double_range (-0.3, 0.3);
      x += 0.25 * cos (a), y += 0.25 * sin (a);
      g_array_append_val (walk, x);
      g_array_append_val (walk, y);
    }
  for (int k = 0; k < 2; k++)
    {
      g_autoptr (SmpHairline) h = smp_hairline_new ();
      const double *p = (const double *) lines[k]->data;
      double worst = 0;

      g_assert_true (smp_hairline_add_stroke (h, p, lines[k]->len / 2, FALSE, NULL));
      smp_hairline_resolve_side (h, SMP_SCALP_SIDE_LEFT, NULL, 10);
      for (guint i = 0; i < lines[k]->len / 2; i++)
        worst = MAX (worst, fabs (smp_hairline_signed_distance_px (h, p[2 * i], p[2 * i + 1])));
      g_test_message ("line %d: %u points, farthest from the simplified line %.4f px", k,
                      lines[k]->len / 2, worst);
      g_assert_cmpfloat (worst, <=, 0.1 + 1e-3);
    }
}

/* Issue 12, row 2: with many closed strokes the index leaves far rings out of a
 * cell, and still answers exactly as a scan over every segment (a fresh hairline
 * before its index exists), self-crossing ring included. */
static void
test_closed_index_consistency (void)
{
  double w, ht;
  g_autoptr (SmpHairline) a = robust_patches (150, &w, &ht);
  g_autoptr (SmpHairline) b = robust_patches (150, &w, &ht);
  double eight[] = { 100, 900, 200, 1000, 300, 900, 100, 950 };

  g_assert_true (smp_hairline_add_stroke (a, eight, 4, TRUE, NULL));
  g_assert_true (smp_hairline_add_stroke (b, eight, 4, TRUE, NULL));
  smp_hairline_resolve_side (a, SMP_SCALP_SIDE_LEFT, NULL, 10);
  for (int k = 0; k < 10000; k++)
    {
      double x = g_test_rand_double_range (-300, w + 300), y = g_test_rand_double_range (-300, ht + 500);
      g_assert_cmpfloat (smp_hairline_signed_distance_px (a, x, y), ==,
                         smp_hairline_signed_distance_px (b, x, y));
    }
  /* Inside a patch is scalp, between patches is not (the line lies above them). */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (a, 30, 30), >, 17);
  g_assert_cmpfloat (smp_hairline_signed_distance_px (a, 60, 60), <, 0);
  /* Outside its bounding box, a self-crossing ring's reversed lobe is not scalp. */
  g_assert_cmpfloat (smp_hairline_signed_distance_px (a, 200, 1100), <, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hairline/distance-and-side", test_distance_and_side);
  g_test_add_func ("/hairline/auto-side-mask", test_auto_side_mask);
  g_test_add_func ("/hairline/closed-patch", test_closed_patch);
  g_test_add_func ("/hairline/several-strokes", test_several_strokes);
  g_test_add_func ("/hairline/index-consistency", test_consistency_with_brute_force);
  g_test_add_func ("/hairline/bad-strokes", test_bad_strokes);
  g_test_add_func ("/hairline/degenerate-strokes", test_degenerate_strokes);
  g_test_add_func ("/hairline/shared-end-order", test_shared_end_order);
  g_test_add_func ("/hairline/simplify-tolerance", test_simplify_tolerance);
  g_test_add_func ("/hairline/closed-index-consistency", test_closed_index_consistency);
  return g_test_run ();
}
