/* test-sheet.c: the engine's design sheet: page sizes of PDF and PNG output, the
 * PNG's resolution chunk, the session plan's arithmetic, and clear errors with no
 * file left behind. */
#include <smp/smp.h>
#include <smp/smp-sheet.h>

#include <cairo.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>
#include <utime.h>

typedef struct
{
  int      width, height;
  guint8  *before, *after;
  double   line[2 * 64];
  SmpSheetStroke stroke;
  SmpSheet sheet;
  char    *dir;
} Fixture;

/* A skin-toned photo with texture, and the same photo with dark dots above a
 * wavy line (the scalp side), as a proposal would leave it. */
static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  (void) data;
  f->width = 600;
  f->height = 400;
  f->before = g_malloc ((gsize) f->width * f->height * 4);
  f->after = g_malloc ((gsize) f->width * f->height * 4);
  for (int i = 0; i < 64; i++)
    {
      f->line[2 * i] = 20 + i * (f->width - 40) / 63.0;
      f->line[2 * i + 1] = 220 + 12 * sin (i / 5.0);
    }
  for (int y = 0; y < f->height; y++)
    for (int x = 0; x < f->width; x++)
      {
        guint8 *b = f->before + ((gsize) y * f->width + x) * 4, *a = f->after + ((gsize) y * f->width + x) * 4;
        int v = 170 + (x * 7 + y * 13) % 23;
        double line_y = 220 + 12 * sin ((x - 20) / ((f->width - 40) / 63.0) / 5.0);
        gboolean dot = y < line_y - 2 && (x % 9) < 2 && (y % 9) < 2;

        b[0] = (guint8) MIN (255, v + 40), b[1] = (guint8) v, b[2] = (guint8) (v - 30), b[3] = 255;
        memcpy (a, b, 4);
        if (dot)
          a[0] = a[1] = a[2] = 40;
      }
  f->stroke = (SmpSheetStroke) { f->line, 64, FALSE };
  smp_sheet_init (&f->sheet);
  f->sheet.before = (SmpSheetImage) { f->before, f->width, f->height, (gsize) f->width * 4 };
  f->sheet.after = (SmpSheetImage) { f->after, f->width, f->height, (gsize) f->width * 4 };
  f->sheet.strokes = &f->stroke;
  f->sheet.n_strokes = 1;
  f->sheet.params.px_per_mm = 6.0;
  f->sheet.calibrated = TRUE;
  f->sheet.treated_area_cm2 = 42.5;
  f->sheet.client = "Test Client";
  f->sheet.artist = "Test Artist";
  f->sheet.date = "2025-01-02";
  f->sheet.notes = "Some notes.";
  f->dir = g_dir_make_tmp ("smp-sheet-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static int
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  int n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  (void) data;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        g_rmdir (p);
      else
        g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->before);
  g_free (f->after);
}

/* Inflates every Flate stream of a PDF and appends it (cairo keeps the page
 * objects in compressed object streams). */
static GString *
pdf_text (const char *data, gsize len)
{
  GString *out = g_string_new_len (data, len);
  const char *p = data, *end = data + len;

  while ((p = memmem (p, end - p, "stream", 6)) != NULL)
    {
      const char *start = p + 6, *stop;
      g_autoptr (GConverter) z = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
      char buf[65536];

      if (start > data + 3 && !memcmp (p - 3, "end", 3))
        {
          p = start;
          continue;
        }
      if (start < end && *start == '\r')
        start++;
      if (start < end && *start == '\n')
        start++;
      stop = memmem (start, end - start, "endstream", 9);
      if (!stop)
        break;
      {
        const char *in = start;
        gsize left = stop - start, read = 0, written = 0;
        GConverterResult r;
        do
          {
            r = g_converter_convert (z, in, left, buf, sizeof buf, G_CONVERTER_INPUT_AT_END, &read, &written, NULL);
            if (r == G_CONVERTER_ERROR)
              break;
            g_string_append_len (out, buf, written);
            in += read;
            left -= read;
          }
        while (r != G_CONVERTER_FINISHED && (read > 0 || written > 0));
      }
      p = stop + 9;
    }
  return out;
}

/* The page size a PDF declares, from its /MediaBox. */
static gboolean
pdf_media_box (const char *path, double *w, double *h)
{
  g_autofree char *data = NULL;
  g_autoptr (GString) all = NULL;
  gsize len;
  const char *p;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  g_assert_true (len > 5 && memcmp (data, "%PDF-", 5) == 0);
  all = pdf_text (data, len);
  /* binary streams hold NULs: search the bytes */
  p = memmem (all->str, all->len, "/MediaBox", 9);
  if (!p)
    return FALSE;
  p = strchr (p, '[');
  return p && sscanf (p + 1, " %*f %*f %lf %lf", w, h) == 2;
}

static void
test_pdf_paper (Fixture *f, gconstpointer data)
{
  static const struct { SmpPaper paper; double w, h; } cases[] = {
    { SMP_PAPER_A4, 595.276, 841.890 },
    { SMP_PAPER_LETTER, 612.0, 792.0 },
  };

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = g_build_filename (f->dir, i ? "sheet.PDF" : "sheet.pdf", NULL);
      double w = 0, h = 0;

      f->sheet.paper = cases[i].paper;
      g_assert_true (smp_sheet_write (&f->sheet, path, &error));
      g_assert_no_error (error);
      g_assert_true (pdf_media_box (path, &w, &h));
      g_assert_cmpfloat_with_epsilon (w, cases[i].w, 0.01);
      g_assert_cmpfloat_with_epsilon (h, cases[i].h, 0.01);
    }
  /* both sheets and nothing else: the temporary files are gone */
  g_assert_cmpint (count_entries (f->dir), ==, 2);
}

static void
test_png_size (Fixture *f, gconstpointer data)
{
  static const struct { SmpPaper paper; int w, h; } cases[] = {
    { SMP_PAPER_A4, 1240, 1754 },     /* 210 × 297 mm at 150 dpi */
    { SMP_PAPER_LETTER, 1275, 1650 }, /* 8.5 × 11 in at 150 dpi */
  };

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = g_build_filename (f->dir, "sheet.png", NULL);
      cairo_surface_t *png;
      const guint8 *px;
      int stride, dark = 0;

      f->sheet.paper = cases[i].paper;
      f->sheet.calibrated = i == 0;
      g_assert_true (smp_sheet_write (&f->sheet, path, &error));
      g_assert_no_error (error);
      png = cairo_image_surface_create_from_png (path);
      g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (png), ==, cases[i].w);
      g_assert_cmpint (cairo_image_surface_get_height (png), ==, cases[i].h);
      /* a page with content: a good share of it is not white */
      px = cairo_image_surface_get_data (png);
      stride = cairo_image_surface_get_stride (png);
      for (int y = 0; y < cases[i].h; y += 3)
        for (int x = 0; x < cases[i].w; x += 3)
          {
            guint32 v = *(const guint32 *) (px + (gsize) y * stride + x * 4);
            if ((v & 0xff) < 200 || ((v >> 8) & 0xff) < 200 || ((v >> 16) & 0xff) < 200)
              dark++;
          }
      g_assert_cmpfloat ((double) dark / ((cases[i].w / 3.0) * (cases[i].h / 3.0)), >, 0.05);
      cairo_surface_destroy (png);
    }
}

/* CRC-32 of PNG chunks, table-driven (the writer computes it bit by bit). */
static guint32
crc32_table (const guint8 *p, gsize n)
{
  static guint32 table[256];
  guint32 c = 0xffffffffu;

  if (!table[1])
    for (guint32 i = 0; i < 256; i++)
      {
        guint32 v = i;
        for (int k = 0; k < 8; k++)
          v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
        table[i] = v;
      }
  for (gsize i = 0; i < n; i++)
    c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The PNG says its resolution: one pHYs chunk between IHDR and the first IDAT,
 * in pixels per metre, equal to the stated 150 dpi both ways, so that the page
 * measures 210 × 297 mm (or 8.5 × 11 in) when opened; every chunk's CRC holds. */
static void
test_png_resolution (Fixture *f, gconstpointer data)
{
  static const struct { SmpPaper paper; double w_mm, h_mm; } cases[] = {
    { SMP_PAPER_A4, 210, 297 },
    { SMP_PAPER_LETTER, 215.9, 279.4 },
  };

  (void) data;
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *path = g_build_filename (f->dir, "sheet.png", NULL);
      g_autofree guint8 *bytes = NULL;
      gsize n = 0, at = 8;
      int n_phys = 0, n_chunks = 0;
      gboolean seen_ihdr = FALSE, seen_idat = FALSE, seen_iend = FALSE;
      guint32 width = 0, height = 0, ppm_x = 0, ppm_y = 0;
      guint8 unit = 0;

      f->sheet.paper = cases[i].paper;
      g_assert_true (smp_sheet_write (&f->sheet, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, (char **) &bytes, &n, NULL));
      g_assert_cmpuint (n, >, 8);
      g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);
      while (at + 12 <= n && !seen_iend)
        {
          guint32 len = be32 (bytes + at);
          const guint8 *type = bytes + at + 4, *body = bytes + at + 8;

          g_assert_cmpuint (at + 12 + len, <=, n);
          g_assert_cmphex (crc32_table (type, 4 + len), ==, be32 (body + len));
          if (n_chunks == 0)
            {
              g_assert_cmpmem (type, 4, "IHDR", 4);
              width = be32 (body), height = be32 (body + 4);
              seen_ihdr = TRUE;
            }
          if (!memcmp (type, "pHYs", 4))
            {
              n_phys++;
              g_assert_true (seen_ihdr && !seen_idat);
              g_assert_cmpuint (len, ==, 9);
              ppm_x = be32 (body), ppm_y = be32 (body + 4), unit = body[8];
            }
          seen_idat |= !memcmp (type, "IDAT", 4);
          seen_iend |= !memcmp (type, "IEND", 4);
          n_chunks++;
          at += 12 + len;
        }
      g_assert_true (seen_idat && seen_iend);
      g_assert_cmpuint (at, ==, n);
      g_assert_cmpint (n_phys, ==, 1);
      g_assert_cmpuint (unit, ==, 1);
      g_assert_cmpuint (ppm_x, ==, ppm_y);
      g_test_message ("pHYs %u px/m = %.3f dpi; page %.2f × %.2f mm", ppm_x, ppm_x * 0.0254,
                      width * 1000.0 / ppm_x, height * 1000.0 / ppm_y);
      g_assert_cmpfloat (fabs (ppm_x * 0.0254 - SMP_SHEET_PNG_DPI), <, 0.02);
      g_assert_cmpfloat (fabs (width * 1000.0 / ppm_x - cases[i].w_mm), <, 0.5);
      g_assert_cmpfloat (fabs (height * 1000.0 / ppm_y - cases[i].h_mm), <, 0.5);
    }
}

static void
test_plan (Fixture *f, gconstpointer data)
{
  SmpParams p;
  SmpSheetSession rows[SMP_MAX_SESSIONS];
  double shade[3] = { 0.1, 0.1, 0.12 }, share = 0, impressions = 0;
  int n;

  (void) f;
  (void) data;
  smp_params_init_defaults (&p);
  p.density_per_cm2 = 80;
  p.sessions = 3;
  p.session_split[0] = 0.5, p.session_split[1] = 0.3, p.session_split[2] = 0.2;
  n = smp_sheet_plan_sessions (&p, shade, 50.0, rows);
  g_assert_cmpint (n, ==, 3);
  for (int k = 0; k < n; k++)
    {
      share += rows[k].share;
      impressions += rows[k].impressions;
      g_assert_cmpfloat_with_epsilon (rows[k].dots_per_cm2, 80 * rows[k].share, 1e-9);
      g_assert_cmpfloat_with_epsilon (rows[k].impressions, 50.0 * 80 * rows[k].share, 1e-6);
      g_assert_cmpfloat (rows[k].dot_diameter_mm, ==, p.dot_diameter_mm);
      if (k > 0)
        g_assert_cmpfloat (rows[k].opacity, >, rows[k - 1].opacity);
      g_assert_cmpfloat (rows[k].opacity, <=, p.opacity + 1e-12);
    }
  g_assert_cmpfloat_with_epsilon (share, 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (impressions, 50.0 * 80, 1e-6);
  g_assert_cmpfloat_with_epsilon (rows[0].share, 0.5, 1e-9);

  /* under existing hair the plan is lighter by the under-hair factor */
  p.under_hair = 0.4;
  smp_sheet_plan_sessions (&p, shade, 50.0, rows);
  g_assert_cmpfloat_with_epsilon (rows[0].dots_per_cm2, 80 * 0.4 * 0.5, 1e-9);
}

static void
test_unknown_extension (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sheet.jpg", NULL);
  g_autofree char *bare = g_build_filename (f->dir, "sheet", NULL);

  (void) data;
  g_assert_false (smp_sheet_write (&f->sheet, path, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "sheet.jpg"));
  g_assert_nonnull (strstr (error->message, ".pdf"));
  g_clear_error (&error);
  g_assert_false (smp_sheet_write (&f->sheet, bare, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_cmpint (count_entries (f->dir), ==, 0);
}

static void
test_unwritable (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "sheet.pdf", NULL);
  g_autofree char *taken = g_build_filename (f->dir, "taken.pdf", NULL);

  (void) data;
  g_assert_false (smp_sheet_write (&f->sheet, missing, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_cmpint (count_entries (f->dir), ==, 0);

  /* the rename at the end fails (a folder holds the name): the whole sheet was
   * written to the temporary file, which must be gone again */
  g_assert_cmpint (g_mkdir (taken, 0755), ==, 0);
  g_assert_false (smp_sheet_write (&f->sheet, taken, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_IO);
  g_assert_nonnull (strstr (error->message, taken));
  g_assert_cmpint (count_entries (f->dir), ==, 1);
  g_assert_true (g_file_test (taken, G_FILE_TEST_IS_DIR));
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  SmpSheet s;

  (void) data;
  /* before and after of different sizes */
  {
    g_autoptr (GError) error = NULL;
    s = f->sheet;
    s.after.width = f->width - 1;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  }
  /* no hairline */
  {
    g_autoptr (GError) error = NULL;
    s = f->sheet;
    s.n_strokes = 0;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  }
  /* a degenerate hairline */
  {
    g_autoptr (GError) error = NULL;
    double dot[4] = { 5, 5, 5, 5 };
    SmpSheetStroke st = { dot, 2, FALSE };
    s = f->sheet;
    s.strokes = &st;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_BAD_GEOMETRY);
  }
  /* an absurd parameter */
  {
    g_autoptr (GError) error = NULL;
    s = f->sheet;
    s.params.density_per_cm2 = -3;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  }
  /* a negative area */
  {
    g_autoptr (GError) error = NULL;
    s = f->sheet;
    s.treated_area_cm2 = -1;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  }
  /* Issue 12 row 14: a stored area no photo can have, and a plan that overflows */
  {
    g_autoptr (GError) error = NULL;
    s = f->sheet;
    s.treated_area_cm2 = 1e308;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
    g_assert_nonnull (strstr (error->message, "treated area"));
  }
  {
    g_autoptr (GError) error = NULL;
    double shade[3] = { 0.1, 0.1, 0.1 };
    s = f->sheet;
    s.n_sessions = smp_sheet_plan_sessions (&s.params, shade, 1e308, s.sessions);
    g_assert_cmpfloat (s.sessions[0].impressions, <=, SMP_SHEET_MAX_TREATED_AREA_CM2 * 200);
    s.sessions[0].impressions = INFINITY;
    g_assert_false (smp_sheet_write (&s, path, &error));
    g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  }
  g_assert_cmpint (count_entries (f->dir), ==, 0);
}

/* A sheet replaces an older file of the same name in one step. */
static void
test_replaces (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  g_autofree char *old = NULL;
  gsize len = 0;

  (void) data;
  g_assert_true (g_file_set_contents (path, "old", 3, NULL));
  g_assert_true (smp_sheet_write (&f->sheet, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &old, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_cmpint (count_entries (f->dir), ==, 1);
}

/* A killed export's hidden temporary (no writer holds its lock) is removed by
 * the next export of the same file, however young; other files, and a
 * temporary an export is still writing (locked), stay. */
static void
test_stale_temporaries (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  g_autofree char *stale = g_build_filename (f->dir, ".sheet.pdf.Ab3dEf", NULL);
  g_autofree char *killed = g_build_filename (f->dir, ".sheet.pdf.Kk1lLd", NULL);
  g_autofree char *running = g_build_filename (f->dir, ".sheet.pdf.Zz9yXx", NULL);
  g_autofree char *other = g_build_filename (f->dir, ".other.pdf.Ab3dEf", NULL);
  struct utimbuf old = { time (NULL) - 3600, time (NULL) - 3600 };
  int held;

  (void) data;
  g_assert_true (g_file_set_contents (stale, "partial", 7, NULL));
  g_assert_true (g_file_set_contents (killed, "partial", 7, NULL));
  g_assert_true (g_file_set_contents (running, "partial", 7, NULL));
  g_assert_true (g_file_set_contents (other, "partial", 7, NULL));
  g_assert_cmpint (utime (stale, &old), ==, 0);
  g_assert_cmpint (utime (other, &old), ==, 0);
  /* an export still writing holds its lock (through another open file, as
   * another process would); a killed one's lock went with it */
  held = g_open (running, O_RDONLY, 0);
  g_assert_cmpint (flock (held, LOCK_EX | LOCK_NB), ==, 0);
  g_assert_true (smp_sheet_write (&f->sheet, path, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (killed, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (running, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_entries (f->dir), ==, 3);
  close (held);
}

/* A 2×2 box average of an RGBA u8 image (w, h even). */
static guint8 *
halve (const guint8 *src, int w, int h)
{
  guint8 *dst = g_malloc ((gsize) (w / 2) * (h / 2) * 4);

  for (int y = 0; y < h / 2; y++)
    for (int x = 0; x < w / 2; x++)
      for (int c = 0; c < 4; c++)
        {
          const guint8 *p = src + ((gsize) (2 * y) * w + 2 * x) * 4 + c;
          dst[((gsize) y * (w / 2) + x) * 4 + c] = (guint8) ((p[0] + p[4] + p[(gsize) w * 4] + p[(gsize) w * 4 + 4] + 2) / 4);
        }
  return dst;
}

static double
page_difference (const char *a, const char *b)
{
  cairo_surface_t *pa = cairo_image_surface_create_from_png (a), *pb = cairo_image_surface_create_from_png (b);
  int w = cairo_image_surface_get_width (pa), h = cairo_image_surface_get_height (pa);
  int stride = cairo_image_surface_get_stride (pa);
  const guint8 *da = cairo_image_surface_get_data (pa), *db = cairo_image_surface_get_data (pb);
  double sum = 0;

  g_assert_cmpint (w, ==, cairo_image_surface_get_width (pb));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (pb));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 4; x++)
      sum += abs (da[(gsize) y * stride + x] - db[(gsize) y * stride + x]);
  cairo_surface_destroy (pa);
  cairo_surface_destroy (pb);
  return sum / ((double) w * h * 4);
}

/* Views scaled down from the crop (as the plug-in reads a large photo) with the
 * 1:1 detail at full resolution: the page matches the full-resolution one, the
 * detail square is the one smp_sheet_detail_rect chooses, and scaled views
 * without that detail are refused. */
static void
test_scaled_views (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *full = g_build_filename (f->dir, "full.png", NULL);
  g_autofree char *scaled = g_build_filename (f->dir, "scaled.png", NULL);
  g_autofree guint8 *before = halve (f->before, f->width, f->height);
  g_autofree guint8 *after = halve (f->after, f->width, f->height);
  g_autofree guint8 *patch = NULL;
  int x, y, side, fx, fy, fside;
  double diff;

  (void) data;
  g_assert_true (smp_sheet_detail_rect (&f->sheet, &fx, &fy, &fside, &error));
  g_assert_true (smp_sheet_write (&f->sheet, full, &error));
  g_assert_no_error (error);

  f->sheet.before = (SmpSheetImage) { before, f->width / 2, f->height / 2, (gsize) f->width / 2 * 4 };
  f->sheet.after = (SmpSheetImage) { after, f->width / 2, f->height / 2, (gsize) f->width / 2 * 4 };
  f->sheet.crop_width = f->width;
  f->sheet.crop_height = f->height;
  g_assert_false (smp_sheet_write (&f->sheet, scaled, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
  g_assert_nonnull (strstr (error->message, "detail"));
  g_assert_false (g_file_test (scaled, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_true (smp_sheet_detail_rect (&f->sheet, &x, &y, &side, &error));
  g_test_message ("detail at %d,%d (%d px) from full views, %d,%d (%d px) from halved ones", fx, fy, fside, x, y, side);
  g_assert_cmpint (side, ==, 60); /* 10 mm at 6 px/mm */
  g_assert_cmpint (side, ==, fside);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x + side, <=, f->width);
  g_assert_cmpint (y + side, <=, 220 - 12); /* above the line: the dotted scalp side */
  patch = g_malloc ((gsize) side * side * 4);
  for (int r = 0; r < side; r++)
    memcpy (patch + (gsize) r * side * 4, f->after + ((gsize) (y + r) * f->width + x) * 4, (gsize) side * 4);
  f->sheet.detail = (SmpSheetImage) { patch, side, side, (gsize) side * 4 };
  f->sheet.detail_left = x;
  f->sheet.detail_top = y;
  g_assert_true (smp_sheet_write (&f->sheet, scaled, &error));
  g_assert_no_error (error);
  diff = page_difference (full, scaled);
  g_test_message ("mean page difference %.3f levels", diff);
  g_assert_cmpfloat (diff, <, 2.0);
  /* a detail square reaching out of the crop is refused */
  f->sheet.detail_left = f->width - side + 1;
  g_assert_false (smp_sheet_write (&f->sheet, scaled, &error));
  g_assert_error (error, SMP_ERROR, SMP_ERROR_INVALID_PARAMETER);
}

static gboolean
stop_at (double done, gpointer data)
{
  double *at = data;
  return done < *at;
}

/* The sheet reports its stages; a FALSE from the callback stops it with
 * SMP_ERROR_CANCELLED, no file written and nothing left in the folder (an
 * earlier sheet at that path stays as it was). */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->dir, "sheet.pdf", NULL);
  g_autofree char *earlier = NULL;
  static const double stops[] = { 0.1, 0.3, 0.5, 0.7, 0.8 };

  (void) data;
  g_assert_true (g_file_set_contents (path, "earlier", -1, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (stops); i++)
    {
      g_autoptr (GError) error = NULL;
      double at = stops[i];

      f->sheet.progress = stop_at;
      f->sheet.progress_data = &at;
      g_assert_false (smp_sheet_write (&f->sheet, path, &error));
      g_assert_error (error, SMP_ERROR, SMP_ERROR_CANCELLED);
      g_assert_cmpint (count_entries (f->dir), ==, 1);
      g_clear_pointer (&earlier, g_free);
      g_assert_true (g_file_get_contents (path, &earlier, NULL, NULL));
      g_assert_cmpstr (earlier, ==, "earlier");
    }
  {
    double never = 2.0;
    f->sheet.progress_data = &never;
    g_assert_true (smp_sheet_write (&f->sheet, path, NULL));
    g_clear_pointer (&earlier, g_free);
    g_assert_true (g_file_get_contents (path, &earlier, NULL, NULL));
    g_assert_true (g_str_has_prefix (earlier, "%PDF"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, fn) g_test_add ("/sheet/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("pdf-paper", test_pdf_paper);
  ADD ("png-size", test_png_size);
  ADD ("png-resolution", test_png_resolution);
  ADD ("plan", test_plan);
  ADD ("unknown-extension", test_unknown_extension);
  ADD ("unwritable", test_unwritable);
  ADD ("bad-input", test_bad_input);
  ADD ("replaces", test_replaces);
  ADD ("stale-temporaries", test_stale_temporaries);
  ADD ("scaled-views", test_scaled_views);
  ADD ("cancel", test_cancel);
#undef ADD
  return g_test_run ();
}
