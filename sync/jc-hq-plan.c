/* jc-hq-plan.c — HQ's inspection plans: drawn, signed, stored */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-directory.h"
#include "jc-hq-plan.h"
#include "jc-hq-sql.h"
#include "jc-plan-draw.h"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS plans ("
  "  plan_id TEXT PRIMARY KEY,"
  "  seed INTEGER NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  document TEXT NOT NULL,"
  "  signature TEXT NOT NULL,"
  /* the order HQ drew them in, for two draws within one second */
  "  drawn INTEGER NOT NULL UNIQUE);"
  "CREATE TABLE IF NOT EXISTS plan_assignments ("
  "  plan_id TEXT NOT NULL REFERENCES plans (plan_id),"
  "  code TEXT NOT NULL,"
  "  county TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  PRIMARY KEY (plan_id, code));"
  "CREATE TABLE IF NOT EXISTS plan_team ("
  "  plan_id TEXT NOT NULL,"
  "  code TEXT NOT NULL,"
  "  seat INTEGER NOT NULL,"
  "  inspector TEXT NOT NULL,"
  "  PRIMARY KEY (plan_id, code, seat),"
  "  FOREIGN KEY (plan_id, code) REFERENCES plan_assignments (plan_id, code));";

void
jc_hq_plan_free (JcHqPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->plan_id);
  g_free (plan->document);
  g_free (plan->signature);
  g_free (plan);
}

static void
hash_field (GChecksum *sum, const char *text)
{
  g_checksum_update (sum, (const guchar *) text, (gssize) strlen (text) + 1);
}

/* What the draw depends on, each followed by a NUL, hashed: the same
 * inputs give the same id. */
static char *
make_plan_id (guint64 seed, const char *directory, const char *roster, guint team_size, guint max_load)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *numbers = g_strdup_printf ("%" PRIu64 ",%u,%u", seed, team_size, max_load);
  guint8 digest[32];
  gsize len = sizeof digest;

  hash_field (sum, JC_ASSIGNMENTS_FORMAT);
  hash_field (sum, numbers);
  hash_field (sum, directory);
  hash_field (sum, roster);
  g_checksum_get_digest (sum, digest, &len);
  return jc_device_hex (digest, 16);
}

static void
add_counts (JsonBuilder *b, const JcPlanDraw *draw)
{
  json_builder_set_member_name (b, "counts");
  json_builder_begin_array (b);
  for (guint i = 0; i < draw->counts->len; i++)
    {
      const JcPlanCount *c = &g_array_index (draw->counts, JcPlanCount, i);

      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "county", c->county);
      jc_json_builder_add_string (b, "type", jc_institution_kind_to_string (c->type));
      if (c->level > 0)
        jc_json_builder_add_int (b, "level", c->level);
      jc_json_builder_add_int (b, "total", c->total);
      jc_json_builder_add_int (b, "drawn", c->drawn);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_assignments (JsonBuilder *b, const JcPlanDraw *draw)
{
  json_builder_set_member_name (b, "assignments");
  json_builder_begin_array (b);
  for (guint i = 0; i < draw->assignments->len; i++)
    {
      const JcPlanAssignment *a = draw->assignments->pdata[i];
      const JcHqInstitution *inst = a->institution;

      json_builder_begin_object (b);
      jc_json_builder_add_string (b, "code", inst->code);
      jc_json_builder_add_string (b, "name", inst->name);
      jc_json_builder_add_string (b, "county", inst->county);
      jc_json_builder_add_string (b, "type", jc_institution_kind_to_string (inst->type));
      if (inst->level > 0)
        jc_json_builder_add_int (b, "level", inst->level);
      jc_json_builder_add_string (b, "reason", jc_plan_reason_to_string (a->reason));
      json_builder_set_member_name (b, "team");
      json_builder_begin_array (b);
      for (guint t = 0; t < a->team->len; t++)
        json_builder_add_string_value (b, ((const JcHqInspector *) a->team->pdata[t])->name);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The document of jc-assignments.h, compact, members in a fixed order. */
static char *
make_document (const char *plan_id, const char *directory, const char *roster, const JcPlanDraw *draw)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "format", JC_ASSIGNMENTS_FORMAT);
  jc_json_builder_add_string (b, "plan_id", plan_id);
  jc_json_builder_add_int (b, "seed", (gint64) draw->seed);
  jc_json_builder_add_string (b, "directory", directory);
  jc_json_builder_add_string (b, "roster", roster);
  jc_json_builder_add_int (b, "team_size", draw->team_size);
  jc_json_builder_add_int (b, "max_load", draw->max_load);
  add_counts (b, draw);
  add_assignments (b, draw);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

static char *
sign_document (JcHqStore *store, const char *document)
{
  g_autoptr(GBytes) message = jc_assignments_message (document);
  guint8 signature[64];

  jc_hq_store_sign (store, g_bytes_get_data (message, NULL), g_bytes_get_size (message), signature);
  return jc_device_hex (signature, sizeof signature);
}

static gboolean
store_assignments (JcDb *db, const char *plan_id, const JcPlanDraw *draw, GError **error)
{
  JcDbStmt *row = NULL, *seat = NULL;
  gboolean ok = TRUE;

  if (!jc_hq_sql_prepare (db, "INSERT INTO plan_assignments (plan_id, code, county, reason) VALUES (?, ?, ?, ?)",
                          &row, error) ||
      !jc_hq_sql_prepare (db, "INSERT INTO plan_team (plan_id, code, seat, inspector) VALUES (?, ?, ?, ?)",
                          &seat, error))
    {
      jc_db_finalize (row);
      return FALSE;
    }
  for (guint i = 0; ok && i < draw->assignments->len; i++)
    {
      const JcPlanAssignment *a = draw->assignments->pdata[i];

      jc_db_bind_text (row, 1, plan_id, -1, JC_DB_STATIC);
      jc_db_bind_text (row, 2, a->institution->code, -1, JC_DB_STATIC);
      jc_db_bind_text (row, 3, a->institution->county, -1, JC_DB_STATIC);
      jc_db_bind_text (row, 4, jc_plan_reason_to_string (a->reason), -1, JC_DB_STATIC);
      ok = jc_db_step (row) == JC_DB_DONE;
      jc_db_reset (row);
      for (guint t = 0; ok && t < a->team->len; t++)
        {
          jc_db_bind_text (seat, 1, plan_id, -1, JC_DB_STATIC);
          jc_db_bind_text (seat, 2, a->institution->code, -1, JC_DB_STATIC);
          jc_db_bind_int (seat, 3, (int) t);
          jc_db_bind_text (seat, 4, ((const JcHqInspector *) a->team->pdata[t])->name, -1, JC_DB_STATIC);
          ok = jc_db_step (seat) == JC_DB_DONE;
          jc_db_reset (seat);
        }
    }
  if (!ok)
    jc_hq_sql_error (db, _("storing the plan’s assignments"), error);
  jc_db_finalize (row);
  jc_db_finalize (seat);
  return ok;
}

static gboolean
store_plan (JcDb *db, const JcHqPlan *plan, const JcPlanDraw *draw, GError **error)
{
  JcDbStmt *stmt = NULL;

  if (!jc_hq_sql_prepare (db, "INSERT INTO plans (plan_id, seed, created, document, signature, drawn) "
                              "VALUES (?, ?, ?, ?, ?, (SELECT coalesce (max (drawn), 0) + 1 FROM plans))", &stmt, error))
    return FALSE;
  jc_db_bind_text (stmt, 1, plan->plan_id, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, (gint64) plan->seed);
  jc_db_bind_int64 (stmt, 3, plan->created);
  jc_db_bind_text (stmt, 4, plan->document, -1, JC_DB_STATIC);
  jc_db_bind_text (stmt, 5, plan->signature, -1, JC_DB_STATIC);
  return jc_hq_sql_run (db, stmt, _("storing the plan"), error) &&
         store_assignments (db, plan->plan_id, draw, error);
}

static gboolean
ensure_schema (JcHqStore *store, GError **error)
{
  return jc_hq_sql_exec (jc_hq_store_get_db (store), schema, error);
}

JcHqPlan *
jc_hq_plan_draw (JcHqStore *store, guint64 seed, guint team_size, guint max_load, GError **error)
{
  g_autoptr(GPtrArray) institutions = NULL;
  g_autoptr(GPtrArray) inspectors = NULL;
  g_autoptr(JcPlanDraw) draw = NULL;
  g_autoptr(JcHqPlan) plan = NULL;
  g_autoptr(JcHqPlan) earlier = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *roster = NULL;
  JcDb *db = jc_hq_store_get_db (store);

  if (seed > JC_HQ_PLAN_MAX_SEED)
    {
      g_set_error (error, JC_PLAN_DRAW_ERROR, JC_PLAN_DRAW_ERROR_INVALID,
                   _("The seed %" PRIu64 " is too large: at most %" PRIu64), seed, JC_HQ_PLAN_MAX_SEED);
      return NULL;
    }
  if (!ensure_schema (store, error) ||
      (institutions = jc_hq_directory_load (store, error)) == NULL ||
      (inspectors = jc_hq_roster_load (store, error)) == NULL ||
      (draw = jc_plan_draw (institutions, inspectors, seed, team_size, max_load, error)) == NULL)
    return NULL;

  directory = jc_hq_directory_digest (institutions);
  roster = jc_hq_roster_digest (inspectors);
  plan = g_new0 (JcHqPlan, 1);
  plan->plan_id = make_plan_id (seed, directory, roster, team_size, max_load);
  plan->seed = seed;
  plan->created = g_get_real_time () / G_USEC_PER_SEC;
  plan->document = make_document (plan->plan_id, directory, roster, draw);
  plan->signature = sign_document (store, plan->document);

  if (!jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error))
    return NULL;
  earlier = jc_hq_plan_get (store, plan->plan_id, &local);
  if (earlier != NULL)
    {
      /* The same draw again: the stored plan keeps its first date. */
      jc_hq_sql_finish (db, TRUE, NULL);
      return g_steal_pointer (&earlier);
    }
  if (!g_error_matches (local, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      jc_hq_sql_finish (db, FALSE, NULL);
      return NULL;
    }
  if (!jc_hq_sql_finish (db, store_plan (db, plan, draw, error), error))
    return NULL;
  return g_steal_pointer (&plan);
}

JcHqPlan *
jc_hq_plan_get (JcHqStore *store, const char *plan_id, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  JcHqPlan *plan = NULL;
  int rc;

  if (!ensure_schema (store, error) ||
      !jc_hq_sql_prepare (db, plan_id != NULL
                                ? "SELECT plan_id, seed, created, document, signature FROM plans WHERE plan_id = lower(?)"
                                : "SELECT plan_id, seed, created, document, signature FROM plans "
                                  "ORDER BY created DESC, drawn DESC LIMIT 1",
                          &stmt, error))
    return NULL;
  if (plan_id != NULL)
    jc_db_bind_text (stmt, 1, plan_id, -1, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      plan = g_new0 (JcHqPlan, 1);
      plan->plan_id = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      plan->seed = (guint64) jc_db_column_int64 (stmt, 1);
      plan->created = jc_db_column_int64 (stmt, 2);
      plan->document = g_strdup ((const char *) jc_db_column_text (stmt, 3));
      plan->signature = g_strdup ((const char *) jc_db_column_text (stmt, 4));
    }
  else if (rc == JC_DB_DONE && plan_id != NULL)
    g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND, _("No plan %s at HQ"), plan_id);
  else if (rc == JC_DB_DONE)
    g_set_error_literal (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_NOT_FOUND,
                         _("No plan at HQ yet; draw one with “jiancha-hq plan draw”"));
  else
    jc_hq_sql_error (db, _("reading the plan"), error);
  jc_db_finalize (stmt);
  return plan;
}

char *
jc_hq_plan_envelope (JcHqStore *store, const JcHqPlan *plan)
{
  return jc_assignments_envelope (plan->plan_id, plan->document, plan->signature,
                                  jc_hq_store_get_public_key (store));
}

char *
jc_hq_plan_get_assignments_json (JcHqStore *store, const char *plan_id, GError **error)
{
  g_autoptr(JcHqPlan) plan = jc_hq_plan_get (store, plan_id, error);

  return plan != NULL ? jc_hq_plan_envelope (store, plan) : NULL;
}

GPtrArray *
jc_hq_plan_envelopes_since (JcHqStore *store, gint64 since, GError **error)
{
  g_autoptr(GPtrArray) envelopes = g_ptr_array_new_with_free_func (g_free);
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  int rc;

  if (!ensure_schema (store, error) ||
      !jc_hq_sql_prepare (db, "SELECT plan_id, seed, created, document, signature FROM plans "
                              "WHERE created >= ? ORDER BY created DESC, drawn DESC", &stmt, error))
    return NULL;
  jc_db_bind_int64 (stmt, 1, since);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcHqPlan plan = {
        .plan_id = (char *) jc_db_column_text (stmt, 0),
        .seed = (guint64) jc_db_column_int64 (stmt, 1),
        .created = jc_db_column_int64 (stmt, 2),
        .document = (char *) jc_db_column_text (stmt, 3),
        .signature = (char *) jc_db_column_text (stmt, 4),
      };

      g_ptr_array_add (envelopes, jc_hq_plan_envelope (store, &plan));
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, _("reading the plans for the updates"), error);
      return NULL;
    }
  return g_steal_pointer (&envelopes);
}
