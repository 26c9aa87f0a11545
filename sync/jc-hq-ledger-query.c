/* jc-hq-ledger-query.c — the ledger's entries as rows, for people, tools
 * and the web dashboard (declared in jc-hq-ledger.h) */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-history.h"
#include "jc-hq-ledger.h"
#include "jc-hq-sql.h"
#include "jc-hq-table.h"

/* The page is chosen first, from the ledger and the directory alone; only
 * its rows then get their finding's texts (PostgreSQL would otherwise work
 * them out for every row an OFFSET skips). */
static const char select_sql[] =
  "SELECT l.id, l.finding_id, l.first_finding, l.institution_code, "
  "       coalesce (i.institution_name, d.name, ''), coalesce (d.county, ''), "
  "       coalesce (i.institution_type, d.type, ''), coalesce (i.form, ''), "
  "       (SELECT group_concat (json_extract (value, '$.code'), char (31)) FROM json_each (f.record, '$.items')), "
  "       l.amount_fen, l.recovered_fen, l.status, l.deadline, l.note, l.evidence, "
  "       f.sealed_at, l.opened_at, l.updated_at, "
  "       (SELECT group_concat (json_extract (value, '$.basis'), char (31)) FROM json_each (f.record, '$.items')) "
  "FROM (SELECT l.id AS id FROM hq_ledger l "
  "      LEFT JOIN institutions d ON d.code = l.institution_code "
  /* the casts give PostgreSQL the type of a parameter that may be NULL */
  "      WHERE (CAST (?1 AS TEXT) IS NULL OR d.county = ?1) AND (CAST (?2 AS TEXT) IS NULL OR l.status = ?2) "
  "        AND (?3 = 0 OR (l.status IN ('open', 'rectifying') AND l.deadline < ?4)) "
  "        AND (CAST (?5 AS INTEGER) IS NULL OR l.id = ?5) "
  "      ORDER BY l.id LIMIT ?6 OFFSET ?7) page "
  "JOIN hq_ledger l ON l.id = page.id "
  "JOIN findings f ON f.id = l.finding_id "
  "LEFT JOIN inspections i ON i.id = f.inspection_id "
  "LEFT JOIN institutions d ON d.code = l.institution_code "
  "ORDER BY l.id";

/* @text's parts between unit separators (U+001F, never in a checklist's
 * text): SQLite joins the record's item codes and texts with it. */
static JsonArray *
split_units (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", "\x1f", -1);
  JsonArray *array = json_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (text != NULL && *text != '\0')
      json_array_add_string_element (array, parts[i]);
  return array;
}

static void
add_text (JsonObject *row, const char *name, JcDbStmt *stmt, int col)
{
  json_object_set_string_member (row, name, (const char *) jc_db_column_text (stmt, col) ?: "");
}

static void
add_yuan (JsonObject *row, const char *name, gint64 fen)
{
  g_autofree char *yuan = jc_amount_format_yuan ((guint64) fen);
  g_autofree char *fen_name = g_strconcat (name, "_fen", NULL);

  json_object_set_int_member (row, fen_name, fen);
  json_object_set_string_member (row, name, yuan);
}

static JsonObject *
read_row (JcDbStmt *stmt, const char *today)
{
  JsonObject *row = json_object_new ();
  JsonArray *evidence = json_array_new ();
  g_auto(GStrv) hashes = g_strsplit ((const char *) jc_db_column_text (stmt, 14), " ", -1);
  const char *status = (const char *) jc_db_column_text (stmt, 11);
  const char *deadline = (const char *) jc_db_column_text (stmt, 12);
  JcHqLedgerStatus s = JC_HQ_LEDGER_OPEN;

  jc_hq_ledger_status_from_string (status, &s, NULL);
  json_object_set_int_member (row, "id", jc_db_column_int64 (stmt, 0));
  add_text (row, "finding", stmt, 1);
  add_text (row, "first_finding", stmt, 2);
  add_text (row, "institution", stmt, 3);
  add_text (row, "institution_name", stmt, 4);
  add_text (row, "county", stmt, 5);
  add_text (row, "type", stmt, 6);
  add_text (row, "form", stmt, 7);
  json_object_set_array_member (row, "items", split_units ((const char *) jc_db_column_text (stmt, 8)));
  json_object_set_array_member (row, "basis", split_units ((const char *) jc_db_column_text (stmt, 18)));
  add_yuan (row, "amount", jc_db_column_int64 (stmt, 9));
  add_yuan (row, "recovered", jc_db_column_int64 (stmt, 10));
  json_object_set_string_member (row, "status", status);
  json_object_set_string_member (row, "status_label", jc_hq_ledger_status_label (s));
  json_object_set_string_member (row, "deadline", deadline);
  json_object_set_boolean_member (row, "overdue", (s == JC_HQ_LEDGER_OPEN || s == JC_HQ_LEDGER_RECTIFYING) &&
                                                    strcmp (deadline, today) < 0);
  add_text (row, "note", stmt, 13);
  for (guint i = 0; hashes[i] != NULL; i++)
    if (*hashes[i] != '\0')
      json_array_add_string_element (evidence, hashes[i]);
  json_object_set_array_member (row, "evidence", evidence);
  json_object_set_int_member (row, "sealed_at", jc_db_column_int64 (stmt, 15));
  json_object_set_int_member (row, "opened_at", jc_db_column_int64 (stmt, 16));
  json_object_set_int_member (row, "updated_at", jc_db_column_int64 (stmt, 17));
  return row;
}

static JsonArray *
query_rows (JcHqStore *store, const JcHqLedgerFilter *filter, gint64 id, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcHqLedgerFilter none = { 0 };
  g_autofree char *today = NULL;
  g_autoptr(JsonArray) rows = json_array_new ();
  JcDbStmt *stmt = NULL;
  int rc;

  if (filter == NULL)
    filter = &none;
  today = filter->today != NULL ? g_strdup (filter->today) : jc_hq_ledger_today ();
  if (!jc_hq_ledger_refresh (store, NULL, error))
    return NULL;
  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, select_sql, &stmt, error))
    {
      jc_hq_store_unlock (store);
      return NULL;
    }
  if (filter->county != NULL)
    jc_db_bind_text (stmt, 1, filter->county, -1, JC_DB_TRANSIENT);
  if (filter->has_status)
    jc_db_bind_text (stmt, 2, jc_hq_ledger_status_to_string (filter->status), -1, JC_DB_STATIC);
  jc_db_bind_int (stmt, 3, filter->overdue);
  jc_db_bind_text (stmt, 4, today, -1, JC_DB_TRANSIENT);
  if (id > 0)
    jc_db_bind_int64 (stmt, 5, id);
  jc_db_bind_int64 (stmt, 6, filter->limit > 0 ? (gint64) filter->limit : G_MAXINT64);
  jc_db_bind_int64 (stmt, 7, (gint64) filter->offset);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    json_array_add_object_element (rows, read_row (stmt, today));
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, "hq_ledger", error);
      jc_hq_store_unlock (store);
      return NULL;
    }
  jc_hq_store_unlock (store);
  return g_steal_pointer (&rows);
}

JsonArray *
jc_hq_ledger_rows (JcHqStore *store, const JcHqLedgerFilter *filter, GError **error)
{
  return query_rows (store, filter, 0, error);
}

/* Entry @id with its signed history. */
static JsonNode *
entry_node (JcHqStore *store, gint64 id, GError **error)
{
  g_autoptr(JsonArray) rows = query_rows (store, NULL, id, error);
  g_autofree char *subject = NULL;
  JsonObject *row;
  JsonNode *history, *node;

  if (rows == NULL)
    return NULL;
  if (json_array_get_length (rows) == 0)
    {
      g_set_error (error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_NOT_FOUND,
                   _("Ledger: no entry %" PRId64), id);
      return NULL;
    }
  row = json_array_get_object_element (rows, 0);
  subject = g_strdup_printf ("ledger:%" PRId64, id);
  jc_hq_store_lock (store);
  history = jc_hq_history_of (store, subject, error);
  jc_hq_store_unlock (store);
  if (history == NULL)
    return NULL;
  json_object_set_member (row, "history", history);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, row);
  return node;
}

char *
jc_hq_ledger_list_json (JcHqStore *store, const JcHqLedgerFilter *filter, GError **error)
{
  g_autoptr(JsonArray) rows = jc_hq_ledger_rows (store, filter, error);
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *today = NULL;

  if (rows == NULL)
    return NULL;
  today = filter != NULL && filter->today != NULL ? g_strdup (filter->today) : jc_hq_ledger_today ();
  json_object_set_string_member (obj, "today", today);
  json_object_set_array_member (obj, "entries", json_array_ref (rows));
  json_node_set_object (node, obj);
  return jc_hq_table_json (node);
}

char *
jc_hq_ledger_get_json (JcHqStore *store, gint64 id, GError **error)
{
  g_autoptr(JsonNode) node = entry_node (store, id, error);

  return node != NULL ? jc_hq_table_json (node) : NULL;
}

static const char * const list_columns[] = {
  "id", "status", "institution", "institution_name", "county", "type", "form", "items", "amount", "recovered",
  "deadline", "overdue", "finding", NULL
};

gboolean
jc_hq_ledger_list (JcHqStore *store, const JcHqLedgerFilter *filter, JcHqFormat format, GString *out,
                   GError **error)
{
  g_autoptr(JsonArray) rows = NULL;
  static const char * const csv_columns[] = {
    "id", "status", "institution", "institution_name", "county", "type", "form", "items", "basis", "amount",
    "recovered", "deadline", "overdue", "note", "evidence", "finding", "first_finding", NULL
  };

  if (format == JC_HQ_FORMAT_JSON)
    {
      g_autofree char *json = jc_hq_ledger_list_json (store, filter, error);

      if (json == NULL)
        return FALSE;
      g_string_append (out, json);
      return TRUE;
    }
  rows = jc_hq_ledger_rows (store, filter, error);
  if (rows == NULL)
    return FALSE;
  jc_hq_table_write (rows, format == JC_HQ_FORMAT_CSV ? csv_columns : list_columns, format, out);
  return TRUE;
}

gboolean
jc_hq_ledger_show (JcHqStore *store, gint64 id, JcHqFormat format, GString *out, GError **error)
{
  g_autoptr(JsonNode) node = entry_node (store, id, error);
  JsonObject *row;
  JsonArray *history, *basis;

  if (node == NULL)
    return FALSE;
  if (format != JC_HQ_FORMAT_TEXT)
    {
      g_autofree char *text = jc_hq_table_json (node);

      g_string_append (out, text);
      return TRUE;
    }
  row = json_node_get_object (node);
  for (guint i = 0; list_columns[i] != NULL; i++)
    {
      g_autofree char *cell = jc_hq_table_cell (row, list_columns[i]);

      g_string_append_printf (out, "%s: %s\n", list_columns[i], cell);
    }
  {
    g_autofree char *note = jc_hq_table_cell (row, "note");
    g_autofree char *evidence = jc_hq_table_cell (row, "evidence");

    g_string_append_printf (out, "note: %s\nevidence: %s\n", note, evidence);
  }
  basis = json_object_get_array_member (row, "basis");
  g_string_append_printf (out, "%s\n", _("Legal basis:"));
  for (guint i = 0; i < json_array_get_length (basis); i++)
    g_string_append_printf (out, "  %s\n", json_array_get_string_element (basis, i));
  history = json_object_get_array_member (row, "history");
  g_string_append_printf (out, "%s\n", _("History (signed by HQ):"));
  for (guint i = 0; i < json_array_get_length (history); i++)
    {
      JsonObject *h = json_array_get_object_element (history, i);
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (json_object_get_int_member (h, "at"));
      g_autofree char *when = g_date_time_format_iso8601 (at);
      g_autoptr(JsonNode) changes = json_node_copy (json_object_get_member (h, "changes"));
      g_autofree char *text = jc_hq_history_canonical (changes);

      g_string_append_printf (out, "  #%" PRId64 " %s %s %s %s\n", json_object_get_int_member (h, "row"),
                              when, json_object_get_string_member (h, "by"),
                              json_object_get_string_member (h, "action"), text);
    }
  return TRUE;
}
