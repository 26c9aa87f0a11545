/* jc-hq-sql.h — the few SQLite helpers of HQ's planning tables */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets a JC_HQ_STORE_ERROR_IO "HQ database: @what: SQLite's message"; FALSE. */
gboolean jc_hq_sql_error    (sqlite3     *db,
                             const char  *what,
                             GError     **error);
gboolean jc_hq_sql_exec     (sqlite3     *db,
                             const char  *sql,
                             GError     **error);
gboolean jc_hq_sql_prepare  (sqlite3       *db,
                             const char    *sql,
                             sqlite3_stmt **stmt,
                             GError       **error);
/* Steps @stmt once to SQLITE_DONE and finalizes it; @what names it in the
 * error. */
gboolean jc_hq_sql_run      (sqlite3      *db,
                             sqlite3_stmt *stmt,
                             const char   *what,
                             GError      **error);
/* Ends the open transaction: COMMIT when @ok, ROLLBACK otherwise; returns
 * whether it committed. */
gboolean jc_hq_sql_finish   (sqlite3     *db,
                             gboolean     ok,
                             GError     **error);

G_END_DECLS
