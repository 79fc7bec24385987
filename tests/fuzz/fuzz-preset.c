/* fuzz-preset.c: the preset loader (patterns/presets/<id>.smp-preset) and applying a
 * loaded preset, which must leave valid parameters or fail with a message. */
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = fuzz_file ("fuzz.smp-preset", data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (SmpPreset) preset = smp_preset_load (path, &error);

  if (preset)
    {
      SmpParams p;

      g_assert_nonnull (smp_preset_get_id (preset));
      g_assert_nonnull (smp_preset_get_name (preset));
      smp_params_init_defaults (&p);
      if (smp_preset_apply (preset, &p, &error))
        g_assert_true (smp_params_validate (&p, NULL));
      else
        g_assert_nonnull (error);
    }
  else
    g_assert_nonnull (error);
  g_unlink (path);
  return 0;
}
