/* make-sample.c: the project's own demo photo, generated: a frontal consultation
 * view of a shaved, receding head, its proposed hairline (SVG) and its scale key. */

/* Everything is procedural and seeded by constants, so every run writes the same
 * bytes. The head is a height field in mm (an ellipsoid cranium plus facial
 * relief) lit by a key, a fill and a rim light, with skin albedo, pores, stubble
 * on the remaining fringe, eyes, brows and lashes (the hair is drawn with cairo).
 *
 *   smp-make-sample OUTDIR      writes OUTDIR/sample-head.png, sample-hairline.svg
 *                               (paths "hairline" and "scalp") and sample-head.ini
 *                               (scale, pupils, glabella, outer eye corners)  */

#include <cairo.h>
#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define W        3000
#define H        2000
#define PX_PER_MM 12.0
#define IPD_MM   63.0

/* Head layout, mm: x from the face's midline, y down from the image top. */
#define VERTEX_Y   15.0
#define CRANIUM_Y  98.0   /* where the cranium's ellipse meets the face */
#define HALF_WIDTH 76.0
#define DEPTH      88.0
#define GLABELLA_Y 120.0
#define PUPIL_Y    137.2

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

typedef struct { float r, g, b; } rgb;

/* ---- deterministic noise ------------------------------------------------ */

static inline uint32_t
hash3 (int32_t x, int32_t y, uint32_t seed)
{
  uint32_t h = seed * 0x9e3779b9u ^ (uint32_t) x * 0x8da6b343u ^ (uint32_t) y * 0xd8163841u;
  h ^= h >> 16; h *= 0x7feb352du; h ^= h >> 15; h *= 0x846ca68bu; h ^= h >> 16;
  return h;
}

static inline float
hash01 (int32_t x, int32_t y, uint32_t seed)
{
  return (hash3 (x, y, seed) >> 8) * (1.0f / 16777216.0f);
}

static inline float
fade5 (float t)
{
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/* Value noise in 0..1, one unit per lattice cell. */
static float
vnoise (float x, float y, uint32_t seed)
{
  float fx = floorf (x), fy = floorf (y);
  int32_t ix = (int32_t) fx, iy = (int32_t) fy;
  float u = fade5 (x - fx), v = fade5 (y - fy);
  float a = hash01 (ix, iy, seed), b = hash01 (ix + 1, iy, seed);
  float c = hash01 (ix, iy + 1, seed), d = hash01 (ix + 1, iy + 1, seed);
  return a + (b - a) * u + (c - a) * v + (a - b - c + d) * u * v;
}

/* Fractal noise, centred on 0, roughly -0.5..0.5. */
static float
fbm (float x, float y, int octaves, uint32_t seed)
{
  float sum = 0, amp = 0.5f, norm = 0;
  for (int i = 0; i < octaves; i++)
    {
      sum += amp * (vnoise (x, y, seed + i * 101) - 0.5f);
      norm += amp;
      x = x * 2.03f + 17.1f; y = y * 2.03f - 9.7f; amp *= 0.5f;
    }
  return sum / norm;
}

static inline double clampd (double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }
static inline double smooth (double e0, double e1, double x)
{
  double t = clampd ((x - e0) / (e1 - e0), 0, 1);
  return t * t * (3 - 2 * t);
}
static inline double gauss2 (double x, double y, double cx, double cy, double sx, double sy)
{
  double dx = (x - cx) / sx, dy = (y - cy) / sy, d2 = dx * dx + dy * dy;
  return d2 > 16 ? 0 : exp (-d2);
}
static inline double sq (double v) { return v * v; }

/* Deterministic uniform stream for the hair strokes. */
static uint32_t rng_state = 0x5eed1234u;
static double
rnd (void)
{
  rng_state = rng_state * 1664525u + 1013904223u;
  return (hash3 ((int32_t) rng_state, 7, 3) >> 8) / 16777216.0;
}

/* ---- the head's outline and relief ---------------------------------------- */

/* Half-width of the face below the cranium: temple hollow, cheekbones, taper. */
static double
face_half_width (double y)
{
  double d = y - CRANIUM_Y;
  return HALF_WIDTH - 1.2 * exp (-sq ((y - 120) / 10)) + 1.2 * exp (-sq ((y - 152) / 12))
         - 0.0012 * d * d;
}

/* Normalised radius: < 1 inside the head's outline. */
static double
head_radius (double x, double y)
{
  if (y < CRANIUM_Y)
    {
      const double p = 2.55;
      return pow (pow (fabs (x) / HALF_WIDTH, p) + pow ((CRANIUM_Y - y) / (CRANIUM_Y - VERTEX_Y), p), 1 / p);
    }
  return fabs (x) / face_half_width (y);
}

/* The eye opening of side s (-1 left in the image, +1 right): lid curves. */
typedef struct { double ix, iy, ox, oy; } EyeFrame;

static EyeFrame
eye_frame (int s)
{
  EyeFrame e;
  e.ix = s * 15.5; e.iy = 138.0 + (s > 0 ? 0.3 : 0.0);
  e.ox = s * 45.5; e.oy = 136.2 + (s > 0 ? 0.3 : 0.0);
  return e;
}

/* t along the eye (0 inner canthus .. 1 outer), and the upper and lower lid y. */
static int
eye_lids (const EyeFrame *e, double x, double *t, double *yu, double *yd)
{
  *t = (x - e->ix) / (e->ox - e->ix);
  double tc = clampd (*t, 0, 1);
  double yl = e->iy + tc * (e->oy - e->iy);
  *yu = yl - 4.6 * pow (sin (M_PI * pow (tc, 0.85)), 0.8);
  *yd = yl + 4.3 * pow (sin (M_PI * pow (tc, 1.15)), 1.1);
  return *t > -0.05 && *t < 1.05;
}

/* Lid crease above the upper lid. */
static double
eye_crease (const EyeFrame *e, double t)
{
  double tc = clampd (t, 0, 1);
  double yl = e->iy + tc * (e->oy - e->iy);
  return yl - 9.6 * pow (sin (M_PI * pow (tc, 0.8)), 0.7) - 0.8;
}

/* Height of the face's relief, mm toward the camera, added to the ellipsoid. */
static double
relief (double x, double y)
{
  double z = 0;
  for (int s = -1; s <= 1; s += 2)
    {
      z += 3.2 * gauss2 (x, y, s * 31, 120.5, 22, 5.5);        /* brow ridge */
      z += 1.8 * gauss2 (x, y, s * 21, 78, 20, 22);            /* frontal bossing */
      z -= 8.5 * gauss2 (x, y, s * 31.5, 138.5, 16, 10.5);     /* eye socket */
      z -= 3.2 * gauss2 (x, y, s * 64, 118, 9, 16);            /* temple hollow */
      z += 4.5 * gauss2 (x, y, s * 47, 163, 17, 12);           /* cheekbone */

      EyeFrame e = eye_frame (s);
      double t, yu, yd;
      if (eye_lids (&e, x, &t, &yu, &yd))
        {
          double w = smooth (-0.05, 0.12, t) * smooth (1.05, 0.9, t);
          /* the lid margins, the crease */
          /* the lids follow the eyeball's curve (the eye itself is shaded apart) */
          double rx = (x - s * 31.5) / 16.0, ry = (y - 137.2) / 13.0;
          double ball = 1 - rx * rx - ry * ry;
          if (ball > 0) z += w * 3.0 * ball * ball;
          z += w * 1.1 * exp (-sq ((y - (yu - 0.9)) / 1.1));
          z += w * 0.35 * exp (-sq ((y - (yd + 1.2)) / 1.6));
          z -= w * 1.2 * exp (-sq ((y - eye_crease (&e, t)) / 1.3));
          z -= w * 0.7 * exp (-sq ((y - (yd + 6.5)) / 2.5));  /* tear trough */
        }
    }
  z += 1.2 * gauss2 (x, y, 0, 121, 9, 6);                      /* glabella */
  /* nose: a ridge that rises and widens from the root down */
  double ny = smooth (124, 180, y);
  double nw = 5.5 + 10 * ny;
  z += 22 * pow (ny, 0.9) * exp (-sq (x / nw)) + 2.0 * gauss2 (x, y, 0, 130, 6, 6);
  /* three faint forehead creases */
  for (int k = 0; k < 2; k++)
    {
      double yk = 101 - 10 * k + 2.5 * sin (x / 23 + k) + 0.004 * x * x;
      double dy = (y - yk) / 1.0;
      if (fabs (dy) < 4)
        z -= 0.13 * exp (-dy * dy) * exp (-sq (x / 34)) * (0.4 + 1.2 * vnoise (x * 0.12, k * 7.0, 8));
    }
  return z;
}


static double
ear_out (double t)
{
  return -3 + 24 * pow (sin (M_PI * clampd (t, 0, 1)), 0.45) * (1 - 0.5 * t);
}

/* The ear of side s, seen nearly edge-on from the front: TRUE inside, with its
 * coverage and a height field (mm) for shading. It sits behind the head. */
static int
ear_at (int s, double x, double y, double *cover, double *h, double *concha)
{
  if (y < 106 || y > 190)
    return 0;
  double t = (y - 106) / 74.0;
  double xl = s * x - face_half_width (y);   /* outward from the head's side */
  double out = ear_out (t);
  if (xl < -9 || xl > out + 0.2)
    return 0;
  *cover = clampd ((out - xl) * PX_PER_MM + 0.5, 0, 1);
  *concha = gauss2 (xl, y, out * 0.38, 143, 4.2, 12);
  *h = -0.9 * xl + 2.3 * exp (-sq ((xl - (out - 2.0)) / 1.5)) - 3.2 * *concha
       - 0.9 * exp (-sq ((xl - (out - 4.2)) / 1.1)) * smooth (160, 130, y)
       + 1.1 * exp (-sq ((xl - out * 0.55) / 1.2)) * smooth (150, 125, y);
  return *cover > 0;
}

/* Remaining hair on the sides (a receded crown): 0..1, noisy-edged. */
static double
fringe_mask (double x, double y, double r)
{
  double n = fbm (x * 0.25f, y * 0.25f, 3, 77);
  double n2 = fbm (x * 1.1f, y * 1.1f, 2, 78);
  double side = smooth (0.8, 0.93, r + 0.08 * n + 0.03 * n2 - 0.05 * smooth (110, 60, y));
  double top = smooth (45, 72, y + 12 * n);
  double low = 1 - smooth (128, 138, y + 4 * n); /* the sideburns end beside the eye */
  double cheek = smooth (0.93, 0.99, r) ;          /* sideburns stay at the side */
  double below = low * (0.35 + 0.65 * cheek);
  return side * top * (1 + (below - 1) * smooth (106, 124, y));
}

/* ---- colour helpers --------------------------------------------------------- */

static inline float
srgb_to_lin (float c)
{
  return c <= 0.04045f ? c / 12.92f : powf ((c + 0.055f) / 1.055f, 2.4f);
}

static inline float
lin_to_srgb (float c)
{
  c = c < 0 ? 0 : c > 1 ? 1 : c;
  return c <= 0.0031308f ? c * 12.92f : 1.055f * powf (c, 1 / 2.4f) - 0.055f;
}

static inline rgb
mix (rgb a, rgb b, double t)
{
  rgb o = { a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t };
  return o;
}

static inline rgb
scale (rgb a, double k)
{
  rgb o = { a.r * k, a.g * k, a.b * k };
  return o;
}

static inline rgb
mul (rgb a, rgb b)
{
  rgb o = { a.r * b.r, a.g * b.g, a.b * b.b };
  return o;
}

static inline rgb
add (rgb a, rgb b)
{
  rgb o = { a.r + b.r, a.g + b.g, a.b + b.b };
  return o;
}

static rgb
lin_from_hex (unsigned hex)
{
  rgb c = { srgb_to_lin (((hex >> 16) & 255) / 255.f), srgb_to_lin (((hex >> 8) & 255) / 255.f),
            srgb_to_lin ((hex & 255) / 255.f) };
  return c;
}

/* ---- the eye ------------------------------------------------------------------ */

/* Colour of the eye surface (sclera, iris, pupil, catchlight) at (x, y), lit. */
static rgb
eye_color (int s, double x, double y, double yu, double yd, double t)
{
  double cx = s * 31.5 + s * 0.15, cy = PUPIL_Y;
  double dx = x - cx, dy = y - cy, rho = sqrt (dx * dx + dy * dy);
  double ang = atan2 (dy, dx);
  rgb sclera = lin_from_hex (0xc2b2a9);
  /* redder toward the corners, with the pink caruncle at the inner one */
  double corner = exp (-sq (t / 0.12)) + 0.6 * exp (-sq ((1 - t) / 0.12));
  sclera = mix (sclera, lin_from_hex (0xc99388), 0.55 * corner);
  EyeFrame e = eye_frame (s);
  double car = gauss2 (x, y, e.ix + s * 1.6, e.iy - 0.2, 2.0, 1.5);
  sclera = mix (sclera, lin_from_hex (0xb86a64), clampd (car * 1.3, 0, 1));
  /* faint vessels */
  double ves = fbm (x * 1.6, y * 1.6, 3, 91);
  sclera = mix (sclera, lin_from_hex (0xc07a70), 0.25 * smooth (0.18, 0.32, ves) * (0.3 + corner));

  const double iris_r = 5.9, pupil_r = 2.1;
  double fib = fbm (ang * 14.0, rho * 1.3, 4, 33);
  double fib2 = fbm (ang * 38.0, rho * 3.0, 3, 34);
  rgb iris = lin_from_hex (0x6b4a2c);
  iris = mix (iris, lin_from_hex (0x8a6a3a), smooth (3.6, 2.4, rho) * 0.7);   /* amber collarette */
  iris = scale (iris, 0.85 + 1.1 * fib + 0.6 * fib2);
  iris = mix (iris, lin_from_hex (0x2a1d14), smooth (4.6, 5.8, rho));        /* limbal ring */
  iris = mix (iris, lin_from_hex (0x3a2616), smooth (2.6, 2.1, rho) * 0.5);
  rgb pupil = lin_from_hex (0x0b0a0b);

  rgb c = sclera;
  double ie = smooth (iris_r + 0.12, iris_r - 0.12, rho);
  c = mix (c, iris, ie);
  c = mix (c, pupil, smooth (pupil_r + 0.1, pupil_r - 0.1, rho));

  /* eyeball shading: the lids shade its top, the ball turns away at the corners */
  double shade = (0.35 + 0.65 * smooth (0, 2.4, y - yu)) * (0.88 + 0.12 * smooth (0, 1.2, yd - y));
  shade *= 0.55 + 0.45 * exp (-sq (dx / 16)) ;
  shade *= 0.95 + 0.1 * (-(dx * s) / 30.0 * (s < 0 ? 1 : 0.5));
  c = scale (c, shade * 0.95);
  /* catchlight of the key light (upper left) and a faint one of the fill */
  double cl = smooth (0.75, 0.35, sqrt (sq ((dx + 1.7) / 1.25) + sq ((dy + 1.7) / 0.95)));
  double cl2 = 0.25 * smooth (0.6, 0.2, sqrt (sq ((dx - 2.3) / 0.8) + sq ((dy + 0.6) / 0.5)));
  rgb white = { 1.0f, 0.98f, 0.96f };
  c = mix (c, white, clampd (0.95 * cl + cl2, 0, 1));
  /* wet line on the lower lid margin */
  c = mix (c, scale (lin_from_hex (0xd29a90), shade), 0.6 * smooth (0.7, 0.15, yd - y));
  c = add (c, scale (white, 0.12 * exp (-sq ((y - (yd - 0.3)) / 0.2))));
  return c;
}

/* ---- the camera: head mm <-> image px ---------------------------------------- */

/* The head is tilted a little, as people sit: nothing in a photo is square. */
#define TILT_DEG 1.3
#define PIVOT_Y  110.0

static void
to_px (double x, double y, double *px, double *py)
{
  double a = TILT_DEG * M_PI / 180, c = cos (a), s = sin (a);
  double dy = y - PIVOT_Y;
  *px = W / 2.0 + (x * c - dy * s) * PX_PER_MM;
  *py = (PIVOT_Y + x * s + dy * c) * PX_PER_MM;
}

static void
from_px (double px, double py, double *x, double *y)
{
  double a = TILT_DEG * M_PI / 180, c = cos (a), s = sin (a);
  double u = (px - W / 2.0) / PX_PER_MM, v = py / PX_PER_MM - PIVOT_Y;
  *x = u * c + v * s;
  *y = PIVOT_Y - u * s + v * c;
}

/* ---- main render ------------------------------------------------------------- */

static float zbuf[W * H];     /* relief height, mm */
static float microbuf[W * H]; /* pores and grain, mm */
static float spotbuf[W * H];  /* freckles and small marks, 0..1 darkening */
static float cover[W * H];    /* the head's coverage */
enum { LS = 4, LW = W / LS, LH = H / LS };
static float aolow[LW * LH];  /* the relief, blurred: for ambient occlusion */

static unsigned char *out_data;
static int out_stride;

/* Rows are independent: every pass runs on two threads. */
typedef void (*RowFunc) (int py);
typedef struct { RowFunc fn; int first, step; } Job;

static void *
run_rows (void *data)
{
  Job *job = data;
  for (int py = job->first; py < H; py += job->step)
    job->fn (py);
  return NULL;
}

static void
for_rows (RowFunc fn)
{
  enum { N = 4 };
  pthread_t th[N];
  Job jobs[N];
  for (int i = 0; i < N; i++)
    {
      jobs[i] = (Job) { fn, i, N };
      if (pthread_create (&th[i], NULL, run_rows, &jobs[i]) != 0)
        { run_rows (&jobs[i]); th[i] = 0; }
    }
  for (int i = 0; i < N; i++)
    if (th[i]) pthread_join (th[i], NULL);
}

static const double MM = 1.0 / PX_PER_MM;

static void
row_shape (int py)
{
  for (int px = 0; px < W; px++)
    {
      double x, y;
      from_px (px + 0.5, py + 0.5, &x, &y);
      double r = head_radius (x, y);
      double radius_px = (y < CRANIUM_Y ? HALF_WIDTH : face_half_width (y)) * PX_PER_MM;
      cover[py * W + px] = clampd (0.5 - (r - 1) * radius_px, 0, 1);
      double rc = fmin (r, 0.9995);
      double z = DEPTH * sqrt (1 - rc * rc);
      if (r < 1.05)
        z += relief (x, y) * smooth (1.0, 0.75, r);
      /* no skull is a perfect dome: gentle bumps break up the highlights */
      z += (1.1 * fbm (x * 0.035, y * 0.035, 3, 61) + 0.25 * fbm (x * 0.12, y * 0.12, 2, 62))
           * smooth (1.0, 0.8, r) * smooth (125, 95, y);
      zbuf[py * W + px] = z;
    }
}

static void
row_micro (int py)
{
  const double cell = 0.55, spot_cell = 2.6; /* mm */
  for (int px = 0; px < W; px++)
    {
      if (cover[py * W + px] <= 0) { microbuf[py * W + px] = 0; spotbuf[py * W + px] = 0; continue; }
      double x, y;
      from_px (px + 0.5, py + 0.5, &x, &y);
      /* pores: a jittered grid of small pits */
      int cx = (int) floor (x / cell), cy = (int) floor (y / cell);
      double pit = 0;
      for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++)
          {
            uint32_t hsh = hash3 (cx + i, cy + j, 5);
            double jx = (cx + i + ((hsh & 0xff) / 255.0)) * cell;
            double jy = (cy + j + (((hsh >> 8) & 0xff) / 255.0)) * cell;
            double pr = 0.04 + 0.05 * ((hsh >> 16) & 0xff) / 255.0;
            double d2 = (sq (x - jx) + sq (y - jy)) / (pr * pr);
            if (d2 < 9) pit += exp (-d2) * (0.4 + ((hsh >> 24) & 0xff) / 255.0);
          }
      double grain = fbm (x * 7.0, y * 7.0, 2, 11) * 0.016 + fbm (x * 2.2 + y * 0.6, y * 2.2, 2, 12) * 0.02;
      microbuf[py * W + px] = (float) (-0.035 * pit + grain);
      /* freckles and small marks: sparse soft round spots */
      cx = (int) floor (x / spot_cell); cy = (int) floor (y / spot_cell);
      double spot = 0;
      for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++)
          {
            uint32_t hsh = hash3 (cx + i, cy + j, 6);
            if ((hsh & 0xff) > 22) continue;
            double jx = (cx + i + (((hsh >> 8) & 0xff) / 255.0)) * spot_cell;
            double jy = (cy + j + (((hsh >> 16) & 0xff) / 255.0)) * spot_cell;
            double pr = 0.12 + 0.4 * sq (((hsh >> 24) & 0xff) / 255.0);
            double d = sqrt (sq (x - jx) + sq (y - jy)) / pr;
            if (d < 1.6) spot = fmax (spot, smooth (1.3, 0.5, d) * (0.25 + 0.75 * hash01 (cx + i, cy + j, 7)));
          }
      spotbuf[py * W + px] = (float) spot;
    }
}

static void
coarse_occlusion (void)
{
  static float tmp[LW * LH];
  for (int y = 0; y < LH; y++)
    for (int x = 0; x < LW; x++)
      aolow[y * LW + x] = zbuf[(y * LS + LS / 2) * W + x * LS + LS / 2];
  for (int pass = 0; pass < 3; pass++)
    {
      const int rad = 14;
      for (int y = 0; y < LH; y++)
        for (int x = 0; x < LW; x++)
          {
            double s = 0; int n = 0;
            for (int k = -rad; k <= rad; k++)
              { int xx = x + k; if (xx >= 0 && xx < LW) { s += aolow[y * LW + xx]; n++; } }
            tmp[y * LW + x] = s / n;
          }
      for (int y = 0; y < LH; y++)
        for (int x = 0; x < LW; x++)
          {
            double s = 0; int n = 0;
            for (int k = -rad; k <= rad; k++)
              { int yy = y + k; if (yy >= 0 && yy < LH) { s += tmp[yy * LW + x]; n++; } }
            aolow[y * LW + x] = s / n;
          }
    }
}

/* Lights: a warm key from the upper left, a cool fill from the right. */
static double LK[3] = { -0.42, -0.55, 0.72 }, LF[3] = { 0.62, -0.05, 0.78 }, HK[3];
static const rgb KEY_COL = { 1.0f, 0.96f, 0.90f }, FILL_COL = { 0.80f, 0.86f, 0.95f };

static void
setup_lights (void)
{
  double nk = sqrt (LK[0] * LK[0] + LK[1] * LK[1] + LK[2] * LK[2]);
  double nf = sqrt (LF[0] * LF[0] + LF[1] * LF[1] + LF[2] * LF[2]);
  for (int i = 0; i < 3; i++) { LK[i] /= nk; LF[i] /= nf; }
  double h[3] = { LK[0], LK[1], LK[2] + 1 };
  double nh = sqrt (h[0] * h[0] + h[1] * h[1] + h[2] * h[2]);
  for (int i = 0; i < 3; i++) HK[i] = h[i] / nh;
}

/* Skin lit by both lights, for a unit normal n. */
static rgb
light_skin (rgb alb, const double n[3], double ao, double oil, double pores, double *spec_out)
{
  double ndk = n[0] * LK[0] + n[1] * LK[1] + n[2] * LK[2];
  double ndf = n[0] * LF[0] + n[1] * LF[1] + n[2] * LF[2];
  const double wrap = 0.3;
  double kd = fmax (0, (ndk + wrap) / (1 + wrap));
  double fd = fmax (0, (ndf + wrap) / (1 + wrap));
  /* subsurface: light reaching into the shadow side is redder */
  rgb sss = { 1.0f, 0.5f, 0.38f };
  rgb diffuse = add (scale (KEY_COL, 1.05 * kd), scale (FILL_COL, 0.32 * fd));
  diffuse = add (diffuse, scale (sss, 0.12 * smooth (0.0, 0.35, kd) * smooth (0.8, 0.3, kd)));
  diffuse = add (diffuse, scale (FILL_COL, 0.09));
  rgb c = mul (alb, scale (diffuse, ao));
  /* specular: a broad sheen and a tighter highlight, broken by the pores */
  double ndh = fmax (0, n[0] * HK[0] + n[1] * HK[1] + n[2] * HK[2]);
  double fres = 0.04 + 0.5 * pow (1 - fmax (0, n[2]), 4);
  double spec = oil * (0.05 * pow (ndh, 16) + 0.30 * pow (ndh, 80)) * (1 - 6 * clampd (pores, 0, 0.05));
  spec += 0.2 * oil * fres * kd;
  if (spec_out) *spec_out = spec;
  return add (c, scale (KEY_COL, spec * ao));
}

static rgb SKIN;

static rgb
shade_ear (int s, double x, double y, double h, double concha)
{
  /* normal of the ear's height field, by finite differences */
  double c0, h1, h2, k;
  double e = 0.08;
  if (!ear_at (s, x + e, y, &c0, &h1, &k)) h1 = h - 0.9 * e * s;
  if (!ear_at (s, x, y + e, &c0, &h2, &k)) h2 = h;
  double n[3] = { -(h1 - h) / e, -(h2 - h) / e, 1 };
  double nn = sqrt (n[0] * n[0] + n[1] * n[1] + 1);
  for (int i = 0; i < 3; i++) n[i] /= nn;
  rgb alb = mix (SKIN, lin_from_hex (0xbb7262), 0.5);
  alb = scale (alb, 0.85 + 0.25 * fbm (x * 0.3, y * 0.3, 3, 55) + 0.08 * fbm (x * 3, y * 3, 2, 56));
  double xl = s * x - face_half_width (y);
  double ao = 0.8 * (0.45 + 0.55 * smooth (-6, 5, xl)) * (1 - 0.5 * concha);
  rgb c = light_skin (alb, n, ao, 0.5, 0, NULL);
  /* thin tissue glows red at the rim */
  rgb glow = { 0.30f, 0.06f, 0.03f };
  double t = (y - 106) / 74.0;
  double out = ear_out (t);
  return add (c, scale (glow, 0.35 * exp (-sq ((xl - out) / 1.8))));
}

static void
row_shade (int py)
{
  unsigned char *row = out_data + (size_t) py * out_stride;
  for (int px = 0; px < W; px++)
    {
      double x, y;
      from_px (px + 0.5, py + 0.5, &x, &y);
      /* background: a soft studio backdrop with the head's shadow to the right */
      double bgv = 0.115 * (1.15 - 0.35 * (px / (double) W) - 0.25 * (py / (double) H));
      double vig = 1 - 0.35 * sq (sqrt (sq ((px - W * 0.45) / (W * 0.7)) + sq ((py - H * 0.4) / (H * 0.9))));
      double shr = head_radius (x - 20, y - 9);
      double shadow = smooth (1.35, 0.85, shr);
      rgb bg = { bgv * 0.92, bgv * 0.97, bgv * 1.05 };
      bg = scale (bg, vig * (1 - 0.45 * shadow) * (1 + 0.03 * fbm (px * 0.004, py * 0.004, 2, 3)));
      rgb c = bg;

      double ec, eh, concha;
      for (int s = -1; s <= 1; s += 2)
        if (ear_at (s, x, y, &ec, &eh, &concha))
          c = mix (c, shade_ear (s, x, y, eh, concha), ec);

      double a = cover[py * W + px];
      if (a > 0)
        {
          int x0 = px > 0 ? px - 1 : px, x1 = px < W - 1 ? px + 1 : px;
          int y0 = py > 0 ? py - 1 : py, y1 = py < H - 1 ? py + 1 : py;
          double dzx = ((zbuf[py * W + x1] + microbuf[py * W + x1]) - (zbuf[py * W + x0] + microbuf[py * W + x0])) / ((x1 - x0) * MM);
          double dzy = ((zbuf[y1 * W + px] + microbuf[y1 * W + px]) - (zbuf[y0 * W + px] + microbuf[y0 * W + px])) / ((y1 - y0) * MM);
          dzx = clampd (dzx, -12, 12); dzy = clampd (dzy, -12, 12);
          double n[3] = { -dzx, -dzy, 1 };
          double nn = sqrt (n[0] * n[0] + n[1] * n[1] + 1);
          for (int i = 0; i < 3; i++) n[i] /= nn;
          double r = head_radius (x, y);

          /* albedo: mottling, redness where skin is thin or sun-kissed, marks */
          double mott = fbm (x * 0.09, y * 0.09, 4, 21);
          double fine = fbm (x * 0.6, y * 0.6, 2, 23);
          double red = fbm (x * 0.045, y * 0.045, 3, 22);
          rgb alb = scale (SKIN, 1 + 0.16 * mott + 0.05 * fine);
          rgb flush = lin_from_hex (0xc47f6c);
          double redness = 0.10 + 0.35 * smooth (-0.1, 0.3, red)
                           + 0.25 * gauss2 (x, y, 0, 158, 9, 20)                        /* nose */
                           + 0.20 * (gauss2 (x, y, -44, 166, 14, 9) + gauss2 (x, y, 44, 166, 14, 9))
                           + 0.22 * gauss2 (x, y, 0, 40, 55, 30);                        /* crown */
          alb = mix (alb, flush, clampd (redness, 0, 0.6) * 0.5);
          alb = mix (alb, mul (alb, lin_from_hex (0xa07a60)), 0.28 * spotbuf[py * W + px]);
          double pores = -microbuf[py * W + px];
          alb = scale (alb, 1 - 3.5 * clampd (pores, 0, 0.06));

          double fringe = r < 1.02 ? fringe_mask (x, y, r) : 0;
          /* shaved hair shows as a blue-grey shadow under the skin */
          rgb stub = { 0.66f, 0.66f, 0.70f };
          alb = mix (alb, mul (alb, stub), fringe);

          double oil = 0.55 + 0.45 * smooth (95, 40, y) + 0.3 * gauss2 (x, y, 0, 158, 10, 20);
          oil *= 1 - 0.8 * fringe;

          int lx = px / LS, ly = py / LS;
          if (lx >= LW) lx = LW - 1;
          if (ly >= LH) ly = LH - 1;
          double ao = clampd (1 - 0.085 * fmax (0, aolow[ly * LW + lx] - zbuf[py * W + px]), 0.35, 1);

          /* eyes and lids */
          int in_eye = 0;
          rgb eyec = { 0, 0, 0 };
          double eye_a = 0;
          if (y > 120 && y < 160)
            for (int s = -1; s <= 1 && !in_eye; s += 2)
              {
                EyeFrame e = eye_frame (s);
                double t, yu, yd;
                if (!eye_lids (&e, x, &t, &yu, &yd)) continue;
                double w = smooth (-0.05, 0.1, t) * smooth (1.05, 0.92, t);
                double cr = eye_crease (&e, t);
                alb = mix (alb, lin_from_hex (0xb07866), w * 0.35 * smooth (cr - 2, cr + 1, y) * smooth (yu + 0.5, yu - 1.5, y));
                alb = scale (alb, 1 - w * 0.22 * exp (-sq ((y - cr) / 0.9)));
                alb = scale (alb, 1 - w * 0.45 * exp (-sq ((y - (yu - 0.25)) / 0.4)));
                /* under-eye: a little darker and cooler */
                alb = mix (alb, mul (alb, lin_from_hex (0xb8a6b0)), w * 0.6 * exp (-sq ((y - (yd + 4.5)) / 3.5)));
                double ein = smooth (-0.6 * MM, 0.6 * MM, y - yu) * smooth (-0.6 * MM, 0.6 * MM, yd - y) * w;
                if (ein > 0 && t > 0 && t < 1)
                  {
                    in_eye = 1;
                    eye_a = ein;
                    eyec = eye_color (s, x, y, yu, yd, t);
                  }
              }
          /* the brows shade the skin under their hair */
          if (y > 100 && y < 135)
            for (int s = -1; s <= 1; s += 2)
              {
                double bx = (x * s - 33) / 21.0;
                double by = y - (118.4 - 3.4 * exp (-sq (bx / 0.55)) + 2.5 * bx * bx);
                double bw = 3.2 - 1.6 * smooth (0, 1, bx);
                double b = smooth (1.1, 0.7, fabs (bx)) * exp (-sq (by / bw));
                alb = mix (alb, mul (alb, lin_from_hex (0x9a8070)), 0.6 * b);
              }

          c = mix (c, light_skin (alb, n, ao, oil, pores, NULL), a);
          /* a faint cool rim from the backdrop light on the crown */
          double rim = pow (1 - fmax (0, n[2]), 3) * smooth (0.6, 1.0, r) * smooth (110, 40, y);
          c = add (c, scale (FILL_COL, 0.1 * rim * a));

          if (in_eye)
            {
              rgb lit = mul (eyec, scale (add (scale (KEY_COL, 0.8), scale (FILL_COL, 0.22)), ao * 1.1));
              c = mix (c, lit, eye_a * a);
            }
        }
      unsigned char *p = row + px * 4;
      p[0] = (unsigned char) lrint (lin_to_srgb (c.b) * 255);
      p[1] = (unsigned char) lrint (lin_to_srgb (c.g) * 255);
      p[2] = (unsigned char) lrint (lin_to_srgb (c.r) * 255);
      p[3] = 255;
    }
}

static void
render_base (unsigned char *out, int stride)
{
  out_data = out;
  out_stride = stride;
  SKIN = lin_from_hex (0xd2a189);
  setup_lights ();
  for_rows (row_shape);
  for_rows (row_micro);
  coarse_occlusion ();
  for_rows (row_shade);
}

/* ---- hair, drawn with cairo --------------------------------------------------- */

static void
hair (cairo_t *cr, double x, double y, double ang, double len_mm, double bend,
      double width_px, double r, double g, double b, double alpha)
{
  double x0, y0, x1, y1, xm, ym;
  double ex = x + cos (ang) * len_mm, ey = y + sin (ang) * len_mm;
  double mx = (x + ex) / 2 - sin (ang) * bend * len_mm, my = (y + ey) / 2 + cos (ang) * bend * len_mm;
  to_px (x, y, &x0, &y0); to_px (ex, ey, &x1, &y1); to_px (mx, my, &xm, &ym);
  /* two strokes: a full-width base and a thinner tip, so the hair tapers */
  cairo_set_source_rgba (cr, r, g, b, alpha);
  cairo_set_line_width (cr, width_px);
  cairo_move_to (cr, x0, y0);
  cairo_curve_to (cr, (x0 + 2 * xm) / 3, (y0 + 2 * ym) / 3, (x1 + 2 * xm) / 3, (y1 + 2 * ym) / 3,
                  x0 + (x1 - x0) * 0.7 + (xm - (x0 + x1) / 2) * 0.8, y0 + (y1 - y0) * 0.7 + (ym - (y0 + y1) / 2) * 0.8);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, r, g, b, alpha * 0.7);
  cairo_set_line_width (cr, width_px * 0.55);
  cairo_move_to (cr, x0 + (x1 - x0) * 0.6 + (xm - (x0 + x1) / 2) * 0.9, y0 + (y1 - y0) * 0.6 + (ym - (y0 + y1) / 2) * 0.9);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
}

static void
draw_hair (cairo_surface_t *surface)
{
  cairo_t *cr = cairo_create (surface);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* stubble on the fringe: cut hairs, short, growing down and back */
  const double cell = 0.8;
  for (double y = 30; y < 150; y += cell)
    for (double x = -90; x < 90; x += cell)
      {
        double jx = x + rnd () * cell, jy = y + rnd () * cell;
        double r = head_radius (jx, jy);
        if (r > 0.995) { rnd (); rnd (); continue; }
        double m = fringe_mask (jx, jy, r);
        double pick = rnd ();
        if (pick > m) { rnd (); continue; }
        int s = jx < 0 ? -1 : 1;
        double ang = M_PI / 2 + s * (0.5 + 0.4 * rnd ()) - s * 0.6 * smooth (0.9, 1.0, r);
        double len = 0.18 + 0.3 * rnd ();
        /* the shading of the skin under the stubble, roughly */
        double lit = jx < 0 ? 0.9 : 0.6;
        hair (cr, jx, jy, ang, len, 0, 1.45, 0.17 * lit, 0.15 * lit, 0.14 * lit, 0.45 + 0.35 * m);
      }

  /* brows */
  for (int s = -1; s <= 1; s += 2)
    for (int i = 0; i < 1400; i++)
      {
        double bx = -1.0 + 2.1 * rnd ();                 /* -1 medial .. 1.1 tail */
        double centre = 118.4 - 3.4 * exp (-sq (bx / 0.55)) + 2.5 * bx * bx;
        double bw = 3.2 - 1.6 * smooth (0, 1, bx);
        double off = (rnd () + rnd () + rnd () - 1.5) * 1.15 * bw;
        double x = s * (33 + 21 * bx), y = centre + off;
        if (fabs (bx) > 0.85 && rnd () > 0.5) continue;
        /* direction: up at the head, then outward, converging on the centre line */
        double slope = 2 * 2.5 * bx / 21.0 + 3.4 * 2 * bx / sq (0.55) * exp (-sq (bx / 0.55)) / 21.0;
        double along = atan (slope);
        double ang;
        if (bx < -0.7)
          ang = -M_PI / 2 + 0.35 * (bx + 1.0) / 0.3 * 1.2;
        else
          ang = along - 0.35 * (off / bw);
        ang += 0.15 * (rnd () - 0.5);
        double dir = s > 0 ? ang : M_PI - ang;
        double len = bx < -0.7 ? 2.5 + 1.5 * rnd () : 3.5 + 2.5 * rnd ();
        double shade = 0.14 + 0.08 * rnd ();
        hair (cr, x, y, dir, len, 0.08 * s * (off > 0 ? 1 : -1), 1.2,
              shade * 1.0, shade * 0.78, shade * 0.62, 0.3 + 0.25 * rnd ());
      }

  /* lashes: upper ones curl up and out, lower ones are short and sparse */
  for (int s = -1; s <= 1; s += 2)
    {
      EyeFrame e = eye_frame (s);
      for (int i = 0; i < 140; i++)
        {
          double t = 0.04 + 0.94 * pow (rnd (), 0.8), tt, yu, yd;
          double x = e.ix + t * (e.ox - e.ix);
          eye_lids (&e, x, &tt, &yu, &yd);
          double len = (1.4 + 2.2 * sin (M_PI * pow (t, 0.7))) * (0.7 + 0.4 * rnd ());
          double ang = -M_PI / 2 + (t - 0.35) * 1.5 + 0.45 * (rnd () - 0.5);
          double dir = s > 0 ? ang : M_PI - ang;
          hair (cr, x, yu - 0.05, dir + s * 0.3, len, -0.25 * s, 1.05, 0.05, 0.04, 0.035, 0.6);
        }
      for (int i = 0; i < 28; i++)
        {
          double t = 0.15 + 0.83 * rnd (), tt, yu, yd;
          double x = e.ix + t * (e.ox - e.ix);
          eye_lids (&e, x, &tt, &yu, &yd);
          double ang = M_PI / 2 + (t - 0.4) * 0.9;
          double dir = s > 0 ? ang : M_PI - ang;
          hair (cr, x, yd + 0.3, dir, 0.8 + 0.7 * rnd (), 0.1, 0.9, 0.14, 0.11, 0.1, 0.2);
        }
    }
  cairo_destroy (cr);
}

/* A light lens softening and sensor grain, so nothing looks computer-sharp. */
static void
finish (unsigned char *data, int stride)
{
  static unsigned char copy[W * H * 4];
  for (int y = 0; y < H; y++)
    memcpy (copy + (size_t) y * W * 4, data + (size_t) y * stride, W * 4);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        int xm = x > 0 ? x - 1 : x, xp = x < W - 1 ? x + 1 : x;
        int ym = y > 0 ? y - 1 : y, yp = y < H - 1 ? y + 1 : y;
        float lum = hash01 (x, y, 901) + hash01 (x, y, 902) - 1.0f;
        for (int c = 0; c < 3; c++)
          {
            int s = 4 * copy[((size_t) y * W + x) * 4 + c]
                    + 2 * (copy[((size_t) y * W + xm) * 4 + c] + copy[((size_t) y * W + xp) * 4 + c]
                           + copy[((size_t) ym * W + x) * 4 + c] + copy[((size_t) yp * W + x) * 4 + c])
                    + copy[((size_t) ym * W + xm) * 4 + c] + copy[((size_t) ym * W + xp) * 4 + c]
                    + copy[((size_t) yp * W + xm) * 4 + c] + copy[((size_t) yp * W + xp) * 4 + c];
            float v = s / 16.0f + 2.2f * lum + 1.0f * (hash01 (x, y, 903 + c) - 0.5f);
            data[(size_t) y * stride + x * 4 + c] = (unsigned char) (v < 0 ? 0 : v > 255 ? 255 : lrintf (v));
          }
      }
}

/* ---- the hairline and the key file ------------------------------------------ */

/* The proposed hairline, left temple to right temple, mm. A natural line:
 * rounded, undulating by a few mm, with slightly different temple corners. */
static const double hairline_mm[][2] = {
  { -66.5, 93.0 }, { -64.8, 82.5 }, { -61.0, 72.5 }, { -55.5, 64.8 }, { -48.0, 59.8 },
  { -40.5, 57.6 }, { -31.0, 54.2 }, { -22.5, 51.4 }, { -13.0, 50.3 }, { -4.0, 48.4 },
  { 5.5, 48.9 }, { 14.0, 49.6 }, { 23.0, 51.0 }, { 32.0, 54.6 }, { 41.0, 57.2 },
  { 48.5, 60.3 }, { 56.0, 65.4 }, { 61.4, 73.1 }, { 65.2, 83.0 }, { 67.0, 93.5 },
};
#define N_HAIRLINE ((int) (sizeof hairline_mm / sizeof hairline_mm[0]))

static int
write_svg (const char *path)
{
  FILE *f = fopen (path, "w");
  if (!f) return 0;
  fprintf (f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<!-- The proposed hairline for sample-head.png (made by smp-make-sample).\n"
              "     Scale: %.1f px/mm; pupils %.0f mm apart. -->\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
              "  <path id=\"hairline\" fill=\"none\" stroke=\"#e0402a\" stroke-width=\"4\" d=\"",
           PX_PER_MM, IPD_MM, W, H, W, H);
  /* Catmull-Rom through the points, as cubic Béziers */
  double p[N_HAIRLINE][2];
  for (int i = 0; i < N_HAIRLINE; i++) to_px (hairline_mm[i][0], hairline_mm[i][1], &p[i][0], &p[i][1]);
  fprintf (f, "M %.2f %.2f", p[0][0], p[0][1]);
  for (int i = 0; i + 1 < N_HAIRLINE; i++)
    {
      const double *p0 = p[i > 0 ? i - 1 : i], *p1 = p[i], *p2 = p[i + 1], *p3 = p[i + 2 < N_HAIRLINE ? i + 2 : i + 1];
      fprintf (f, " C %.2f %.2f %.2f %.2f %.2f %.2f",
               p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6,
               p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6, p2[0], p2[1]);
    }
  fprintf (f, "\"/>\n");
  /* The treatable scalp: the head's outline 1.5 mm in, from one end of the
   * hairline over the crown to the other, closed back along the hairline 6 mm
   * toward the face (room for the sentinel dots). The demo selects it so that
   * no dot lands on the backdrop or the forehead. */
  fprintf (f, "  <path id=\"scalp\" fill=\"none\" stroke=\"#2a80e0\" stroke-width=\"3\" d=\"");
  const double inset = 1.5, ahead = 6.0;
  const double y_left = hairline_mm[0][1] + ahead, y_right = hairline_mm[N_HAIRLINE - 1][1] + ahead;
  int first = 1;
  for (int side = -1; side <= 1; side += 2)
    for (int i = 0; i <= 60; i++)
      {
        /* up the left side, then down the right one */
        double t = side < 0 ? i / 60.0 : 1 - i / 60.0;
        double bottom = side < 0 ? y_left : y_right;
        double y = bottom + (VERTEX_Y + inset - bottom) * t;
        double x;
        if (y >= CRANIUM_Y)
          x = face_half_width (y) - inset;
        else
          {
            const double p = 2.55;
            double v = (CRANIUM_Y - y) / (CRANIUM_Y - VERTEX_Y - inset);
            x = (HALF_WIDTH - inset) * pow (fmax (0, 1 - pow (fmin (v, 1.0), p)), 1 / p);
          }
        double px, py;
        to_px (side * x, y, &px, &py);
        fprintf (f, "%s%.2f %.2f", first ? "M " : " L ", px, py);
        first = 0;
      }
  for (int i = N_HAIRLINE - 1; i >= 0; i--)
    {
      double px, py;
      to_px (hairline_mm[i][0], hairline_mm[i][1] + ahead, &px, &py);
      fprintf (f, " L %.2f %.2f", px, py);
    }
  fprintf (f, " Z\"/>\n</svg>\n");
  return fclose (f) == 0;
}

static int
write_key (const char *path)
{
  FILE *f = fopen (path, "w");
  if (!f) return 0;
  double lx, ly, rx, ry, gx, gy, olx, oly, orx, ory;
  to_px (-IPD_MM / 2, PUPIL_Y, &lx, &ly);
  to_px (IPD_MM / 2, PUPIL_Y, &rx, &ry);
  to_px (0, GLABELLA_Y, &gx, &gy);
  EyeFrame el = eye_frame (-1), er = eye_frame (1);
  to_px (el.ox, el.oy, &olx, &oly);
  to_px (er.ox, er.oy, &orx, &ory);
  fprintf (f, "# sample-head.png: what the generator knows about its photo (image px).\n"
              "[SMP Sample]\n"
              "width=%d\nheight=%d\npx_per_mm=%.3f\nipd_mm=%.1f\n"
              "pupil_left_x=%.1f\npupil_left_y=%.1f\npupil_right_x=%.1f\npupil_right_y=%.1f\n"
              "glabella_x=%.1f\nglabella_y=%.1f\n"
              "outer_canthus_left_x=%.1f\nouter_canthus_left_y=%.1f\n"
              "outer_canthus_right_x=%.1f\nouter_canthus_right_y=%.1f\n",
           W, H, PX_PER_MM, IPD_MM, lx, ly, rx, ry, gx, gy, olx, oly, orx, ory);
  return fclose (f) == 0;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  const char *dir = argv[1];
  if (mkdir (dir, 0755) != 0 && errno != EEXIST)
    {
      fprintf (stderr, "smp-make-sample: cannot create %s: %s\n", dir, strerror (errno));
      return 1;
    }
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return 1;
  cairo_surface_flush (surface);
  render_base (cairo_image_surface_get_data (surface), cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  draw_hair (surface);
  cairo_surface_flush (surface);
  finish (cairo_image_surface_get_data (surface), cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);

  size_t n = strlen (dir) + 64;
  char *png = malloc (n), *svg = malloc (n), *key = malloc (n);
  snprintf (png, n, "%s/sample-head.png", dir);
  snprintf (svg, n, "%s/sample-hairline.svg", dir);
  snprintf (key, n, "%s/sample-head.ini", dir);
  int ok = cairo_surface_write_to_png (surface, png) == CAIRO_STATUS_SUCCESS;
  ok = ok && write_svg (svg) && write_key (key);
  cairo_surface_destroy (surface);
  if (!ok)
    fprintf (stderr, "smp-make-sample: cannot write into %s\n", dir);
  else
    printf ("%s\n%s\n%s\n", png, svg, key);
  free (png); free (svg); free (key);
  return ok ? 0 : 1;
}
