/* test-preview-composite.c: the preview's compositing in strips over threads (plugin/ui/smp-plugin-preview-composite.c)
 * gives the bytes of whole-image passes, by table and by babl, for any size and thread count. */
#include "smp-plugin-preview-composite.h"

#include <string.h>

typedef struct
{
  int w, h;
} Size;

/* Photo and layers from a seeded generator: layers mostly empty, as a view's are. */
static void
fill (GRand *r, guint8 *photo, guint8 *const *layers, int n, int w, int h)
{
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      for (int c = 0; c < 3; c++)
        photo[3 * i + c] = (guint8) g_rand_int_range (r, 0, 256);
      for (int k = 0; k < n; k++)
        {
          guint8 *l = layers[k] + 4 * i;
          for (int c = 0; c < 3; c++)
            l[c] = (guint8) g_rand_int_range (r, 0, 256);
          l[3] = g_rand_int_range (r, 0, 3) == 0 ? (guint8) g_rand_int_range (r, 0, 256) : 0;
        }
    }
}

static void
check (const SmpPluginPreviewColour *colour, const char *what)
{
  const Babl  *photo_format = babl_format ("R'G'B' u8"), *layer_format = babl_format ("R'G'B'A u8");
  const Babl  *work_format = babl_format ("RGBA float");
  const Size   sizes[] = { { 1, 1 }, { 37, 5 }, { 64, 50 }, { 300, 129 }, { 129, 300 } };
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  guint        cases = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      const int          w = sizes[s].w, h = sizes[s].h;
      const gsize        px = (gsize) w * h;
      g_autofree guint8 *photo = g_malloc (3 * px);
      g_autofree float  *direct = g_new (float, 4 * px), *linear = g_new (float, 4 * px);
      g_autofree float  *whole = g_new (float, 4 * px);
      g_autofree guint8 *want = g_malloc (4 * px), *got = g_malloc (4 * px);
      guint8            *layers[3];

      for (int k = 0; k < 3; k++)
        layers[k] = g_malloc (4 * px);
      fill (r, photo, layers, 3, w, h);
      babl_process (babl_fish (photo_format, work_format), photo, direct, (long) px);
      for (int threads = 1; threads <= 3; threads++)
        {
          /* The conversion in row ranges is babl's of the whole image. */
          memset (linear, 0, sizeof (float) * 4 * px);
          smp_plugin_preview_convert_photo (photo, (gsize) w * 3, photo_format, linear, work_format, w, h, threads);
          g_assert_cmpmem (linear, sizeof (float) * 4 * px, direct, sizeof (float) * 4 * px);
          for (int n = 0; n <= 3; n++)
            {
              memcpy (whole, direct, sizeof (float) * 4 * px);
              smp_plugin_preview_composite_whole (whole, (const guint8 *const *) layers, n, layer_format, work_format,
                                                  colour, w, h, want, 4 * w);
              memset (got, 0x5a, 4 * px);
              smp_plugin_preview_composite (linear, (const guint8 *const *) layers, n, layer_format, work_format,
                                            colour, w, h, got, 4 * w, threads);
              g_assert_cmpmem (got, 4 * px, want, 4 * px);
              cases++;
            }
        }
      for (int k = 0; k < 3; k++)
        g_free (layers[k]);
    }
  g_test_message ("%s: %u cases identical", what, cases);
  g_assert_cmpuint (cases, ==, G_N_ELEMENTS (sizes) * 3 * 4);
}

static void
test_by_table (void)
{
  SmpPluginPreviewColour colour;

  smp_plugin_preview_colour_init (&colour, babl_format ("R'G'B'A u8"), babl_format ("RGBA float"));
  g_assert_true (colour.layer_exact);
  g_assert_true (colour.display_exact);
  check (&colour, "by table");
}

static void
test_by_babl (void)
{
  SmpPluginPreviewColour colour;

  /* The tables refused (as for a space that mixes channels): every conversion is babl's. */
  memset (&colour, 0, sizeof colour);
  check (&colour, "by babl");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  babl_init ();
  g_test_add_func ("/preview-composite/by-table", test_by_table);
  g_test_add_func ("/preview-composite/by-babl", test_by_babl);
  return g_test_run ();
}
