/* smp-preset.h: shipped looks (patterns/presets/<id>.smp-preset): a name, a
 * description and the subset of SmpParams keys they set. */
#pragma once

#include <glib.h>
#include "smp-params.h"

G_BEGIN_DECLS

typedef struct _SmpPreset SmpPreset;

/* Fails with SMP_ERROR_PRESET naming the file and the key at fault. */
SmpPreset  *smp_preset_load            (const char *path, GError **error);
void        smp_preset_free            (SmpPreset *preset);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmpPreset, smp_preset_free)

const char *smp_preset_get_id          (const SmpPreset *preset); /* file name without extension */
const char *smp_preset_get_name        (const SmpPreset *preset);
const char *smp_preset_get_description (const SmpPreset *preset);
/* Sets the keys the preset holds, leaving the rest (scale, seed...) alone.
 * A preset's shade is written as sRGB hex (#rrggbb) and copied as is: a caller
 * whose output is not sRGB-encoded converts params->shade afterwards. */
gboolean    smp_preset_apply           (const SmpPreset *preset, SmpParams *params, GError **error);

/* Every *.smp-preset in `dir`, sorted by id. A file that fails to load is
 * reported in `error` and the list stops there (a shipped preset must not be bad). */
GPtrArray  *smp_preset_load_dir        (const char *dir, GError **error);

G_END_DECLS
