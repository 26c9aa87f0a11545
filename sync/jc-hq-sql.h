/* jc-hq-sql.h — the few SQL helpers of HQ's tables */
#pragma once

#include <glib.h>
#include "jc-db.h"

G_BEGIN_DECLS

/* Sets a JC_HQ_STORE_ERROR_IO "HQ database: @what: SQLite's message"; FALSE. */
gboolean jc_hq_sql_error    (JcDb     *db,
                             const char  *what,
                             GError     **error);
gboolean jc_hq_sql_exec     (JcDb     *db,
                             const char  *sql,
                             GError     **error);
gboolean jc_hq_sql_prepare  (JcDb       *db,
                             const char    *sql,
                             JcDbStmt **stmt,
                             GError       **error);
/* Steps @stmt once to JC_DB_DONE and finalizes it; @what names it in the
 * error. */
gboolean jc_hq_sql_run      (JcDb      *db,
                             JcDbStmt *stmt,
                             const char   *what,
                             GError      **error);
/* Steps @stmt (an INSERT ... RETURNING id) and finalizes it: *@id is the
 * new row's id, or 0 when it inserted nothing. */
gboolean jc_hq_sql_run_id   (JcDb         *db,
                             JcDbStmt     *stmt,
                             const char   *what,
                             gint64       *id,
                             GError      **error);
/* Ends the open transaction: COMMIT when @ok, ROLLBACK otherwise; returns
 * whether it committed. */
gboolean jc_hq_sql_finish   (JcDb     *db,
                             gboolean     ok,
                             GError     **error);

G_END_DECLS
