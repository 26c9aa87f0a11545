/* test-cli.c — jiancha-cli's frame: help, version, usage errors, exit statuses */
#include "config.h"

#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

static char *cli;

static int
run (const char * const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  /* C locale: these tests read the English messages. */
  return jc_test_spawn ((const char * const *) argv->pdata,
                        (const char *[]) { "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANGUAGE=", NULL }, out, err);
}

static void
setup (void)
{
  cli = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&cli, g_free);
}

START_TEST (test_help_lists_commands)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ((const char *[]) { "--help", NULL }, &out, &err), 0);
  ck_assert_ptr_nonnull (strstr (out, "Usage:"));
  ck_assert_ptr_nonnull (strstr (out, "--vault"));
  ck_assert_ptr_nonnull (strstr (out, "Commands:"));
  ck_assert_ptr_nonnull (strstr (out, "  info "));
}
END_TEST

START_TEST (test_version)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ((const char *[]) { "--version", NULL }, &out, &err), 0);
  ck_assert_str_eq (out, "jiancha-cli " PACKAGE_VERSION "\n");
}
END_TEST

START_TEST (test_unknown_command)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ((const char *[]) { "frobnicate", NULL }, &out, &err), 2);
  ck_assert_ptr_nonnull (strstr (err, "unknown command “frobnicate”"));
  ck_assert_str_eq (out, "");
}
END_TEST

START_TEST (test_no_command)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ((const char *[]) { NULL }, &out, &err), 2);
  ck_assert_ptr_nonnull (strstr (err, "no command given"));
}
END_TEST

START_TEST (test_bad_options)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;

  ck_assert_int_eq (run ((const char *[]) { "--no-such-option", "info", NULL }, &out, &err), 2);
  ck_assert_ptr_nonnull (strstr (err, "--no-such-option"));
  ck_assert_int_eq (run ((const char *[]) { "info", "--bogus", NULL }, &out2, &err2), 2);
  ck_assert_ptr_nonnull (strstr (err2, "--bogus"));
  ck_assert_int_eq (run ((const char *[]) { "info", "surplus", NULL }, &out3, &err3), 2);
  ck_assert_ptr_nonnull (strstr (err3, "Too many arguments"));
}
END_TEST

START_TEST (test_info_and_vault_option)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ((const char *[]) { "--vault", "/some/where", "info", NULL }, &out, &err), 0);
  ck_assert_ptr_nonnull (strstr (out, "jiancha: " PACKAGE_VERSION "\n"));
  ck_assert_ptr_nonnull (strstr (out, "vault: /some/where\n"));
}
END_TEST

START_TEST (test_chinese_messages)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *localedir = g_strdup_printf ("JIANCHA_LOCALEDIR=%s/po", JC_BUILD_DIR);
  const char *argv[] = { cli, "frobnicate", NULL };

  /* C.UTF-8 exists everywhere; LANGUAGE picks the catalogue without needing
   * a generated zh_CN locale on the machine. */
  ck_assert_int_eq (jc_test_spawn (argv, (const char *[]) { "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                                                            "LANGUAGE=zh_CN", localedir, NULL },
                                   &out, &err), 2);
  ck_assert_msg (strstr (err, "未知命令“frobnicate”") != NULL, "not in Chinese: %s", err);
}
END_TEST

static Suite *
cli_suite (void)
{
  Suite *s = suite_create ("cli");
  TCase *tc = tcase_create ("frame");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_help_lists_commands);
  tcase_add_test (tc, test_version);
  tcase_add_test (tc, test_unknown_command);
  tcase_add_test (tc, test_no_command);
  tcase_add_test (tc, test_bad_options);
  tcase_add_test (tc, test_info_and_vault_option);
  tcase_add_test (tc, test_chinese_messages);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (cli_suite ());
}
