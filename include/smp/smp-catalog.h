/* smp-catalog.h: one language's message catalog read from a compiled .mo file,
 * so that one text (the design sheet) can be printed in another language than the UI's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An immutable, thread-safe lookup table: made once, read by any thread. It
 * does not touch the process's gettext state (textdomain, LANGUAGE, locale),
 * so a sheet in Italian can be made while the dialog stays in German. */
typedef struct _SmpCatalog SmpCatalog;

/* Reads a compiled catalog (msgfmt's .mo, either byte order). SMP_ERROR_PRESET
 * naming the file when it is not one; at most 16 MiB. */
SmpCatalog *smp_catalog_new_from_file (const char *mo_path, GError **error);

/* The catalog of `language` ("de", "pt_BR", "pt-BR", "fr_FR.UTF-8") under
 * `locale_dir`/<ll>/LC_MESSAGES/<domain>.mo, trying "ll_CC" then "ll". English
 * ("en", "en_*", "C") is the source text: an empty catalog. SMP_ERROR_INVALID_PARAMETER
 * listing the installed languages when there is none for `language`. */
SmpCatalog *smp_catalog_new_for_language (const char *locale_dir,
                                          const char *domain,
                                          const char *language,
                                          GError    **error);

void smp_catalog_free (SmpCatalog *catalog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpCatalog, smp_catalog_free)

/* The language this catalog holds, as asked for ("en" for English). */
const char *smp_catalog_get_language (const SmpCatalog *catalog);

/* The translation of `msgid`, else `msgid` itself. A NULL catalog means the
 * process's own translation (the UI language): g_dgettext (GETTEXT_PACKAGE). */
const char *smp_catalog_gettext (const SmpCatalog *catalog, const char *msgid);

/* The plural form for `n`, by the catalog's Plural-Forms (English rule when it
 * has none). A NULL catalog: g_dngettext (GETTEXT_PACKAGE). */
const char *smp_catalog_ngettext (const SmpCatalog *catalog,
                                  const char       *msgid,
                                  const char       *msgid_plural,
                                  gulong            n);

/* The languages with a catalog for `domain` under `locale_dir`, sorted, "en"
 * first (always there). Free with g_strfreev. */
char **smp_catalog_list_languages (const char *locale_dir, const char *domain);

G_END_DECLS
