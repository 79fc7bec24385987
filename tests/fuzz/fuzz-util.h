/* fuzz-util.h: what the libFuzzer entry points share: the entry point's
 * signature, bounded input copies, and a scratch file for the loaders that read paths. */
#pragma once

#include <smp/smp.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Inputs past this are cut: the parsers' cost is linear, the fuzzer's time is better
 * spent on shapes than on length (the budgets in tests/unit/test-budget.c cover size). */
#define FUZZ_MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (embedded NULs end it early, as for any C reader). */
static inline char *
fuzz_text (const uint8_t *data, size_t size)
{
  return g_strndup ((const char *) data, MIN (size, FUZZ_MAX_INPUT));
}

/* Writes the input to <tmp>/smp-fuzz-<pid>/<name> and returns that path. */
static inline char *
fuzz_file (const char *name, const uint8_t *data, size_t size)
{
  g_autofree char *dir = g_strdup_printf ("%s/smp-fuzz-%d", g_get_tmp_dir (), (int) getpid ());
  char *path = g_build_filename (dir, name, NULL);

  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents (path, (const char *) data, (gssize) MIN (size, FUZZ_MAX_INPUT), NULL))
    g_error ("cannot write the fuzz input to %s", path);
  return path;
}
