/* test-params.c: parameter defaults, validation of absurd values, key-file round
 * trips and the requested fade profile. */
#include <smp/smp.h>
#include <math.h>
#include <string.h>

static void
test_defaults_valid (void)
{
  SmpParams p;
  g_autoptr (GError) error = NULL;

  smp_params_init_defaults (&p);
  g_assert_true (smp_params_validate (&p, &error));
  g_assert_no_error (error);
  /* docs/domain.md's suggested defaults. */
  g_assert_cmpfloat (p.density_per_cm2, ==, 70);
  g_assert_cmpfloat (p.dot_diameter_mm, ==, 0.25);
  g_assert_cmpfloat (p.fade_width_mm, ==, 8);
  g_assert_cmpint (p.sessions, ==, 3);
  g_assert_cmpfloat (fabs (smp_params_session_share (&p, 0) - 0.50), <, 1e-9);
  g_assert_cmpfloat (fabs (smp_params_session_share (&p, 1) - 0.35), <, 1e-9);
  g_assert_cmpfloat (fabs (smp_params_session_share (&p, 2) - 0.15), <, 1e-9);
}

typedef struct
{
  const char *what;
  void (*spoil) (SmpParams *p);
  const char *needle; /* the message must name the parameter */
} BadCase;

static void zero_scale (SmpParams *p) { p->px_per_mm = 0; }
static void negative_scale (SmpParams *p) { p->px_per_mm = -3; }
static void nan_density (SmpParams *p) { p->density_per_cm2 = NAN; }
static void huge_density (SmpParams *p) { p->density_per_cm2 = 5000; }
static void inf_diameter (SmpParams *p) { p->dot_diameter_mm = INFINITY; }
static void big_diameter (SmpParams *p) { p->dot_diameter_mm = 12; }
static void no_sessions (SmpParams *p) { p->sessions = 0; }
static void many_sessions (SmpParams *p) { p->sessions = 9; }
static void empty_split (SmpParams *p) { memset (p->session_split, 0, sizeof p->session_split); }
static void bad_shade (SmpParams *p) { p->shade[1] = 2.0; }
static void bad_opacity (SmpParams *p) { p->opacity = 1.5; }
static void bad_side (SmpParams *p) { p->scalp_side = 7; }
static void bad_stage (SmpParams *p) { p->stage = -1; }
static void bad_fade (SmpParams *p) { p->fade_width_mm = -1; }

static void
test_bad_parameters (void)
{
  static const BadCase cases[] = {
    { "scale 0", zero_scale, "px_per_mm" },
    { "negative scale", negative_scale, "px_per_mm" },
    { "NaN density", nan_density, "density_per_cm2" },
    { "absurd density", huge_density, "density_per_cm2" },
    { "infinite diameter", inf_diameter, "dot_diameter_mm" },
    { "blown-out diameter", big_diameter, "dot_diameter_mm" },
    { "0 sessions", no_sessions, "sessions" },
    { "9 sessions", many_sessions, "sessions" },
    { "empty split", empty_split, "split" },
    { "shade > 1", bad_shade, "shade" },
    { "opacity > 1", bad_opacity, "opacity" },
    { "scalp side 7", bad_side, "scalp side" },
    { "stage -1", bad_stage, "stage" },
    { "negative fade", bad_fade, "fade_width_mm" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SmpParams p;
      g_autoptr (GError) error = NULL;

      smp_params_init_defaults (&p);
      cases[i].spoil (&p);
      g_assert_false (smp_params_validate (&p, &error));
      g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
      g_test_message ("%s: %s", cases[i].what, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));

      /* A design refuses them too, and says why. */
      {
        g_autoptr (SmpHairline) h = smp_hairline_new ();
        double xy[] = { 0, 10, 100, 10 };
        g_autoptr (GError) e2 = NULL;
        g_assert_true (smp_hairline_add_stroke (h, xy, 2, FALSE, NULL));
        g_assert_null (smp_design_new (&p, h, NULL, NULL, &e2));
        g_assert_error (e2, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
      }
    }
}

static void
test_round_trip (void)
{
  SmpParams a, b;
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  smp_params_init_defaults (&a);
  a.density_per_cm2 = 55.5;
  a.sessions = 2;
  a.session_split[0] = 0.6;
  a.session_split[1] = 0.4;
  a.stage = SMP_STAGE_HEALED;
  a.scalp_side = SMP_SCALP_SIDE_LEFT;
  a.seed = 4000000000u;
  a.shade[0] = 0.2;
  text = smp_params_to_string (&a);
  smp_params_init_defaults (&b);
  g_assert_true (smp_params_from_string (&b, text, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (b.density_per_cm2, ==, 55.5);
  g_assert_cmpint (b.sessions, ==, 2);
  g_assert_cmpint (b.stage, ==, SMP_STAGE_HEALED);
  g_assert_cmpint (b.scalp_side, ==, SMP_SCALP_SIDE_LEFT);
  g_assert_cmpuint (b.seed, ==, 4000000000u);
  g_assert_cmpfloat (fabs (b.shade[0] - 0.2), <, 1.0 / 255);
  g_assert_cmpfloat (fabs (smp_params_session_share (&b, 0) - 0.6), <, 1e-9);
}

static void
test_key_errors (void)
{
  static const char *bad[][2] = {
    { "[SMP Design]\ndensity_per_cm2=lots\n", "density_per_cm2" },
    { "[SMP Design]\ndensity_per_cm2=900\n", "density_per_cm2" },
    { "[SMP Design]\nstage=tanned\n", "stage" },
    { "[SMP Design]\nshade=black\n", "shade" },
    { "[SMP Design]\nsessions=2.5\n", "sessions" },
    /* Issue 12 row 13: the PDB refuses this split; key files must too. */
    { "[SMP Design]\nsessions=3\nsession_split=60;40\n", "session_split" },
    { "[SMP Design]\nsessions=2\nsession_split=60;-40\n", "session_split" },
    { "[SMP Design]\nsession_split=10;20;30;20;20\n", "session_split" },
    { "[Other]\nx=1\n", "SMP Design" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      SmpParams p;
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      g_autoptr (GError) error = NULL;

      smp_params_init_defaults (&p);
      g_assert_true (g_key_file_load_from_data (kf, bad[i][0], -1, 0, NULL));
      g_assert_false (smp_params_load_key_file (&p, kf, NULL, "my.smp-preset", &error));
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "my.smp-preset"));
      g_assert_nonnull (strstr (error->message, bad[i][1]));
      g_assert_cmpfloat (p.density_per_cm2, ==, 70); /* untouched on failure */
    }
}

/* Issue 12 row 13: one rule for the session split, the PDB's text and key files. */
static void
test_session_split_rule (void)
{
  static const struct { const char *text; int sessions; gboolean ok; double first; } cases[] = {
    { "60/40", 2, TRUE, 0.6 },   { "60;40", 2, TRUE, 0.6 }, { "0.5, 0.35, 0.15", 3, TRUE, 0.5 },
    { "60;40;", 2, TRUE, 0.6 },  { "60/40", 3, FALSE, 0 }, { "60;40", 3, FALSE, 0 },
    { "half and half", 2, FALSE, 0 }, { "1;2;3;4;5", 1, FALSE, 0 }, { "", 1, FALSE, 0 },
    { "nan;1", 2, FALSE, 0 },    { "50/50/0", 3, TRUE, 0.5 },
    /* Fractions summing over 1.5 stay fractions: what a save writes reads back. */
    { "0.96;0.05;0.51;0.03", 4, TRUE, 0.96 }, { "1/1/1", 3, TRUE, 1.0 }, { "100/0/0", 3, TRUE, 1.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double split[SMP_MAX_SESSIONS] = { -1, -1, -1, -1 };
      g_autoptr (GError) pdb_error = NULL, kf_error = NULL;
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      g_autofree char *text = g_strdup_printf ("[SMP Design]\nsessions=%d\nsession_split=%s\n",
                                               cases[i].sessions, cases[i].text);
      gboolean pdb_ok = smp_params_parse_session_split ("session-split", cases[i].text, cases[i].sessions,
                                                        split, &pdb_error);
      gboolean kf_ok;
      SmpParams p;

      smp_params_init_defaults (&p);
      g_assert_true (g_key_file_load_from_data (kf, text, -1, 0, NULL));
      kf_ok = smp_params_load_key_file (&p, kf, NULL, "look.smp-preset", &kf_error);
      g_test_message ("“%s” for %d sessions: PDB %s, key file %s", cases[i].text, cases[i].sessions,
                      pdb_error ? pdb_error->message : "ok", kf_error ? kf_error->message : "ok");
      g_assert_cmpint (pdb_ok, ==, cases[i].ok);
      g_assert_cmpint (kf_ok, ==, cases[i].ok);
      if (cases[i].ok)
        {
          g_assert_cmpfloat (fabs (split[0] - cases[i].first), <, 1e-12);
          g_assert_cmpmem (split, sizeof split, p.session_split, sizeof split);
        }
      else
        {
          g_assert_error (pdb_error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
          g_assert_nonnull (strstr (pdb_error->message, "session-split"));
          g_assert_nonnull (strstr (kf_error->message, "session_split"));
          g_assert_cmpfloat (split[0], ==, -1); /* unchanged */
        }
    }
}

static void
test_profile_shape (void)
{
  SmpParams p;

  smp_params_init_defaults (&p);
  g_assert_cmpfloat (smp_params_profile_density (&p, -p.sentinel_depth_mm - 0.01), ==, 0);
  g_assert_cmpfloat (smp_params_profile_density (&p, -1), ==, p.sentinel);
  g_assert_cmpfloat (smp_params_profile_density (&p, p.fade_width_mm), ==, 1);
  /* Monotone ramp across the transition zone. */
  for (double d = 0; d < p.fade_width_mm; d += 0.25)
    g_assert_cmpfloat (smp_params_profile_density (&p, d), <=, smp_params_profile_density (&p, d + 0.25));
  g_assert_cmpfloat (smp_params_profile_dot_scale (&p, 0), <, smp_params_profile_dot_scale (&p, 20));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/params/defaults", test_defaults_valid);
  g_test_add_func ("/params/bad", test_bad_parameters);
  g_test_add_func ("/params/round-trip", test_round_trip);
  g_test_add_func ("/params/key-errors", test_key_errors);
  g_test_add_func ("/params/session-split-rule", test_session_split_rule);
  g_test_add_func ("/params/profile", test_profile_shape);
  return g_test_run ();
}
