/* jc-core.c — process-wide initialisation of the core library */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <sodium.h>

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
