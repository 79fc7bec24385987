/* smp-pattern.c: the progressive blue-noise tile: farthest-point ordering of a
 * dense random candidate set on a torus, so every prefix keeps a large minimum distance. */
#include "smp-pattern-private.h"
#include "../core/smp-noise.h"

#include <math.h>
#include <string.h>

/* 16384 points: at the density ceiling the tile spans about 9 cm, far beyond
 * anything an eye could match up across a scalp. */
#define PATTERN_POINTS      16384
#define CANDIDATES_PER_POINT 8

/* A bucket queue on the keys' float bits (positive floats order like their bits):
 * 2^18 buckets of about 0.1% each. Keys only ever decrease, so the top bucket only
 * moves down, and a move between buckets is O(1). The maximum is found exactly by
 * scanning the top bucket, so the order is that of an exact farthest-point search. */
#define BUCKET_SHIFT 13
#define N_BUCKETS    (1u << 18)

typedef struct
{
  float   *key;   /* squared distance to the nearest chosen point */
  gint32  *next, *prev;
  gint32  *head;  /* per bucket, -1 when empty */
  guint32 *where; /* bucket of each candidate, G_MAXUINT32 once chosen */
  const guint32 *index; /* each candidate's index in the seed's sequence: ties go to the lowest */
  guint32  top;
} Queue;

static inline guint32
bucket_of (float key)
{
  guint32 bits;
  memcpy (&bits, &key, sizeof bits);
  return bits >> BUCKET_SHIFT;
}

static inline void
queue_unlink (Queue *q, guint32 i)
{
  gint32 n = q->next[i], p = q->prev[i];
  if (p >= 0)
    q->next[p] = n;
  else
    q->head[q->where[i]] = n;
  if (n >= 0)
    q->prev[n] = p;
}

static inline void
queue_link (Queue *q, guint32 i, guint32 b)
{
  q->where[i] = b;
  q->prev[i] = -1;
  q->next[i] = q->head[b];
  if (q->head[b] >= 0)
    q->prev[q->head[b]] = (gint32) i;
  q->head[b] = (gint32) i;
}

static inline void
queue_lower (Queue *q, guint32 i, float key)
{
  guint32 b = bucket_of (key);
  q->key[i] = key;
  if (b != q->where[i])
    {
      queue_unlink (q, i);
      queue_link (q, i, b);
    }
}

/* The largest key; ties go to the lowest index, so the order is reproducible. */
static guint32
queue_pop (Queue *q)
{
  gint32 best = -1;

  while (q->head[q->top] < 0)
    q->top--;
  for (gint32 i = q->head[q->top]; i >= 0; i = q->next[i])
    if (best < 0 || q->key[i] > q->key[best] || (q->key[i] == q->key[best] && q->index[i] < q->index[best]))
      best = i;
  queue_unlink (q, (guint32) best);
  q->where[best] = G_MAXUINT32;
  return (guint32) best;
}

static inline float
torus_d2 (float ax, float ay, float bx, float by)
{
  float dx = fabsf (ax - bx), dy = fabsf (ay - by);
  dx = MIN (dx, 1.0f - dx);
  dy = MIN (dy, 1.0f - dy);
  return dx * dx + dy * dy;
}

SmpPattern *
smp_pattern_new (guint32 seed)
{
  const guint n = PATTERN_POINTS, m = PATTERN_POINTS * CANDIDATES_PER_POINT;
  const int   cg = (int) sqrt (m / 4.0); /* candidate grid: ~4 per cell */
  SmpPattern *p = g_new0 (SmpPattern, 1);
  g_autofree float *cu = g_new (float, m);
  g_autofree float *cv = g_new (float, m);
  g_autofree float *su = g_new (float, m);
  g_autofree float *sv = g_new (float, m);
  g_autofree guint32 *cstart = g_new0 (guint32, (gsize) cg * cg + 1);
  g_autofree guint32 *index = g_new (guint32, m);
  g_autofree guint32 *cfill = NULL;
  g_autofree float *d2 = NULL;
  guint32 max_row = 0;
  Queue q = { 0 };

  g_atomic_ref_count_init (&p->ref);
  p->seed = seed;
  p->n = n;
  p->u = g_new (float, n);
  p->v = g_new (float, n);

  /* Random candidates, stored by cell (row by row), each keeping its index in the
   * seed's sequence: a row of cells is then one run of memory. */
  for (guint i = 0; i < m; i++)
    {
      cu[i] = smp_hash_unit (smp_hash4 (seed, i, 0x1u, 0x77u));
      cv[i] = smp_hash_unit (smp_hash4 (seed, i, 0x2u, 0x77u));
      cstart[(int) (cv[i] * cg) * cg + (int) (cu[i] * cg) + 1]++;
    }
  for (int c = 0; c < cg * cg; c++)
    cstart[c + 1] += cstart[c];
  cfill = g_memdup2 (cstart, sizeof (guint32) * cg * cg);
  for (guint i = 0; i < m; i++)
    {
      guint32 s = cfill[(int) (cv[i] * cg) * cg + (int) (cu[i] * cg)]++;
      su[s] = cu[i], sv[s] = cv[i], index[s] = i;
    }

  for (int row = 0; row < cg; row++)
    max_row = MAX (max_row, cstart[(row + 1) * cg] - cstart[row * cg]);
  d2 = g_new (float, MAX (max_row, 1));
  q.key = g_new (float, m);
  q.next = g_new (gint32, m);
  q.prev = g_new (gint32, m);
  q.where = g_new (guint32, m);
  q.index = index;
  q.head = g_new (gint32, N_BUCKETS);
  for (guint b = 0; b < N_BUCKETS; b++)
    q.head[b] = -1;
  for (guint i = m; i-- > 0;)
    {
      q.key[i] = INFINITY;
      queue_link (&q, i, bucket_of (INFINITY));
    }
  q.top = bucket_of (INFINITY);

  /* Farthest-point order: each new point is the candidate farthest from all
   * points so far. Only candidates nearer to it than the current maximum change
   * (the order they change in does not matter: a key is a minimum, a pop a maximum). */
  for (guint rank = 0; rank < n; rank++)
    {
      guint32 c = queue_pop (&q);
      float   r2 = q.key[c];
      float   x = su[c], y = sv[c];
      int     reach, cx = (int) (x * cg), cy = (int) (y * cg);

      p->u[rank] = x;
      p->v[rank] = y;
      q.key[c] = -1.0f; /* chosen: below any distance, so never lowered again */
      reach = isfinite (r2) ? (int) ceil (sqrtf (r2) * cg) : cg;
      if (2 * reach + 1 >= cg)
        reach = -1; /* visit every cell once */
      for (int dy = reach < 0 ? 0 : -reach; dy <= (reach < 0 ? cg - 1 : reach); dy++)
        {
          /* 2·reach + 1 < cg: one wrap at most, so a row's cells are one or two runs. */
          const int gy = reach < 0 ? dy : cy + dy < 0 ? cy + dy + cg : cy + dy >= cg ? cy + dy - cg : cy + dy;
          const int xa = reach < 0 ? 0 : cx - reach, xb = reach < 0 ? cg - 1 : cx + reach;
          int       runs[3][2], n_runs = 0;

          if (xa < 0)
            runs[n_runs][0] = xa + cg, runs[n_runs][1] = cg - 1, n_runs++;
          runs[n_runs][0] = MAX (xa, 0), runs[n_runs][1] = MIN (xb, cg - 1), n_runs++;
          if (xb >= cg)
            runs[n_runs][0] = 0, runs[n_runs][1] = xb - cg, n_runs++;
          for (int r = 0; r < n_runs; r++)
            {
              const guint32 k0 = cstart[gy * cg + runs[r][0]], len = cstart[gy * cg + runs[r][1] + 1] - k0;
              /* The run's distances first (a loop that vectorises), then its few changes. */
              for (guint32 t = 0; t < len; t++)
                d2[t] = torus_d2 (x, y, su[k0 + t], sv[k0 + t]);
              for (guint32 t = 0; t < len; t++)
                if (d2[t] < q.key[k0 + t])
                  queue_lower (&q, k0 + t, d2[t]);
            }
        }
    }
  g_free (q.key);
  g_free (q.next);
  g_free (q.prev);
  g_free (q.where);
  g_free (q.head);

  /* Cells of the tile hold their ranks ascending: a density threshold is then a
   * prefix of each cell's list. */
  p->grid = (int) sqrt (n / 4.0);
  p->cell_start = g_new0 (guint32, p->grid * p->grid + 1);
  p->cell_rank = g_new (guint32, n);
  for (guint r = 0; r < n; r++)
    p->cell_start[(int) (p->v[r] * p->grid) * p->grid + (int) (p->u[r] * p->grid) + 1]++;
  for (int c = 0; c < p->grid * p->grid; c++)
    p->cell_start[c + 1] += p->cell_start[c];
  {
    g_autofree guint32 *fill = g_memdup2 (p->cell_start, sizeof (guint32) * p->grid * p->grid);
    for (guint r = 0; r < n; r++)
      p->cell_rank[fill[(int) (p->v[r] * p->grid) * p->grid + (int) (p->u[r] * p->grid)]++] = r;
  }
  return p;
}

SmpPattern *
smp_pattern_ref (SmpPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);
  g_atomic_ref_count_inc (&pattern->ref);
  return pattern;
}

void
smp_pattern_unref (SmpPattern *pattern)
{
  if (!pattern || !g_atomic_ref_count_dec (&pattern->ref))
    return;
  g_free (pattern->u);
  g_free (pattern->v);
  g_free (pattern->cell_start);
  g_free (pattern->cell_rank);
  g_free (pattern);
}

guint32
smp_pattern_get_seed (const SmpPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, 0);
  return pattern->seed;
}

guint
smp_pattern_get_n_points (const SmpPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, 0);
  return pattern->n;
}

