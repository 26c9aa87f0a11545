/* jc-hq-web-ledger.c — the dashboard's ledger, objections and reports, and
 * their downloads: the report as CSV, XLSX or PDF, the ledger as CSV */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "jc-core.h"
#include "jc-hq-ledger.h"
#include "jc-hq-objections.h"
#include "jc-hq-report.h"
#include "jc-hq-web-api.h"

#define PAGE_MAX 500

/* The ledger's, the objections' and the amounts' errors as HTTP: not found
 * 404, a refused transition or a decided objection 409, a bad value 400. */
static void
web_error (GError **error, GError *local_error)
{
  JcHqWebError code = JC_HQ_WEB_ERROR_INVALID;

  if (g_error_matches (local_error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_NOT_FOUND) ||
      g_error_matches (local_error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_NOT_FOUND))
    code = JC_HQ_WEB_ERROR_NOT_FOUND;
  else if (g_error_matches (local_error, JC_HQ_LEDGER_ERROR, JC_HQ_LEDGER_ERROR_TRANSITION) ||
           g_error_matches (local_error, JC_HQ_OBJECTION_ERROR, JC_HQ_OBJECTION_ERROR_DECIDED))
    code = JC_HQ_WEB_ERROR_CONFLICT;
  else if (local_error->domain != JC_HQ_LEDGER_ERROR && local_error->domain != JC_HQ_OBJECTION_ERROR &&
           local_error->domain != JC_AMOUNT_ERROR && local_error->domain != JC_HQ_WEB_ERROR)
    {
      g_propagate_error (error, local_error);
      return;
    }
  else if (local_error->domain == JC_HQ_WEB_ERROR)
    code = (JcHqWebError) local_error->code;
  g_set_error_literal (error, JC_HQ_WEB_ERROR, code, local_error->message);
  g_error_free (local_error);
}

static gboolean
parse_count (const char *name, const char *text, guint max, guint *out, GError **error)
{
  guint64 value = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                   _("The query's “%s” must be a whole number from 0 to %u, not “%s”"), name, max, text);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static gboolean
parse_id (const char *text, gint64 *id, GError **error)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_NOT_FOUND, _("No entry with the id “%s”"), text);
      return FALSE;
    }
  *id = (gint64) value;
  return TRUE;
}

/* The query's county, status and overdue, as the list and its download
 * take them. */
static gboolean
parse_filter (JcHqWebRequest *request, JcHqLedgerFilter *filter, GError **error)
{
  const char *status = jc_hq_web_query (request, "status");
  const char *overdue = jc_hq_web_query (request, "overdue");
  GError *local_error = NULL;

  filter->county = jc_hq_web_query (request, "county");
  filter->overdue = overdue != NULL && (g_str_equal (overdue, "1") || g_str_equal (overdue, "true"));
  if (status != NULL && !jc_hq_ledger_status_from_string (status, &filter->status, &local_error))
    {
      web_error (error, local_error);
      return FALSE;
    }
  filter->has_status = status != NULL;
  return TRUE;
}

static char *
ledger_list (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  JcHqLedgerFilter filter = { 0 };
  GError *local_error = NULL;
  char *json;

  if (!parse_filter (request, &filter, error) ||
      !parse_count ("limit", jc_hq_web_query (request, "limit"), PAGE_MAX, &filter.limit, error) ||
      !parse_count ("offset", jc_hq_web_query (request, "offset"), G_MAXINT, &filter.offset, error))
    return NULL;
  json = jc_hq_ledger_list_json (request->store, &filter, &local_error);
  if (json == NULL)
    web_error (error, local_error);
  return json;
}

static char *
ledger_get (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  GError *local_error = NULL;
  gint64 id;
  char *json;

  /* a change that ends here names itself already */
  if (request->target == NULL)
    request->target = g_strdup_printf ("ledger:%s", request->arg);
  if (!parse_id (request->arg, &id, error))
    return NULL;
  json = jc_hq_ledger_get_json (request->store, id, &local_error);
  if (json == NULL)
    web_error (error, local_error);
  return json;
}

/* Evidence: an array of SHA-256 hex strings, or absent. */
static gboolean
body_evidence (JsonObject *body, GPtrArray *out, GError **error)
{
  JsonNode *node = json_object_get_member (body, "evidence");
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                           _("The request's “evidence” must be an array of SHA-256 hex strings"));
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                               _("The request's “evidence” must be an array of SHA-256 hex strings"));
          return FALSE;
        }
      g_ptr_array_add (out, (gpointer) json_node_get_string (element));
    }
  g_ptr_array_add (out, NULL);
  return TRUE;
}

static const char *
body_text (JsonObject *body, const char *name)
{
  const char *value = json_object_get_string_member_with_default (body, name, NULL);

  return value != NULL && *value != '\0' ? value : NULL;
}

static char *
ledger_change (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  JcHqLedgerChange change = { 0 };
  g_autoptr(GPtrArray) evidence = g_ptr_array_new ();
  const char *status = body_text (request->body, "status");
  const char *recovered = body_text (request->body, "recovered");
  GError *local_error = NULL;
  gint64 id;

  request->target = g_strdup_printf ("ledger:%s%s%s", request->arg, status ? " status=" : "", status ? status : "");
  if (!parse_id (request->arg, &id, error) || !body_evidence (request->body, evidence, error))
    return NULL;
  change.note = body_text (request->body, "note");
  change.deadline = body_text (request->body, "deadline");
  change.evidence = evidence->len > 0 ? (const char * const *) evidence->pdata : NULL;
  change.by = request->session->user;
  change.has_status = status != NULL;
  change.has_recovered = recovered != NULL;
  if ((status != NULL && !jc_hq_ledger_status_from_string (status, &change.status, &local_error)) ||
      (recovered != NULL && !jc_amount_parse_yuan (recovered, &change.recovered_fen, &local_error)) ||
      !jc_hq_ledger_set (request->store, id, &change, &local_error))
    {
      web_error (error, local_error);
      return NULL;
    }
  return ledger_get (request, user_data, error);
}

static char *
objections_list (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  static const char * const statuses[] = { "open", "upheld", "rejected", "partial", "superseded", NULL };
  const char *status = jc_hq_web_query (request, "status");
  GError *local_error = NULL;
  char *json;

  if (status != NULL && !g_strv_contains (statuses, status))
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                   _("Unknown objection status “%s”: use open, upheld, rejected, partial or superseded"), status);
      return NULL;
    }
  json = jc_hq_objections_list_json (request->store, status, &local_error);
  if (json == NULL)
    web_error (error, local_error);
  return json;
}

static char *
objection_decide (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *decision_name = body_text (request->body, "decision");
  const char *amount = body_text (request->body, "amount");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JcHqObjectionDecision decision;
  GError *local_error = NULL;
  guint64 amount_fen = 0;
  gint64 id, entry = 0;

  request->target = g_strdup_printf ("objection:%s decision=%s", request->arg, decision_name ? decision_name : "");
  if (!parse_id (request->arg, &id, error))
    return NULL;
  if (amount != NULL && g_strcmp0 (decision_name, "partial") != 0)
    {
      g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                           _("An amount goes only with a partial decision"));
      return NULL;
    }
  if (!jc_hq_objection_decision_from_string (decision_name ? decision_name : "", &decision, &local_error) ||
      (amount != NULL && !jc_amount_parse_yuan (amount, &amount_fen, &local_error)) ||
      !jc_hq_objection_decide (request->store, id, decision, amount_fen, body_text (request->body, "reason"),
                               request->session->user, &entry, &local_error))
    {
      web_error (error, local_error);
      return NULL;
    }
  json_builder_begin_object (b);
  jc_json_builder_add_int (b, "objection", id);
  json_builder_set_member_name (b, "entry");
  if (entry > 0)
    json_builder_add_int_value (b, entry);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

/* The query's "by", county when absent. */
static gboolean
parse_by (JcHqWebRequest *request, JcHqReportBy *by, GError **error)
{
  const char *by_name = jc_hq_web_query (request, "by");
  GError *local_error = NULL;

  *by = JC_HQ_REPORT_COUNTY;
  if (by_name != NULL && !jc_hq_report_by_from_string (by_name, by, &local_error))
    {
      g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID, local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  return TRUE;
}

static char *
report (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  JcHqReportBy by;
  GError *local_error = NULL;
  char *json;

  if (!parse_by (request, &by, error))
    return NULL;
  json = jc_hq_report_json (request->store, by, &local_error);
  if (json == NULL)
    web_error (error, local_error);
  return json;
}

/* What the dashboard downloads; JSON is /api/reports itself. */
static const struct {
  const char       *name;
  JcHqReportFormat  format;
  const char       *content_type;
} downloads[] = {
  { "csv", JC_HQ_REPORT_CSV, "text/csv; charset=utf-8" },
  { "xlsx", JC_HQ_REPORT_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
  { "pdf", JC_HQ_REPORT_PDF, "application/pdf" },
};

/* The XLSX and PDF writers write to a file: one in a directory of our own
 * (mode 0700), read back and removed at once, whatever happened. */
static GBytes *
report_file (JcHqStore *store, JcHqReportBy by, JcHqReportFormat format, const char *name, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("jiancha-report-XXXXXX", error);
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  gboolean ok;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, name, NULL);
  ok = jc_hq_report_write (store, by, format, path, NULL, error) &&
       g_file_get_contents (path, &data, &len, error);
  g_unlink (path);
  g_rmdir (dir);
  return ok ? g_bytes_new_take (g_steal_pointer (&data), len) : NULL;
}

/* GET /api/reports/export?by=county&format=csv|xlsx|pdf */
static JcHqWebDownload *
report_export (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *format_name = jc_hq_web_query (request, "format");
  g_autofree char *today = jc_hq_ledger_today ();
  g_autofree char *filename = NULL, *ascii = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *local_error = NULL;
  JcHqReportBy by;
  guint d;

  if (!parse_by (request, &by, error))
    return NULL;
  for (d = 0; d < G_N_ELEMENTS (downloads); d++)
    if (g_strcmp0 (format_name, downloads[d].name) == 0)
      break;
  if (d == G_N_ELEMENTS (downloads))
    {
      if (format_name == NULL)
        g_set_error_literal (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                             _("The download needs a format: csv, xlsx or pdf"));
      else
        g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                     _("Unknown download format “%s”: use csv, xlsx or pdf"), format_name);
      return NULL;
    }
  request->target = g_strdup_printf ("report by=%s format=%s", jc_hq_report_by_to_string (by), downloads[d].name);
  /* Translators: a downloaded file's name, without its extension: the
   * report's title, "by county" (or type, item, form) and the day. */
  filename = g_strdup_printf (_("Problem ledger summary (%s) %s"), jc_hq_report_by_label (jc_hq_report_by_to_string (by)),
                              today);
  ascii = g_strdup_printf ("jiancha-report-%s-%s.%s", jc_hq_report_by_to_string (by), today, downloads[d].name);
  if (downloads[d].format == JC_HQ_REPORT_CSV)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      if (!jc_hq_report_write (request->store, by, JC_HQ_REPORT_CSV, NULL, out, &local_error))
        {
          web_error (error, local_error);
          return NULL;
        }
      bytes = g_string_free_to_bytes (g_steal_pointer (&out));
    }
  else if ((bytes = report_file (request->store, by, downloads[d].format, ascii, &local_error)) == NULL)
    {
      web_error (error, local_error);
      return NULL;
    }
  {
    g_autofree char *full = g_strconcat (filename, ".", downloads[d].name, NULL);

    return jc_hq_web_download_new (g_steal_pointer (&bytes), downloads[d].content_type, full, ascii);
  }
}

/* GET /api/ledger/export?county=&status=&overdue=1: every entry the list's
 * filter keeps, no pages, as CSV (UTF-8 with a BOM). */
static JcHqWebDownload *
ledger_export (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *format_name = jc_hq_web_query (request, "format");
  JcHqLedgerFilter filter = { 0 };
  g_autofree char *today = jc_hq_ledger_today ();
  g_autofree char *filename = NULL, *ascii = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GError *local_error = NULL;

  if (format_name != NULL && !g_str_equal (format_name, "csv"))
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                   _("Unknown download format “%s”: the ledger downloads as csv"), format_name);
      return NULL;
    }
  if (!parse_filter (request, &filter, error))
    return NULL;
  if (!jc_hq_ledger_list (request->store, &filter, JC_HQ_FORMAT_CSV, out, &local_error))
    {
      web_error (error, local_error);
      return NULL;
    }
  /* Translators: a downloaded file's name: the ledger and the day. */
  filename = g_strdup_printf (_("Problem ledger %s.csv"), today);
  ascii = g_strdup_printf ("jiancha-ledger-%s.csv", today);
  return jc_hq_web_download_new (g_string_free_to_bytes (g_steal_pointer (&out)), "text/csv; charset=utf-8",
                                 filename, ascii);
}

void
jc_hq_web_ledger_register (JcHqWeb *web)
{
  jc_hq_web_add_route (web, "GET", "/api/ledger", JC_HQ_ROLE_ANALYST, ledger_list, NULL);
  jc_hq_web_add_route (web, "GET", "/api/ledger/*", JC_HQ_ROLE_ANALYST, ledger_get, NULL);
  jc_hq_web_add_route (web, "POST", "/api/ledger/*", JC_HQ_ROLE_REVIEWER, ledger_change, NULL);
  jc_hq_web_add_route (web, "GET", "/api/objections", JC_HQ_ROLE_ANALYST, objections_list, NULL);
  jc_hq_web_add_route (web, "POST", "/api/objections/*/decision", JC_HQ_ROLE_REVIEWER, objection_decide, NULL);
  jc_hq_web_add_route (web, "GET", "/api/reports", JC_HQ_ROLE_ANALYST, report, NULL);
  jc_hq_web_add_download (web, "/api/reports/export", JC_HQ_ROLE_ANALYST, report_export, NULL);
  jc_hq_web_add_download (web, "/api/ledger/export", JC_HQ_ROLE_ANALYST, ledger_export, NULL);
}
