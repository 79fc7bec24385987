/* fuzz-face-frame.c: the face frame read back from an image ([SMP Face Frame] key file)
 * and, for 48-byte inputs, from three raw points. A frame that loads must validate,
 * give unit axes and survive a round trip. */
#include "fuzz-util.h"

#include <math.h>

static void
check_frame (const SmpFaceFrame *frame)
{
  SmpFaceAxes axes;
  g_autofree char *text = NULL;
  SmpFaceFrame again;
  double a, u, x, y;

  g_assert_true (smp_face_frame_validate (frame, NULL));
  smp_face_frame_get_axes (frame, &axes);
  g_assert_cmpfloat (fabs (hypot (axes.across_x, axes.across_y) - 1), <, 1e-9);
  g_assert_cmpfloat (axes.half_width_px, >=, SMP_FACE_MIN_EYE_DISTANCE_PX / 2 - 1e-9);
  smp_face_axes_to_face (&axes, frame->glabella_x, frame->glabella_y, &a, &u);
  smp_face_axes_to_image (&axes, a, u, &x, &y);
  g_assert_true (isfinite (x) && isfinite (y));
  text = smp_face_frame_to_string (frame);
  g_assert_true (smp_face_frame_from_string (&again, text, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  SmpFaceFrame frame;

  if (smp_face_frame_from_string (&frame, text, NULL))
    check_frame (&frame);
  if (size == 6 * sizeof (double))
    {
      double xy[6];
      memcpy (xy, data, sizeof xy);
      if (smp_face_frame_from_points (&frame, xy, NULL))
        check_frame (&frame);
    }
  return 0;
}
