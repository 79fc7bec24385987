/* test-preset.c: the shipped presets (patterns/presets) and the preset loader.
 * Every look parses, stays in range, renders through the engine; bad files name file and key. */
#include <smp/smp.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define IMAGE_W 240
#define IMAGE_H 160
#define PX_PER_MM 4.0
#define LINE_Y 120.0 /* an open hairline across the image; scalp is above it */

static const char *const required_ids[] = {
  "shaved-natural", "defined-edge", "mature-receded", "under-hair", "scar-camouflage", NULL
};

static char *
presets_dir (void)
{
  const char *dir = g_getenv ("SMP_PATTERNS_DIR");

  if (dir == NULL)
    {
      g_test_skip ("SMP_PATTERNS_DIR is not set");
      return NULL;
    }
  return g_build_filename (dir, "presets", NULL);
}

static GPtrArray *
load_shipped (void)
{
  g_autofree char  *dir = presets_dir ();
  g_autoptr(GError) error = NULL;
  GPtrArray        *presets;

  if (dir == NULL)
    return NULL;
  presets = smp_preset_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (presets);
  return presets;
}

static const SmpPreset *
find_preset (GPtrArray *presets, const char *id)
{
  for (guint i = 0; i < presets->len; i++)
    if (strcmp (smp_preset_get_id (g_ptr_array_index (presets, i)), id) == 0)
      return g_ptr_array_index (presets, i);
  return NULL;
}

static void
test_shipped_parse (void)
{
  g_autoptr(GPtrArray) presets = load_shipped ();

  if (presets == NULL)
    return;
  g_assert_cmpuint (presets->len, >=, 5);
  for (guint i = 0; required_ids[i]; i++)
    g_assert_nonnull (find_preset (presets, required_ids[i]));
  for (guint i = 0; i < presets->len; i++)
    {
      const SmpPreset *preset = g_ptr_array_index (presets, i);

      g_assert_cmpstr (smp_preset_get_name (preset), !=, "");
      g_assert_cmpuint (strlen (smp_preset_get_description (preset)), >, 20);
      /* Sorted by id, as the dialog lists them. */
      if (i > 0)
        g_assert_cmpint (strcmp (smp_preset_get_id (g_ptr_array_index (presets, i - 1)),
                                 smp_preset_get_id (preset)), <, 0);
    }
}

/* Every value the file holds reaches the parameters, and each lies in its range. */
static void
test_shipped_values (void)
{
  g_autoptr(GPtrArray) presets = load_shipped ();
  g_autofree char     *dir = presets_dir ();

  if (presets == NULL)
    return;
  for (guint i = 0; i < presets->len; i++)
    {
      const SmpPreset    *preset = g_ptr_array_index (presets, i);
      g_autofree char    *file = g_strconcat (smp_preset_get_id (preset), ".smp-preset", NULL);
      g_autofree char    *path = g_build_filename (dir, file, NULL);
      g_autoptr(GKeyFile) source = g_key_file_new ();
      g_autoptr(GKeyFile) applied = g_key_file_new ();
      g_autoptr(GError)   error = NULL;
      g_auto(GStrv)       keys = NULL;
      SmpParams           params;

      g_test_message ("preset %s", path);
      smp_params_init_defaults (&params);
      params.px_per_mm = 17.25; /* the photo's, which a look must not touch */
      params.seed = 4242;
      g_assert_true (smp_preset_apply (preset, &params, &error));
      g_assert_no_error (error);
      g_assert_true (smp_params_validate (&params, &error));
      g_assert_cmpfloat (params.px_per_mm, ==, 17.25);
      g_assert_cmpuint (params.seed, ==, 4242);

      for (const SmpParamSpec *r = smp_params_get_specs (); r->key; r++)
        {
          g_autoptr(GKeyFile) kf = g_key_file_new ();
          double              v;

          if (!smp_param_is_numeric (r))
            continue;

          smp_params_save_key_file (&params, kf, "SMP Design");
          v = g_key_file_get_double (kf, "SMP Design", r->key, NULL);
          g_assert_cmpfloat (v, >=, r->min);
          g_assert_cmpfloat (v, <=, r->max);
        }

      g_assert_true (g_key_file_load_from_file (source, path, G_KEY_FILE_NONE, &error));
      smp_params_save_key_file (&params, applied, "SMP Design");
      keys = g_key_file_get_keys (source, "SMP Design", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (keys), >=, 8);
      for (guint k = 0; keys[k]; k++)
        {
          g_autofree char *want = g_key_file_get_value (source, "SMP Design", keys[k], NULL);
          g_autofree char *got = g_key_file_get_value (applied, "SMP Design", keys[k], NULL);

          if (smp_params_find_range (keys[k]) != NULL)
            g_assert_cmpfloat_with_epsilon (g_ascii_strtod (want, NULL), g_ascii_strtod (got, NULL), 1e-9);
          else if (strcmp (keys[k], "session_split") == 0)
            {
              /* Percentages in the file, shares in the parameters. */
              g_auto(GStrv) parts = g_strsplit (want, ";", -1);
              double        sum = 0.0;

              for (guint s = 0; parts[s] && *parts[s]; s++)
                sum += g_ascii_strtod (parts[s], NULL);
              for (guint s = 0; parts[s] && *parts[s]; s++)
                g_assert_cmpfloat_with_epsilon (smp_params_session_share (&params, s),
                                                g_ascii_strtod (parts[s], NULL) / sum, 1e-9);
            }
          else
            {
              g_autofree char *lower = g_ascii_strdown (want, -1);
              g_assert_cmpstr (lower, ==, got);
            }
        }
    }
}

static SmpHairline *
make_hairline (gboolean closed)
{
  g_autoptr(GError) error = NULL;
  SmpHairline      *hairline = smp_hairline_new ();

  if (closed)
    {
      /* A scar: an ellipse round the middle of the image. */
      double xy[2 * 64];

      for (int i = 0; i < 64; i++)
        {
          double a = 2 * G_PI * i / 64;
          xy[2 * i] = IMAGE_W / 2.0 + 60 * cos (a);
          xy[2 * i + 1] = IMAGE_H / 2.0 + 35 * sin (a);
        }
      g_assert_true (smp_hairline_add_stroke (hairline, xy, 64, TRUE, &error));
    }
  else
    {
      const double xy[] = { -10, LINE_Y, 80, LINE_Y - 6, 160, LINE_Y - 4, IMAGE_W + 10, LINE_Y };
      g_assert_true (smp_hairline_add_stroke (hairline, xy, 4, FALSE, &error));
    }
  g_assert_no_error (error);
  return hairline;
}

/* Renders the preset over the whole image; returns the number of dots placed. */
static gsize
render_preset (const SmpPreset *preset, gsize *deep_dots)
{
  g_autoptr(SmpHairline) hairline = NULL;
  g_autoptr(SmpDesign)   design = NULL;
  g_autoptr(GError)      error = NULL;
  g_autofree guint8     *pixels = g_malloc0 (IMAGE_W * IMAGE_H * 4);
  SmpRect                canvas = { 0, 0, IMAGE_W, IMAGE_H };
  SmpRect                deep = { 0, 0, IMAGE_W, 20 }; /* > 25 mm behind the line */
  SmpParams              params;
  gboolean               closed = strcmp (smp_preset_get_id (preset), "scar-camouflage") == 0;
  gsize                  covered = 0, dark = 0, dots;

  smp_params_init_defaults (&params);
  params.px_per_mm = PX_PER_MM;
  g_assert_true (smp_preset_apply (preset, &params, &error));
  hairline = make_hairline (closed);
  design = smp_design_new (&params, hairline, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (design);

  g_assert_true (smp_design_render (design, &canvas, 1.0, SMP_SESSIONS_ALL, SMP_PIXEL_RGBA_U8,
                                    pixels, IMAGE_W * 4, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < IMAGE_W * IMAGE_H; i++)
    {
      covered += pixels[4 * i + 3] > 0;
      dark += pixels[4 * i + 3] >= 128; /* a channel darkened by half or more */
    }

  dots = smp_design_count (design, &canvas, NULL);
  *deep_dots = closed ? 0 : smp_design_count (design, &deep, NULL);
  g_test_message ("%s: %" G_GSIZE_FORMAT " dots, %" G_GSIZE_FORMAT " px touched",
                  smp_preset_get_id (preset), dots, covered);
  g_assert_cmpuint (dots, >, 50);
  /* Each dot touches at least a pixel; the faint shadows reach most of the
   * scalp, but most pixels are not darkened by half: dots, not a helmet. */
  g_assert_cmpuint (covered, >=, dots / 2);
  g_assert_cmpuint (dark, <, IMAGE_W * IMAGE_H / 2);

  /* Nothing lands farther ahead of the line than sentinels reach (plus undulation). */
  {
    g_autoptr(GArray) placed = smp_design_place (design, &canvas);
    double            reach = params.sentinel_depth_mm + params.irregularity_mm
                              + params.micro_irregularity_mm + 0.5;

    g_assert_cmpuint (placed->len, ==, dots);
    for (guint i = 0; i < placed->len; i++)
      {
        const SmpDot *dot = &g_array_index (placed, SmpDot, i);
        g_assert_cmpfloat (dot->depth_mm, >=, -reach);
        g_assert_cmpuint (dot->session, <, (guint) params.sessions);
      }
  }
  return dots;
}

static void
test_shipped_render (void)
{
  g_autoptr(GPtrArray) presets = load_shipped ();
  gsize                natural_deep = 0, under_deep = 0, unused;

  if (presets == NULL)
    return;
  for (guint i = 0; i < presets->len; i++)
    render_preset (g_ptr_array_index (presets, i), &unused);

  /* The under-hair look is the light one: 30–50% of the shaved figure, as it says. */
  render_preset (find_preset (presets, "shaved-natural"), &natural_deep);
  render_preset (find_preset (presets, "under-hair"), &under_deep);
  g_test_message ("full-density zone: natural %" G_GSIZE_FORMAT ", under hair %" G_GSIZE_FORMAT,
                  natural_deep, under_deep);
  g_assert_cmpuint (natural_deep, >, 100);
  g_assert_cmpfloat ((double) under_deep / natural_deep, >, 0.25);
  g_assert_cmpfloat ((double) under_deep / natural_deep, <, 0.55);
}

/* Writes `text` as NAME.smp-preset in a fresh folder; returns the file's path. */
static char *
write_preset (const char *folder, const char *name, const char *text)
{
  g_autofree char  *file = g_strconcat (name, ".smp-preset", NULL);
  char             *path = g_build_filename (folder, file, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

#define HEADER "[SMP Preset]\nName=Test look\nDescription=A look written by the test.\n\n"

static void
test_broken (void)
{
  static const struct
  {
    const char *name;
    const char *text;
    const char *key; /* must appear in the message */
  } cases[] = {
    { "out-of-range", HEADER "[SMP Design]\ndensity_per_cm2=500\n", "density_per_cm2" },
    { "not-a-number", HEADER "[SMP Design]\nopacity=dark\n", "opacity" },
    { "bad-shade", HEADER "[SMP Design]\nshade=black\n", "shade" },
    { "bad-stage", HEADER "[SMP Design]\nstage=sunburnt\n", "stage" },
    { "fractional-sessions", HEADER "[SMP Design]\nsessions=2.5\n", "sessions" },
    { "misspelt", HEADER "[SMP Design]\ndensty_per_cm2=70\n", "densty_per_cm2" },
    { "sets-scale", HEADER "[SMP Design]\npx_per_mm=12\n", "px_per_mm" },
    { "sets-seed", HEADER "[SMP Design]\nseed=3\n", "seed" },
    { "no-name", "[SMP Preset]\nDescription=x\n\n[SMP Design]\nopacity=0.5\n", "Name" },
    { "no-design", HEADER, "SMP Design" },
    { "not-a-key-file", "density_per_cm2 = 70 without a group\n", "" },
  };
  g_autofree char *folder = g_dir_make_tmp ("smp-preset-XXXXXX", NULL);

  g_assert_nonnull (folder);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char      *path = write_preset (folder, cases[i].name, cases[i].text);
      g_autoptr(GError)     error = NULL;
      g_autoptr(SmpPreset)  preset = smp_preset_load (path, &error);

      g_test_message ("%s: %s", cases[i].name, error ? error->message : "(loaded)");
      g_assert_null (preset);
      g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, cases[i].key));
      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  /* A missing file names itself too. */
  {
    g_autofree char     *path = g_build_filename (folder, "absent.smp-preset", NULL);
    g_autoptr(GError)    error = NULL;
    g_autoptr(SmpPreset) preset = smp_preset_load (path, &error);

    g_assert_null (preset);
    g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
    g_assert_nonnull (strstr (error->message, path));
  }
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

static void
test_load_dir_stops_at_bad (void)
{
  g_autofree char     *folder = g_dir_make_tmp ("smp-preset-XXXXXX", NULL);
  g_autofree char     *a = write_preset (folder, "a-good", HEADER "[SMP Design]\nopacity=0.5\n");
  g_autofree char     *b = write_preset (folder, "b-bad", HEADER "[SMP Design]\nfade_width_mm=-3\n");
  g_autofree char     *c = write_preset (folder, "c-good", HEADER "[SMP Design]\nopacity=0.6\n");
  g_autofree char     *other = g_build_filename (folder, "notes.txt", NULL);
  g_autoptr(GError)    error = NULL;
  g_autoptr(GPtrArray) presets = NULL;

  g_assert_true (g_file_set_contents (other, "not a preset", -1, NULL));
  presets = smp_preset_load_dir (folder, &error);
  g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  g_assert_nonnull (strstr (error->message, b));
  g_assert_nonnull (strstr (error->message, "fade_width_mm"));
  g_assert_nonnull (presets);
  g_assert_cmpuint (presets->len, ==, 1);
  g_assert_cmpstr (smp_preset_get_id (g_ptr_array_index (presets, 0)), ==, "a-good");

  g_assert_cmpint (g_unlink (b), ==, 0);
  g_clear_pointer (&presets, g_ptr_array_unref);
  g_clear_error (&error);
  presets = smp_preset_load_dir (folder, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (presets->len, ==, 2);
  g_assert_cmpstr (smp_preset_get_id (g_ptr_array_index (presets, 1)), ==, "c-good");

  g_assert_cmpint (g_unlink (a), ==, 0);
  g_assert_cmpint (g_unlink (c), ==, 0);
  g_assert_cmpint (g_unlink (other), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);

  /* A folder that is not there is an error, not a crash. */
  g_clear_pointer (&presets, g_ptr_array_unref);
  g_clear_error (&error);
  presets = smp_preset_load_dir ("/nonexistent/smp/presets", &error);
  g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  g_assert_cmpuint (presets->len, ==, 0);
}

/* A preset that cannot apply over the current parameters leaves them untouched. */
static void
test_apply_is_atomic (void)
{
  g_autofree char     *folder = g_dir_make_tmp ("smp-preset-XXXXXX", NULL);
  /* Valid over the defaults (3 sessions), but gives 2 sessions no dots. */
  g_autofree char     *path = write_preset (folder, "late-only",
                                            HEADER "[SMP Design]\nopacity=0.4\nsession_split=0;0;100\n");
  g_autoptr(GError)    error = NULL;
  g_autoptr(SmpPreset) preset = smp_preset_load (path, &error);
  SmpParams            params, before;

  g_assert_no_error (error);
  g_assert_nonnull (preset);
  smp_params_init_defaults (&params);
  params.sessions = 2;
  before = params;
  g_assert_false (smp_preset_apply (preset, &params, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpmem (&params, sizeof params, &before, sizeof before);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preset/shipped/parse", test_shipped_parse);
  g_test_add_func ("/preset/shipped/values", test_shipped_values);
  g_test_add_func ("/preset/shipped/render", test_shipped_render);
  g_test_add_func ("/preset/broken", test_broken);
  g_test_add_func ("/preset/load-dir-stops-at-bad", test_load_dir_stops_at_bad);
  g_test_add_func ("/preset/apply-is-atomic", test_apply_is_atomic);
  return g_test_run ();
}
