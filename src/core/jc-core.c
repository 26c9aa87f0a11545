/* jc-core.c — process-wide initialisation of the core library */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <sched.h>
#include <sodium.h>
#include <sqlite3.h>

#include "jc-core.h"

G_DEFINE_QUARK (jc-core-error-quark, jc_core_error)

/* libsodium must be initialised before any key or random number is made;
 * calling sodium_init() again is cheap and thread-safe. */
gboolean
jc_core_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, JC_CORE_ERROR, JC_CORE_ERROR_CRYPTO_INIT,
                           "libsodium could not be initialised");
      return FALSE;
    }
  /* SQLite's allocation statistics lock a global mutex on every allocation
   * (Debian builds it without lookaside, so on every one); nothing here
   * reads them. Only possible before SQLite starts: a second call does
   * nothing. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
  return TRUE;
}

/* Translations come from LOCALEDIR once installed; JIANCHA_LOCALEDIR points
 * at the build tree's po/ so tests and `./jiancha run` show the same
 * Chinese as an installed copy. */
void
jc_core_init_i18n (void)
{
  const char *localedir = g_getenv ("JIANCHA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/* The processors this process may run on. GLib's g_get_num_processors()
 * counts every online one even under `taskset` or a container's cpuset,
 * where a second thread would only take turns with the first. */
guint
jc_core_get_n_cores (void)
{
#ifdef CPU_COUNT
  cpu_set_t set;

  if (sched_getaffinity (0, sizeof set, &set) == 0 && CPU_COUNT (&set) > 0)
    return (guint) CPU_COUNT (&set);
#endif
  return g_get_num_processors ();
}
