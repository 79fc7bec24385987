/* fuzz-head-model.c: the head model read back from an image ([SMP Head Model] key file)
 * and, for inputs of whole doubles, fitted to raw outline points with a fixed face frame.
 * A model that loads or fits must validate, answer finite values and survive a round trip. */
#include "fuzz-util.h"

#include <math.h>

static void
check_model (const SmpHeadModel *m)
{
  g_autofree char *text = NULL;
  SmpHeadModel again;
  SmpHeadLocal local;
  double su, sv, x, y, len;

  g_assert_true (smp_head_model_validate (m, NULL));
  smp_head_model_local (m, m->centre_x, m->centre_y, 10.0, &local);
  g_assert_true (isfinite (local.cos_theta) && local.cos_theta >= 0 && local.cos_theta <= 1);
  smp_head_model_skin_coords (m, m->centre_x + m->radius_across_px / 2, m->centre_y, 10.0, &su, &sv);
  g_assert_true (isfinite (su) && isfinite (sv));
  if (smp_head_model_from_skin_coords (m, su, sv, 10.0, &x, &y))
    g_assert_true (isfinite (x) && isfinite (y));
  len = smp_head_model_skin_length_mm (m, m->centre_x, m->centre_y, m->centre_x + 1e3, m->centre_y - 1e3, 10.0);
  g_assert_true (isfinite (len) && len >= 0);
  text = smp_head_model_to_string (m);
  g_assert_true (smp_head_model_from_string (&again, text, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  SmpHeadModel model;

  if (smp_head_model_from_string (&model, text, NULL))
    check_model (&model);
  if (size >= 6 * sizeof (double) && size % (2 * sizeof (double)) == 0 && size <= 4096)
    {
      /* The sphere test's face frame: eye corners 460 px apart at (700 ± 230, 800). */
      const SmpFaceFrame frame = { 700, 760, 470, 800, 930, 800 };
      g_autofree double *xy = g_memdup2 (data, size);
      if (smp_head_model_fit (&model, &frame, xy, size / (2 * sizeof (double)), NULL))
        check_model (&model);
    }
  return 0;
}
