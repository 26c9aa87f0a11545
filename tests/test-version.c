/* test-version.c — the version, the build info and core initialisation */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

START_TEST (test_version_matches_project)
{
  ck_assert_str_eq (jc_version_string (), PACKAGE_VERSION);
  ck_assert_msg (g_regex_match_simple ("^[0-9]+\\.[0-9]+\\.[0-9]+$", jc_version_string (), 0, 0),
                 "version '%s' is not MAJOR.MINOR.MICRO", jc_version_string ());
}
END_TEST

START_TEST (test_build_info_names_runtime_libraries)
{
  g_autofree char *info = jc_build_info ();
  g_autofree char *sodium_line = g_strdup_printf ("libsodium: %s\n", sodium_version_string ());

  ck_assert_ptr_nonnull (strstr (info, "jiancha: " PACKAGE_VERSION "\n"));
  ck_assert_ptr_nonnull (strstr (info, "sqlite: 3."));
  ck_assert_ptr_nonnull (strstr (info, sodium_line));
  ck_assert (g_str_has_suffix (info, "\n"));
}
END_TEST

START_TEST (test_core_init_is_idempotent)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  ck_assert_ptr_null (error);
  ck_assert (jc_core_init (&error));
  ck_assert_ptr_null (error);
}
END_TEST

START_TEST (test_error_domain_is_registered)
{
  g_autoptr(GError) error = g_error_new_literal (JC_CORE_ERROR, JC_CORE_ERROR_CRYPTO_INIT, "x");

  ck_assert_str_eq (g_quark_to_string (JC_CORE_ERROR), "jc-core-error-quark");
  ck_assert (g_error_matches (error, JC_CORE_ERROR, JC_CORE_ERROR_CRYPTO_INIT));
}
END_TEST

static Suite *
version_suite (void)
{
  Suite *s = suite_create ("version");
  TCase *tc = tcase_create ("core");

  tcase_add_test (tc, test_version_matches_project);
  tcase_add_test (tc, test_build_info_names_runtime_libraries);
  tcase_add_test (tc, test_core_init_is_idempotent);
  tcase_add_test (tc, test_error_domain_is_registered);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (version_suite ());
}
