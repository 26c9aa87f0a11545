/* test-enroll.c — enrollment end to end: jiancha-hq init/key/enroll-code/
 * revoke/serve and `jiancha-cli enroll`, with the real server on 127.0.0.1
 * (port 0), real vaults, real keys files and HQ's real database.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include "jc-db.h"
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>

#include "jc-core.h"
#include "jc-test.h"

#define last_line jc_test_last_line

#define PIN "583921"
#define NEW_PIN "917364"

typedef JcTestServer Server;

static char *root;
static char *hqdir;

static void
setup (void)
{
  root = jc_test_tmpdir ("enroll");
  hqdir = g_build_filename (root, "hq", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (root);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&hqdir, g_free);
}

/* jiancha-hq --dir HQDIR ARGS… */
#define hq(out, err, ...) jc_test_hq (hqdir, out, err, __VA_ARGS__)

/* jiancha-cli --vault VAULT ARGS… with JIANCHA_PIN (and JIANCHA_NEW_PIN). */
static int
cli (const char *vault, char **out, char **err, ...)
{
  const char * const env[] = { "JIANCHA_PIN=" PIN, "JIANCHA_NEW_PIN=" NEW_PIN, "JIANCHA_TEST_FAST_KDF=1", NULL };
  va_list ap;
  int status;

  va_start (ap, err);
  status = jc_test_cli_vaultv (vault, env, out, err, ap);
  va_end (ap);
  return status;
}

static char *
new_code (const char *inspector, const char *hours)
{
  g_autofree char *out = NULL, *err = NULL;

  ck_assert_msg (hq (&out, &err, "enroll-code", "--inspector", inspector, "--valid-hours", hours, NULL) == 0,
                 "enroll-code: %s", err);
  return last_line (out);
}

static char *
new_vault (const char *name, const char *inspector)
{
  g_autofree char *out = NULL, *err = NULL;
  char *vault = g_build_filename (root, name, NULL);

  ck_assert_msg (cli (vault, &out, &err, "vault", "init", "--inspector", inspector, NULL) == 0,
                 "vault init: %s", err);
  return vault;
}

#define server_start(s) jc_test_server_start (s, hqdir)
#define server_stop(s) jc_test_server_stop (s)

/* Sends @body to /v1/enroll (or GETs /v1/health when @body is NULL);
 * returns the status and the reply's text. */
static guint
http (Server *s, const char *body, char **reply)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s%s", s->url, body ? "/v1/enroll" : "/v1/health");
  g_autoptr(SoupMessage) msg = soup_message_new (body ? "POST" : "GET", url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  if (body != NULL)
    {
      g_autoptr(GBytes) req = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", req);
    }
  out = soup_session_send_and_read (session, msg, NULL, &error);
  ck_assert_msg (out != NULL, "%s: %s", url, error ? error->message : "");
  *reply = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return soup_message_get_status (msg);
}

static void
assert_serving (Server *s)
{
  g_autofree char *reply = NULL;

  ck_assert_uint_eq (http (s, NULL, &reply), 200);
}

/* A column of HQ's devices table for @device_id, or NULL. */
static char *
hq_device_column (const char *device_id, const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM devices WHERE device_id = ?", column);
  JcDb *db;
  JcDbStmt *stmt = NULL;
  char *value = NULL;

  db = jc_test_hq_db (hqdir);
  ck_assert_int_eq (jc_db_prepare (db, sql, -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_text (stmt, 1, device_id, -1, JC_DB_STATIC);
  if (jc_db_step (stmt) == JC_DB_ROW)
    value = g_strdup (jc_db_column_type (stmt, 0) == JC_DB_NULL ? "NULL" : (const char *) jc_db_column_text (stmt, 0));
  jc_db_finalize (stmt);
  jc_db_free (db);
  return value;
}

static char *
show_field (const char *vault, const char *field)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s: ", field);
  g_auto(GStrv) lines = NULL;

  ck_assert_msg (cli (vault, &out, &err, "device", "show", NULL) == 0, "device show: %s", err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  ck_abort_msg ("no %s in: %s", field, out);
  return NULL;
}

START_TEST (test_init_and_key)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_autofree char *pub = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *sk_path = NULL;
  struct stat st;

  ck_assert_msg (hq (&out, &err, "init", NULL) == 0, "init: %s", err);
  ck_assert_int_eq (stat (hqdir, &st), 0);
  ck_assert_uint_eq (st.st_mode & 0777, 0700);
  sk_path = g_build_filename (hqdir, "signing.key", NULL);
  ck_assert_int_eq (stat (sk_path, &st), 0);
  ck_assert_uint_eq (st.st_mode & 0077, 0);
  g_free (sk_path);
  sk_path = g_build_filename (hqdir, "escrow.key", NULL);
  ck_assert_int_eq (stat (sk_path, &st), 0);
  ck_assert_uint_eq (st.st_mode & 0077, 0);

  /* A second init leaves the HQ as it is. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (hq (&out, &err, "key", NULL) == 0, "key: %s", err);
  ck_assert_int_eq (hq (&out2, &err2, "init", NULL), 1);
  ck_assert_msg (strstr (err2, "not overwriting") != NULL, "%s", err2);
  g_clear_pointer (&out2, g_free);
  g_clear_pointer (&err2, g_free);
  ck_assert_int_eq (hq (&out2, &err2, "key", NULL), 0);
  ck_assert_str_eq (out, out2);

  lines = g_strsplit (out, "\n", -1);
  ck_assert_uint_ge (g_strv_length (lines), 2);
  ck_assert_uint_eq (strlen (lines[0]), 64);
  ck_assert (g_str_has_prefix (lines[1], "escrow: "));
  ck_assert_uint_eq (strlen (lines[1]), 8 + 64);
  pub = g_build_filename (hqdir, "signing.pub", NULL);
  g_free (out2);
  out2 = jc_test_read (pub, NULL);
  ck_assert (g_str_has_prefix (out2, lines[0]));
}
END_TEST

START_TEST (test_enroll_round_trip)
{
  Server s = { 0 };
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *code = NULL;
  g_autofree char *v1 = NULL, *v2 = NULL;
  g_autofree char *id1 = NULL, *pk1 = NULL;
  g_autofree char *enrolled = NULL;
  g_autofree char *stored_pk = NULL, *revoked = NULL;
  g_autofree char *escrow_key = NULL;
  g_autofree char *keys_before = NULL, *keys_path = NULL;

  ck_assert_int_eq (hq (&out, &err, "init", NULL), 0);
  code = new_code ("王五", "24");
  ck_assert_msg (g_regex_match_simple ("^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$", code, 0, 0),
                 "code: %s", code);
  v1 = new_vault ("v1", "王五");
  v2 = new_vault ("v2", "王五");
  id1 = show_field (v1, "device-id");
  pk1 = show_field (v1, "public-key");
  enrolled = show_field (v1, "enrolled");
  ck_assert_str_eq (enrolled, "no");
  keys_path = g_build_filename (v1, "keys", NULL);
  keys_before = jc_test_read (keys_path, NULL);

  /* Without the recovery slot, the escrow key cannot open the vault. */
  escrow_key = g_build_filename (hqdir, "escrow.key", NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (v1, &out, &err, "vault", "recover", "--escrow-key", escrow_key, NULL), 1);

  server_start (&s);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (cli (v1, &out, &err, "enroll", "--hq", s.url, "--code", code, NULL) == 0, "enroll: %s", err);
  g_free (enrolled);
  enrolled = show_field (v1, "enrolled");
  ck_assert_msg (g_regex_match_simple ("^yes \\(until [0-9]{4}-[0-9]{2}-[0-9]{2}\\)$", enrolled, 0, 0),
                 "enrolled: %s", enrolled);

  /* HQ holds the device with its key. */
  stored_pk = hq_device_column (id1, "public_key");
  ck_assert_ptr_nonnull (stored_pk);
  ck_assert_str_eq (stored_pk, pk1);
  revoked = hq_device_column (id1, "revoked_at");
  ck_assert_str_eq (revoked, "NULL");

  /* Enrolling again fails and changes nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (v1, &out, &err, "enroll", "--hq", s.url, "--code", code, NULL), 1);
  ck_assert_msg (strstr (err, "already enrolled") != NULL, "%s", err);

  /* The used code cannot enroll another device. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (v2, &out, &err, "enroll", "--hq", s.url, "--code", code, NULL), 1);
  ck_assert_msg (strstr (err, "unknown or used enrollment code") != NULL, "%s", err);
  g_free (enrolled);
  enrolled = show_field (v2, "enrolled");
  ck_assert_str_eq (enrolled, "no");
  assert_serving (&s);
  server_stop (&s);

  /* The keys file changed (recovery slot), still verifies, and HQ's escrow
   * key now recovers the vault. */
  g_free (out);
  out = jc_test_read (keys_path, NULL);
  ck_assert (memcmp (out, keys_before, 336) != 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (cli (v1, &out, &err, "vault", "check", NULL) == 0, "check: %s %s", out, err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (cli (v1, &out, &err, "vault", "recover", "--escrow-key", escrow_key, NULL) == 0,
                 "recover: %s", err);
  {
    /* …and opens with the new PIN, still enrolled. */
    g_autofree char *exe = g_build_filename (JC_BUILD_DIR, "src", "cli", "jiancha-cli", NULL);
    const char * const env[] = { "JIANCHA_PIN=" NEW_PIN, "JIANCHA_TEST_FAST_KDF=1", NULL };
    const char * const argv[] = { exe, "--vault", v1, "device", "show", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    ck_assert_int_eq (jc_test_spawn (argv, env, &out, &err), 0);
    ck_assert_msg (strstr (out, "enrolled: yes") != NULL, "%s", out);
  }

  /* Revoke marks the device at HQ. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (hq (&out, &err, "revoke", id1, NULL) == 0, "revoke: %s", err);
  g_free (revoked);
  revoked = hq_device_column (id1, "revoked_at");
  ck_assert_str_ne (revoked, "NULL");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (hq (&out, &err, "revoke", "00000000000000000000000000000000", NULL), 1);
  ck_assert_msg (strstr (err, "00000000000000000000000000000000") != NULL, "%s", err);
}
END_TEST

START_TEST (test_rejections)
{
  Server s = { 0 };
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *good = NULL, *expired = NULL;
  g_autofree char *v = NULL, *id = NULL, *pk = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *body = NULL;
  g_autofree char *enrolled = NULL;
  g_autofree char *row = NULL;

  ck_assert_int_eq (hq (&out, &err, "init", NULL), 0);
  good = new_code ("张三", "24");
  expired = new_code ("张三", "0");
  v = new_vault ("v", "张三");
  id = show_field (v, "device-id");
  pk = show_field (v, "public-key");
  server_start (&s);

  /* A wrong code (well formed, never issued). */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (v, &out, &err, "enroll", "--hq", s.url, "--code", "2345-6789-ABCD", NULL), 1);
  ck_assert_msg (strstr (err, "403") && strstr (err, "unknown or used enrollment code"), "%s", err);
  assert_serving (&s);

  /* An expired code. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (cli (v, &out, &err, "enroll", "--hq", s.url, "--code", expired, NULL), 1);
  ck_assert_msg (strstr (err, "expired") != NULL, "%s", err);
  assert_serving (&s);

  /* Garbage JSON. */
  ck_assert_uint_eq (http (&s, "{\"device_id\": [", &reply), 400);
  ck_assert_msg (strstr (reply, "not a JSON object") != NULL, "%s", reply);
  g_clear_pointer (&reply, g_free);
  ck_assert_uint_eq (http (&s, "\"just a string\"", &reply), 400);
  g_clear_pointer (&reply, g_free);
  assert_serving (&s);

  /* A key of the wrong size, and a short device id: 400, the code stays unused. */
  body = g_strdup_printf ("{\"device_id\":\"%s\",\"public_key\":\"%.62s\",\"code\":\"%s\",\"inspector\":\"张三\"}",
                          id, pk, good);
  ck_assert_uint_eq (http (&s, body, &reply), 400);
  ck_assert_msg (strstr (reply, "public_key must be 64 hexadecimal digits") != NULL, "%s", reply);
  g_clear_pointer (&reply, g_free);
  g_free (body);
  body = g_strdup_printf ("{\"device_id\":\"%.30s\",\"public_key\":\"%s\",\"code\":\"%s\",\"inspector\":\"张三\"}",
                          id, pk, good);
  ck_assert_uint_eq (http (&s, body, &reply), 400);
  ck_assert_msg (strstr (reply, "device_id must be 32 hexadecimal digits") != NULL, "%s", reply);
  g_clear_pointer (&reply, g_free);

  /* The code of another inspector. */
  g_free (body);
  body = g_strdup_printf ("{\"device_id\":\"%s\",\"public_key\":\"%s\",\"code\":\"%s\",\"inspector\":\"李四\"}",
                          id, pk, good);
  ck_assert_uint_eq (http (&s, body, &reply), 403);
  ck_assert_msg (strstr (reply, "another inspector") != NULL, "%s", reply);
  g_clear_pointer (&reply, g_free);
  assert_serving (&s);

  row = hq_device_column (id, "public_key");
  ck_assert_ptr_null (row);
  enrolled = show_field (v, "enrolled");
  ck_assert_str_eq (enrolled, "no");

  /* The good code was not used up by the bad requests. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_msg (cli (v, &out, &err, "enroll", "--hq", s.url, "--code", good, NULL) == 0, "enroll: %s", err);

  /* Another key for an enrolled device id gets 409, and leaves the code
   * unused; the same key with that fresh code re-enrolls (a lost reply). */
  {
    g_autofree char *code2 = new_code ("张三", "24");
    g_autofree char *other_pk = g_strdup (pk);
    g_autofree char *stored = NULL;

    other_pk[0] = other_pk[0] == 'a' ? 'b' : 'a';
    g_free (body);
    body = g_strdup_printf ("{\"device_id\":\"%s\",\"public_key\":\"%s\",\"code\":\"%s\",\"inspector\":\"张三\"}",
                            id, other_pk, code2);
    ck_assert_uint_eq (http (&s, body, &reply), 409);
    ck_assert_msg (strstr (reply, "already enrolled with another key") != NULL, "%s", reply);
    g_clear_pointer (&reply, g_free);
    stored = hq_device_column (id, "public_key");
    ck_assert_str_eq (stored, pk);

    g_free (body);
    body = g_strdup_printf ("{\"device_id\":\"%s\",\"public_key\":\"%s\",\"code\":\"%s\",\"inspector\":\"张三\"}",
                            id, pk, code2);
    ck_assert_uint_eq (http (&s, body, &reply), 200);
    ck_assert_msg (strstr (reply, "hq_signature") != NULL, "%s", reply);
    g_clear_pointer (&reply, g_free);

    /* Revoked: no new certificate, whatever the code. */
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    ck_assert_int_eq (hq (&out, &err, "revoke", id, NULL), 0);
    g_free (code2);
    code2 = new_code ("张三", "24");
    g_free (body);
    body = g_strdup_printf ("{\"device_id\":\"%s\",\"public_key\":\"%s\",\"code\":\"%s\",\"inspector\":\"张三\"}",
                            id, pk, code2);
    ck_assert_uint_eq (http (&s, body, &reply), 409);
    ck_assert_msg (strstr (reply, "revoked") != NULL, "%s", reply);
    g_clear_pointer (&reply, g_free);
  }
  assert_serving (&s);
  server_stop (&s);
}
END_TEST

START_TEST (test_forged_certificate)
{
  /* A certificate that does not verify against the HQ key given with it
   * (signed by another key) is refused before anything is written; this is
   * the check `jiancha-cli enroll` relies on for HQ's reply. */
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *v = NULL;
  g_autoptr(JcVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  JcJc1Certificate cert;
  guint8 hq_pk[32], hq_sk[64], other_pk[32], other_sk[64], escrow_pk[32], escrow_sk[32];

  ck_assert (jc_core_init (NULL));
  v = new_vault ("v", "赵六");
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  vault = jc_vault_new (v);
  ck_assert_msg (jc_vault_unlock (vault, PIN, &error), "%s", error ? error->message : "");
  crypto_sign_keypair (hq_pk, hq_sk);
  crypto_sign_keypair (other_pk, other_sk);
  crypto_box_keypair (escrow_pk, escrow_sk);
  ck_assert (jc_jc1_make_certificate (other_sk, jc_device_get_id (jc_vault_get_device (vault)),
                                      jc_device_get_public_key (jc_vault_get_device (vault)),
                                      (guint64) (g_get_real_time () / G_USEC_PER_SEC) + 86400, &cert, &error));
  ck_assert (!jc_vault_enroll (vault, PIN, &cert, hq_pk, escrow_pk, g_get_real_time (), &error));
  ck_assert_msg (error->domain == JC_JC1_ERROR, "%s", error->message);
  ck_assert (!jc_vault_get_enrollment (vault, NULL, NULL, NULL));
  g_clear_error (&error);

  /* A certificate for another device is refused too. */
  {
    guint8 other_id[16] = { 1 };

    ck_assert (jc_jc1_make_certificate (hq_sk, other_id, jc_device_get_public_key (jc_vault_get_device (vault)),
                                        (guint64) (g_get_real_time () / G_USEC_PER_SEC) + 86400, &cert, &error));
    ck_assert (!jc_vault_enroll (vault, PIN, &cert, hq_pk, escrow_pk, g_get_real_time (), &error));
    ck_assert_msg (strstr (error->message, "another device") != NULL, "%s", error->message);
    g_clear_error (&error);
  }

  /* The good one: the keys file gains the slot, recovery with the escrow
   * key gives back the same vault. */
  ck_assert (jc_jc1_make_certificate (hq_sk, jc_device_get_id (jc_vault_get_device (vault)),
                                      jc_device_get_public_key (jc_vault_get_device (vault)),
                                      (guint64) (g_get_real_time () / G_USEC_PER_SEC) + 86400, &cert, &error));
  ck_assert_msg (jc_vault_enroll (vault, PIN, &cert, hq_pk, escrow_pk, G_GINT64_CONSTANT (1700000000000000), &error),
                 "%s", error ? error->message : "");
  ck_assert_int_eq (jc_eventlog_get_hq_time (jc_vault_get_eventlog (vault)), G_GINT64_CONSTANT (1700000000000000));
  {
    JcJc1Certificate back;
    guint8 pk_back[32], escrow_back[32];

    ck_assert (jc_vault_get_enrollment (vault, &back, pk_back, escrow_back));
    ck_assert (memcmp (&back.hq_signature, cert.hq_signature, 64) == 0);
    ck_assert_uint_eq (back.not_after, cert.not_after);
    ck_assert (memcmp (pk_back, hq_pk, 32) == 0);
    ck_assert (memcmp (escrow_back, escrow_pk, 32) == 0);
  }
  ck_assert (!jc_vault_enroll (vault, PIN, &cert, hq_pk, escrow_pk, 0, &error));
  ck_assert_msg (g_error_matches (error, JC_VAULT_ERROR, JC_VAULT_ERROR_ENROLLED), "%s", error->message);
  g_clear_error (&error);
  jc_vault_lock (vault);
  ck_assert_msg (jc_vault_recover (vault, escrow_pk, escrow_sk, NEW_PIN, &error), "%s", error ? error->message : "");
  ck_assert (jc_vault_get_enrollment (vault, NULL, NULL, NULL));
  jc_vault_lock (vault);
  ck_assert_msg (jc_vault_unlock (vault, NEW_PIN, &error), "%s", error ? error->message : "");
  ck_assert_msg (jc_vault_verify (vault, NULL, NULL, &error), "%s", error ? error->message : "");
}
END_TEST

START_TEST (test_keyfile_add_recovery_slot)
{
  g_autofree char *path = g_build_filename (root, "keys", NULL);
  g_autoptr(JcSecret) dek = NULL;
  g_autoptr(JcSecret) recovered = NULL;
  g_autoptr(JcSecret) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JcKdfLimits limits;
  JcKeyfileInfo info;
  guint8 db_id[16] = { 7 }, epk[32], esk[32], zero[32] = { 0 };

  ck_assert (jc_core_init (NULL));
  jc_kdf_limits_min (&limits);
  crypto_box_keypair (epk, esk);
  ck_assert (jc_keyfile_create (path, PIN, NULL, db_id, &limits, &dek, &error));
  before = jc_test_read (path, NULL);

  /* A wrong PIN or a zero key changes nothing. */
  ck_assert (!jc_keyfile_add_recovery_slot (path, "000000", epk, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
  g_clear_error (&error);
  ck_assert (!jc_keyfile_add_recovery_slot (path, PIN, zero, &error));
  g_clear_error (&error);
  ck_assert (jc_keyfile_get_info (path, &info, &error));
  ck_assert (!info.has_recovery);

  ck_assert_msg (jc_keyfile_add_recovery_slot (path, PIN, epk, &error), "%s", error ? error->message : "");
  after = jc_test_read (path, NULL);
  ck_assert (memcmp (before, after, 336) != 0);
  ck_assert (jc_keyfile_get_info (path, &info, &error));
  ck_assert (info.has_recovery);
  ck_assert_uint_eq (info.failed_attempts, 0);
  ck_assert (memcmp (info.escrow_pk, epk, 32) == 0);
  ck_assert_msg (jc_keyfile_recover (path, epk, esk, &recovered, &error), "%s", error ? error->message : "");
  ck_assert (jc_secret_equal (recovered, dek));
  ck_assert_msg (jc_keyfile_unlock (path, PIN, &again, &error), "%s", error ? error->message : "");
  ck_assert (jc_secret_equal (again, dek));
}
END_TEST

static Suite *
enroll_suite (void)
{
  Suite *s = suite_create ("enroll");
  TCase *tc = tcase_create ("enroll");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_init_and_key);
  tcase_add_test (tc, test_enroll_round_trip);
  tcase_add_test (tc, test_rejections);
  tcase_add_test (tc, test_forged_certificate);
  tcase_add_test (tc, test_keyfile_add_recovery_slot);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (enroll_suite ());
}
