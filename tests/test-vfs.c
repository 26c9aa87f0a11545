/* test-vfs.c — the page-encrypting SQLite VFS: no plaintext on disk, wrong
 * key, tampering (flipped bytes, swapped pages) in the db and the WAL,
 * crash recovery under SIGKILL, full disk, refused temp files */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "jc-core.h"
#include "jc-test.h"

#define MARK_ASCII "JCMARKER-7f3a9c"
#define MARK_ZH    "检查标记"
#define FRAME      (24 + JC_VFS_PAGE_SIZE)

static const guint8 test_key[JC_VFS_KEY_BYTES] = {
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/* ---------------------------------------------------------------------- */

static char *
row_note (gint64 id)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "row %" G_GINT64_FORMAT " " MARK_ASCII " " MARK_ZH " ", id);
  while (s->len < 300)
    g_string_append_printf (s, "%08x", (guint) (id * 2654435761u + s->len));
  return g_string_free (s, FALSE);
}

static sqlite3 *
open_ok (const char *path, gboolean create)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  ck_assert_msg (jc_vfs_open (path, test_key, create, &db, &error),
                 "open %s: %s", path, error ? error->message : "?");
  ck_assert_ptr_nonnull (db);
  return db;
}

static void
exec_ok (sqlite3 *db, const char *sql)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (jc_vfs_exec (db, sql, &error), "%s: %s", sql, error ? error->message : "?");
}

static gboolean
insert_rows (sqlite3 *db, gint64 first, int n, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "INSERT INTO t (id, note) VALUES (?, ?)", -1, &stmt, NULL);

  for (int i = 0; rc == SQLITE_OK && i < n; i++)
    {
      g_autofree char *note = row_note (first + i);

      sqlite3_bind_int64 (stmt, 1, first + i);
      sqlite3_bind_text (stmt, 2, note, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      rc = (rc == SQLITE_DONE) ? sqlite3_reset (stmt) : rc;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    {
      jc_vfs_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
commit_rows (sqlite3 *db, gint64 first, int n, GError **error)
{
  if (!jc_vfs_exec (db, "BEGIN", error))
    return FALSE;
  if (!insert_rows (db, first, n, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return jc_vfs_exec (db, "COMMIT", error);
}

/* integrity_check, then every row: FALSE with @error when SQLite fails;
 * a row that comes back with content other than what was written aborts
 * the test (wrong data must never be returned). */
static gboolean
scan_all (sqlite3 *db, gint64 *out_count, gint64 *out_max, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 count = 0, max = 0;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      const char *res = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (res, "ok") != 0)
        {
          /* integrity_check reports unreadable pages as text: the page
           * that failed authentication is named by jc_vfs_set_error(). */
          jc_vfs_set_error (db, SQLITE_CORRUPT, error);
          if (!g_error_matches (*error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH))
            g_prefix_error (error, "integrity_check: %s: ", res);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "SELECT id, note FROM t ORDER BY id", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_autofree char *want = row_note (id);

      ck_assert_msg (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), want) == 0,
                     "row %" G_GINT64_FORMAT " came back with wrong content", id);
      count++;
      max = id;
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      jc_vfs_set_error (db, rc, error);
      return FALSE;
    }
  if (out_count)
    *out_count = count;
  if (out_max)
    *out_max = max;
  return TRUE;
}

static gboolean
file_contains (const char *path, const char *needle)
{
  gsize len;
  g_autofree char *data = jc_test_read (path, &len);

  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
assert_no_markers (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  int files = 0;

  ck_assert_ptr_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      ck_assert_msg (!file_contains (path, MARK_ASCII), "%s contains the ASCII marker", name);
      ck_assert_msg (!file_contains (path, MARK_ZH), "%s contains the Chinese marker", name);
      ck_assert_msg (!file_contains (path, "SQLite format 3"), "%s has a plain SQLite header", name);
      files++;
    }
  ck_assert_int_gt (files, 0);
}

static void
write_file (const char *path, const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (g_file_set_contents (path, data, len, &error), "%s", error ? error->message : "?");
}

static sqlite3 *
make_db (const char *dir, gint64 rows, char **out_path)
{
  g_autofree char *path = g_build_filename (dir, "jiancha.db", NULL);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = open_ok (path, TRUE);

  exec_ok (db, "CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  ck_assert_msg (commit_rows (db, 1, rows, &error), "%s", error ? error->message : "?");
  *out_path = g_steal_pointer (&path);
  return db;
}

/* ---------------------------------------------------------------------- */

START_TEST (test_round_trip_no_plaintext)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-rt");
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = make_db (dir, 200, &path);
  gint64 count = 0, max = 0;
  int reserve = -1;

  for (int i = 0; i < 20; i++)
    ck_assert (commit_rows (db, 201 + i, 1, &error));

  /* While open: the data is in the WAL (and -shm). */
  wal = g_strconcat (path, "-wal", NULL);
  ck_assert (g_file_test (wal, G_FILE_TEST_EXISTS));
  assert_no_markers (dir);
  ck_assert (sqlite3_file_control (db, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve) == SQLITE_OK);
  ck_assert_int_eq (reserve, JC_VFS_RESERVE);
  jc_vfs_close (db);

  assert_no_markers (dir);
  db = open_ok (path, FALSE);
  ck_assert_msg (scan_all (db, &count, &max, &error), "%s", error ? error->message : "?");
  ck_assert_int_eq (count, 220);
  ck_assert_int_eq (max, 220);
  {
    sqlite3_stmt *stmt;

    ck_assert (sqlite3_prepare_v2 (db, "SELECT count(*) FROM t WHERE note LIKE '%" MARK_ZH "%'",
                                   -1, &stmt, NULL) == SQLITE_OK);
    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
    ck_assert_int_eq (sqlite3_column_int (stmt, 0), 220);
    sqlite3_finalize (stmt);
    ck_assert (sqlite3_prepare_v2 (db, "PRAGMA mmap_size", -1, &stmt, NULL) == SQLITE_OK);
    ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
    ck_assert_int_eq (sqlite3_column_int (stmt, 0), 0);
    sqlite3_finalize (stmt);
  }
  /* A page size change is refused. */
  ck_assert (!jc_vfs_exec (db, "PRAGMA page_size=8192", &error));
  ck_assert_ptr_nonnull (strstr (error->message, "fixed"));
  jc_vfs_close (db);
  assert_no_markers (dir);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_wrong_key_and_not_a_vault)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-key");
  g_autofree char *path = NULL;
  g_autofree char *plain = g_build_filename (dir, "plain.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);
  g_autoptr(GError) error = NULL;
  guint8 wrong[JC_VFS_KEY_BYTES];
  sqlite3 *db = make_db (dir, 10, &path);

  jc_vfs_close (db);
  memcpy (wrong, test_key, sizeof wrong);
  wrong[31] ^= 1;
  db = NULL;
  ck_assert (!jc_vfs_open (path, wrong, FALSE, &db, &error));
  ck_assert_ptr_null (db);
  ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_WRONG_KEY), "%s", error->message);
  ck_assert_ptr_nonnull (strstr (error->message, "jiancha.db"));
  ck_assert_ptr_nonnull (strstr (error->message, "wrong key"));
  g_clear_error (&error);

  /* A plain SQLite database is not opened (nor written to). */
  {
    sqlite3 *p = NULL;

    ck_assert (sqlite3_open (plain, &p) == SQLITE_OK);
    ck_assert (sqlite3_exec (p, "CREATE TABLE x (a)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close (p);
  }
  ck_assert (!jc_vfs_open (plain, test_key, TRUE, &db, &error));
  ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_VAULT), "%s", error->message);
  g_clear_error (&error);

  ck_assert (!jc_vfs_open (missing, test_key, FALSE, &db, &error));
  ck_assert (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_NOT_FOUND));
  ck_assert (!g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* The right key still opens it. */
  db = open_ok (path, FALSE);
  ck_assert (scan_all (db, NULL, NULL, &error));
  jc_vfs_close (db);
  jc_test_rmtree (dir);
}
END_TEST

/* Opens @path and scans it: TRUE when everything succeeded (rows counted
 * into @count), FALSE with @error otherwise. */
static gboolean
open_and_scan (const char *path, gint64 *count, GError **error)
{
  sqlite3 *db = NULL;
  gboolean ok;

  if (!jc_vfs_open (path, test_key, FALSE, &db, error))
    return FALSE;
  ok = scan_all (db, count, NULL, error);
  jc_vfs_close (db);
  return ok;
}

START_TEST (test_flip_db_bytes)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-flip");
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *orig = NULL;
  gsize len;
  guint pages;
  int cases = 0;
  sqlite3 *db = make_db (dir, 120, &path);

  jc_vfs_close (db);   /* checkpointed: everything in the db file */
  wal = g_strconcat (path, "-wal", NULL);
  ck_assert (!g_file_test (wal, G_FILE_TEST_EXISTS));
  orig = jc_test_read (path, &len);
  ck_assert_int_eq (len % JC_VFS_PAGE_SIZE, 0);
  pages = len / JC_VFS_PAGE_SIZE;
  ck_assert_uint_ge (pages, 8);

  for (guint p = 1; p <= pages; p++)
    {
      const gsize body = JC_VFS_PAGE_SIZE - JC_VFS_RESERVE;
      const gsize pos[] = { 0, 2, 5, 13, 16, 20, 23, 24, 300, 2000, body - 1, body, body + 23,
                            body + 24, JC_VFS_PAGE_SIZE - 1 };

      for (guint k = 0; k < G_N_ELEMENTS (pos); k++)
        {
          g_autofree char *data = g_memdup2 (orig, len);
          g_autoptr(GError) error = NULL;
          g_autofree char *want = g_strdup_printf ("page %u ", p);
          gsize at = (gsize) (p - 1) * JC_VFS_PAGE_SIZE + pos[k];

          if (p > 1 && pos[k] < 24 && pos[k] != 0 && pos[k] != 13)
            continue;
          data[at] ^= 0x01 << (k % 8);
          write_file (path, data, len);
          ck_assert_msg (!open_and_scan (path, NULL, &error),
                         "flip at page %u offset %zu went unnoticed", p, pos[k]);
          ck_assert_msg (error->domain == JC_VFS_ERROR, "%s", error->message);
          ck_assert_msg (strstr (error->message, "jiancha.db") != NULL, "%s", error->message);
          if (p > 1 || pos[k] >= 24)
            ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH)
                           && strstr (error->message, want) != NULL,
                           "flip at page %u offset %zu: %s", p, pos[k], error->message);
          cases++;
        }
    }
  ck_assert_int_gt (cases, 40);
  write_file (path, orig, len);
  {
    g_autoptr(GError) error = NULL;
    gint64 count = 0;

    ck_assert_msg (open_and_scan (path, &count, &error), "%s", error ? error->message : "?");
    ck_assert_int_eq (count, 120);
  }
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_swap_and_move_pages)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-swap");
  g_autofree char *path = NULL;
  g_autofree char *orig = NULL;
  gsize len;
  const gsize P = JC_VFS_PAGE_SIZE;
  sqlite3 *db = make_db (dir, 120, &path);

  jc_vfs_close (db);
  orig = jc_test_read (path, &len);

  for (guint a = 2; a + 1 <= len / P; a += 3)
    {
      g_autofree char *data = g_memdup2 (orig, len);
      g_autoptr(GError) error = NULL;
      guint b = a + 1;

      memcpy (data + (a - 1) * P, orig + (b - 1) * P, P);
      memcpy (data + (b - 1) * P, orig + (a - 1) * P, P);
      write_file (path, data, len);
      ck_assert_msg (!open_and_scan (path, NULL, &error), "swap of pages %u and %u unnoticed", a, b);
      ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH), "%s", error->message);
      ck_assert_msg (strstr (error->message, "failed authentication") != NULL, "%s", error->message);
    }
  /* A page copied over another (a replay to another place). */
  {
    g_autofree char *data = g_memdup2 (orig, len);
    g_autoptr(GError) error = NULL;

    memcpy (data + 3 * P, orig + 2 * P, P);
    write_file (path, data, len);
    ck_assert (!open_and_scan (path, NULL, &error));
    ck_assert_msg (strstr (error->message, "page 4 failed authentication") != NULL, "%s", error->message);
  }
  /* The last page cut off, or cut in half: never a silent loss. */
  for (gsize cut = P / 2; cut <= P; cut += P / 2)
    {
      g_autoptr(GError) error = NULL;

      write_file (path, orig, len - cut);
      ck_assert_msg (!open_and_scan (path, NULL, &error), "truncation by %zu bytes unnoticed", cut);
      ck_assert_msg (error->domain == JC_VFS_ERROR, "%s", error->message);
    }
  jc_test_rmtree (dir);
}
END_TEST

/* A db whose data after the schema lives only in the WAL: @txns
 * transactions of @per rows each, closed without a checkpoint. */
static void
make_wal_only (const char *dir, int txns, int per, char **out_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = NULL;
  sqlite3 *db = make_db (dir, 1, out_path);

  jc_vfs_close (db);
  db = open_ok (*out_path, FALSE);
  ck_assert (sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) == SQLITE_OK);
  exec_ok (db, "PRAGMA wal_autocheckpoint=0");
  for (int i = 0; i < txns; i++)
    ck_assert_msg (commit_rows (db, 2 + (gint64) i * per, per, &error), "%s", error ? error->message : "?");
  jc_vfs_close (db);
  wal = g_strconcat (*out_path, "-wal", NULL);
  ck_assert (g_file_test (wal, G_FILE_TEST_EXISTS));
}

START_TEST (test_flip_wal_bytes)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-walflip");
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autofree char *db_orig = NULL;
  g_autofree char *wal_orig = NULL;
  gsize db_len, wal_len;
  guint frames;
  int detected = 0, truncated = 0;
  const int txns = 6, per = 12;

  make_wal_only (dir, txns, per, &path);
  wal = g_strconcat (path, "-wal", NULL);
  shm = g_strconcat (path, "-shm", NULL);
  db_orig = jc_test_read (path, &db_len);
  wal_orig = jc_test_read (wal, &wal_len);
  ck_assert_int_eq ((wal_len - 32) % FRAME, 0);
  frames = (wal_len - 32) / FRAME;
  ck_assert_uint_ge (frames, 6);
  assert_no_markers (dir);

  /* Unchanged, everything is there (recovered from the WAL). */
  {
    g_autoptr(GError) error = NULL;
    gint64 count = 0;

    g_unlink (shm);
    ck_assert_msg (open_and_scan (path, &count, &error), "%s", error ? error->message : "?");
    ck_assert_int_eq (count, 1 + txns * per);
    write_file (path, db_orig, db_len);
    write_file (wal, wal_orig, wal_len);
  }

  /* Any byte of the WAL header: SQLite would drop the whole log. */
  for (guint at = 0; at < 32; at++)
    {
      g_autofree char *data = g_memdup2 (wal_orig, wal_len);
      g_autoptr(GError) error = NULL;

      data[at] ^= 0x10;
      write_file (path, db_orig, db_len);
      write_file (wal, data, wal_len);
      g_unlink (shm);
      ck_assert_msg (!open_and_scan (path, NULL, &error), "flip at WAL header byte %u unnoticed", at);
      ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH)
                     && strstr (error->message, "jiancha.db-wal: the WAL header") != NULL,
                     "flip at WAL header byte %u: %s", at, error->message);
    }

  for (guint i = 0; i < frames; i++)
    {
      const gsize body = JC_VFS_PAGE_SIZE - JC_VFS_RESERVE;
      /* page number, commit size, salt, checksum, then the page image:
       * body, nonce, tag */
      const gsize pos[] = { 3, 7, 9, 17, 24, 24 + 1000, 24 + body - 1, 24 + body + 5,
                            24 + body + 30 };

      for (guint k = 0; k < G_N_ELEMENTS (pos); k++)
        {
          g_autofree char *data = g_memdup2 (wal_orig, wal_len);
          g_autoptr(GError) error = NULL;
          gsize at = 32 + (gsize) i * FRAME + pos[k];
          gint64 count = -1;
          gboolean in_image = pos[k] >= 24 || pos[k] == 3 || pos[k] == 7;

          data[at] ^= 0x04;
          write_file (path, db_orig, db_len);
          write_file (wal, data, wal_len);
          g_unlink (shm);
          if (!open_and_scan (path, &count, &error))
            {
              g_autofree char *want = g_strdup_printf ("WAL frame %u)", i + 1);

              ck_assert_msg (g_error_matches (error, JC_VFS_ERROR, JC_VFS_ERROR_AUTH)
                             && strstr (error->message, "jiancha.db-wal: page ") != NULL
                             && strstr (error->message, want) != NULL,
                             "flip at frame %u offset %zu: %s", i + 1, pos[k], error->message);
              detected++;
              continue;
            }
          /* Not an error: SQLite ended the log before this frame, as it
           * does for a torn write. The content must be a committed prefix
           * (scan_all checked every row), and an altered page image is only
           * taken for a torn tail when it is the last frame. */
          ck_assert_msg ((count - 1) % per == 0 && count < 1 + txns * per,
                         "flip at frame %u offset %zu: %" G_GINT64_FORMAT " rows", i + 1, pos[k], count);
          ck_assert_msg (!in_image || i + 1 == frames,
                         "flip in the page image of frame %u/%u (offset %zu) went unnoticed",
                         i + 1, frames, pos[k]);
          truncated++;
        }
    }
  g_print ("WAL flips: %d detected as failed authentication, %d ended the log early "
           "(frame header salt/checksum, or the last frame)\n", detected, truncated);
  ck_assert_int_gt (detected, (int) frames * 5);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_two_connections)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-two");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *a = make_db (dir, 10, &path);
  sqlite3 *b = open_ok (path, FALSE);
  gint64 count = 0, max = 0;

  /* b sees what a commits (through the shared WAL index), and the other
   * way round, with a checkpoint in between. */
  ck_assert (commit_rows (a, 11, 30, &error));
  ck_assert_msg (scan_all (b, &count, &max, &error), "%s", error ? error->message : "?");
  ck_assert_int_eq (count, 40);
  ck_assert (commit_rows (b, 41, 30, &error));
  exec_ok (a, "PRAGMA wal_checkpoint(TRUNCATE)");
  ck_assert (commit_rows (a, 71, 5, &error));
  ck_assert_msg (scan_all (b, &count, &max, &error), "%s", error ? error->message : "?");
  ck_assert_int_eq (count, 75);
  jc_vfs_close (a);
  jc_vfs_close (b);
  a = open_ok (path, FALSE);
  ck_assert (scan_all (a, &count, &max, &error));
  ck_assert_int_eq (count, 75);
  jc_vfs_close (a);
  assert_no_markers (dir);
  jc_test_rmtree (dir);
}
END_TEST

typedef struct {
  const char *path;
  gint64      first;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  gboolean ok;

  if (!jc_vfs_open (w->path, test_key, FALSE, &db, &error))
    return g_strdup (error->message);
  for (int i = 0; i < 40; i++)
    {
      ok = commit_rows (db, w->first + i * 2, 2, &error);
      if (!ok)
        {
          jc_vfs_close (db);
          return g_strdup (error->message);
        }
    }
  jc_vfs_close (db);
  return NULL;
}

START_TEST (test_threads)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-threads");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = make_db (dir, 0, &path);
  Writer w[3];
  GThread *t[3];
  gint64 count = 0, max = 0;

  /* Connections in several threads write at once (busy_timeout lets them
   * wait for each other) while this one reads. */
  for (int i = 0; i < 3; i++)
    {
      w[i].path = path;
      w[i].first = 1 + i * 1000;
      t[i] = g_thread_new ("writer", writer_thread, &w[i]);
    }
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *msg = NULL;

      ck_assert (scan_all (db, NULL, NULL, &error));
      msg = g_thread_join (t[i]);
      ck_assert_msg (msg == NULL, "writer %d: %s", i, msg);
    }
  ck_assert (scan_all (db, &count, &max, &error));
  ck_assert_int_eq (count, 3 * 80);
  jc_vfs_close (db);
  jc_test_rmtree (dir);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Crash: a child commits and reports, the parent kills it.                 */

static void G_GNUC_NORETURN
crash_child (const char *path, int fd)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 next = 1;

  if (!jc_vfs_open (path, test_key, FALSE, &db, &error))
    _exit (3);
  {
    /* Small and varied checkpoint intervals: kills also land inside
     * checkpoints and WAL restarts, leaving stale frames behind. */
    g_autofree char *sql = g_strdup_printf ("PRAGMA wal_autocheckpoint=%d", g_random_int_range (4, 200));

    if (!jc_vfs_exec (db, sql, &error))
      _exit (7);
  }
  if (sqlite3_prepare_v2 (db, "SELECT coalesce(max(id), 0) + 1 FROM t", -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW)
    _exit (4);
  next = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  for (;;)
    {
      int n = 1 + (int) (next % 4);

      if (!commit_rows (db, next, n, &error))
        _exit (5);
      next += n;
      {
        gint64 last = next - 1;

        if (write (fd, &last, sizeof last) != sizeof last)
          _exit (6);
      }
    }
}

START_TEST (test_crash_recovery)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-crash");
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  sqlite3 *db = make_db (dir, 0, &path);
  gint64 committed = 0;
  int with_wal = 0;
  const int rounds = 60;

  jc_vfs_close (db);
  wal = g_strconcat (path, "-wal", NULL);
  for (int r = 0; r < rounds; r++)
    {
      g_autoptr(GError) error = NULL;
      int fds[2];
      pid_t pid;
      int status;
      gint64 id;
      gint64 count = 0, max = 0;
      struct pollfd pfd;
      gint64 deadline;

      ck_assert (pipe (fds) == 0);
      pid = fork ();
      ck_assert (pid >= 0);
      if (pid == 0)
        {
          close (fds[0]);
          crash_child (path, fds[1]);
        }
      close (fds[1]);
      /* Kill at a random moment: 0–40 ms after the child's first commit
       * (however slow its start, e.g. under a sanitizer), sometimes right
       * after a commit was reported, sometimes mid-transaction. */
      pfd.fd = fds[0];
      pfd.events = POLLIN;
      if (poll (&pfd, 1, 10000) > 0 && read (fds[0], &id, sizeof id) == sizeof id)
        committed = MAX (committed, id);
      deadline = g_get_monotonic_time () + g_random_int_range (0, 40000);
      while (g_get_monotonic_time () < deadline)
        {
          if (poll (&pfd, 1, 1) > 0)
            {
              if (read (fds[0], &id, sizeof id) != sizeof id)
                break;
              committed = MAX (committed, id);
            }
        }
      kill (pid, SIGKILL);
      ck_assert (waitpid (pid, &status, 0) == pid);
      ck_assert_msg (WIFSIGNALED (status), "child exited by itself (status %d)", WEXITSTATUS (status));
      while (read (fds[0], &id, sizeof id) == sizeof id)
        committed = MAX (committed, id);
      close (fds[0]);

      if (g_file_test (wal, G_FILE_TEST_EXISTS))
        {
          GStatBuf st;

          if (g_stat (wal, &st) == 0 && st.st_size > 32)
            with_wal++;
        }
      /* Recovery: every reported commit is there, intact. Most rounds
       * leave the WAL as it is (no checkpoint on close), so later rounds
       * recover logs with stale frames from earlier crashes. */
      db = open_ok (path, FALSE);
      if (r % 10 != 9)
        ck_assert (sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) == SQLITE_OK);
      ck_assert_msg (scan_all (db, &count, &max, &error), "round %d: %s", r, error ? error->message : "?");
      ck_assert_msg (max >= committed, "round %d: reported %" G_GINT64_FORMAT ", found %" G_GINT64_FORMAT,
                     r, committed, max);
      ck_assert_int_eq (count, max);   /* ids 1..max, no gap */
      committed = max;
      jc_vfs_close (db);
    }
  g_print ("crash: %d rounds, %" G_GINT64_FORMAT " rows committed, %d recoveries from a non-empty WAL\n",
           rounds, committed, with_wal);
  ck_assert_int_gt (committed, 0);
  ck_assert_int_gt (with_wal, rounds / 2);
  assert_no_markers (dir);
  jc_test_rmtree (dir);
}
END_TEST

/* ---------------------------------------------------------------------- */

START_TEST (test_full_disk)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-full");
  g_autofree char *path = NULL;
  sqlite3 *db = make_db (dir, 50, &path);
  int fds[2];
  pid_t pid;
  int status;
  gint64 reported = 0, id, count = 0, max = 0;
  g_autoptr(GError) error = NULL;

  jc_vfs_close (db);
  ck_assert (pipe (fds) == 0);
  pid = fork ();
  ck_assert (pid >= 0);
  if (pid == 0)
    {
      struct rlimit rl = { 300 * 1024, 300 * 1024 };
      gint64 next = 51;
      g_autoptr(GError) err = NULL;

      close (fds[0]);
      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &rl) != 0)
        _exit (10);
      if (!jc_vfs_open (path, test_key, FALSE, &db, &err))
        _exit (11);
      exec_ok (db, "PRAGMA wal_autocheckpoint=0");
      for (int i = 0; i < 1000; i++)
        {
          if (!commit_rows (db, next, 20, &err))
            {
              /* The failure is a clear "disk full"; what was committed
               * before is still readable in this very connection. */
              if (!g_error_matches (err, JC_VFS_ERROR, JC_VFS_ERROR_FULL))
                _exit (12);
              g_clear_error (&err);
              if (!scan_all (db, &count, &max, &err) || max != next - 1)
                _exit (13);
              _exit (0);
            }
          next += 20;
          if (write (fds[1], &next, sizeof next) != sizeof next)
            _exit (14);
        }
      _exit (15);   /* the limit never hit */
    }
  close (fds[1]);
  ck_assert (waitpid (pid, &status, 0) == pid);
  while (read (fds[0], &id, sizeof id) == sizeof id)
    reported = id - 1;
  close (fds[0]);
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0,
                 "child status %d", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  ck_assert_int_gt (reported, 50);

  db = open_ok (path, FALSE);
  ck_assert_msg (scan_all (db, &count, &max, &error), "%s", error ? error->message : "?");
  ck_assert_int_eq (max, reported);
  ck_assert_int_eq (count, reported);
  /* And it takes writes again once there is room. */
  ck_assert (commit_rows (db, reported + 1, 5, &error));
  jc_vfs_close (db);
  jc_test_rmtree (dir);
}
END_TEST

START_TEST (test_temp_files_refused)
{
  g_autofree char *dir = jc_test_tmpdir ("vfs-temp");
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = make_db (dir, 3000, &path);
  sqlite3 *other = NULL;
  sqlite3_vfs *vfs = sqlite3_vfs_find (JC_VFS_NAME);
  sqlite3_stmt *stmt;
  sqlite3_file *file;
  const int kinds[] = { SQLITE_OPEN_TEMP_DB, SQLITE_OPEN_TEMP_JOURNAL, SQLITE_OPEN_TRANSIENT_DB,
                        SQLITE_OPEN_SUBJOURNAL, SQLITE_OPEN_MAIN_JOURNAL, SQLITE_OPEN_SUPER_JOURNAL };
  int n = 0;

  /* Sorting and temp tables work, in memory. */
  exec_ok (db, "CREATE TEMP TABLE scratch AS SELECT id, note FROM t");
  ck_assert (sqlite3_prepare_v2 (db, "SELECT note FROM t ORDER BY substr(note, 20) DESC, random()",
                                 -1, &stmt, NULL) == SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    n++;
  ck_assert_int_eq (sqlite3_finalize (stmt), SQLITE_OK);
  ck_assert_int_eq (n, 3000);
  assert_no_markers (dir);

  /* The VFS itself opens no temp file, journal or transient db. */
  ck_assert_ptr_nonnull (vfs);
  file = g_malloc0 (vfs->szOsFile);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_build_filename (dir, "x-journal", NULL);
      int out = 0;
      int rc = vfs->xOpen (vfs, i % 2 ? name : NULL, file,
                           kinds[i] | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           | SQLITE_OPEN_DELETEONCLOSE, &out);

      ck_assert_int_eq (rc, SQLITE_CANTOPEN);
      ck_assert_ptr_null (file->pMethods);
    }
  g_free (file);

  /* Nor a database without a key. */
  uri = g_strdup_printf ("file:%s/nokey.db", dir);
  ck_assert (sqlite3_open_v2 (uri, &other, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                              JC_VFS_NAME) != SQLITE_OK);
  sqlite3_close (other);
  other = NULL;
  ck_assert (sqlite3_open_v2 ("", &other, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, JC_VFS_NAME) == SQLITE_OK);
  ck_assert (sqlite3_exec (other, "PRAGMA temp_store=FILE; PRAGMA cache_size=2; CREATE TABLE a(x);"
                           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<20000)"
                           " INSERT INTO a SELECT randomblob(200) FROM c;", NULL, NULL, NULL) != SQLITE_OK);
  sqlite3_close (other);
  g_free (uri);
  uri = g_build_filename (dir, "nokey.db", NULL);
  ck_assert (!g_file_test (uri, G_FILE_TEST_EXISTS));

  /* Leaving WAL mode would need a rollback journal: refused, no harm. */
  ck_assert (!jc_vfs_exec (db, "PRAGMA journal_mode=DELETE", &error));
  g_clear_error (&error);
  jc_vfs_close (db);
  db = open_ok (path, FALSE);
  ck_assert (scan_all (db, NULL, NULL, &error));
  jc_vfs_close (db);
  assert_no_markers (dir);
  jc_test_rmtree (dir);
}
END_TEST

static Suite *
vfs_suite (void)
{
  Suite *s = suite_create ("vfs");
  TCase *tc = tcase_create ("vfs");

  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_round_trip_no_plaintext);
  tcase_add_test (tc, test_wrong_key_and_not_a_vault);
  tcase_add_test (tc, test_flip_db_bytes);
  tcase_add_test (tc, test_swap_and_move_pages);
  tcase_add_test (tc, test_flip_wal_bytes);
  tcase_add_test (tc, test_two_connections);
  tcase_add_test (tc, test_threads);
  tcase_add_test (tc, test_crash_recovery);
  tcase_add_test (tc, test_full_disk);
  tcase_add_test (tc, test_temp_files_refused);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return jc_test_run (vfs_suite ());
}
