/* smp-sheet-file.c: writing a sheet to a temporary file beside the target, renamed
 * into place only when whole; stale temporaries of killed exports cleaned. */
#include "smp-sheet-private.h"
#include <glib/gi18n-lib.h>
#include <smp/smp-error.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* An export that was killed leaves its hidden ".NAME.XXXXXX" behind: the next
 * export of NAME removes it. A writer holds an exclusive flock on its temporary
 * file until it is renamed or removed, and the kernel drops the lock when the
 * writer dies (kill -9 too): a temporary that can be locked has no writer. Where
 * locks are not supported, those older than a minute go (a younger one may
 * belong to an export still running). */
static void
remove_stale_temporaries (const char *dir, const char *base)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *prefix = g_strdup_printf (".%s.", base);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *full = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, prefix) || strlen (name) != strlen (prefix) + 6)
        continue;
      full = g_build_filename (dir, name, NULL);
      if (g_lstat (full, &st) == 0 && S_ISREG (st.st_mode))
        {
          int fd = g_open (full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
          gboolean dead;

          if (fd < 0)
            continue;
          if (flock (fd, LOCK_EX | LOCK_NB) == 0)
            dead = TRUE;
          else
            dead = errno != EWOULDBLOCK && now - (gint64) st.st_mtime > 60;
          if (dead)
            g_unlink (full);
          close (fd);
        }
    }
}

/* ---- the file ------------------------------------------------------------------------ */


static guint32
png_crc (const guchar *data, gsize n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= data[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
  return c ^ 0xffffffffu;
}

static void
put_be32 (guchar *p, guint32 v)
{
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static gboolean
write_bytes (SmpSheetFile *w, const unsigned char *data, gsize length)
{
  if (length && fwrite (data, 1, length, w->file) != length)
    {
      w->errsv = errno ? errno : EIO;
      return FALSE;
    }
  w->offset += length;
  return TRUE;
}

/* cairo writes no pHYs chunk, so a PNG sheet would not say its resolution. The
 * stream starts with the 8-byte signature and the 25-byte IHDR chunk: the pHYs
 * chunk (metres, the same density both ways) goes right after them. */
#define PNG_PHYS_AT (8 + 25)

cairo_status_t
smp_sheet_file_write (void *closure, const unsigned char *data, unsigned int length)
{
  SmpSheetFile *w = closure;

  if (w->errsv)
    return CAIRO_STATUS_WRITE_ERROR;
  if (w->png_ppm && w->offset < PNG_PHYS_AT && w->offset + length >= PNG_PHYS_AT)
    {
      gsize head = PNG_PHYS_AT - w->offset;
      guchar phys[4 + 4 + 9 + 4];

      if (!write_bytes (w, data, head))
        return CAIRO_STATUS_WRITE_ERROR;
      put_be32 (phys, 9);
      memcpy (phys + 4, "pHYs", 4);
      put_be32 (phys + 8, w->png_ppm);
      put_be32 (phys + 12, w->png_ppm);
      phys[16] = 1; /* unit: metre */
      put_be32 (phys + 17, png_crc (phys + 4, 4 + 9));
      if (fwrite (phys, 1, sizeof phys, w->file) != sizeof phys)
        {
          w->errsv = errno ? errno : EIO;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      w->png_ppm = 0;
      data += head, length -= head;
    }
  return write_bytes (w, data, length) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

gboolean
smp_sheet_file_open (SmpSheetFile *w, const char *path, guint32 png_ppm, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  int fd;

  memset (w, 0, sizeof *w);
  w->png_ppm = png_ppm;
  /* beside the target, so that the rename stays on one disk */
  remove_stale_temporaries (dir, base);
  w->tmp = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  w->path = g_strdup (path);
  fd = g_mkstemp_full (w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd >= 0)
    {
      /* held until the file is renamed or removed: it tells a live export's file
       * from a killed one's (remove_stale_temporaries) */
      (void) flock (fd, LOCK_EX | LOCK_NB);
      w->file = fdopen (fd, "wb");
    }
  if (!w->file)
    {
      int errsv = errno;
      if (fd >= 0)
        {
          g_close (fd, NULL);
          g_unlink (w->tmp);
        }
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("cannot write “%s”: %s"), path, g_strerror (errsv));
      g_clear_pointer (&w->tmp, g_free);
      g_clear_pointer (&w->path, g_free);
      return FALSE;
    }
  return TRUE;
}

gboolean
smp_sheet_file_commit (SmpSheetFile *w, cairo_status_t status, GError **error)
{
  g_autofree char *tmp = g_steal_pointer (&w->tmp);
  g_autofree char *path = g_steal_pointer (&w->path);

  if (fclose (w->file) != 0 && !w->errsv)
    w->errsv = errno ? errno : EIO;
  w->file = NULL;
  if (status != CAIRO_STATUS_SUCCESS || w->errsv)
    {
      g_unlink (tmp);
      if (w->errsv)
        g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("cannot write “%s”: %s"), path, g_strerror (w->errsv));
      else
        g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("cannot write “%s”: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, SMP_ERROR, SMP_ERROR_IO, _("cannot write “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}
