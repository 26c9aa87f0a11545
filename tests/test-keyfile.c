/* test-keyfile.c — the keys file: PIN and recovery slots, attempts, damage */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN      "482915"
#define NEW_PIN  "730264"
#define KF_SIZE  336
#define OFF_MAC  272
#define OFF_CHECK 320

static const guint8 db_id[JC_KEYFILE_DB_ID_BYTES] = "vault-id-0123456";

static gint64 fake_now = 1700000000;

static gint64
fake_clock (void)
{
  return fake_now;
}

typedef struct {
  char     *dir;
  char     *path;
  guint8    escrow_pk[32];
  guint8    escrow_sk[32];
  JcSecret *dek;
} Fixture;

static Fixture fx;

/* memmem() needs _GNU_SOURCE; this is all the tests need. */
static gboolean
contains_bytes (const void *hay, gsize hay_len, const void *needle, gsize needle_len)
{
  for (gsize i = 0; needle_len <= hay_len && i <= hay_len - needle_len; i++)
    if (memcmp ((const guint8 *) hay + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
make_keyfile (gboolean with_recovery)
{
  g_autoptr(GError) error = NULL;
  JcKdfLimits limits;

  jc_kdf_limits_min (&limits);
  ck_assert (jc_core_init (NULL));
  crypto_box_keypair (fx.escrow_pk, fx.escrow_sk);
  fx.dir = jc_test_tmpdir ("keyfile");
  fx.path = g_build_filename (fx.dir, "keys", NULL);
  ck_assert_msg (jc_keyfile_create (fx.path, PIN, with_recovery ? fx.escrow_pk : NULL, db_id,
                                    &limits, &fx.dek, &error),
                 "create: %s", error ? error->message : "");
  ck_assert_int_eq (jc_secret_get_len (fx.dek), 32);
  jc_keyfile_set_clock (fake_clock);
}

static void
setup (void)
{
  make_keyfile (TRUE);
}

static void
teardown (void)
{
  jc_keyfile_set_clock (NULL);
  jc_secret_free (fx.dek);
  jc_test_rmtree (fx.dir);
  g_free (fx.dir);
  g_free (fx.path);
  memset (&fx, 0, sizeof fx);
}

static void
write_bytes (const char *path, const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (g_file_set_contents (path, (const char *) data, len, &error), "%s",
                 error ? error->message : "");
}

/* Only `keys` may be in the directory: no temp file left behind. */
static void
assert_dir_clean (void)
{
  g_autoptr(GDir) dir = g_dir_open (fx.dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    ck_assert_msg (strcmp (name, "keys") == 0, "stray file %s in %s", name, fx.dir);
}

static guint
info_attempts (void)
{
  g_autoptr(GError) error = NULL;
  JcKeyfileInfo info;

  ck_assert_msg (jc_keyfile_get_info (fx.path, &info, &error), "%s", error ? error->message : "");
  return info.failed_attempts;
}

START_TEST (test_create_unlock_round_trip)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  JcKeyfileInfo info;
  gsize len = 0;
  g_autofree char *raw = jc_test_read (fx.path, &len);

  ck_assert_int_eq (len, KF_SIZE);
  ck_assert_msg (!contains_bytes (raw, len, jc_secret_peek (fx.dek), 32), "DEK stored in clear");

  ck_assert_msg (jc_keyfile_unlock (fx.path, PIN, &dek, &error), "%s", error ? error->message : "");
  ck_assert (jc_secret_equal (dek, fx.dek));

  ck_assert (jc_keyfile_get_info (fx.path, &info, &error));
  ck_assert_uint_eq (info.version, 1);
  ck_assert_uint_eq (info.limits.opslimit, crypto_pwhash_argon2id_OPSLIMIT_MIN);
  ck_assert_uint_eq (info.limits.memlimit, crypto_pwhash_argon2id_MEMLIMIT_MIN);
  ck_assert_uint_eq (info.failed_attempts, 0);
  ck_assert_int_eq (info.locked_until, 0);
  ck_assert (info.has_recovery);
  ck_assert_mem_eq (info.escrow_pk, fx.escrow_pk, 32);
  ck_assert_mem_eq (info.db_id, db_id, 16);
  assert_dir_clean ();
}
END_TEST

START_TEST (test_two_keyfiles_have_different_keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) other = NULL;
  g_autofree char *path2 = g_build_filename (fx.dir, "keys2", NULL);
  JcKdfLimits limits;

  jc_kdf_limits_min (&limits);
  ck_assert (jc_keyfile_create (path2, PIN, NULL, db_id, &limits, &other, &error));
  ck_assert (!jc_secret_equal (other, fx.dek));
  g_unlink (path2);
}
END_TEST

START_TEST (test_create_refuses_existing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  g_autofree char *before = jc_test_read (fx.path, NULL);
  g_autofree char *after = NULL;
  JcKdfLimits limits;

  jc_kdf_limits_min (&limits);
  ck_assert (!jc_keyfile_create (fx.path, NEW_PIN, NULL, db_id, &limits, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_EXISTS));
  ck_assert_ptr_nonnull (strstr (error->message, fx.path));
  ck_assert_ptr_null (dek);
  after = jc_test_read (fx.path, NULL);
  ck_assert_mem_eq (before, after, KF_SIZE);
  assert_dir_clean ();
}
END_TEST

START_TEST (test_weak_pins_refused)
{
  const char *weak[] = { "12345", "123456", "111111", "654321", "abcdef", "789012", "000000",
                         "123123", "qwerty", "", "检查检查检" };
  JcKdfLimits limits;

  jc_kdf_limits_min (&limits);
  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcSecret) dek = NULL;
      g_autofree char *path = g_build_filename (fx.dir, "weak", NULL);

      ck_assert_msg (!jc_keyfile_create (path, weak[i], NULL, db_id, &limits, &dek, &error),
                     "'%s' accepted", weak[i]);
      ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WEAK_PIN));
      ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
    }
  assert_dir_clean ();
}
END_TEST

START_TEST (test_pin_strength_scale)
{
  struct { const char *pin; int min, max; const char *reason_part; } cases[] = {
    { "12345", 0, 0, "at least 6" },
    { "111111", 0, 0, "repeated" },
    { "123456", 0, 0, "sequence" },
    { "987654", 0, 0, "sequence" },
    { "5201314", 0, 0, "common" },
    { "121212", 1, 1, "pattern" },
    { "112112", 1, 1, "pattern" },
    { "19850412", 1, 1, "date" },
    { "383883", 1, 1, "two different" },
    { "482915", 2, 2, "Fair" },
    { "48291573", 2, 2, "Fair" },
    { "482915736", 3, 3, "Good" },
    { "kqzmwt", 3, 3, "Good" },
    { "Tr0ub4dor&3x", 4, 4, "Strong" },
    { "检查标记安全", 4, 4, "Strong" },
  };

  ck_assert_int_eq (jc_pin_strength (NULL, NULL), 0);
  ck_assert_int_eq (jc_pin_strength ("\xff\xfe\xfd\xfc\xfb\xfa", NULL), 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *reason = NULL;
      int s = jc_pin_strength (cases[i].pin, &reason);

      ck_assert_msg (s >= cases[i].min && s <= cases[i].max, "'%s': strength %d (%s)",
                     cases[i].pin, s, reason);
      ck_assert_msg (reason != NULL && strstr (reason, cases[i].reason_part) != NULL,
                     "'%s': reason '%s' lacks '%s'", cases[i].pin, reason, cases[i].reason_part);
      ck_assert (jc_pin_check (cases[i].pin, NULL) == (s > 0));
    }
}
END_TEST

START_TEST (test_wrong_pin_counts_and_delays)
{
  g_autoptr(JcSecret) dek = NULL;
  JcKeyfileInfo info;

  for (guint n = 1; n <= 3; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expect = g_strdup_printf ("Wrong PIN (attempt %u)", n);

      ck_assert (!jc_keyfile_unlock (fx.path, "999999x", &dek, &error));
      ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
      ck_assert_msg (g_str_has_prefix (error->message, expect), "%s", error->message);
      ck_assert_ptr_null (dek);
      ck_assert_uint_eq (info_attempts (), n);
      if (n == 3)
        ck_assert_msg (strstr (error->message, "wait 5 seconds") != NULL, "%s", error->message);
    }

  /* locked out: even the right PIN is refused, and the file is not touched */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *before = jc_test_read (fx.path, NULL);
    g_autofree char *after = NULL;

    fake_now += 4;
    ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_LOCKED_OUT));
    ck_assert_msg (strstr (error->message, "try again in 1 second") != NULL, "%s", error->message);
    after = jc_test_read (fx.path, NULL);
    ck_assert_mem_eq (before, after, KF_SIZE);
    ck_assert (jc_keyfile_get_info (fx.path, &info, NULL));
    ck_assert_int_eq (info.locked_until, fake_now + 1);
  }

  /* after the wait a 4th wrong PIN doubles the delay */
  {
    g_autoptr(GError) error = NULL;

    fake_now += 1;
    ck_assert (!jc_keyfile_unlock (fx.path, "999999x", &dek, &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
    ck_assert_msg (strstr (error->message, "attempt 4") && strstr (error->message, "10 seconds"),
                   "%s", error->message);
  }
  {
    g_autoptr(GError) error = NULL;

    fake_now += 9;
    ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_LOCKED_OUT));
  }

  /* the right PIN after the wait works and resets the counter */
  {
    g_autoptr(GError) error = NULL;

    fake_now += 1;
    ck_assert_msg (jc_keyfile_unlock (fx.path, PIN, &dek, &error), "%s", error ? error->message : "");
    ck_assert (jc_secret_equal (dek, fx.dek));
    ck_assert_uint_eq (info_attempts (), 0);
  }
  assert_dir_clean ();
}
END_TEST

START_TEST (test_delay_grows_to_cap)
{
  guint expected[] = { 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900 };
  JcKeyfileInfo info;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcSecret) dek = NULL;

      ck_assert (!jc_keyfile_unlock (fx.path, "wrong-pin", &dek, &error));
      ck_assert_msg (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN), "%s", error->message);
      ck_assert (jc_keyfile_get_info (fx.path, &info, NULL));
      ck_assert_uint_eq (info.failed_attempts, i + 1);
      ck_assert_int_eq (info.last_failure, fake_now);
      if (expected[i] == 0)
        ck_assert_int_eq (info.locked_until, 0);
      else
        ck_assert_int_eq (info.locked_until - fake_now, expected[i]);
      fake_now += expected[i];
    }
}
END_TEST

START_TEST (test_clock_going_back_restarts_wait)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  JcKeyfileInfo info;

  for (guint i = 0; i < 3; i++)
    ck_assert (!jc_keyfile_unlock (fx.path, "wrong-pin", &dek, NULL));
  fake_now -= 86400;
  ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_LOCKED_OUT));
  ck_assert (jc_keyfile_get_info (fx.path, &info, NULL));
  ck_assert_int_eq (info.locked_until, fake_now + 5);
  fake_now += 5;
  ck_assert (jc_keyfile_unlock (fx.path, PIN, &dek, NULL));
  ck_assert (jc_secret_equal (dek, fx.dek));
}
END_TEST

START_TEST (test_change_pin_keeps_dek)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  g_autofree char *before = jc_test_read (fx.path, NULL);
  g_autofree char *after = NULL;

  /* a weak new PIN changes nothing */
  ck_assert (!jc_keyfile_change_pin (fx.path, PIN, "111111", &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WEAK_PIN));
  g_clear_error (&error);
  after = jc_test_read (fx.path, NULL);
  ck_assert_mem_eq (before, after, KF_SIZE);

  /* a wrong old PIN is a counted wrong PIN */
  ck_assert (!jc_keyfile_change_pin (fx.path, "999999x", NEW_PIN, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
  g_clear_error (&error);
  ck_assert_uint_eq (info_attempts (), 1);

  ck_assert_msg (jc_keyfile_change_pin (fx.path, PIN, NEW_PIN, &error), "%s", error ? error->message : "");
  ck_assert_uint_eq (info_attempts (), 0);

  ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
  g_clear_error (&error);
  ck_assert (jc_keyfile_unlock (fx.path, NEW_PIN, &dek, &error));
  ck_assert (jc_secret_equal (dek, fx.dek));
  g_clear_pointer (&dek, jc_secret_free);

  /* the recovery slot still opens to the same key */
  ck_assert (jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &dek, &error));
  ck_assert (jc_secret_equal (dek, fx.dek));
  assert_dir_clean ();
}
END_TEST

START_TEST (test_recovery)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  guint8 other_pk[32], other_sk[32];

  ck_assert_msg (jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &dek, &error),
                 "%s", error ? error->message : "");
  ck_assert (jc_secret_equal (dek, fx.dek));
  g_clear_pointer (&dek, jc_secret_free);

  crypto_box_keypair (other_pk, other_sk);
  ck_assert (!jc_keyfile_recover (fx.path, other_pk, other_sk, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY));
  ck_assert_ptr_nonnull (strstr (error->message, "different"));
  g_clear_error (&error);
  ck_assert (!jc_keyfile_recover (fx.path, fx.escrow_pk, other_sk, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_KEY));
  g_clear_error (&error);
  ck_assert_ptr_null (dek);

  /* forgotten PIN: HQ recovers, the inspector sets a new one */
  ck_assert (!jc_keyfile_unlock (fx.path, "forgotten1", &dek, NULL));
  ck_assert (jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &dek, &error));
  ck_assert_msg (jc_keyfile_set_pin_after_recovery (fx.path, dek, NEW_PIN, &error), "%s",
                 error ? error->message : "");
  g_clear_pointer (&dek, jc_secret_free);
  ck_assert_uint_eq (info_attempts (), 0);
  ck_assert (jc_keyfile_unlock (fx.path, NEW_PIN, &dek, &error));
  ck_assert (jc_secret_equal (dek, fx.dek));
  g_clear_pointer (&dek, jc_secret_free);

  /* a key that is not this file's DEK cannot set a PIN */
  {
    g_autoptr(JcSecret) wrong = jc_secret_new_random (32);
    g_autofree char *before = jc_test_read (fx.path, NULL);
    g_autofree char *after = NULL;

    ck_assert (!jc_keyfile_set_pin_after_recovery (fx.path, wrong, "573920", &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_KEY));
    after = jc_test_read (fx.path, NULL);
    ck_assert_mem_eq (before, after, KF_SIZE);
  }
  assert_dir_clean ();
}
END_TEST

START_TEST (test_no_recovery_slot)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  JcKeyfileInfo info;

  teardown ();
  make_keyfile (FALSE);
  ck_assert (jc_keyfile_get_info (fx.path, &info, NULL));
  ck_assert (!info.has_recovery);
  ck_assert (!jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_NO_RECOVERY));
  ck_assert (jc_keyfile_unlock (fx.path, PIN, &dek, NULL));
  ck_assert (jc_secret_equal (dek, fx.dek));
}
END_TEST

/* Any single flipped byte: a clear error naming the file, the damaged file
 * left as it is (no counted attempt written over it), never a key. */
START_TEST (test_every_flipped_byte_detected)
{
  g_autofree guint8 *orig = (guint8 *) jc_test_read (fx.path, NULL);

  for (guint off = 0; off < KF_SIZE; off++)
    for (guint m = 0; m < 2; m++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) rec_error = NULL;
        g_autoptr(JcSecret) dek = NULL;
        g_autofree char *after = NULL;
        guint8 buf[KF_SIZE];

        memcpy (buf, orig, KF_SIZE);
        buf[off] ^= m == 0 ? 0x01 : 0x80;
        write_bytes (fx.path, buf, KF_SIZE);

        ck_assert_msg (!jc_keyfile_unlock (fx.path, PIN, &dek, &error), "byte %u flipped: unlocked", off);
        ck_assert_ptr_null (dek);
        ck_assert_msg (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT),
                       "byte %u: %s", off, error->message);
        ck_assert_msg (strstr (error->message, fx.path) != NULL, "byte %u: %s", off, error->message);
        ck_assert (!jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &dek, &rec_error));
        after = jc_test_read (fx.path, NULL);
        ck_assert_msg (memcmp (after, buf, KF_SIZE) == 0, "byte %u: damaged file was rewritten", off);
      }
  write_bytes (fx.path, orig, KF_SIZE);
  assert_dir_clean ();
}
END_TEST

/* A deliberate edit that also fixes the checksum must still never yield a
 * key other than the real one: the PIN slot's AD and the MAC catch it. */
START_TEST (test_forged_checksum_still_detected)
{
  g_autofree guint8 *orig = (guint8 *) jc_test_read (fx.path, NULL);

  for (guint off = 0; off < OFF_CHECK; off++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcSecret) dek = NULL;
      g_autoptr(JcSecret) rdek = NULL;
      guint8 buf[KF_SIZE];
      gboolean ok, rok;

      memcpy (buf, orig, KF_SIZE);
      buf[off] ^= 0x04;
      crypto_generichash (buf + OFF_CHECK, 16, buf, OFF_CHECK, NULL, 0);
      write_bytes (fx.path, buf, KF_SIZE);

      ok = jc_keyfile_unlock (fx.path, PIN, &dek, &error);
      if (off < 304)
        {
          ck_assert_msg (!ok, "byte %u changed (checksum fixed): unlocked", off);
          ck_assert (error->domain == JC_KEYFILE_ERROR);
        }
      else
        {
          /* the attempt counter: editable by design (see jc-keyfile.c) */
          ck_assert (!ok || jc_secret_equal (dek, fx.dek));
        }
      write_bytes (fx.path, buf, KF_SIZE);
      rok = jc_keyfile_recover (fx.path, fx.escrow_pk, fx.escrow_sk, &rdek, NULL);
      ck_assert_msg (!rok || (off >= 304 && jc_secret_equal (rdek, fx.dek)),
                     "byte %u changed (checksum fixed): recovered", off);
    }
  write_bytes (fx.path, orig, KF_SIZE);
}
END_TEST

START_TEST (test_truncated_and_garbage)
{
  g_autofree guint8 *orig = (guint8 *) jc_test_read (fx.path, NULL);
  guint8 longer[KF_SIZE + 1];

  for (guint len = 0; len <= KF_SIZE + 1; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JcSecret) dek = NULL;
      g_autofree char *after = NULL;
      gsize after_len = 0;

      if (len == KF_SIZE)
        continue;
      memcpy (longer, orig, KF_SIZE);
      longer[KF_SIZE] = 0;
      write_bytes (fx.path, longer, len);
      ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
      ck_assert_msg (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT),
                     "len %u: %s", len, error->message);
      ck_assert_msg (strstr (error->message, fx.path) != NULL, "%s", error->message);
      if (len >= 8 && len < KF_SIZE)
        ck_assert_msg (strstr (error->message, "truncated") != NULL, "%s", error->message);
      if (len == 0)
        ck_assert_msg (strstr (error->message, "empty") != NULL, "%s", error->message);
      after = jc_test_read (fx.path, &after_len);
      ck_assert_uint_eq (after_len, len);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JcSecret) dek = NULL;
    guint8 garbage[KF_SIZE];

    randombytes_buf (garbage, sizeof garbage);
    write_bytes (fx.path, garbage, sizeof garbage);
    ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_CORRUPT));
    ck_assert_msg (strstr (error->message, "not a Jiancha keys file") != NULL, "%s", error->message);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JcSecret) dek = NULL;

    g_unlink (fx.path);
    ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
    ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_IO));
    ck_assert (strstr (error->message, fx.path) != NULL);
    ck_assert (!g_file_test (fx.path, G_FILE_TEST_EXISTS));
  }
}
END_TEST

START_TEST (test_newer_version_refused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcSecret) dek = NULL;
  g_autofree guint8 *buf = (guint8 *) jc_test_read (fx.path, NULL);

  /* a newer file, intact: "unsupported", not "damaged" */
  buf[6] = 2;
  crypto_generichash (buf + OFF_CHECK, 16, buf, OFF_CHECK, NULL, 0);
  write_bytes (fx.path, buf, KF_SIZE);
  ck_assert (!jc_keyfile_unlock (fx.path, PIN, &dek, &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_UNSUPPORTED));
  ck_assert_msg (strstr (error->message, "version 2") != NULL, "%s", error->message);
}
END_TEST

START_TEST (test_derived_keys)
{
  g_autoptr(JcSecret) other = jc_secret_new_random (32);
  g_autoptr(JcSecret) pages = jc_keys_derive_secret (fx.dek, "jcpages_");
  guint8 a[32], b[32], c[32], d[32];

  jc_keys_derive (fx.dek, "jcpages_", a);
  jc_keys_derive (fx.dek, "jcblobs_", b);
  jc_keys_derive (fx.dek, "jcpages_", c);
  jc_keys_derive (other, "jcpages_", d);
  ck_assert_mem_eq (a, c, 32);
  ck_assert_mem_eq (a, jc_secret_peek (pages), 32);
  ck_assert (memcmp (a, b, 32) != 0);
  ck_assert (memcmp (a, d, 32) != 0);
  ck_assert (memcmp (a, jc_secret_peek (fx.dek), 32) != 0);
}
END_TEST

START_TEST (test_secret_buffer)
{
  g_autoptr(JcSecret) a = jc_secret_new_random (32);
  g_autoptr(JcSecret) b = jc_secret_dup (a);
  g_autoptr(JcSecret) z = jc_secret_new (16);
  g_autoptr(JcSecret) c = jc_secret_new_from ((const guint8 *) "0123456789abcdef", 16);

  ck_assert (jc_secret_equal (a, b));
  ck_assert (jc_secret_peek (a) != jc_secret_peek (b));
  ck_assert (sodium_is_zero (jc_secret_peek (z), 16));
  ck_assert (!jc_secret_equal (z, c));
  ck_assert (!jc_secret_equal (a, c));
  ck_assert_mem_eq (jc_secret_peek (c), "0123456789abcdef", 16);
  jc_secret_get_data (b)[0] ^= 1;
  ck_assert (!jc_secret_equal (a, b));
}
END_TEST

START_TEST (test_default_and_tuned_limits)
{
  g_autoptr(GError) error = NULL;
  JcKdfLimits limits;

  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  ck_assert (jc_kdf_limits_default (&limits, &error));
  ck_assert_uint_eq (limits.opslimit, crypto_pwhash_argon2id_OPSLIMIT_MIN);
  ck_assert_uint_eq (limits.memlimit, crypto_pwhash_argon2id_MEMLIMIT_MIN);
  g_unsetenv ("JIANCHA_TEST_FAST_KDF");

  ck_assert_msg (jc_kdf_limits_tune (0.5, &limits, &error), "%s", error ? error->message : "");
  ck_assert_uint_ge (limits.opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  ck_assert_uint_ge (limits.memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  ck_assert_uint_le (limits.memlimit, 256u << 20);
}
END_TEST

static Suite *
keyfile_suite (void)
{
  Suite *s = suite_create ("keyfile");
  TCase *tc = tcase_create ("keyfile");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_create_unlock_round_trip);
  tcase_add_test (tc, test_two_keyfiles_have_different_keys);
  tcase_add_test (tc, test_create_refuses_existing);
  tcase_add_test (tc, test_weak_pins_refused);
  tcase_add_test (tc, test_pin_strength_scale);
  tcase_add_test (tc, test_wrong_pin_counts_and_delays);
  tcase_add_test (tc, test_delay_grows_to_cap);
  tcase_add_test (tc, test_clock_going_back_restarts_wait);
  tcase_add_test (tc, test_change_pin_keeps_dek);
  tcase_add_test (tc, test_recovery);
  tcase_add_test (tc, test_no_recovery_slot);
  tcase_add_test (tc, test_every_flipped_byte_detected);
  tcase_add_test (tc, test_forged_checksum_still_detected);
  tcase_add_test (tc, test_truncated_and_garbage);
  tcase_add_test (tc, test_newer_version_refused);
  tcase_add_test (tc, test_derived_keys);
  tcase_add_test (tc, test_secret_buffer);
  tcase_add_test (tc, test_default_and_tuned_limits);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (keyfile_suite ());
}
