/* jc-hq-sql.c — the few SQLite helpers of HQ's planning tables */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-hq-sql.h"
#include "jc-hq-store.h"

gboolean
jc_hq_sql_error (sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
               _("HQ database: %s: %s"), what, sqlite3_errmsg (db));
  return FALSE;
}

gboolean
jc_hq_sql_exec (sqlite3 *db, const char *sql, GError **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return jc_hq_sql_error (db, sql, error);
  return TRUE;
}

gboolean
jc_hq_sql_prepare (sqlite3 *db, const char *sql, sqlite3_stmt **stmt, GError **error)
{
  if (sqlite3_prepare_v2 (db, sql, -1, stmt, NULL) != SQLITE_OK)
    return jc_hq_sql_error (db, sql, error);
  return TRUE;
}

gboolean
jc_hq_sql_run (sqlite3 *db, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    jc_hq_sql_error (db, what, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

gboolean
jc_hq_sql_finish (sqlite3 *db, gboolean ok, GError **error)
{
  if (ok)
    return jc_hq_sql_exec (db, "COMMIT", error);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}
