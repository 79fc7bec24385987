/* test-catalog.c: the shipped catalogs as the engine reads them: per-language lookup
 * (SmpCatalog), plural rules, the engine's own messages under LANGUAGE, localised looks. */
#include <smp/smp.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

/* The built catalogs (<ll>/LC_MESSAGES/smp-hairline.mo) and the shipped languages. */
static const char *
locale_dir (void)
{
  const char *dir = g_getenv ("SMP_LOCALE_DIR");

  if (!dir)
    g_test_skip ("SMP_LOCALE_DIR is not set");
  return dir;
}

static char **
shipped_languages (void)
{
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("SMP_PO_DIR"), "LINGUAS", NULL);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      char *hash = strchr (lines[i], '#');

      if (hash)
        *hash = '\0';
      g_strstrip (lines[i]);
      if (*lines[i])
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* fr and pt_BR count 0 as singular (n > 1), the others as plural (n != 1). */
static gboolean
zero_is_singular (const char *lang)
{
  return !strcmp (lang, "fr") || !strcmp (lang, "pt_BR");
}

static void
test_required_languages (void)
{
  static const char *const required[] = { "de", "es", "it", "fr", "pt_BR", NULL };
  g_auto (GStrv) shipped = shipped_languages ();
  g_auto (GStrv) installed = NULL;

  if (!locale_dir ())
    return;
  installed = smp_catalog_list_languages (locale_dir (), GETTEXT_PACKAGE);
  g_assert_cmpstr (installed[0], ==, "en");
  for (int i = 0; required[i]; i++)
    g_assert_true (g_strv_contains ((const char *const *) shipped, required[i]));
  for (int i = 0; shipped[i]; i++)
    g_assert_true (g_strv_contains ((const char *const *) installed, shipped[i]));
}

static void
test_lookup_per_language (void)
{
  g_auto (GStrv) langs = shipped_languages ();
  const char *heading = "Hairline Design";
  const char *one = "After \u00b7 proposal, %d session, %s", *many = "After \u00b7 proposal, %d sessions, %s";
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (!locale_dir ())
    return;
  for (int i = 0; langs[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SmpCatalog) c = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, langs[i], &error);
      const char *t;

      g_assert_no_error (error);
      g_assert_cmpstr (smp_catalog_get_language (c), ==, langs[i]);
      t = smp_catalog_gettext (c, heading);
      g_assert_cmpstr (t, !=, heading);
      g_assert_cmpuint (strlen (t), >, 0);
      /* each language its own heading: no catalog is a copy of another */
      g_assert_false (g_hash_table_contains (seen, t));
      g_hash_table_add (seen, (gpointer) t);
      /* not in the catalog: the text itself */
      g_assert_cmpstr (smp_catalog_gettext (c, "no such message in any catalog"), ==,
                       "no such message in any catalog");
      /* plural forms by the language's rule */
      g_assert_cmpstr (smp_catalog_ngettext (c, one, many, 1), !=, smp_catalog_ngettext (c, one, many, 2));
      g_assert_cmpstr (smp_catalog_ngettext (c, one, many, 0), ==,
                       smp_catalog_ngettext (c, one, many, zero_is_singular (langs[i]) ? 1 : 2));
      g_assert_cmpstr (smp_catalog_ngettext (c, one, many, 7), ==, smp_catalog_ngettext (c, one, many, 2));
      /* a catalog lives on after others are made and freed: no shared state */
      g_clear_pointer (&c, smp_catalog_free);
    }
  g_hash_table_unref (seen);
}

static void
test_language_names (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SmpCatalog) pt = NULL, de = NULL, en = NULL, none = NULL;

  if (!locale_dir ())
    return;
  pt = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "pt-BR", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smp_catalog_get_language (pt), ==, "pt_BR");
  de = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "de_AT.UTF-8", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smp_catalog_get_language (de), ==, "de");
  en = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "en_GB", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smp_catalog_gettext (en, "Hairline Design"), ==, "Hairline Design");
  g_assert_cmpstr (smp_catalog_ngettext (en, "a", "b", 1), ==, "a");
  g_assert_cmpstr (smp_catalog_ngettext (en, "a", "b", 0), ==, "b");
  none = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "xx", &error);
  g_assert_null (none);
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "xx"));
  g_assert_nonnull (strstr (error->message, "pt_BR"));
  g_clear_error (&error);
  /* no path out of the locale folder */
  none = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "../de", &error);
  g_assert_null (none);
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
}

static void
test_bad_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("smp-catalog-XXXXXX", NULL);
  g_autofree char *junk = g_build_filename (dir, "junk.mo", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.mo", NULL);
  g_autofree char *mo = NULL, *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  SmpCatalog *c;

  if (!locale_dir ())
    return;
  g_assert_true (g_file_set_contents (junk, "this is not a catalog at all", -1, NULL));
  c = smp_catalog_new_from_file (junk, &error);
  g_assert_null (c);
  g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);
  /* a real catalog cut short: its tables point past the end */
  mo = g_build_filename (locale_dir (), "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_get_contents (mo, &data, &len, NULL));
  for (gsize keep = 20; keep < len; keep += len / 7 + 1)
    {
      g_assert_true (g_file_set_contents (cut, data, (gssize) keep, NULL));
      c = smp_catalog_new_from_file (cut, &error);
      g_assert_null (c);
      g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
      g_clear_error (&error);
    }
  g_remove (junk);
  g_remove (cut);
  g_rmdir (dir);
}

/* The engine's own messages come out in the process's language (LANGUAGE), as in
 * the plug-in, where GIMP binds the domain to the plug-in's locale folder. */
static void
test_engine_messages (void)
{
  g_autoptr (SmpCatalog) de = NULL;
  g_autoptr (GError) error = NULL;
  const SmpParamSpec *s = smp_params_find_spec ("density_per_cm2");
  g_autofree char *expected = NULL;
  SmpParams p;

  if (!locale_dir ())
    return;
  /* glibc ignores LANGUAGE under C and C.UTF-8, the only locales of the build
   * roots: a copy of C.UTF-8 under another name (LOCPATH) is one it obeys. */
  {
    g_autofree char *tmp = g_dir_make_tmp ("smp-locale-XXXXXX", NULL);
    g_autofree char *dest = g_build_filename (tmp, "smp.utf8", NULL);
    const char *argv[] = { "cp", "-r", "/usr/lib/locale/C.utf8", dest, NULL };
    int status = -1;

    if (!g_file_test ("/usr/lib/locale/C.utf8", G_FILE_TEST_IS_DIR)
        || !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL)
        || status != 0)
      {
        g_test_skip ("no C.UTF-8 locale to copy");
        return;
      }
    g_setenv ("LOCPATH", tmp, TRUE);
    g_assert_nonnull (setlocale (LC_ALL, "smp.UTF-8"));
  }
  g_setenv ("LANGUAGE", "de", TRUE);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  de = smp_catalog_new_for_language (locale_dir (), GETTEXT_PACKAGE, "de", NULL);
  smp_params_init_defaults (&p);
  p.density_per_cm2 = 0.0;
  g_assert_false (smp_params_validate (&p, &error));
  expected = g_strdup_printf (smp_catalog_gettext (de, "%s is %g%s%s, but must lie between %g and %g%s%s"),
                              s->key, 0.0, " ", s->unit, s->min, s->max, " ", s->unit);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_null (strstr (error->message, "must lie between"));
  /* the parameter table's labels, as the plug-in translates them */
  g_assert_cmpstr (_(s->label), ==, smp_catalog_gettext (de, s->label));
  g_assert_cmpstr (_(s->label), !=, s->label);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C");
}

/* Looks and templates carry Name[ll]=: the loaders pick the UI language's. */
static void
test_localised_looks (void)
{
  const char *patterns = g_getenv ("SMP_PATTERNS_DIR");
  g_auto (GStrv) langs = shipped_languages ();

  if (!patterns)
    {
      g_test_skip ("SMP_PATTERNS_DIR is not set");
      return;
    }
  for (int l = 0; langs[l]; l++)
    for (int kind = 0; kind < 2; kind++)
      {
        g_autofree char *dir = g_build_filename (patterns, kind == 0 ? "presets" : "templates", NULL);
        g_autoptr (GError) error = NULL;
        g_autoptr (GPtrArray) items = NULL;

        g_setenv ("LANGUAGE", langs[l], TRUE);
        items = kind == 0 ? smp_preset_load_dir (dir, &error) : smp_face_template_load_dir (dir, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (items->len, >=, 5);
        for (guint i = 0; i < items->len; i++)
          {
            g_autoptr (GKeyFile) kf = g_key_file_new ();
            g_autofree char *path = NULL, *english = NULL, *local_key = NULL, *local = NULL;
            const char *id = kind == 0 ? smp_preset_get_id (items->pdata[i])
                                       : smp_face_template_get_id (items->pdata[i]);
            const char *name = kind == 0 ? smp_preset_get_name (items->pdata[i])
                                         : smp_face_template_get_name (items->pdata[i]);
            const char *group = kind == 0 ? "SMP Preset" : "SMP Template";
            const char *key = kind == 0 ? "Name" : "name";

            path = g_strdup_printf ("%s/%s.%s", dir, id, kind == 0 ? "smp-preset" : "smp-template");
            g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL));
            english = g_key_file_get_string (kf, group, key, NULL);
            local_key = g_strdup_printf ("%s[%s]", key, langs[l]);
            local = g_key_file_get_string (kf, group, local_key, NULL);
            /* every shipped look and template is named in every shipped language */
            g_assert_nonnull (local);
            g_assert_cmpstr (local, !=, english);
            g_assert_cmpstr (name, ==, local);
          }
      }
  g_unsetenv ("LANGUAGE");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/catalog/required-languages", test_required_languages);
  g_test_add_func ("/catalog/lookup-per-language", test_lookup_per_language);
  g_test_add_func ("/catalog/language-names", test_language_names);
  g_test_add_func ("/catalog/bad-files", test_bad_files);
  g_test_add_func ("/catalog/engine-messages", test_engine_messages);
  g_test_add_func ("/catalog/localised-looks", test_localised_looks);
  return g_test_run ();
}
