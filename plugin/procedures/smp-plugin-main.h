/* smp-plugin-main.h: the smp-hairline plug-in executable: a GimpPlugIn subclass
 * whose procedure table lists every SMP procedure. */
#pragma once

#include <libgimp/gimp.h>

G_BEGIN_DECLS

#define SMP_TYPE_PLUG_IN (smp_plug_in_get_type ())
G_DECLARE_FINAL_TYPE (SmpPlugIn, smp_plug_in, SMP, PLUG_IN, GimpPlugIn)

G_END_DECLS
