/* jc-eventlog.c — the append-only, signed, hash-chained event log in SQLite
 *
 * Events are the one source of truth; every table the app reads is a
 * projection of them. The log works on any sqlite3 connection (the vault
 * hands it the encrypted one) and never updates or deletes an event.
 *
 * Replay order: projections are rebuilt in (replay_time, device_id, seq)
 * order, where replay_time = max(wall_time, the previous event's
 * replay_time) of the same device. It follows the wall clock across
 * devices, yet never puts an event before its predecessor when a device
 * clock went backwards, and it depends only on the chains themselves, so
 * the device and HQ replay the same events in the same order.
 */
#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "jc-eventlog.h"
#include "jc-vfs.h"

#define AUDIT_SUMMARY_MAX 160

enum {
  TXN_BEGIN,
  TXN_COMMIT,
  TXN_ROLLBACK,
  TXN_SAVEPOINT,
  TXN_RELEASE,
  TXN_ROLLBACK_TO,
  N_TXN
};

static const char * const txn_sql[N_TXN] = {
  [TXN_BEGIN] = "BEGIN IMMEDIATE",
  [TXN_COMMIT] = "COMMIT",
  [TXN_ROLLBACK] = "ROLLBACK",
  [TXN_SAVEPOINT] = "SAVEPOINT jc_eventlog",
  [TXN_RELEASE] = "RELEASE jc_eventlog",
  [TXN_ROLLBACK_TO] = "ROLLBACK TO jc_eventlog",
};

typedef struct {
  char            *name;
  char            *kind_prefix;
  char            *schema_sql;
  GStrv            tables;
  JcProjectionFunc func;
  gpointer         user_data;
  GDestroyNotify   user_data_free;
} Projection;

struct _JcEventlog
{
  JcDb      *db;
  GPtrArray    *projections;
  gint64        hq_time;

  /* prepared once: BEGIN/COMMIT/SAVEPOINT run for every event */
  JcDbStmt *txn_stmts[N_TXN];

  JcDbStmt *head_stmt;
  JcDbStmt *state_stmt;
  JcDbStmt *insert_stmt;
  JcDbStmt *key_stmt;
  JcDbStmt *add_key_stmt;
  JcDbStmt *row_stmt;

  /* Inside jc_eventlog_begin_run(): the head of the chain last stored to,
   * remembered instead of read back before the next insert. */
  gboolean  in_run;
  gboolean  run_undo_each;  /* each insert of the run in a savepoint */
  gboolean  run_valid;
  guint8    run_device[JC_DEVICE_ID_SIZE];
  guint64   run_seq;
  guint8    run_hash[JC_EVENT_HASH_SIZE];
  gint64    run_replay_time;
  guint8    run_key[JC_DEVICE_PUBLIC_KEY_SIZE];
};

G_DEFINE_QUARK (jc-eventlog-error-quark, jc_eventlog_error)

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS event_devices ("
  "  device_id  BLOB PRIMARY KEY CHECK (length(device_id) = 16),"
  "  public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
  "  first_seen INTEGER NOT NULL"
  ");"
  "CREATE TABLE IF NOT EXISTS events ("
  "  device_id   BLOB NOT NULL CHECK (length(device_id) = 16),"
  "  seq         INTEGER NOT NULL CHECK (seq >= 1),"
  "  hash        BLOB NOT NULL,"
  "  prev_hash   BLOB NOT NULL,"
  "  encoded     BLOB NOT NULL,"
  "  signature   BLOB NOT NULL,"
  "  kind        TEXT NOT NULL,"
  "  wall_time   INTEGER NOT NULL,"
  "  replay_time INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, seq)"
  ");"
  "CREATE INDEX IF NOT EXISTS events_replay ON events (replay_time, device_id, seq);"
  "CREATE TABLE IF NOT EXISTS event_state ("
  "  name  TEXT PRIMARY KEY,"
  "  value INTEGER NOT NULL"
  ");";

/* A guard against our own bugs, not against an attacker (who could drop
 * it): jc_eventlog_verify() is what detects tampering. */
static const char guard_sql[] =
  "CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events"
  "  BEGIN SELECT RAISE (ABORT, 'events are append-only'); END;"
  "CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events"
  "  BEGIN SELECT RAISE (ABORT, 'events are append-only'); END;";

/* The same guard in PostgreSQL's words. */
static const char pg_guard_sql[] =
  "CREATE OR REPLACE FUNCTION jc_events_append_only () RETURNS trigger LANGUAGE plpgsql AS "
  "  $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;"
  "CREATE OR REPLACE TRIGGER events_no_update BEFORE UPDATE ON events"
  "  FOR EACH ROW EXECUTE FUNCTION jc_events_append_only ();"
  "CREATE OR REPLACE TRIGGER events_no_delete BEFORE DELETE ON events"
  "  FOR EACH ROW EXECUTE FUNCTION jc_events_append_only ();";

/* Helpers ----------------------------------------------------------------- */

static gboolean
db_fail (JcEventlog  *log,
         GError     **error,
         const char  *what)
{
  g_autoptr(GError) cause = NULL;

  /* Through the VFS's own reading of the failure, so a page that failed
   * authentication or a full disk is named as such. */
  jc_db_set_error (log->db, jc_db_errcode (log->db), &cause);
  g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_DATABASE,
               _("Event log: %s failed: %s"), what, cause->message);
  return FALSE;
}

static gboolean
db_exec (JcEventlog  *log,
         const char  *sql,
         const char  *what,
         GError     **error)
{
  if (jc_db_exec (log->db, sql) != JC_DB_OK)
    return db_fail (log, error, what);
  return TRUE;
}

static gboolean
db_prepare (JcEventlog    *log,
            const char    *sql,
            JcDbStmt **stmt,
            GError       **error)
{
  if (jc_db_prepare_v3 (log->db, sql, -1, JC_DB_PREPARE_PERSISTENT, stmt, NULL) != JC_DB_OK)
    return db_fail (log, error, sql);
  return TRUE;
}

static char *
hex (const guint8 *data,
     gsize         len)
{
  return jc_device_hex (data, len);
}

/* A blob column of exactly @size bytes, or NULL. */
static const guint8 *
column_blob (JcDbStmt *stmt,
             int           col,
             gsize         size)
{
  if (jc_db_column_type (stmt, col) != JC_DB_BLOB || (gsize) jc_db_column_bytes (stmt, col) != size)
    return NULL;
  return jc_db_column_blob (stmt, col);
}

static gboolean
txn_run (JcEventlog  *log,
         int          which,
         GError     **error)
{
  JcDbStmt *stmt = log->txn_stmts[which];
  int rc = jc_db_step (stmt);

  jc_db_reset (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (log, error, txn_sql[which]);
  return TRUE;
}

/* Transactions: an append or insert is atomic on its own (BEGIN IMMEDIATE,
 * so the head we read cannot move before we write), and nests as a
 * savepoint inside a caller's jc_eventlog_begin(). */
static gboolean
txn_begin (JcEventlog  *log,
           gboolean    *own,
           GError     **error)
{
  *own = jc_db_get_autocommit (log->db) != 0;
  return txn_run (log, *own ? TXN_BEGIN : TXN_SAVEPOINT, error);
}

static gboolean
txn_end (JcEventlog  *log,
         gboolean     own,
         gboolean     ok,
         GError     **error)
{
  if (ok)
    {
      if (txn_run (log, own ? TXN_COMMIT : TXN_RELEASE, error))
        return TRUE;
      /* a failed COMMIT (busy, disk full) leaves the transaction open */
    }
  if (own)
    {
      if (!jc_db_get_autocommit (log->db))
        txn_run (log, TXN_ROLLBACK, NULL);
    }
  else
    {
      txn_run (log, TXN_ROLLBACK_TO, NULL);
      txn_run (log, TXN_RELEASE, NULL);
    }
  return FALSE;
}

/* Projections ------------------------------------------------------------- */

static void
projection_free (Projection *p)
{
  if (p->user_data_free != NULL)
    p->user_data_free (p->user_data);
  g_free (p->name);
  g_free (p->kind_prefix);
  g_free (p->schema_sql);
  g_strfreev (p->tables);
  g_free (p);
}

static gboolean
run_projections (JcEventlog     *log,
                 const JcEvent  *event,
                 GError        **error)
{
  const char *kind = jc_event_get_kind (event);

  for (guint i = 0; i < log->projections->len; i++)
    {
      Projection *p = g_ptr_array_index (log->projections, i);
      g_autoptr(GError) local_error = NULL;

      if (!g_str_has_prefix (kind, p->kind_prefix))
        continue;
      if (!p->func (log->db, event, p->user_data, &local_error))
        {
          g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_PROJECTION,
                       _("Projection '%s' refused event %" PRIu64 " of device %s (%s): %s"),
                       p->name, jc_event_get_seq (event), jc_event_get_device_id_hex (event), kind,
                       local_error ? local_error->message : _("no reason given"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Registers a projection: @schema_sql (CREATE … IF NOT EXISTS) runs now and
 * after every reset; @tables are dropped by a rebuild; @func sees every new
 * event whose kind starts with @kind_prefix ("" for all), in the order the
 * projections were added. */
gboolean
jc_eventlog_add_projection (JcEventlog         *log,
                            const char         *name,
                            const char         *kind_prefix,
                            const char         *projection_schema_sql,
                            const char * const *tables,
                            JcProjectionFunc    func,
                            gpointer            user_data,
                            GDestroyNotify      user_data_free,
                            GError            **error)
{
  Projection *p;

  g_return_val_if_fail (log != NULL && name != NULL && func != NULL, FALSE);

  if (projection_schema_sql != NULL &&
      jc_db_exec (log->db, projection_schema_sql) != JC_DB_OK)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_DATABASE,
                   _("Projection '%s': creating its tables failed: %s"),
                   name, jc_db_errmsg (log->db));
      if (user_data_free != NULL)
        user_data_free (user_data);
      return FALSE;
    }

  p = g_new0 (Projection, 1);
  p->name = g_strdup (name);
  p->kind_prefix = g_strdup (kind_prefix ? kind_prefix : "");
  p->schema_sql = g_strdup (projection_schema_sql);
  p->tables = g_strdupv ((char **) tables);
  p->func = func;
  p->user_data = user_data;
  p->user_data_free = user_data_free;
  g_ptr_array_add (log->projections, p);
  return TRUE;
}

/* The audit projection: one line per event, what `log show` prints. */

static const char audit_schema[] =
  "CREATE TABLE IF NOT EXISTS audit ("
  "  device_id BLOB NOT NULL,"
  "  seq       INTEGER NOT NULL,"
  "  wall_time INTEGER NOT NULL,"
  "  hq_time   INTEGER NOT NULL,"
  "  inspector TEXT NOT NULL,"
  "  kind      TEXT NOT NULL,"
  "  summary   TEXT NOT NULL,"
  "  PRIMARY KEY (device_id, seq)"
  ") WITHOUT ROWID;";

static const char * const audit_tables[] = { "audit", NULL };

/* "key=value, key=value" of the body's top level, cut at a character
 * boundary; nested values show as {…} and [n]. */
static char *
audit_summary (JsonObject *body)
{
  g_autoptr(GString) s = g_string_new (NULL);
  /* get_members() keeps the producer's order; JsonObjectIter does not */
  g_autoptr(GList) members = json_object_get_members (body);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *node = json_object_get_member (body, member);

      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append_printf (s, "%s=", member);
      switch (json_node_get_node_type (node))
        {
        case JSON_NODE_OBJECT:
          g_string_append (s, "{…}");
          break;
        case JSON_NODE_ARRAY:
          g_string_append_printf (s, "[%u]", json_array_get_length (json_node_get_array (node)));
          break;
        case JSON_NODE_NULL:
          g_string_append (s, "null");
          break;
        case JSON_NODE_VALUE:
        default:
          if (json_node_get_value_type (node) == G_TYPE_STRING)
            g_string_append (s, json_node_get_string (node));
          else
            {
              g_autofree char *text = json_to_string (node, FALSE);

              g_string_append (s, text);
            }
          break;
        }
      if (s->len > AUDIT_SUMMARY_MAX)
        break;
    }
  if (s->len > AUDIT_SUMMARY_MAX)
    {
      const char *end = g_utf8_find_prev_char (s->str, s->str + AUDIT_SUMMARY_MAX);

      g_string_truncate (s, end != NULL ? (gsize) (end - s->str) : 0);
      g_string_append (s, "…");
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
audit_apply (JcDb        *db,
             const JcEvent  *event,
             gpointer        user_data,
             GError        **error)
{
  JcDbStmt **stmt = user_data;
  g_autofree char *summary = audit_summary (jc_event_get_body_object (event));
  int rc;

  if (*stmt == NULL &&
      jc_db_prepare_v3 (db, "INSERT INTO audit (device_id, seq, wall_time, hq_time, inspector, "
                        "kind, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        -1, JC_DB_PREPARE_PERSISTENT, stmt, NULL) != JC_DB_OK)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_DATABASE, "%s", jc_db_errmsg (db));
      return FALSE;
    }
  jc_db_bind_blob (*stmt, 1, jc_event_get_device_id (event), JC_DEVICE_ID_SIZE, JC_DB_STATIC);
  jc_db_bind_int64 (*stmt, 2, (gint64) jc_event_get_seq (event));
  jc_db_bind_int64 (*stmt, 3, jc_event_get_wall_time (event));
  jc_db_bind_int64 (*stmt, 4, jc_event_get_hq_time (event));
  jc_db_bind_text (*stmt, 5, jc_event_get_inspector (event), -1, JC_DB_STATIC);
  jc_db_bind_text (*stmt, 6, jc_event_get_kind (event), -1, JC_DB_STATIC);
  jc_db_bind_text (*stmt, 7, summary, -1, JC_DB_STATIC);
  rc = jc_db_step (*stmt);
  jc_db_reset (*stmt);
  jc_db_clear_bindings (*stmt);
  if (rc != JC_DB_DONE)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_DATABASE,
                   _("inserting the audit row failed: %s"), jc_db_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

static void
audit_free (gpointer data)
{
  JcDbStmt **stmt = data;

  jc_db_finalize (*stmt);
  g_free (stmt);
}

/* Life cycle -------------------------------------------------------------- */

/* Creates the log's tables in @db when they are missing. @db stays the
 * caller's: it must outlive the log. */
JcEventlog *
jc_eventlog_new_bare (JcDb  *db,
                      GError  **error)
{
  g_autoptr(JcEventlog) log = NULL;
  JcDbStmt *stmt = NULL;

  g_return_val_if_fail (db != NULL, NULL);

  log = g_new0 (JcEventlog, 1);
  log->db = db;
  log->projections = g_ptr_array_new_with_free_func ((GDestroyNotify) projection_free);

  if (!db_exec (log, "SAVEPOINT jc_schema", "creating the event tables", error))
    return NULL;
  if (!db_exec (log, schema_sql, "creating the event tables", error) ||
      !db_exec (log, jc_db_get_dialect (db) == JC_DB_DIALECT_POSTGRESQL ? pg_guard_sql : guard_sql,
                "creating the event tables", error))
    {
      jc_db_exec (db, "ROLLBACK TO jc_schema; RELEASE jc_schema");
      return NULL;
    }
  if (!db_exec (log, "RELEASE jc_schema", "creating the event tables", error))
    return NULL;

  for (int i = 0; i < N_TXN; i++)
    if (!db_prepare (log, txn_sql[i], &log->txn_stmts[i], error))
      return NULL;
  if (!db_prepare (log, "SELECT seq, hash, replay_time FROM events WHERE device_id = ?1 "
                        "ORDER BY seq DESC LIMIT 1", &log->head_stmt, error) ||
      !db_prepare (log, "SELECT seq, hash, replay_time, "
                        "       (SELECT public_key FROM event_devices WHERE device_id = ?1) "
                        "FROM events WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1", &log->state_stmt, error) ||
      !db_prepare (log, "INSERT INTO events (device_id, seq, hash, prev_hash, encoded, signature, "
                        "kind, wall_time, replay_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                   &log->insert_stmt, error) ||
      !db_prepare (log, "SELECT public_key FROM event_devices WHERE device_id = ?1",
                   &log->key_stmt, error) ||
      !db_prepare (log, "INSERT INTO event_devices (device_id, public_key, first_seen) "
                        "VALUES (?1, ?2, ?3)", &log->add_key_stmt, error) ||
      !db_prepare (log, "SELECT encoded FROM events WHERE device_id = ?1 AND seq = ?2",
                   &log->row_stmt, error))
    return NULL;

  if (!db_prepare (log, "SELECT value FROM event_state WHERE name = 'hq_time'", &stmt, error))
    return NULL;
  if (jc_db_step (stmt) == JC_DB_ROW)
    log->hq_time = jc_db_column_int64 (stmt, 0);
  jc_db_finalize (stmt);

  return g_steal_pointer (&log);
}

JcEventlog *
jc_eventlog_new (JcDb  *db,
                 GError  **error)
{
  g_autoptr(JcEventlog) log = jc_eventlog_new_bare (db, error);

  if (log == NULL ||
      !jc_eventlog_add_projection (log, "audit", "", audit_schema, audit_tables,
                                   audit_apply, g_new0 (JcDbStmt *, 1), audit_free, error))
    return NULL;
  return g_steal_pointer (&log);
}

void
jc_eventlog_free (JcEventlog *log)
{
  if (log == NULL)
    return;
  /* projections first: their statements belong to the same connection */
  g_ptr_array_unref (log->projections);
  for (int i = 0; i < N_TXN; i++)
    jc_db_finalize (log->txn_stmts[i]);
  jc_db_finalize (log->head_stmt);
  jc_db_finalize (log->state_stmt);
  jc_db_finalize (log->insert_stmt);
  jc_db_finalize (log->key_stmt);
  jc_db_finalize (log->add_key_stmt);
  jc_db_finalize (log->row_stmt);
  g_free (log);
}

JcDb *
jc_eventlog_get_db (JcEventlog *log)
{
  return log->db;
}

/* The last HQ time seen (µs), recorded in every new event; 0 when never. */
gint64
jc_eventlog_get_hq_time (JcEventlog *log)
{
  return log->hq_time;
}

gboolean
jc_eventlog_set_hq_time (JcEventlog  *log,
                         gint64       hq_time,
                         GError     **error)
{
  JcDbStmt *stmt = NULL;
  int rc;

  if (!db_prepare (log, "INSERT INTO event_state (name, value) VALUES ('hq_time', ?1) "
                        "ON CONFLICT (name) DO UPDATE SET value = ?1",
                   &stmt, error))
    return FALSE;
  jc_db_bind_int64 (stmt, 1, hq_time);
  rc = jc_db_step (stmt);
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (log, error, "recording the HQ time");
  log->hq_time = hq_time;
  return TRUE;
}

/* Batches: many appends, one commit (benchmarks, imports, HQ merges). */
gboolean
jc_eventlog_begin (JcEventlog  *log,
                   GError     **error)
{
  return txn_run (log, TXN_BEGIN, error);
}

gboolean
jc_eventlog_commit (JcEventlog  *log,
                    GError     **error)
{
  if (txn_run (log, TXN_COMMIT, error))
    return TRUE;
  jc_eventlog_rollback (log);
  return FALSE;
}

void
jc_eventlog_rollback (JcEventlog *log)
{
  if (!jc_db_get_autocommit (log->db))
    txn_run (log, TXN_ROLLBACK, NULL);
}

/* Reading ----------------------------------------------------------------- */

static gboolean
read_key (JcEventlog    *log,
          const guint8  *device_id,
          guint8        *out_public_key,
          gboolean      *out_found,
          GError       **error)
{
  int rc;

  jc_db_bind_blob (log->key_stmt, 1, device_id, JC_DEVICE_ID_SIZE, JC_DB_STATIC);
  rc = jc_db_step (log->key_stmt);
  *out_found = FALSE;
  if (rc == JC_DB_ROW)
    {
      const guint8 *pk = column_blob (log->key_stmt, 0, JC_DEVICE_PUBLIC_KEY_SIZE);

      if (pk != NULL)
        {
          memcpy (out_public_key, pk, JC_DEVICE_PUBLIC_KEY_SIZE);
          *out_found = TRUE;
        }
    }
  jc_db_reset (log->key_stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return db_fail (log, error, "reading a device key");
  return TRUE;
}

/* The public key the log knows for @device_id. */
gboolean
jc_eventlog_get_device_key (JcEventlog    *log,
                            const guint8  *device_id,
                            guint8        *out_public_key,
                            GError       **error)
{
  gboolean found;

  if (!read_key (log, device_id, out_public_key, &found, error))
    return FALSE;
  if (!found)
    {
      g_autofree char *id = hex (device_id, JC_DEVICE_ID_SIZE);

      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_SIGNATURE,
                   _("Device %s is not known to the event log"), id);
      return FALSE;
    }
  return TRUE;
}

/* Records @public_key for @device_id, or checks it against the one known. */
static gboolean
ensure_key (JcEventlog    *log,
            const guint8  *device_id,
            const guint8  *public_key,
            GError       **error)
{
  guint8 known[JC_DEVICE_PUBLIC_KEY_SIZE];
  gboolean found;
  int rc;

  if (!read_key (log, device_id, known, &found, error))
    return FALSE;
  if (found)
    {
      if (sodium_memcmp (known, public_key, sizeof known) != 0)
        {
          g_autofree char *id = hex (device_id, JC_DEVICE_ID_SIZE);

          g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_KEY_MISMATCH,
                       _("Device %s is known with another public key"), id);
          return FALSE;
        }
      return TRUE;
    }
  jc_db_bind_blob (log->add_key_stmt, 1, device_id, JC_DEVICE_ID_SIZE, JC_DB_STATIC);
  jc_db_bind_blob (log->add_key_stmt, 2, public_key, JC_DEVICE_PUBLIC_KEY_SIZE, JC_DB_STATIC);
  jc_db_bind_int64 (log->add_key_stmt, 3, g_get_real_time ());
  rc = jc_db_step (log->add_key_stmt);
  jc_db_reset (log->add_key_stmt);
  if (rc != JC_DB_DONE)
    return db_fail (log, error, "recording a device key");
  return TRUE;
}

/* The last event of a chain: seq 0 and a zero hash when there is none. */
/* The head of @device_id's chain (seq 0 when it has none). With @key (an
 * insert, which needs both), the device's known key comes in the same
 * statement: *@key_found says whether there is one. */
static gboolean
read_head_and_key (JcEventlog    *log,
                   const guint8  *device_id,
                   guint64       *out_seq,
                   guint8        *out_hash,
                   gint64        *out_replay_time,
                   guint8        *key,
                   gboolean      *key_found,
                   GError       **error)
{
  JcDbStmt *stmt = key != NULL ? log->state_stmt : log->head_stmt;
  int rc;

  *out_seq = 0;
  memset (out_hash, 0, JC_EVENT_HASH_SIZE);
  *out_replay_time = G_MININT64;

  jc_db_bind_blob (stmt, 1, device_id, JC_DEVICE_ID_SIZE, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      const guint8 *hash = column_blob (stmt, 1, JC_EVENT_HASH_SIZE);
      const guint8 *pk = key != NULL ? column_blob (stmt, 3, JC_DEVICE_PUBLIC_KEY_SIZE) : NULL;

      if (hash == NULL)
        {
          g_autofree char *id = hex (device_id, JC_DEVICE_ID_SIZE);

          g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CORRUPT,
                       _("Event %" PRId64 " of device %s: the hash column is damaged"),
                       (gint64) jc_db_column_int64 (stmt, 0), id);
          jc_db_reset (stmt);
          return FALSE;
        }
      *out_seq = (guint64) jc_db_column_int64 (stmt, 0);
      memcpy (out_hash, hash, JC_EVENT_HASH_SIZE);
      *out_replay_time = jc_db_column_int64 (stmt, 2);
      if (key != NULL)
        {
          *key_found = pk != NULL;
          if (pk != NULL)
            memcpy (key, pk, JC_DEVICE_PUBLIC_KEY_SIZE);
        }
    }
  jc_db_reset (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return db_fail (log, error, "reading the head of a chain");
  /* no event yet: the key, if any, on its own */
  if (rc == JC_DB_DONE && key != NULL)
    return read_key (log, device_id, key, key_found, error);
  return TRUE;
}

static gboolean
read_head (JcEventlog    *log,
           const guint8  *device_id,
           guint64       *out_seq,
           guint8        *out_hash,
           gint64        *out_replay_time,
           GError       **error)
{
  return read_head_and_key (log, device_id, out_seq, out_hash, out_replay_time, NULL, NULL, error);
}

gboolean
jc_eventlog_get_head (JcEventlog    *log,
                      const guint8  *device_id,
                      guint64       *out_seq,
                      guint8        *out_hash,
                      GError       **error)
{
  guint8 hash[JC_EVENT_HASH_SIZE];
  guint64 seq;
  gint64 replay_time;

  if (!read_head (log, device_id, &seq, hash, &replay_time, error))
    return FALSE;
  if (out_seq != NULL)
    *out_seq = seq;
  if (out_hash != NULL)
    memcpy (out_hash, hash, sizeof hash);
  return TRUE;
}

/* Every device's last seq: what this log holds, for a sync peer. */
GArray *
jc_eventlog_get_heads (JcEventlog  *log,
                       GError     **error)
{
  g_autoptr(GArray) heads = g_array_new (FALSE, TRUE, sizeof (JcEventlogCursor));
  JcDbStmt *stmt = NULL;
  int rc;

  if (!db_prepare (log, "SELECT device_id, max(seq) FROM events GROUP BY device_id ORDER BY device_id",
                   &stmt, error))
    return NULL;
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      const guint8 *id = column_blob (stmt, 0, JC_DEVICE_ID_SIZE);
      JcEventlogCursor c;

      if (id == NULL)
        continue;
      memcpy (c.device_id, id, JC_DEVICE_ID_SIZE);
      c.seq = (guint64) jc_db_column_int64 (stmt, 1);
      g_array_append_val (heads, c);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_fail (log, error, "listing the chains");
      return NULL;
    }
  return g_steal_pointer (&heads);
}

/* Decodes a stored row (encoded, signature) into a signed event. */
static JcEvent *
event_from_row (JcDbStmt  *stmt,
                int            encoded_col,
                int            signature_col,
                const guint8  *device_id,
                guint64        seq,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JcEvent) event = NULL;

  event = jc_event_decode (jc_db_column_blob (stmt, encoded_col),
                           jc_db_column_bytes (stmt, encoded_col), &local_error);
  if (event == NULL ||
      !jc_event_set_signature (event, jc_db_column_blob (stmt, signature_col),
                               jc_db_column_bytes (stmt, signature_col), &local_error))
    {
      g_autofree char *id = hex (device_id, JC_DEVICE_ID_SIZE);

      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CORRUPT,
                   _("Event %" PRIu64 " of device %s: the stored event is damaged: %s"),
                   seq, id, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&event);
}

/* The events of @device_id after @after_seq, in order, at most @limit (0:
 * all), each with its signature: what a sync peer asks for. */
GPtrArray *
jc_eventlog_get_events_after (JcEventlog    *log,
                              const guint8  *device_id,
                              guint64        after_seq,
                              guint          limit,
                              GError       **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_event_unref);
  JcDbStmt *stmt = NULL;
  int rc;

  if (!db_prepare (log, "SELECT seq, encoded, signature FROM events WHERE device_id = ?1 AND seq > ?2 "
                        "ORDER BY seq LIMIT ?3", &stmt, error))
    return NULL;
  jc_db_bind_blob (stmt, 1, device_id, JC_DEVICE_ID_SIZE, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) MIN (after_seq, (guint64) G_MAXINT64));
  jc_db_bind_int64 (stmt, 3, limit == 0 ? -1 : (gint64) limit);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcEvent *event = event_from_row (stmt, 1, 2, device_id,
                                       (guint64) jc_db_column_int64 (stmt, 0), error);

      if (event == NULL)
        {
          jc_db_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (events, event);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_fail (log, error, "reading events");
      return NULL;
    }
  return g_steal_pointer (&events);
}

/* Calls @func for every event in replay order; with @since, only for the
 * events after each listed device's seq (devices not listed: all). */
gboolean
jc_eventlog_foreach (JcEventlog             *log,
                     const JcEventlogCursor *since,
                     gsize                   n_since,
                     JcEventlogFunc          func,
                     gpointer                user_data,
                     GError                **error)
{
  g_autoptr(GHashTable) after = NULL;
  JcDbStmt *stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (func != NULL, FALSE);

  if (n_since > 0)
    {
      after = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
      for (gsize i = 0; i < n_since; i++)
        g_hash_table_insert (after, g_bytes_new (since[i].device_id, JC_DEVICE_ID_SIZE),
                             (gpointer) &since[i].seq);
    }

  if (!db_prepare (log, "SELECT device_id, seq, encoded, signature FROM events "
                        "ORDER BY replay_time, device_id, seq", &stmt, error))
    return FALSE;
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      const guint8 *id = jc_db_column_blob (stmt, 0);
      guint64 seq = (guint64) jc_db_column_int64 (stmt, 1);
      g_autoptr(JcEvent) event = NULL;
      g_autoptr(GError) local_error = NULL;

      if (after != NULL && jc_db_column_bytes (stmt, 0) == JC_DEVICE_ID_SIZE)
        {
          g_autoptr(GBytes) key = g_bytes_new_static (id, JC_DEVICE_ID_SIZE);
          const guint64 *known = g_hash_table_lookup (after, key);

          if (known != NULL && seq <= *known)
            continue;
        }
      event = event_from_row (stmt, 2, 3, id, seq, error);
      if (event == NULL)
        {
          ok = FALSE;
          break;
        }
      if (!func (event, user_data, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
            }
          break;
        }
    }
  if (ok && rc != JC_DB_DONE && rc != JC_DB_ROW)
    ok = db_fail (log, error, "reading events");
  jc_db_finalize (stmt);
  return ok;
}

/* Writing ----------------------------------------------------------------- */

/* Inserts a signed event after its chain head and feeds the projections. */
static gboolean
store_event (JcEventlog     *log,
             const JcEvent  *event,
             gint64          head_replay_time,
             GError        **error)
{
  gsize len;
  const guint8 *encoded = jc_event_get_encoded (event, &len);
  gint64 replay_time = MAX (jc_event_get_wall_time (event), head_replay_time);
  int rc;

  jc_db_bind_blob (log->insert_stmt, 1, jc_event_get_device_id (event), JC_DEVICE_ID_SIZE,
                   JC_DB_STATIC);
  jc_db_bind_int64 (log->insert_stmt, 2, (gint64) jc_event_get_seq (event));
  jc_db_bind_blob (log->insert_stmt, 3, jc_event_get_hash (event), JC_EVENT_HASH_SIZE, JC_DB_STATIC);
  jc_db_bind_blob (log->insert_stmt, 4, jc_event_get_prev_hash (event), JC_EVENT_HASH_SIZE,
                   JC_DB_STATIC);
  jc_db_bind_blob (log->insert_stmt, 5, encoded, (int) len, JC_DB_STATIC);
  jc_db_bind_blob (log->insert_stmt, 6, jc_event_get_signature (event), JC_DEVICE_SIGNATURE_SIZE,
                   JC_DB_STATIC);
  jc_db_bind_text (log->insert_stmt, 7, jc_event_get_kind (event), -1, JC_DB_STATIC);
  jc_db_bind_int64 (log->insert_stmt, 8, jc_event_get_wall_time (event));
  jc_db_bind_int64 (log->insert_stmt, 9, replay_time);
  rc = jc_db_step (log->insert_stmt);
  jc_db_reset (log->insert_stmt);
  jc_db_clear_bindings (log->insert_stmt);
  if (rc != JC_DB_DONE)
    {
      g_autofree char *what = g_strdup_printf ("storing event %" PRIu64 " of device %s",
                                               jc_event_get_seq (event),
                                               jc_event_get_device_id_hex (event));
      return db_fail (log, error, what);
    }
  return run_projections (log, event, error);
}

static JcEvent *
append_locked (JcEventlog      *log,
               const JcDevice  *device,
               const char      *inspector,
               const char      *kind,
               const char      *body_json,
               GError         **error)
{
  g_autoptr(JcEvent) event = NULL;
  guint8 head_hash[JC_EVENT_HASH_SIZE];
  guint64 head_seq;
  gint64 head_replay_time;

  /* a head remembered by a run would now be behind */
  log->run_valid = FALSE;
  if (!ensure_key (log, jc_device_get_id (device), jc_device_get_public_key (device), error) ||
      !read_head (log, jc_device_get_id (device), &head_seq, head_hash, &head_replay_time, error))
    return NULL;
  event = jc_event_new (jc_device_get_id (device), head_seq + 1, head_hash,
                        g_get_real_time (), g_get_monotonic_time (), log->hq_time,
                        inspector, kind, body_json, error);
  if (event == NULL ||
      !jc_event_sign (event, device, error) ||
      !store_event (log, event, head_replay_time, error))
    return NULL;
  return g_steal_pointer (&event);
}

/* Appends the next event of @device's chain, signed, and returns once it is
 * committed (or, inside jc_eventlog_begin(), once it is part of the batch).
 * On failure nothing of it remains. */
gboolean
jc_eventlog_append (JcEventlog      *log,
                    const JcDevice  *device,
                    const char      *inspector,
                    const char      *kind,
                    const char      *body_json,
                    JcEvent        **out_event,
                    GError         **error)
{
  g_autoptr(JcEvent) event = NULL;
  gboolean own;

  g_return_val_if_fail (log != NULL && device != NULL, FALSE);

  if (!txn_begin (log, &own, error))
    return FALSE;
  event = append_locked (log, device, inspector, kind, body_json, error);
  if (!txn_end (log, own, event != NULL, event != NULL ? error : NULL))
    return FALSE;
  if (out_event != NULL)
    *out_event = g_steal_pointer (&event);
  return TRUE;
}

static gboolean
insert_foreign_locked (JcEventlog     *log,
                       const JcEvent  *event,
                       const guint8   *public_key,
                       gboolean       *out_added,
                       GError        **error)
{
  const guint8 *device_id = jc_event_get_device_id (event);
  const char *id = jc_event_get_device_id_hex (event);
  guint64 seq = jc_event_get_seq (event);
  guint8 known_key[JC_DEVICE_PUBLIC_KEY_SIZE];
  guint8 head_hash[JC_EVENT_HASH_SIZE];
  guint64 head_seq;
  gint64 head_replay_time;
  gboolean key_found;

  if (log->run_valid && memcmp (log->run_device, device_id, JC_DEVICE_ID_SIZE) == 0)
    {
      head_seq = log->run_seq;
      memcpy (head_hash, log->run_hash, JC_EVENT_HASH_SIZE);
      head_replay_time = log->run_replay_time;
      memcpy (known_key, log->run_key, JC_DEVICE_PUBLIC_KEY_SIZE);
      key_found = TRUE;
    }
  else if (!read_head_and_key (log, device_id, &head_seq, head_hash, &head_replay_time, known_key, &key_found,
                               error))
    return FALSE;
  if (key_found && sodium_memcmp (known_key, public_key, sizeof known_key) != 0)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_KEY_MISMATCH,
                   _("Event %" PRIu64 " of device %s: signed with a key other than the "
                     "device's known public key"), seq, id);
      return FALSE;
    }

  /* Already there? The same bytes are a duplicate; other bytes a conflict. */
  if (seq <= head_seq)
    {
      gsize len;
      const guint8 *encoded = jc_event_get_encoded (event, &len);
      gboolean same;
      int rc;

      jc_db_bind_blob (log->row_stmt, 1, device_id, JC_DEVICE_ID_SIZE, JC_DB_STATIC);
      jc_db_bind_int64 (log->row_stmt, 2, (gint64) seq);
      rc = jc_db_step (log->row_stmt);
      same = rc == JC_DB_ROW &&
             (gsize) jc_db_column_bytes (log->row_stmt, 0) == len &&
             memcmp (jc_db_column_blob (log->row_stmt, 0), encoded, len) == 0;
      jc_db_reset (log->row_stmt);
      if (rc != JC_DB_ROW && rc != JC_DB_DONE)
        return db_fail (log, error, "looking up an event");
      if (rc == JC_DB_DONE)
        {
          g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CHAIN,
                       _("Event %" PRIu64 " of device %s is missing from the middle of "
                         "the stored chain (which reaches %" PRIu64 "): the log is damaged"),
                       seq, id, head_seq);
          return FALSE;
        }
      if (!same)
        {
          g_autofree char *theirs = hex (jc_event_get_hash (event), 8);

          g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CONFLICT,
                       _("Event %" PRIu64 " of device %s conflicts with the stored event "
                         "%" PRIu64 " (a different event, hash %s…, claims the same place "
                         "in the chain)"), seq, id, seq, theirs);
          return FALSE;
        }
      *out_added = FALSE;
      return TRUE;
    }

  if (seq > head_seq + 1)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_GAP,
                   _("Event %" PRIu64 " of device %s comes after a gap: the log holds "
                     "events up to %" PRIu64 ", so %" PRIu64 "–%" PRIu64
                     " are missing"), seq, id, head_seq, head_seq + 1, seq - 1);
      return FALSE;
    }
  if (sodium_memcmp (jc_event_get_prev_hash (event), head_hash, JC_EVENT_HASH_SIZE) != 0)
    {
      g_set_error (error, JC_EVENTLOG_ERROR, JC_EVENTLOG_ERROR_CHAIN,
                   _("Event %" PRIu64 " of device %s does not follow the stored event "
                     "%" PRIu64 ": its previous hash differs (out of chain)"),
                   seq, id, head_seq);
      return FALSE;
    }
  if (!key_found && !ensure_key (log, device_id, public_key, error))
    return FALSE;
  if (!store_event (log, event, head_replay_time, error))
    return FALSE;
  if (log->in_run)
    {
      /* the new head, remembered once the insert's savepoint is released */
      memcpy (log->run_device, device_id, JC_DEVICE_ID_SIZE);
      log->run_seq = seq;
      memcpy (log->run_hash, jc_event_get_hash (event), JC_EVENT_HASH_SIZE);
      log->run_replay_time = MAX (jc_event_get_wall_time (event), head_replay_time);
      memcpy (log->run_key, public_key, JC_DEVICE_PUBLIC_KEY_SIZE);
    }
  *out_added = TRUE;
  return TRUE;
}

/* Stores a decoded, signed event received from elsewhere, after checking
 * its signature against @public_key (skipped when jc_event_verify() already
 * checked it with that key, e.g. in a worker thread) and its place in the
 * chain. See jc_eventlog_insert_foreign() for the outcomes. */
gboolean
jc_eventlog_insert_event (JcEventlog    *log,
                          JcEvent       *event,
                          const guint8  *public_key,
                          gboolean      *out_added,
                          GError       **error)
{
  gboolean added = FALSE;
  gboolean own = FALSE;
  gboolean bare;
  gboolean ok;

  g_return_val_if_fail (log != NULL && event != NULL && public_key != NULL, FALSE);

  if (!jc_event_is_verified_with (event, public_key) &&
      !jc_event_verify (event, public_key, error))
    return FALSE;

  /* a savepoint costs a merge a twentieth of its time: a run may do without */
  bare = log->in_run && !log->run_undo_each && !jc_db_get_autocommit (log->db);
  if (!bare && !txn_begin (log, &own, error))
    return FALSE;
  /* a remembered head is good only inside the caller's transaction */
  log->run_valid = log->run_valid && !own;
  ok = insert_foreign_locked (log, event, public_key, &added, error);
  if (bare ? !ok : !txn_end (log, own, ok, ok ? error : NULL))
    {
      log->run_valid = FALSE;
      return FALSE;
    }
  /* insert_foreign_locked() noted the new head */
  if (added)
    log->run_valid = log->in_run && !own;
  if (out_added != NULL)
    *out_added = added;
  return TRUE;
}

/* Between these two, inside one transaction the caller holds, only this
 * log stores events (HQ's merge of one bundle): so the head of a chain
 * stored to is remembered, not read back before each next event. The
 * caller ends the run before that transaction ends, and rolls back to a
 * savepoint only over events whose insert failed.
 *
 * With @undo_each FALSE an insert opens no savepoint of its own. One that
 * fails before it writes (a duplicate's conflict, a gap, a broken chain,
 * another key) leaves nothing, as ever; one refused by a projection
 * (JC_EVENTLOG_ERROR_PROJECTION) may leave what it had written, and the
 * caller must roll its whole transaction back (HQ merges the bundle again
 * with @undo_each TRUE). */
void
jc_eventlog_begin_run (JcEventlog *log,
                       gboolean    undo_each)
{
  log->in_run = TRUE;
  log->run_undo_each = undo_each;
  log->run_valid = FALSE;
}

void
jc_eventlog_end_run (JcEventlog *log)
{
  log->in_run = FALSE;
  log->run_valid = FALSE;
}

/* Stores an event received from elsewhere (sync, HQ, a USB bundle) after
 * checking its encoding, its signature against @public_key and its place in
 * the chain. An identical duplicate succeeds and changes nothing
 * (*@out_added = FALSE); a different event at the same (device, seq) is
 * JC_EVENTLOG_ERROR_CONFLICT; an event after a hole is JC_EVENTLOG_ERROR_GAP
 * (hold it until the missing ones arrive); one whose prev_hash is not the
 * stored head's hash is JC_EVENTLOG_ERROR_CHAIN; a device known with
 * another key is JC_EVENTLOG_ERROR_KEY_MISMATCH. Malformed bytes and bad
 * signatures are JC_EVENT_ERROR_MALFORMED / _UNSUPPORTED / _SIGNATURE. */
gboolean
jc_eventlog_insert_foreign (JcEventlog    *log,
                            const guint8  *encoded,
                            gsize          encoded_len,
                            const guint8  *signature,
                            gsize          signature_len,
                            const guint8  *public_key,
                            gboolean      *out_added,
                            GError       **error)
{
  g_autoptr(JcEvent) event = NULL;

  g_return_val_if_fail (log != NULL && public_key != NULL, FALSE);

  event = jc_event_decode (encoded, encoded_len, error);
  if (event == NULL ||
      !jc_event_set_signature (event, signature, signature_len, error))
    return FALSE;
  return jc_eventlog_insert_event (log, event, public_key, out_added, error);
}

/* Verification ------------------------------------------------------------ */

typedef struct {
  guint8   device_id[JC_DEVICE_ID_SIZE];
  char     device_hex[JC_DEVICE_ID_HEX_SIZE + 1];
  guint8   public_key[JC_DEVICE_PUBLIC_KEY_SIZE];
  guint64  expected_seq;
  guint8   prev_hash[JC_EVENT_HASH_SIZE];
  gint64   prev_replay_time;
} ChainState;

static gboolean verify_fail (GError     **error,
                             int          code,
                             guint64      seq,
                             const char  *device_hex,
                             const char  *format,
                             ...) G_GNUC_PRINTF (5, 6);

static gboolean
verify_fail (GError     **error,
             int          code,
             guint64      seq,
             const char  *device_hex,
             const char  *format,
             ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, JC_EVENTLOG_ERROR, code,
               _("Event log verification failed at event %" PRIu64 " of device %s: %s"),
               seq, device_hex, what);
  return FALSE;
}

static gboolean
verify_row (JcEventlog    *log,
            JcDbStmt  *stmt,
            ChainState    *chain,
            GError       **error)
{
  const guint8 *row_id = column_blob (stmt, 0, JC_DEVICE_ID_SIZE);
  guint64 seq = (guint64) jc_db_column_int64 (stmt, 1);
  g_autoptr(JcEvent) event = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *col;

  if (row_id == NULL)
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, "?",
                        _("the device id column is damaged"));

  if (chain->expected_seq == 0 || memcmp (row_id, chain->device_id, JC_DEVICE_ID_SIZE) != 0)
    {
      gboolean found;

      memcpy (chain->device_id, row_id, JC_DEVICE_ID_SIZE);
      sodium_bin2hex (chain->device_hex, sizeof chain->device_hex, row_id, JC_DEVICE_ID_SIZE);
      chain->expected_seq = 1;
      memset (chain->prev_hash, 0, JC_EVENT_HASH_SIZE);
      chain->prev_replay_time = G_MININT64;
      if (!read_key (log, row_id, chain->public_key, &found, error))
        return FALSE;
      if (!found)
        return verify_fail (error, JC_EVENTLOG_ERROR_SIGNATURE, seq, chain->device_hex,
                            _("the device has events but no known public key"));
    }

  if (seq != chain->expected_seq)
    {
      if (chain->expected_seq == 1)
        return verify_fail (error, JC_EVENTLOG_ERROR_CHAIN, chain->expected_seq, chain->device_hex,
                            _("missing: the chain starts at %" PRIu64 " (events removed)"),
                            seq);
      return verify_fail (error, JC_EVENTLOG_ERROR_CHAIN, chain->expected_seq, chain->device_hex,
                          _("missing: the chain jumps from %" PRIu64 " to %" PRIu64
                          " (events removed)"), chain->expected_seq - 1, seq);
    }

  event = jc_event_decode (jc_db_column_blob (stmt, 4), jc_db_column_bytes (stmt, 4), &local_error);
  if (event == NULL)
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, chain->device_hex,
                        _("the stored encoding is damaged: %s"), local_error->message);
  if (memcmp (jc_event_get_device_id (event), row_id, JC_DEVICE_ID_SIZE) != 0 ||
      jc_event_get_seq (event) != seq)
    return verify_fail (error, JC_EVENTLOG_ERROR_CHAIN, seq, chain->device_hex,
                        _("the row holds event %" PRIu64 " of device %s (events reordered "
                        "or moved)"), jc_event_get_seq (event), jc_event_get_device_id_hex (event));

  if (!jc_event_set_signature (event, jc_db_column_blob (stmt, 5), jc_db_column_bytes (stmt, 5),
                               &local_error) ||
      !jc_event_verify (event, chain->public_key, &local_error))
    return verify_fail (error, JC_EVENTLOG_ERROR_SIGNATURE, seq, chain->device_hex,
                        _("the signature does not verify against the device key (event altered or "
                        "forged)"));

  if (sodium_memcmp (jc_event_get_prev_hash (event), chain->prev_hash, JC_EVENT_HASH_SIZE) != 0)
    return verify_fail (error, JC_EVENTLOG_ERROR_CHAIN, seq, chain->device_hex,
                        _("its previous hash is not the hash of event %" PRIu64
                        " (an earlier event was replaced)"), seq - 1);

  /* The plain columns are indexes into the encoding: they must agree. */
  col = column_blob (stmt, 2, JC_EVENT_HASH_SIZE);
  if (col == NULL || memcmp (col, jc_event_get_hash (event), JC_EVENT_HASH_SIZE) != 0)
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, chain->device_hex,
                        _("the hash column does not match the event"));
  col = column_blob (stmt, 3, JC_EVENT_HASH_SIZE);
  if (col == NULL || memcmp (col, jc_event_get_prev_hash (event), JC_EVENT_HASH_SIZE) != 0)
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, chain->device_hex,
                        _("the prev_hash column does not match the event"));
  if (g_strcmp0 ((const char *) jc_db_column_text (stmt, 6), jc_event_get_kind (event)) != 0)
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, chain->device_hex,
                        _("the kind column does not match the event"));
  if (jc_db_column_int64 (stmt, 7) != jc_event_get_wall_time (event) ||
      jc_db_column_int64 (stmt, 8) != MAX (jc_event_get_wall_time (event), chain->prev_replay_time))
    return verify_fail (error, JC_EVENTLOG_ERROR_CORRUPT, seq, chain->device_hex,
                        _("the time columns do not match the event"));

  memcpy (chain->prev_hash, jc_event_get_hash (event), JC_EVENT_HASH_SIZE);
  chain->prev_replay_time = jc_db_column_int64 (stmt, 8);
  chain->expected_seq++;
  return TRUE;
}

/* Checks every event of every device: its encoding, its signature against
 * the device key, seq contiguous from 1, the prev_hash chain and the stored
 * columns. The first failure names the device, the seq and what is wrong.
 * (A chain cut short at its end cannot be seen here; the sync receipts and
 * HQ's copy are what show that.) */
gboolean
jc_eventlog_verify (JcEventlog  *log,
                    GError     **error)
{
  ChainState chain = { { 0 } };
  JcDbStmt *stmt = NULL;
  int rc;

  if (!db_prepare (log, "SELECT device_id, seq, hash, prev_hash, encoded, signature, kind, "
                        "wall_time, replay_time FROM events ORDER BY device_id, seq", &stmt, error))
    return FALSE;
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      if (!verify_row (log, stmt, &chain, error))
        {
          jc_db_finalize (stmt);
          return FALSE;
        }
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return db_fail (log, error, "reading events to verify");
  return TRUE;
}

/* Rebuild ----------------------------------------------------------------- */

static gboolean
replay_one (const JcEvent  *event,
            gpointer        user_data,
            GError        **error)
{
  return run_projections (user_data, event, error);
}

/* Drops every registered projection table, recreates it and replays every
 * event into it, in one transaction: readers see the old or the new tables.
 * It does not check signatures (jc_eventlog_verify() does). */
gboolean
jc_eventlog_rebuild_projections (JcEventlog  *log,
                                 GError     **error)
{
  gboolean own;
  gboolean ok = TRUE;

  if (!txn_begin (log, &own, error))
    return FALSE;
  for (guint i = 0; ok && i < log->projections->len; i++)
    {
      Projection *p = g_ptr_array_index (log->projections, i);

      for (guint t = 0; ok && p->tables != NULL && p->tables[t] != NULL; t++)
        {
          /* the projections' own table names, never input */
          g_autofree char *sql = g_strdup_printf ("DROP TABLE IF EXISTS \"%s\"", p->tables[t]);

          ok = db_exec (log, sql, "dropping a projection table", error);
        }
      if (ok && p->schema_sql != NULL)
        ok = db_exec (log, p->schema_sql, "creating a projection table", error);
    }
  if (ok)
    ok = jc_eventlog_foreach (log, NULL, 0, replay_one, log, error);
  return txn_end (log, own, ok, ok ? error : NULL);
}

gboolean
jc_eventlog_step_with_origin (JcDb        *db,
                              JcDbStmt   *stmt,
                              const JcEvent  *event,
                              int             first,
                              GError        **error)
{
  int rc;

  if (stmt == NULL)
    {
      jc_db_set_error (db, jc_db_errcode (db), error);
      return FALSE;
    }
  jc_db_bind_text (stmt, first, jc_event_get_device_id_hex (event), -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, first + 1, (gint64) jc_event_get_seq (event));
  rc = jc_db_step (stmt);
  /* The message is read before finalize, while it is still the step's. */
  if (rc != JC_DB_DONE)
    jc_db_set_error (db, rc, error);
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE;
}
