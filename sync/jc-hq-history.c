/* jc-hq-history.c — HQ's signed decisions, a chained row per change */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "jc-core.h"
#include "jc-hq-history.h"
#include "jc-hq-sql.h"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS hq_ledger_history ("
  "  row INTEGER PRIMARY KEY,"
  "  subject TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  by TEXT NOT NULL,"
  "  record TEXT NOT NULL,"
  "  signature TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS hq_ledger_history_subject ON hq_ledger_history (subject, row);";

gboolean
jc_hq_history_ensure (JcHqStore *store, GError **error)
{
  return jc_hq_sql_exec (jc_hq_store_get_db (store), schema, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
canonical_into (GString *out, JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (obj);
      g_autoptr(GPtrArray) names = g_ptr_array_new ();

      for (GList *l = members; l != NULL; l = l->next)
        g_ptr_array_add (names, l->data);
      g_ptr_array_sort (names, compare_names);
      g_string_append_c (out, '{');
      for (guint i = 0; i < names->len; i++)
        {
          g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), names->pdata[i]);

          if (i > 0)
            g_string_append_c (out, ',');
          canonical_into (out, name);
          g_string_append_c (out, ':');
          canonical_into (out, json_object_get_member (obj, names->pdata[i]));
        }
      g_string_append_c (out, '}');
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append_c (out, '[');
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          canonical_into (out, json_array_get_element (array, i));
        }
      g_string_append_c (out, ']');
    }
  else
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_generator_set_root (gen, node);
      text = json_generator_to_data (gen, NULL);
      g_string_append (out, text);
    }
}

char *
jc_hq_history_canonical (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  canonical_into (out, node);
  return g_string_free (out, FALSE);
}

/* SHA-256 hex of @record followed by @signature_hex. */
static char *
link_of (const char *record, const char *signature_hex)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (sum, (const guchar *) record, -1);
  g_checksum_update (sum, (const guchar *) signature_hex, -1);
  return g_strdup (g_checksum_get_string (sum));
}

/* The newest row's number and link ("" and 0 when there is none). */
static gboolean
last_row (JcDb *db, gint64 *row, char **link, GError **error)
{
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_sql_prepare (db, "SELECT row, record, signature FROM hq_ledger_history ORDER BY row DESC LIMIT 1",
                          &stmt, error))
    return FALSE;
  rc = jc_db_step (stmt);
  *row = 0;
  *link = g_strdup ("");
  if (rc == JC_DB_ROW)
    {
      *row = jc_db_column_int64 (stmt, 0);
      g_free (*link);
      *link = link_of ((const char *) jc_db_column_text (stmt, 1), (const char *) jc_db_column_text (stmt, 2));
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    return jc_hq_sql_error (db, "hq_ledger_history", error);
  return TRUE;
}

gboolean
jc_hq_history_append (JcHqStore *store, const char *subject, const char *action, const char *by,
                      JsonObject *changes, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *prev = NULL;
  g_autofree char *record = NULL;
  g_autofree char *signature_hex = NULL;
  guint8 signature[64];
  JcDbStmt *stmt = NULL;
  gint64 row, at = g_get_real_time () / G_USEC_PER_SEC;

  if (!last_row (db, &row, &prev, error))
    return FALSE;
  json_object_set_string_member (obj, "action", action);
  json_object_set_int_member (obj, "at", at);
  json_object_set_string_member (obj, "by", by);
  json_object_set_object_member (obj, "changes", json_object_ref (changes));
  json_object_set_string_member (obj, "prev", prev);
  json_object_set_int_member (obj, "row", row + 1);
  json_object_set_string_member (obj, "subject", subject);
  json_node_set_object (root, obj);
  record = jc_hq_history_canonical (root);
  jc_hq_store_sign (store, (const guint8 *) record, strlen (record), signature);
  signature_hex = jc_device_hex (signature, sizeof signature);

  if (!jc_hq_sql_prepare (db, "INSERT INTO hq_ledger_history (row, subject, at, by, record, signature) "
                              "VALUES (?, ?, ?, ?, ?, ?)", &stmt, error))
    return FALSE;
  jc_db_bind_int64 (stmt, 1, row + 1);
  jc_db_bind_text (stmt, 2, subject, -1, JC_DB_TRANSIENT);
  jc_db_bind_int64 (stmt, 3, at);
  jc_db_bind_text (stmt, 4, by, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 5, record, -1, JC_DB_TRANSIENT);
  jc_db_bind_text (stmt, 6, signature_hex, -1, JC_DB_TRANSIENT);
  return jc_hq_sql_run (db, stmt, "hq_ledger_history", error);
}

static gboolean
bad_row (gint64 row, const char *why, GError **error)
{
  g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_INVALID,
               _("hq_ledger_history row %" PRId64 ": %s"), row, why);
  return FALSE;
}

/* Checks one row against @prev, the previous row's link. */
static gboolean
verify_row (gint64 row, const char *record, const char *signature_hex, const char *prev,
            const guint8 *public_key, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *canonical = NULL;
  guint8 signature[64];
  JsonObject *obj;

  if (!jc_device_unhex (signature_hex, signature, sizeof signature))
    return bad_row (row, _("the signature is not 64 bytes of hex"), error);
  if (crypto_sign_verify_detached (signature, (const guint8 *) record, strlen (record), public_key) != 0)
    return bad_row (row, _("HQ’s signature does not verify"), error);
  if (!json_parser_load_from_data (parser, record, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return bad_row (row, _("the record is not a JSON object"), error);
  canonical = jc_hq_history_canonical (json_parser_get_root (parser));
  obj = json_node_get_object (json_parser_get_root (parser));
  if (strcmp (canonical, record) != 0)
    return bad_row (row, _("the record is not canonical"), error);
  if (json_object_get_int_member_with_default (obj, "row", -1) != row)
    return bad_row (row, _("the record names another row"), error);
  if (g_strcmp0 (json_object_get_string_member_with_default (obj, "prev", NULL), prev) != 0)
    return bad_row (row, _("the chain is broken: “prev” is not the previous row"), error);
  return TRUE;
}

gboolean
jc_hq_history_verify (JcHqStore *store, const guint8 *public_key, guint *n_rows, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *prev = g_strdup ("");
  JcDbStmt *stmt = NULL;
  guint n = 0;
  int rc;

  if (!jc_hq_history_ensure (store, error) ||
      !jc_hq_sql_prepare (db, "SELECT row, record, signature FROM hq_ledger_history ORDER BY row", &stmt, error))
    return FALSE;
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      gint64 row = jc_db_column_int64 (stmt, 0);
      const char *record = (const char *) jc_db_column_text (stmt, 1);
      const char *signature = (const char *) jc_db_column_text (stmt, 2);

      if (!verify_row (row, record, signature, prev, public_key, error))
        {
          jc_db_finalize (stmt);
          return FALSE;
        }
      g_free (prev);
      prev = link_of (record, signature);
      n++;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    return jc_hq_sql_error (db, "hq_ledger_history", error);
  if (n_rows != NULL)
    *n_rows = n;
  return TRUE;
}

JsonNode *
jc_hq_history_of (JcHqStore *store, const char *subject, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(JsonArray) array = json_array_new ();
  JsonNode *node;
  JcDbStmt *stmt = NULL;
  int rc;

  if (!jc_hq_sql_prepare (db, "SELECT row, at, by, record, signature FROM hq_ledger_history "
                              "WHERE subject = ? ORDER BY row", &stmt, error))
    return NULL;
  jc_db_bind_text (stmt, 1, subject, -1, JC_DB_TRANSIENT);
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *row = json_object_new ();
      const char *record = (const char *) jc_db_column_text (stmt, 3);

      json_object_set_int_member (row, "row", jc_db_column_int64 (stmt, 0));
      json_object_set_int_member (row, "at", jc_db_column_int64 (stmt, 1));
      json_object_set_string_member (row, "by", (const char *) jc_db_column_text (stmt, 2));
      if (json_parser_load_from_data (parser, record, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *r = json_node_get_object (json_parser_get_root (parser));

          json_object_set_string_member (row, "action", json_object_get_string_member_with_default (r, "action", ""));
          if (json_object_has_member (r, "changes"))
            json_object_set_member (row, "changes", json_node_copy (json_object_get_member (r, "changes")));
        }
      json_object_set_string_member (row, "record", record);
      json_object_set_string_member (row, "signature", (const char *) jc_db_column_text (stmt, 4));
      json_array_add_object_element (array, row);
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, "hq_ledger_history", error);
      return NULL;
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, array);
  return node;
}
