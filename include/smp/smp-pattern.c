/* smp-pattern.c: the progressive blue-noise tile: farthest-point ordering of a
 * dense random candidate set on a torus, so every prefix keeps a large minimum distance. */
#include "smp-pattern-private.h"
#include "smp-noise.h"

#include <math.h>
#include <string.h>

/* 16384 points: at the density ceiling the tile spans about 9 cm, far beyond
 * anything an eye could match up across a scalp. */
#define PATTERN_POINTS      16384
#define CANDIDATES_PER_POINT 8

typedef struct
{
  guint   n;
  float  *key;  /* squared distance to the nearest chosen point */
  guint32 *heap;
  guint32 *pos; /* position in heap, G_MAXUINT32 when out */
  guint   size;
} MaxHeap;

static inline void
heap_swap (MaxHeap *h, guint a, guint b)
{
  guint32 ia = h->heap[a], ib = h->heap[b];
  h->heap[a] = ib, h->pos[ib] = a;
  h->heap[b] = ia, h->pos[ia] = b;
}

/* Keys only ever decrease, so a changed entry only sinks. Equal keys fall back to
 * the index, so the order is fully determined by the candidates. */
static inline gboolean
heap_above (const MaxHeap *h, guint32 a, guint32 b)
{
  return h->key[a] > h->key[b] || (h->key[a] == h->key[b] && a < b);
}

static void
heap_sink (MaxHeap *h, guint i)
{
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, top = i;
      if (l < h->size && heap_above (h, h->heap[l], h->heap[top]))
        top = l;
      if (r < h->size && heap_above (h, h->heap[r], h->heap[top]))
        top = r;
      if (top == i)
        return;
      heap_swap (h, i, top);
      i = top;
    }
}

static guint32
heap_pop (MaxHeap *h)
{
  guint32 top = h->heap[0];

  heap_swap (h, 0, --h->size);
  h->pos[top] = G_MAXUINT32;
  if (h->size)
    heap_sink (h, 0);
  return top;
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
  g_autofree guint32 *cstart = g_new0 (guint32, (gsize) cg * cg + 1);
  g_autofree guint32 *cidx = g_new (guint32, m);
  g_autofree guint32 *cfill = NULL;
  MaxHeap h = { 0 };

  g_atomic_ref_count_init (&p->ref);
  p->seed = seed;
  p->n = n;
  p->u = g_new (float, n);
  p->v = g_new (float, n);

  /* Random candidates, bucketed by cell. */
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
    cidx[cfill[(int) (cv[i] * cg) * cg + (int) (cu[i] * cg)]++] = i;

  h.n = m;
  h.key = g_new (float, m);
  h.heap = g_new (guint32, m);
  h.pos = g_new (guint32, m);
  h.size = m;
  for (guint i = 0; i < m; i++)
    {
      h.key[i] = INFINITY;
      h.heap[i] = i;
      h.pos[i] = i;
    }

  /* Farthest-point order: each new point is the candidate farthest from all
   * points so far. Only candidates nearer to it than the current maximum change. */
  for (guint rank = 0; rank < n; rank++)
    {
      float   r2 = h.key[h.heap[0]];
      guint32 c = heap_pop (&h);
      float   x = cu[c], y = cv[c];
      int     reach, cx = (int) (x * cg), cy = (int) (y * cg);

      p->u[rank] = x;
      p->v[rank] = y;
      reach = isfinite (r2) ? (int) ceil (sqrtf (r2) * cg) : cg;
      if (2 * reach + 1 >= cg)
        reach = -1; /* visit every cell once */
      for (int dy = reach < 0 ? 0 : -reach; dy <= (reach < 0 ? cg - 1 : reach); dy++)
        for (int dx = reach < 0 ? 0 : -reach; dx <= (reach < 0 ? cg - 1 : reach); dx++)
          {
            int gx = reach < 0 ? dx : ((cx + dx) % cg + cg) % cg;
            int gy = reach < 0 ? dy : ((cy + dy) % cg + cg) % cg;
            int cell = gy * cg + gx;
            for (guint32 k = cstart[cell]; k < cstart[cell + 1]; k++)
              {
                guint32 i = cidx[k];
                float   d2;
                if (h.pos[i] == G_MAXUINT32)
                  continue;
                d2 = torus_d2 (x, y, cu[i], cv[i]);
                if (d2 < h.key[i])
                  {
                    h.key[i] = d2;
                    heap_sink (&h, h.pos[i]);
                  }
              }
          }
    }
  g_free (h.key);
  g_free (h.heap);
  g_free (h.pos);

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

void
smp_pattern_get_point (const SmpPattern *pattern, guint rank, float *u, float *v)
{
  g_return_if_fail (pattern != NULL && rank < pattern->n);
  if (u) *u = pattern->u[rank];
  if (v) *v = pattern->v[rank];
}
