/* fuzz-driver.c: replays fuzz inputs without libFuzzer, as a TAP test
 *
 * Arguments are files or folders (every file in them, sorted); each input
 * is one test point. A crash or a failed assertion inside the target ends
 * the run, as it would under libFuzzer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_inputs (GPtrArray  *paths,
            const char *arg)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (!g_file_test (arg, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (paths, g_strdup (arg));
      return;
    }
  dir = g_dir_open (arg, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (arg, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_strdup (g_ptr_array_index (names, i)));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    add_inputs (paths, argv[i]);
  if (paths->len == 0)
    {
      printf ("1..0 # SKIP no inputs given\n");
      return 0;
    }
  printf ("1..%u\n", paths->len);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
      printf ("ok %u - %s (%" G_GSIZE_FORMAT " bytes)\n", i + 1, path, len);
      fflush (stdout);
    }
  return 0;
}
