/* jc-hq-objections.c — objections (异议) to disputed findings, and their review */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger.h"
#include "jc-hq-objections.h"
#include "jc-hq-sql.h"
#include "jc-hq-table.h"

G_DEFINE_QUARK (jc-hq-objection-error-quark, jc_hq_objection_error)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS hq_objections ("
  "  id INTEGER PRIMARY KEY,"
  "  finding_id TEXT NOT NULL UNIQUE,"
  "  representative TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  amount_fen INTEGER NOT NULL,"
  "  opened_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'open',"
  "  decided_amount_fen INTEGER,"
  "  decision_reason TEXT,"
  "  decided_by TEXT,"
  "  decided_at INTEGER,"
  "  entry_id INTEGER);";

static const char * const decision_names[] = { "upheld", "rejected", "partial" };

gboolean
jc_hq_objection_decision_from_string (const char *name, JcHqObjectionDecision *decision, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (decision_names); i++)
    if (g_strcmp0 (name, decision_names[i]) == 0)
      {
        *decision = (JcHqObjectionDecision) i;
        return TRUE;
      }
  g_set_error (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_INVALID,
               _("Unknown decision “%s”: use upheld, rejected or partial"), name ? name : "");
  return FALSE;
}

static char *
subject_of (gint64 id)
{
  return g_strdup_printf ("objection:%" PRId64, id);
}

/* One objection per live disputed finding without one. */
static gboolean
open_new (JcHqStore *store, guint *n, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  JcDbStmt *pick = NULL;
  gboolean ok = TRUE;

  if (!jc_hq_sql_prepare (db, "SELECT f.id, c.name, c.reason, f.amount_fen FROM findings f "
                              "JOIN finding_confirmations c ON c.finding_id = f.id "
                              "WHERE c.status = 'disputed' AND f.superseded_by IS NULL "
                              "AND NOT EXISTS (SELECT 1 FROM hq_objections o WHERE o.finding_id = f.id) "
                              "ORDER BY f.sealed_at, f.seq, f.id", &pick, error))
    return FALSE;
  while (ok && jc_db_step (pick) == JC_DB_ROW)
    {
      g_autoptr(JsonObject) changes = json_object_new ();
      g_autofree char *subject = NULL;
      const char *finding = (const char *) jc_db_column_text (pick, 0);
      gint64 id = 0;

      ok = jc_hq_sql_prepare (db, "INSERT INTO hq_objections (finding_id, representative, reason, amount_fen, "
                                  "opened_at) VALUES (?, ?, ?, ?, ?) RETURNING id", &stmt, error);
      if (!ok)
        break;
      for (int i = 0; i < 3; i++)
        jc_db_bind_text (stmt, i + 1, (const char *) jc_db_column_text (pick, i), -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 4, jc_db_column_int64 (pick, 3));
      jc_db_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
      ok = jc_hq_sql_run_id (db, stmt, "hq_objections", &id, error);
      if (!ok)
        break;
      subject = subject_of (id);
      json_object_set_string_member (changes, "finding", finding);
      json_object_set_string_member (changes, "representative", (const char *) jc_db_column_text (pick, 1));
      json_object_set_string_member (changes, "reason", (const char *) jc_db_column_text (pick, 2));
      json_object_set_int_member (changes, "amount_fen", jc_db_column_int64 (pick, 3));
      ok = jc_hq_history_append (store, subject, "objection.open", "jiancha-hq", changes, error);
      (*n)++;
    }
  jc_db_finalize (pick);
  return ok;
}

/* Closes the open objections whose finding an amendment superseded: the
 * amendment has its own answer (and its own objection when disputed). */
static gboolean
close_superseded (JcHqStore *store, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) by = g_ptr_array_new_with_free_func (g_free);
  JcDbStmt *stmt = NULL;

  if (!jc_hq_sql_prepare (db, "SELECT o.id, f.superseded_by FROM hq_objections o JOIN findings f ON f.id = o.finding_id "
                              "WHERE o.status = 'open' AND f.superseded_by IS NOT NULL ORDER BY o.id", &stmt, error))
    return FALSE;
  while (jc_db_step (stmt) == JC_DB_ROW)
    {
      gint64 id = jc_db_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      g_ptr_array_add (by, g_strdup ((const char *) jc_db_column_text (stmt, 1)));
    }
  jc_db_finalize (stmt);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autofree char *subject = subject_of (id);
      g_autoptr(JsonObject) changes = json_object_new ();

      if (!jc_hq_sql_prepare (db, "UPDATE hq_objections SET status = 'superseded', decided_at = ? WHERE id = ?",
                              &stmt, error))
        return FALSE;
      jc_db_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_int64 (stmt, 2, id);
      if (!jc_hq_sql_run (db, stmt, "hq_objections", error))
        return FALSE;
      json_object_set_string_member (changes, "status", "superseded");
      json_object_set_string_member (changes, "superseded_by", by->pdata[i]);
      if (!jc_hq_history_append (store, subject, "objection.supersede", "jiancha-hq", changes, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
jc_hq_objections_refresh (JcHqStore *store, guint *n_opened, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  guint n = 0;
  gboolean ok;

  if (!jc_hq_ledger_refresh (store, NULL, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = jc_hq_sql_exec (db, schema, error) && jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error);
  if (ok)
    {
      gboolean news = FALSE;

      ok = jc_hq_sql_finish (db, jc_hq_ledger_news_locked (store, "objections", &news, error) &&
                                 (!news || (close_superseded (store, error) && open_new (store, &n, error))),
                                 error);
    }
  jc_hq_store_unlock (store);
  if (ok && n_opened != NULL)
    *n_opened = n;
  return ok;
}

typedef struct {
  char   *finding;
  char   *status;
  char   *superseded_by;
  gint64  amount_fen;
} Objection;

static void
objection_clear (Objection *o)
{
  g_free (o->finding);
  g_free (o->status);
  g_free (o->superseded_by);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Objection, objection_clear)

static gboolean
load (JcDb *db, gint64 id, Objection *o, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_sql_prepare (db, "SELECT o.finding_id, o.status, f.superseded_by, o.amount_fen FROM hq_objections o "
                              "JOIN findings f ON f.id = o.finding_id WHERE o.id = ?", &stmt, error))
    return FALSE;
  jc_db_bind_int64 (stmt, 1, id);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      o->finding = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      o->status = g_strdup ((const char *) jc_db_column_text (stmt, 1));
      o->superseded_by = g_strdup ((const char *) jc_db_column_text (stmt, 2));
      o->amount_fen = jc_db_column_int64 (stmt, 3);
    }
  jc_db_finalize (stmt);
  if (rc == JC_DB_ROW)
    return TRUE;
  if (rc != JC_DB_DONE)
    return jc_hq_sql_error (db, "hq_objections", error);
  g_set_error (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_NOT_FOUND,
               _("Objections: no objection %" PRId64), id);
  return FALSE;
}

static gboolean
check (gint64 id, const Objection *o, JcHqObjectionDecision decision, guint64 amount_fen, const char *reason,
       const char *by, GError **error)
{
  g_autofree char *r = g_strstrip (g_strdup (reason ?: ""));
  g_autofree char *b = g_strstrip (g_strdup (by ?: ""));

  if (o->superseded_by != NULL)
    {
      g_set_error (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_DECIDED,
                   _("Objection %" PRId64 ": its finding is superseded by %s, which has its own answer"),
                   id, o->superseded_by);
      return FALSE;
    }
  if (!g_str_equal (o->status, "open"))
    {
      g_set_error (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_DECIDED,
                   _("Objection %" PRId64 " is already decided: %s"), id, o->status);
      return FALSE;
    }
  if (*r == '\0' || *b == '\0')
    {
      g_set_error_literal (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_INVALID,
                           _("Objections: a decision needs its reasons (--reason) and who decides (--by)"));
      return FALSE;
    }
  if (decision == JC_HQ_OBJECTION_PARTIAL && (amount_fen == 0 || amount_fen >= (guint64) o->amount_fen))
    {
      g_autofree char *yuan = jc_amount_format_yuan ((guint64) o->amount_fen);

      g_set_error (error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_INVALID,
                   _("Objection %" PRId64 ": a partial decision needs an amount above 0 and below "
                     "the finding’s %s yuan (--amount)"), id, yuan);
      return FALSE;
    }
  return TRUE;
}

static gboolean
decide_locked (JcHqStore *store, gint64 id, JcHqObjectionDecision decision, guint64 amount_fen,
               const char *reason, const char *by, gint64 *entry_id, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_auto(Objection) o = { 0 };
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autofree char *subject = subject_of (id);
  JcDbStmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC, entry = 0;
  guint64 amount;

  if (!load (db, id, &o, error) || !check (id, &o, decision, amount_fen, reason, by, error))
    return FALSE;
  amount = decision == JC_HQ_OBJECTION_PARTIAL ? amount_fen
           : decision == JC_HQ_OBJECTION_REJECTED ? (guint64) o.amount_fen : 0;
  if (decision != JC_HQ_OBJECTION_UPHELD &&
      !jc_hq_ledger_open_locked (store, o.finding, amount, now, by, reason, &entry, error))
    return FALSE;
  if (!jc_hq_sql_prepare (db, "UPDATE hq_objections SET status = ?, decided_amount_fen = ?, decision_reason = ?, "
                              "decided_by = ?, decided_at = ?, entry_id = ? WHERE id = ?", &stmt, error))
    return FALSE;
  jc_db_bind_text (stmt, 1, decision_names[decision], -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) amount);
  jc_db_bind_text (stmt, 3, reason, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 4, by, -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 5, now);
  if (entry > 0)
    jc_db_bind_int64 (stmt, 6, entry);
  jc_db_bind_int64 (stmt, 7, id);
  if (!jc_hq_sql_run (db, stmt, "hq_objections", error))
    return FALSE;
  json_object_set_string_member (changes, "finding", o.finding);
  json_object_set_string_member (changes, "decision", decision_names[decision]);
  json_object_set_string_member (changes, "reason", reason);
  json_object_set_int_member (changes, "amount_fen", (gint64) amount);
  if (entry > 0)
    json_object_set_int_member (changes, "entry", entry);
  if (entry_id != NULL)
    *entry_id = entry;
  return jc_hq_history_append (store, subject, "objection.decide", by, changes, error);
}

gboolean
jc_hq_objection_decide (JcHqStore *store, gint64 id, JcHqObjectionDecision decision, guint64 amount_fen,
                        const char *reason, const char *by, gint64 *entry_id, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  gboolean ok;

  if (!jc_hq_objections_refresh (store, NULL, error))
    return FALSE;
  jc_hq_store_lock (store);
  ok = jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error);
  if (ok)
    ok = jc_hq_sql_finish (db, decide_locked (store, id, decision, amount_fen, reason, by, entry_id, error), error);
  jc_hq_store_unlock (store);
  return ok;
}

static JsonArray *
rows (JcHqStore *store, const char *status, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(JsonArray) array = json_array_new ();
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_objections_refresh (store, NULL, error))
    return NULL;
  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, "SELECT o.id, o.finding_id, coalesce (i.institution_code, ''), "
                              "coalesce (i.institution_name, ''), o.representative, o.reason, o.amount_fen, "
                              "o.opened_at, o.status, o.decided_amount_fen, o.decision_reason, o.decided_by, "
                              "o.decided_at, o.entry_id, f.superseded_by "
                              "FROM hq_objections o JOIN findings f ON f.id = o.finding_id "
                              "LEFT JOIN inspections i ON i.id = f.inspection_id "
                              "WHERE CAST (?1 AS TEXT) IS NULL OR o.status = ?1 ORDER BY o.id", &stmt, error))
    {
      jc_hq_store_unlock (store);
      return NULL;
    }
  if (status != NULL)
    jc_db_bind_text (stmt, 1, status, -1, JC_DB_TRANSIENT);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      static const char * const names[] = {
        "id", "finding", "institution", "institution_name", "representative", "reason", "amount_fen",
        "opened_at", "status", "decided_amount_fen", "decision_reason", "decided_by", "decided_at", "entry",
        "superseded_by",
      };
      JsonObject *row = json_object_new ();
      g_autofree char *yuan = jc_amount_format_yuan ((guint64) jc_db_column_int64 (stmt, 6));

      for (int i = 0; i < (int) G_N_ELEMENTS (names); i++)
        switch (jc_db_column_type (stmt, i))
          {
          case JC_DB_INTEGER:
            json_object_set_int_member (row, names[i], jc_db_column_int64 (stmt, i));
            break;
          case JC_DB_NULL:
            json_object_set_null_member (row, names[i]);
            break;
          default:
            json_object_set_string_member (row, names[i], (const char *) jc_db_column_text (stmt, i));
          }
      json_object_set_string_member (row, "amount", yuan);
      json_array_add_object_element (array, row);
    }
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  if (rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, "hq_objections", error);
      return NULL;
    }
  return g_steal_pointer (&array);
}

char *
jc_hq_objections_list_json (JcHqStore *store, const char *status, GError **error)
{
  g_autoptr(JsonArray) array = rows (store, status, error);
  g_autoptr(JsonNode) node = NULL;

  if (array == NULL)
    return NULL;
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return jc_hq_table_json (node);
}

gboolean
jc_hq_objections_list (JcHqStore *store, const char *status, JcHqFormat format, GString *out, GError **error)
{
  g_autoptr(JsonArray) array = rows (store, status, error);
  static const char * const columns[] = {
    "id", "status", "institution", "institution_name", "representative", "reason", "amount", "finding",
    "decision_reason", "decided_by", "entry", NULL
  };

  if (array == NULL)
    return FALSE;
  jc_hq_table_write (array, columns, format, out);
  return TRUE;
}
