/* jc-sync-directory.c — HQ's institution directory, on the device */
#define G_LOG_DOMAIN "jiancha-sync"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "jc-sync-directory.h"
#include "jc-sync.h"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS directory ("
  "  code TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  level INTEGER NOT NULL,"
  "  county TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE IF NOT EXISTS directory_state ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  sha256 TEXT NOT NULL);";

static JcDb *
directory_db (JcVault *vault, GError **error)
{
  JcDb *db = jc_vault_get_db (vault, error);

  if (db != NULL && !jc_db_exec_sql (db, schema, error))
    return NULL;
  return db;
}

void
jc_directory_entry_free (JcDirectoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->code);
  g_free (entry->name);
  g_free (entry->county);
  g_free (entry);
}

char *
jc_sync_directory_digest (JcVault *vault)
{
  JcDb *db = directory_db (vault, NULL);
  JcDbStmt *stmt = NULL;
  char *digest = NULL;

  if (db != NULL && jc_db_prepare (db, "SELECT sha256 FROM directory_state", -1, &stmt, NULL) == JC_DB_OK &&
      jc_db_step (stmt) == JC_DB_ROW)
    digest = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  jc_db_finalize (stmt);
  return digest != NULL ? digest : g_strdup ("");
}

static gboolean
bad (GError **error, guint index, const char *field)
{
  g_set_error (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
               _("HQ’s directory: institution %u has no valid “%s”"), index + 1, field);
  return FALSE;
}

static gboolean
exec_stmt (JcDb *db, JcDbStmt *stmt, GError **error)
{
  int rc = jc_db_step (stmt);

  jc_db_reset (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_db_set_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_sync_directory_apply (JcVault *vault, JsonObject *directory, GError **error)
{
  JcDb *db = directory_db (vault, error);
  const char *digest = json_object_get_string_member_with_default (directory, "sha256", NULL);
  JsonNode *node = json_object_get_member (directory, "institutions");
  JsonArray *list;
  JcDbStmt *stmt = NULL;
  gboolean ok = TRUE;

  if (db == NULL)
    return FALSE;
  if (digest == NULL || strlen (digest) != 64 || node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, JC_SYNC_ERROR, JC_SYNC_ERROR_RECEIPT,
                           _("HQ’s directory has no digest or no list of institutions"));
      return FALSE;
    }
  list = json_node_get_array (node);
  /* The whole list checks before the old one goes. */
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *e = json_array_get_object_element (list, i);
      const char *code = e ? json_object_get_string_member_with_default (e, "code", NULL) : NULL;
      const char *type = e ? json_object_get_string_member_with_default (e, "type", NULL) : NULL;
      gint64 level = e ? json_object_get_int_member_with_default (e, "level", -1) : -1;

      if (code == NULL || !jc_institution_code_is_valid (code))
        return bad (error, i, "code");
      if (json_object_get_string_member_with_default (e, "name", NULL) == NULL)
        return bad (error, i, "name");
      if (type == NULL || jc_institution_kind_from_string (type) == 0)
        return bad (error, i, "type");
      if (level < 0 || level > 3)
        return bad (error, i, "level");
      if (json_object_get_string_member_with_default (e, "county", NULL) == NULL)
        return bad (error, i, "county");
    }
  if (!jc_db_exec_sql (db, "DELETE FROM directory; DELETE FROM directory_state", error) ||
      jc_db_prepare (db, "INSERT OR REPLACE INTO directory (code, name, type, level, county) "
                              "VALUES (?, ?, ?, ?, ?)", -1, &stmt, NULL) != JC_DB_OK)
    {
      if (error != NULL && *error == NULL)
        jc_db_set_error (db, jc_db_errcode (db), error);
      return FALSE;
    }
  for (guint i = 0; ok && i < json_array_get_length (list); i++)
    {
      JsonObject *e = json_array_get_object_element (list, i);

      jc_db_bind_text (stmt, 1, json_object_get_string_member (e, "code"), -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, json_object_get_string_member (e, "name"), -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 3, json_object_get_string_member (e, "type"), -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 4, json_object_get_int_member (e, "level"));
      jc_db_bind_text (stmt, 5, json_object_get_string_member (e, "county"), -1, JC_DB_TRANSIENT);
      ok = exec_stmt (db, stmt, error);
    }
  jc_db_finalize (stmt);
  stmt = NULL;
  if (ok && jc_db_prepare (db, "INSERT INTO directory_state (id, sha256) VALUES (1, ?)", -1, &stmt,
                           NULL) == JC_DB_OK)
    {
      jc_db_bind_text (stmt, 1, digest, -1, JC_DB_TRANSIENT);
      ok = exec_stmt (db, stmt, error);
    }
  jc_db_finalize (stmt);
  return ok;
}

static JcDirectoryEntry *
entry_from_row (JcDbStmt *stmt)
{
  JcDirectoryEntry *e = g_new0 (JcDirectoryEntry, 1);

  e->code = g_strdup ((const char *) jc_db_column_text (stmt, 0));
  e->name = g_strdup ((const char *) jc_db_column_text (stmt, 1));
  e->type = jc_institution_kind_from_string ((const char *) jc_db_column_text (stmt, 2));
  e->level = (guint) jc_db_column_int (stmt, 3);
  e->county = g_strdup ((const char *) jc_db_column_text (stmt, 4));
  return e;
}

static GPtrArray *
query (JcVault *vault, const char *where, const char *param, GError **error)
{
  g_autoptr(GRecMutexLocker) locker = g_rec_mutex_locker_new (jc_vault_get_db_mutex (vault));
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_directory_entry_free);
  g_autofree char *sql = g_strconcat ("SELECT code, name, type, level, county FROM directory ", where,
                                      " ORDER BY code", NULL);
  JcDb *db = directory_db (vault, error);
  JcDbStmt *stmt = NULL;
  int rc;

  if (db == NULL)
    return NULL;
  rc = jc_db_prepare (db, sql, -1, &stmt, NULL);
  if (rc == JC_DB_OK && param != NULL)
    jc_db_bind_text (stmt, 1, param, -1, JC_DB_TRANSIENT);
  while (rc == JC_DB_OK && (rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      g_ptr_array_add (out, entry_from_row (stmt));
      rc = JC_DB_OK;
    }
  jc_db_finalize (stmt);
  if (rc != JC_DB_DONE)
    {
      jc_db_set_error (db, rc, error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
jc_sync_directory_search (JcVault *vault, const char *text, GError **error)
{
  g_autofree char *like = text != NULL ? g_strdup_printf ("%%%s%%", text) : NULL;

  return query (vault, like != NULL ? "WHERE code LIKE ?1 OR name LIKE ?1" : "", like, error);
}

JcDirectoryEntry *
jc_sync_directory_lookup (JcVault *vault, const char *code, GError **error)
{
  g_autoptr(GPtrArray) rows = query (vault, "WHERE code = ?1", code, error);

  if (rows == NULL || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}
