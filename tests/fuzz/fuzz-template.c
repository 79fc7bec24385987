/* fuzz-template.c: the hairline template loader (patterns/templates/<id>.smp-template),
 * then a loaded template placed on a face, flattened and run through the design checks. */
#include "fuzz-util.h"

#include <math.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = fuzz_file ("fuzz.smp-template", data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (SmpFaceTemplate) t = smp_face_template_load (path, &error);
  const SmpFaceFrame frame = { 1000, 1500, 700, 1540, 1300, 1540 };

  g_unlink (path);
  if (!t)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_nonnull (smp_face_template_get_name (t));
  for (int k = 0; k < 2; k++)
    {
      g_autoptr (SmpFaceCurve) curve = smp_face_template_place (t, &frame, 10, k ? 100 : 70, NULL);
      g_autoptr (GArray) flat = NULL;
      g_autoptr (GPtrArray) findings = NULL;
      SmpParams p;

      if (!curve)
        continue;
      g_assert_cmpuint (curve->points->len, ==, 6 * curve->n_anchors);
      g_assert_cmpuint (curve->mid_frontal, <, curve->n_anchors);
      flat = smp_face_curve_flatten ((const double *) curve->points->data, curve->n_anchors, 2.0);
      g_assert_nonnull (flat);
      if (flat->len / 2 > 200000)
        continue; /* flattening is linear in the curve's length: not this target's business */
      smp_params_init_defaults (&p);
      findings = smp_face_check_design ((const double *) flat->data, flat->len / 2, &frame, &p, 10,
                                        FALSE, NULL, NULL);
    }
  return 0;
}
