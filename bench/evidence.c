/* evidence.c — bench-evidence: ingesting a 200 MB file vs sha256sum of it
 *
 * Ingest = read + SHA-256 + XChaCha20-Poly1305 secretstream + write +
 * fsync + rename into a blob store.  The baseline, measured in the same
 * run on the same (page-cached) file, is coreutils' `sha256sum`, i.e. the
 * cost of hashing alone.  Each side runs three times, the best counts.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "jc-core.h"

#define FILE_BYTES (200 * 1000 * 1000)
#define ROUNDS     5

static long
max_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static double
cpu_s (int who)
{
  struct rusage ru;

  getrusage (who, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* The machine is shared: say how busy it was, wall times depend on it. */
static char *
load_average (void)
{
  static char buf[64];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return (char *) "?\n";
  g_strlcpy (buf, contents, sizeof buf);
  return buf;
}

static gboolean
write_random_file (const char *path, GError **error)
{
  g_autofree guint8 *buf = g_malloc (1 << 20);
  guint8 seed[randombytes_SEEDBYTES] = { 0 };
  FILE *f = fopen (path, "wb");

  if (f == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", path);
      return FALSE;
    }
  for (guint i = 0; i < FILE_BYTES / (1 << 20) + 1; i++)
    {
      gsize n = MIN ((gsize) 1 << 20, (gsize) FILE_BYTES - (gsize) i * (1 << 20));

      if (n == 0 || (gsize) i * (1 << 20) >= FILE_BYTES)
        break;
      seed[0] = i & 0xff;
      seed[1] = i >> 8;
      randombytes_buf_deterministic (buf, n, seed);
      fwrite (buf, 1, n, f);
    }
  fflush (f);
  fsync (fileno (f));
  fclose (f);
  return TRUE;
}

static double
time_sha256sum (const char *path, char **digest, GError **error)
{
  const char *argv[] = { "sha256sum", path, NULL };
  g_autofree char *out = NULL;
  int status = 0;
  double t = now_s ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, error) ||
      !g_spawn_check_wait_status (status, error))
    return -1;
  t = now_s () - t;
  *digest = g_strndup (out, 64);
  return t;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (JC_BUILD_DIR, "tmp", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *src = NULL;
  g_autofree char *blobs = NULL;
  g_autoptr(JcSecret) dek = NULL;
  g_autoptr(JcBlobstore) store = NULL;
  double best_sum = 1e9, best_ingest = 1e9, best_cpu_sum = 1e9, best_cpu_ingest = 1e9;
  long rss_before, rss_after = 0;

  if (!jc_core_init (&error))
    goto fail;
  g_mkdir_with_parents (base, 0700);
  dir = g_build_filename (base, "bench-evidence-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    {
      g_printerr ("cannot create a directory under %s\n", base);
      return 1;
    }
  src = g_build_filename (dir, "input.bin", NULL);
  blobs = g_build_filename (dir, "vault", "blobs", NULL);
  dek = jc_secret_new_random (32);
  store = jc_blobstore_new (blobs, dek, &error);
  if (store == NULL || !write_random_file (src, &error))
    goto fail;

  rss_before = max_rss_kb ();
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *digest = NULL;
      g_autoptr(JcBlobInfo) info = NULL;
      g_autofree char *blob_path = NULL;
      double t_sum, t_ingest, c_sum, c_ingest;

      c_sum = cpu_s (RUSAGE_CHILDREN);
      t_sum = time_sha256sum (src, &digest, &error);
      if (t_sum < 0)
        goto fail;
      c_sum = cpu_s (RUSAGE_CHILDREN) - c_sum;

      c_ingest = cpu_s (RUSAGE_SELF);
      t_ingest = now_s ();
      info = jc_blobstore_add_file (store, src, NULL, NULL, &error);
      if (info == NULL)
        goto fail;
      t_ingest = now_s () - t_ingest;
      c_ingest = cpu_s (RUSAGE_SELF) - c_ingest;
      if (round == 0)
        rss_after = max_rss_kb ();

      if (strcmp (digest, info->sha256_hex) != 0)
        {
          g_printerr ("SHA-256 mismatch: sha256sum %s, ingest %s\n", digest, info->sha256_hex);
          return 1;
        }
      blob_path = jc_blobstore_path_for (store, info->sha256);
      g_unlink (blob_path);

      g_print ("round %u: sha256sum %.3f s (cpu %.3f s), ingest %.3f s (cpu %.3f s), ratio %.2f\n",
               round + 1, t_sum, c_sum, t_ingest, c_ingest, t_ingest / t_sum);
      best_sum = MIN (best_sum, t_sum);
      best_ingest = MIN (best_ingest, t_ingest);
      best_cpu_sum = MIN (best_cpu_sum, c_sum);
      best_cpu_ingest = MIN (best_cpu_ingest, c_ingest);
    }

  g_print ("file: %d MB\n", FILE_BYTES / 1000000);
  g_print ("sha256sum (best of %d): %.3f s (%.0f MB/s)\n", ROUNDS, best_sum, FILE_BYTES / 1e6 / best_sum);
  g_print ("ingest    (best of %d): %.3f s (%.0f MB/s)\n", ROUNDS, best_ingest, FILE_BYTES / 1e6 / best_ingest);
  g_print ("ratio ingest/sha256sum: %.2f (target <= 1.30)\n", best_ingest / best_sum);
  g_print ("cpu time (best of %d): sha256sum %.3f s, ingest %.3f s (both threads), ratio %.2f\n",
           ROUNDS, best_cpu_sum, best_cpu_ingest, best_cpu_ingest / best_cpu_sum);
  g_print ("load average at the end: %s", load_average ());
  g_print ("peak RSS: %.1f MiB, growth during the first ingest: %ld KiB\n",
           rss_after / 1024.0, rss_after - rss_before);

  g_unlink (src);
  {
    g_autofree char *vault = g_path_get_dirname (blobs);
    g_autoptr(GDir) d = g_dir_open (blobs, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *sub = g_build_filename (blobs, name, NULL);
        g_rmdir (sub);
      }
    g_rmdir (blobs);
    g_rmdir (vault);
    g_rmdir (dir);
  }
  return 0;

fail:
  g_printerr ("bench-evidence: %s\n", error ? error->message : "failed");
  return 1;
}
