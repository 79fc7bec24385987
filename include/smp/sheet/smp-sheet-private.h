/* smp-sheet-private.h (internal): the sheet's file writer, shared by the page
 * renderer and its stream callbacks. */
#pragma once

#ifndef SMP_ENGINE_COMPILATION
#error "a private engine header: the plug-in and the tests use include/smp/*.h only"
#endif

#include <cairo.h>
#include <glib.h>
#include <stdio.h>

typedef struct
{
  FILE   *file;
  int     errsv;
  guint32 png_ppm;  /* PNG only: pixels per metre, written as a pHYs chunk */
  gsize   offset;   /* bytes passed through so far */
  char   *tmp;      /* the hidden temporary beside the target */
  char   *path;
} SmpSheetFile;

/* Opens a hidden temporary beside `path` (after removing stale ones of ours). */
gboolean       smp_sheet_file_open   (SmpSheetFile *file, const char *path, guint32 png_ppm, GError **error);
/* A cairo write function over an SmpSheetFile; inserts pHYs into a PNG stream. */
cairo_status_t smp_sheet_file_write  (void *closure, const unsigned char *data, unsigned int length);
/* Closes; renames into place when `status` and every write succeeded, else removes. */
gboolean       smp_sheet_file_commit (SmpSheetFile *file, cairo_status_t status, GError **error);
