/* jc-version.c — version and build information, for --version and About */
#include "config.h"

#include <sodium.h>
#include <sqlite3.h>

#include "jc-version.h"

const char *
jc_version_string (void)
{
  return PACKAGE_VERSION;
}

/* One "name: value" line per component, so a bug report says exactly which
 * libraries the binary ran with, not only which it was built against. */
char *
jc_build_info (void)
{
  return g_strdup_printf ("jiancha: %s\n"
                          "build: %s, %s\n"
                          "glib: %u.%u.%u\n"
                          "sqlite: %s\n"
                          "libsodium: %s\n",
                          PACKAGE_VERSION,
                          JC_BUILD_TYPE, JC_COMPILER,
                          glib_major_version, glib_minor_version, glib_micro_version,
                          sqlite3_libversion (),
                          sodium_version_string ());
}
