/* smp-plugin-main.c: the smp-hairline plug-in executable: a GimpPlugIn subclass
 * whose procedure table lists every SMP procedure. */
#include "smp-plugin-main.h"

#include <string.h>

#include "smp-plugin-common.h"
#include "smp-plugin-hairline.h"
#include "smp-plugin-calibrate.h"
#include "smp-plugin-template.h"
#include "smp-plugin-sheet.h"
#include "smp-plugin-fit-head.h"
#include "smp-plugin-match.h"

struct _SmpPlugIn
{
  GimpPlugIn parent_instance;
};

/* One line per procedure: each module exports its constructor. Other modules
 * add their line here (and their #include above). */
static const struct
{
  const char     *name;
  GimpProcedure *(*create) (GimpPlugIn *plug_in, const char *name);
} procedures[] = {
  { SMP_PLUGIN_HAIRLINE_PROC, smp_plugin_hairline_procedure_new },
  { SMP_PLUGIN_CALIBRATE_PROC, smp_plugin_calibrate_procedure_new },
  { SMP_PLUGIN_TEMPLATE_PROC, smp_plugin_template_procedure_new },
  { SMP_PLUGIN_MIRROR_PROC, smp_plugin_mirror_procedure_new },
  { SMP_PLUGIN_SHEET_PROC, smp_plugin_sheet_procedure_new },
  { SMP_PLUGIN_FIT_HEAD_PROC, smp_plugin_fit_head_procedure_new },
  { SMP_PLUGIN_MATCH_PROC, smp_plugin_match_procedure_new },
};

G_DEFINE_TYPE (SmpPlugIn, smp_plug_in, GIMP_TYPE_PLUG_IN)

/* GIMP_MAIN, with one thing first: babl picks each conversion path by timing it
 * and may take a different one in another process, differing in the last bit.
 * The shine correction reads the photo through such a conversion, so a seed
 * would not give bit-identical layers (seen under GIMP 3.2). Tolerance 0 keeps
 * babl on exact paths; set before libgimp starts babl. */
int
main (int argc, char *argv[])
{
  g_setenv ("BABL_TOLERANCE", "0", FALSE);
  return gimp_main (SMP_TYPE_PLUG_IN, argc, argv);
}

static GList *
smp_plug_in_query_procedures (GimpPlugIn *plug_in)
{
  GList *names = NULL;
  g_autofree char *patterns = smp_plugin_get_patterns_dir ();
  g_autofree char *help = g_build_filename (patterns, "help", NULL);
  g_autoptr (GFile) help_uri = g_file_new_for_path (help);

  /* Help and F1 open our own pages (patterns/help/<lang>/gimp-help.xml maps
   * each procedure name to its page), not GIMP's manual. */
  gimp_plug_in_set_help_domain (plug_in, SMP_PLUGIN_HELP_DOMAIN, help_uri);
  for (gsize i = 0; i < G_N_ELEMENTS (procedures); i++)
    names = g_list_append (names, g_strdup (procedures[i].name));
  return names;
}

static GimpProcedure *
smp_plug_in_create_procedure (GimpPlugIn *plug_in, const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (procedures); i++)
    if (!strcmp (name, procedures[i].name))
      return procedures[i].create (plug_in, name);
  return NULL;
}

/* GIMP's default scheme: text domain = the plug-in's name (GETTEXT_PACKAGE, the
 * engine's domain too), catalogs in locale/ beside the binary. GIMP binds the
 * domain before each query and run, so the engine's g_dgettext finds it. A
 * build without catalogs (locale/ absent) runs in English without GIMP's
 * "Localization disabled" warning. */
static gboolean
smp_plug_in_set_i18n (GimpPlugIn  *plug_in,
                      const char  *procedure_name,
                      char       **gettext_domain,
                      char       **catalog_dir)
{
  g_autofree char *dir = g_path_get_dirname (gimp_get_progname ());
  g_autofree char *locale = g_build_filename (dir, "locale", NULL);

  (void) plug_in;
  (void) procedure_name;
  if (!g_file_test (locale, G_FILE_TEST_IS_DIR))
    return FALSE;
  *gettext_domain = g_strdup (GETTEXT_PACKAGE);
  *catalog_dir = NULL; /* the default: locale/ */
  return TRUE;
}

static void
smp_plug_in_class_init (SmpPlugInClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = smp_plug_in_query_procedures;
  plug_in_class->create_procedure = smp_plug_in_create_procedure;
  plug_in_class->set_i18n         = smp_plug_in_set_i18n;
}

static void
smp_plug_in_init (SmpPlugIn *self)
{
  (void) self;
}
