/* test-cli-vault.c — the vault commands of jiancha-cli, as a script uses them:
 * vault init/check/change-pin/recover, device show, evidence add/get/list,
 * log show, with their exit statuses and messages. */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

static char *cli;
static char *workdir;
static char *vault;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  cli = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
  workdir = jc_test_tmpdir ("cli-vault");
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

/* Runs jiancha-cli --vault VAULT ARGS… with JIANCHA_PIN=@pin (unless NULL). */
static int
run (const char *pin, const char *new_pin, char **out, char **err, ...)
{
  g_autofree char *pin_var = pin ? g_strdup_printf ("JIANCHA_PIN=%s", pin) : g_strdup ("JIANCHA_PIN_UNSET=1");
  g_autofree char *new_pin_var = new_pin ? g_strdup_printf ("JIANCHA_NEW_PIN=%s", new_pin) : NULL;
  const char * const env[] = { pin_var, new_pin_var, NULL };
  va_list ap;
  int status;

  va_start (ap, err);
  status = jc_test_cli_vaultv (vault, env, out, err, ap);
  va_end (ap);
  return status;
}

static void
init_vault (void)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_int_eq (run ("583921", NULL, &out, &err, "vault", "init", "--inspector", "王五", NULL), 0);
  ck_assert_msg (strstr (out, "device-id: ") != NULL, "%s", out);
}

START_TEST (test_init_show_check)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;
  g_auto(GStrv) lines = NULL;

  init_vault ();
  ck_assert_int_eq (run ("583921", NULL, &out, &err, "device", "show", NULL), 0);
  lines = g_strsplit (out, "\n", -1);
  ck_assert (g_str_has_prefix (lines[0], "device-id: "));
  ck_assert_uint_eq (strlen (lines[0] + strlen ("device-id: ")), 32);
  ck_assert (g_str_has_prefix (lines[1], "public-key: "));
  ck_assert (g_regex_match_simple ("^public-key: [0-9a-f]{64}$", lines[1], 0, 0));
  ck_assert_str_eq (lines[2], "inspector: 王五");

  /* A second init refuses and leaves the vault as it was. */
  ck_assert_int_eq (run ("583921", NULL, &out2, &err2, "vault", "init", NULL), 1);
  ck_assert_ptr_nonnull (strstr (err2, "already a vault"));
  ck_assert_int_eq (run ("583921", NULL, &out3, &err3, "vault", "check", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out3, "intact"));
}
END_TEST

START_TEST (test_evidence_round_trip)
{
  g_autofree char *input = g_build_filename (workdir, "receipt.jpg", NULL);
  g_autofree char *output = g_build_filename (workdir, "receipt.out", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;
  g_autofree char *out4 = NULL, *err4 = NULL;
  g_autofree char *back = NULL;
  g_autofree char *hash = NULL;
  guint8 data[100000], sha[32];
  char hex[65];
  gsize len;

  init_vault ();
  randombytes_buf (data, sizeof data);
  ck_assert (g_file_set_contents (input, (const char *) data, sizeof data, NULL));
  crypto_hash_sha256 (sha, data, sizeof data);
  sodium_bin2hex (hex, sizeof hex, sha, sizeof sha);

  ck_assert_int_eq (run ("583921", NULL, &out, &err, "evidence", "add", input, "--note", "收费票据", NULL), 0);
  hash = g_strstrip (g_strdup (out));
  ck_assert_str_eq (hash, hex);   /* the SHA-256 of the plaintext */

  ck_assert_int_eq (run ("583921", NULL, &out2, &err2, "evidence", "get", hash, "--out", output, NULL), 0);
  back = jc_test_read (output, &len);
  ck_assert_uint_eq (len, sizeof data);
  ck_assert_mem_eq (back, data, sizeof data);

  ck_assert_int_eq (run ("583921", NULL, &out3, &err3, "evidence", "list", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out3, hex));
  ck_assert_ptr_nonnull (strstr (out3, "收费票据"));

  ck_assert_int_eq (run ("583921", NULL, &out4, &err4, "log", "show", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out4, "vault.create"));
  ck_assert_ptr_nonnull (strstr (out4, "evidence.add"));
  ck_assert_ptr_nonnull (strstr (out4, "王五"));
}
END_TEST

START_TEST (test_errors)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;
  g_autofree char *out4 = NULL, *err4 = NULL;
  g_autofree char *out5 = NULL, *err5 = NULL;

  /* No vault yet: says so and how to make one. */
  ck_assert_int_eq (run ("583921", NULL, &out, &err, "device", "show", NULL), 1);
  ck_assert_ptr_nonnull (strstr (err, "vault init"));
  init_vault ();
  ck_assert_int_eq (run ("111222", NULL, &out2, &err2, "log", "show", NULL), 1);
  ck_assert_ptr_nonnull (strstr (err2, "Wrong PIN"));
  ck_assert_int_eq (run ("583921", NULL, &out3, &err3, "evidence", "get", "nothex", "--out", "/dev/null", NULL), 1);
  ck_assert_int_eq (run ("583921", NULL, &out4, &err4, "evidence", "get", "00", NULL), 2);   /* --out missing */
  ck_assert_int_eq (run ("583921", NULL, &out5, &err5, "vault", "frobnicate", NULL), 2);
  ck_assert_ptr_nonnull (strstr (err5, "init"));
}
END_TEST

START_TEST (test_check_detects_tampering)
{
  g_autofree char *db = NULL;
  g_autofree char *data = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gsize len;

  init_vault ();
  db = g_build_filename (vault, "jiancha.db", NULL);
  data = jc_test_read (db, &len);
  data[len / 2] ^= 1;
  ck_assert (g_file_set_contents (db, data, len, NULL));
  ck_assert_int_eq (run ("583921", NULL, &out, &err, "vault", "check", NULL), 1);
  ck_assert_msg (strstr (err, "jiancha.db") != NULL, "the message does not name the file: %s", err);
}
END_TEST

START_TEST (test_change_pin_and_recover)
{
  g_autofree char *keyfile = g_build_filename (workdir, "escrow.key", NULL);
  g_autofree char *pubfile = g_build_filename (workdir, "escrow.pub", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *out3 = NULL, *err3 = NULL;
  g_autofree char *out4 = NULL, *err4 = NULL;
  g_autofree char *out5 = NULL, *err5 = NULL;
  guint8 pk[32], sk[32];
  char hex[65];

  crypto_box_keypair (pk, sk);
  sodium_bin2hex (hex, sizeof hex, pk, sizeof pk);
  ck_assert (g_file_set_contents (pubfile, hex, -1, NULL));
  sodium_bin2hex (hex, sizeof hex, sk, sizeof sk);
  ck_assert (g_file_set_contents (keyfile, hex, -1, NULL));

  ck_assert_int_eq (run ("583921", NULL, &out, &err, "vault", "init", "--escrow-public-key", pubfile, NULL), 0);
  ck_assert_int_eq (run ("583921", "739184", &out2, &err2, "vault", "change-pin", NULL), 0);
  ck_assert_int_eq (run ("583921", NULL, &out3, &err3, "device", "show", NULL), 1);
  /* Forgotten: HQ recovers with the escrow key and sets a new PIN. */
  ck_assert_int_eq (run (NULL, "846251", &out4, &err4, "vault", "recover", "--escrow-key", keyfile, NULL), 0);
  ck_assert_int_eq (run ("846251", NULL, &out5, &err5, "log", "show", NULL), 0);
  ck_assert_ptr_nonnull (strstr (out5, "vault.change-pin"));
  ck_assert_ptr_nonnull (strstr (out5, "vault.recover"));
}
END_TEST

static Suite *
cli_vault_suite (void)
{
  Suite *s = suite_create ("cli-vault");
  TCase *tc = tcase_create ("commands");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_init_show_check);
  tcase_add_test (tc, test_evidence_round_trip);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_check_detects_tampering);
  tcase_add_test (tc, test_change_pin_and_recover);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (cli_vault_suite ());
}
