/* jc-hq-web-api.c — the dashboard's data: plan, findings, rejections, charts */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-core.h"
#include "jc-hq-finding-detail.h"
#include "jc-hq-plan.h"
#include "jc-hq-query.h"
#include "jc-hq-web-api.h"

static char *
plan_latest (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  g_autoptr(JcHqPlan) plan = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  jc_hq_store_lock (request->store);
  plan = jc_hq_plan_get (request->store, NULL, &local_error);
  jc_hq_store_unlock (request->store);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "plan");
  if (plan == NULL)
    json_builder_add_null_value (b);
  else
    {
      if (!json_parser_load_from_data (parser, plan->document, -1, error))
        return NULL;
      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "plan_id", plan->plan_id);
      jc_json_builder_add_int (b, "created", plan->created);
      jc_json_builder_add_string (b, "signature", plan->signature);
      json_builder_set_member_name (b, "document");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

static gboolean
known_status (const char *status)
{
  static const char * const names[] = { "unconfirmed", "confirmed", "disputed", "refused", NULL };

  return g_strv_contains (names, status);
}

static char *
findings_list (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  const char *institution = jc_hq_web_query (request, "institution");
  const char *status = jc_hq_web_query (request, "status");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonArray) kept = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *rows;

  if (status != NULL && !known_status (status))
    {
      g_set_error (error, JC_HQ_WEB_ERROR, JC_HQ_WEB_ERROR_INVALID,
                   _("Unknown status “%s”: use unconfirmed, confirmed, disputed or refused"), status);
      return NULL;
    }
  if (!jc_hq_query_findings (request->store, institution, JC_HQ_FORMAT_JSON, out, error) ||
      !json_parser_load_from_data (parser, out->str, (gssize) out->len, error))
    return NULL;
  rows = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (status == NULL || g_strcmp0 (json_object_get_string_member_with_default (row, "status", ""), status) == 0)
        json_array_add_object_element (kept, json_object_ref (row));
    }
  json_node_set_array (node, kept);
  return json_to_string (node, FALSE);
}

static char *
finding_detail (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  request->target = g_strdup (request->arg);
  return jc_hq_finding_detail_json (request->store, request->arg, error);
}

/* Institutions outside the directory count under county "". */
static char *
county_stats (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!jc_hq_query_rows (request->store,
                         "SELECT coalesce (d.county, '') AS county, count(*) AS findings, "
                         "       sum (f.amount_fen) AS amount_fen, "
                         "       count (CASE WHEN c.status = 'disputed' THEN 1 END) AS disputed "
                         "FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id "
                         "LEFT JOIN institutions d ON d.code = i.institution_code "
                         "LEFT JOIN finding_confirmations c ON c.finding_id = f.id "
                         "WHERE f.superseded_by IS NULL "
                         "GROUP BY 1 ORDER BY 1", NULL, JC_HQ_FORMAT_JSON, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
rejections_list (JcHqWebRequest *request, gpointer user_data, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (!jc_hq_query_rejections (request->store, JC_HQ_FORMAT_JSON, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
jc_hq_web_api_register (JcHqWeb *web)
{
  jc_hq_web_add_route (web, "GET", "/api/plan", JC_HQ_ROLE_ANALYST, plan_latest, NULL);
  jc_hq_web_add_route (web, "GET", "/api/findings", JC_HQ_ROLE_ANALYST, findings_list, NULL);
  jc_hq_web_add_route (web, "GET", "/api/findings/*", JC_HQ_ROLE_ANALYST, finding_detail, NULL);
  jc_hq_web_add_route (web, "GET", "/api/stats/counties", JC_HQ_ROLE_ANALYST, county_stats, NULL);
  jc_hq_web_add_route (web, "GET", "/api/rejections", JC_HQ_ROLE_REVIEWER, rejections_list, NULL);
}
