/* fuzz-replay.c: runs a fuzz harness over files, without libFuzzer
 *
 *   fuzz-<target>-replay FILE-OR-DIRECTORY...
 *
 * Calls the harness's LLVMFuzzerTestOneInput() once on each file named,
 * and on each file of each directory named (not recursively, in name
 * order), so that the seeds and every crash the fuzzers ever found run as
 * ordinary tests, in any build: with gcc, under valgrind, with ASan. A
 * broken invariant aborts the program; a path that cannot be read fails
 * it. Linked with the harness, in place of libFuzzer's main().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"

static gboolean
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *data = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("fuzz-replay: %s\n", error->message);
      return FALSE;
    }

  /* A buffer of exactly the input's size, as libFuzzer gives: a read past
   * its end is a heap overflow to ASan and valgrind. */
  data = g_malloc (MAX (length, 1));
  memcpy (data, contents, length);

  printf ("%s\n", path);
  fflush (stdout);
  LLVMFuzzerTestOneInput (data, length);
  return TRUE;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
run_directory (const char *path,
               guint      *n_files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      g_printerr ("fuzz-replay: %s\n", error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      /* Notes beside the inputs (README.md) are not inputs. */
      if (name[0] == '.' || g_str_has_suffix (name, ".md") ||
          !g_file_test (file, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (names, g_steal_pointer (&file));
    }
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      if (!run_file (names->pdata[i]))
        return FALSE;
      (*n_files)++;
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  guint n_files = 0;

  if (argc < 2)
    {
      g_printerr ("usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  for (int i = 1; i < argc; i++)
    {
      gboolean ok;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        ok = run_directory (argv[i], &n_files);
      else
        {
          ok = run_file (argv[i]);
          n_files++;
        }
      if (!ok)
        return 1;
    }

  printf ("fuzz-replay: %u inputs, no invariant broken\n", n_files);
  return 0;
}
