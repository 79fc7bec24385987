/* smp-look-file.c: looks written by people (the user's looks folder): safe ids from
 * names, and a look file saved only once it reads back through the look loader. */
#include <smp/smp-match.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>
#include <smp/smp-preset.h>
#include "../stipple/smp-impression-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

char *
smp_look_id_from_name (const char *name)
{
  GString *id = g_string_new (NULL);
  gboolean dash = FALSE;

  for (const char *p = name ? name : ""; *p; p++)
    {
      char c = g_ascii_tolower (*p);
      if (g_ascii_isalnum (c))
        {
          if (dash && id->len > 0)
            g_string_append_c (id, '-');
          g_string_append_c (id, c);
          dash = FALSE;
        }
      else
        dash = TRUE;
      if (id->len >= 48)
        break;
    }
  if (id->len == 0)
    g_string_append (id, "my-look");
  return g_string_free (id, FALSE);
}

gboolean
smp_look_id_is_safe (const char *id)
{
  return id && *id && id[0] != '.' && !strchr (id, '/') && !strchr (id, '\\') && !strstr (id, "..");
}

char *
smp_look_save (const SmpParams *look,
               gboolean         shade_linear,
               const char      *dir,
               const char      *name,
               const char      *description,
               gboolean         replace,
               const char *const *reserved,
               GError         **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GKeyFile) all = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (SmpPreset) check = NULL;
  g_autofree char *base = smp_look_id_from_name (name);
  g_autofree char *id = NULL, *path = NULL, *text = NULL;
  g_auto (GStrv) keys = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (name ? name : ""));
  SmpParams p = *look;

  g_return_val_if_fail (look != NULL && dir != NULL, NULL);
  if (!*trimmed)
    {
      g_set_error_literal (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER, _("A look needs a name"));
      return NULL;
    }
  if (!smp_params_validate (look, error))
    return NULL;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("Cannot create the looks folder %s: %s"), dir,
                   g_strerror (errno));
      return NULL;
    }
  for (int n = 1; n < 1000; n++)
    {
      g_autofree char *file_name = NULL;
      g_free (id);
      g_free (path);
      id = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%d", base, n);
      file_name = g_strconcat (id, ".smp-preset", NULL);
      path = g_build_filename (dir, file_name, NULL);
      if ((replace || !g_file_test (path, G_FILE_TEST_EXISTS)) && !(reserved && g_strv_contains (reserved, id)))
        break;
    }
  if (!smp_look_id_is_safe (id) || (!replace && g_file_test (path, G_FILE_TEST_EXISTS)))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("No free file name for the look “%s” in %s"), name, dir);
      return NULL;
    }

  /* Look files hold sRGB shades (as people write them). */
  if (shade_linear)
    for (int k = 0; k < 3; k++)
      p.shade[k] = smp_linear_to_srgb (CLAMP (p.shade[k], 0.0, 1.0));
  smp_params_save_key_file (&p, all, "SMP Design");
  keys = g_key_file_get_keys (all, "SMP Design", NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    {
      const SmpParamSpec *spec = smp_params_find_spec (keys[i]);
      g_autofree char *value = NULL;
      /* Only look keys; the stage is the artist's choice of what to show, as in the shipped looks. */
      if (!spec || !(spec->flags & SMP_PARAM_LOOK) || !strcmp (spec->key, "stage"))
        continue;
      value = g_key_file_get_value (all, "SMP Design", keys[i], NULL);
      g_key_file_set_value (file, "SMP Design", keys[i], value);
    }
  g_key_file_set_string (file, "SMP Preset", "Name", trimmed);
  g_key_file_set_string (file, "SMP Preset", "Description", description ? description : "");
  g_key_file_set_comment (file, NULL, NULL, " A look saved by SMP Hairline (user looks folder).", NULL);
  text = g_key_file_to_data (file, NULL, NULL);
  if (!g_file_set_contents (path, text, -1, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("Cannot write the look %s: %s"), path, local->message);
      return NULL;
    }
  /* It counts as saved once the loader takes it like a shipped look. */
  check = smp_preset_load (path, &local);
  if (!check)
    {
      g_unlink (path);
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("The look written to %s does not read back: %s"), path,
                   local->message);
      return NULL;
    }
  return g_steal_pointer (&id);
}
