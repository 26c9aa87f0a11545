/* jc-hq-audit.c — who did what at HQ's dashboard, and when */
#define G_LOG_DOMAIN "jiancha-hq"

#include "config.h"

#include <glib/gi18n.h>

#include "jc-hq-audit.h"
#include "jc-hq-query.h"
#include "jc-hq-sql.h"

gboolean
jc_hq_audit_add (JcHqStore *store, const char *user, const char *action, const char *target,
                 const char *remote, guint status, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  JcDbStmt *stmt = NULL;
  gboolean ok;

  jc_hq_store_lock (store);
  ok = jc_hq_sql_prepare (db, "INSERT INTO hq_audit (at, user, action, target, remote, status) "
                              "VALUES (?, ?, ?, ?, ?, ?)", &stmt, error);
  if (ok)
    {
      jc_db_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
      jc_db_bind_text (stmt, 2, user ? user : "-", -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 3, action, -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 4, target ? target : "", -1, JC_DB_STATIC);
      jc_db_bind_text (stmt, 5, remote ? remote : "-", -1, JC_DB_STATIC);
      jc_db_bind_int (stmt, 6, (int) status);
      ok = jc_hq_sql_run (db, stmt, "hq_audit", error);
    }
  jc_hq_store_unlock (store);
  return ok;
}

static gint64
count_failures (JcDb *db, const char *column, const char *value, gint64 since, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM hq_audit WHERE action = 'login-failed' "
                                          "AND %s = ? AND at > ?", column);
  JcDbStmt *stmt = NULL;
  gint64 n = -1;

  if (!jc_hq_sql_prepare (db, sql, &stmt, error))
    return -1;
  jc_db_bind_text (stmt, 1, value, -1, JC_DB_STATIC);
  jc_db_bind_int64 (stmt, 2, since);
  if (jc_db_step (stmt) == JC_DB_ROW)
    n = jc_db_column_int64 (stmt, 0);
  else
    jc_hq_sql_error (db, "hq_audit", error);
  jc_db_finalize (stmt);
  return n;
}

gboolean
jc_hq_audit_login_throttled (JcHqStore *store, const char *user, const char *remote, GError **error)
{
  JcDb *db = jc_hq_store_get_db (store);
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - JC_HQ_LOGIN_WINDOW;
  gint64 by_user, by_remote = 0;

  jc_hq_store_lock (store);
  by_user = count_failures (db, "user", user ? user : "-", since, error);
  if (by_user >= 0)
    by_remote = count_failures (db, "remote", remote ? remote : "-", since, error);
  jc_hq_store_unlock (store);
  return by_user >= JC_HQ_LOGIN_MAX_FAILURES || by_remote >= JC_HQ_LOGIN_MAX_FAILURES_PER_ADDRESS ||
         by_user < 0 || by_remote < 0;
}

char *
jc_hq_audit_recent_json (JcHqStore *store, guint limit, GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT id, at, user, action, target, remote, status FROM hq_audit "
                                          "ORDER BY id DESC LIMIT %u", limit);

  if (!jc_hq_query_rows (store, sql, NULL, JC_HQ_FORMAT_JSON, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
