/* smp-match.c: measuring healed SMP on a photo: scale-normalised DoG blob detection
 * with sub-pixel refinement, the stacked core profile, tone and colour against untreated skin. */
#include "smp-match-private.h"
#include <glib/gi18n-lib.h>

#include <smp/smp-error.h>
#include <smp/smp-shine.h>

#include <math.h>
#include <string.h>

static const double lum[3] = { 0.2126, 0.7152, 0.0722 };

#define SCALES_PER_OCTAVE 3
#define DETECT_SIGMAS     3.0   /* detection threshold: at least this many noise σ of the DoG on skin */
#define RELATIVE_RESPONSE 0.2   /* of the strong impressions' response (90th percentile) */
#define SKIN_QUANTILE     0.999 /* and above this quantile of its values on untreated skin */
#define MIN_SIGMA_PX      0.6
#define MAX_CORE_MM       0.35  /* largest healed core radius looked for */
#define RING_FROM_MM      2.0   /* untreated ring outside the selection: past the shadows */
#define RING_TO_MM        5.0
#define HIGHLIGHT_MM      1.0   /* smoothing of the highlight test */
#define MIN_RESPONSE      0.003 /* DoG, in darkening units: below it nothing counts */
#define SHINE_SHARE       0.02  /* of a pixel's level: more neutral light than this is a highlight */
#define CELL_MM           1.0   /* cells of the local statistics */
#define SHADOW_MM         0.5   /* σ of the wide shadow in the core's profile (docs/optics.md: 0.48 mm healed) */
#define DILUTION_CV       0.045 /* the engine's ±15% dilution, as a diameter CV (see docs/match.md) */

/* ---- Robust statistics ------------------------------------------------------------- */

static float
select_kth (float *v, gsize n, gsize k)
{
  gsize lo = 0, hi = n - 1;

  while (lo < hi)
    {
      float pivot = v[(lo + hi) / 2];
      gsize i = lo, j = hi;
      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              float t = v[i];
              v[i] = v[j], v[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }
  return v[k];
}

double
smp_match_median (float *v, gsize n)
{
  if (n == 0)
    return NAN;
  return select_kth (v, n, n / 2);
}

void
smp_match_median_mad (float *v, gsize n, double *median, double *sigma)
{
  double m = smp_match_median (v, n);

  for (gsize i = 0; i < n; i++)
    v[i] = fabsf (v[i] - (float) m);
  *median = m;
  *sigma = 1.4826 * smp_match_median (v, n);
}

/* ---- Filters ------------------------------------------------------------------------ */

static void
blur_line (const float *in, float *out, int n, gsize step, const float *kernel, int radius)
{
  for (int i = 0; i < n; i++)
    {
      double acc = 0;
      for (int t = -radius; t <= radius; t++)
        acc += kernel[t + radius] * in[(gsize) CLAMP (i + t, 0, n - 1) * step];
      out[i] = (float) acc;
    }
}

void
smp_match_blur (float *img, int w, int h, double sigma, float *scratch)
{
  int radius = (int) ceil (3.0 * sigma);
  g_autofree float *kernel = NULL, *copy = NULL;
  double sum = 0;

  if (!(sigma > 0.05))
    return;
  radius = MAX (radius, 1);
  kernel = g_new (float, 2 * radius + 1);
  for (int t = -radius; t <= radius; t++)
    sum += kernel[t + radius] = (float) exp (-0.5 * t * t / (sigma * sigma));
  for (int t = 0; t <= 2 * radius; t++)
    kernel[t] /= (float) sum;
  for (int y = 0; y < h; y++)
    {
      blur_line (img + (gsize) y * w, scratch, w, 1, kernel, radius);
      memcpy (img + (gsize) y * w, scratch, sizeof (float) * w);
    }
  /* Columns by whole rows: the image is read in memory order. */
  copy = g_memdup2 (img, sizeof (float) * w * h);
  for (int y = 0; y < h; y++)
    {
      float *out = img + (gsize) y * w;
      memset (out, 0, sizeof (float) * w);
      for (int t = -radius; t <= radius; t++)
        {
          const float *in = copy + (gsize) CLAMP (y + t, 0, h - 1) * w;
          const float kt = kernel[t + radius];
          for (int x = 0; x < w; x++)
            out[x] += kt * in[x];
        }
    }
}

/* A wide blur (σ in px) on a grid a few times coarser, read back nearest: the
 * highlight test needs no detail, and a full-resolution wide kernel is costly. */
static float *
smooth_coarse (const float *img, int w, int h, double sigma)
{
  const int f = MAX (1, (int) floor (sigma / 4.0));
  const int cw = (w + f - 1) / f, ch = (h + f - 1) / f;
  g_autofree float *c = g_new0 (float, (gsize) cw * ch);
  g_autofree float *cnt = g_new0 (float, (gsize) cw * ch);
  g_autofree float *scratch = g_new (float, MAX (cw, ch));
  float *out = g_new (float, (gsize) w * h);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      c[(gsize) (y / f) * cw + x / f] += img[(gsize) y * w + x], cnt[(gsize) (y / f) * cw + x / f] += 1;
  for (gsize i = 0; i < (gsize) cw * ch; i++)
    c[i] /= cnt[i];
  smp_match_blur (c, cw, ch, sigma / f, scratch);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      out[(gsize) y * w + x] = c[(gsize) (y / f) * cw + x / f];
  return out;
}

/* Chamfer distance (px, 8-neighbour, close to Euclidean) to the nearest seed. */
static float *
distance_to (const guint8 *seed, int w, int h)
{
  float *d = g_new (float, (gsize) w * h);
  const float s2 = (float) G_SQRT2;

  for (gsize i = 0; i < (gsize) w * h; i++)
    d[i] = seed[i] ? 0.0f : 1e30f;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        float *p = d + (gsize) y * w + x;
        if (x > 0)
          *p = MIN (*p, p[-1] + 1);
        if (y > 0)
          {
            *p = MIN (*p, p[-w] + 1);
            if (x > 0)
              *p = MIN (*p, p[-w - 1] + s2);
            if (x < w - 1)
              *p = MIN (*p, p[-w + 1] + s2);
          }
      }
  for (int y = h - 1; y >= 0; y--)
    for (int x = w - 1; x >= 0; x--)
      {
        float *p = d + (gsize) y * w + x;
        if (x < w - 1)
          *p = MIN (*p, p[1] + 1);
        if (y < h - 1)
          {
            *p = MIN (*p, p[w] + 1);
            if (x < w - 1)
              *p = MIN (*p, p[w + 1] + s2);
            if (x > 0)
              *p = MIN (*p, p[w - 1] + s2);
          }
      }
  return d;
}

/* ---- Blobs ---------------------------------------------------------------------------- */

typedef struct
{
  float x, y;      /* sub-pixel centre */
  float sigma;     /* characteristic scale, px */
  float response;  /* scale-normalised DoG */
  float nn;        /* nearest-neighbour distance, px */
  float integral;  /* darkening integral of the core, px² */
  float floor;     /* the skin's false-alarm level at its scale */
} Blob;

static int
by_response (gconstpointer a, gconstpointer b)
{
  float ra = ((const Blob *) a)->response, rb = ((const Blob *) b)->response;
  return (ra < rb) - (ra > rb);
}

/* A uniform grid over the blobs, for neighbour queries. */
typedef struct
{
  int    gw, gh;
  double cell;
  guint *start, *index;
} Grid;

static void
grid_build (Grid *g, const Blob *b, guint n, int w, int h, double cell)
{
  g_autofree guint *fill = NULL;

  g->cell = MAX (cell, 1.0);
  g->gw = (int) (w / g->cell) + 1;
  g->gh = (int) (h / g->cell) + 1;
  g->start = g_new0 (guint, (gsize) g->gw * g->gh + 1);
  g->index = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    g->start[(int) (b[i].y / g->cell) * g->gw + (int) (b[i].x / g->cell) + 1]++;
  for (int c = 0; c < g->gw * g->gh; c++)
    g->start[c + 1] += g->start[c];
  fill = g_memdup2 (g->start, sizeof (guint) * ((gsize) g->gw * g->gh + 1));
  for (guint i = 0; i < n; i++)
    g->index[fill[(int) (b[i].y / g->cell) * g->gw + (int) (b[i].x / g->cell)]++] = i;
}

static void
grid_clear (Grid *g)
{
  g_free (g->start);
  g_free (g->index);
}

/* Nearest neighbour distance of each blob (up to `limit` px, else limit). */
static void
nearest_neighbours (Blob *b, guint n, int w, int h, double limit)
{
  Grid g;
  int  rings;

  grid_build (&g, b, n, w, h, limit / 4);
  rings = (int) ceil (limit / g.cell);
  for (guint i = 0; i < n; i++)
    {
      int cx = (int) (b[i].x / g.cell), cy = (int) (b[i].y / g.cell);
      double best = limit * limit;
      for (int y = MAX (cy - rings, 0); y <= MIN (cy + rings, g.gh - 1); y++)
        for (int x = MAX (cx - rings, 0); x <= MIN (cx + rings, g.gw - 1); x++)
          for (guint k = g.start[y * g.gw + x]; k < g.start[y * g.gw + x + 1]; k++)
            {
              guint j = g.index[k];
              double dx = b[j].x - b[i].x, dy = b[j].y - b[i].y, d2 = dx * dx + dy * dy;
              if (j != i && d2 < best)
                best = d2;
            }
      b[i].nn = (float) sqrt (best);
    }
  grid_clear (&g);
}

/* One ink, one needle: real impressions respond alike (size and dilution vary by
 * tens of percent), ringing and texture far less. Keeps the population. */
static void
response_floor (GArray *blobs)
{
  g_autofree float *r = NULL;
  guint m = 0;
  float floor_r;

  if (blobs->len < 10)
    return;
  r = g_new (float, blobs->len);
  for (guint i = 0; i < blobs->len; i++)
    r[i] = g_array_index (blobs, Blob, i).response;
  floor_r = RELATIVE_RESPONSE * select_kth (r, blobs->len, (gsize) (0.9 * (blobs->len - 1)));
  for (guint i = 0; i < blobs->len; i++)
    if (g_array_index (blobs, Blob, i).response >= floor_r)
      g_array_index (blobs, Blob, m++) = g_array_index (blobs, Blob, i);
  g_array_set_size (blobs, m);
}

/* Local maxima of the DoG stack over space and scale, above the noise. The stack
 * is built a scale at a time (four Gaussian levels alive), so memory stays at a few
 * images whatever the number of scales. */
static GArray *
detect_blobs (const float *dark, const guint8 *inside, const guint8 *skin, int w, int h, double ppm)
{
  const gsize  n = (gsize) w * h;
  const double k = pow (2.0, 1.0 / SCALES_PER_OCTAVE);
  const double s0 = MIN_SIGMA_PX;
  const double s_max = MAX (MAX_CORE_MM * ppm / G_SQRT2, s0 * k * k);
  const int    levels = (int) ceil (log (s_max / s0) / log (k)) + 3; /* Gaussians: DoGs + 1 */
  g_autofree float *scratch = g_new (float, MAX (w, h));
  g_autofree float *sample = NULL;
  float *gauss[2], *dog[3];
  GArray *cand = g_array_new (FALSE, FALSE, sizeof (Blob));
  double thr[3] = { 0 };
  gsize  n_in = 0, step;

  for (gsize i = 0; i < n; i++)
    n_in += skin[i] != 0;
  step = MAX ((gsize) 1, n_in / 200000);
  sample = g_new (float, n_in / step + 2);
  gauss[0] = g_memdup2 (dark, sizeof (float) * n);
  gauss[1] = g_new (float, n);
  for (int i = 0; i < 3; i++)
    dog[i] = g_new (float, n);
  smp_match_blur (gauss[0], w, h, s0, scratch);

  /* dog[2] is the newest: levels l-2, l-1, l (as DoG index) after step l. */
  for (int l = 0; l < levels - 1; l++)
    {
      double sa = s0 * pow (k, l), sb = sa * k;
      float *t;
      gsize  m = 0, c = 0;
      double med, sig, q;

      memcpy (gauss[1], gauss[0], sizeof (float) * n);
      smp_match_blur (gauss[1], w, h, sqrt (sb * sb - sa * sa), scratch);
      t = dog[0], dog[0] = dog[1], dog[1] = dog[2], dog[2] = t;
      thr[0] = thr[1], thr[1] = thr[2];
      /* (k − 1)σ²∇²G ≈ G(σ) − G(kσ): scale-normalised already. */
      for (gsize i = 0; i < n; i++)
        dog[2][i] = gauss[0][i] - gauss[1][i];
      /* The false-alarm level: what the same filter gives on untreated skin (its
       * texture, noise and compression), well above its own noise. */
      for (gsize i = 0; i < n; i++)
        if (skin[i] && (c++ % step) == 0)
          sample[m++] = dog[2][i];
      q = select_kth (sample, m, (gsize) (SKIN_QUANTILE * (m - 1)));
      smp_match_median_mad (sample, m, &med, &sig);
      /* A floor for noise-free skin: what 8-bit steps and dithered layers leave. */
      thr[2] = MAX (MAX (q, med + DETECT_SIGMAS * MAX (sig, 1e-5)), MIN_RESPONSE);
      t = gauss[0], gauss[0] = gauss[1], gauss[1] = t;

      /* Maxima at DoG level l − 1 (its neighbours l − 2 and l); the first level
       * compares with the one above only. */
      if (l >= 1)
        {
          const float *lo = l >= 2 ? dog[0] : NULL, *mid = dog[1], *hi = dog[2];
          const double sigma = s0 * pow (k, l - 1);
          for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
              {
                gsize i = (gsize) y * w + x;
                float v = mid[i];
                gboolean peak = TRUE;
                double dx, dy, dxx, dyy, dxy, det, ox = 0, oy = 0, os = 0;
                Blob b;

                if (!inside[i] || v <= thr[1])
                  continue;
                for (int yy = -1; yy <= 1 && peak; yy++)
                  for (int xx = -1; xx <= 1; xx++)
                    {
                      gsize j = i + (gssize) yy * w + xx;
                      if ((j != i && mid[j] >= v) || hi[j] >= v || (lo && lo[j] >= v))
                        {
                          peak = FALSE;
                          break;
                        }
                    }
                if (!peak)
                  continue;
                /* Sub-pixel: the quadratic through the 3 × 3 neighbourhood (Lowe 2004). */
                dx = 0.5 * (mid[i + 1] - mid[i - 1]);
                dy = 0.5 * (mid[i + w] - mid[i - w]);
                dxx = mid[i + 1] - 2 * v + mid[i - 1];
                dyy = mid[i + w] - 2 * v + mid[i - w];
                dxy = 0.25 * (mid[i + w + 1] - mid[i + w - 1] - mid[i - w + 1] + mid[i - w - 1]);
                det = dxx * dyy - dxy * dxy;
                if (det > 1e-12)
                  {
                    ox = CLAMP (-(dyy * dx - dxy * dy) / det, -0.5, 0.5);
                    oy = CLAMP (-(dxx * dy - dxy * dx) / det, -0.5, 0.5);
                  }
                if (lo)
                  {
                    double ds = 0.5 * (hi[i] - lo[i]), dss = hi[i] - 2 * v + lo[i];
                    if (dss < -1e-12)
                      os = CLAMP (-ds / dss, -0.5, 0.5);
                  }
                b.x = (float) (x + 0.5 + ox);
                b.y = (float) (y + 0.5 + oy);
                b.sigma = (float) (sigma * pow (k, os));
                b.response = v;
                b.floor = (float) thr[1];
                b.nn = 0;
                b.integral = 0;
                g_array_append_val (cand, b);
              }
        }
    }
  g_free (gauss[0]);
  g_free (gauss[1]);
  for (int i = 0; i < 3; i++)
    g_free (dog[i]);

  /* One blob per impression: the strongest response wins within a core's radius. */
  g_array_sort (cand, by_response);
  {
    GArray *kept = g_array_new (FALSE, FALSE, sizeof (Blob));
    double  cell = MAX (2.0, 4.0 * G_SQRT2 * s_max);
    int     gw = (int) (w / cell) + 1, gh = (int) (h / cell) + 1;
    g_autoptr (GPtrArray) buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

    for (int c = 0; c < gw * gh; c++)
      g_ptr_array_add (buckets, g_array_new (FALSE, FALSE, sizeof (guint)));
    for (guint i = 0; i < cand->len; i++)
      {
        const Blob *b = &g_array_index (cand, Blob, i);
        int cx = (int) (b->x / cell), cy = (int) (b->y / cell);
        double r = MAX (1.5, 2.0 * G_SQRT2 * b->sigma);
        gboolean free_spot = TRUE;
        for (int y = MAX (cy - 1, 0); y <= MIN (cy + 1, gh - 1) && free_spot; y++)
          for (int x = MAX (cx - 1, 0); x <= MIN (cx + 1, gw - 1) && free_spot; x++)
            {
              GArray *bk = g_ptr_array_index (buckets, y * gw + x);
              for (guint q = 0; q < bk->len; q++)
                {
                  const Blob *o = &g_array_index (kept, Blob, g_array_index (bk, guint, q));
                  double rr = MAX (r, 2.0 * G_SQRT2 * o->sigma);
                  if (hypot (o->x - b->x, o->y - b->y) < rr)
                    {
                      free_spot = FALSE;
                      break;
                    }
                }
            }
        if (free_spot)
          {
            guint idx = kept->len;
            g_array_append_val (kept, *b);
            g_array_append_val ((GArray *) g_ptr_array_index (buckets, cy * gw + cx), idx);
          }
      }
    g_array_unref (cand);
    response_floor (kept);
    return kept;
  }
}

/* ---- The core's profile ------------------------------------------------------------ */

/* exp(−x)·I0(x), Abramowitz & Stegun 9.8.1-2. */
static double
bessel_i0e (double x)
{
  if (x < 3.75)
    {
      double t = x / 3.75, t2 = t * t;
      return exp (-x) * (1 + t2 * (3.5156229 + t2 * (3.0899424 + t2 * (1.2067492 + t2 * (0.2659732 +
                         t2 * (0.0360768 + t2 * 0.0045813))))));
    }
  {
    double t = 3.75 / x;
    return (0.39894228 + t * (0.01328592 + t * (0.00225319 + t * (-0.00157565 + t * (0.00916281 +
            t * (-0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377)))))))) / sqrt (x);
  }
}

/* A unit disc of radius a blurred by a Gaussian of σ s, at radius r. */
static double
disc_blurred (double r, double a, double s)
{
  const int n = 24;
  double acc = 0, s2 = s * s;

  for (int i = 0; i < n; i++)
    {
      double rho = a * (i + 0.5) / n;
      acc += rho / s2 * exp (-(r - rho) * (r - rho) / (2 * s2)) * bessel_i0e (r * rho / s2);
    }
  return acc * a / n;
}

#define BIN_PX     0.25
#define N_A        56
#define N_S        28
#define N_GROUPS   4

typedef struct
{
  int     bins;
  double *table;   /* N_A × N_S × bins */
  double  a[N_A], s[N_S];
} ProfileTable;

static void
profile_table_init (ProfileTable *t, int bins, double a_max)
{
  t->bins = bins;
  t->table = g_new (double, (gsize) N_A * N_S * bins);
  for (int i = 0; i < N_A; i++)
    t->a[i] = 0.3 * pow (a_max / 0.3, (double) i / (N_A - 1));
  for (int j = 0; j < N_S; j++)
    t->s[j] = 0.25 * pow (12.0, (double) j / (N_S - 1));
  for (int i = 0; i < N_A; i++)
    for (int j = 0; j < N_S; j++)
      for (int b = 0; b < bins; b++)
        t->table[((gsize) i * N_S + j) * bins + b] = disc_blurred ((b + 0.5) * BIN_PX, t->a[i], t->s[j]);
}

/* Solves the 3 × 3 symmetric system m·x = v (Cramer); FALSE when singular. */
static gboolean
solve3 (const double m[3][3], const double v[3], double x[3])
{
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
               m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  if (!(fabs (det) > 1e-300))
    return FALSE;
  for (int c = 0; c < 3; c++)
    {
      double t[3][3];
      memcpy (t, m, sizeof t);
      for (int r = 0; r < 3; r++)
        t[r][c] = v[r];
      x[c] = (t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) - t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
              t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0])) / det;
    }
  return TRUE;
}

/* Weighted least squares of B + A·P(r) + C·S(r) (S: the wide shadow's Gaussian);
 * the residual, and A in *amp. */
static double
fit_linear (const double *p, const double *shadow, const double *prof, const double *wt, int bins, double *amp)
{
  double m[3][3] = { { 0 } }, v[3] = { 0 }, x[3], res = 0;

  for (int b = 0; b < bins; b++)
    {
      double f[3] = { 1.0, p[b], shadow[b] }, w = wt[b];
      for (int i = 0; i < 3; i++)
        {
          v[i] += w * f[i] * prof[b];
          for (int j = 0; j < 3; j++)
            m[i][j] += w * f[i] * f[j];
        }
    }
  if (!solve3 ((const double (*)[3]) m, v, x))
    return INFINITY;
  for (int b = 0; b < bins; b++)
    {
      double e = prof[b] - x[0] - x[1] * p[b] - x[2] * shadow[b];
      res += wt[b] * e * e;
    }
  *amp = x[1];
  return x[1] > 0 && x[2] >= -0.05 * x[1] ? res : INFINITY;
}

/* The best (a, s, A) over the grid. */
static double
profile_fit (const ProfileTable *t, const double *shadow, const double *prof, const double *wt, double *a, double *s,
             double *amp)
{
  double best = INFINITY;

  for (int i = 0; i < N_A; i++)
    for (int j = 0; j < N_S; j++)
      {
        double A, res = fit_linear (t->table + ((gsize) i * N_S + j) * t->bins, shadow, prof, wt, t->bins, &A);
        if (res < best)
          best = res, *a = t->a[i], *s = t->s[j], *amp = A;
      }
  return best;
}

/* The fit's residual with the core's shape at (e^la, e^ls) exactly; p: scratch. */
static double
profile_at (double *p, const double *shadow, const double *prof, const double *wt, int bins, double la, double ls,
            double *amp)
{
  for (int b = 0; b < bins; b++)
    p[b] = disc_blurred ((b + 0.5) * BIN_PX, exp (la), exp (ls));
  return fit_linear (p, shadow, prof, wt, bins, amp);
}

/* The grid's best, refined off the grid: a pattern search in (log a, log s) on the
 * exact profile, so the edge σ is not quantised to the grid's steps (depth is
 * fitted from it, smp-match-fit.c). */
static double
profile_refine (const double *shadow, const double *prof, const double *wt, int bins, double *a, double *s,
                double *amp)
{
  g_autofree double *p = g_new (double, bins);
  double la = log (*a), ls = log (*s), step = 0.1, best;

  best = profile_at (p, shadow, prof, wt, bins, la, ls, amp);
  for (int it = 0; it < 400 && step > 0.002 && isfinite (best); it++) /* bounded: ≤ 1600 profiles */
    {
      gboolean moved = FALSE;
      for (int k = 0; k < 4; k++)
        {
          double ta = la + (k == 0 ? step : k == 1 ? -step : 0), ts = ls + (k == 2 ? step : k == 3 ? -step : 0), A;
          double r;
          if (ts < log (0.1) || ts > log (12.0) || ta < log (0.2))
            continue;
          r = profile_at (p, shadow, prof, wt, bins, ta, ts, &A);
          if (r < best)
            best = r, la = ta, ls = ts, *amp = A, moved = TRUE;
        }
      if (!moved)
        step *= 0.5;
    }
  *a = exp (la), *s = exp (ls);
  return best;
}

/* ---- Measuring ------------------------------------------------------------------------ */

static double
pixel_lum (const float *px)
{
  return lum[0] * px[0] + lum[1] * px[1] + lum[2] * px[2];
}

void
smp_match_skin_mask (const SmpMatchInput *in, const guint8 *treated, guint8 *skin_mask)
{
  const gsize n = (gsize) in->width * in->height;

  /* Untreated skin: the given area, else a ring past the treated area's shadows. */
  if (in->untreated)
    for (gsize i = 0; i < n; i++)
      skin_mask[i] = in->untreated[i] >= 0.5f && !treated[i];
  else
    {
      g_autofree float *d = distance_to (treated, in->width, in->height);
      for (gsize i = 0; i < n; i++)
        skin_mask[i] = !treated[i] && d[i] >= RING_FROM_MM * in->px_per_mm && d[i] <= RING_TO_MM * in->px_per_mm;
    }
}

gboolean
smp_match_measure (const SmpMatchInput *in, SmpMatchMeasure *out, GError **error)
{
  const double ppm = in->px_per_mm;
  const int    w = in->width, h = in->height;
  const gsize  n = (gsize) w * h;
  g_autofree guint8 *treated = NULL, *skin_mask = NULL, *kept = NULL, *seeds = NULL;
  g_autofree float  *dark = NULL, *dist = NULL, *smooth = NULL, *sample = NULL;
  g_autoptr (GArray) blobs = NULL;
  g_autoptr (GArray) good = NULL;
  gsize  n_treated = 0, n_skin = 0, n_kept = 0;
  double skin[3], skin_l, spacing, a_guess;

  g_return_val_if_fail (in != NULL && out != NULL, FALSE);
  g_return_val_if_fail (in->rgb != NULL && in->treated != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if (!(isfinite (ppm) && ppm > 0))
    {
      g_set_error_literal (error, SMP_ERROR, SMP_ERROR_MEASURE,
                           _("The photo's scale is unknown: calibrate it first (Calibrate Scale… with a ruler "
                           "in the photo) or give its px/mm"));
      return FALSE;
    }
  if (w < 8 || h < 8)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_MEASURE, _("The area to measure is %d × %d px: too small"), w, h);
      return FALSE;
    }

  treated = g_new0 (guint8, n);
  skin_mask = g_new0 (guint8, n);
  for (gsize i = 0; i < n; i++)
    n_treated += treated[i] = smp_match_is_treated (in, i);
  if (n_treated < 64)
    {
      g_set_error_literal (error, SMP_ERROR, SMP_ERROR_MEASURE,
                           _("The selection is empty: select the treated scalp to measure"));
      return FALSE;
    }

  smp_match_skin_mask (in, treated, skin_mask);
  sample = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    if (skin_mask[i])
      n_skin++;
  if (n_skin < 100 || n_skin / (ppm * ppm) < SMP_MATCH_MIN_SKIN_MM2)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_MEASURE,
                   _("There is no untreated skin to compare with (%.1f mm² found, %.0f mm² needed): %s"),
                   n_skin / (ppm * ppm), SMP_MATCH_MIN_SKIN_MM2,
                   in->untreated ? _("the untreated-skin area lies inside the selection or is empty")
                                 : _("leave bare skin around the selection in the photo, or mark some with a path"));
      return FALSE;
    }
  for (int k = 0; k < 3; k++)
    {
      gsize m = 0;
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          if (skin_mask[(gsize) y * w + x])
            sample[m++] = in->rgb[(gsize) y * in->stride + 3 * x + k];
      skin[k] = smp_match_median (sample, m);
      out->skin[k] = skin[k];
      /* The photo's own pixel noise (sensor, JPEG): the robust σ of a pixel less
       * its right neighbour, both untreated, ÷ √2. The fit adds as much to its
       * renders (smp-match-fit.c), so faint impressions are missed alike. */
      m = 0;
      for (int y = 0; y < h; y++)
        for (int x = 0; x + 1 < w; x++)
          if (skin_mask[(gsize) y * w + x] && skin_mask[(gsize) y * w + x + 1])
            sample[m++] = in->rgb[(gsize) y * in->stride + 3 * (x + 1) + k] - in->rgb[(gsize) y * in->stride + 3 * x + k];
      /* RMS, not MAD: 8-bit steps make most differences 0 on smooth skin. The
       * top 1% (edges, hairs) is left out. */
      out->skin_noise[k] = 0.0;
      if (m >= 16)
        {
          double top, acc = 0;
          gsize  used = 0;
          for (gsize i = 0; i < m; i++)
            sample[i] = fabsf (sample[i]);
          top = select_kth (sample, m, (gsize) (0.99 * (m - 1)));
          for (gsize i = 0; i < m; i++)
            if (sample[i] <= top)
              acc += (double) sample[i] * sample[i], used++;
          out->skin_noise[k] = used ? sqrt (acc / used / 2.0) : 0.0;
        }
    }
  skin_l = lum[0] * skin[0] + lum[1] * skin[1] + lum[2] * skin[2];
  if (!(skin_l > 1e-4))
    {
      g_set_error_literal (error, SMP_ERROR, SMP_ERROR_MEASURE,
                           _("The untreated skin is black in the photo: nothing to compare the work with"));
      return FALSE;
    }

  /* Darkening against the skin, luminance. */
  dark = g_new (float, n);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      dark[(gsize) y * w + x] = (float) (1.0 - pixel_lum (in->rgb + (gsize) y * in->stride + 3 * x) / skin_l);

  blobs = detect_blobs (dark, treated, skin_mask, w, h, ppm);

  /* The impressions' spacing, over the whole selection, sets the scale at which
   * the work reads as a tone. */
  {
    g_autoptr (GArray) inner = g_array_new (FALSE, FALSE, sizeof (Blob));
    g_autofree float *nn = NULL;
    for (guint i = 0; i < blobs->len; i++)
      g_array_append_val (inner, g_array_index (blobs, Blob, i));
    nearest_neighbours ((Blob *) inner->data, inner->len, w, h, 10.0 * ppm);
    nn = g_new (float, MAX (inner->len, 1));
    for (guint i = 0; i < inner->len; i++)
      nn[i] = g_array_index (inner, Blob, i).nn;
    spacing = inner->len >= 2 ? smp_match_median (nn, inner->len) : 10.0 * ppm;
  }

  /* What is not treated skin inside the selection, seen at that scale:
   * - bare skin: darkened less than half as much as the selection typically is
   *   (the halfway level puts the border where it is);
   * - shine: a smoothed pixel is the typical treated colour plus a neutral part
   *   (Shafer's dichromatic model, smp_shine_specular); where that part is more
   *   than a few percent, pigment and shine cannot be told apart reliably. */
  kept = g_new0 (guint8, n);
  {
    const double sigma = MAX (HIGHLIGHT_MM * ppm, spacing);
    float *rgb_s[3] = { NULL, NULL, NULL };
    double chroma[3], sum = 0, med_dark;
    gsize m = 0;

    smooth = smooth_coarse (dark, w, h, sigma);
    for (int k = 0; k < 3; k++)
      {
        g_autofree float *plane = g_new (float, n);
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++)
            plane[(gsize) y * w + x] = in->rgb[(gsize) y * in->stride + 3 * x + k];
        rgb_s[k] = smooth_coarse (plane, w, h, HIGHLIGHT_MM * ppm);
        m = 0;
        for (gsize i = 0; i < n; i++)
          if (treated[i])
            sample[m++] = rgb_s[k][i];
        chroma[k] = smp_match_median (sample, m);
        sum += chroma[k];
      }
    for (int k = 0; k < 3; k++)
      chroma[k] /= sum;
    m = 0;
    for (gsize i = 0; i < n; i++)
      if (treated[i])
        sample[m++] = smooth[i];
    med_dark = smp_match_median (sample, m);
    for (gsize i = 0; i < n; i++)
      if (treated[i])
        {
          const float px[3] = { rgb_s[0][i], rgb_s[1][i], rgb_s[2][i] };
          float spec = smp_shine_specular (px, chroma);
          double level = (px[0] + px[1] + px[2]) / 3.0;
          /* Shine brightens; a neutral-looking tint alone is just more pigment. */
          gboolean shine = spec > SHINE_SHARE * level && smooth[i] < 0.8 * med_dark;
          kept[i] = smooth[i] > 0.5 * med_dark && !shine;
        }
    for (int k = 0; k < 3; k++)
      g_free (rgb_s[k]);
  }

  /* And large bare patches: farther from any impression than their spacing. */
  seeds = g_new0 (guint8, n);
  for (guint i = 0; i < blobs->len; i++)
    {
      const Blob *b = &g_array_index (blobs, Blob, i);
      seeds[(gsize) (int) b->y * w + (int) b->x] = 1;
    }
  dist = distance_to (seeds, w, h);
  for (gsize i = 0; i < n; i++)
    {
      if (kept[i] && dist[i] > 2.0 * spacing)
        kept[i] = 0;
      n_kept += kept[i];
    }

  good = g_array_new (FALSE, FALSE, sizeof (Blob));
  for (guint i = 0; i < blobs->len; i++)
    {
      Blob *b = &g_array_index (blobs, Blob, i);
      if (kept[(gsize) (int) b->y * w + (int) b->x])
        g_array_append_val (good, *b);
    }
  /* Again over the measured area alone: bare skin and highlights in the
   * selection must not lower the bar for the work itself. */
  response_floor (good);
  out->impressions = good->len;
  out->area_cm2 = n_kept / (ppm * ppm) / 100.0;
  out->excluded_share = 1.0 - (double) n_kept / n_treated;
  if (good->len < SMP_MATCH_MIN_IMPRESSIONS)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_MEASURE,
                   _("Only %u impressions found in the selection; at least %d are needed. Select a larger "
                   "treated area%s"),
                   good->len, SMP_MATCH_MIN_IMPRESSIONS,
                   ppm < 20 ? _("; if the photo does show more, its resolution may be too low (healed cores of "
                              "0.10 mm need about 20 px/mm)") : "");
      return FALSE;
    }
  nearest_neighbours ((Blob *) good->data, good->len, w, h, 10.0 * ppm);

  /* The impressions against what the untreated skin shows at their scale: when the
   * "untreated" skin holds impressions too, or the work is faint, the typical one
   * barely clears it (reported; deep healed work reads 1.1-1.4, shallow 2-3). */
  {
    g_autofree float *ratio = g_new (float, good->len);
    for (guint i = 0; i < good->len; i++)
      ratio[i] = g_array_index (good, Blob, i).response / MAX (g_array_index (good, Blob, i).floor, 1e-6f);
    out->skin_contrast = smp_match_median (ratio, good->len);
  }

  /* Density and spacing. */
  out->density_per_cm2 = good->len / out->area_cm2;
  out->density_err = sqrt ((double) good->len) / out->area_cm2;
  {
    g_autofree float *nn = g_new (float, good->len);
    double mean = 0, med, sig, rho = good->len / (double) n_kept;
    for (guint i = 0; i < good->len; i++)
      mean += (nn[i] = g_array_index (good, Blob, i).nn) / good->len;
    smp_match_median_mad (nn, good->len, &med, &sig);
    out->spacing_mm = med / ppm;
    out->spacing_cv = sig / med;
    out->clark_evans = mean / (0.5 / sqrt (rho));
  }

  /* Tone and colour over the measured area; errors from 2 mm cells. */
  {
    const int cs = MAX (2, (int) lround (2.0 * ppm));
    const int cw = (w + cs - 1) / cs, ch = (h + cs - 1) / cs;
    g_autofree double *cell = g_new0 (double, (gsize) cw * ch * 4);
    double sum[3] = { 0 }, suml = 0;
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        if (kept[(gsize) y * w + x])
          {
            const float *px = in->rgb + (gsize) y * in->stride + 3 * x;
            double *c = cell + ((gsize) (y / cs) * cw + x / cs) * 4;
            for (int k = 0; k < 3; k++)
              sum[k] += px[k], c[k] += px[k];
            c[3] += 1;
            suml += pixel_lum (px);
          }
    for (int k = 0; k < 3; k++)
      {
        double m = 0, m2 = 0, nc = 0;
        out->transmittance[k] = sum[k] / n_kept / skin[k];
        for (int c = 0; c < cw * ch; c++)
          if (cell[c * 4 + 3] >= 0.5 * cs * cs)
            {
              double t = cell[c * 4 + k] / cell[c * 4 + 3] / skin[k];
              m += t, m2 += t * t, nc++;
            }
        out->transmittance_err[k] = nc > 1 ? sqrt (MAX (0.0, m2 / nc - (m / nc) * (m / nc)) / (nc - 1)) : NAN;
      }
    out->mean_drop = 1.0 - suml / n_kept / skin_l;
  }

  /* Local contrast: the darkening's spread over 1 mm cells, relative to its mean. */
  {
    const int cs = MAX (1, (int) lround (CELL_MM * ppm));
    const int cw = w / cs, ch = h / cs;
    double m = 0, m2 = 0, nc = 0;
    for (int cy = 0; cy < ch; cy++)
      for (int cx = 0; cx < cw; cx++)
        {
          double s = 0, c = 0;
          for (int y = cy * cs; y < (cy + 1) * cs; y++)
            for (int x = cx * cs; x < (cx + 1) * cs; x++)
              if (kept[(gsize) y * w + x])
                s += dark[(gsize) y * w + x], c++;
          if (c >= 0.9 * cs * cs)
            m += s / c, m2 += (s / c) * (s / c), nc++;
        }
    out->contrast = nc > 1 && out->mean_drop > 0 ? sqrt (MAX (0.0, m2 / nc - (m / nc) * (m / nc))) / out->mean_drop
                                                  : NAN;
  }

  /* The core: a stacked radial profile of well-separated impressions, fitted by a
   * blurred disc on a background (the shadow and neighbours). The stack lands at
   * every sub-pixel offset, so it resolves the profile finer than a pixel. */
  {
    g_autofree float *sig = g_new (float, good->len);
    double a = 0, s = 0, amp = 0, ga[N_GROUPS], ssum = 0, ssum2 = 0, r50 = 0;
    ProfileTable table;
    int bins, n_iso = 0;
    double win, a_max;
    g_autofree double *prof = NULL, *wt = NULL, *gprof = NULL, *gwt = NULL, *cprof = NULL, *shadow = NULL;

    for (guint i = 0; i < good->len; i++)
      sig[i] = g_array_index (good, Blob, i).sigma;
    a_guess = G_SQRT2 * smp_match_median (sig, good->len);
    win = CLAMP (3.0 * a_guess + 2.0, 3.0, MAX (3.0, 0.5 * spacing));
    a_max = MAX (1.0, win / 1.3);
    bins = (int) ceil (win / BIN_PX);
    prof = g_new0 (double, bins);
    wt = g_new0 (double, bins);
    gprof = g_new0 (double, (gsize) N_GROUPS * bins);
    gwt = g_new0 (double, (gsize) N_GROUPS * bins);
    cprof = g_new0 (double, (gsize) 3 * bins);
    for (int pass = 0; pass < 2 && n_iso < 20; pass++)
      {
        n_iso = 0;
        memset (prof, 0, sizeof (double) * bins);
        memset (wt, 0, sizeof (double) * bins);
        memset (gprof, 0, sizeof (double) * N_GROUPS * bins);
        memset (gwt, 0, sizeof (double) * N_GROUPS * bins);
        memset (cprof, 0, sizeof (double) * 3 * bins);
        for (guint i = 0; i < good->len; i++)
          {
            const Blob *b = &g_array_index (good, Blob, i);
            int grp = n_iso % N_GROUPS;
            if (pass == 0 && b->nn < win + a_guess)
              continue;
            n_iso++;
            for (int y = (int) floor (b->y - win); y <= (int) floor (b->y + win); y++)
              for (int x = (int) floor (b->x - win); x <= (int) floor (b->x + win); x++)
                {
                  double r;
                  int bin;
                  gsize j;
                  if (x < 0 || y < 0 || x >= w || y >= h)
                    continue;
                  r = hypot (x + 0.5 - b->x, y + 0.5 - b->y);
                  bin = (int) (r / BIN_PX);
                  if (bin >= bins)
                    continue;
                  j = (gsize) y * w + x;
                  prof[bin] += dark[j], wt[bin] += 1;
                  gprof[grp * bins + bin] += dark[j], gwt[grp * bins + bin] += 1;
                  for (int k = 0; k < 3; k++)
                    cprof[k * bins + bin] += 1.0 - in->rgb[(gsize) y * in->stride + 3 * x + k] / skin[k];
                }
          }
      }
    for (int b = 0; b < bins; b++)
      {
        if (wt[b] > 0)
          {
            prof[b] /= wt[b];
            for (int k = 0; k < 3; k++)
              cprof[k * bins + b] /= wt[b];
          }
        for (int g = 0; g < N_GROUPS; g++)
          if (gwt[g * bins + b] > 0)
            gprof[g * bins + b] /= gwt[g * bins + b];
      }
    profile_table_init (&table, bins, a_max);
    shadow = g_new (double, bins);
    for (int b = 0; b < bins; b++)
      {
        double r = (b + 0.5) * BIN_PX, sg = SHADOW_MM * ppm;
        shadow[b] = exp (-0.5 * r * r / (sg * sg));
      }
    profile_fit (&table, shadow, prof, wt, &a, &s, &amp);
    profile_refine (shadow, prof, wt, bins, &a, &s, &amp);
    for (int g = 0; g < N_GROUPS; g++)
      {
        double ag = a, sg = s, Ag = amp;
        double p0, r = 0;
        profile_fit (&table, shadow, gprof + g * bins, gwt + g * bins, &ag, &sg, &Ag);
        profile_refine (shadow, gprof + g * bins, gwt + g * bins, bins, &ag, &sg, &Ag);
        p0 = disc_blurred (0.0, ag, sg);
        while (r < 4 * win && disc_blurred (r, ag, sg) > 0.5 * p0)
          r += 0.02;
        ga[g] = r, ssum += r, ssum2 += r * r;
      }
    {
      /* The stack's shape, for the colour: amplitudes per channel with (a, s) fixed. */
      g_autofree double *shape = g_new (double, bins);
      for (int b = 0; b < bins; b++)
        shape[b] = disc_blurred ((b + 0.5) * BIN_PX, a, s);
      for (int k = 0; k < 3; k++)
        {
          double A = 0;
          fit_linear (shape, shadow, cprof + k * bins, wt, bins, &A);
          out->core_transmittance[k] = 1.0 - A;
        }
    }
    (void) ga;
    /* The size: the half-maximum diameter of the fitted core profile. Disc radius
     * and blur trade off when the edge is soft; the profile's shape does not. */
    {
      double p0 = disc_blurred (0.0, a, s), r = 0, r75 = 0, r25 = 0, v;
      while (r < 4 * win && (v = disc_blurred (r, a, s)) > 0.25 * p0)
        {
          if (v > 0.75 * p0)
            r75 = r;
          if (v > 0.5 * p0)
            r50 = r;
          r += 0.02;
        }
      r25 = r;
      out->core_softness = r25 / MAX (r75, 0.02);
    }
    out->core_diameter_mm = 2.0 * r50 / ppm;
    {
      double var = (ssum2 - ssum * ssum / N_GROUPS) / (N_GROUPS - 1);
      /* Jackknife-like: the spread of the group fits ÷ √groups. */
      out->core_diameter_err = 2.0 * sqrt (MAX (0.0, var) / N_GROUPS) / ppm;
    }
    out->edge_mm = s / ppm;
    out->shadow_share = out->mean_drop > 0
                          ? 1.0 - out->density_per_cm2 / 100.0 * G_PI * (a / ppm) * (a / ppm) * amp / out->mean_drop
                          : NAN;
    g_free (table.table);

    if (2.0 * r50 < SMP_MATCH_MIN_CORE_PX)
      {
        double core_mm = MAX (2.0 * r50 / ppm, 0.05);
        g_set_error (error, SMP_ERROR, SMP_ERROR_MEASURE,
                     _("The photo's resolution is too low for the impressions: their cores are about %.1f px "
                     "across at %.1f px/mm (%.2f mm or less). Measuring them needs at least %.0f px/mm "
                     "(%.1f px across a core): use a closer or sharper photo"),
                     2.0 * r50, ppm, core_mm, ceil (1.1 * SMP_MATCH_MIN_CORE_PX / core_mm),
                     SMP_MATCH_MIN_CORE_PX);
        return FALSE;
      }

    /* Core spread: per-impression darkening integrals over the fitted core (an
     * integral ∝ diameter², so the diameter goes as its root). */
    {
      const double r1 = a + 2.0 * s, r2 = r1 + 2.0;
      g_autofree float *d = g_new (float, good->len);
      g_autofree float *ring = g_new (float, (gsize) (4 * (r2 + 1) * (r2 + 1)) + 16);
      guint nd = 0;
      double med, spread;
      for (guint i = 0; i < good->len; i++)
        {
          const Blob *b = &g_array_index (good, Blob, i);
          double e = 0, bg;
          gsize nr = 0, nin = 0;
          if (b->nn < r2 + a)
            continue;
          for (int y = (int) floor (b->y - r2); y <= (int) floor (b->y + r2); y++)
            for (int x = (int) floor (b->x - r2); x <= (int) floor (b->x + r2); x++)
              {
                double r;
                if (x < 0 || y < 0 || x >= w || y >= h)
                  continue;
                r = hypot (x + 0.5 - b->x, y + 0.5 - b->y);
                if (r < r1)
                  e += dark[(gsize) y * w + x], nin++;
                else if (r < r2)
                  ring[nr++] = dark[(gsize) y * w + x];
              }
          if (nr < 4)
            continue;
          bg = smp_match_median (ring, nr);
          e -= bg * nin;
          if (e > 0)
            d[nd++] = (float) sqrt (e);
        }
      if (nd >= 10)
        {
          smp_match_median_mad (d, nd, &med, &spread);
          out->core_spread = sqrt (MAX (0.0, (spread / med) * (spread / med) - DILUTION_CV * DILUTION_CV));
          out->core_spread_err = out->core_spread / sqrt (2.0 * (nd - 1)) + 0.02;
        }
      else
        out->core_spread = NAN, out->core_spread_err = NAN;
    }
  }
  return TRUE;
}
