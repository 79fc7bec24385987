/* smp-proposal.c: reading and writing the stored proposal record, every known
 * version, with bounds on every number and string (records come from images). */
#include <smp/smp-proposal.h>
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GROUP_DESIGN   "SMP Design"
#define GROUP_PROPOSAL "SMP Proposal"
#define GROUP_CHECKS   "SMP Checks"

static const char *const scale_sources[] = { "argument", "calibration", "default" };

const char *
smp_scale_source_to_string (SmpScaleSource source)
{
  return (guint) source < G_N_ELEMENTS (scale_sources) ? scale_sources[source] : "argument";
}

SmpProposal *
smp_proposal_new (void)
{
  SmpProposal *p = g_new0 (SmpProposal, 1);

  smp_params_init_defaults (&p->params);
  p->path_name = g_strdup ("");
  p->preset_id = g_strdup ("");
  p->area_channel = g_strdup ("");
  p->complete = TRUE;
  return p;
}

void
smp_proposal_free (SmpProposal *proposal)
{
  if (!proposal)
    return;
  g_free (proposal->path_name);
  g_free (proposal->preset_id);
  g_free (proposal->area_channel);
  for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
    g_free (proposal->check_messages[c]);
  g_free (proposal);
}

/* Cut to at most `max` bytes on a character boundary, with an ellipsis. */
static char *
cut_text (const char *text, gsize max)
{
  const char *end;

  if (!g_utf8_validate (text, -1, &end))
    return g_strndup (text, MIN ((gsize) (end - text), max)); /* the valid prefix only */
  if (strlen (text) <= max)
    return g_strdup (text);
  {
    g_autofree char *head = NULL;

    end = g_utf8_find_prev_char (text, text + max - strlen ("…") + 1);
    head = g_strndup (text, end ? (gsize) (end - text) : 0);
    return g_strconcat (head, "…", NULL);
  }
}

void
smp_proposal_set_check (SmpProposal *proposal, int check, const char *message)
{
  g_return_if_fail (proposal != NULL && check >= 0 && check < SMP_FACE_N_CHECKS);
  g_free (proposal->check_messages[check]);
  proposal->check_messages[check] = message && *message ? cut_text (message, SMP_PROPOSAL_MAX_MESSAGE) : NULL;
}

char *
smp_proposal_to_string (const SmpProposal *p)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  gint counts[SMP_MAX_SESSIONS];
  int  n = CLAMP (p->params.sessions, 1, SMP_MAX_SESSIONS);

  g_return_val_if_fail (p != NULL, NULL);
  smp_params_save_key_file (&p->params, kf, GROUP_DESIGN);
  g_key_file_set_integer (kf, GROUP_PROPOSAL, "version", SMP_PROPOSAL_VERSION);
  g_key_file_set_boolean (kf, GROUP_PROPOSAL, "complete", p->complete);
  g_key_file_set_string (kf, GROUP_PROPOSAL, "path", p->path_name ? p->path_name : "");
  g_key_file_set_string (kf, GROUP_PROPOSAL, "preset", p->preset_id ? p->preset_id : "");
  g_key_file_set_string (kf, GROUP_PROPOSAL, "px_per_mm_source", smp_scale_source_to_string (p->scale_source));
  g_key_file_set_double (kf, GROUP_PROPOSAL, "treated_area_cm2", round (p->treated_area_cm2 * 100.0) / 100.0);
  g_key_file_set_int64 (kf, GROUP_PROPOSAL, "total_dots", p->total_dots);
  for (int k = 0; k < n; k++)
    counts[k] = (gint) CLAMP (p->dots_per_session[k], 0, G_MAXINT);
  g_key_file_set_integer_list (kf, GROUP_PROPOSAL, "dots_per_session", counts, (gsize) n);
  if (p->has_shade_srgb)
    {
      char hex[8];
      g_snprintf (hex, sizeof hex, "#%02x%02x%02x", p->shade_srgb[0], p->shade_srgb[1], p->shade_srgb[2]);
      g_key_file_set_string (kf, GROUP_PROPOSAL, "shade_srgb", hex);
    }
  if (p->has_extent)
    g_key_file_set_integer_list (kf, GROUP_PROPOSAL, "extent", (gint *) p->extent, 4);
  g_key_file_set_string (kf, GROUP_PROPOSAL, "area_channel", p->area_channel ? p->area_channel : "");
  if (p->has_area_bounds)
    g_key_file_set_integer_list (kf, GROUP_PROPOSAL, "area_bounds", (gint *) p->area_bounds, 4);
  if (p->checks_ran)
    {
      g_autoptr (GPtrArray) keys = g_ptr_array_new ();
      int findings = 0;

      for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
        {
          if (p->checks_run & SMP_FACE_CHECK_BIT (c))
            g_ptr_array_add (keys, (gpointer) smp_face_check_get_key (c));
          if (p->check_messages[c])
            {
              g_key_file_set_string (kf, GROUP_CHECKS, smp_face_check_get_key (c), p->check_messages[c]);
              findings++;
            }
        }
      g_key_file_set_string_list (kf, GROUP_CHECKS, "checked", (const char *const *) keys->pdata, keys->len);
      g_key_file_set_integer (kf, GROUP_CHECKS, "findings", findings);
      g_key_file_set_boolean (kf, GROUP_CHECKS, "face_frame", p->face_frame);
      g_key_file_set_boolean (kf, GROUP_CHECKS, "feminine", p->feminine);
    }
  if (p->on_head)
    smp_head_model_save_key_file (&p->head, kf);
  return g_key_file_to_data (kf, NULL, NULL);
}

static gboolean
bad_key (GError **error, const char *group, const char *key, const char *what)
{
  g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("stored proposal, [%s] %s: %s"), group, key, what);
  return FALSE;
}

/* A string key: absent gives `fallback`; too long or not UTF-8 is refused. */
static gboolean
read_name (GKeyFile *kf, const char *group, const char *key, char **out, GError **error)
{
  g_autofree char *v = NULL;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_string (kf, group, key, NULL);
  if (!v || !g_utf8_validate (v, -1, NULL))
    return bad_key (error, group, key, "not readable text");
  if (strlen (v) > SMP_PROPOSAL_MAX_NAME)
    return bad_key (error, group, key, "longer than any name the plug-in writes");
  g_free (*out);
  *out = g_steal_pointer (&v);
  return TRUE;
}

static gboolean
read_number (GKeyFile *kf, const char *group, const char *key, double min, double max,
             double *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  double v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_double (kf, group, key, &local);
  if (local)
    return bad_key (error, group, key, "not a number");
  if (!isfinite (v) || v < min || v > max)
    {
      g_autofree char *what = g_strdup_printf ("%g is outside %g to %g", v, min, max);
      return bad_key (error, group, key, what);
    }
  *out = v;
  return TRUE;
}

static gboolean
read_bool (GKeyFile *kf, const char *group, const char *key, gboolean *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  gboolean v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_boolean (kf, group, key, &local);
  if (local)
    return bad_key (error, group, key, "not true or false");
  *out = v;
  return TRUE;
}

/* x, y, width, height in image px, bounded so that x + width and width × height
 * never overflow. */
static gboolean
read_rect (GKeyFile *kf, const char *g, const char *key, int rect[4], gboolean *has, GError **error)
{
  gsize n = 0;
  g_autoptr (GError) local = NULL;
  g_autofree gint *v = NULL;

  if (!g_key_file_has_key (kf, g, key, NULL))
    return TRUE;
  v = g_key_file_get_integer_list (kf, g, key, &n, &local);
  if (local || n != 4)
    return bad_key (error, g, key, "not four whole numbers x, y, width, height");
  /* No ABS (): it overflows on G_MININT. */
  if (v[0] < -SMP_PROPOSAL_MAX_COORD || v[0] > SMP_PROPOSAL_MAX_COORD ||
      v[1] < -SMP_PROPOSAL_MAX_COORD || v[1] > SMP_PROPOSAL_MAX_COORD ||
      v[2] < 1 || v[3] < 1 || v[2] > SMP_PROPOSAL_MAX_COORD || v[3] > SMP_PROPOSAL_MAX_COORD)
    return bad_key (error, g, key, "outside any image GIMP can hold");
  memcpy (rect, v, 4 * sizeof *rect);
  *has = TRUE;
  return TRUE;
}

static gboolean
read_proposal_group (GKeyFile *kf, SmpProposal *p, GError **error)
{
  const char *g = GROUP_PROPOSAL;
  double      d;

  if (!read_name (kf, g, "path", &p->path_name, error) ||
      !read_name (kf, g, "preset", &p->preset_id, error) ||
      !read_number (kf, g, "treated_area_cm2", 0, SMP_PROPOSAL_MAX_AREA_CM2, &p->treated_area_cm2, error) ||
      !read_bool (kf, g, "complete", &p->complete, error))
    return FALSE;
  /* A look id names a file in the looks folder: nothing that walks out of it. */
  if (strchr (p->preset_id, '/') || strchr (p->preset_id, '\\') || strstr (p->preset_id, ".."))
    return bad_key (error, g, "preset", "not a look id");
  d = (double) p->total_dots;
  if (!read_number (kf, g, "total_dots", 0, (double) SMP_PROPOSAL_MAX_DOTS, &d, error))
    return FALSE;
  p->total_dots = (gint64) d;

  if (g_key_file_has_key (kf, g, "px_per_mm_source", NULL))
    {
      g_autofree char *v = g_key_file_get_string (kf, g, "px_per_mm_source", NULL);
      gboolean found = FALSE;

      for (guint i = 0; v && i < G_N_ELEMENTS (scale_sources); i++)
        if (!strcmp (v, scale_sources[i]))
          p->scale_source = (SmpScaleSource) i, found = TRUE;
      if (!found)
        return bad_key (error, g, "px_per_mm_source", "not argument, calibration or default");
    }
  if (g_key_file_has_key (kf, g, "dots_per_session", NULL))
    {
      gsize n = 0;
      g_autoptr (GError) local = NULL;
      g_autofree gint *v = g_key_file_get_integer_list (kf, g, "dots_per_session", &n, &local);

      if (local || n > SMP_MAX_SESSIONS)
        return bad_key (error, g, "dots_per_session", "not a list of up to 4 counts");
      for (gsize k = 0; k < n; k++)
        {
          if (v[k] < 0)
            return bad_key (error, g, "dots_per_session", "a negative count");
          p->dots_per_session[k] = v[k];
        }
    }
  if (g_key_file_has_key (kf, g, "shade_srgb", NULL))
    {
      g_autofree char *hex = g_key_file_get_string (kf, g, "shade_srgb", NULL);
      unsigned r, gg, b;

      if (!hex || strlen (hex) != 7 || sscanf (hex, "#%2x%2x%2x", &r, &gg, &b) != 3)
        return bad_key (error, g, "shade_srgb", "not a colour like #1c1c1e");
      p->shade_srgb[0] = r, p->shade_srgb[1] = gg, p->shade_srgb[2] = b;
      p->has_shade_srgb = TRUE;
    }
  if (!read_rect (kf, g, "extent", p->extent, &p->has_extent, error) ||
      !read_rect (kf, g, "area_bounds", p->area_bounds, &p->has_area_bounds, error) ||
      !read_name (kf, g, "area_channel", &p->area_channel, error))
    return FALSE;
  return TRUE;
}

static gboolean
read_checks_group (GKeyFile *kf, SmpProposal *p, GError **error)
{
  const char *g = GROUP_CHECKS;
  g_auto (GStrv) run = NULL;
  gsize n = 0;

  if (!g_key_file_has_group (kf, g))
    return TRUE;
  p->checks_ran = TRUE;
  if (!read_bool (kf, g, "face_frame", &p->face_frame, error) ||
      !read_bool (kf, g, "feminine", &p->feminine, error))
    return FALSE;
  run = g_key_file_get_string_list (kf, g, "checked", &n, NULL);
  if (n > SMP_FACE_N_CHECKS)
    return bad_key (error, g, "checked", "more checks than there are");
  for (gsize i = 0; run && run[i]; i++)
    {
      gboolean known = FALSE;

      for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
        if (!strcmp (run[i], smp_face_check_get_key (c)))
          p->checks_run |= SMP_FACE_CHECK_BIT (c), known = TRUE;
      if (!known)
        return bad_key (error, g, "checked", "names a check that does not exist");
    }
  for (int c = 0; c < SMP_FACE_N_CHECKS; c++)
    {
      g_autofree char *m = g_key_file_get_string (kf, g, smp_face_check_get_key (c), NULL);

      if (m && *m)
        smp_proposal_set_check (p, c, m);
    }
  return TRUE;
}

SmpProposal *
smp_proposal_from_string (const char *text, gsize length, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (SmpProposal) p = smp_proposal_new ();
  g_autoptr (GError) local = NULL;
  gint64 version = 1;

  g_return_val_if_fail (text != NULL, NULL);
  if (length > SMP_PROPOSAL_MAX_BYTES)
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                   _("stored proposal is %lu bytes, far more than the plug-in writes"),
                   (gulong) length);
      return NULL;
    }
  if (!g_key_file_load_from_data (kf, text, length, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET, _("stored proposal is not readable: %s"), local->message);
      return NULL;
    }
  if (g_key_file_has_key (kf, GROUP_PROPOSAL, "version", NULL))
    {
      version = g_key_file_get_int64 (kf, GROUP_PROPOSAL, "version", &local);
      if (local || version < 1)
        {
          bad_key (error, GROUP_PROPOSAL, "version", "not a version number");
          return NULL;
        }
      if (version > SMP_PROPOSAL_VERSION)
        {
          g_set_error (error, SMP_ERROR, SMP_ERROR_PRESET,
                       _("stored proposal has version %lld, made by a newer SMP Hairline "
                       "(this one reads up to %d): update the plug-in"), (long long) version, SMP_PROPOSAL_VERSION);
          return NULL;
        }
    }
  if (!smp_params_load_key_file (&p->params, kf, GROUP_DESIGN, "the stored SMP design", error))
    return NULL;
  /* Version 1 had no `complete`: what it stored was whole. */
  p->complete = TRUE;
  if (!read_proposal_group (kf, p, error) || !read_checks_group (kf, p, error))
    return NULL;
  if (version >= 2 && !g_key_file_has_key (kf, GROUP_PROPOSAL, "complete", NULL))
    {
      bad_key (error, GROUP_PROPOSAL, "complete", "missing");
      return NULL;
    }
  if (g_key_file_has_group (kf, SMP_HEAD_GROUP))
    {
      if (!smp_head_model_load_key_file (&p->head, kf, error))
        return NULL;
      p->on_head = TRUE;
    }
  return g_steal_pointer (&p);
}
