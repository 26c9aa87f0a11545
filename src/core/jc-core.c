/* jc-core.c — process-wide initialisation of the core library */
#include "config.h"

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
