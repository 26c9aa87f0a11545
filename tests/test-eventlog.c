/* test-eventlog.c — the signed, hash-chained event log on real SQLite files */
#include "config.h"

#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jc-core.h"
#include "jc-test.h"

typedef struct {
  char       *dir;
  char       *path;
  sqlite3    *db;
  JcDb       *jdb;   /* db, for the log */
  JcEventlog *log;
} Fixture;

static sqlite3 *
open_db (const char *path)
{
  sqlite3 *db = NULL;

  ck_assert_int_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                                  NULL, NULL, NULL), SQLITE_OK);
  return db;
}

static void
fixture_open (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;

  if (f->dir == NULL)
    {
      f->dir = jc_test_tmpdir (name);
      f->path = g_build_filename (f->dir, "events.db", NULL);
    }
  f->db = open_db (f->path);
  f->jdb = jc_db_new_sqlite (f->db, FALSE);
  f->log = jc_eventlog_new (f->jdb, &error);
  ck_assert_msg (f->log != NULL, "jc_eventlog_new: %s", error ? error->message : "?");
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->log, jc_eventlog_free);
  g_clear_pointer (&f->jdb, jc_db_free);
  ck_assert_int_eq (sqlite3_close (f->db), SQLITE_OK);
  f->db = NULL;
}

static void
fixture_free (Fixture *f)
{
  if (f->log != NULL)
    fixture_close (f);
  jc_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static JcDevice *
device_new (guint8 fill)
{
  guint8 id[JC_DEVICE_ID_SIZE], seed[JC_DEVICE_SEED_SIZE];
  JcDevice *device;

  memset (id, fill, sizeof id);
  memset (seed, fill ^ 0x5a, sizeof seed);
  device = jc_device_new_from_seed (id, seed, NULL);
  ck_assert_ptr_nonnull (device);
  return device;
}

static void
append (Fixture        *f,
        const JcDevice *device,
        const char     *kind,
        const char     *body)
{
  g_autoptr(GError) error = NULL;

  ck_assert_msg (jc_eventlog_append (f->log, device, "张三", kind, body, NULL, &error),
                 "append: %s", error ? error->message : "?");
}

static void
append_n (Fixture        *f,
          const JcDevice *device,
          guint           n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"item\":\"%u.%u\",\"status\":\"%s\",\"n\":%u}",
                                               i / 10 + 1, i % 10, i % 3 ? "pass" : "fail", i);

      append (f, device, i % 4 == 0 ? "inspection.note" : "item.set", body);
    }
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  ck_assert_msg (sqlite3_exec (db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql, msg);
}

static gint64
count (sqlite3    *db,
       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* Every row of a query as text (blobs in hex), to compare tables exactly. */
static char *
dump (sqlite3    *db,
      const char *sql)
{
  GString *s = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          if (sqlite3_column_type (stmt, c) == SQLITE_BLOB)
            {
              g_autofree char *h = jc_device_hex (sqlite3_column_blob (stmt, c),
                                                  sqlite3_column_bytes (stmt, c));
              g_string_append_printf (s, "x'%s'|", h);
            }
          else
            g_string_append_printf (s, "%s|", (const char *) sqlite3_column_text (stmt, c));
        }
      g_string_append_c (s, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (s, FALSE);
}

static void
assert_verify_fails (Fixture    *f,
                     int         code,
                     const char *device_hex,
                     guint64     seq,
                     const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *where = g_strdup_printf ("event %" G_GUINT64_FORMAT " of device %s", seq, device_hex);

  ck_assert_msg (!jc_eventlog_verify (f->log, &error), "tampered log verified (%s)", what);
  ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, code), "code %d, message: %s",
                 error->code, error->message);
  ck_assert_msg (strstr (error->message, where) != NULL, "'%s' does not name '%s'", error->message, where);
  ck_assert_msg (strstr (error->message, what) != NULL, "'%s' does not say '%s'", error->message, what);
}

/* Append ------------------------------------------------------------------ */

START_TEST (test_append_chains_and_persists)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) device = device_new (0xa1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) e1 = NULL;
  g_autoptr(JcEvent) e2 = NULL;
  guint8 head_hash[32];
  guint64 head_seq;

  fixture_open (&f, "eventlog-append");
  ck_assert (jc_eventlog_append (f.log, device, "张三", "inspection.create",
                                 "{\"institution\":\"H001\"}", &e1, &error));
  ck_assert (jc_eventlog_append (f.log, device, "张三", "item.set",
                                 "{\"item\":\"1.1\",\"status\":\"fail\"}", &e2, &error));
  ck_assert_uint_eq (jc_event_get_seq (e1), 1);
  ck_assert_uint_eq (jc_event_get_seq (e2), 2);
  ck_assert_mem_eq (jc_event_get_prev_hash (e2), jc_event_get_hash (e1), 32);
  ck_assert (jc_event_verify (e2, jc_device_get_public_key (device), &error));
  ck_assert_int_eq (jc_event_get_hq_time (e1), 0);
  ck_assert_int_ge (jc_event_get_wall_time (e2), jc_event_get_wall_time (e1) - G_USEC_PER_SEC);

  /* committed: another connection sees both */
  fixture_close (&f);
  fixture_open (&f, NULL);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 2);
  ck_assert (jc_eventlog_get_head (f.log, jc_device_get_id (device), &head_seq, head_hash, &error));
  ck_assert_uint_eq (head_seq, 2);
  ck_assert_mem_eq (head_hash, jc_event_get_hash (e2), 32);
  ck_assert (jc_eventlog_verify (f.log, &error));

  /* the audit projection saw them */
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM audit"), 2);
  {
    g_autofree char *rows = dump (f.db, "SELECT seq, inspector, kind, summary FROM audit ORDER BY seq");

    ck_assert_str_eq (rows, "1|张三|inspection.create|institution=H001|\n"
                            "2|张三|item.set|item=1.1, status=fail|\n");
  }
  fixture_free (&f);
}
END_TEST

START_TEST (test_append_refuses_bad_input_and_keeps_nothing)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) device = device_new (0xa2);
  g_autoptr(GError) error = NULL;

  fixture_open (&f, "eventlog-bad");
  append (&f, device, "item.set", "{}");
  ck_assert (!jc_eventlog_append (f.log, device, "张三", "item.set", "[1]", NULL, &error));
  ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!jc_eventlog_append (f.log, device, "张三", "NOT A KIND", "{}", NULL, &error));
  g_clear_error (&error);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 1);
  ck_assert (sqlite3_get_autocommit (f.db));
  append (&f, device, "item.set", "{}");
  ck_assert_int_eq (count (f.db, "SELECT max(seq) FROM events"), 2);
  ck_assert (jc_eventlog_verify (f.log, &error));

  /* the database refuses edits too (a guard against bugs) */
  ck_assert_int_ne (sqlite3_exec (f.db, "UPDATE events SET kind = 'x'", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne (sqlite3_exec (f.db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 2);
  fixture_free (&f);
}
END_TEST

START_TEST (test_hq_time_is_recorded)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) device = device_new (0xa3);
  g_autoptr(GError) error = NULL;
  g_autoptr(JcEvent) event = NULL;

  fixture_open (&f, "eventlog-hq");
  ck_assert (jc_eventlog_set_hq_time (f.log, G_GINT64_CONSTANT (1700000000123456), &error));
  fixture_close (&f);
  fixture_open (&f, NULL);
  ck_assert_int_eq (jc_eventlog_get_hq_time (f.log), G_GINT64_CONSTANT (1700000000123456));
  ck_assert (jc_eventlog_append (f.log, device, "李四", "sync.done", "{}", &event, &error));
  ck_assert_int_eq (jc_event_get_hq_time (event), G_GINT64_CONSTANT (1700000000123456));
  fixture_free (&f);
}
END_TEST

START_TEST (test_batch_commit_and_rollback)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) device = device_new (0xa4);
  g_autoptr(GError) error = NULL;

  fixture_open (&f, "eventlog-batch");
  ck_assert (jc_eventlog_begin (f.log, &error));
  append_n (&f, device, 50);
  jc_eventlog_rollback (f.log);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 0);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM audit"), 0);

  ck_assert (jc_eventlog_begin (f.log, &error));
  append_n (&f, device, 50);
  /* a failing append inside a batch takes back only itself */
  ck_assert (!jc_eventlog_append (f.log, device, "x", "item.set", "nope", NULL, &error));
  g_clear_error (&error);
  append_n (&f, device, 10);
  ck_assert (jc_eventlog_commit (f.log, &error));
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 60);
  ck_assert_int_eq (count (f.db, "SELECT max(seq) FROM events"), 60);
  ck_assert (jc_eventlog_verify (f.log, &error));
  fixture_free (&f);
}
END_TEST

/* Verify ------------------------------------------------------------------ */

START_TEST (test_two_hundred_events_two_devices_verify)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = device_new (0xb1);
  g_autoptr(JcDevice) b = device_new (0xb2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) heads = NULL;
  g_autoptr(GPtrArray) after = NULL;

  fixture_open (&f, "eventlog-200");
  for (guint i = 0; i < 100; i++)
    {
      append_n (&f, a, 1);
      append_n (&f, b, 1);
    }
  ck_assert_msg (jc_eventlog_verify (f.log, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM events"), 200);

  heads = jc_eventlog_get_heads (f.log, &error);
  ck_assert_uint_eq (heads->len, 2);
  ck_assert_mem_eq (g_array_index (heads, JcEventlogCursor, 0).device_id, jc_device_get_id (a), 16);
  ck_assert_uint_eq (g_array_index (heads, JcEventlogCursor, 0).seq, 100);
  ck_assert_uint_eq (g_array_index (heads, JcEventlogCursor, 1).seq, 100);

  after = jc_eventlog_get_events_after (f.log, jc_device_get_id (b), 95, 0, &error);
  ck_assert_uint_eq (after->len, 5);
  for (guint i = 0; i < after->len; i++)
    {
      JcEvent *event = g_ptr_array_index (after, i);

      ck_assert_uint_eq (jc_event_get_seq (event), 96 + i);
      ck_assert_mem_eq (jc_event_get_device_id (event), jc_device_get_id (b), 16);
      ck_assert (jc_event_verify (event, jc_device_get_public_key (b), &error));
    }
  g_clear_pointer (&after, g_ptr_array_unref);
  after = jc_eventlog_get_events_after (f.log, jc_device_get_id (b), 10, 3, &error);
  ck_assert_uint_eq (after->len, 3);
  ck_assert_uint_eq (jc_event_get_seq (g_ptr_array_index (after, 2)), 13);
  fixture_free (&f);
}
END_TEST

/* A log of two devices × 10 events with the append-only triggers dropped, as
 * someone with the file (or a bug) could. */
static void
tamper_fixture (Fixture   *f,
                JcDevice **a,
                JcDevice **b)
{
  g_autoptr(GError) error = NULL;

  *a = device_new (0xc1);
  *b = device_new (0xc2);
  fixture_open (f, "eventlog-tamper");
  append_n (f, *a, 10);
  append_n (f, *b, 10);
  ck_assert (jc_eventlog_verify (f->log, &error));
  exec_ok (f->db, "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;");
}

static JcEvent *
stored_event (Fixture        *f,
              const JcDevice *device,
              guint64         seq)
{
  g_autoptr(GPtrArray) events = jc_eventlog_get_events_after (f->log, jc_device_get_id (device),
                                                               seq - 1, 1, NULL);

  ck_assert_uint_eq (events->len, 1);
  return jc_event_ref (g_ptr_array_index (events, 0));
}

static void
replace_row (Fixture      *f,
             const guint8 *device_id,
             guint64       seq,
             const JcEvent *event,
             gboolean      new_hash,
             const guint8 *signature)
{
  sqlite3_stmt *stmt = NULL;
  gsize len;
  const guint8 *encoded = jc_event_get_encoded (event, &len);

  ck_assert_int_eq (sqlite3_prepare_v2 (f->db, new_hash
                                        ? "UPDATE events SET encoded = ?1, signature = ?2, hash = ?5 "
                                          "WHERE device_id = ?3 AND seq = ?4"
                                        : "UPDATE events SET encoded = ?1, signature = ?2 "
                                          "WHERE device_id = ?3 AND seq = ?4", -1, &stmt, NULL), SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, encoded, len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, signature, 64, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, device_id, 16, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, seq);
  if (new_hash)
    sqlite3_bind_blob (stmt, 5, jc_event_get_hash (event), 32, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_DONE);
  ck_assert_int_eq (sqlite3_changes (f->db), 1);
  sqlite3_finalize (stmt);
}

START_TEST (test_verify_detects_reordered)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = NULL;
  g_autoptr(JcDevice) b = NULL;
  g_autofree char *sql = NULL;

  tamper_fixture (&f, &a, &b);
  sql = g_strdup_printf ("UPDATE events SET seq = 1000 WHERE hex(device_id) = upper('%s') AND seq = 3;"
                         "UPDATE events SET seq = 3 WHERE hex(device_id) = upper('%s') AND seq = 7;"
                         "UPDATE events SET seq = 7 WHERE hex(device_id) = upper('%s') AND seq = 1000;",
                         jc_device_get_id_hex (b), jc_device_get_id_hex (b), jc_device_get_id_hex (b));
  exec_ok (f.db, sql);
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_CHAIN, jc_device_get_id_hex (b), 3, "reordered");
  fixture_free (&f);
}
END_TEST

START_TEST (test_verify_detects_removed)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = NULL;
  g_autoptr(JcDevice) b = NULL;
  g_autofree char *sql = NULL;

  tamper_fixture (&f, &a, &b);
  sql = g_strdup_printf ("DELETE FROM events WHERE hex(device_id) = upper('%s') AND seq = 5",
                         jc_device_get_id_hex (a));
  exec_ok (f.db, sql);
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_CHAIN, jc_device_get_id_hex (a), 5, "removed");
  fixture_free (&f);

  /* the first one removed */
  memset (&f, 0, sizeof f);
  g_clear_pointer (&a, jc_device_free);
  g_clear_pointer (&b, jc_device_free);
  tamper_fixture (&f, &a, &b);
  g_free (sql);
  sql = g_strdup_printf ("DELETE FROM events WHERE hex(device_id) = upper('%s') AND seq = 1",
                         jc_device_get_id_hex (b));
  exec_ok (f.db, sql);
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_CHAIN, jc_device_get_id_hex (b), 1, "missing");
  fixture_free (&f);
}
END_TEST

START_TEST (test_verify_detects_forged)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = NULL;
  g_autoptr(JcDevice) b = NULL;
  g_autoptr(JcDevice) forger = NULL;
  g_autoptr(JcEvent) orig = NULL;
  g_autoptr(JcEvent) forged = NULL;
  g_autoptr(GError) error = NULL;
  guint8 seed[32];

  tamper_fixture (&f, &a, &b);
  /* same device id, another key: a forged event that is well-formed, in
   * its chain place, with a hash column to match */
  memset (seed, 0x77, sizeof seed);
  forger = jc_device_new_from_seed (jc_device_get_id (a), seed, &error);
  orig = stored_event (&f, a, 4);
  forged = jc_event_new (jc_device_get_id (a), 4, jc_event_get_prev_hash (orig),
                         jc_event_get_wall_time (orig), jc_event_get_monotonic_time (orig),
                         jc_event_get_hq_time (orig), jc_event_get_inspector (orig),
                         jc_event_get_kind (orig), "{\"item\":\"1.3\",\"status\":\"pass\"}", &error);
  ck_assert (jc_event_sign (forged, forger, &error));
  replace_row (&f, jc_device_get_id (a), 4, forged, TRUE, jc_event_get_signature (forged));
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_SIGNATURE, jc_device_get_id_hex (a), 4, "forged");
  fixture_free (&f);
}
END_TEST

START_TEST (test_verify_detects_altered_body)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = NULL;
  g_autoptr(JcDevice) b = NULL;
  g_autoptr(JcEvent) orig = NULL;
  g_autoptr(JcEvent) altered = NULL;
  g_autoptr(GError) error = NULL;

  tamper_fixture (&f, &a, &b);
  orig = stored_event (&f, b, 6);
  altered = jc_event_new (jc_device_get_id (b), 6, jc_event_get_prev_hash (orig),
                          jc_event_get_wall_time (orig), jc_event_get_monotonic_time (orig),
                          jc_event_get_hq_time (orig), jc_event_get_inspector (orig),
                          jc_event_get_kind (orig), "{\"item\":\"1.5\",\"status\":\"fail\",\"n\":5}",
                          &error);
  /* the original signature kept, the hash column updated to match */
  replace_row (&f, jc_device_get_id (b), 6, altered, TRUE, jc_event_get_signature (orig));
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_SIGNATURE, jc_device_get_id_hex (b), 6, "altered");
  fixture_free (&f);
}
END_TEST

START_TEST (test_verify_detects_column_edits)
{
  static const char *edits[] = {
    "kind = 'finding.seal'",
    "hash = zeroblob(32)",
    "wall_time = wall_time + 1",
    "signature = zeroblob(64)",
    "encoded = substr(encoded, 1, 40)",
  };
  static const int codes[] = {
    JC_EVENTLOG_ERROR_CORRUPT, JC_EVENTLOG_ERROR_CORRUPT, JC_EVENTLOG_ERROR_CORRUPT,
    JC_EVENTLOG_ERROR_SIGNATURE, JC_EVENTLOG_ERROR_CORRUPT,
  };
  static const char *what[] = { "kind column", "hash column", "time columns", "signature", "truncated" };

  for (gsize i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      Fixture f = { 0 };
      g_autoptr(JcDevice) a = NULL;
      g_autoptr(JcDevice) b = NULL;
      g_autofree char *sql = NULL;

      tamper_fixture (&f, &a, &b);
      sql = g_strdup_printf ("UPDATE events SET %s WHERE hex(device_id) = upper('%s') AND seq = 2",
                             edits[i], jc_device_get_id_hex (a));
      exec_ok (f.db, sql);
      assert_verify_fails (&f, codes[i], jc_device_get_id_hex (a), 2, what[i]);
      fixture_free (&f);
    }
}
END_TEST

START_TEST (test_verify_detects_replaced_predecessor)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = NULL;
  g_autoptr(JcDevice) b = NULL;
  g_autoptr(JcEvent) orig = NULL;
  g_autoptr(JcEvent) other = NULL;
  g_autoptr(GError) error = NULL;

  /* the device key itself rewrites event 8: signature fine, but event 9
   * still points at the original */
  tamper_fixture (&f, &a, &b);
  orig = stored_event (&f, a, 8);
  other = jc_event_new (jc_device_get_id (a), 8, jc_event_get_prev_hash (orig),
                        jc_event_get_wall_time (orig), jc_event_get_monotonic_time (orig),
                        jc_event_get_hq_time (orig), jc_event_get_inspector (orig),
                        jc_event_get_kind (orig), "{\"rewritten\":true}", &error);
  ck_assert (jc_event_sign (other, a, &error));
  replace_row (&f, jc_device_get_id (a), 8, other, TRUE, jc_event_get_signature (other));
  assert_verify_fails (&f, JC_EVENTLOG_ERROR_CHAIN, jc_device_get_id_hex (a), 9, "previous hash");
  fixture_free (&f);
}
END_TEST

/* Foreign events ---------------------------------------------------------- */

static gboolean
insert (Fixture        *f,
        const JcEvent  *event,
        const guint8   *public_key,
        gboolean       *added,
        GError        **error)
{
  gsize len;
  const guint8 *encoded = jc_event_get_encoded (event, &len);

  return jc_eventlog_insert_foreign (f->log, encoded, len, jc_event_get_signature (event), 64,
                                     public_key, added, error);
}

START_TEST (test_insert_foreign)
{
  Fixture src = { 0 };
  Fixture dst = { 0 };
  g_autoptr(JcDevice) d = device_new (0xd1);
  g_autoptr(JcDevice) impostor = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *pk = jc_device_get_public_key (d);
  gboolean added = FALSE;
  guint8 seed[32];

  fixture_open (&src, "eventlog-src");
  fixture_open (&dst, "eventlog-dst");
  append_n (&src, d, 6);
  events = jc_eventlog_get_events_after (src.log, jc_device_get_id (d), 0, 0, &error);
  ck_assert_uint_eq (events->len, 6);

  ck_assert (insert (&dst, events->pdata[0], pk, &added, &error));
  ck_assert (added);
  ck_assert (insert (&dst, events->pdata[1], pk, &added, &error));
  ck_assert (added);

  /* duplicate: success, nothing changes */
  {
    g_autofree char *before = dump (dst.db, "SELECT * FROM events ORDER BY device_id, seq");
    g_autofree char *after = NULL;

    ck_assert (insert (&dst, events->pdata[0], pk, &added, &error));
    ck_assert (!added);
    ck_assert (insert (&dst, events->pdata[1], pk, &added, &error));
    ck_assert (!added);
    after = dump (dst.db, "SELECT * FROM events ORDER BY device_id, seq");
    ck_assert_str_eq (before, after);
    ck_assert_int_eq (count (dst.db, "SELECT count(*) FROM audit"), 2);
  }

  /* a gap: 4 before 3 */
  ck_assert (!insert (&dst, events->pdata[3], pk, &added, &error));
  ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_GAP), "%s", error->message);
  ck_assert_ptr_nonnull (strstr (error->message, "up to 2"));
  g_clear_error (&error);
  ck_assert_int_eq (count (dst.db, "SELECT count(*) FROM events"), 2);

  /* bad signature and wrong key: refused before anything is looked at */
  {
    gsize len;
    const guint8 *encoded = jc_event_get_encoded (events->pdata[2], &len);
    guint8 sig[64];

    memcpy (sig, jc_event_get_signature (events->pdata[2]), 64);
    sig[10] ^= 0x20;
    ck_assert (!jc_eventlog_insert_foreign (dst.log, encoded, len, sig, 64, pk, NULL, &error));
    ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE));
    g_clear_error (&error);
    ck_assert (!jc_eventlog_insert_foreign (dst.log, encoded, len, sig, 63, pk, NULL, &error));
    g_clear_error (&error);
    ck_assert (!jc_eventlog_insert_foreign (dst.log, encoded, len - 1, jc_event_get_signature (events->pdata[2]),
                                            64, pk, NULL, &error));
    ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_MALFORMED));
    g_clear_error (&error);
  }

  /* a decoded event verified against another key is checked again */
  {
    gsize len;
    const guint8 *encoded = jc_event_get_encoded (events->pdata[2], &len);
    g_autoptr(JcEvent) e3 = jc_event_decode (encoded, len, &error);
    g_autoptr(JcDevice) stranger = device_new (0x0f);

    ck_assert (jc_event_set_signature (e3, jc_event_get_signature (events->pdata[2]), 64, &error));
    ck_assert (!jc_eventlog_insert_event (dst.log, e3, jc_device_get_public_key (stranger), NULL, &error));
    ck_assert (g_error_matches (error, JC_EVENT_ERROR, JC_EVENT_ERROR_SIGNATURE));
    g_clear_error (&error);
    ck_assert_int_eq (count (dst.db, "SELECT count(*) FROM events"), 2);
  }

  /* the held events go in once the gap is filled */
  for (guint i = 2; i < 6; i++)
    {
      ck_assert_msg (insert (&dst, events->pdata[i], pk, &added, &error), "%s", error ? error->message : "");
      ck_assert (added);
    }
  ck_assert (jc_eventlog_verify (dst.log, &error));

  /* a different event 5, properly signed: a conflict */
  {
    g_autoptr(JcEvent) fork = jc_event_new (jc_device_get_id (d), 5,
                                            jc_event_get_prev_hash (events->pdata[4]), 1, 2, 0,
                                            "张三", "item.set", "{\"fork\":1}", &error);

    ck_assert (jc_event_sign (fork, d, &error));
    ck_assert (!insert (&dst, fork, pk, &added, &error));
    ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CONFLICT), "%s", error->message);
    ck_assert_ptr_nonnull (strstr (error->message, "Event 5 of device d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1"));
    g_clear_error (&error);
  }

  /* event 7 that does not follow event 6: out of chain */
  {
    guint8 wrong[32];
    g_autoptr(JcEvent) e7 = NULL;

    memset (wrong, 0x99, sizeof wrong);
    e7 = jc_event_new (jc_device_get_id (d), 7, wrong, 1, 2, 0, "张三", "item.set", "{}", &error);
    ck_assert (jc_event_sign (e7, d, &error));
    ck_assert (!insert (&dst, e7, pk, &added, &error));
    ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CHAIN), "%s", error->message);
    g_clear_error (&error);
  }

  /* the same device id under another key */
  {
    g_autoptr(JcEvent) e7 = NULL;

    memset (seed, 0x66, sizeof seed);
    impostor = jc_device_new_from_seed (jc_device_get_id (d), seed, &error);
    e7 = jc_event_new (jc_device_get_id (d), 7, jc_event_get_hash (events->pdata[5]), 1, 2, 0,
                       "张三", "item.set", "{}", &error);
    ck_assert (jc_event_sign (e7, impostor, &error));
    ck_assert (!insert (&dst, e7, jc_device_get_public_key (impostor), &added, &error));
    ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_KEY_MISMATCH), "%s",
                   error->message);
    g_clear_error (&error);
  }

  /* nothing of the refused ones stayed; both sides hold the same log */
  ck_assert (jc_eventlog_verify (dst.log, &error));
  {
    g_autofree char *a = dump (src.db, "SELECT device_id, seq, hash, prev_hash, encoded, signature, kind, "
                                       "wall_time, replay_time FROM events ORDER BY device_id, seq");
    g_autofree char *b = dump (dst.db, "SELECT device_id, seq, hash, prev_hash, encoded, signature, kind, "
                                       "wall_time, replay_time FROM events ORDER BY device_id, seq");
    g_autofree char *audit_a = dump (src.db, "SELECT * FROM audit ORDER BY device_id, seq");
    g_autofree char *audit_b = dump (dst.db, "SELECT * FROM audit ORDER BY device_id, seq");

    ck_assert_str_eq (a, b);
    ck_assert_str_eq (audit_a, audit_b);
  }
  fixture_free (&src);
  fixture_free (&dst);
}
END_TEST

START_TEST (test_insert_foreign_batch)
{
  Fixture src = { 0 };
  Fixture dst = { 0 };
  g_autoptr(JcDevice) d = device_new (0xd2);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  fixture_open (&src, "eventlog-src");
  fixture_open (&dst, "eventlog-dst");
  append_n (&src, d, 20);
  events = jc_eventlog_get_events_after (src.log, jc_device_get_id (d), 0, 0, &error);

  /* within a caller's transaction a refused event leaves the others */
  ck_assert (jc_eventlog_begin (dst.log, &error));
  for (guint i = 0; i < events->len; i++)
    {
      gboolean added;

      ck_assert (insert (&dst, events->pdata[i], jc_device_get_public_key (d), &added, &error));
      if (i == 10)
        {
          ck_assert (!insert (&dst, events->pdata[15], jc_device_get_public_key (d), &added, &error));
          ck_assert (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_GAP));
          g_clear_error (&error);
        }
    }
  ck_assert (jc_eventlog_commit (dst.log, &error));
  ck_assert_int_eq (count (dst.db, "SELECT count(*) FROM events"), 20);
  ck_assert (jc_eventlog_verify (dst.log, &error));
  fixture_free (&src);
  fixture_free (&dst);
}
END_TEST

/* Inside a run the head a chain was stored to is remembered, not read back:
 * the outcome is the same as without it, whatever comes (devices in turn,
 * a duplicate, a gap, a fork), and a run outside a transaction, or after
 * one rolled back, reads the head again. */
static void
insert_expect (Fixture *f, JcEvent *event, const JcDevice *device, int code, gboolean want_added)
{
  g_autoptr(GError) error = NULL;
  gboolean added = !want_added;
  gboolean ok = insert (f, event, jc_device_get_public_key (device), &added, &error);

  if (code < 0)
    {
      ck_assert_msg (ok, "event %" G_GUINT64_FORMAT ": %s", jc_event_get_seq (event), error ? error->message : "?");
      ck_assert_int_eq (added, want_added);
    }
  else
    ck_assert_msg (!ok && g_error_matches (error, JC_EVENTLOG_ERROR, code), "event %" G_GUINT64_FORMAT ": %s",
                   jc_event_get_seq (event), error ? error->message : "accepted");
}

START_TEST (test_run_remembers_heads)
{
  Fixture src = { 0 }, dst = { 0 }, other = { 0 };
  g_autoptr(JcDevice) d = device_new (0xd3);
  g_autoptr(JcDevice) e = device_new (0xe3);
  g_autoptr(GPtrArray) ed = NULL, ee = NULL;
  g_autoptr(JcEvent) fork = NULL;
  g_autoptr(GError) error = NULL;
  guint8 wrong[32];
  const char *rows = "SELECT device_id, seq, hash, replay_time FROM events ORDER BY device_id, seq";

  fixture_open (&src, "eventlog-run-src");
  fixture_open (&dst, "eventlog-run-dst");
  append_n (&src, d, 20);
  append_n (&src, e, 5);
  ed = jc_eventlog_get_events_after (src.log, jc_device_get_id (d), 0, 0, &error);
  ee = jc_eventlog_get_events_after (src.log, jc_device_get_id (e), 0, 0, &error);
  memset (wrong, 7, sizeof wrong);
  fork = jc_event_new (jc_device_get_id (d), 9, wrong, 1, 1, 0, "张三", "item.set", "{}", &error);
  ck_assert (jc_event_sign (fork, d, &error));

  /* a transaction that rolls back: its heads are forgotten */
  ck_assert (jc_eventlog_begin (dst.log, &error));
  jc_eventlog_begin_run (dst.log, _i == 1);
  for (guint i = 0; i < 3; i++)
    insert_expect (&dst, ed->pdata[i], d, -1, TRUE);
  jc_eventlog_end_run (dst.log);
  jc_eventlog_rollback (dst.log);

  ck_assert (jc_eventlog_begin (dst.log, &error));
  jc_eventlog_begin_run (dst.log, _i == 1);
  for (guint i = 0; i < 5; i++)
    insert_expect (&dst, ed->pdata[i], d, -1, TRUE);
  insert_expect (&dst, ee->pdata[0], e, -1, TRUE);
  insert_expect (&dst, ee->pdata[1], e, -1, TRUE);
  for (guint i = 5; i < 8; i++)
    insert_expect (&dst, ed->pdata[i], d, -1, TRUE);
  insert_expect (&dst, ed->pdata[2], d, -1, FALSE);                     /* a duplicate */
  insert_expect (&dst, ed->pdata[14], d, JC_EVENTLOG_ERROR_GAP, FALSE);  /* 15 after 8 */
  insert_expect (&dst, fork, d, JC_EVENTLOG_ERROR_CHAIN, FALSE);          /* 9, another chain */
  for (guint i = 8; i < 20; i++)
    insert_expect (&dst, ed->pdata[i], d, -1, TRUE);
  jc_eventlog_end_run (dst.log);
  ck_assert (jc_eventlog_commit (dst.log, &error));

  /* outside a transaction another connection may write in between */
  other.dir = g_strdup (dst.dir);
  other.path = g_strdup (dst.path);
  fixture_open (&other, NULL);
  jc_eventlog_begin_run (dst.log, _i == 1);
  insert_expect (&dst, ee->pdata[2], e, -1, TRUE);
  insert_expect (&other, ee->pdata[3], e, -1, TRUE);
  insert_expect (&dst, ee->pdata[4], e, -1, TRUE);
  jc_eventlog_end_run (dst.log);

  {
    g_autofree char *want = dump (src.db, rows);
    g_autofree char *got = dump (dst.db, rows);

    ck_assert_str_eq (got, want);
  }
  /* an event of its own appended during a run moves the head on */
  {
    g_autoptr(JcEvent) e21 = jc_event_new (jc_device_get_id (d), 21, jc_event_get_hash (ed->pdata[19]), 1, 1, 0,
                                           "张三", "item.set", "{}", &error);
    g_autoptr(JcEvent) own = NULL, e23 = NULL;

    ck_assert (jc_event_sign (e21, d, &error));
    ck_assert (jc_eventlog_begin (dst.log, &error));
    jc_eventlog_begin_run (dst.log, _i == 1);
    insert_expect (&dst, e21, d, -1, TRUE);
    ck_assert (jc_eventlog_append (dst.log, d, "张三", "item.set", "{}", &own, &error));
    e23 = jc_event_new (jc_device_get_id (d), 23, jc_event_get_hash (own), 1, 1, 0, "张三", "item.set", "{}", &error);
    ck_assert (jc_event_sign (e23, d, &error));
    insert_expect (&dst, e23, d, -1, TRUE);
    jc_eventlog_end_run (dst.log);
    ck_assert (jc_eventlog_commit (dst.log, &error));
  }
  ck_assert_msg (jc_eventlog_verify (dst.log, &error), "%s", error ? error->message : "");
  fixture_close (&other);
  g_free (other.path);
  g_free (other.dir);
  fixture_free (&src);
  fixture_free (&dst);
}
END_TEST

/* Iteration --------------------------------------------------------------- */

typedef struct {
  GHashTable *last_seq;   /* device hex → last seq seen */
  guint       n;
  guint       stop_after;
} Visit;

static gboolean
visit (const JcEvent  *event,
       gpointer        user_data,
       GError        **error)
{
  Visit *v = user_data;
  guint64 last = GPOINTER_TO_SIZE (g_hash_table_lookup (v->last_seq, jc_event_get_device_id_hex (event)));

  /* each device's events come in chain order */
  if (last != 0)
    ck_assert_uint_eq (jc_event_get_seq (event), last + 1);
  ck_assert_ptr_nonnull (jc_event_get_signature (event));
  g_hash_table_insert (v->last_seq, g_strdup (jc_event_get_device_id_hex (event)),
                       GSIZE_TO_POINTER ((gsize) jc_event_get_seq (event)));
  v->n++;
  return v->stop_after == 0 || v->n < v->stop_after;
}

START_TEST (test_foreach_since)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = device_new (0xe1);
  g_autoptr(JcDevice) b = device_new (0xe2);
  g_autoptr(GError) error = NULL;
  JcEventlogCursor since[1];
  Visit v = { 0 };

  fixture_open (&f, "eventlog-foreach");
  for (guint i = 0; i < 15; i++)
    {
      append_n (&f, a, 1);
      append_n (&f, b, 1);
    }

  v.last_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ck_assert (jc_eventlog_foreach (f.log, NULL, 0, visit, &v, &error));
  ck_assert_uint_eq (v.n, 30);

  g_hash_table_remove_all (v.last_seq);
  v.n = 0;
  memcpy (since[0].device_id, jc_device_get_id (a), 16);
  since[0].seq = 12;
  ck_assert (jc_eventlog_foreach (f.log, since, 1, visit, &v, &error));
  ck_assert_uint_eq (v.n, 3 + 15);

  g_hash_table_remove_all (v.last_seq);
  v.n = 0;
  v.stop_after = 4;
  ck_assert (jc_eventlog_foreach (f.log, NULL, 0, visit, &v, &error));
  ck_assert_uint_eq (v.n, 4);
  g_hash_table_unref (v.last_seq);
  fixture_free (&f);
}
END_TEST

static gboolean
record_order (const JcEvent  *event,
              gpointer        user_data,
              GError        **error)
{
  g_string_append_printf (user_data, "%c%" G_GUINT64_FORMAT " ",
                          jc_event_get_device_id (event)[0] == 0xa0 ? 'A' : 'B', jc_event_get_seq (event));
  return TRUE;
}

/* Replay follows the wall clock across devices but never reorders a chain,
 * even when a device clock went backwards. */
START_TEST (test_replay_order)
{
  static const gint64 walls_a[] = { 100, 300, 200, 400 };
  static const gint64 walls_b[] = { 150, 250, 350 };
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = device_new (0xa0);
  g_autoptr(JcDevice) b = device_new (0xb0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) order = g_string_new (NULL);
  guint8 prev[32] = { 0 };

  fixture_open (&f, "eventlog-order");
  for (guint i = 0; i < G_N_ELEMENTS (walls_a); i++)
    {
      g_autoptr(JcEvent) e = jc_event_new (jc_device_get_id (a), i + 1, prev, walls_a[i], i, 0,
                                           "张三", "item.set", "{}", &error);

      ck_assert (jc_event_sign (e, a, &error));
      ck_assert (jc_eventlog_insert_event (f.log, e, jc_device_get_public_key (a), NULL, &error));
      memcpy (prev, jc_event_get_hash (e), 32);
    }
  memset (prev, 0, sizeof prev);
  for (guint i = 0; i < G_N_ELEMENTS (walls_b); i++)
    {
      g_autoptr(JcEvent) e = jc_event_new (jc_device_get_id (b), i + 1, prev, walls_b[i], i, 0,
                                           "李四", "item.set", "{}", &error);

      ck_assert (jc_event_sign (e, b, &error));
      ck_assert (jc_eventlog_insert_event (f.log, e, jc_device_get_public_key (b), NULL, &error));
      memcpy (prev, jc_event_get_hash (e), 32);
    }
  ck_assert_msg (jc_eventlog_verify (f.log, &error), "%s", error ? error->message : "");
  ck_assert (jc_eventlog_foreach (f.log, NULL, 0, record_order, order, &error));
  ck_assert_str_eq (order->str, "A1 B1 B2 A2 A3 B3 A4 ");
  fixture_free (&f);
}
END_TEST

/* Projections ------------------------------------------------------------- */

static const char item_schema[] =
  "CREATE TABLE IF NOT EXISTS item_state ("
  "  item TEXT PRIMARY KEY, status TEXT NOT NULL, changes INTEGER NOT NULL, last_seq INTEGER NOT NULL);";
static const char * const item_tables[] = { "item_state", NULL };

static gboolean
item_apply (JcDb        *db,
            const JcEvent  *event,
            gpointer        user_data,
            GError        **error)
{
  JsonObject *body = jc_event_get_body_object (event);
  JcDbStmt *stmt = NULL;
  int rc;

  (*(guint *) user_data)++;
  if (json_object_has_member (body, "reject"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "rejected by the test");
      return FALSE;
    }
  ck_assert_int_eq (jc_db_prepare (db, "INSERT INTO item_state VALUES (?1, ?2, 1, ?3) "
                                            "ON CONFLICT (item) DO UPDATE SET status = ?2, "
                                            "changes = changes + 1, last_seq = ?3", -1, &stmt, NULL),
                    JC_DB_OK);
  jc_db_bind_text (stmt, 1, json_object_get_string_member (body, "item"), -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 2, json_object_get_string_member (body, "status"), -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 3, jc_event_get_seq (event));
  rc = jc_db_step (stmt);
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE;
}

START_TEST (test_projection_rebuild_is_exact)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = device_new (0xf1);
  g_autoptr(JcDevice) b = device_new (0xf2);
  g_autoptr(GError) error = NULL;
  g_autofree char *audit_before = NULL;
  g_autofree char *items_before = NULL;
  g_autofree char *audit_after = NULL;
  g_autofree char *items_after = NULL;
  guint calls = 0;

  fixture_open (&f, "eventlog-rebuild");
  ck_assert (jc_eventlog_add_projection (f.log, "items", "item.", item_schema, item_tables,
                                         item_apply, &calls, NULL, &error));
  for (guint i = 0; i < 80; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"item\":\"%u\",\"status\":\"%s\"}",
                                               i % 7, i % 3 ? "pass" : "fail");

      append (&f, i % 3 ? a : b, i % 5 ? "item.set" : "inspection.note", body);
    }
  /* only item.* events reach it */
  ck_assert_uint_eq (calls, count (f.db, "SELECT count(*) FROM events WHERE kind LIKE 'item.%'"));
  ck_assert_int_gt (count (f.db, "SELECT count(*) FROM item_state"), 0);

  audit_before = dump (f.db, "SELECT * FROM audit ORDER BY device_id, seq");
  items_before = dump (f.db, "SELECT * FROM item_state ORDER BY item");

  /* rebuilt from scratch, also after the tables were damaged */
  exec_ok (f.db, "DELETE FROM audit WHERE seq % 2 = 0; UPDATE item_state SET status = 'x';");
  ck_assert_msg (jc_eventlog_rebuild_projections (f.log, &error), "%s", error ? error->message : "");
  audit_after = dump (f.db, "SELECT * FROM audit ORDER BY device_id, seq");
  items_after = dump (f.db, "SELECT * FROM item_state ORDER BY item");
  ck_assert_str_eq (audit_before, audit_after);
  ck_assert_str_eq (items_before, items_after);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM audit"), 80);

  /* and after a reopen: a fresh registration replays the same */
  fixture_close (&f);
  exec_ok ((f.db = open_db (f.path)), "DROP TABLE audit; DROP TABLE item_state;");
  sqlite3_close (f.db);
  fixture_open (&f, NULL);
  ck_assert (jc_eventlog_add_projection (f.log, "items", "item.", item_schema, item_tables,
                                         item_apply, &calls, NULL, &error));
  ck_assert (jc_eventlog_rebuild_projections (f.log, &error));
  g_free (audit_after);
  g_free (items_after);
  audit_after = dump (f.db, "SELECT * FROM audit ORDER BY device_id, seq");
  items_after = dump (f.db, "SELECT * FROM item_state ORDER BY item");
  ck_assert_str_eq (audit_before, audit_after);
  ck_assert_str_eq (items_before, items_after);
  fixture_free (&f);
}
END_TEST

START_TEST (test_projection_failure_rolls_back_the_event)
{
  Fixture f = { 0 };
  g_autoptr(JcDevice) a = device_new (0xf3);
  g_autoptr(GError) error = NULL;
  guint calls = 0;
  guint64 seq;

  fixture_open (&f, "eventlog-projfail");
  ck_assert (jc_eventlog_add_projection (f.log, "items", "item.", item_schema, item_tables,
                                         item_apply, &calls, NULL, &error));
  append (&f, a, "item.set", "{\"item\":\"1\",\"status\":\"pass\"}");
  ck_assert (!jc_eventlog_append (f.log, a, "张三", "item.set", "{\"reject\":1}", NULL, &error));
  ck_assert_msg (g_error_matches (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION), "%s", error->message);
  ck_assert_ptr_nonnull (strstr (error->message, "'items'"));
  ck_assert_ptr_nonnull (strstr (error->message, "rejected by the test"));
  ck_assert (jc_eventlog_get_head (f.log, jc_device_get_id (a), &seq, NULL, &error));
  ck_assert_uint_eq (seq, 1);
  ck_assert_int_eq (count (f.db, "SELECT count(*) FROM audit"), 1);
  append (&f, a, "item.set", "{\"item\":\"1\",\"status\":\"fail\"}");
  ck_assert (jc_eventlog_verify (f.log, &error));
  fixture_free (&f);
}
END_TEST

/* Crash: a child appends and reports each commit; it is killed -9 at random
 * moments; every event it reported committed must be there, and the log
 * must verify. */

#define CRASH_ROUNDS 50

static int
crash_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JcDevice) device = NULL;
  g_autoptr(JcEventlog) log = NULL;
  guint8 id[16], seed[32];
  sqlite3 *db = NULL;

  memset (id, 0x3c, sizeof id);
  memset (seed, 0x3d, sizeof seed);
  device = jc_device_new_from_seed (id, seed, &error);
  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK)
    return 2;
  log = jc_eventlog_new (jc_db_new_sqlite (db, TRUE), &error);
  if (log == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 3;
    }
  for (guint round = 0; round < 100000; round++)
    {
      /* single appends and batches of 10, so a kill lands in both */
      gboolean batch = round % 3 == 2;
      guint n = batch ? 10 : 1;
      guint64 seqs[10];

      if (batch && !jc_eventlog_begin (log, &error))
        return 4;
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JcEvent) event = NULL;
          g_autofree char *body = g_strdup_printf ("{\"round\":%u,\"i\":%u}", round, i);

          if (!jc_eventlog_append (log, device, "crash", "item.set", body, &event, &error))
            {
              fprintf (stderr, "%s\n", error->message);
              return 5;
            }
          seqs[i] = jc_event_get_seq (event);
        }
      if (batch && !jc_eventlog_commit (log, &error))
        return 6;
      for (guint i = 0; i < n; i++)
        printf ("committed %" G_GUINT64_FORMAT "\n", seqs[i]);
      fflush (stdout);
    }
  return 0;
}

START_TEST (test_crash_keeps_every_committed_event)
{
  Fixture f = { 0 };
  guint64 reported_max = 0;
  guint8 id[16];

  /* the real path, not /proc/self/exe: valgrind cannot start that */
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  ck_assert_ptr_nonnull (self);
  memset (id, 0x3c, sizeof id);
  f.dir = jc_test_tmpdir ("eventlog-crash");
  f.path = g_build_filename (f.dir, "events.db", NULL);

  for (guint round = 0; round < CRASH_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      const char *argv[] = { self, "--crash-child", f.path, NULL };
      guint lines_before_kill = g_random_int_range (0, 200);
      guint lines = 0;
      char line[128];
      GPid pid;
      int out_fd, status;
      FILE *out;
      guint64 head = 0;

      ck_assert_msg (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, NULL, &out_fd, NULL, &error),
                     "spawn: %s", error ? error->message : "?");
      out = fdopen (out_fd, "r");
      while (lines < lines_before_kill && fgets (line, sizeof line, out) != NULL)
        {
          guint64 seq;

          ck_assert_int_eq (sscanf (line, "committed %" G_GUINT64_FORMAT, &seq), 1);
          reported_max = MAX (reported_max, seq);
          lines++;
        }
      if (g_random_boolean ())
        g_usleep (g_random_int_range (0, 3000));
      kill (pid, SIGKILL);
      /* what it printed before it died was committed too */
      while (fgets (line, sizeof line, out) != NULL)
        {
          guint64 seq;

          if (sscanf (line, "committed %" G_GUINT64_FORMAT, &seq) == 1)
            reported_max = MAX (reported_max, seq);
        }
      fclose (out);
      ck_assert_int_eq (waitpid (pid, &status, 0), pid);
      ck_assert_msg (WIFSIGNALED (status) || WEXITSTATUS (status) == 0,
                     "child failed with status %d", WEXITSTATUS (status));
      g_spawn_close_pid (pid);

      fixture_open (&f, NULL);
      ck_assert_msg (jc_eventlog_verify (f.log, &error), "round %u: %s", round, error->message);
      ck_assert (jc_eventlog_get_head (f.log, id, &head, NULL, &error));
      ck_assert_msg (head >= reported_max, "round %u: reported %" G_GUINT64_FORMAT " committed, "
                     "the log holds %" G_GUINT64_FORMAT, round, reported_max, head);
      ck_assert_int_eq (count (f.db, "SELECT count(*) FROM audit"), (gint64) head);
      fixture_close (&f);
    }
  ck_assert_uint_gt (reported_max, 0);
  fixture_free (&f);
}
END_TEST

static Suite *
eventlog_suite (void)
{
  Suite *s = suite_create ("eventlog");
  TCase *tc = tcase_create ("append");

  tcase_add_test (tc, test_append_chains_and_persists);
  tcase_add_test (tc, test_append_refuses_bad_input_and_keeps_nothing);
  tcase_add_test (tc, test_hq_time_is_recorded);
  tcase_add_test (tc, test_batch_commit_and_rollback);
  suite_add_tcase (s, tc);

  tc = tcase_create ("verify");
  tcase_add_test (tc, test_two_hundred_events_two_devices_verify);
  tcase_add_test (tc, test_verify_detects_reordered);
  tcase_add_test (tc, test_verify_detects_removed);
  tcase_add_test (tc, test_verify_detects_forged);
  tcase_add_test (tc, test_verify_detects_altered_body);
  tcase_add_test (tc, test_verify_detects_column_edits);
  tcase_add_test (tc, test_verify_detects_replaced_predecessor);
  suite_add_tcase (s, tc);

  tc = tcase_create ("foreign");
  tcase_add_test (tc, test_insert_foreign);
  tcase_add_test (tc, test_insert_foreign_batch);
  tcase_add_loop_test (tc, test_run_remembers_heads, 0, 2);  /* bare, and each insert undone alone */
  tcase_add_test (tc, test_foreach_since);
  tcase_add_test (tc, test_replay_order);
  suite_add_tcase (s, tc);

  tc = tcase_create ("crash");
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_crash_keeps_every_committed_event);
  suite_add_tcase (s, tc);

  tc = tcase_create ("projections");
  tcase_add_test (tc, test_projection_rebuild_is_exact);
  tcase_add_test (tc, test_projection_failure_rolls_back_the_event);
  suite_add_tcase (s, tc);
  return s;
}

int
main (int argc, char **argv)
{
  if (!jc_core_init (NULL))
    return 1;
  if (argc == 3 && strcmp (argv[1], "--crash-child") == 0)
    return crash_child (argv[2]);
  return jc_test_run (eventlog_suite ());
}
