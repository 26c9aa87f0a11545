/* test-cli-inspection.c — `inspection new|list|show` and `item set` as a
 * script uses them: the id on the last line, three items with notes,
 * amounts and evidence, what show prints, errors and exit statuses. */
#include "config.h"

#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"

static char *cli;
static char *workdir;
static char *vault;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  cli = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
  workdir = jc_test_tmpdir ("cli-inspection");
  vault = g_build_filename (workdir, "vault", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
  g_clear_pointer (&vault, g_free);
  g_clear_pointer (&cli, g_free);
}

/* Runs jiancha-cli --vault VAULT ARGS… with the PIN in the environment. */
static int
run (char **out, char **err, ...)
{
  const char * const pin[] = { "JIANCHA_PIN=" PIN, NULL };
  va_list ap;
  int status;

  va_start (ap, err);
  status = jc_test_cli_vaultv (vault, pin, out, err, ap);
  va_end (ap);
  return status;
}

static void
init_vault (void)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_msg (run (&out, &err, "vault", "init", "--inspector", "王五", NULL) == 0, "%s", err);
}

/* The last non-empty line of @out. */
static char *
last_line (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);

  while (n > 0 && *lines[n - 1] == '\0')
    n--;
  ck_assert_uint_gt (n, 0);
  return g_strdup (lines[n - 1]);
}

static char *
new_inspection (const char *type, const char *code)
{
  g_autofree char *out = NULL, *err = NULL;
  char *id;

  ck_assert_msg (run (&out, &err, "inspection", "new", "--institution", code, "--name", "市第一人民医院",
                      "--type", type, "--form", "cross", "--team", "张三，李四", "--date", "2026-11-24",
                      NULL) == 0, "%s", err);
  id = last_line (out);
  ck_assert_msg (g_regex_match_simple ("^[0-9a-f]{32}$", id, 0, 0), "last line: %s", id);
  return id;
}

START_TEST (test_walk_through)
{
  g_autofree char *id = NULL;
  g_autofree char *photo = g_build_filename (workdir, "receipt.jpg", NULL);
  g_autofree char *scan = g_build_filename (workdir, "record.pdf", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;
  g_autofree char *out4 = NULL, *err4 = NULL;
  g_autofree char *out5 = NULL, *err5 = NULL;
  g_autofree char *out6 = NULL, *err6 = NULL;
  g_autofree char *out7 = NULL, *err7 = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean seen1 = FALSE, seen2 = FALSE, seen3 = FALSE;

  init_vault ();
  id = new_inspection ("pharmacy", "P-0042");
  ck_assert (g_file_set_contents (photo, "photo bytes", -1, NULL));
  ck_assert (g_file_set_contents (scan, "%PDF-1.4 scan", -1, NULL));

  ck_assert_msg (run (&out, &err, "item", "set", id, "p21.1.1", "--status", "violation", "--note", "串换药品",
                      "--amount", "1234.56", "--cases", "20", "--evidence", photo, "--evidence", scan, NULL) == 0,
                 "%s", err);
  ck_assert_msg (run (&out2, &err2, "item", "set", id, "p21.1.2", "--status", "violation", "--note", "虚假购药",
                      "--amount", "0.05", NULL) == 0, "%s", err2);
  ck_assert_msg (run (&out3, &err3, "item", "set", id, "p21.2.1.1", "--status", "compliant", "--note", "已核对",
                      NULL) == 0, "%s", err3);

  ck_assert_msg (run (&out4, &err4, "inspection", "show", id, NULL) == 0, "%s", err4);
  ck_assert_ptr_nonnull (strstr (out4, "P-0042 市第一人民医院"));
  ck_assert_ptr_nonnull (strstr (out4, "Cross inspection"));
  ck_assert_ptr_nonnull (strstr (out4, "张三、李四"));
  ck_assert_ptr_nonnull (strstr (out4, "2026-11-24"));
  ck_assert_ptr_nonnull (strstr (out4, "pharmacy-2021@1"));
  ck_assert_ptr_nonnull (strstr (out4, "3/19 checked, 2 violations, 1234.61 yuan"));
  lines = g_strsplit (out4, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *next = lines[i + 1] ? lines[i + 1] : "";

      if (strstr (lines[i], "p21.1.1 ") != NULL)
        {
          seen1 = TRUE;
          ck_assert_msg (strstr (lines[i], "Violation") && strstr (lines[i], "1234.56 yuan") &&
                         strstr (lines[i], "cases 20") && strstr (lines[i], "evidence 2"), "%s", lines[i]);
          ck_assert_ptr_nonnull (strstr (next, "串换药品"));
        }
      else if (strstr (lines[i], "p21.1.2 ") != NULL)
        {
          seen2 = TRUE;
          ck_assert_msg (strstr (lines[i], "Violation") && strstr (lines[i], "0.05 yuan") &&
                         strstr (lines[i], "evidence 0"), "%s", lines[i]);
          ck_assert_ptr_nonnull (strstr (next, "虚假购药"));
        }
      else if (strstr (lines[i], "p21.2.1.1 ") != NULL)
        {
          seen3 = TRUE;
          ck_assert_msg (strstr (lines[i], "Compliant"), "%s", lines[i]);
          ck_assert_ptr_nonnull (strstr (next, "已核对"));
        }
    }
  ck_assert (seen1 && seen2 && seen3);

  /* filters: only the violations; a search in the notes */
  {
    g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL;

    ck_assert (run (&o1, &e1, "inspection", "show", id, "--status", "violation", NULL) == 0);
    ck_assert_ptr_nonnull (strstr (o1, "p21.1.1 "));
    ck_assert_ptr_nonnull (strstr (o1, "p21.1.2 "));
    ck_assert_ptr_null (strstr (o1, "p21.2.1.1 "));
    ck_assert_ptr_null (strstr (o1, "p21.1.3 "));
    ck_assert (run (&o2, &e2, "inspection", "show", id, "--search", "已核对", NULL) == 0);
    ck_assert_ptr_nonnull (strstr (o2, "p21.2.1.1 "));
    ck_assert_ptr_null (strstr (o2, "p21.1.1 "));
  }

  /* list shows the progress; the evidence is in the vault; the log has it all */
  ck_assert_msg (run (&out5, &err5, "inspection", "list", NULL) == 0, "%s", err5);
  ck_assert_ptr_nonnull (strstr (out5, id));
  ck_assert_ptr_nonnull (strstr (out5, "3/19 checked"));
  ck_assert_msg (run (&out6, &err6, "evidence", "list", NULL) == 0, "%s", err6);
  ck_assert_ptr_nonnull (strstr (out6, "receipt.jpg"));
  ck_assert_ptr_nonnull (strstr (out6, "record.pdf"));
  ck_assert_msg (run (&out7, &err7, "vault", "check", NULL) == 0, "%s", err7);

  /* unlink: the photo off the item (its hash was printed by item set), still in the vault */
  {
    g_autofree char *o1 = NULL, *e1 = NULL, *o2 = NULL, *e2 = NULL, *o3 = NULL, *e3 = NULL, *o4 = NULL, *e4 = NULL;
    g_autofree char *sha = g_strndup (out, 64);

    ck_assert_ptr_nonnull (strstr (out, "receipt.jpg"));
    ck_assert_msg (run (&o1, &e1, "item", "unlink", id, "p21.1.1", sha, NULL) == 0, "%s", e1);
    ck_assert (run (&o2, &e2, "inspection", "show", id, NULL) == 0);
    ck_assert_ptr_nonnull (strstr (o2, "evidence 1"));
    ck_assert (run (&o3, &e3, "item", "unlink", id, "p21.1.1", sha, NULL) == 1);
    ck_assert_ptr_nonnull (strstr (e3, sha));
    ck_assert (run (&o4, &e4, "evidence", "list", NULL) == 0);
    ck_assert_ptr_nonnull (strstr (o4, "receipt.jpg"));
  }
}
END_TEST

START_TEST (test_override_keeps_fields)
{
  g_autofree char *id = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;

  init_vault ();
  id = new_inspection ("hospital", "H1");
  ck_assert (run (&out, &err, "item", "set", id, "h21.1.3", "--status", "violation", "--note", "分解住院",
                  "--amount", "99", NULL) == 0);
  ck_assert (run (&out2, &err2, "item", "set", id, "h21.1.3", "--amount", "100.5", NULL) == 0);
  ck_assert (run (&out3, &err3, "inspection", "show", id, NULL) == 0);
  ck_assert_ptr_nonnull (strstr (out3, "100.50 yuan"));
  ck_assert_ptr_null (strstr (out3, "99.00 yuan"));
  ck_assert_ptr_nonnull (strstr (out3, "分解住院"));
  ck_assert_ptr_nonnull (strstr (out3, "1/28 checked, 1 violations, 100.50 yuan"));
}
END_TEST

START_TEST (test_errors)
{
  g_autofree char *id = NULL;
  g_autofree char *photo = g_build_filename (workdir, "x.jpg", NULL);
  g_autofree char *missing = g_build_filename (workdir, "missing.jpg", NULL);
  struct { int status; const char *says; const char *args[16]; } cases[] = {
    { 1, "00000000000000000000000000000000", { "item", "set", "00000000000000000000000000000000", "p21.1.1", "--status", "na" } },
    { 1, "“h21.1.1”", { "item", "set", NULL, "h21.1.1", "--status", "na" } },
    { 1, "“1.234”", { "item", "set", NULL, "p21.1.1", "--status", "violation", "--amount", "1.234" } },
    { 1, "“-1”", { "item", "set", NULL, "p21.1.1", "--amount", "-1" } },
    { 1, "“abc”", { "item", "set", NULL, "p21.1.1", "--amount", "abc" } },
    { 1, "too large", { "item", "set", NULL, "p21.1.1", "--amount", "99999999999999999999" } },
    { 1, "missing.jpg", { "item", "set", NULL, "p21.1.1", "--evidence", "MISSING" } },
    { 1, "missing.jpg", { "item", "set", NULL, "p21.1.1", "--status", "violation", "--evidence", "MISSING" } },
    { 1, "“nope”", { "inspection", "show", "nope" } },
    { 1, "does not apply", { "inspection", "new", "--institution", "P1", "--name", "药店", "--type", "pharmacy",
                             "--checklist", "hospital-2021" } },
    { 1, "“bad code”", { "inspection", "new", "--institution", "bad code", "--name", "药店", "--type", "pharmacy" } },
    { 2, "“bogus”", { "item", "set", NULL, "p21.1.1", "--status", "bogus" } },
    { 2, "Nothing to record", { "item", "set", NULL, "p21.1.1" } },
    { 2, "usage", { "item", "set", NULL } },
    { 2, "--type", { "inspection", "new", "--institution", "P1", "--name", "药店" } },
    { 2, "“clinic”", { "inspection", "new", "--institution", "P1", "--name", "药店", "--type", "clinic" } },
    { 2, "“weekly”", { "inspection", "new", "--institution", "P1", "--name", "药店", "--type", "pharmacy",
                       "--form", "weekly" } },
    { 2, "show", { "inspection", "frobnicate" } },
    { 2, "“open”", { "inspection", "show", "ID", "--status", "open" } },
  };
  g_autofree char *log_before = NULL, *e0 = NULL;
  g_autofree char *log_after = NULL, *e1 = NULL;

  init_vault ();
  id = new_inspection ("pharmacy", "P-1");
  ck_assert (g_file_set_contents (photo, "x", -1, NULL));
  ck_assert (run (&log_before, &e0, "log", "show", NULL) == 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;
      const char *env[] = { "JIANCHA_TEST_FAST_KDF=1", "LC_ALL=C.UTF-8", "LANGUAGE=", "JIANCHA_PIN=" PIN, NULL };
      int status;

      g_ptr_array_add (argv, cli);
      g_ptr_array_add (argv, (gpointer) "--vault");
      g_ptr_array_add (argv, vault);
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].args) && (k < 3 || cases[i].args[k] != NULL); k++)
        {
          const char *a = cases[i].args[k];

          if (a == NULL && k == 2 && g_str_equal (cases[i].args[0], "item"))
            a = id;   /* the inspection made above */
          else if (a == NULL)
            break;
          if (g_strcmp0 (a, "MISSING") == 0)
            a = missing;
          else if (g_strcmp0 (a, "ID") == 0)
            a = id;
          g_ptr_array_add (argv, (gpointer) a);
        }
      g_ptr_array_add (argv, NULL);
      status = jc_test_spawn ((const char * const *) argv->pdata, env, &out, &err);
      ck_assert_msg (status == cases[i].status, "case %u: exit %d, wanted %d: %s", i, status, cases[i].status, err);
      ck_assert_msg (strstr (err, cases[i].says) != NULL, "case %u: %s", i, err);
    }
  /* no failed command recorded anything */
  ck_assert (run (&log_after, &e1, "log", "show", NULL) == 0);
  ck_assert_str_eq (log_before, log_after);
}
END_TEST

static Suite *
cli_inspection_suite (void)
{
  Suite *s = suite_create ("cli-inspection");
  TCase *tc = tcase_create ("cli-inspection");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_walk_through);
  tcase_add_test (tc, test_override_keeps_fields);
  tcase_add_test (tc, test_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (cli_inspection_suite ());
}
