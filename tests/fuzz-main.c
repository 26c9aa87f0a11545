/* fuzz-main.c — replay driver for the fuzz targets (tests/fuzz-*.c)
 *
 *   fuzz-NAME [FILE|DIR]…
 *
 * Without libFuzzer (a plain gcc build, the normal test suite) this main()
 * feeds every file of the corpus to LLVMFuzzerTestOneInput, then each
 * file's truncations and a fixed set of byte mutations, so a crash the
 * fuzzer once found stays fixed. build-aux/fuzz.sh links the same target
 * with clang's -fsanitize=fuzzer instead, which brings its own main().
 */
#include "config.h"

#include <glib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static guint n_runs;

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
run (const guint8 *data, gsize size)
{
  LLVMFuzzerTestOneInput (data, size);
  n_runs++;
}

static void
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *copy = NULL;
  GRand *rand;
  gsize len;

  if (!g_file_get_contents (path, (char **) &data, &len, &error))
    g_error ("%s", error->message);

  run (data, len);
  /* Every truncation (a QR text cut short, a COSE missing its tail). */
  for (gsize n = 0; n < len; n++)
    run (data, n);
  /* Fixed pseudo-random mutations: same seed, same inputs, every run. */
  copy = g_malloc (len + 1);
  rand = g_rand_new_with_seed (len);
  for (guint i = 0; len > 1 && i < 256; i++)
    {
      gsize at = 1 + g_rand_int_range (rand, 0, len - 1);

      memcpy (copy, data, len);
      switch (i % 3)
        {
        case 0: copy[at] ^= 1 << g_rand_int_range (rand, 0, 8); break;
        case 1: copy[at] = g_rand_int_range (rand, 0, 256); break;
        default: copy[at] = "\x00\x17\x18\x19\x1a\x1b\x1f\x5f\x9f\xbf\xff\xd2"[g_rand_int_range (rand, 0, 12)]; break;
        }
      run (copy, len);
    }
  g_rand_free (rand);
  g_print ("%s: replayed with %" G_GSIZE_FORMAT " truncations and mutations\n", path, len + 256);
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            g_error ("cannot open %s", argv[i]);
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          g_ptr_array_sort (names, compare_paths);
          for (guint j = 0; j < names->len; j++)
            replay_file (g_ptr_array_index (names, j));
        }
      else
        replay_file (argv[i]);
    }
  if (n_runs == 0)
    g_error ("no corpus given: usage: %s FILE|DIR…", argv[0]);
  g_print ("%u inputs, no crash\n", n_runs);
  return 0;
}
