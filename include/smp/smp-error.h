/* smp-error.h: the engine's error domain and its progress callback.
 * Every failure a caller or user can cause is reported as a GError in SMP_ERROR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SMP_ERROR (smp_error_quark ())

typedef enum
{
  SMP_ERROR_INVALID_PARAMETER, /* a parameter outside its documented range */
  SMP_ERROR_BAD_GEOMETRY,      /* a hairline stroke that cannot be used */
  SMP_ERROR_PRESET,            /* a preset or template file that cannot be read */
  SMP_ERROR_IO,                /* a file that cannot be written */
  SMP_ERROR_CANCELLED,         /* the caller's progress callback asked to stop */
  SMP_ERROR_MEASURE,           /* a photo the work cannot be measured on (smp-match.h) */
} SmpError;

GQuark smp_error_quark (void);

/* Long work (a render, a sheet) reports the share done, 0..1, rising, always on
 * the calling thread; returning FALSE cancels it: the work stops at its next
 * step (a band, a stage of the page) and fails with SMP_ERROR_CANCELLED, its
 * output undefined (a render) or not written (a sheet). */
typedef gboolean (*SmpProgressFunc) (double done, gpointer data);

G_END_DECLS
