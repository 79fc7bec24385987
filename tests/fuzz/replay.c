/* replay.c: feeds every file of the given corpus folders (or files) to the fuzz
 * target once, so the checked-in reproducers run in every build, sanitized or not. */
#include "fuzz-util.h"

#include <stdio.h>

static int
replay_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize size = 0;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &data, &size, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("# %s (%" G_GSIZE_FORMAT " bytes)\n", path, size);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const uint8_t *) data, size);
  return 0;
}

int
main (int argc, char **argv)
{
  int failed = 0, n = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GDir) dir = g_dir_open (argv[i], 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (!dir)
        {
          failed |= replay_file (argv[i]), n++;
          continue;
        }
      while ((name = g_dir_read_name (dir)))
        g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort_values (names, (GCompareFunc) g_strcmp0);
      for (guint k = 0; k < names->len; k++)
        failed |= replay_file (names->pdata[k]), n++;
    }
  printf ("# replayed %d inputs\n", n);
  if (n == 0)
    {
      fprintf (stderr, "no corpus given\n");
      return 1;
    }
  return failed;
}
