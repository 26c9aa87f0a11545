/* unlock.c — bench-unlock: the tuned Argon2id limits and what an unlock costs
 *
 * The baseline, measured in the same run, is one crypto_pwhash() at
 * libsodium's INTERACTIVE limits (2 passes, 64 MiB).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-bench.h"
#include "jc-core.h"

#define ROUNDS 3
#define PIN    "482915"

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_build_filename (JC_BUILD_DIR, "tmp", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JcSecret) dek = NULL;
  guint8 db_id[JC_KEYFILE_DB_ID_BYTES] = { 0 };
  guint8 salt[crypto_pwhash_SALTBYTES] = { 0 };
  guint8 out[32];
  double t_tune, t_unlock[ROUNDS], t_inter[ROUNDS], m_unlock, m_inter;
  JcKdfLimits limits;

  if (!jc_core_init (&error))
    goto fail;
  g_mkdir_with_parents (base, 0700);
  dir = g_build_filename (base, "bench-unlock-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    return 1;
  path = g_build_filename (dir, "keys", NULL);

  t_tune = now_s ();
  if (!jc_kdf_limits_tune (0.5, &limits, &error))
    goto fail;
  t_tune = now_s () - t_tune;
  if (!jc_keyfile_create (path, PIN, NULL, db_id, &limits, &dek, &error))
    goto fail;

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autoptr(JcSecret) key = NULL;

      t_unlock[i] = now_s ();
      if (!jc_keyfile_unlock (path, PIN, &key, &error))
        goto fail;
      t_unlock[i] = now_s () - t_unlock[i];

      t_inter[i] = now_s ();
      if (crypto_pwhash (out, sizeof out, PIN, strlen (PIN), salt,
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                         crypto_pwhash_ALG_ARGON2ID13) != 0)
        {
          g_printerr ("crypto_pwhash at INTERACTIVE limits failed\n");
          return 1;
        }
      t_inter[i] = now_s () - t_inter[i];
    }

  g_print ("tuned Argon2id limits: opslimit %" G_GUINT64_FORMAT ", memlimit %" G_GUINT64_FORMAT " MiB (tuning took %.2f s)\n",
           limits.opslimit, limits.memlimit >> 20, t_tune);
  m_unlock = jc_bench_median (t_unlock, ROUNDS);
  m_inter = jc_bench_median (t_inter, ROUNDS);
  g_print ("unlock (median of %d): %.3f s (target about 0.5 s)\n", ROUNDS, m_unlock);
  g_print ("crypto_pwhash INTERACTIVE (2 passes, 64 MiB, median of %d): %.3f s\n", ROUNDS, m_inter);
  g_print ("ratio unlock/interactive: %.2f\n", m_unlock / m_inter);

  g_unlink (path);
  g_rmdir (dir);
  return 0;

fail:
  g_printerr ("bench-unlock: %s\n", error->message);
  return 1;
}
