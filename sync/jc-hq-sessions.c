/* jc-hq-sessions.c — signed-in staff: session tokens and their CSRF tokens */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "jc-hq-sessions.h"
#include "jc-hq-sql.h"
#include "jc-sha256.h"

#define TOKEN_BYTES 32

void
jc_hq_session_free (JcHqSession *session)
{
  if (session == NULL)
    return;
  g_free (session->user);
  g_free (session->csrf);
  g_free (session);
}

static char *
random_hex (void)
{
  guint8 bytes[TOKEN_BYTES];
  char hex[TOKEN_BYTES * 2 + 1];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (hex, sizeof hex, bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (hex);
}

/* Only a well-formed token is hashed: anything else matches no session. */
static char *
token_hash (const char *token)
{
  guint8 digest[JC_SHA256_SIZE];
  char hex[sizeof digest * 2 + 1];

  if (token == NULL || strlen (token) != TOKEN_BYTES * 2)
    return NULL;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return NULL;
  jc_sha256 (digest, (const guint8 *) token, TOKEN_BYTES * 2);
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  return g_strdup (hex);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

char *
jc_hq_session_create (JcHqStore *store, const char *user, JcHqRole role, gint64 lifetime_seconds,
                      JcHqSession **out, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *token = random_hex ();
  g_autofree char *hash = token_hash (token);
  g_autoptr(JcHqSession) session = g_new0 (JcHqSession, 1);
  JcDbStmt *stmt = NULL;
  gint64 now = now_seconds ();
  gboolean ok;

  session->user = g_strdup (user);
  session->role = role;
  session->csrf = random_hex ();
  session->expires = now + lifetime_seconds;
  jc_hq_store_lock (store);
  /* Sweep: nobody needs an expired row. */
  ok = jc_hq_sql_prepare (db, "DELETE FROM hq_sessions WHERE expires <= ?", &stmt, error);
  if (ok)
    {
      jc_db_bind_int64 (stmt, 1, now);
      ok = jc_hq_sql_run (db, stmt, "hq_sessions", error);
    }
  if (ok)
    ok = jc_hq_sql_prepare (db, "INSERT INTO hq_sessions (token_hash, user, csrf, created, expires) "
                                "VALUES (?, ?, ?, ?, ?)", &stmt, error);
  if (ok)
    {
      jc_db_bind_text (stmt, 1, hash, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 2, user, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 3, session->csrf, -1, JC_DB_STATIC);
      jc_db_bind_int64 (stmt, 4, now);
      jc_db_bind_int64 (stmt, 5, session->expires);
      ok = jc_hq_sql_run (db, stmt, "hq_sessions", error);
    }
  jc_hq_store_unlock (store);
  if (!ok)
    return NULL;
  if (out != NULL)
    *out = g_steal_pointer (&session);
  return g_steal_pointer (&token);
}

JcHqSession *
jc_hq_session_lookup (JcHqStore *store, const char *token, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *hash = token_hash (token);
  g_autoptr(JcHqSession) session = NULL;
  JcDbStmt *stmt = NULL;
  gint64 expires = 0;
  int rc;

  if (hash == NULL)
    goto denied;
  jc_hq_store_lock (store);
  if (!jc_hq_sql_prepare (db, "SELECT s.user, u.role, s.csrf, s.expires FROM hq_sessions s "
                              "JOIN hq_users u ON u.name = s.user "
                              "WHERE s.token_hash = ? AND u.disabled_at IS NULL", &stmt, error))
    {
      jc_hq_store_unlock (store);
      return NULL;
    }
  jc_db_bind_text (stmt, 1, hash, -1, JC_DB_STATIC);
  rc = jc_db_step (stmt);
  if (rc == JC_DB_ROW)
    {
      expires = jc_db_column_int64 (stmt, 3);
      session = g_new0 (JcHqSession, 1);
      session->user = g_strdup ((const char *) jc_db_column_text (stmt, 0));
      jc_hq_role_from_string ((const char *) jc_db_column_text (stmt, 1), &session->role, NULL);
      session->csrf = g_strdup ((const char *) jc_db_column_text (stmt, 2));
      session->expires = expires;
    }
  jc_db_finalize (stmt);
  if (session != NULL && expires <= now_seconds ())
    {
      g_clear_pointer (&session, jc_hq_session_free);
      if (jc_hq_sql_prepare (db, "DELETE FROM hq_sessions WHERE token_hash = ?", &stmt, NULL))
        {
          jc_db_bind_text (stmt, 1, hash, -1, JC_DB_STATIC);
          jc_hq_sql_run (db, stmt, "hq_sessions", NULL);
        }
    }
  jc_hq_store_unlock (store);
  if (rc != JC_DB_ROW && rc != JC_DB_DONE)
    {
      jc_hq_sql_error (db, "hq_sessions", error);
      return NULL;
    }
  if (session != NULL)
    return g_steal_pointer (&session);

denied:
  g_set_error_literal (error, JC_HQ_USERS_ERROR, JC_HQ_USERS_ERROR_DENIED,
                       _("Not signed in, or the session has expired: sign in again"));
  return NULL;
}

gboolean
jc_hq_session_end (JcHqStore *store, const char *token, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  g_autofree char *hash = token_hash (token);
  JcDbStmt *stmt = NULL;
  gboolean ok;

  if (hash == NULL)
    return TRUE;
  jc_hq_store_lock (store);
  ok = jc_hq_sql_prepare (db, "DELETE FROM hq_sessions WHERE token_hash = ?", &stmt, error);
  if (ok)
    {
      jc_db_bind_text (stmt, 1, hash, -1, JC_DB_STATIC);
      ok = jc_hq_sql_run (db, stmt, "hq_sessions", error);
    }
  jc_hq_store_unlock (store);
  return ok;
}
