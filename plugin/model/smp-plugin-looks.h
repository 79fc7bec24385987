/* smp-plugin-looks.h: where looks live: the shipped ones (patterns/presets) and the
 * artist's own in the GIMP profile (<gimp_directory>/smp-hairline/looks). */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

G_BEGIN_DECLS

#define SMP_PLUGIN_USER_LOOKS_SUBDIR "smp-hairline", "looks"

/* The artist's looks folder (it may not exist yet). SMP_USER_LOOKS_DIR in the
 * environment overrides it (tests). */
char      *smp_plugin_looks_user_dir (void);
/* Shipped looks, then the artist's (same loader, same validation), each part
 * sorted by id; the first *n_shipped are the shipped ones. A user look whose id
 * a shipped look already has is left out. A bad file is reported in `error`
 * (the first one) and skipped; the list is always returned. */
GPtrArray *smp_plugin_looks_load_all (guint *n_shipped, GError **error);
/* The look file for `id` (shipped first, then the artist's), or NULL with the
 * places looked in. Refuses ids that are not file-safe. */
char      *smp_plugin_looks_find     (const char *id, GError **error);

/* Saves `look` in the artist's folder under `name` (an id no shipped look has);
 * the new id. `shade_linear`: look->shade is linear light, else sRGB. */
char      *smp_plugin_looks_save     (const SmpParams *look,
                                      gboolean         shade_linear,
                                      const char      *name,
                                      const char      *description,
                                      GError         **error);

G_END_DECLS
