/* jc-hq-users.c — HQ's staff accounts for the web dashboard */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-hq-sql.h"
#include "jc-hq-users.h"

G_DEFINE_QUARK (jc-hq-users-error-quark, jc_hq_users_error)

#define NAME_MAX_BYTES 64

static const char users_schema[] =
  "CREATE TABLE IF NOT EXISTS hq_users ("
  "  name TEXT PRIMARY KEY,"
  "  role TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'admin')),"
  "  password_hash TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  disabled_at INTEGER);"
  "CREATE TABLE IF NOT EXISTS hq_sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  user TEXT NOT NULL REFERENCES hq_users (name),"
  "  csrf TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS hq_audit ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  user TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  target TEXT NOT NULL,"
  "  remote TEXT NOT NULL,"
  "  status INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS hq_audit_user ON hq_audit (user, action, at);";

static const char * const role_names[] = { "none", "analyst", "reviewer", "admin" };

const char *
jc_hq_role_to_string (JcHqRole role)
{
  g_return_val_if_fail (role <= JC_HQ_ROLE_ADMIN, "none");
  return role_names[role];
}

gboolean
jc_hq_role_from_string (const char *name, JcHqRole *role, GError **error)
{
  for (guint i = JC_HQ_ROLE_ANALYST; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (name, role_names[i]) == 0)
      {
        *role = (JcHqRole) i;
        return TRUE;
      }
  g_set_error (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_INVALID,
               _("Unknown role “%s”: use analyst, reviewer or admin"), name ? name : "");
  return FALSE;
}

gboolean
jc_hq_users_prepare (JcHqStore *store, GError **error)
{
  gboolean ok;

  jc_hq_store_lock (store);
  ok = jc_hq_sql_exec (jc_hq_store_get_db (store), users_schema, error);
  jc_hq_store_unlock (store);
  return ok;
}

static gboolean
check_name (const char *name, GError **error)
{
  gsize len = name ? strlen (name) : 0;

  if (len == 0 || len > NAME_MAX_BYTES || !g_utf8_validate (name, -1, NULL) ||
      strpbrk (name, " \t\r\n/\"\\") != NULL)
    {
      g_set_error (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_INVALID,
                   _("Bad user name “%s”: 1 to %d bytes of UTF-8, without spaces, quotes or slashes"),
                   name ? name : "", NAME_MAX_BYTES);
      return FALSE;
    }
  return TRUE;
}

static gboolean
hash_password (const char *password, char out[crypto_pwhash_STRBYTES], GError **error)
{
  gboolean fast = g_strcmp0 (g_getenv ("JIANCHA_TEST_FAST_KDF"), "1") == 0;
  gsize len = password ? strlen (password) : 0;

  if (g_utf8_strlen (password ? password : "", -1) < JC_HQ_PASSWORD_MIN)
    {
      g_set_error (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_INVALID,
                   _("The password is too short: at least %d characters"), JC_HQ_PASSWORD_MIN);
      return FALSE;
    }
  if (crypto_pwhash_str (out, password, len,
                         fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_IO,
                           _("Cannot hash the password: out of memory"));
      return FALSE;
    }
  return TRUE;
}

gboolean
jc_hq_user_add (JcHqStore *store, const char *name, JcHqRole role, const char *password, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  char hash[crypto_pwhash_STRBYTES];
  JcDbStmt *stmt = NULL;
  gboolean ok;
  int rc;

  if (!check_name (name, error) || !hash_password (password, hash, error))
    return FALSE;
  g_return_val_if_fail (role >= JC_HQ_ROLE_ANALYST && role <= JC_HQ_ROLE_ADMIN, FALSE);
  jc_hq_store_lock (store);
  ok = jc_hq_sql_prepare (db, "INSERT INTO hq_users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                          &stmt, error);
  if (ok)
    {
      jc_db_bind_text (stmt, 1, name, -1, JC_DB_TRANSIENT);
      jc_db_bind_text (stmt, 2, jc_hq_role_to_string (role), -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 3, hash, -1, JC_DB_TRANSIENT);
      jc_db_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
      rc = jc_db_step (stmt);
      if (rc == JC_DB_CONSTRAINT)
        {
          g_set_error (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_EXISTS,
                       _("There is already a user named “%s”"), name);
          ok = FALSE;
        }
      else if (rc != JC_DB_DONE)
        ok = jc_hq_sql_error (db, "hq_users", error);
      jc_db_finalize (stmt);
    }
  jc_hq_store_unlock (store);
  sodium_memzero (hash, sizeof hash);
  return ok;
}

gboolean
jc_hq_user_disable (JcHqStore *store, const char *name, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  gboolean ok;

  jc_hq_store_lock (store);
  ok = jc_hq_sql_exec (db, "BEGIN IMMEDIATE", error) &&
       jc_hq_sql_prepare (db, "UPDATE hq_users SET disabled_at = coalesce (disabled_at, ?) WHERE name = ?",
                          &stmt, error);
  if (ok)
    {
      jc_db_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_text (stmt, 2, name, -1, JC_DB_TRANSIENT);
      ok = jc_hq_sql_run (db, stmt, "hq_users", error);
      if (ok && jc_db_changes (db) == 0)
        {
          g_set_error (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_NOT_FOUND, _("No user named “%s”"), name);
          ok = FALSE;
        }
    }
  if (ok)
    ok = jc_hq_sql_prepare (db, "DELETE FROM hq_sessions WHERE user = ?", &stmt, error);
  if (ok)
    {
      jc_db_bind_text (stmt, 1, name, -1, JC_DB_TRANSIENT);
      ok = jc_hq_sql_run (db, stmt, "hq_sessions", error);
    }
  ok = jc_hq_sql_finish (db, ok, ok ? error : NULL);
  jc_hq_store_unlock (store);
  return ok;
}

void
jc_hq_user_free (JcHqUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user);
}

GPtrArray *
jc_hq_user_list (JcHqStore *store, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) jc_hq_user_free);
  JcDbStmt *stmt = NULL;
  int rc = JC_DB_DONE;

  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, "SELECT name, role, created, coalesce (disabled_at, 0) FROM hq_users ORDER BY name",
                          &stmt, error))
    {
      jc_hq_store_unlock (store);
      return NULL;
    }
  while ((rc = jc_db_step (stmt)) == JC_DB_ROW)
    {
      JcHqUser *user = g_new0 (JcHqUser, 1);

      user->name = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      jc_hq_role_from_string ((const char *) jc_db_column_text (stmt, 1), &user->role, NULL);
      user->created = jc_db_column_int64 (stmt, 2);
      user->disabled_at = jc_db_column_int64 (stmt, 3);
      g_ptr_array_add (users, user);
    }
  if (rc != JC_DB_DONE)
    jc_hq_sql_error (db, "hq_users", error);
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);
  return rc == JC_DB_DONE ? g_steal_pointer (&users) : NULL;
}

/* A name HQ does not know costs the same Argon2id as one it does, so the
 * time of a failed sign-in does not tell which names exist. */
static const char *
dummy_hash (void)
{
  static char hash[crypto_pwhash_STRBYTES];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      guint8 random[16];
      char text[33];

      randombytes_buf (random, sizeof random);
      sodium_bin2hex (text, sizeof text, random, sizeof random);
      if (!hash_password (text, hash, NULL))
        hash[0] = '\0';
      g_once_init_leave (&done, 1);
    }
  return hash;
}

gboolean
jc_hq_user_check_password (JcHqStore *store, const char *name, const char *password, JcHqRole *role,
                           GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *hash = NULL;
  g_autofree char *role_name = NULL;
  JcDbStmt *stmt = NULL;

  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, "SELECT password_hash, role FROM hq_users WHERE name = ? AND disabled_at IS NULL",
                          &stmt, error))
    {
      jc_hq_store_unlock (store);
      return FALSE;
    }
  jc_db_bind_text (stmt, 1, name ? name : "", -1, JC_DB_TRANSIENT);
  if (jc_db_step (stmt) == JC_DB_ROW)
    {
      hash = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      role_name = g_strdup ((const char *) jc_db_column_text (stmt, 1));
    }
  jc_db_finalize (stmt);
  jc_hq_store_unlock (store);

  /* Argon2id runs without the lock: it takes a while, on purpose. */
  if (hash == NULL && password != NULL && crypto_pwhash_str_verify (dummy_hash (), password, strlen (password)) == 0)
    g_warn_if_reached ();  /* a random password nobody knows */
  if (hash == NULL || password == NULL ||
      crypto_pwhash_str_verify (hash, password, strlen (password)) != 0 ||
      !jc_hq_role_from_string (role_name, role, NULL))
    {
      g_set_error_literal (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_DENIED,
                           _("Wrong user name or password, or the account is disabled"));
      return FALSE;
    }
  return TRUE;
}
