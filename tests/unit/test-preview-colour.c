/* test-preview-colour.c: the preview's colour tables (plugin/ui/smp-plugin-preview-colour.c) give babl's values
 * (the dots' exactly, the screen's but for a few floats a level off), are used for the usual formats, refused where a space mixes channels. */
#include "smp-plugin-preview-colour.h"

#include <glib/gstdio.h>
#include <string.h>

/* Every float in [0, 1] through babl and the table, R = G = B = alpha: babl's own
 * rounding is not quite monotone, so a few floats may land a level off; no more. */
static void
assert_display_matches_babl (const SmpPluginPreviewColour *c, const Babl *work)
{
  enum { N = 1 << 20 };
  const Babl        *fish = babl_fish (work, babl_format ("R'G'B'A u8"));
  g_autofree float  *px = g_new (float, 4 * N);
  g_autofree guint8 *u8 = g_new (guint8, 4 * N);
  const float        one = 1.0f;
  guint32            last;
  guint              off = 0, far = 0, alpha_off = 0;

  memcpy (&last, &one, sizeof last);
  for (guint32 start = 0; start <= last; start += N)
    {
      int n = 0;
      for (guint32 b = start; b < start + N && b <= last; b++, n++)
        {
          float f;
          memcpy (&f, &b, sizeof f);
          px[4 * n] = px[4 * n + 1] = px[4 * n + 2] = px[4 * n + 3] = f;
        }
      babl_process (fish, px, u8, n);
      for (int i = 0; i < n; i++)
        {
          int t = smp_plugin_preview_colour_display (c->colour_step, c->colour_bucket, px[4 * i]);
          int a = smp_plugin_preview_colour_display (c->alpha_step, c->alpha_bucket, px[4 * i + 3]);
          off += t != u8[4 * i], far += ABS (t - u8[4 * i]) > 1, alpha_off += a != u8[4 * i + 3];
        }
    }
  g_test_message ("screen table vs babl, every float in [0, 1]: %u differ by one level", off);
  g_assert_cmpuint (far, ==, 0);
  g_assert_cmpuint (alpha_off, ==, 0);
  g_assert_cmpuint (off, <=, 1000); /* of 1.07 G */
}

static void
assert_layer_matches_babl (const SmpPluginPreviewColour *c, const Babl *layer, const Babl *work)
{
  const Babl        *fish = babl_fish (layer, work);
  g_autofree guint8 *px = g_new (guint8, 4 * 65536);
  g_autofree float  *out = g_new (float, 4 * 65536);
  guint              differ = 0;

  for (int a = 0; a < 256; a++)
    for (int v = 0; v < 256; v++)
      {
        guint8 *p = px + 4 * (a * 256 + v);
        p[0] = (guint8) (255 - v), p[1] = (guint8) (v * 3), p[2] = (guint8) (v ^ 0x5a), p[3] = (guint8) a;
      }
  babl_process (fish, px, out, 65536);
  for (int i = 0; i < 65536; i++)
    {
      differ += out[4 * i + 3] != c->layer_alpha[px[4 * i + 3]];
      for (int k = 0; k < 3 && px[4 * i + 3] > 0; k++)
        differ += out[4 * i + k] != c->layer_colour[px[4 * i + k]];
    }
  g_assert_cmpuint (differ, ==, 0);
}

static void
check_formats (const char *layer_name, const char *space_name, gboolean display_expected, gboolean every_float,
               SmpPluginPreviewColour *out)
{
  const Babl *space = babl_space (space_name);
  const Babl *layer = babl_format_with_space (layer_name, space);
  const Babl *work = babl_format_with_space ("RGBA float", space);
  SmpPluginPreviewColour c;
  gint64 t0 = g_get_monotonic_time ();

  smp_plugin_preview_colour_init (&c, layer, work);
  g_test_message ("%s in %s: dots %s, screen %s (tables made in %.1f ms)", layer_name, space_name,
                  c.layer_exact ? "by table" : "by babl", c.display_exact ? "by table" : "by babl",
                  (g_get_monotonic_time () - t0) / 1000.0);
  /* Dots and work share one space: per channel, always by table. */
  g_assert_true (c.layer_exact);
  assert_layer_matches_babl (&c, layer, work);
  g_assert_cmpint (c.display_exact, ==, display_expected);
  if (c.display_exact && every_float)
    assert_display_matches_babl (&c, work);
  if (out)
    *out = c;
}

static void
test_srgb (void)
{
  check_formats ("R'G'B'A u8", "sRGB", TRUE, TRUE, NULL);
}

/* Linear dots: their own table; the screen's is the same conversion as above. */
static void
test_linear (void)
{
  SmpPluginPreviewColour a, b;

  check_formats ("R'G'B'A u8", "sRGB", TRUE, FALSE, &a);
  check_formats ("RGBA u8", "sRGB", TRUE, FALSE, &b);
  g_assert_true (memcmp (a.colour_step, b.colour_step, sizeof a.colour_step) == 0);
  g_assert_true (memcmp (a.colour_bucket, b.colour_bucket, sizeof a.colour_bucket) == 0);
  g_assert_false (memcmp (a.layer_colour, b.layer_colour, sizeof a.layer_colour) == 0);
}

/* Another space's primaries: the screen (sRGB) mixes the channels, no table may stand in. */
static void
test_other_space (void)
{
  check_formats ("R'G'B'A u8", "Adobish", FALSE, FALSE, NULL);
  check_formats ("R'G'B'A u8", "ProPhoto", FALSE, FALSE, NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *cache = g_dir_make_tmp ("smp-preview-colour-XXXXXX", NULL);
  int rc;

  /* babl as the plug-in runs it (smp-plugin-main.c: exact paths only) and with no
   * cache of chosen paths from other processes: at babl's default tolerance the
   * path for the screen conversion is picked by timing, and about one fresh
   * process in three got one whose rounding the screen table cannot follow.
   * babl writes its cache only in babl_exit (), not called: it leaves an empty
   * babl/ folder there. */
  g_assert_nonnull (cache);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("BABL_TOLERANCE", "0", TRUE);
  babl_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/preview-colour/srgb", test_srgb);
  g_test_add_func ("/preview-colour/linear", test_linear);
  g_test_add_func ("/preview-colour/other-space", test_other_space);
  rc = g_test_run ();
  {
    g_autofree char *babl_dir = g_build_filename (cache, "babl", NULL);
    g_rmdir (babl_dir);
    g_rmdir (cache);
  }
  return rc;
}
