/* jc-assignments.c — HQ's signed plan of assignments, as devices get it */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "jc-assignments.h"
#include "jc-device.h"
#include "jc-inspection.h"
#include "jc-json.h"
#include "jc-vfs.h"

G_DEFINE_QUARK (jc-assignments-error-quark, jc_assignments_error)

GBytes *
jc_assignments_message (const char *document)
{
  gsize prefix = sizeof JC_ASSIGNMENTS_FORMAT;  /* with its NUL */
  gsize len = strlen (document);
  guint8 *message = g_malloc (prefix + len);

  memcpy (message, JC_ASSIGNMENTS_FORMAT, prefix);
  memcpy (message + prefix, document, len);
  return g_bytes_new_take (message, prefix + len);
}

char *
jc_assignments_envelope (const char *plan_id, const char *document, const char *signature_hex,
                         const guint8 hq_key[32])
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *key_hex = jc_device_hex (hq_key, 32);

  json_builder_begin_object (b);
  jc_json_builder_add_string (b, "plan_id", plan_id);
  jc_json_builder_add_string (b, "document", document);
  jc_json_builder_add_string (b, "signature", signature_hex);
  jc_json_builder_add_string (b, "hq_key", key_hex);
  json_builder_end_object (b);
  return jc_json_builder_to_string (b);
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* @envelope says which of the two @text is, for the message. */
static JsonObject *
parse_object (const char *text, gboolean envelope, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, &local))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                   envelope ? _("The plan envelope is not JSON: %s") : _("The plan document is not JSON: %s"),
                   local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                           envelope ? _("The plan envelope is not a JSON object")
                                    : _("The plan document is not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
jc_assignments_verify (const char    *envelope,
                       const guint8   hq_key[32],
                       char         **document_text,
                       GError       **error)
{
  g_autoptr(JsonObject) outer = parse_object (envelope, TRUE, error);
  g_autoptr(JsonObject) document = NULL;
  g_autoptr(GBytes) message = NULL;
  const char *text, *signature_hex;
  guint8 signature[64];

  if (outer == NULL)
    return NULL;
  text = member_string (outer, "document");
  signature_hex = member_string (outer, "signature");
  if (text == NULL || !jc_device_unhex (signature_hex, signature, sizeof signature))
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                           _("The plan envelope needs a “document” string and a “signature” of 128 hex digits"));
      return NULL;
    }
  message = jc_assignments_message (text);
  if (crypto_sign_verify_detached (signature, g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                                   hq_key) != 0)
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_SIGNATURE,
                           _("The plan’s signature does not verify with HQ’s key: "
                             "it was changed or not signed by this HQ"));
      return NULL;
    }
  document = parse_object (text, FALSE, error);
  if (document == NULL)
    return NULL;
  if (g_strcmp0 (member_string (document, "format"), JC_ASSIGNMENTS_FORMAT) != 0 ||
      !json_object_has_member (document, "assignments"))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                   _("The signed document is not a plan (format “%s” with assignments)"), JC_ASSIGNMENTS_FORMAT);
      return NULL;
    }
  if (document_text != NULL)
    *document_text = g_strdup (text);
  return g_steal_pointer (&document);
}

/* On the device ---------------------------------------------------------- */

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS assignment_plans ("
  "  plan_id TEXT PRIMARY KEY,"
  "  seed INTEGER NOT NULL,"
  "  directory TEXT NOT NULL,"
  "  roster TEXT NOT NULL,"
  "  due TEXT,"
  "  received INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS assignments ("
  "  plan_id TEXT NOT NULL REFERENCES assignment_plans (plan_id),"
  "  code TEXT NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  level INTEGER NOT NULL,"
  "  county TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  team TEXT NOT NULL,"
  "  due TEXT,"
  "  inspection_id TEXT,"
  "  started INTEGER,"
  "  PRIMARY KEY (plan_id, code));";

void
jc_assignment_free (JcAssignment *a)
{
  if (a == NULL)
    return;
  g_free (a->id);
  g_free (a->plan_id);
  g_free (a->code);
  g_free (a->name);
  g_free (a->county);
  g_free (a->reason);
  g_strfreev (a->team);
  g_free (a->due);
  g_free (a->inspection_id);
  g_free (a);
}

const char *
jc_assignment_reason_get_label (const char *reason)
{
  if (g_strcmp0 (reason, "rate") == 0)
    return _("Drawn at the sampling rate");
  if (g_strcmp0 (reason, "top30") == 0)
    return _("Among the 30 largest fund payments");
  if (g_strcmp0 (reason, "all") == 0)
    return _("Every one is inspected");
  return reason;
}

static JcDb *
assignments_db (JcVault *vault, GError **error)
{
  JcDb *db = jc_vault_get_db (vault, error);

  if (db != NULL && !jc_db_exec_sql (db, schema, error))
    return NULL;
  return db;
}

static gboolean
db_failed (JcDb *db, int rc, GError **error)
{
  g_autoptr(GError) local = NULL;

  jc_db_set_error (db, rc, &local);
  g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_DATABASE,
               _("The assignments in the vault: %s"), local->message);
  return FALSE;
}

/* A due date, "YYYY-MM-DD", when @node holds one; FALSE when it holds
 * anything else. */
static gboolean
read_due (JsonObject *object, const char **out_due)
{
  JsonNode *node = json_object_get_member (object, "due");
  const char *due;
  guint y, m, d;
  char tail;

  *out_due = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  due = member_string (object, "due");
  if (due == NULL || strlen (due) != 10 || due[4] != '-' || due[7] != '-' ||
      sscanf (due, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return FALSE;
  *out_due = due;
  return TRUE;
}

/* The plan's assignments, each checked: what the device relies on. */
static gboolean
check_document (JsonObject *doc, GError **error)
{
  const char *plan_id = member_string (doc, "plan_id");
  JsonNode *list = json_object_get_member (doc, "assignments");
  JsonNode *seed = json_object_get_member (doc, "seed");
  JsonArray *array;
  const char *due;

  if (plan_id == NULL || strlen (plan_id) != 32 || strspn (plan_id, "0123456789abcdef") != 32 ||
      seed == NULL || !JSON_NODE_HOLDS_VALUE (seed) || json_node_get_value_type (seed) != G_TYPE_INT64 ||
      json_node_get_int (seed) < 0 || member_string (doc, "directory") == NULL ||
      member_string (doc, "roster") == NULL || !JSON_NODE_HOLDS_ARRAY (list) || !read_due (doc, &due))
    {
      g_set_error_literal (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                           _("The plan needs a “plan_id” of 32 hex digits, a “seed”, the digests "
                             "“directory” and “roster”, an array “assignments” and, if any, a “due” date YYYY-MM-DD"));
      return FALSE;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *a = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *team = a != NULL ? json_object_get_member (a, "team") : NULL;
      JsonNode *level = a != NULL ? json_object_get_member (a, "level") : NULL;
      gboolean ok = a != NULL && jc_institution_code_is_valid (member_string (a, "code")) &&
                    member_string (a, "name") != NULL && member_string (a, "county") != NULL &&
                    member_string (a, "reason") != NULL &&
                    jc_institution_kind_from_string (member_string (a, "type")) != 0 &&
                    team != NULL && JSON_NODE_HOLDS_ARRAY (team) && read_due (a, &due) &&
                    (level == NULL || (JSON_NODE_HOLDS_VALUE (level) &&
                                       json_node_get_value_type (level) == G_TYPE_INT64 &&
                                       json_node_get_int (level) >= 1 && json_node_get_int (level) <= 3));

      for (guint t = 0; ok && t < json_array_get_length (json_node_get_array (team)); t++)
        {
          JsonNode *member = json_array_get_element (json_node_get_array (team), t);

          ok = JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING;
        }
      if (!ok)
        {
          g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_MALFORMED,
                       _("Assignment %u of the plan is not an institution (“code”, “name”, “type”, "
                         "“county”, “reason”) with a “team” of names"), i + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* The envelope's plan, verified and checked; the error names the plan. */
static JsonObject *
verify_plan (const char *envelope, guint index, const guint8 hq_key[32], GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonObject) doc = jc_assignments_verify (envelope, hq_key, NULL, &local);

  if (doc != NULL && check_document (doc, &local))
    return g_steal_pointer (&doc);
  g_set_error (error, JC_ASSIGNMENTS_ERROR, local->code, _("Plan %u of HQ’s updates (%s): %s"), index + 1,
               doc != NULL ? member_string (doc, "plan_id") : _("unreadable"), local->message);
  return NULL;
}

gboolean
jc_assignments_check (const char * const *envelopes, const guint8 hq_key[32], GError **error)
{
  for (guint i = 0; envelopes != NULL && envelopes[i] != NULL; i++)
    {
      g_autoptr(JsonObject) doc = verify_plan (envelopes[i], i, hq_key, error);

      if (doc == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
on_team (JsonArray *team, const char *inspector)
{
  g_autofree char *me = g_utf8_normalize (inspector, -1, G_NORMALIZE_NFC);

  for (guint t = 0; t < json_array_get_length (team); t++)
    {
      g_autofree char *name = g_utf8_normalize (json_array_get_string_element (team, t), -1, G_NORMALIZE_NFC);

      if (name != NULL && me != NULL && g_strcmp0 (g_strstrip (name), g_strstrip (me)) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
team_json (JsonNode *team)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, team);
  return json_generator_to_data (gen, NULL);
}

static gboolean
store_plan (JcDb *db, JsonObject *doc, const char *inspector, gint64 received, guint *mine, GError **error)
{
  JsonArray *list = json_object_get_array_member (doc, "assignments");
  const char *plan_id = member_string (doc, "plan_id");
  const char *plan_due = NULL;
  JcDbStmt *plan = NULL, *row = NULL;
  int rc;

  read_due (doc, &plan_due);
  rc = jc_db_prepare (db, "INSERT OR IGNORE INTO assignment_plans (plan_id, seed, directory, roster, due, received) "
                               "VALUES (?, ?, ?, ?, ?, ?)", -1, &plan, NULL);
  if (rc != JC_DB_OK)
    return db_failed (db, rc, error);
  jc_db_bind_text (plan, 1, plan_id, -1, JC_DB_STATIC);
  jc_db_bind_int64 (plan, 2, json_object_get_int_member (doc, "seed"));
  jc_db_bind_text (plan, 3, member_string (doc, "directory"), -1, JC_DB_STATIC);
  jc_db_bind_text (plan, 4, member_string (doc, "roster"), -1, JC_DB_STATIC);
  jc_db_bind_text (plan, 5, plan_due, -1, JC_DB_STATIC);
  jc_db_bind_int64 (plan, 6, received);
  rc = jc_db_step (plan);
  jc_db_finalize (plan);
  /* A plan never changes (its id is the digest of what it was drawn
   * from): one stored before keeps its rows and what was started. */
  if (rc != JC_DB_DONE)
    return db_failed (db, rc, error);
  if (jc_db_changes (db) == 0)
    return TRUE;

  rc = jc_db_prepare (db, "INSERT INTO assignments (plan_id, code, position, name, type, level, county, reason, "
                               "team, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &row, NULL);
  for (guint i = 0; rc == JC_DB_OK && i < json_array_get_length (list); i++)
    {
      JsonObject *a = json_array_get_object_element (list, i);
      JsonNode *team = json_object_get_member (a, "team");
      g_autofree char *team_text = NULL;
      const char *due = NULL;

      if (!on_team (json_node_get_array (team), inspector))
        continue;
      read_due (a, &due);
      team_text = team_json (team);
      jc_db_bind_text (row, 1, plan_id, -1, JC_DB_STATIC);
      jc_db_bind_text (row, 2, member_string (a, "code"), -1, JC_DB_STATIC);
      jc_db_bind_int (row, 3, (int) i);
      jc_db_bind_text (row, 4, member_string (a, "name"), -1, JC_DB_STATIC);
      jc_db_bind_text (row, 5, member_string (a, "type"), -1, JC_DB_STATIC);
      jc_db_bind_int64 (row, 6, json_object_get_int_member_with_default (a, "level", 0));
      jc_db_bind_text (row, 7, member_string (a, "county"), -1, JC_DB_STATIC);
      jc_db_bind_text (row, 8, member_string (a, "reason"), -1, JC_DB_STATIC);
      jc_db_bind_text (row, 9, team_text, -1, JC_DB_STATIC);
      jc_db_bind_text (row, 10, due != NULL ? due : plan_due, -1, JC_DB_STATIC);
      rc = jc_db_step (row);
      if (rc == JC_DB_DONE)
        {
          (*mine)++;
          rc = jc_db_reset (row);
        }
    }
  jc_db_finalize (row);
  return rc == JC_DB_OK || db_failed (db, rc, error);
}

gboolean
jc_assignments_save (JcVault            *vault,
                     const char * const *envelopes,
                     const guint8        hq_key[32],
                     gint64              received,
                     guint              *out_mine,
                     GError            **error)
{
  g_autoptr(GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  JcDb *db = assignments_db (vault, error);
  guint mine = 0;

  if (db == NULL)
    return FALSE;
  /* Every plan verifies before any is stored. */
  for (guint i = 0; envelopes != NULL && envelopes[i] != NULL; i++)
    {
      JsonObject *doc = verify_plan (envelopes[i], i, hq_key, error);

      if (doc == NULL)
        return FALSE;
      g_ptr_array_add (docs, doc);
    }
  if (!jc_db_exec_sql (db, "SAVEPOINT jc_assignments", error))
    return FALSE;
  for (guint i = 0; i < docs->len; i++)
    if (!store_plan (db, docs->pdata[i], jc_vault_get_inspector (vault), received, &mine, error))
      {
        jc_db_exec_sql (db, "ROLLBACK TO jc_assignments; RELEASE jc_assignments", NULL);
        return FALSE;
      }
  if (!jc_db_exec_sql (db, "RELEASE jc_assignments", error))
    return FALSE;
  if (out_mine != NULL)
    *out_mine = mine;
  return TRUE;
}

#define SELECT_ASSIGNMENT                                                                    \
  "SELECT a.plan_id, p.seed, a.code, a.name, a.type, a.level, a.county, a.reason, a.team, " \
  "a.due, p.received, a.inspection_id FROM assignments a JOIN assignment_plans p USING (plan_id) "

static const char *
column_text (JcDbStmt *stmt, int column)
{
  return (const char *) jc_db_column_text (stmt, column);
}

static GStrv
parse_team (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  JsonNode *root;

  if (json_parser_load_from_data (parser, text, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
      g_strv_builder_add (names, json_array_get_string_element (json_node_get_array (root), i));
  return g_strv_builder_end (names);
}

static JcAssignment *
read_row (JcDbStmt *stmt)
{
  JcAssignment *a = g_new0 (JcAssignment, 1);

  a->plan_id = g_strdup (column_text (stmt, 0));
  a->seed = (guint64) jc_db_column_int64 (stmt, 1);
  a->code = g_strdup (column_text (stmt, 2));
  a->id = g_strconcat (a->plan_id, ":", a->code, NULL);
  a->name = g_strdup (column_text (stmt, 3));
  a->type = jc_institution_kind_from_string (column_text (stmt, 4));
  a->level = (guint) jc_db_column_int (stmt, 5);
  a->county = g_strdup (column_text (stmt, 6));
  a->reason = g_strdup (column_text (stmt, 7));
  a->team = parse_team (column_text (stmt, 8));
  a->due = g_strdup (column_text (stmt, 9));
  a->received = jc_db_column_int64 (stmt, 10);
  a->inspection_id = g_strdup (column_text (stmt, 11));
  return a;
}

/* Runs @sql with the text @args bound in order; every row read. */
static GPtrArray *
query (JcVault *vault, const char *sql, const char *arg1, const char *arg2, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_assignment_free);
  JcDb *db = assignments_db (vault, error);
  JcDbStmt *stmt = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  rc = jc_db_prepare (db, sql, -1, &stmt, NULL);
  if (rc != JC_DB_OK)
    {
      db_failed (db, rc, error);
      return NULL;
    }
  if (arg1 != NULL)
    jc_db_bind_text (stmt, 1, arg1, -1, JC_DB_STATIC);
  if (arg2 != NULL)
    jc_db_bind_text (stmt, 2, arg2, -1, JC_DB_STATIC);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    g_ptr_array_add (list, read_row (stmt));
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      db_failed (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

GPtrArray *
jc_assignments_list (JcVault *vault, GError **error)
{
  return query (vault, SELECT_ASSIGNMENT
                "ORDER BY a.inspection_id IS NOT NULL, a.due IS NULL, a.due, p.received DESC, a.plan_id, a.position",
                NULL, NULL, error);
}

JcAssignment *
jc_assignments_get (JcVault *vault, const char *id, GError **error)
{
  const char *colon = strchr (id, ':');
  g_autofree char *prefix = colon != NULL ? g_ascii_strdown (id, colon - id) : NULL;
  g_autofree char *pattern = NULL;
  g_autoptr(GPtrArray) found = NULL;

  /* A prefix of hex digits only: LIKE's wildcards never get through. */
  if (prefix != NULL && (prefix[0] == '\0' || strspn (prefix, "0123456789abcdef") != strlen (prefix)))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_NOT_FOUND,
                   _("“%s” is not an assignment id: write PLAN-ID:CODE (as “jiancha-cli assignments” lists them)"),
                   id);
      return NULL;
    }
  pattern = prefix != NULL ? g_strconcat (prefix, "%", NULL) : NULL;
  found = prefix != NULL
          ? query (vault, SELECT_ASSIGNMENT "WHERE a.plan_id LIKE ?1 AND a.code = ?2", pattern, colon + 1, error)
          : query (vault, SELECT_ASSIGNMENT "WHERE a.code = ?1", id, NULL, error);
  if (found == NULL)
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_NOT_FOUND,
                   _("No assignment %s for %s on this device; sync to get HQ’s newest plan"), id,
                   jc_vault_get_inspector (vault));
      return NULL;
    }
  if (found->len > 1)
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_NOT_FOUND,
                   _("%s names %u assignments: give the plan id too, PLAN-ID:CODE"), id, found->len);
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}

static gboolean
mark_started (JcVault *vault, const JcAssignment *a, const char *inspection_id, GError **error)
{
  JcDb *db = assignments_db (vault, error);
  JcDbStmt *stmt = NULL;
  int rc;

  if (db == NULL)
    return FALSE;
  rc = jc_db_prepare (db, "UPDATE assignments SET inspection_id = ?, started = ? WHERE plan_id = ? AND code = ?",
                      -1, &stmt, NULL);
  if (rc == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, inspection_id, -1, JC_DB_STATIC);
      jc_db_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_text (stmt, 3, a->plan_id, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 4, a->code, -1, JC_DB_STATIC);
      rc = jc_db_step (stmt);
    }
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE || db_failed (db, rc, error);
}

char *
jc_assignments_start (JcVault *vault, JcChecklistRegistry *registry, const char *id, GError **error)
{
  /* the inspection and its mark together, never inside a sync's transaction */
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  g_autoptr(JcAssignment) a = jc_assignments_get (vault, id, error);
  g_autoptr(GError) local = NULL;
  g_autofree char *inspection_id = NULL;
  JcInspectionSpec spec = { 0 };

  if (a == NULL)
    return NULL;
  if (a->inspection_id != NULL)
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_STARTED,
                   _("The assignment %s (%s) was started already: inspection %s"), a->id, a->name,
                   a->inspection_id);
      return NULL;
    }
  spec.institution_code = a->code;
  spec.institution_name = a->name;
  spec.institution_type = a->type;
  spec.level = a->type == JC_INSTITUTION_HOSPITAL ? a->level : 0;
  spec.form = JC_INSPECTION_FORM_CROSS;
  spec.team = (const char * const *) a->team;
  inspection_id = jc_inspection_create (vault, registry, &spec, error);
  if (inspection_id == NULL)
    return NULL;
  /* The inspection is a signed event already; the mark is the device's own
   * note of it, so a failure here says which inspection exists. */
  if (!mark_started (vault, a, inspection_id, &local))
    {
      g_set_error (error, JC_ASSIGNMENTS_ERROR, JC_ASSIGNMENTS_ERROR_DATABASE,
                   _("Inspection %s was created, but the assignment %s is not marked started: %s"),
                   inspection_id, a->id, local->message);
      return NULL;
    }
  return g_steal_pointer (&inspection_id);
}
