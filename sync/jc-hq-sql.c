/* jc-hq-sql.c — the few SQL helpers of HQ's tables */
#include "config.h"

#include <glib/gi18n.h>

#include "jc-hq-sql.h"
#include "jc-hq-store.h"

gboolean
jc_hq_sql_error (JcDb *db, const char *what, GError **error)
{
  g_set_error (error, JC_HQ_STORE_ERROR, JC_HQ_STORE_ERROR_IO,
               _("HQ database: %s: %s"), what, jc_db_errmsg (db));
  return FALSE;
}

gboolean
jc_hq_sql_exec (JcDb *db, const char *sql, GError **error)
{
  if (jc_db_exec (db, sql) != JC_DB_OK)
    return jc_hq_sql_error (db, sql, error);
  return TRUE;
}

gboolean
jc_hq_sql_prepare (JcDb *db, const char *sql, JcDbStmt **stmt, GError **error)
{
  if (jc_db_prepare (db, sql, -1, stmt, NULL) != JC_DB_OK)
    return jc_hq_sql_error (db, sql, error);
  return TRUE;
}

gboolean
jc_hq_sql_run (JcDb *db, JcDbStmt *stmt, const char *what, GError **error)
{
  int rc = jc_db_step (stmt);

  if (rc != JC_DB_DONE)
    jc_hq_sql_error (db, what, error);
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE;
}

gboolean
jc_hq_sql_run_id (JcDb *db, JcDbStmt *stmt, const char *what, gint64 *id, GError **error)
{
  int rc = jc_db_step (stmt);

  *id = rc == JC_DB_ROW ? jc_db_column_int64 (stmt, 0) : 0;
  /* RETURNING's statement is complete once stepped to its end */
  while (rc == JC_DB_ROW)
    rc = jc_db_step (stmt);
  if (rc != JC_DB_DONE)
    jc_hq_sql_error (db, what, error);
  jc_db_finalize (stmt);
  return rc == JC_DB_DONE;
}

gboolean
jc_hq_sql_finish (JcDb *db, gboolean ok, GError **error)
{
  if (ok)
    return jc_hq_sql_exec (db, "COMMIT", error);
  jc_db_exec (db, "ROLLBACK");
  return FALSE;
}
