/* test-proposal.c: the parameter table (every row validates, refuses, round-trips
 * and is documented) and the stored proposal record (versions, bounds). */
#include <smp/smp.h>
#include <math.h>
#include <string.h>

/* ---- The parameter table ---------------------------------------------------- */

static void
test_table_rows (void)
{
  int rows = 0;

  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++, rows++)
    {
      SmpParams p;
      g_autoptr (GError) error = NULL;

      g_test_message ("row %s (%s)", s->key, s->arg);
      /* every row has what the PDB and the dialog need */
      g_assert_nonnull (s->arg);
      g_assert_nonnull (s->label);
      g_assert_true (*s->blurb);
      g_assert_true (smp_params_find_arg (s->arg) == s);
      g_assert_true (smp_params_find_spec (s->key) == s);
      g_assert_cmpfloat (s->arg_factor, >, 0);
      if (s->type == SMP_PARAM_CHOICE)
        {
          g_assert_nonnull (s->choices);
          for (int i = 0; i <= (int) s->max; i++)
            g_assert_nonnull (s->choices[i].name);
          g_assert_null (s->choices[(int) s->max + 1].name);
        }

      /* the default validates */
      smp_params_init_defaults (&p);
      g_assert_true (smp_params_validate (&p, &error));
      if (smp_param_is_numeric (s) || s->type == SMP_PARAM_CHOICE)
        g_assert_cmpfloat (smp_param_get (&p, s), ==, s->default_value);

      /* just outside the range is refused, naming the row */
      if (s->type == SMP_PARAM_DOUBLE || s->type == SMP_PARAM_INT || s->type == SMP_PARAM_CHOICE)
        {
          double outside[2] = { s->min - (s->type == SMP_PARAM_DOUBLE ? 1e-6 * MAX (1, s->max) : 1),
                                s->max + (s->type == SMP_PARAM_DOUBLE ? 1e-6 * MAX (1, s->max) : 1) };
          for (int e = 0; e < 2; e++)
            {
              g_autoptr (GError) bad = NULL;
              g_autofree char *human = g_strdelimit (g_strdup (s->key), "_", ' ');

              smp_params_init_defaults (&p);
              smp_param_set (&p, s, outside[e]);
              g_assert_false (smp_params_validate (&p, &bad));
              g_assert_error (bad, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
              g_assert_true (strstr (bad->message, s->key) || strstr (bad->message, human));
            }
        }

      /* a value inside the range round-trips through a key file */
      if (s->type == SMP_PARAM_DOUBLE || s->type == SMP_PARAM_INT || s->type == SMP_PARAM_CHOICE)
        {
          SmpParams back;
          g_autoptr (GKeyFile) kf = g_key_file_new ();
          g_autoptr (GError) e2 = NULL;
          double v = s->type == SMP_PARAM_DOUBLE ? s->min + 0.37 * (s->max - s->min) : s->max;

          smp_params_init_defaults (&p);
          smp_param_set (&p, s, v);
          smp_params_save_key_file (&p, kf, NULL);
          g_assert_true (g_key_file_has_key (kf, "SMP Design", s->key, NULL));
          smp_params_init_defaults (&back);
          g_assert_true (smp_params_load_key_file (&back, kf, NULL, NULL, &e2));
          g_assert_no_error (e2);
          g_assert_cmpfloat (fabs (smp_param_get (&back, s) - v), <, 1e-9 * MAX (1, fabs (v)));
        }
    }
  g_assert_cmpint (rows, >=, 18);
}

/* Every argument appears in the README's argument table with the table's
 * default and range, in argument units. */
static void
test_readme_table (void)
{
  const char *readme = g_getenv ("SMP_README");
  g_autofree char *text = NULL;

  if (!readme)
    {
      g_test_skip ("SMP_README not set");
      return;
    }
  g_assert_true (g_file_get_contents (readme, &text, NULL, NULL));
  for (const SmpParamSpec *s = smp_params_get_specs (); s->key; s++)
    {
      g_autofree char *row = g_strdup_printf ("| `%s` |", s->arg);
      const char *line = strstr (text, row);

      g_test_message ("README row for %s", s->arg);
      g_assert_nonnull (line);
      if (s->type == SMP_PARAM_DOUBLE || s->type == SMP_PARAM_INT)
        {
          g_autofree char *eol = g_strndup (line, strcspn (line, "\n"));
          gboolean zero_auto = (s->flags & SMP_PARAM_ARG_ZERO_AUTO) != 0;
          g_autofree char *def = g_strdup_printf ("| %g |", zero_auto ? 0 : s->default_value * s->arg_factor);
          g_autofree char *range = g_strdup_printf ("%g–%g |", s->min * s->arg_factor, s->max * s->arg_factor);

          g_test_message ("  %s", eol);
          g_assert_nonnull (strstr (eol, def));
          g_assert_nonnull (strstr (eol, range));
        }
    }
}

/* ---- The proposal record ---------------------------------------------------- */

static SmpProposal *
sample_record (void)
{
  SmpProposal *p = smp_proposal_new ();

  p->params.density_per_cm2 = 55;
  p->params.sessions = 2;
  p->params.stage = SMP_STAGE_HEALED;
  g_free (p->path_name);
  p->path_name = g_strdup ("Hairline ✓");
  g_free (p->preset_id);
  p->preset_id = g_strdup ("shaved-natural");
  p->scale_source = SMP_SCALE_FROM_CALIBRATION;
  p->treated_area_cm2 = 49.5;
  p->total_dots = 3000;
  p->dots_per_session[0] = 1800;
  p->dots_per_session[1] = 1200;
  p->has_shade_srgb = TRUE;
  p->shade_srgb[0] = 0x20, p->shade_srgb[1] = 0x40, p->shade_srgb[2] = 0x60;
  p->has_extent = TRUE;
  p->extent[0] = -5, p->extent[1] = 7, p->extent[2] = 640, p->extent[3] = 480;
  g_free (p->area_channel);
  p->area_channel = g_strdup ("SMP treated area #2");
  p->has_area_bounds = TRUE;
  p->area_bounds[0] = 3, p->area_bounds[1] = 4, p->area_bounds[2] = 100, p->area_bounds[3] = 50;
  p->checks_ran = TRUE;
  p->checks_run = SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_HEIGHT) | SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE);
  smp_proposal_set_check (p, SMP_FACE_CHECK_HEIGHT, "The mid-frontal point sits 6.2 cm above the glabella");
  p->face_frame = TRUE;
  return p;
}

static void
test_record_round_trip (void)
{
  g_autoptr (SmpProposal) a = sample_record ();
  g_autoptr (SmpProposal) b = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = smp_proposal_to_string (a);
  g_autofree char *again = NULL;

  b = smp_proposal_from_string (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_assert_cmpfloat (b->params.density_per_cm2, ==, 55);
  g_assert_cmpint (b->params.stage, ==, SMP_STAGE_HEALED);
  g_assert_cmpstr (b->path_name, ==, "Hairline ✓");
  g_assert_cmpstr (b->preset_id, ==, "shaved-natural");
  g_assert_cmpint (b->scale_source, ==, SMP_SCALE_FROM_CALIBRATION);
  g_assert_cmpfloat (b->treated_area_cm2, ==, 49.5);
  g_assert_cmpint (b->total_dots, ==, 3000);
  g_assert_cmpint (b->dots_per_session[1], ==, 1200);
  g_assert_true (b->has_shade_srgb);
  g_assert_cmpmem (b->shade_srgb, 3, a->shade_srgb, 3);
  g_assert_cmpmem (b->extent, sizeof b->extent, a->extent, sizeof a->extent);
  g_assert_true (b->complete);
  g_assert_cmpstr (b->area_channel, ==, "SMP treated area #2");
  g_assert_true (b->has_area_bounds);
  g_assert_cmpmem (b->area_bounds, sizeof b->area_bounds, a->area_bounds, sizeof a->area_bounds);
  g_assert_cmpuint (b->checks_run, ==, a->checks_run);
  g_assert_cmpstr (b->check_messages[SMP_FACE_CHECK_HEIGHT], ==, a->check_messages[SMP_FACE_CHECK_HEIGHT]);
  g_assert_null (b->check_messages[SMP_FACE_CHECK_FADE]);
  g_assert_true (b->face_frame);
  /* the written text is a fixed point */
  again = smp_proposal_to_string (b);
  g_assert_cmpstr (again, ==, text);

  /* an incomplete record says so */
  a->complete = FALSE;
  g_free (text);
  text = smp_proposal_to_string (a);
  g_clear_pointer (&b, smp_proposal_free);
  b = smp_proposal_from_string (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_false (b->complete);
}

/* Exactly what the plug-in wrote before 0.1.0 (version 1). */
static const char version1[] =
  "[SMP Design]\n"
  "px_per_mm=12\ndensity_per_cm2=70\ndot_diameter_mm=0.25\nsize_jitter=0.20000000000000001\n"
  "opacity=0.84999999999999998\nsoftness=0.34999999999999998\nfade_width_mm=8\nsentinel=0.029999999999999999\n"
  "sentinel_depth_mm=2.5\nirregularity_mm=3\nmicro_irregularity_mm=1\nunder_hair=1\nsessions=3\n"
  "shade=#1c1c1f\nsession_split=0.5;0.34999999999999998;0.14999999999999999;\nscalp_side=auto\n"
  "stage=fresh\nseed=7\n\n"
  "[SMP Proposal]\nversion=1\npath=Hairline\npreset=\npx_per_mm_source=calibration\n"
  "treated_area_cm2=49.5\ntotal_dots=3465\ndots_per_session=1732;1213;520;\nshade_srgb=#1c1c1f\n"
  "extent=10;20;600;400;\n\n"
  "[SMP Checks]\nchecked=straightness;symmetry;fade;\nfindings=1\n"
  "symmetry=Left and right differ by 3.1 mm\nface_frame=true\nfeminine=false\n";

static void
test_record_version1 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SmpProposal) p = smp_proposal_from_string (version1, strlen (version1), &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_true (p->complete);
  g_assert_cmpfloat (p->params.px_per_mm, ==, 12);
  g_assert_cmpfloat (p->params.sentinel_depth_mm, ==, 2.5);
  g_assert_cmpuint (p->params.seed, ==, 7);
  g_assert_cmpstr (p->path_name, ==, "Hairline");
  g_assert_cmpstr (p->preset_id, ==, "");
  g_assert_cmpint (p->scale_source, ==, SMP_SCALE_FROM_CALIBRATION);
  g_assert_cmpint (p->dots_per_session[2], ==, 520);
  g_assert_cmpint (p->extent[2], ==, 600);
  g_assert_cmpuint (p->checks_run, ==, SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_STRAIGHTNESS) |
                                        SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_SYMMETRY) |
                                        SMP_FACE_CHECK_BIT (SMP_FACE_CHECK_FADE));
  g_assert_cmpstr (p->check_messages[SMP_FACE_CHECK_SYMMETRY], ==, "Left and right differ by 3.1 mm");
  g_assert_true (p->face_frame);
  g_assert_cmpint (p->shade_srgb[2], ==, 0x1f);
  g_assert_cmpstr (p->area_channel, ==, "");
  g_assert_false (p->has_area_bounds);
}

/* Replace `key`'s line in the version-1 text by `line`. */
static char *
spoil (const char *key, const char *line)
{
  g_autofree char *needle = g_strconcat ("\n", key, "=", NULL);
  const char *at = strstr (version1, needle);
  g_autofree char *head = NULL;

  g_assert_nonnull (at);
  head = g_strndup (version1, at - version1 + 1);
  return g_strconcat (head, line, strchr (at + 1, '\n'), NULL);
}

static void
test_record_hostile (void)
{
  g_autofree char *huge = g_strnfill (10 * 1024 * 1024, 'x');
  g_autofree char *long_path = g_strconcat ("path=", huge + 10 * 1024 * 1024 - 5000, NULL);
  const struct { const char *key, *line, *needle; } cases[] = {
    { "density_per_cm2", "density_per_cm2=nan", "density_per_cm2" },
    { "dot_diameter_mm", "dot_diameter_mm=1e308", "dot_diameter_mm" },
    { "treated_area_cm2", "treated_area_cm2=1e308", "treated_area_cm2" },
    { "treated_area_cm2", "treated_area_cm2=-4", "treated_area_cm2" },
    { "total_dots", "total_dots=inf", "total_dots" },
    { "dots_per_session", "dots_per_session=5;-3;2;", "dots_per_session" },
    { "extent", "extent=2147483647;0;2147483647;5;", "extent" },
    { "extent", "extent=0;0;-10;5;", "extent" },
    { "extent", "extent=0;0;seven;5;", "extent" },
    { "extent", "extent=0;0;5;5;\narea_bounds=-2147483648;0;1;1;", "area_bounds" },
    { "sessions", "sessions=three", "sessions" },
    { "seed", "seed=-1", "seed" },
    { "shade_srgb", "shade_srgb=#12", "shade_srgb" },
    { "px_per_mm_source", "px_per_mm_source=guessed", "px_per_mm_source" },
    { "preset", "preset=../../../../tmp/evil", "preset" },
    { "path", long_path, "path" },
    { "version", "version=99", "version" },
    { "face_frame", "face_frame=maybe", "face_frame" },
    { "checked", "checked=height;colour;", "checked" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = spoil (cases[i].key, cases[i].line);
      g_autoptr (GError) error = NULL;
      g_autoptr (SmpProposal) p = smp_proposal_from_string (text, strlen (text), &error);

      g_test_message ("%s: %s", cases[i].key, error ? error->message : "(accepted)");
      g_assert_null (p);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }

  /* a 10 MB record is refused before it is parsed */
  {
    g_autofree char *text = g_strconcat (version1, "[Junk]\nx=", huge, "\n", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (SmpProposal) p = smp_proposal_from_string (text, strlen (text), &error);

    g_assert_null (p);
    g_assert_error (error, SMP_ERROR, SMP_ERROR_PRESET);
  }
  /* a long check message is cut to a sheet line, with an ellipsis */
  {
    g_autofree char *line = g_strconcat ("symmetry=", huge + 10 * 1024 * 1024 - 3000, NULL);
    g_autofree char *text = spoil ("symmetry", line);
    g_autoptr (GError) error = NULL;
    g_autoptr (SmpProposal) p = smp_proposal_from_string (text, strlen (text), &error);
    const char *m;

    g_assert_no_error (error);
    m = p->check_messages[SMP_FACE_CHECK_SYMMETRY];
    g_assert_cmpuint (strlen (m), <=, SMP_PROPOSAL_MAX_MESSAGE);
    g_assert_true (g_str_has_suffix (m, "…"));
  }
  /* unknown keys and groups are ignored and not written back */
  {
    g_autofree char *text = g_strconcat (version1, "[Later]\nfeature=1\n", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (SmpProposal) p = smp_proposal_from_string (text, strlen (text), &error);
    g_autofree char *out = NULL;

    g_assert_no_error (error);
    out = smp_proposal_to_string (p);
    g_assert_null (strstr (out, "Later"));
    g_assert_nonnull (strstr (out, "version=2"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/params/table", test_table_rows);
  g_test_add_func ("/params/readme", test_readme_table);
  g_test_add_func ("/proposal/round-trip", test_record_round_trip);
  g_test_add_func ("/proposal/version-1", test_record_version1);
  g_test_add_func ("/proposal/hostile", test_record_hostile);
  return g_test_run ();
}
