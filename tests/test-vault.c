/* test-vault.c — the vault as a whole: keys, encrypted database, evidence
 * and events together, on real files, through kill -9, a full disk and
 * single flipped bytes. */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jc-core.h"
#include "jc-test.h"

#define PIN "583921"
#define MARK_ASCII "JC-PLAINTEXT-MARKER-7f3a"
#define MARK_CHINESE "检查标记违规收费"

static char *workdir;
static char *vault_dir;

static void
setup (void)
{
  g_autoptr(GError) error = NULL;

  ck_assert (jc_core_init (&error));
  g_setenv ("JIANCHA_TEST_FAST_KDF", "1", TRUE);
  workdir = jc_test_tmpdir ("vault");
  vault_dir = g_build_filename (workdir, "vault", NULL);
}

static void
teardown (void)
{
  jc_test_rmtree (workdir);
  g_clear_pointer (&workdir, g_free);
  g_clear_pointer (&vault_dir, g_free);
}

static JcVault *
create_vault (void)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (vault_dir);

  ck_assert_msg (jc_vault_create (vault, PIN, "张三", NULL, &error), "create: %s", error ? error->message : "");
  return vault;
}

static JcVault *
open_vault (GError **error)
{
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);

  if (!jc_vault_unlock (vault, PIN, error))
    return NULL;
  return g_steal_pointer (&vault);
}

/* Opens and verifies; returns FALSE with the error of whichever failed. */
static gboolean
open_and_verify (GError **error)
{
  g_autoptr(JcVault) vault = open_vault (error);

  return vault != NULL && jc_vault_verify (vault, NULL, NULL, error);
}

static void
record (JcVault *vault, const char *kind, const char *body)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (jc_vault_record (vault, kind, body, NULL, &error), "record: %s", error ? error->message : "");
}

static gint64
count_events (JcVault *vault)
{
  JcDb *db = jc_eventlog_get_db (jc_vault_get_eventlog (vault));
  JcDbStmt *stmt = NULL;
  gint64 n = -1;

  ck_assert_int_eq (jc_db_prepare (db, "SELECT count(*) FROM events", -1, &stmt, NULL), JC_DB_OK);
  if (jc_db_step (stmt) == JC_DB_ROW)
    n = jc_db_column_int64 (stmt, 0);
  jc_db_finalize (stmt);
  return n;
}

static char *
vault_file (const char *name)
{
  return g_build_filename (vault_dir, name, NULL);
}

static void
flip_byte (const char *path, gsize offset)
{
  g_autofree char *data = NULL;
  gsize len;

  data = jc_test_read (path, &len);
  ck_assert_uint_lt (offset, len);
  data[offset] ^= 0x5a;
  ck_assert (g_file_set_contents (path, data, len, NULL));
}

static void
write_file (const char *path, const char *data, gsize len)
{
  ck_assert (g_file_set_contents (path, data, len, NULL));
}

/* ------------------------------------------------------------------ */

START_TEST (test_create_unlock_lock)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(JcVault) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  ck_assert (jc_vault_is_unlocked (vault));
  ck_assert_str_eq (jc_vault_get_inspector (vault), "张三");
  id = g_strdup (jc_device_get_id_hex (jc_vault_get_device (vault)));
  record (vault, "note.add", "{\"text\":\"hello\"}");
  ck_assert_int_eq (count_events (vault), 2);   /* vault.create + note.add */
  jc_vault_lock (vault);
  ck_assert (!jc_vault_is_unlocked (vault));
  ck_assert_ptr_null (jc_vault_get_device (vault));
  ck_assert (!jc_vault_record (vault, "note.add", "{}", NULL, &error));
  ck_assert (g_error_matches (error, JC_VAULT_ERROR, JC_VAULT_ERROR_LOCKED));
  g_clear_error (&error);

  again = open_vault (&error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (jc_device_get_id_hex (jc_vault_get_device (again)), id);
  ck_assert_int_eq (count_events (again), 2);
  ck_assert (jc_vault_verify (again, NULL, NULL, &error));
}
END_TEST

START_TEST (test_create_refuses_existing)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(JcVault) second = jc_vault_new (vault_dir);
  g_autoptr(JcVault) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonempty = g_build_filename (workdir, "nonempty", NULL);
  g_autofree char *stray = g_build_filename (nonempty, "photo.jpg", NULL);

  record (vault, "note.add", "{\"text\":\"keep me\"}");
  ck_assert (!jc_vault_create (second, PIN, "李四", NULL, &error));
  ck_assert (g_error_matches (error, JC_VAULT_ERROR, JC_VAULT_ERROR_EXISTS));
  ck_assert_int_eq (count_events (vault), 2);
  g_clear_error (&error);

  /* A directory with someone's files is not a place for a new vault. */
  g_mkdir (nonempty, 0700);
  write_file (stray, "x", 1);
  other = jc_vault_new (nonempty);
  ck_assert (!jc_vault_create (other, PIN, "李四", NULL, &error));
  ck_assert (g_error_matches (error, JC_VAULT_ERROR, JC_VAULT_ERROR_EXISTS));
  ck_assert (g_file_test (stray, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (test_failed_create_leaves_nothing)
{
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  ck_assert (!jc_vault_create (vault, "123456", "张三", NULL, &error));   /* a weak PIN */
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WEAK_PIN));
  ck_assert (!g_file_test (vault_dir, G_FILE_TEST_EXISTS));
  dir = g_dir_open (workdir, 0, NULL);
  ck_assert_ptr_null (g_dir_read_name (dir));   /* no half-built vault either */
}
END_TEST

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
assert_no_plaintext_under (const char *path, const char *skip)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (skip != NULL && g_str_equal (child, skip))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        assert_no_plaintext_under (child, skip);
      else
        {
          ck_assert_msg (!file_contains (child, MARK_ASCII), "%s holds the ASCII marker", child);
          ck_assert_msg (!file_contains (child, MARK_CHINESE), "%s holds the Chinese marker", child);
        }
    }
}

START_TEST (test_no_plaintext)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(GError) error = NULL;
  g_autofree char *input_dir = g_build_filename (JC_BUILD_DIR, "test-input", NULL);
  g_autofree char *input = NULL;
  g_autofree char *body = g_strdup_printf ("{\"note\":\"%s %s\"}", MARK_ASCII, MARK_CHINESE);
  g_autoptr(GString) big = g_string_new (NULL);
  JcBlobInfo *info;

  /* The plaintext evidence comes from outside both the vault and TMPDIR. */
  g_mkdir_with_parents (input_dir, 0700);
  input = g_build_filename (input_dir, "evidence-with-markers.txt", NULL);
  for (int i = 0; i < 20000; i++)
    g_string_append_printf (big, "%s %s %d\n", MARK_ASCII, MARK_CHINESE, i);
  write_file (input, big->str, big->len);

  for (int i = 0; i < 50; i++)
    record (vault, "note.add", body);
  info = jc_vault_add_evidence (vault, input, MARK_CHINESE, NULL, &error);
  ck_assert_msg (info != NULL, "%s", error ? error->message : "");
  jc_blob_info_free (info);

  /* While open (WAL and -shm present) and after closing. */
  assert_no_plaintext_under (vault_dir, NULL);
  assert_no_plaintext_under (g_getenv ("TMPDIR"), NULL);
  jc_vault_lock (vault);
  assert_no_plaintext_under (vault_dir, NULL);
  assert_no_plaintext_under (g_getenv ("TMPDIR"), NULL);
  g_unlink (input);
}
END_TEST

START_TEST (test_wrong_pin)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(JcVault) other = jc_vault_new (vault_dir);
  g_autoptr(GError) error = NULL;
  JcKeyfileInfo info;
  g_autofree char *keys = vault_file ("keys");

  record (vault, "note.add", "{\"text\":\"before\"}");
  jc_vault_lock (vault);
  ck_assert (!jc_vault_unlock (other, "958372", &error));
  ck_assert (g_error_matches (error, JC_KEYFILE_ERROR, JC_KEYFILE_ERROR_WRONG_PIN));
  ck_assert_msg (strstr (error->message, "1") != NULL, "the message does not count: %s", error->message);
  ck_assert (jc_keyfile_get_info (keys, &info, NULL));
  ck_assert_uint_eq (info.failed_attempts, 1);
  g_clear_error (&error);
  /* Nothing was lost: the right PIN opens it, and the counter resets. */
  ck_assert (jc_vault_unlock (other, PIN, &error));
  ck_assert_int_eq (count_events (other), 2);
  ck_assert (jc_keyfile_get_info (keys, &info, NULL));
  ck_assert_uint_eq (info.failed_attempts, 0);
}
END_TEST

START_TEST (test_change_pin_and_recover)
{
  g_autoptr(JcVault) vault = jc_vault_new (vault_dir);
  g_autoptr(JcVault) again = NULL;
  g_autoptr(GError) error = NULL;
  guint8 pk[32], sk[32];

  crypto_box_keypair (pk, sk);
  ck_assert_msg (jc_vault_create (vault, PIN, "张三", pk, &error), "%s", error ? error->message : "");
  ck_assert (jc_vault_change_pin (vault, PIN, "739184", &error));
  jc_vault_lock (vault);
  ck_assert (!jc_vault_unlock (vault, PIN, &error));
  g_clear_error (&error);
  ck_assert (jc_vault_unlock (vault, "739184", &error));
  jc_vault_lock (vault);

  /* The PIN is forgotten: HQ opens it with the escrow key and sets a new one. */
  ck_assert_msg (jc_vault_recover (vault, pk, sk, "846251", &error), "%s", error ? error->message : "");
  ck_assert_int_eq (count_events (vault), 3);   /* create, change-pin, recover */
  jc_vault_lock (vault);
  ck_assert (jc_vault_unlock (vault, "846251", &error));
  ck_assert (jc_vault_verify (vault, NULL, NULL, &error));
}
END_TEST

START_TEST (test_evidence_round_trip_and_missing_blob)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_build_filename (workdir, "photo.bin", NULL);
  g_autofree char *output = g_build_filename (workdir, "photo.out", NULL);
  g_autofree char *blob_path = NULL;
  g_autofree char *back = NULL;
  guint8 data[200000];
  JcBlobInfo *info;
  gsize len;

  randombytes_buf (data, sizeof data);
  write_file (input, (const char *) data, sizeof data);
  info = jc_vault_add_evidence (vault, input, "病历第3页", NULL, &error);
  ck_assert_msg (info != NULL, "%s", error ? error->message : "");
  ck_assert (jc_vault_get_evidence (vault, info->sha256_hex, output, NULL, &error));
  back = jc_test_read (output, &len);
  ck_assert_uint_eq (len, sizeof data);
  ck_assert_mem_eq (back, data, sizeof data);

  /* A blob gone from the disk: the check names it, the rest is untouched. */
  blob_path = g_build_filename (vault_dir, "blobs", info->stored_name, NULL);
  ck_assert (g_unlink (blob_path) == 0);
  ck_assert (!jc_vault_verify (vault, NULL, NULL, &error));
  ck_assert_msg (strstr (error->message, "Evidence") != NULL || strstr (error->message, info->sha256_hex) != NULL ||
                 strstr (error->message, "f") != NULL, "%s", error->message);
  g_clear_error (&error);
  record (vault, "note.add", "{\"text\":\"still writable\"}");
  ck_assert_int_eq (count_events (vault), 3);
  jc_blob_info_free (info);
}
END_TEST

/* Leaves a vault whose last events are only in the WAL: the writer dies
 * without closing, as on a crash. */
static void
make_vault_with_wal (int n_events)
{
  pid_t pid = fork ();
  int status;

  ck_assert_int_ge (pid, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      JcVault *vault = jc_vault_new (vault_dir);

      if (!jc_vault_create (vault, PIN, "张三", NULL, &error))
        _exit (2);
      for (int i = 0; i < n_events; i++)
        if (!jc_vault_record (vault, "note.add", "{\"text\":\"" MARK_ASCII "\"}", NULL, &error))
          _exit (3);
      _exit (0);   /* no close, no checkpoint */
    }
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "writer failed: %d", status);
}

static void
assert_tamper_detected (const char *name, gsize stride)
{
  g_autofree char *path = vault_file (name);
  g_autofree char *original = NULL;
  gsize len;
  guint tried = 0;

  original = jc_test_read (path, &len);
  for (gsize off = 0; off < len; off += (off < 512 ? 1 : stride))
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *shm = vault_file ("jiancha.db-shm");

      flip_byte (path, off);
      g_unlink (shm);   /* the index is rebuilt from the WAL, as after a reboot */
      ck_assert_msg (!open_and_verify (&error), "%s: byte %" G_GSIZE_FORMAT " changed, yet the vault opened and verified",
                     name, off);
      ck_assert_msg (error != NULL && error->message[0] != '\0', "no message for byte %" G_GSIZE_FORMAT, off);
      write_file (path, original, len);
      tried++;
    }
  ck_assert_uint_gt (tried, 100);
  {
    g_autoptr(GError) error = NULL;
    ck_assert_msg (open_and_verify (&error), "the restored %s does not open: %s", name, error ? error->message : "");
  }
}

START_TEST (test_tamper_database)
{
  g_autoptr(JcVault) vault = create_vault ();

  for (int i = 0; i < 40; i++)
    record (vault, "note.add", "{\"text\":\"a record long enough to fill some pages of the database file\"}");
  jc_vault_lock (vault);   /* checkpointed: everything is in jiancha.db */
  assert_tamper_detected ("jiancha.db", 61);
}
END_TEST

START_TEST (test_tamper_wal)
{
  g_autofree char *wal = NULL;

  make_vault_with_wal (30);
  wal = vault_file ("jiancha.db-wal");
  ck_assert_msg (g_file_test (wal, G_FILE_TEST_EXISTS), "the writer left no WAL");
  assert_tamper_detected ("jiancha.db-wal", 53);
}
END_TEST

START_TEST (test_tamper_keys)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *keys = vault_file ("keys");
  g_autofree char *original = NULL;
  gsize len;

  jc_vault_lock (vault);
  original = jc_test_read (keys, &len);
  for (gsize off = 0; off < len; off++)
    {
      g_autoptr(GError) error = NULL;

      flip_byte (keys, off);
      ck_assert_msg (!open_and_verify (&error), "keys byte %" G_GSIZE_FORMAT " changed, yet it opened", off);
      write_file (keys, original, len);
    }
  /* Truncated: a clear error, and the rest of the vault is untouched. */
  for (gsize cut = 0; cut < len; cut += 7)
    {
      g_autoptr(GError) error = NULL;

      write_file (keys, original, cut);
      ck_assert (!open_and_verify (&error));
      ck_assert_msg (strstr (error->message, "keys") != NULL, "does not name the file: %s", error->message);
    }
  write_file (keys, original, len);
  {
    g_autoptr(GError) error = NULL;
    ck_assert_msg (open_and_verify (&error), "%s", error ? error->message : "");
  }
}
END_TEST

START_TEST (test_tamper_blob)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_build_filename (workdir, "scan.pdf", NULL);
  g_autofree char *blob = NULL;
  guint8 data[70000];
  JcBlobInfo *info;

  randombytes_buf (data, sizeof data);
  write_file (input, (const char *) data, sizeof data);
  info = jc_vault_add_evidence (vault, input, NULL, NULL, &error);
  ck_assert (info != NULL);
  blob = g_build_filename ("blobs", info->stored_name, NULL);
  jc_vault_lock (vault);
  assert_tamper_detected (blob, 997);
  jc_blob_info_free (info);
}
END_TEST

START_TEST (test_swapped_pages)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autofree char *db = vault_file ("jiancha.db");
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  char page[4096];
  gsize len;

  for (int i = 0; i < 60; i++)
    record (vault, "note.add", "{\"text\":\"filling pages so that there are several to swap around\"}");
  jc_vault_lock (vault);
  data = jc_test_read (db, &len);
  ck_assert_uint_ge (len, 4 * 4096);
  memcpy (page, data + 2 * 4096, 4096);
  memcpy (data + 2 * 4096, data + 3 * 4096, 4096);
  memcpy (data + 3 * 4096, page, 4096);
  write_file (db, data, len);
  ck_assert (!open_and_verify (&error));
  ck_assert_msg (strstr (error->message, "page") != NULL, "does not name a page: %s", error->message);
}
END_TEST

/* The child appends events and reports each committed seq on the pipe;
 * the parent kills it at a random moment. */
static void
crash_writer (int fd)
{
  g_autoptr(GError) error = NULL;
  JcVault *vault = jc_vault_new (vault_dir);

  if (!jc_vault_unlock (vault, PIN, &error))
    _exit (2);
  for (;;)
    {
      g_autoptr(JcEvent) event = NULL;
      guint64 seq;

      if (!jc_vault_record (vault, "note.add", "{\"text\":\"written before the crash\"}", &event, &error))
        _exit (3);
      seq = jc_event_get_seq (event);
      if (write (fd, &seq, sizeof seq) != sizeof seq)
        _exit (4);
    }
}

START_TEST (test_kill_9)
{
  g_autoptr(JcVault) vault = create_vault ();
  guint64 reported_max = 0;

  jc_vault_lock (vault);
  for (int round = 0; round < 50; round++)
    {
      int fds[2];
      pid_t pid;
      guint64 seq;
      int status;
      g_autoptr(GError) error = NULL;
      g_autoptr(JcVault) check = NULL;
      guint64 head = 0;

      ck_assert (pipe (fds) == 0);
      pid = fork ();
      ck_assert_int_ge (pid, 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_writer (fds[1]);
        }
      close (fds[1]);
      g_usleep (g_random_int_range (20, 150) * 1000);
      kill (pid, SIGKILL);
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert_msg (WIFSIGNALED (status), "the writer stopped by itself: %d", status);
      while (read (fds[0], &seq, sizeof seq) == sizeof seq)
        reported_max = MAX (reported_max, seq);
      close (fds[0]);

      check = open_vault (&error);
      ck_assert_msg (check != NULL, "round %d: does not open after kill -9: %s", round, error ? error->message : "");
      ck_assert_msg (jc_vault_verify (check, NULL, NULL, &error), "round %d: %s", round, error ? error->message : "");
      ck_assert (jc_eventlog_get_head (jc_vault_get_eventlog (check),
                                       jc_device_get_id (jc_vault_get_device (check)), &head, NULL, &error));
      ck_assert_msg (head >= reported_max, "round %d: event %" G_GUINT64_FORMAT " was reported committed, "
                     "the vault ends at %" G_GUINT64_FORMAT, round, reported_max, head);
    }
  ck_assert_uint_gt (reported_max, 50);
}
END_TEST

START_TEST (test_full_disk)
{
  g_autoptr(JcVault) vault = create_vault ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JcVault) after = NULL;
  int fds[2];
  pid_t pid;
  int status;
  guint64 seq, reported_max = 0;

  jc_vault_lock (vault);
  ck_assert (pipe (fds) == 0);
  pid = fork ();
  if (pid == 0)
    {
      /* The disk fills: writes past 1 MiB fail with EFBIG. */
      struct rlimit lim = { 1 << 20, 1 << 20 };
      g_autoptr(GError) child_error = NULL;
      JcVault *child = jc_vault_new (vault_dir);

      close (fds[0]);
      signal (SIGXFSZ, SIG_IGN);
      if (!jc_vault_unlock (child, PIN, &child_error))
        _exit (2);
      setrlimit (RLIMIT_FSIZE, &lim);
      for (int i = 0; i < 100000; i++)
        {
          g_autoptr(JcEvent) event = NULL;
          if (!jc_vault_record (child, "note.add",
                                "{\"text\":\"a long record to fill the disk quickly, a long record to fill the disk quickly\"}",
                                &event, &child_error))
            {
              /* The error must say the disk is full, in words. */
              gboolean clear = strstr (child_error->message, "full") != NULL || strstr (child_error->message, "space") != NULL;
              _exit (clear ? 10 : 11);
            }
          seq = jc_event_get_seq (event);
          if (write (fds[1], &seq, sizeof seq) != sizeof seq)
            _exit (4);
        }
      _exit (5);
    }
  close (fds[1]);
  ck_assert_int_eq (waitpid (pid, &status, 0), pid);
  while (read (fds[0], &seq, sizeof seq) == sizeof seq)
    reported_max = MAX (reported_max, seq);
  close (fds[0]);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 10,
                 "the write on a full disk did not fail with a clear message (status %d)", status);

  after = open_vault (&error);
  ck_assert_msg (after != NULL, "%s", error ? error->message : "");
  ck_assert_msg (jc_vault_verify (after, NULL, NULL, &error), "%s", error ? error->message : "");
  ck_assert_int_ge (count_events (after), (gint64) reported_max);
  record (after, "note.add", "{\"text\":\"room again\"}");
}
END_TEST

static Suite *
vault_suite (void)
{
  Suite *s = suite_create ("vault");
  TCase *tc = tcase_create ("vault");
  TCase *tamper = tcase_create ("tamper");
  TCase *crash = tcase_create ("crash");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_create_unlock_lock);
  tcase_add_test (tc, test_create_refuses_existing);
  tcase_add_test (tc, test_failed_create_leaves_nothing);
  tcase_add_test (tc, test_no_plaintext);
  tcase_add_test (tc, test_wrong_pin);
  tcase_add_test (tc, test_change_pin_and_recover);
  tcase_add_test (tc, test_evidence_round_trip_and_missing_blob);
  suite_add_tcase (s, tc);

  tcase_add_checked_fixture (tamper, setup, teardown);
  tcase_set_timeout (tamper, 240);
  tcase_add_test (tamper, test_tamper_database);
  tcase_add_test (tamper, test_tamper_wal);
  tcase_add_test (tamper, test_tamper_keys);
  tcase_add_test (tamper, test_tamper_blob);
  tcase_add_test (tamper, test_swapped_pages);
  suite_add_tcase (s, tamper);

  tcase_add_checked_fixture (crash, setup, teardown);
  tcase_set_timeout (crash, 240);
  tcase_add_test (crash, test_kill_9);
  tcase_add_test (crash, test_full_disk);
  suite_add_tcase (s, crash);
  return s;
}

int
main (void)
{
  return jc_test_run (vault_suite ());
}
