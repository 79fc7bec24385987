/* smp-plugin-looks.c: where looks live: the shipped ones (patterns/presets) and the
 * artist's own in the GIMP profile (<gimp_directory>/smp-hairline/looks). */
#include "smp-plugin-looks.h"
#include <glib/gi18n-lib.h>

#include <string.h>

#include "smp-plugin-common.h"

#define LOOK_SUFFIX ".smp-preset"

char *
smp_plugin_looks_user_dir (void)
{
  const char *env = g_getenv ("SMP_USER_LOOKS_DIR");

  if (env && *env)
    return g_strdup (env);
  return g_build_filename (gimp_directory (), SMP_PLUGIN_USER_LOOKS_SUBDIR, NULL);
}

static char *
shipped_dir (void)
{
  g_autofree char *patterns = smp_plugin_get_patterns_dir ();
  return g_build_filename (patterns, "presets", NULL);
}

/* The artist's folder, one file at a time: a bad file of theirs must not hide the others. */
static void
load_user (GPtrArray *looks, guint n_shipped, GError **error)
{
  g_autofree char *dir = smp_plugin_looks_user_dir ();
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (!handle)
    return; /* no folder yet: no looks of theirs */
  while ((entry = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (entry, LOOK_SUFFIX) && entry[0] != '.')
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort_values (names, (GCompareFunc) strcmp);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      g_autoptr (GError) local = NULL;
      SmpPreset *look = smp_preset_load (path, &local);
      gboolean   taken = FALSE;

      if (!look)
        {
          if (error && !*error)
            *error = g_steal_pointer (&local);
          continue;
        }
      for (guint k = 0; k < n_shipped && !taken; k++)
        taken = !strcmp (smp_preset_get_id (g_ptr_array_index (looks, k)), smp_preset_get_id (look));
      if (taken || !smp_look_id_is_safe (smp_preset_get_id (look)))
        smp_preset_free (look);
      else
        g_ptr_array_add (looks, look);
    }
}

GPtrArray *
smp_plugin_looks_load_all (guint *n_shipped, GError **error)
{
  g_autofree char *dir = shipped_dir ();
  GPtrArray *looks = smp_preset_load_dir (dir, error);

  if (n_shipped)
    *n_shipped = looks->len;
  load_user (looks, looks->len, error);
  return looks;
}

char *
smp_plugin_looks_find (const char *id, GError **error)
{
  g_autofree char *file = NULL, *shipped = NULL, *user = NULL, *a = NULL, *b = NULL;

  if (!smp_look_id_is_safe (id))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("“%s” cannot name a look"), id ? id : "");
      return NULL;
    }
  file = g_strconcat (id, LOOK_SUFFIX, NULL);
  shipped = shipped_dir ();
  user = smp_plugin_looks_user_dir ();
  a = g_build_filename (shipped, file, NULL);
  if (g_file_test (a, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&a);
  b = g_build_filename (user, file, NULL);
  if (g_file_test (b, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&b);
  g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("There is no preset “%s” (looked for %s and %s)"), id, a, b);
  return NULL;
}

char *
smp_plugin_looks_save (const SmpParams *look,
                       gboolean         shade_linear,
                       const char      *name,
                       const char      *description,
                       GError         **error)
{
  g_autofree char *dir = smp_plugin_looks_user_dir ();
  g_autofree char *shipped = shipped_dir ();
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) handle = g_dir_open (shipped, 0, NULL);
  const char *entry;

  while (handle && (entry = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (entry, LOOK_SUFFIX))
      g_ptr_array_add (ids, g_strndup (entry, strlen (entry) - strlen (LOOK_SUFFIX)));
  g_ptr_array_add (ids, NULL);
  return smp_look_save (look, shade_linear, dir, name, description, FALSE, (const char *const *) ids->pdata, error);
}
