/* smp-plugin-common.h: what every SMP procedure shares: names, parasites,
 * calibration, output format choice, shade conversion and hairline path reading. */
#pragma once

#include <libgimp/gimp.h>
#include <smp/smp.h>

G_BEGIN_DECLS

/* GEGL 0.4 declares GeglColor without an autoptr cleanup. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeglColor, g_object_unref)

#define SMP_PLUGIN_BINARY     "smp-hairline"
#define SMP_PLUGIN_HELP_DOMAIN "org.smp-hairline.help"
#define SMP_PLUGIN_MENU_PATH  "<Image>/Filters/Render/Scalp Micropigmentation/"
#define SMP_PLUGIN_AUTHOR     "SMP Hairline contributors"
#define SMP_PLUGIN_COPYRIGHT  "© 2026 The SMP Hairline authors" /* licence: GPL-3.0-or-later (COPYING) */
#define SMP_PLUGIN_DATE       "2026, version " SMP_VERSION     /* SMP_VERSION: meson's project version */

/* Output names: the tests and docs/stored-format.md rely on them. */
#define SMP_PLUGIN_GROUP_NAME        "SMP proposal"
#define SMP_PLUGIN_SESSION_NAME_FMT  "Session %d"   /* 1-based */
#define SMP_PLUGIN_GUIDES_LAYER_NAME "SMP guides"

/* Parasites: all persistent key-file text. */
#define SMP_PLUGIN_DESIGN_PARASITE      "smp-design"      /* on the image: "smp-design-<group tattoo>" */
#define SMP_PLUGIN_CALIBRATION_PARASITE "smp-calibration" /* on the image */
#define SMP_PLUGIN_FACE_FRAME_PARASITE  "smp-face-frame"  /* on the image */
#define SMP_PLUGIN_CALIBRATION_GROUP    "SMP Calibration"

/* The scale used when neither the argument nor a calibration gives one. */
#define SMP_PLUGIN_FALLBACK_PX_PER_MM 10.0

/* An image procedure in the SMP menu with the project's attribution.
 * `image_types` NULL: any image, with one, several or no drawables selected. */
GimpProcedure *smp_plugin_procedure_new (GimpPlugIn      *plug_in,
                                         const char      *name,
                                         GimpRunImageFunc run,
                                         const char      *image_types,
                                         const char      *menu_label,
                                         const char      *blurb,
                                         const char      *help);

/* Where the shipped data lives: <folder of the executable>/patterns. */
char *smp_plugin_get_patterns_dir (void);

/* Messages a user should see but that do not stop the run: a GIMP message in
 * interactive runs, stderr otherwise (scripts and batch runs). */
void smp_plugin_warn (GimpRunMode run_mode, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* One line for the GUI tests, appended to the file $SMP_PREVIEW_LOG names (their
 * window into the dialogs' state); nothing when it is unset or empty. */
void smp_plugin_test_log (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* ---- Parasites holding key-file text ---------------------------------- */

/* NULL when the parasite is absent or not a readable key file. */
GKeyFile *smp_plugin_item_get_key_file  (GimpItem *item, const char *parasite_name);
GKeyFile *smp_plugin_image_get_key_file (GimpImage *image, const char *parasite_name);
/* Persistent and undoable, so that the surrounding undo group takes it back. */
gboolean  smp_plugin_item_set_key_file  (GimpItem *item, const char *parasite_name, GKeyFile *key_file);
gboolean  smp_plugin_image_set_key_file (GimpImage *image, const char *parasite_name, GKeyFile *key_file);

/* ---- Calibration (image parasite "smp-calibration") -------------------- */

/* TRUE and the stored scale when the image has a usable calibration.
 * distance_mm and method are optional (method: newly allocated, may be NULL). */
gboolean smp_plugin_calibration_get (GimpImage *image,
                                     double    *px_per_mm,
                                     double    *distance_mm,
                                     char     **method);
/* Stores px_per_mm (0.5..200, the engine's range), the measured distance in mm
 * and how it was measured ("ipd", "ruler", ...), and sets the image's resolution
 * to the same scale (px_per_mm × 25.4 ppi). The caller holds the undo group. */
gboolean smp_plugin_calibration_set (GimpImage  *image,
                                     double      px_per_mm,
                                     double      distance_mm,
                                     const char *method,
                                     GError    **error);

/* ---- Proposal groups ---------------------------------------------------- */

/* The proposal group `item` is, or lies in (a group with a record: the image's
 * "smp-design-<tattoo of the group>" parasite, or in files of 0.1.0 the group's
 * own "smp-design"); NULL otherwise. */
GimpGroupLayer *smp_plugin_find_proposal_group (GimpItem *item);
/* The proposal record a group carries (engine smp-proposal.h), or NULL with
 * the reason when it has none or it is unreadable. */
SmpProposal *smp_plugin_proposal_read   (GimpGroupLayer *group, GError **error);
/* Stores `proposal` (persistent, undoable) as the group's record, on the image. */
gboolean     smp_plugin_proposal_attach (GimpGroupLayer *group, const SmpProposal *proposal);

/* ---- Output format ------------------------------------------------------ */

/* How layers and colours are written for one image: the engine's pixel layout,
 * the babl format that matches it byte for byte in the image's own encoding
 * (precision, TRC, colour space) and the encoding of the shade. */
typedef struct
{
  SmpPixelFormat engine_format;
  const Babl    *pixel_format;  /* what smp_design_render writes */
  const Babl    *shade_format;  /* 3 doubles (RGB images) or 1 double (grey) */
  GimpImageType  layer_type;    /* GIMP_RGBA_IMAGE or GIMP_GRAYA_IMAGE */
  gboolean       grey;
  gboolean       linear;        /* linear-light precision: the engine encodes nothing */
  gsize          bpp;
} SmpPluginFormat;

/* Fails (with the message users see) on indexed images. `drawable` supplies the
 * image's colour space. */
gboolean smp_plugin_format_for_image (GimpImage       *image,
                                      GimpDrawable    *drawable,
                                      SmpPluginFormat *format,
                                      GError         **error);

/* The pigment colour in the output's encoding (engine SmpParams.shade); on grey
 * images all three components hold the grey value. */
void       smp_plugin_shade_from_color (const SmpPluginFormat *format,
                                        GeglColor             *color,
                                        double                 shade[3]);
GeglColor *smp_plugin_shade_to_color   (const SmpPluginFormat *format,
                                        const double           shade[3]);

/* ---- The hairline path ---------------------------------------------------- */

/* `path` when given, else the selected path, else the image's only path. */
GimpPath    *smp_plugin_pick_path (GimpImage *image, GimpPath *path, GError **error);
/* Every usable stroke of `path`, interpolated, in the drawable's pixel space
 * (image coordinates minus the offsets). Fails when no stroke has length. */
SmpHairline *smp_plugin_hairline_from_path (GimpPath *path,
                                            int       offset_x,
                                            int       offset_y,
                                            GError  **error);

G_END_DECLS
