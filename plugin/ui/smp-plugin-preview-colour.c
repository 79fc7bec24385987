/* smp-plugin-preview-colour.c: the preview's per-channel colour tables, built from babl and checked
 * against it, so that a refresh converts its pixels by table lookups instead of babl (its largest cost). */
#include "smp-plugin-preview-colour.h"

#include <string.h>

#define CHECK_PIXELS 32768

static guint32
float_bits (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  return u;
}

static float
bits_float (guint32 u)
{
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

/* babl's output on channel `ch` (0: colour, given to R, G and B; 3: alpha) for each
 * of `n` probe values. */
static void
probe (const Babl *fish, int ch, const float *values, int n, guint8 *out)
{
  g_autofree float  *px = g_new (float, 4 * (gsize) n);
  g_autofree guint8 *u8 = g_new (guint8, 4 * (gsize) n);

  for (int i = 0; i < n; i++)
    for (int k = 0; k < 4; k++)
      px[4 * i + k] = ch == 3 ? (k == 3 ? values[i] : 0.5f) : (k == 3 ? 1.0f : values[i]);
  babl_process (fish, px, u8, n);
  for (int i = 0; i < n; i++)
    out[i] = u8[4 * i + ch];
}

/* The 255 steps of one channel's rounding, all bisected together on the bits of
 * non-negative floats (ordered as the floats are), and the buckets indexing them.
 * FALSE when babl's output is not 0 at 0 and 255 at 1 (no steps to find). */
static gboolean
display_channel (const Babl *fish, int ch, float *step, guint8 *bucket)
{
  guint32 lo[256], hi[256];
  float   values[256];
  guint8  out[256];
  gboolean busy = TRUE;

  values[0] = 0.0f, values[1] = 1.0f;
  probe (fish, ch, values, 2, out);
  if (out[0] != 0 || out[1] != 255)
    return FALSE;
  for (int v = 1; v < 256; v++)
    lo[v] = float_bits (0.0f), hi[v] = float_bits (1.0f);
  while (busy)
    {
      busy = FALSE;
      for (int v = 1; v < 256; v++)
        values[v] = bits_float (lo[v] + (hi[v] - lo[v]) / 2);
      probe (fish, ch, values + 1, 255, out + 1);
      for (int v = 1; v < 256; v++)
        if (hi[v] - lo[v] > 1)
          {
            if (out[v] >= v)
              hi[v] = float_bits (values[v]);
            else
              lo[v] = float_bits (values[v]);
            busy = TRUE;
          }
    }
  step[0] = 0.0f;
  for (int v = 1; v < 256; v++)
    step[v] = bits_float (hi[v]);
  step[256] = G_MAXFLOAT;
  for (int i = 0, v = 0; i < SMP_PLUGIN_DISPLAY_BUCKETS; i++)
    {
      const float edge = (float) i / SMP_PLUGIN_DISPLAY_BUCKETS;
      while (v < 255 && edge >= step[v + 1])
        v++;
      bucket[i] = (guint8) v;
    }
  return TRUE;
}

/* A fixed sequence (the check must not depend on a global random state). */
static guint32
next (guint32 *state)
{
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

static gboolean
display_check (SmpPluginPreviewColour *c, const Babl *fish)
{
  enum { GRID = 2048 };
  g_autofree float  *values = g_new (float, GRID + 3 * 2 * 255);
  g_autofree float  *px = g_new (float, 4 * CHECK_PIXELS);
  g_autofree guint8 *u8 = g_new (guint8, 4 * CHECK_PIXELS);
  guint32 state = 0x5eed;
  int     n = 0;

  /* A grid across and past [0, 1], and every step with the float just below it. */
  for (int i = 0; i < GRID; i++)
    values[n++] = -0.05f + 1.1f * i / (GRID - 1);
  for (int v = 1; v < 256; v++)
    {
      values[n++] = c->colour_step[v], values[n++] = bits_float (float_bits (c->colour_step[v]) - 1);
      values[n++] = c->alpha_step[v], values[n++] = bits_float (float_bits (c->alpha_step[v]) - 1);
    }
  for (int i = 0; i < CHECK_PIXELS; i++)
    for (int k = 0; k < 4; k++)
      px[4 * i + k] = values[next (&state) % n];
  babl_process (fish, px, u8, CHECK_PIXELS);
  for (int i = 0; i < CHECK_PIXELS; i++)
    {
      const guint8 a = smp_plugin_preview_colour_display (c->alpha_step, c->alpha_bucket, px[4 * i + 3]);

      if (a != u8[4 * i + 3])
        return FALSE;
      /* Without alpha the colour is not shown (the preview paints grey there). */
      for (int k = 0; k < 3 && a > 0; k++)
        if (smp_plugin_preview_colour_display (c->colour_step, c->colour_bucket, px[4 * i + k]) != u8[4 * i + k])
          return FALSE;
    }
  return TRUE;
}

static gboolean
layer_tables (SmpPluginPreviewColour *c, const Babl *fish)
{
  g_autofree guint8 *px = g_new (guint8, 4 * 65536);
  g_autofree float  *out = g_new (float, 4 * 65536);

  for (int i = 0; i < 256; i++)
    {
      guint8 *p = px + 4 * i, *q = px + 4 * (256 + i);
      p[0] = p[1] = p[2] = (guint8) i, p[3] = 255;
      q[0] = q[1] = q[2] = 0, q[3] = (guint8) i;
    }
  babl_process (fish, px, out, 512);
  for (int i = 0; i < 256; i++)
    {
      c->layer_colour[i] = out[4 * i];
      c->layer_alpha[i] = out[4 * (256 + i) + 3];
    }
  /* Every alpha with every colour value, the channels apart. */
  for (int a = 0; a < 256; a++)
    for (int v = 0; v < 256; v++)
      {
        guint8 *p = px + 4 * (a * 256 + v);
        p[0] = (guint8) v, p[1] = (guint8) (v * 7 + 1), p[2] = (guint8) (v * 13 + 2), p[3] = (guint8) a;
      }
  babl_process (fish, px, out, 65536);
  for (int i = 0; i < 65536; i++)
    {
      const guint8 *p = px + 4 * i;
      const float  *o = out + 4 * i;

      if (o[3] != c->layer_alpha[p[3]])
        return FALSE;
      /* The preview skips pixels without alpha: their colour is never read. */
      for (int k = 0; k < 3 && p[3] > 0; k++)
        if (o[k] != c->layer_colour[p[k]])
          return FALSE;
    }
  return TRUE;
}

void
smp_plugin_preview_colour_init (SmpPluginPreviewColour *colour, const Babl *layer_format, const Babl *work_format)
{
  const Babl *display = babl_fish (work_format, babl_format ("R'G'B'A u8"));

  g_return_if_fail (colour != NULL && layer_format != NULL && work_format != NULL);
  memset (colour, 0, sizeof *colour);
  colour->layer_exact = layer_tables (colour, babl_fish (layer_format, work_format));
  colour->display_exact = display_channel (display, 0, colour->colour_step, colour->colour_bucket) &&
                          display_channel (display, 3, colour->alpha_step, colour->alpha_bucket) &&
                          display_check (colour, display);
  g_debug ("preview colour tables: dots %s, screen %s", colour->layer_exact ? "by table" : "by babl",
           colour->display_exact ? "by table" : "by babl");
}
