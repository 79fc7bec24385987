/* smp-preset.c: shipped looks read from patterns/presets/<id>.smp-preset key files.
 * Owns the [SMP Preset] header (name, description); [SMP Design] parsing is smp-params'. */
#include <smp/smp-preset.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>

#include <string.h>

#define SMP_PRESET_GROUP "SMP Preset"
#define SMP_PRESET_DESIGN_GROUP "SMP Design"
#define SMP_PRESET_SUFFIX ".smp-preset"

struct _SmpPreset
{
  char     *path;
  char     *id;
  char     *name;
  char     *description;
  GKeyFile *design; /* holds the [SMP Design] group as read */
};

/* Keys that describe the photo or the variation, not the look (rows without
 * SMP_PARAM_LOOK): a preset that set them would silently move the artist's
 * calibration or design. */
static gboolean
is_photo_key (const char *key)
{
  const SmpParamSpec *spec = smp_params_find_spec (key);

  return spec && !(spec->flags & SMP_PARAM_LOOK);
}

static gboolean
is_design_key (const char *key)
{
  return smp_params_find_spec (key) != NULL;
}

void
smp_preset_free (SmpPreset *preset)
{
  if (preset == NULL)
    return;
  g_free (preset->path);
  g_free (preset->id);
  g_free (preset->name);
  g_free (preset->description);
  if (preset->design != NULL)
    g_key_file_unref (preset->design);
  g_free (preset);
}

/* Rewrites any error as SMP_ERROR_PRESET, making sure the message names the file. */
static void
set_preset_error (GError **error, const char *path, const GError *cause)
{
  if (strstr (cause->message, path) != NULL)
    g_set_error_literal (error, SMP_ERROR, SMP_ERROR_PRESET, cause->message);
  else
    g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, "%s: %s", path, cause->message);
}

static char *
read_header_string (GKeyFile   *key_file,
                    const char *path,
                    const char *key,
                    gboolean    required,
                    GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char  *value = NULL;

  /* Name and Description may be localised (Name[de]=...); the current locale wins. */
  value = g_key_file_get_locale_string (key_file, SMP_PRESET_GROUP, key, NULL, &local_error);
  if (value != NULL)
    g_strstrip (value);
  if (value == NULL || *value == '\0')
    {
      if (!required)
        return g_strdup ("");
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("%s: key \"%s\" in group [%s] is missing or empty"),
                   path, key, SMP_PRESET_GROUP);
      return NULL;
    }
  return g_steal_pointer (&value);
}

SmpPreset *
smp_preset_load (const char *path, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError)   local_error = NULL;
  g_autofree char    *base = NULL;
  g_auto(GStrv)       keys = NULL;
  SmpParams           check;
  SmpPreset          *preset;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &local_error))
    {
      set_preset_error (error, path, local_error);
      return NULL;
    }
  if (!g_key_file_has_group (key_file, SMP_PRESET_GROUP))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("%s: group [%s] is missing (key \"Name\" expected there)"), path, SMP_PRESET_GROUP);
      return NULL;
    }
  if (!g_key_file_has_group (key_file, SMP_PRESET_DESIGN_GROUP))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("%s: group [%s] is missing: a preset must set at least one design key"),
                   path, SMP_PRESET_DESIGN_GROUP);
      return NULL;
    }

  keys = g_key_file_get_keys (key_file, SMP_PRESET_DESIGN_GROUP, NULL, NULL);
  if (keys == NULL || keys[0] == NULL)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("%s: group [%s] sets no key"), path, SMP_PRESET_DESIGN_GROUP);
      return NULL;
    }
  for (guint i = 0; keys[i] != NULL; i++)
    if (is_photo_key (keys[i]))
      {
        g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                     _("%s: key \"%s\" in group [%s] belongs to the photo or the variation, "
                     "not to a look; remove it from the preset"),
                     path, keys[i], SMP_PRESET_DESIGN_GROUP);
        return NULL;
      }
    else if (!is_design_key (keys[i]))
      {
        /* smp_params_load_key_file ignores unknown keys; in a shipped look a
         * misspelt key would silently do nothing, so refuse it here. */
        g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                     _("%s: key \"%s\" in group [%s] is not a design parameter"),
                     path, keys[i], SMP_PRESET_DESIGN_GROUP);
        return NULL;
      }

  /* Parse and validate now, over the defaults, so a bad file is caught at load
   * time with the file and key named, not when the artist clicks it. */
  smp_params_init_defaults (&check);
  if (!smp_params_load_key_file (&check, key_file, SMP_PRESET_DESIGN_GROUP, path, &local_error))
    {
      set_preset_error (error, path, local_error);
      return NULL;
    }

  preset = g_new0 (SmpPreset, 1);
  preset->path = g_strdup (path);
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, SMP_PRESET_SUFFIX))
    base[strlen (base) - strlen (SMP_PRESET_SUFFIX)] = '\0';
  preset->id = g_steal_pointer (&base);

  preset->name = read_header_string (key_file, path, "Name", TRUE, error);
  if (preset->name == NULL)
    {
      smp_preset_free (preset);
      return NULL;
    }
  preset->description = read_header_string (key_file, path, "Description", FALSE, NULL);
  preset->design = g_steal_pointer (&key_file);
  return preset;
}

const char *
smp_preset_get_id (const SmpPreset *preset)
{
  g_return_val_if_fail (preset != NULL, NULL);
  return preset->id;
}

const char *
smp_preset_get_name (const SmpPreset *preset)
{
  g_return_val_if_fail (preset != NULL, NULL);
  return preset->name;
}

const char *
smp_preset_get_description (const SmpPreset *preset)
{
  g_return_val_if_fail (preset != NULL, NULL);
  return preset->description;
}

gboolean
smp_preset_apply (const SmpPreset *preset, SmpParams *params, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  SmpParams         result;

  g_return_val_if_fail (preset != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Work on a copy: the caller's parameters change only when the whole preset fits
   * (a preset valid over the defaults can still clash, e.g. with a custom split). */
  result = *params;
  if (!smp_params_load_key_file (&result, preset->design, SMP_PRESET_DESIGN_GROUP,
                                 preset->path, &local_error))
    {
      set_preset_error (error, preset->path, local_error);
      return FALSE;
    }
  *params = result;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
smp_preset_load_dir (const char *dir, GError **error)
{
  g_autoptr(GPtrArray) presets = g_ptr_array_new_with_free_func ((GDestroyNotify) smp_preset_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError)    local_error = NULL;
  g_autoptr(GDir)      handle = NULL;
  const char          *entry;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Always returns an array (maybe empty or partial) so a caller can still show the
   * presets that did load next to the error. */
  handle = g_dir_open (dir, 0, &local_error);
  if (handle == NULL)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("Cannot read the presets folder: %s"), local_error->message);
      return g_steal_pointer (&presets);
    }
  while ((entry = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (entry, SMP_PRESET_SUFFIX) && entry[0] != '.')
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      SmpPreset       *preset = smp_preset_load (path, error);

      if (preset == NULL)
        break;
      g_ptr_array_add (presets, preset);
    }
  return g_steal_pointer (&presets);
}
