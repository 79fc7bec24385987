/* fuzz-params.c: the parameter key-file loader (presets' and parasites' [SMP Design]).
 * Whatever loads must validate and survive a save / load round trip unchanged. */
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  g_autoptr (GKeyFile) key_file = g_key_file_new ();
  SmpParams p;

  smp_params_init_defaults (&p);
  if (g_key_file_load_from_data (key_file, text, strlen (text), G_KEY_FILE_NONE, NULL) &&
      smp_params_load_key_file (&p, key_file, NULL, "fuzz", NULL))
    {
      g_autofree char *saved = smp_params_to_string (&p);
      g_autofree char *again = NULL;
      SmpParams q;

      g_assert_true (smp_params_validate (&p, NULL));
      smp_params_init_defaults (&q);
      g_assert_true (smp_params_from_string (&q, saved, NULL));
      again = smp_params_to_string (&q);
      g_assert_cmpstr (saved, ==, again);
    }
  /* The same text through the string entry point. */
  smp_params_init_defaults (&p);
  (void) smp_params_from_string (&p, text, NULL);
  return 0;
}
