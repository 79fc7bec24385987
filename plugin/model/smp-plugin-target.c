/* smp-plugin-target.c: what a run works on (the client's photo, the canvas, the
 * selection) and the one writer of session layers (the run and the canvas preview). */
#include "smp-plugin-target.h"
#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "smp-plugin-io.h"

/* ---- The target ------------------------------------------------------------ */

static gboolean
rect_intersect (const SmpRect *a, const SmpRect *b, SmpRect *out)
{
  int x0 = MAX (a->x, b->x), y0 = MAX (a->y, b->y);
  int x1 = MIN (a->x + a->width, b->x + b->width);
  int y1 = MIN (a->y + a->height, b->y + b->height);

  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  *out = (SmpRect) { x0, y0, x1 - x0, y1 - y0 };
  return TRUE;
}

/* The sibling `step` places below `item` (-1: right above), or NULL. */
static GimpItem *
sibling (GimpImage *image, GimpItem *item, int step)
{
  GimpItem  *parent = gimp_item_get_parent (item);
  GimpItem **siblings = parent ? gimp_item_get_children (parent) : (GimpItem **) gimp_image_get_layers (image);
  GimpItem  *found = NULL;
  gsize      n = 0;

  while (siblings && siblings[n])
    n++;
  for (gsize i = 0; i < n; i++)
    if (gimp_item_get_id (siblings[i]) == gimp_item_get_id (item))
      {
        if ((gssize) i + step >= 0 && (gssize) i + step < (gssize) n)
          found = siblings[i + step];
        break;
      }
  g_free (siblings);
  return found;
}

/* The layer right below a proposal: the photo it sits on. */
static GimpDrawable *
layer_below (GimpImage *image, GimpItem *item)
{
  GimpItem *below = sibling (image, item, 1);

  return below && GIMP_IS_DRAWABLE (below) ? GIMP_DRAWABLE (below) : NULL;
}

void
smp_plugin_target_free (SmpPluginTarget *target)
{
  if (!target)
    return;
  smp_plugin_coverage_free (target->coverage);
  g_clear_pointer (&target->pattern, smp_pattern_unref);
  g_free (target);
}

SmpPattern *
smp_plugin_target_get_pattern (SmpPluginTarget *target, guint32 seed)
{
  g_return_val_if_fail (target != NULL, NULL);
  if (target->pattern == NULL || smp_pattern_get_seed (target->pattern) != seed)
    {
      g_clear_pointer (&target->pattern, smp_pattern_unref);
      target->pattern = smp_pattern_new (seed);
    }
  return target->pattern;
}

SmpPluginTarget *
smp_plugin_target_new (GimpImage *image, GimpDrawable *drawable, GError **error)
{
  g_autoptr (SmpPluginTarget) t = g_new0 (SmpPluginTarget, 1);
  int      image_w = gimp_image_get_width (image);
  int      image_h = gimp_image_get_height (image);
  SmpRect  image_rect = { 0, 0, image_w, image_h };
  SmpRect  layer_rect;
  gboolean non_empty = FALSE;
  int      x1, y1, x2, y2;

  t->image = image;

  if (!GIMP_IS_LAYER (drawable))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("Select the photo layer to design on (not a channel or a layer mask)"));
      return NULL;
    }
  if (!smp_plugin_format_for_image (image, drawable, &t->format, error))
    return NULL;
  if (image_w < 2 || image_h < 2)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The image is only %d×%d pixels: too small to hold a hairline design"),
                   image_w, image_h);
      return NULL;
    }

  t->proposal = smp_plugin_find_proposal_group (GIMP_ITEM (drawable));
  if (t->proposal)
    {
      t->client = layer_below (image, GIMP_ITEM (t->proposal));
      if (!t->client)
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                       _("The SMP proposal has no photo layer below it: move the group "
                       "right above the client's photo"));
          return NULL;
        }
    }
  else
    {
      GimpItem *above = sibling (image, GIMP_ITEM (drawable), -1);
      GimpGroupLayer *leftover = above ? smp_plugin_find_proposal_group (above) : NULL;
      g_autoptr (SmpProposal) record = leftover && GIMP_ITEM (leftover) == above
                                         ? smp_plugin_proposal_read (leftover, NULL) : NULL;

      t->client = drawable;
      /* A run that stopped half-way left its group right above the photo: the
       * next run on the photo replaces it instead of stacking another. */
      if (record && !record->complete)
        t->proposal = leftover;
    }

  gimp_drawable_get_offsets (t->client, &t->offset_x, &t->offset_y);
  layer_rect = (SmpRect) { t->offset_x, t->offset_y,
                           gimp_drawable_get_width (t->client),
                           gimp_drawable_get_height (t->client) };
  if (!rect_intersect (&layer_rect, &image_rect, &layer_rect))
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0, _("The layer lies wholly outside the canvas"));
      return NULL;
    }
  t->layer_rect = (SmpRect) { layer_rect.x - t->offset_x, layer_rect.y - t->offset_y,
                              layer_rect.width, layer_rect.height };
  t->canvas = t->layer_rect;

  /* An empty selection means the whole image, as everywhere in GIMP. */
  if (gimp_selection_bounds (image, &non_empty, &x1, &y1, &x2, &y2) && non_empty)
    {
      SmpRect selection = { x1, y1, x2 - x1, y2 - y1 };
      SmpRect area;

      if (!rect_intersect (&layer_rect, &selection, &area))
        {
          g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                       _("The selection does not touch the photo layer: select the area "
                       "to treat, or select none to treat the whole layer"));
          return NULL;
        }
      /* Only the part that can hold dots is read: memory follows the treated area. */
      t->coverage = smp_plugin_io_read_selection (image, &area, error);
      if (!t->coverage)
        return NULL;
      t->has_mask = TRUE;
      t->mask = t->coverage->mask;
      t->mask.x = area.x - t->offset_x, t->mask.y = area.y - t->offset_y;
      t->canvas = (SmpRect) { t->mask.x, t->mask.y, area.width, area.height };
    }
  else if (t->proposal)
    {
      /* Re-edit with no selection: the area the proposal was made for, so that a
       * routine Select → None does not spread dots over the whole photo. */
      g_autoptr (SmpProposal) record = smp_plugin_proposal_read (t->proposal, NULL);
      GimpChannel *channel = record && *record->area_channel && record->has_area_bounds
                               ? gimp_image_get_channel_by_name (image, record->area_channel) : NULL;
      SmpRect stored, area;

      if (channel)
        stored = (SmpRect) { record->area_bounds[0], record->area_bounds[1],
                             record->area_bounds[2], record->area_bounds[3] };
      if (channel && gimp_drawable_get_width (GIMP_DRAWABLE (channel)) == image_w &&
          gimp_drawable_get_height (GIMP_DRAWABLE (channel)) == image_h &&
          rect_intersect (&layer_rect, &stored, &area))
        {
          t->area = channel;
          t->coverage = smp_plugin_io_read_coverage (channel, &area, error);
          if (!t->coverage)
            return NULL;
          t->has_mask = TRUE;
          t->mask = t->coverage->mask;
          t->mask.x = area.x - t->offset_x, t->mask.y = area.y - t->offset_y;
          t->canvas = (SmpRect) { t->mask.x, t->mask.y, area.width, area.height };
        }
    }
  return g_steal_pointer (&t);
}

void
smp_plugin_target_keep_area (const SmpPluginTarget *target, const SmpProposal *previous, SmpProposal *record)
{
  GimpChannel *old = previous && *previous->area_channel
                       ? gimp_image_get_channel_by_name (target->image, previous->area_channel) : NULL;
  GimpChannel *channel;
  gboolean     non_empty = FALSE;
  int          x1, y1, x2, y2;

  if (target->area) /* the stored area, unchanged */
    {
      g_free (record->area_channel);
      record->area_channel = g_strdup (previous->area_channel);
      record->has_area_bounds = previous->has_area_bounds;
      memcpy (record->area_bounds, previous->area_bounds, sizeof record->area_bounds);
      return;
    }
  if (old)
    gimp_image_remove_channel (target->image, old);
  if (!target->has_mask || !gimp_selection_bounds (target->image, &non_empty, &x1, &y1, &x2, &y2) || !non_empty)
    return;
  channel = gimp_selection_save (target->image);
  gimp_item_set_name (GIMP_ITEM (channel), SMP_PLUGIN_AREA_CHANNEL_NAME);
  gimp_item_set_visible (GIMP_ITEM (channel), FALSE);
  g_free (record->area_channel);
  record->area_channel = gimp_item_get_name (GIMP_ITEM (channel)); /* GIMP keeps names unique */
  record->has_area_bounds = TRUE;
  record->area_bounds[0] = x1, record->area_bounds[1] = y1;
  record->area_bounds[2] = x2 - x1, record->area_bounds[3] = y2 - y1;
}

SmpHairline *
smp_plugin_target_read_hairline (const SmpPluginTarget *target,
                                 GimpPath              *path,
                                 char                 **path_name,
                                 GError               **error)
{
  g_autoptr (SmpHairline) hairline = NULL;
  g_autofree char *name = NULL;
  GimpPath *stored = NULL;
  double    x0, y0, x1, y1;
  const SmpRect *r = &target->layer_rect;

  /* Re-editing without a path given: the path the proposal was made from. */
  if (!path && target->proposal)
    {
      g_autoptr (SmpProposal) record = smp_plugin_proposal_read (target->proposal, NULL);

      if (record && *record->path_name)
        stored = gimp_image_get_path_by_name (target->image, record->path_name);
    }

  path = smp_plugin_pick_path (target->image, path ? path : stored, error);
  if (!path)
    return NULL;
  name = gimp_item_get_name (GIMP_ITEM (path));
  hairline = smp_plugin_hairline_from_path (path, target->offset_x, target->offset_y, error);
  if (!hairline)
    return NULL;

  smp_hairline_get_bounds (hairline, &x0, &y0, &x1, &y1);
  if (x1 < r->x || y1 < r->y || x0 > r->x + r->width || y0 > r->y + r->height)
    {
      g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                   _("The path “%s” lies wholly outside the photo layer: draw the hairline "
                   "on the photo"), name);
      return NULL;
    }
  if (path_name)
    *path_name = g_steal_pointer (&name);
  return g_steal_pointer (&hairline);
}

gboolean
smp_plugin_target_selects_scalp (const SmpPluginTarget *target,
                                 const SmpHairline     *hairline,
                                 double                 reach_px)
{
  const SmpRect *c = &target->canvas;
  double step_x = MAX (1.0, c->width / 256.0), step_y = MAX (1.0, c->height / 256.0);

  for (double y = c->y + step_y / 2; y < c->y + c->height; y += step_y)
    for (double x = c->x + step_x / 2; x < c->x + c->width; x += step_x)
      if ((!target->has_mask || smp_mask_sample (&target->mask, x, y) > 0.0f) &&
          smp_hairline_signed_distance_px (hairline, x, y) >= -reach_px)
        return TRUE;
  return FALSE;
}

gboolean
smp_plugin_target_get_extent (const SmpPluginTarget *target,
                              const SmpDesign       *design,
                              const SmpHairline     *hairline,
                              SmpRect               *extent,
                              GError               **error)
{
  const SmpParams *params = smp_design_get_params (design);
  double           reach_px = params->sentinel_depth_mm * params->px_per_mm;

  if (smp_design_get_extent (design, &target->canvas, extent))
    return TRUE;
  if (target->has_mask && smp_plugin_target_selects_scalp (target, hairline, reach_px))
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The selection (%.1f × %.1f mm) is too small to hold an impression at "
                 "%g dots/cm²: select a larger part of the scalp, or select none"),
                 target->canvas.width / params->px_per_mm, target->canvas.height / params->px_per_mm,
                 params->density_per_cm2);
  else if (target->has_mask)
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("The selection lies entirely on the forehead side of the hairline: "
                 "select part of the scalp side, or select none"));
  else
    g_set_error (error, GIMP_PLUG_IN_ERROR, 0,
                 _("No dot falls on the photo: the scalp side of the hairline lies "
                 "outside it (check scalp-side)"));
  return FALSE;
}

/* ---- Output ------------------------------------------------------------------- */

/* Area on the scalp side inside the canvas (and selection), in cm², sampled on
 * a grid of about 1 mm (coarser on huge canvases). On a head model it is skin
 * area: each sample counts 1 / cos θ, none where the head turns away. */
static double
treated_area_cm2 (const SmpPluginTarget *target, const SmpHairline *hairline, double px_per_mm,
                  const SmpHeadModel *head)
{
  const SmpRect *c = &target->canvas;
  double step = MAX (px_per_mm, sqrt ((double) c->width * c->height / 250000.0));
  double sum = 0.0;

  step = MAX (step, 1.0);
  for (double y = c->y + step / 2; y < c->y + c->height; y += step)
    for (double x = c->x + step / 2; x < c->x + c->width; x += step)
      if (smp_hairline_signed_distance_px (hairline, x, y) >= 0.0)
        {
          double w = target->has_mask ? smp_mask_sample (&target->mask, x, y) : 1.0;
          if (head)
            {
              double c = smp_head_model_cos (head, x, y);
              w = c >= SMP_HEAD_MIN_COS ? w / c : 0.0;
            }
          sum += w;
        }
  return sum * step * step / (px_per_mm * px_per_mm) / 100.0;
}

/* "Session 2", or "Session 2 #1": GIMP keeps layer names unique in an image,
 * so a second proposal's sessions carry a suffix. */
static gboolean
is_session_layer (GimpItem *item)
{
  g_autofree char *name = gimp_item_get_name (item);
  int  k, n = 0, end = 0;
  char tail;

  if (sscanf (name, SMP_PLUGIN_SESSION_NAME_FMT "%n", &k, &end) != 1 || end == 0)
    return FALSE;
  if (name[end] == '\0')
    return TRUE;
  return sscanf (name + end, " #%d%n%c", &n, &end, &tail) == 1;
}

/* The record of what was just written: the design, where it came from and what
 * it holds. The design checks add to it before it is attached. */
SmpProposal *
smp_plugin_target_make_record (const SmpPluginTarget *target,
             const SmpDesign       *design,
             const SmpHairline     *hairline,
             const SmpRect         *extent,
             const char            *path_name,
             const char            *preset,
             SmpScaleSource         scale_source)
{
  const SmpParams *params = smp_design_get_params (design);
  SmpProposal     *record = smp_proposal_new ();
  gsize            per_session[SMP_MAX_SESSIONS] = { 0 };
  g_autoptr (GeglColor) color = smp_plugin_shade_to_color (&target->format, params->shade);

  record->params = *params;
  g_free (record->path_name);
  record->path_name = g_strdup (path_name ? path_name : "");
  g_free (record->preset_id);
  record->preset_id = g_strdup (preset ? preset : "");
  record->scale_source = scale_source;
  record->treated_area_cm2 = treated_area_cm2 (target, hairline, params->px_per_mm, smp_design_get_head (design));
  record->total_dots = (gint64) smp_design_count (design, extent, per_session);
  for (int k = 0; k < SMP_MAX_SESSIONS; k++)
    record->dots_per_session[k] = (gint64) per_session[k];
  /* The shade in [SMP Design] is in the layers' encoding; keep the colour as
   * people know it too, so a re-edit survives a change of precision and the
   * sheet shows what the artist chose. */
  gegl_color_get_pixel (color, babl_format ("R'G'B' u8"), record->shade_srgb);
  record->has_shade_srgb = TRUE;
  record->extent[0] = extent->x + target->offset_x;
  record->extent[1] = extent->y + target->offset_y;
  record->extent[2] = extent->width;
  record->extent[3] = extent->height;
  record->has_extent = TRUE;
  return record;
}

/* Writes the proposal; the caller holds the undo group. On failure what was
 * added is removed again. */
GimpGroupLayer *
smp_plugin_target_new_group (const SmpPluginTarget *target, const char *name)
{
  GimpItem       *parent = gimp_item_get_parent (GIMP_ITEM (target->client));
  GimpGroupLayer *group = gimp_group_layer_new (target->image, name);

  /* Pass-through with Multiply sessions: each session's pigment darkens the
   * skin and the sessions below it, as layered pigment does on skin (an
   * overlap of two sessions reads darker). A Multiply group over Normal
   * children would composite overlaps as paint over paint instead. */
  gimp_layer_set_mode (GIMP_LAYER (group), GIMP_LAYER_MODE_PASS_THROUGH);
  gimp_image_insert_layer (target->image, GIMP_LAYER (group), GIMP_LAYER (parent),
                           gimp_image_get_item_position (target->image, GIMP_ITEM (target->client)));
  return group;
}

gboolean
smp_plugin_target_write_sessions (const SmpPluginTarget *target,
                                  GimpGroupLayer        *group,
                                  const SmpDesign       *design,
                                  const SmpRect         *extent,
                                  guint                  session_mask,
                                  gboolean               progress,
                                  gboolean               shine,
                                  GPtrArray             *added,
                                  GError               **error)
{
  const int  n = smp_design_get_params (design)->sessions;
  g_autoptr (GPtrArray) written = g_ptr_array_new ();
  gboolean   ok = TRUE;
  double     chroma[3];
  gint64     t0 = g_get_monotonic_time ();
  /* With shine kept on top, the layers are corrected against the photo under them;
   * the skin's colour is read once for all of them. */
  const gboolean has_shine = shine && !target->format.grey &&
                             smp_plugin_io_estimate_shine (GIMP_DRAWABLE (target->client), extent,
                                                           target->has_mask ? &target->mask : NULL, chroma);

  g_debug ("writing %d session layers (skin colour for shine read in %.3f s)", n,
           (g_get_monotonic_time () - t0) / 1e6);

  for (int k = 0; k < n && ok; k++)
    {
      g_autofree char *name = g_strdup_printf (SMP_PLUGIN_SESSION_NAME_FMT, k + 1);
      GimpLayer *layer;

      if (!(session_mask & SMP_SESSION_BIT (k)))
        continue;
      layer = gimp_layer_new (target->image, name, extent->width, extent->height,
                              target->format.layer_type, 100.0, GIMP_LAYER_MODE_MULTIPLY);
      /* Hidden until written: a visible Multiply layer makes GIMP re-composite
       * the image for every tile we send, most of a run's time. */
      gimp_item_set_visible (GIMP_ITEM (layer), FALSE);
      /* Each new session goes on top of the previous one: Session 1 lowest. */
      gimp_image_insert_layer (target->image, layer, GIMP_LAYER (group), 0);
      gimp_layer_set_offsets (layer, extent->x + target->offset_x, extent->y + target->offset_y);
      g_ptr_array_add (written, layer);
      if (added)
        g_ptr_array_add (added, layer);
      ok = smp_plugin_io_write_layer_over (design, SMP_SESSION_BIT (k), extent, &target->format,
                                           target->has_mask ? &target->mask : NULL, layer,
                                           has_shine ? GIMP_DRAWABLE (target->client) : NULL,
                                           has_shine ? chroma : NULL,
                                           progress ? (double) k / n : 0.0,
                                           progress ? (double) (k + 1) / n : 0.0, error);
    }
  for (guint i = 0; ok && i < written->len; i++)
    gimp_item_set_visible (GIMP_ITEM (written->pdata[i]), TRUE);
  return ok;
}

GimpGroupLayer *
smp_plugin_target_write_proposal (const SmpPluginTarget *target,
                                  const SmpDesign       *design,
                                  const SmpRect         *extent,
                                  gboolean               shine,
                                  SmpProposal           *record,
                                  GError               **error)
{
  GimpImage       *image = target->image;
  GimpGroupLayer  *group = target->proposal;
  GPtrArray       *old_sessions = g_ptr_array_new ();
  GPtrArray       *kept = g_ptr_array_new ();
  GPtrArray       *added = g_ptr_array_new ();
  gboolean         ok = TRUE;

  if (group)
    {
      g_autofree GimpItem **children = gimp_item_get_children (GIMP_ITEM (group));

      for (gsize i = 0; children && children[i]; i++)
        g_ptr_array_add (is_session_layer (children[i]) ? old_sessions : kept, children[i]);
    }
  else
    group = smp_plugin_target_new_group (target, SMP_PLUGIN_GROUP_NAME);
  /* Marked incomplete before any pixel is written: a run killed half-way
   * leaves a proposal the next run recognises and replaces, and the sheet refuses. */
  record->complete = FALSE;
  smp_plugin_proposal_attach (group, record);

  ok = smp_plugin_target_write_sessions (target, group, design, extent, SMP_SESSIONS_ALL, TRUE, shine, added, error);

  if (ok)
    {
      /* Only now that the new sessions exist do the old ones go; then the new
       * ones can take the plain names the old ones held. */
      for (guint i = 0; i < old_sessions->len; i++)
        gimp_image_remove_layer (image, old_sessions->pdata[i]);
      if (old_sessions->len > 0)
        for (guint k = 0; k < added->len; k++)
          {
            g_autofree char *name = g_strdup_printf (SMP_PLUGIN_SESSION_NAME_FMT, (int) k + 1);
            gimp_item_set_name (added->pdata[k], name);
          }
      /* Guides and other helpers' layers stay above the dots. */
      for (guint i = kept->len; i-- > 0;)
        gimp_image_reorder_item (image, kept->pdata[i], GIMP_ITEM (group), 0);
      /* The proposal is what the artist works on next: running the procedure
       * again from the menu then re-edits it instead of stacking another. */
      {
        const GimpLayer *selected[] = { GIMP_LAYER (group), NULL };
        gimp_image_set_selected_layers (image, selected);
      }
    }
  else if (!target->proposal)
    gimp_image_remove_layer (image, GIMP_LAYER (group));
  else
    for (guint i = 0; i < added->len; i++)
      gimp_image_remove_layer (image, added->pdata[i]);

  g_ptr_array_unref (old_sessions);
  g_ptr_array_unref (kept);
  g_ptr_array_unref (added);
  return ok ? group : NULL;
}

