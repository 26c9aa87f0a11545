/* jc-hq-report.c — the ledger summed up for reporting upward */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-ledger.h"
#include "jc-hq-report.h"
#include "jc-hq-sql.h"
#include "jc-hq-table.h"

static const char * const by_names[] = { "county", "type", "item", "form" };
static const char * const format_names[] = { "text", "csv", "json", "xlsx", "pdf" };

const char * const jc_hq_report_columns[] = {
  "group", "findings", "amount", "recovered", "rectified", "rate", "handed_over", "overdue", NULL
};

const char *
jc_hq_report_heading (const char *column)
{
  static const struct { const char *column; const char *heading; } headings[] = {
    { "group", N_("Group") },
    { "findings", N_("Findings") },
    { "amount", N_("Amount involved (yuan)") },
    { "recovered", N_("Recovered (yuan)") },
    { "rectified", N_("Rectified") },
    { "rate", N_("Rectification rate (%)") },
    { "handed_over", N_("Handed over") },
    { "overdue", N_("Overdue") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (headings); i++)
    if (g_str_equal (column, headings[i].column))
      return _(headings[i].heading);
  return column;
}

const char *
jc_hq_report_by_label (const char *by)
{
  if (g_strcmp0 (by, "county") == 0)
    return _("by county");
  if (g_strcmp0 (by, "type") == 0)
    return _("by institution type");
  if (g_strcmp0 (by, "item") == 0)
    return _("by checklist item");
  return _("by inspection form");
}

static gboolean
from_names (const char *name, const char * const *names, guint n, guint *out, const char *what, GError **error)
{
  g_autofree char *list = NULL;

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  list = g_strjoinv (", ", (char **) names);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("Unknown %s “%s”; one of: %s"),
               what, name ? name : "", list);
  return FALSE;
}

gboolean
jc_hq_report_by_from_string (const char *name, JcHqReportBy *by, GError **error)
{
  static const char * const names[] = { "county", "type", "item", "form", NULL };
  guint i;

  if (!from_names (name, names, G_N_ELEMENTS (names) - 1, &i, "--by", error))
    return FALSE;
  *by = (JcHqReportBy) i;
  return TRUE;
}

gboolean
jc_hq_report_format_from_string (const char *name, JcHqReportFormat *format, GError **error)
{
  static const char * const names[] = { "text", "csv", "json", "xlsx", "pdf", NULL };
  guint i;

  if (!from_names (name, names, G_N_ELEMENTS (names) - 1, &i, "--format", error))
    return FALSE;
  *format = (JcHqReportFormat) i;
  return TRUE;
}

const char *
jc_hq_report_by_to_string (JcHqReportBy by)
{
  return (guint) by < G_N_ELEMENTS (by_names) ? by_names[by] : NULL;
}

typedef struct {
  gint64 findings, amount, recovered, rectified, handed_over, overdue;
} Sums;

/* The group's name for people: the translated type or form, else itself. */
static const char *
group_label (JcHqReportBy by, const char *group)
{
  JcInspectionForm form;
  JcInstitutionKind kind;

  if (by == JC_HQ_REPORT_TYPE && (kind = jc_institution_kind_from_string (group)) != 0)
    return jc_institution_kind_get_label (kind);
  if (by == JC_HQ_REPORT_FORM && jc_inspection_form_from_string (group, &form))
    return jc_inspection_form_get_label (form);
  return group;
}

static JsonObject *
sums_object (JcHqReportBy by, const char *group, const Sums *s)
{
  JsonObject *obj = json_object_new ();
  g_autofree char *amount = jc_amount_format_yuan ((guint64) s->amount);
  g_autofree char *recovered = jc_amount_format_yuan ((guint64) s->recovered);
  /* One decimal, rounded half up, in integers: the same on every machine. */
  gint64 tenths = s->findings > 0 ? (s->rectified * 2000 + s->findings) / (2 * s->findings) : 0;

  json_object_set_string_member (obj, "group", group);
  json_object_set_string_member (obj, "label", group_label (by, group));
  json_object_set_int_member (obj, "findings", s->findings);
  json_object_set_int_member (obj, "amount_fen", s->amount);
  json_object_set_string_member (obj, "amount", amount);
  json_object_set_int_member (obj, "recovered_fen", s->recovered);
  json_object_set_string_member (obj, "recovered", recovered);
  json_object_set_int_member (obj, "rectified", s->rectified);
  json_object_set_double_member (obj, "rate", (double) tenths / 10.0);
  json_object_set_int_member (obj, "handed_over", s->handed_over);
  json_object_set_int_member (obj, "overdue", s->overdue);
  return obj;
}

/* Sums per group in SQL, over the ledger and what it joins; the group
 * expression names what an entry is counted under. By item, an entry is
 * counted under each item of its finding (finding_items, the projection of
 * the record's items). */
static const char sums_sql[] =
  "SELECT %s AS g, count (*), sum (l.amount_fen), sum (l.recovered_fen), "
  "       count (CASE WHEN l.status IN ('rectified', 'verified') THEN 1 END), "
  "       count (CASE WHEN l.status IN ('police', 'discipline') THEN 1 END), "
  "       count (CASE WHEN l.status IN ('open', 'rectifying') AND l.deadline < ?1 THEN 1 END) "
  "FROM hq_ledger l JOIN findings f ON f.id = l.finding_id "
  "LEFT JOIN inspections i ON i.id = f.inspection_id "
  "LEFT JOIN institutions d ON d.code = l.institution_code %s "
  "%s";

static const char * const group_sql[] = {
  [JC_HQ_REPORT_COUNTY] = "coalesce (d.county, '')",
  [JC_HQ_REPORT_TYPE] = "coalesce (i.institution_type, d.type, '')",
  [JC_HQ_REPORT_ITEM] = "it.code",
  [JC_HQ_REPORT_FORM] = "coalesce (i.form, '')",
};

/* Appends a sums object per row of @sql (the total when !@grouped). */
static gboolean
query_sums (JcHqStore *store, JcHqReportBy by, const char *sql, const char *today, gboolean grouped,
            JsonArray *out, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  int rc;

  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, sql, &stmt, error))
    {
      jc_hq_store_unlock (store);
      return FALSE;
    }
  jc_db_bind_text (stmt, 1, today, -1, JC_DB_TRANSIENT);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      const char *g = (const char *) jc_db_column_text (stmt, 0);
      Sums sums = {
        .findings = jc_db_column_int64 (stmt, 1), .amount = jc_db_column_int64 (stmt, 2),
        .recovered = jc_db_column_int64 (stmt, 3), .rectified = jc_db_column_int64 (stmt, 4),
        .handed_over = jc_db_column_int64 (stmt, 5), .overdue = jc_db_column_int64 (stmt, 6),
      };

      json_array_add_object_element (out, sums_object (by, !grouped ? _("total") : g != NULL && *g != '\0' ? g
                                                                                  : _("unknown"), &sums));
    }
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  if (rc != JC_DB_DONE)
    return jc_hq_sql_error (db, "hq_ledger", error);
  return TRUE;
}

JsonObject *
jc_hq_report_build (JcHqStore *store, JcHqReportBy by, const char *today, GError **error)
{
  g_autofree char *day = today != NULL ? g_strdup (today) : jc_hq_ledger_today ();
  g_autofree char *grouped = g_strdup_printf (sums_sql, group_sql[by],
                                              by == JC_HQ_REPORT_ITEM ? "JOIN finding_items it ON it.finding_id = l.finding_id" : "",
                                              "GROUP BY g ORDER BY g");
  g_autofree char *total = g_strdup_printf (sums_sql, "''", "", "");
  g_autoptr(JsonArray) groups = json_array_new ();
  g_autoptr(JsonArray) totals = json_array_new ();
  JsonObject *report;

  if (!jc_hq_ledger_refresh (store, NULL, error) ||
      !query_sums (store, by, grouped, day, TRUE, groups, error) ||
      !query_sums (store, by, total, day, FALSE, totals, error))
    return NULL;
  report = json_object_new ();
  json_object_set_string_member (report, "by", by_names[by]);
  json_object_set_string_member (report, "today", day);
  json_object_set_int_member (report, "generated_at", g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_array_member (report, "groups", json_array_ref (groups));
  json_object_set_object_member (report, "total", json_object_ref (json_array_get_object_element (totals, 0)));
  return report;
}

char *
jc_hq_report_json (JcHqStore *store, JcHqReportBy by, GError **error)
{
  g_autoptr(JsonObject) report = jc_hq_report_build (store, by, NULL, error);
  g_autoptr(JsonNode) node = NULL;

  if (report == NULL)
    return NULL;
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, report);
  return jc_hq_table_json (node);
}

gboolean
jc_hq_report_write (JcHqStore *store, JcHqReportBy by, JcHqReportFormat format, const char *path, GString *out,
                    GError **error)
{
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonArray) rows = NULL;
  JsonArray *groups;

  if ((format == JC_HQ_REPORT_XLSX || format == JC_HQ_REPORT_PDF) && path == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("--format %s needs --out FILE"),
                   format_names[format]);
      return FALSE;
    }
  report = jc_hq_report_build (store, by, NULL, error);
  if (report == NULL)
    return FALSE;
  switch (format)
    {
    case JC_HQ_REPORT_XLSX:
      return jc_hq_report_write_xlsx (report, path, error);
    case JC_HQ_REPORT_PDF:
      return jc_hq_report_write_pdf (report, path, error);
    case JC_HQ_REPORT_JSON:
      {
        g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
        g_autofree char *text = NULL;

        json_node_set_object (node, report);
        text = jc_hq_table_json (node);
        g_string_append (out, text);
        return TRUE;
      }
    case JC_HQ_REPORT_TEXT:
    case JC_HQ_REPORT_CSV:
    default:
      groups = json_object_get_array_member (report, "groups");
      rows = json_array_new ();
      for (guint i = 0; i < json_array_get_length (groups); i++)
        json_array_add_element (rows, json_node_copy (json_array_get_element (groups, i)));
      json_array_add_object_element (rows, json_object_ref (json_object_get_object_member (report, "total")));
      jc_hq_table_write (rows, jc_hq_report_columns,
                         format == JC_HQ_REPORT_CSV ? JC_HQ_FORMAT_CSV : JC_HQ_FORMAT_TEXT, out);
      return TRUE;
    }
}
