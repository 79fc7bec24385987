/* fuzz-session-split.c: the session split, one rule for the PDB's text and key files
 * (issue 12 row 13): the first byte picks the sessions (0-5), the rest is the text.
 * Both entry points must agree, and an accepted split holds usable shares. */
#include "fuzz-util.h"

#include <math.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int sessions = size ? data[0] % 6 : 1;
  g_autofree char *text = size ? fuzz_text (data + 1, size - 1) : g_strdup ("");
  double split[SMP_MAX_SESSIONS];
  gboolean ok = smp_params_parse_session_split ("session-split", text, sessions, split, NULL);
  gboolean plain = text[strspn (text, "0123456789.eE+-/,;")] == '\0';

  if (ok)
    for (int k = 0; k < SMP_MAX_SESSIONS; k++)
      g_assert_true (isfinite (split[k]) && split[k] >= 0);
  /* Text a key file stores as is (no escapes, spaces or comments): the key-file
   * loader must give the same verdict and shares, when the sessions are valid. */
  if (plain && sessions >= 1 && sessions <= SMP_MAX_SESSIONS)
    {
      g_autofree char *kf_text = g_strdup_printf ("[SMP Design]\nsessions=%d\nsession_split=%s\n", sessions, text);
      g_autoptr (GKeyFile) key_file = g_key_file_new ();
      SmpParams p;
      gboolean kf_ok;

      smp_params_init_defaults (&p);
      g_assert_true (g_key_file_load_from_data (key_file, kf_text, -1, G_KEY_FILE_NONE, NULL));
      kf_ok = smp_params_load_key_file (&p, key_file, NULL, NULL, NULL);
      /* The loader also validates the whole design (a split giving no dots, a share
       * over 1): it may refuse more, never accept what the rule refuses. */
      g_assert_true (ok || !kf_ok);
      if (kf_ok)
        g_assert_cmpmem (split, sizeof split, p.session_split, sizeof split);
    }
  return 0;
}
