/* jc-hq-query.c — what HQ holds, as tables for people and tools */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-query.h"
#include "jc-hq-table.h"

gboolean
jc_hq_format_from_string (const char *name, JcHqFormat *format, GError **error)
{
  static const char * const names[] = { "text", "csv", "json" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *format = (JcHqFormat) i;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("Unknown format “%s”: use text, csv or json"), name);
  return FALSE;
}

/* Runs @sql and writes its rows in @format; column names are the header,
 * integer columns stay numbers in JSON. */
gboolean
jc_hq_query_rows (JcHqStore *store, const char *sql, const char *param, JcHqFormat format, GString *out, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JcDbStmt *stmt = NULL;
  int rc, n;

  jc_hq_store_lock (store);
  rc = jc_db_prepare (db, sql, -1, &stmt, NULL);
  if (rc != JC_DB_OK)
    goto fail;
  if (param != NULL)
    jc_db_bind_text (stmt, 1, param, -1, JC_DB_STATIC);
  n = jc_db_column_count (stmt);
  if (format == JC_HQ_FORMAT_CSV)
    {
      g_string_append (out, "\xEF\xBB\xBF");
      for (int i = 0; i < n; i++)
        jc_hq_table_csv_field (out, jc_db_column_name (stmt, i), i == n - 1);
    }
  json_builder_begin_array (b);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      if (format == JC_HQ_FORMAT_JSON)
        json_builder_begin_object (b);
      for (int i = 0; i < n; i++)
        {
          const char *name = jc_db_column_name (stmt, i);
          const char *text = (const char *) jc_db_column_text (stmt, i);

          switch (format)
            {
            case JC_HQ_FORMAT_CSV:
              jc_hq_table_csv_field (out, text ? text : "", i == n - 1);
              break;
            case JC_HQ_FORMAT_JSON:
              json_builder_set_member_name (b, name);
              if (jc_db_column_type (stmt, i) == JC_DB_INTEGER)
                json_builder_add_int_value (b, jc_db_column_int64 (stmt, i));
              else if (text == NULL)
                json_builder_add_null_value (b);
              else
                json_builder_add_string_value (b, text);
              break;
            case JC_HQ_FORMAT_TEXT:
            default:
              g_string_append_printf (out, "%s%s: %s\n", i == 0 ? "" : "  ", name, text ? text : "");
              break;
            }
        }
      if (format == JC_HQ_FORMAT_JSON)
        json_builder_end_object (b);
      else if (format == JC_HQ_FORMAT_TEXT)
        g_string_append_c (out, '\n');
    }
  json_builder_end_array (b);
  if (rc != JC_DB_DONE)
    goto fail;
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  if (format == JC_HQ_FORMAT_JSON)
    {
      g_autofree char *json = jc_json_builder_to_string (b);

      g_string_append (out, json);
      g_string_append_c (out, '\n');
    }
  return TRUE;

fail:
  g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO, _("HQ database: %s"), jc_db_errmsg (db));
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  return FALSE;
}

gboolean
jc_hq_query_findings (JcHqStore *store, const char *institution, JcHqFormat format, GString *out, GError **error)
{
  g_autofree char *sql = g_strconcat (
    "SELECT f.id AS finding, i.institution_code AS institution, i.institution_name AS name, "
    "       i.institution_type AS type, i.form AS form, i.date AS date, i.team AS team, "
    "       f.inspection_id AS inspection, i.checklist AS checklist, "
    "       (SELECT group_concat (code, ' ') FROM (SELECT code FROM finding_items WHERE finding_id = f.id "
    "        ORDER BY code) AS codes) AS items, "
    "       f.amount_fen AS amount_fen, f.sealed_at AS sealed_at, "
    "       coalesce (c.status, 'unconfirmed') AS status, coalesce (c.name, '') AS representative, "
    "       coalesce (c.reason, '') AS reason, coalesce (f.supersedes, '') AS supersedes, "
    "       coalesce (f.superseded_by, '') AS superseded_by, f.sha256 AS record_sha256, "
    "       f.device_id AS device, f.seq AS seq "
    "FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id "
    "LEFT JOIN finding_confirmations c ON c.finding_id = f.id ",
    institution != NULL ? "WHERE i.institution_code = ?1 " : "",
    "ORDER BY i.institution_code, f.sealed_at, f.id", NULL);

  return jc_hq_query_rows (store, sql, institution, format, out, error);
}

gboolean
jc_hq_query_rejections (JcHqStore *store, JcHqFormat format, GString *out, GError **error)
{
  return jc_hq_query_rows (store, "SELECT id, at, device_id AS device, seq, bundle, source, reason "
                            "FROM hq_rejections ORDER BY id", NULL, format, out, error);
}

gboolean
jc_hq_query_conflicts (JcHqStore *store, JcHqFormat format, GString *out, GError **error)
{
  return jc_hq_query_rows (store, "SELECT c.id, c.inspection_id AS inspection, c.code, c.device_a, c.seq_a, "
                                  "c.device_b, c.seq_b, r.device_id AS shown_device, r.seq AS shown_seq, "
                                  "r.status AS shown_status, c.flagged_at, c.reviewed_at "
                                  "FROM hq_conflicts c LEFT JOIN item_results r "
                                  "ON r.inspection_id = c.inspection_id AND r.code = c.code ORDER BY c.id",
                           NULL, format, out, error);
}
