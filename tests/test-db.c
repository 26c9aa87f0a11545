/* test-db.c — jc-db.h, the storage interface, on SQLite and on PostgreSQL
 *
 * The same checks on both engines: on SQLite always, on PostgreSQL under
 * tests/with-postgresql (the db-postgresql test). What the event log and
 * HQ rely on: values of every type round trip, constraint failures say so,
 * SQLite's savepoints work as SQLite's, RETURNING, column names before the
 * first step; and the PostgreSQL backend's rewriting of SQLite's words.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "jc-core.h"
#include "jc-db-pg.h"
#include "jc-hq-store.h"
#include "jc-test.h"

static JcDb *
open_engine (void)
{
  g_autofree char *url = jc_test_hq_db_url ();
  g_autoptr(GError) error = NULL;
  sqlite3 *sdb = NULL;
  JcDb *db;

  if (url != NULL)
    {
      db = jc_db_pg_open (url, &error);
      ck_assert_msg (db != NULL, "%s", error ? error->message : "");
      return db;
    }
  {
    g_autofree char *dir = jc_test_tmpdir ("db");
    g_autofree char *path = g_build_filename (dir, "t.db", NULL);

    ck_assert_int_eq (sqlite3_open (path, &sdb), SQLITE_OK);
  }
  return jc_db_new_sqlite (sdb, TRUE);
}

static void
exec_ok (JcDb *db, const char *sql)
{
  ck_assert_msg (jc_db_exec (db, sql) == JC_DB_OK, "%s: %s", sql, jc_db_errmsg (db));
}

static gint64
int_of (JcDb *db, const char *sql)
{
  JcDbStmt *stmt = NULL;
  gint64 v;

  ck_assert_msg (jc_db_prepare (db, sql, -1, &stmt, NULL) == JC_DB_OK, "%s", jc_db_errmsg (db));
  ck_assert_msg (jc_db_step (stmt) == JC_DB_ROW, "%s: %s", sql, jc_db_errmsg (db));
  v = jc_db_column_int64 (stmt, 0);
  jc_db_finalize (stmt);
  return v;
}

static const char schema[] =
  "CREATE TABLE t ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  n INTEGER,"
  "  x REAL,"
  "  data BLOB,"
  "  user TEXT);"
  "PRAGMA journal_mode=WAL;";

START_TEST (test_values_round_trip)
{
  g_autoptr(JcDb) db = open_engine ();
  static const guint8 blob[] = { 0, 1, 2, 0xff, 0, '\\', 'x' };
  JcDbStmt *stmt = NULL;
  gint64 id = 0;

  exec_ok (db, schema);
  ck_assert_int_eq (jc_db_prepare (db, "INSERT INTO t (name, n, x, data, user) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                   -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_text (stmt, 1, "王芳 “引号” 'x' ?", -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 2, G_MININT64 + 1);
  jc_db_bind_double (stmt, 3, 1234.5);
  jc_db_bind_blob (stmt, 4, blob, sizeof blob, JC_DB_STATIC);
  jc_db_bind_null (stmt, 5);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  id = jc_db_column_int64 (stmt, 0);
  ck_assert_int_gt (id, 0);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_DONE);
  jc_db_finalize (stmt);
  ck_assert_int_eq (jc_db_changes (db), 1);

  /* the columns are known before the first step, as SQLite knows them */
  ck_assert_int_eq (jc_db_prepare (db, "SELECT id, name, n, x, data, user, n IS NULL AS missing FROM t WHERE id = ?1",
                                   -1, &stmt, NULL), JC_DB_OK);
  ck_assert_int_eq (jc_db_column_count (stmt), 7);
  ck_assert_str_eq (jc_db_column_name (stmt, 4), "data");
  jc_db_bind_int64 (stmt, 1, id);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  ck_assert_int_eq (jc_db_column_type (stmt, 0), JC_DB_INTEGER);
  ck_assert_str_eq ((const char *) jc_db_column_text (stmt, 1), "王芳 “引号” 'x' ?");
  ck_assert_int_eq (jc_db_column_int64 (stmt, 2), G_MININT64 + 1);
  ck_assert (jc_db_column_double (stmt, 3) == 1234.5);
  ck_assert_int_eq (jc_db_column_type (stmt, 4), JC_DB_BLOB);
  ck_assert_int_eq (jc_db_column_bytes (stmt, 4), sizeof blob);
  ck_assert_mem_eq (jc_db_column_blob (stmt, 4), blob, sizeof blob);
  ck_assert_int_eq (jc_db_column_type (stmt, 5), JC_DB_NULL);
  ck_assert_ptr_null (jc_db_column_text (stmt, 5));
  ck_assert_int_eq (jc_db_column_int (stmt, 6), 0);  /* a comparison reads as 0 or 1 */
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_DONE);
  /* reset keeps the bindings */
  jc_db_reset (stmt);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  jc_db_finalize (stmt);

  /* a parameter that may be NULL, given its type by a cast */
  ck_assert_int_eq (jc_db_prepare (db, "SELECT count(*) FROM t WHERE CAST (?1 AS TEXT) IS NULL OR name = ?1",
                                   -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_null (stmt, 1);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_ROW);
  ck_assert_int_eq (jc_db_column_int64 (stmt, 0), 1);
  jc_db_finalize (stmt);
  ck_assert_int_eq (int_of (db, "SELECT sum (n - n + 2) FROM t"), 2);
}
END_TEST

START_TEST (test_constraints_and_savepoints)
{
  g_autoptr(JcDb) db = open_engine ();
  g_autoptr(GError) error = NULL;
  JcDbStmt *stmt = NULL;

  exec_ok (db, schema);
  exec_ok (db, "INSERT INTO t (name) VALUES ('a')");
  ck_assert_int_eq (jc_db_prepare (db, "INSERT INTO t (name) VALUES (?)", -1, &stmt, NULL), JC_DB_OK);
  jc_db_bind_text (stmt, 1, "a", -1, JC_DB_STATIC);
  ck_assert_int_eq (jc_db_step (stmt), JC_DB_CONSTRAINT);
  ck_assert_msg (*jc_db_errmsg (db) != '\0', "no message");
  jc_db_finalize (stmt);
  jc_db_set_error (db, JC_DB_CONSTRAINT, &error);
  ck_assert (error != NULL);
  g_clear_error (&error);
  /* ON CONFLICT, both ways */
  exec_ok (db, "INSERT INTO t (name, n) VALUES ('a', 1) ON CONFLICT DO NOTHING");
  ck_assert_int_eq (jc_db_changes (db), 0);
  exec_ok (db, "INSERT INTO t (name, n) VALUES ('a', 7) ON CONFLICT (name) DO UPDATE SET n = excluded.n");
  ck_assert_int_eq (int_of (db, "SELECT n FROM t WHERE name = 'a'"), 7);

  /* a SAVEPOINT outside a transaction starts one; its RELEASE commits */
  ck_assert (jc_db_get_autocommit (db));
  exec_ok (db, "SAVEPOINT outer_sp");
  ck_assert (!jc_db_get_autocommit (db));
  exec_ok (db, "INSERT INTO t (name) VALUES ('b')");
  exec_ok (db, "SAVEPOINT inner_sp");
  exec_ok (db, "INSERT INTO t (name) VALUES ('c')");
  exec_ok (db, "ROLLBACK TO inner_sp; RELEASE inner_sp");
  ck_assert (!jc_db_get_autocommit (db));
  exec_ok (db, "RELEASE outer_sp");
  ck_assert (jc_db_get_autocommit (db));
  ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t"), 2);

  /* a failed statement inside a transaction, then COMMIT: SQLite keeps
   * what succeeded; PostgreSQL has aborted the transaction, and the COMMIT
   * says so instead of answering with a quiet rollback */
  exec_ok (db, "BEGIN IMMEDIATE");
  exec_ok (db, "INSERT INTO t (name) VALUES ('e')");
  ck_assert_int_eq (jc_db_exec (db, "INSERT INTO t (name) VALUES ('a')"), JC_DB_CONSTRAINT);
  if (jc_db_get_dialect (db) == JC_DB_DIALECT_POSTGRESQL)
    {
      ck_assert_int_ne (jc_db_exec (db, "COMMIT"), JC_DB_OK);
      ck_assert_msg (strstr (jc_db_errmsg (db), "rolled back"), "%s", jc_db_errmsg (db));
      ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t"), 2);
    }
  else
    {
      exec_ok (db, "COMMIT");
      exec_ok (db, "DELETE FROM t WHERE name = 'e'");
    }
  ck_assert (jc_db_get_autocommit (db));

  /* a failed statement inside a transaction, then the caller's rollback */
  exec_ok (db, "BEGIN IMMEDIATE");
  exec_ok (db, "INSERT INTO t (name) VALUES ('d')");
  ck_assert_int_eq (jc_db_exec (db, "INSERT INTO t (name) VALUES ('a')"), JC_DB_CONSTRAINT);
  exec_ok (db, "ROLLBACK");
  ck_assert (jc_db_get_autocommit (db));
  ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t"), 2);
}
END_TEST

/* The PostgreSQL backend's rewriting of SQLite's words (no server needed). */
/* A statement finalized is kept and handed out again for the same SQL:
 * reused, it is as new (at its first row, no parameter bound), however
 * it was left, and any number of the same SQL can be open at once. */
START_TEST (test_statements_reused)
{
  g_autoptr(JcDb) db = open_engine ();
  static const char by_n[] = "SELECT name FROM t WHERE n >= ? ORDER BY n";
  static const char two[] = "SELECT count(*) FROM t;  SELECT 2";
  JcDbStmt *a = NULL, *b = NULL;
  const char *tail = NULL;
  sqlite3 *raw = NULL;

  exec_ok (db, schema);
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO t (name, n) VALUES ('r%d', %d)", i, i);

      exec_ok (db, sql);
    }
  for (int round = 0; round < 3; round++)
    {
      /* left at its first row, with a parameter bound */
      ck_assert_int_eq (jc_db_prepare (db, by_n, -1, &a, NULL), JC_DB_OK);
      ck_assert_int_eq (jc_db_bind_int64 (a, 1, 2), JC_DB_OK);
      ck_assert_int_eq (jc_db_step (a), JC_DB_ROW);
      ck_assert_str_eq ((const char *) jc_db_column_text (a, 0), "r2");
      /* the same SQL, open beside it: unbound, so n >= NULL matches nothing */
      ck_assert_int_eq (jc_db_prepare (db, by_n, -1, &b, NULL), JC_DB_OK);
      ck_assert_int_eq (jc_db_step (b), JC_DB_DONE);
      jc_db_reset (b);
      ck_assert_int_eq (jc_db_bind_int64 (b, 1, 1), JC_DB_OK);
      ck_assert_int_eq (jc_db_step (b), JC_DB_ROW);
      ck_assert_str_eq ((const char *) jc_db_column_text (b, 0), "r1");
      jc_db_finalize (a);
      jc_db_finalize (b);
    }
  /* SQLite: the tail of SQL of two statements, found again */
  for (int round = 0; round < 2 && jc_db_get_dialect (db) == JC_DB_DIALECT_SQLITE; round++)
    {
      ck_assert_int_eq (jc_db_prepare (db, two, -1, &a, &tail), JC_DB_OK);
      ck_assert_ptr_eq (tail, two + strlen ("SELECT count(*) FROM t;"));
      ck_assert_int_eq (jc_db_step (a), JC_DB_ROW);
      ck_assert_int_eq (jc_db_column_int64 (a, 0), 3);
      jc_db_finalize (a);
    }
  /* more distinct statements than are kept */
  for (int i = 0; i < 600; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT %d + n FROM t WHERE name = 'r1'", i);

      ck_assert_int_eq (int_of (db, sql), i + 1);
    }
  ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t"), 3);
  /* other SQL at the address of SQL already run, and the same SQL at
   * another address */
  for (int i = 0; i < 50; i++)
    {
      char *sql = g_strdup_printf ("SELECT %d + %d", i % 2 ? 100 : 200, i);

      ck_assert_int_eq (int_of (db, sql), (i % 2 ? 100 : 200) + i);
      g_free (sql);
    }
  /* a statement kept across a change of the table it reads */
  ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t WHERE n > 1"), 2);
  exec_ok (db, "INSERT INTO t (name, n) VALUES ('r4', 4)");
  exec_ok (db, "ALTER TABLE t ADD COLUMN extra INTEGER");
  ck_assert_int_eq (int_of (db, "SELECT count(*) FROM t WHERE n > 1"), 3);

  /* SQLite: the connection closes after, with statements kept */
  raw = jc_db_get_sqlite (db);
  if (raw != NULL)
    {
      JcDb *borrowed = jc_db_new_sqlite (raw, FALSE);

      ck_assert_int_eq (int_of (borrowed, "SELECT count(*) FROM t"), 4);
      ck_assert_int_eq (int_of (borrowed, "SELECT max(n) FROM t"), 4);
      jc_db_free (borrowed);
    }
}
END_TEST

START_TEST (test_translation)
{
  static const struct { const char *sqlite, *postgresql; int n_params; } cases[] = {
    { "SELECT ? , ?, ?", "SELECT $1 , $2, $3", 3 },
    { "UPDATE t SET a = ?2 WHERE b = ?1 OR c = ?", "UPDATE t SET a = $2 WHERE b = $1 OR c = $3", 3 },
    { "SELECT '?', \"a?\", 'it''s ?' -- ?\n, ?", "SELECT '?', \"a?\", 'it''s ?' -- ?\n, $1", 1 },
    { "CREATE TABLE t (id INTEGER PRIMARY KEY, d BLOB, x REAL, n integer) WITHOUT ROWID;",
      "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, d BYTEA, x DOUBLE PRECISION, "
      "n BIGINT) ;", 0 },
    { "PRAGMA journal_mode=WAL;CREATE TABLE u (a TEXT);", "CREATE TABLE u (a TEXT);", 0 },
    { "BEGIN IMMEDIATE", "BEGIN IMMEDIATE", 0 },
    { "BEGIN DEFERRED", "BEGIN ", 0 },
    { "SELECT group_concat (code, char (31)) FROM x", "SELECT string_agg (code, chr (31)) FROM x", 0 },
    { "SELECT json_extract (f.record, '$.institution_code') FROM f",
      "SELECT ((f.record)::jsonb ->> 'institution_code') FROM f", 0 },
    { "SELECT json_extract (value, '$.a.b') FROM json_each (r, '$.items')",
      "SELECT ((value)::jsonb -> 'a' ->> 'b') FROM jsonb_array_elements ((r)::jsonb -> 'items')", 0 },
    { "SELECT user FROM hq_audit WHERE user = ?", "SELECT \"user\" FROM hq_audit WHERE \"user\" = $1", 1 },
    { "SELECT $$ ? $$", "SELECT $$ ? $$", 0 },
    { "SELECT integers, blobby FROM t", "SELECT integers, blobby FROM t", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int n = -1;
      g_autofree char *out = jc_db_pg_translate (cases[i].sqlite, &n);

      ck_assert_msg (strcmp (out, cases[i].postgresql) == 0, "%s\n  gave %s\n  not  %s", cases[i].sqlite, out,
                     cases[i].postgresql);
      ck_assert_int_eq (n, cases[i].n_params);
    }
}
END_TEST

START_TEST (test_bad_address)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = jc_test_tmpdir ("db-bad");
  g_autofree char *hqdir = g_build_filename (dir, "hq", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-socket-dir", NULL);
  g_autofree char *url = g_strdup_printf ("postgresql:///nothing?host=%s&user=postgres&connect_timeout=2", missing);
  JcDb *db = jc_db_pg_open (url, &error);

  ck_assert_ptr_null (db);
  ck_assert_msg (strstr (error->message, "PostgreSQL") && strstr (error->message, "no-such-socket-dir"), "%s",
                 error->message);
  g_clear_error (&error);
  /* init names the address it could not use and leaves no HQ behind */
  ck_assert (!jc_hq_store_init (hqdir, "mysql://x/y", &error));
  ck_assert_msg (strstr (error->message, "postgresql://") && strstr (error->message, "mysql://x/y"), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert (!jc_hq_store_init (hqdir, url, &error));
  ck_assert_msg (strstr (error->message, "PostgreSQL"), "%s", error->message);
  ck_assert_msg (!g_file_test (hqdir, G_FILE_TEST_EXISTS), "%s made by a failed init", hqdir);
}
END_TEST

static Suite *
db_suite (void)
{
  Suite *s = suite_create ("db");
  TCase *tc = tcase_create (g_getenv ("JIANCHA_TEST_PG_HOST") ? "postgresql" : "sqlite");

  tcase_add_test (tc, test_values_round_trip);
  tcase_add_test (tc, test_constraints_and_savepoints);
  tcase_add_test (tc, test_statements_reused);
  tcase_add_test (tc, test_translation);
  tcase_add_test (tc, test_bad_address);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!jc_core_init (&error))
    g_error ("%s", error->message);
  return jc_test_run (db_suite ());
}
